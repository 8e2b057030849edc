"""Who attended a meeting, and a dissent from an item's decision."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting
from sharing.models import Agency


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
