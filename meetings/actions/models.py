"""Actions set in a meeting, with their owner, due date and completion."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from cohorts.records.models import Nominal
from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting
from sharing.models import Agency, DataCategory


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
