"""Transition plans and their steps, as a person's licence ends."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from cohorts.management.models import CohortMembership
from cohorts.records.models import Nominal
from sharing.models import Agency


@pghistory.track()
class TransitionPlan(models.Model):
    """The plan to scale support back as the person's licence ends: one per period on IOM. Part of the
    case's management (like the strand and level), so every agency that sees the person sees it."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="transition_plans")
    membership = models.OneToOneField(CohortMembership, on_delete=models.CASCADE, related_name="transition_plan")
    licence_ends_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Transition plan to {self.licence_ends_on} ({self.get_status_display()})"


@pghistory.track()
class TransitionStep(models.Model):
    """One step of a transition plan: who takes over what, by when."""

    plan = models.ForeignKey(TransitionPlan, on_delete=models.CASCADE, related_name="steps")
    description = models.CharField(max_length=300)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="Who takes over."
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.description} by {self.due_on}"
