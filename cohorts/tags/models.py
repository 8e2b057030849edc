"""GPS tag periods and the location hits the monitoring team notifies."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q

from cohorts.records.models import RecordedItem


@pghistory.track()
class TagPeriod(models.Model):
    """A GPS tag fitted to the person, from fitting to removal (on licence, at most 12 months)."""

    class Basis(models.TextChoices):
        LICENCE = "licence", "Licence condition"
        COURT_ORDER = "court_order", "Court order"
        BAIL = "bail", "Bail condition"
        VOLUNTARY = "voluntary", "Voluntary"

    item = models.OneToOneField(RecordedItem, on_delete=models.CASCADE, related_name="tag_period")
    basis = models.CharField(max_length=12, choices=Basis.choices, default=Basis.LICENCE)
    fitted_on = models.DateField()
    ends_by = models.DateField(help_text="The day the tag is due to come off.")
    removed_on = models.DateField(null=True, blank=True)
    removal_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_by__gte=models.F("fitted_on")), name="tag_ends_after_fitting"),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("fitted_on")),
                name="tag_removed_after_fitting",
            ),
        ]

    def __str__(self) -> str:
        return f"Tag fitted {self.fitted_on}" + (f", removed {self.removed_on}" if self.removed_on else "")


@pghistory.track()
class TagHit(models.Model):
    """A location hit notified by the central monitoring team: the tag was near a crime scene. The
    item's date is the day it was notified."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        RULED_IN = "ruled_in", "Ruled in"
        RULED_OUT = "ruled_out", "Ruled out"

    item = models.OneToOneField(RecordedItem, on_delete=models.CASCADE, related_name="tag_hit")
    tag_period = models.ForeignKey(TagPeriod, on_delete=models.PROTECT, related_name="hits")
    crime_reference = models.CharField(max_length=50)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Hit {self.crime_reference}: {self.get_outcome_display()}"
