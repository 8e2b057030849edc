"""Meetings and the series they belong to."""

from __future__ import annotations

import datetime

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sharing.models import Agency


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
