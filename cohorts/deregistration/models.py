"""Deregistration: a proposal that a person leaves IOM, and its decision."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from cohorts.management.models import CohortMembership
from cohorts.records.models import Nominal


@pghistory.track()
class Deregistration(models.Model):
    """A proposal that the person leave IOM, by the lead professional with a reason, ratified (or not)
    by a panel chair. Ratifying ends the period on IOM on ends_on; the record stays."""

    class Reason(models.TextChoices):
        LICENCE_COMPLETED = "licence_completed", "Licence completed and transition done"
        RISK_REDUCED = "risk_reduced", "Risk reduced"
        MOVED_OUT_OF_AREA = "moved_out_of_area", "Moved out of area"
        LONG_CUSTODY = "long_custody", "Long custodial sentence"
        DECEASED = "deceased", "Deceased"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed, waiting for a panel chair"
        RATIFIED = "ratified", "Ratified"
        NOT_RATIFIED = "not_ratified", "Not ratified"
        WITHDRAWN = "withdrawn", "Withdrawn"

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="deregistrations")
    membership = models.ForeignKey(CohortMembership, on_delete=models.CASCADE, related_name="deregistrations")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    explanation = models.TextField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    ends_on = models.DateField(null=True, blank=True, help_text="The last day on IOM, once ratified.")

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"], condition=Q(status="proposed"), name="one_open_deregistration_per_membership"
            ),
            models.CheckConstraint(condition=~Q(explanation=""), name="deregistration_needs_an_explanation"),
            models.CheckConstraint(
                condition=~Q(status="ratified") | Q(ends_on__isnull=False), name="ratified_deregistration_has_an_end"
            ),
        ]

    def __str__(self) -> str:
        return f"Deregistration ({self.get_reason_display()}): {self.get_status_display()}"
