from django.conf import settings
from django.db import models


class Heartbeat(models.Model):
    """When a Celery worker last ran each periodic signal: proof that beat, the broker and a worker
    are all alive together (the health page and the operations page read it)."""

    name = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class DailyRun(models.Model):
    """One day's run of a daily job (IOM_DAILY_JOBS): asked of a worker by the first dispatch after
    the job's time, and done when it finished. A day without one done is run by the next dispatch,
    however late, so a job missed while beat, the broker or the workers were down is made up."""

    name = models.CharField(max_length=60)
    day = models.DateField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="one_daily_run_a_day")]

    def __str__(self) -> str:
        return f"{self.name} on {self.day}"


# --- Reminders and notifications ----------------------------------------------------------------------


class Notification(models.Model):
    """Something due, told to one user: in their inbox, and by email as they choose. Each has a key
    (recipient, kind, subject, due date) the database holds unique, so a sweep run twice, two beat
    processes or a retried task store it once, and only the first store sends its email. It holds
    ids, never names: what it says is told when it is shown (notifications/services.py, TELLERS)."""

    class Kind(models.TextChoices):
        REVIEW_DUE = "review_due", "Supervisor review due"
        REVIEW_OVERDUE = "review_overdue", "Supervisor review overdue"
        TRANSITION_NO_PLAN = "transition_no_plan", "Licence ending with no transition plan"
        TRANSITION_STEP_DUE = "transition_step_due", "Transition plan step due"
        Y2A_CONSIDER = "y2a_consider", "Young person at 17 years 6 months: consider transfer"
        Y2A_LIAISON = "y2a_liaison", "Young person at 17 years 9 months: start liaison"
        Y2A_HANDOVER = "y2a_handover", "Young person turning 18: IOM takes over"
        ISA_REVIEW_DUE = "isa_review_due", "Information sharing agreement review due"
        ISA_ENDING = "isa_ending", "Information sharing agreement ending"
        ISA_ENDED = "isa_ended", "Information sharing agreement ended"
        MEETING_REMINDER = "meeting_reminder", "Meeting coming up"
        ACTION_DUE = "action_due", "Action due"
        RELEASE_DUE = "release_due", "Release from custody due"
        REFUSAL_BURST = "refusal_burst", "Many refused requests by one user"

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "Email me at once"
        DIGEST = "digest", "Include it in my daily digest email"
        IN_APP = "in_app", "Only show it here"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    subject = models.CharField(max_length=60, help_text='What it is about, by id: e.g. "nominal:12" or "meeting:3".')
    due_on = models.DateField()
    link = models.CharField(max_length=300, help_text="Where the thing due is, in the application.")
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_owed_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Owed an email at once since then: the outbox (notifications/outbox.py) sends it. Null: "
        "no email at once (the digest's, or only shown in the inbox).",
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    no_longer_due_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its sweep found it no longer due (done, moved or cancelled): shown so, never emailed.",
    )
    # The sweep run that stored it: what a run stored and emailed is counted from these.
    run = models.ForeignKey("SweepRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["email_owed_since"],
                name="notification_outbox",
                condition=models.Q(email_owed_since__isnull=False, emailed_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "subject", "due_on"], name="one_reminder_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient} ({self.due_on})"


class NotificationPreference(models.Model):
    """How a user wants one kind of notification; without a row, the kind's default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Notification.Kind.choices)
    delivery = models.CharField(max_length=10, choices=Notification.Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"


class DigestEmail(models.Model):
    """The daily digest one user was sent on one day: its key makes a second send a no-op."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    items = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"Digest for {self.recipient} on {self.day}"


class SweepRun(models.Model):
    """One run of a scheduled sweep, for a day: when, how long, what it found, stored and (through
    the outbox) emailed, and how it ended. A run that stops sending signs of life while started is
    abandoned (its worker was killed): the operations page and /healthz say so."""

    class Status(models.TextChoices):
        STARTED = "started", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    sweep = models.CharField(max_length=60)
    day = models.DateField(null=True, blank=True, help_text="The day swept for (today, unless run for another).")
    started_at = models.DateTimeField()
    alive_at = models.DateTimeField(null=True, blank=True, help_text="The run's last sign of life.")
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STARTED)
    found = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0, help_text="Reminders the run stored that were not stored before.")
    no_longer_due = models.PositiveIntegerField(
        default=0, help_text="Reminders stored before that the run found no longer due (done, moved or cancelled)."
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["sweep", "-started_at"], name="sweep_run_latest")]

    def __str__(self) -> str:
        return f"{self.sweep} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def duration_ms(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds() * 1000
