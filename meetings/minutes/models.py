"""Where a meeting's approved minutes were sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from meetings.scheduling.models import Meeting
from sharing.models import Agency


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
