"""Meetings: selection panels, MAP meetings, Y2A panels and case conferences, from agenda to minutes.

A meeting's agenda is built from the data (meetings/agenda.py): each item comes from a row somewhere
else (a referral listed for panel, a RAG change, a release due ...) and keeps that row's key, so a
rebuild adds what has newly become due and drops what no longer is, and the same data gives the
same agenda. Each item about a person carries the agency that owns its content and the content's
data category, so an attendee whose agency may not see it is shown "restricted", never the content
(meetings/access.py). Decisions taken in a meeting are recorded by the owning app's services and
the item links to what they recorded.
"""

from __future__ import annotations

import datetime

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cohorts.models import CustodyEvent, Deregistration, Nominal, RagAssessment, RecordedItem, TransitionPlan
from referrals.models import Referral, ReferralDecision
from sharing.models import Agency, DataCategory


class MeetingKind(models.TextChoices):
    SELECTION_PANEL = "selection_panel", "Selection panel"
    MAP = "map", "MAP meeting"
    Y2A_PANEL = "y2a_panel", "Y2A transfer panel"
    CASE_CONFERENCE = "case_conference", "Case conference"


DEFAULT_CONFIDENTIALITY_STATEMENT = (
    "The information shared in this meeting is confidential. It is shared under the partnership's "
    "information sharing agreements for the purpose of managing the people discussed, and must not be "
    "shared further, recorded elsewhere or used for any other purpose without the owning agency's "
    "agreement. Anyone with a conflict of interest in a case discussed should say so now."
)


@pghistory.track()
class MeetingSeries(models.Model):
    """Meetings that recur: a weekly MAP, a monthly selection panel, a quarterly Y2A panel."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FORTNIGHTLY = "fortnightly", "Every 2 weeks"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Every 3 months"

    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    title = models.CharField(max_length=150)
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    first_date = models.DateField()
    until = models.DateField(null=True, blank=True, help_text="The last date a meeting may fall on.")
    starts_at = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=120)
    location = models.CharField(max_length=200, blank=True)
    online_link = models.URLField(blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="meeting_series")
    invited_agencies = models.ManyToManyField(Agency, blank=True, related_name="+")
    invited_people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name_plural = "meeting series"

    def __str__(self) -> str:
        return self.title


@pghistory.track()
class Meeting(models.Model):
    """One meeting: scheduled, held (its minutes in draft), its minutes approved, or cancelled."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        IN_PROGRESS = "in_progress", "In progress"
        HELD = "held", "Held, minutes in draft"
        MINUTES_APPROVED = "approved", "Minutes approved"
        CANCELLED = "cancelled", "Cancelled"

    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    title = models.CharField(max_length=150)
    date = models.DateField()
    starts_at = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=120)
    location = models.CharField(max_length=200, blank=True)
    online_link = models.URLField(blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="meetings", help_text="The agency that runs the meeting."
    )
    invited_agencies = models.ManyToManyField(Agency, blank=True, related_name="+")
    invited_people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    agenda_built_at = models.DateTimeField(null=True, blank=True)

    # Running it.
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    confidentiality_statement = models.TextField(blank=True)
    confidentiality_read_at = models.DateTimeField(null=True, blank=True)
    confidentiality_read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_reason = models.CharField(max_length=300, blank=True)

    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "starts_at", "pk"]
        permissions = [("chair_meeting", "Schedule and chair meetings (a panel chair)")]
        indexes = [models.Index(fields=["kind", "date"], name="meeting_kind_date")]
        constraints = [
            models.UniqueConstraint(fields=["series", "date"], name="one_meeting_per_series_date"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(minutes_approved_at__isnull=False),
                name="approved_minutes_have_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.date:%-d %B %Y}"

    @property
    def recorded_on(self) -> datetime.date | None:
        """The day a meeting held before it was put in the system was recorded (run here), when that
        is after its date; None for a meeting run on its day, or not yet run. The times kept
        (started, statement read, ended) are then the recording's, not the meeting's."""
        if self.started_at is None:
            return None
        day = timezone.localdate(self.started_at)
        return day if day > self.date else None

    @property
    def is_open_for_edits(self) -> bool:
        """Agenda, attendance, notes and decisions can change until the minutes are approved."""
        return self.status in (self.Status.SCHEDULED, self.Status.IN_PROGRESS, self.Status.HELD)


@pghistory.track()
class AgendaItem(models.Model):
    """One item of a meeting's agenda. Built items keep the key of the row they come from
    (source_key, e.g. "referral:12"): the agenda is rebuilt by key, and a chair's removal sticks."""

    class Kind(models.TextChoices):
        # Selection panel
        REFERRAL = "referral", "Referral for decision"
        URGENT_RATIFICATION = "urgent_ratification", "Urgent decision to ratify"
        DEREGISTRATION = "deregistration", "Deregistration to ratify"
        # MAP meeting
        TOP_RAG = "top_rag", "At the top RAG rating"
        RAG_CHANGE = "rag_change", "RAG rating changed"
        NEW_EVENT = "new_event", "New event"
        RELEASE_DUE = "release_due", "Release from custody due"
        OVERDUE_REVIEW = "overdue_review", "Supervisor review overdue"
        TRANSITION_STARTING = "transition_starting", "Transition plan starting"
        OPEN_ACTION = "open_action", "Open action from the last meeting"
        # Y2A panel
        Y2A_CANDIDATE = "y2a_candidate", "Young person reaching 17 years 6 months"
        # Any meeting
        OTHER = "other", "Other business"

    class Source(models.TextChoices):
        BUILT = "built", "Built from the data"
        ADDED = "added", "Added by the chair"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=25, choices=Kind.choices)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.BUILT)
    source_key = models.CharField(max_length=80, help_text='The row the item comes from, e.g. "referral:12".')
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200, help_text="What the item is, as shown to those who may see it.")
    summary = models.TextField(blank=True, help_text="The case summary as built, for the pack.")

    # What the item is about, and whose content it is (the sharing rules decide who sees it).
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    category = models.ForeignKey(DataCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    # The row it comes from (one of these, by kind).
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    deregistration = models.ForeignKey(
        Deregistration, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rag_assessment = models.ForeignKey(RagAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    event = models.ForeignKey(CustodyEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    review_item = models.ForeignKey(
        RecordedItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The last supervisor review, for an overdue review.",
    )
    transition_plan = models.ForeignKey(
        TransitionPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.ForeignKey(
        "MeetingAction", on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )

    removed_at = models.DateTimeField(null=True, blank=True, help_text="Taken off the agenda by the chair.")
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dropped_at = models.DateTimeField(
        null=True, blank=True, help_text="Its data no longer puts it on the agenda (kept for the record)."
    )

    # In the meeting.
    notes = models.TextField(blank=True, help_text="The discussion, for the minutes.")
    outcome = models.CharField(max_length=300, blank=True, help_text="The decision in a line, for the minutes.")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral_decision = models.OneToOneField(
        ReferralDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_item"
    )
    rag_decision = models.OneToOneField(
        RagAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_item"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "source_key"], name="one_agenda_item_per_source"),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(decided_by__isnull=False), name="decided_item_has_a_decider"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_on_agenda(self) -> bool:
        return self.removed_at is None and self.dropped_at is None

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None


@pghistory.track()
class Attendance(models.Model):
    """Whether an invited person came. The agency is the person's at the time of the meeting."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendances")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    acknowledged_confidentiality = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency__name", "person__last_name", "person__first_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="one_attendance_per_person")]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()}"


@pghistory.track()
class Dissent(models.Model):
    """An attendee who disagreed with an item's decision, and why; kept in the minutes."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="dissents")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="dissent_needs_a_reason")]

    def __str__(self) -> str:
        return f"{self.person} dissented"


@pghistory.track()
class MeetingAction(models.Model):
    """An action set in a meeting: an owner in any agency, a due date, a status. Open actions show on
    the owner's home page, the person's timeline and the next meeting's agenda until done."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="actions")
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_actions")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Whose content the action is, and its category: those of the item it was set on (the rules apply).
    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(DataCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completion_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="meeting_action_owner"),
            models.Index(fields=["nominal", "status"], name="meeting_action_nominal"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(description=""), name="action_needs_a_description")]

    def __str__(self) -> str:
        return self.description[:80]


class MinutesDistribution(models.Model):
    """The minutes as one attendee received them on approval: how many items they were shown and how
    many were restricted to them. Each is logged as a disclosure in the access log too."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="distributions")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    items_shown = models.PositiveIntegerField(default=0)
    items_restricted = models.PositiveIntegerField(default=0)
    nominal_ids = models.JSONField(default=list, help_text="The people whose items the recipient was shown.")

    class Meta:
        ordering = ["agency__name", "recipient__last_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "recipient"], name="minutes_sent_once")]

    def __str__(self) -> str:
        return f"Minutes to {self.recipient}"
