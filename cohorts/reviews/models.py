"""Supervisor reviews of a person's management report."""

from __future__ import annotations

import pghistory
from django.db import models

from cohorts.management.models import RagRating
from cohorts.records.models import RecordedItem


@pghistory.track()
class SupervisorReview(models.Model):
    """A supervisor's review of the person's management report, on the cadence of their RAG rating.
    Recorded as an offending-and-risk item owned by the reviewer's agency."""

    item = models.OneToOneField(RecordedItem, on_delete=models.CASCADE, related_name="supervisor_review")
    rating = models.ForeignKey(
        RagRating,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The RAG rating reviewed.",
    )
    commensurate = models.BooleanField(help_text="Are the interventions commensurate with the risk?")
    actions_set = models.TextField(blank=True)
    next_review_on = models.DateField()

    def __str__(self) -> str:
        return f"Review on {self.item.occurred_on}, next by {self.next_review_on}"
