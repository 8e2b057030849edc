"""Custody and court events, recorded one at a time or imported from a file."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from cohorts.records.models import OffenceType, RecordedItem


class EventImport(models.Model):
    """One CSV file of custody and court events, imported whole or not at all."""

    file_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows} rows)"


@pghistory.track()
class CustodyEvent(models.Model):
    """An arrest, charge, remand, court outcome, sentence, recall or release. Custody status follows
    the events; convictions feed the offending history. An offending-and-risk item."""

    class Kind(models.TextChoices):
        ARREST = "arrest", "Arrest"
        CHARGE = "charge", "Charge"
        REMAND = "remand", "Remand in custody"
        COURT_OUTCOME = "court_outcome", "Court outcome"
        SENTENCE = "sentence", "Sentence"
        RECALL = "recall", "Recall to custody"
        RELEASE = "release", "Release from custody"

    item = models.OneToOneField(RecordedItem, on_delete=models.CASCADE, related_name="custody_event")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    offence_type = models.CharField(max_length=20, choices=OffenceType.choices, blank=True)
    convicted = models.BooleanField(null=True, blank=True, help_text="Court outcome: convicted or not.")
    custodial = models.BooleanField(null=True, blank=True, help_text="Sentence: custodial or not.")
    release_on = models.DateField(null=True, blank=True)
    licence_ends_on = models.DateField(null=True, blank=True)
    crime_reference = models.CharField(max_length=50, blank=True)
    court = models.CharField(max_length=200, blank=True)
    imported_by = models.ForeignKey(EventImport, on_delete=models.PROTECT, null=True, blank=True, related_name="events")

    class Meta:
        indexes = [models.Index(fields=["kind", "release_on"], name="custody_event_release")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.item.occurred_on}"
