"""People recorded twice: the possible duplicates the IOM team checks, and the merges they make."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from cohorts.records.models import Nominal
from sharing.models import Agency


class PossibleDuplicate(models.Model):
    """A person who may be recorded twice, for the IOM team to check. Raised when someone
    records a person whose identifier, or name and date of birth, a record they may not see holds:
    they are told only that the person may be recorded already; this names both records, by id."""

    class Reason(models.TextChoices):
        IDENTIFIER = "identifier", "The same identifier"
        NAME_AND_BIRTH = "name_and_birth", "The same name and date of birth"

    class Status(models.TextChoices):
        OPEN = "open", "To check"
        SHARED = "shared", "Record shared with the agency"
        MERGED = "merged", "Records merged"
        NOT_DUPLICATE = "not_duplicate", "Not the same person"

    existing = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="+")
    # The record the user made (a name and date of birth match); none where an identifier was taken.
    recorded = models.ForeignKey(Nominal, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    identifier = models.CharField(
        max_length=20, blank=True, help_text="Which identifier: pnc_id, crn or prison_number."
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # The same attempt again (a second click, a retry) adds to the open check's attempts.
            models.UniqueConstraint(
                fields=["existing", "agency", "reason"],
                condition=Q(status="open", recorded__isnull=True),
                name="one_open_identifier_check_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"Possible duplicate {self.pk}: {self.get_reason_display()} ({self.get_status_display()})"


class NominalMerge(models.Model):
    """Two records of one person made one by the IOM team: what moved from the merged
    record to the survivor, so that it can be undone within MERGE_UNDO_DAYS."""

    survivor = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="+")
    duplicate = models.ForeignKey(PossibleDuplicate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    moved = models.JSONField(default=dict, help_text='The rows moved, by model: {"cohorts.RecordedItem": [ids]}.')
    ended_involvements = ArrayField(models.BigIntegerField(), default=list, blank=True)
    identifiers = models.JSONField(default=dict, help_text="Identifiers moved to the survivor, by field.")
    alias = models.ForeignKey("NominalAlias", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"Merge {self.pk}: {self.merged_id} into {self.survivor_id}"
