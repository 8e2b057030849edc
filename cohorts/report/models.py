"""The management report's entries: plan actions by pathway, interventions, contacts and
enforcement actions, each hung off a recorded item so the sharing rules cover it."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from cohorts.records.models import Pathway, RecordedItem


@pghistory.track()
class PlanAction(models.Model):
    """An action of the person's plan on one pathway (the item's summary says what), with its status."""

    class Status(models.TextChoices):
        IDENTIFIED = "identified", "Identified"
        REFERRED = "referred", "Referred"
        ENGAGED = "engaged", "Engaged"
        MET = "met", "Met"
        DECLINED = "declined", "Declined"

    item = models.OneToOneField(RecordedItem, on_delete=models.CASCADE, related_name="plan_action")
    pathway = models.CharField(max_length=20, choices=Pathway.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IDENTIFIED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_pathway_display()}: {self.item.summary} ({self.get_status_display()})"


@pghistory.track()
class Intervention(models.Model):
    """A programme, course or service the person takes part in (the item's summary names it)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        STARTED = "started", "Started"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped early"

    item = models.OneToOneField(RecordedItem, on_delete=models.CASCADE, related_name="intervention")
    pathway = models.CharField(max_length=20, choices=Pathway.choices, blank=True)
    provider = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="intervention_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item.summary} ({self.provider})"


@pghistory.track()
class Contact(models.Model):
    """A contact with the person by the item's owning agency on the item's date; its outcome is the
    compliance the management report counts."""

    class Type(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "Face to face"
        HOME_VISIT = "home_visit", "Home visit"
        PHONE = "phone", "Phone call"
        VIDEO = "video", "Video call"
        LETTER = "letter", "Letter or message"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        ATTENDED = "attended", "Attended"
        ACCEPTABLE_ABSENCE = "acceptable_absence", "Acceptable absence"
        FAILED_TO_ATTEND = "failed_to_attend", "Failed to attend"
        NOT_AT_HOME = "not_at_home", "Not at home"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    # Outcomes that count against compliance.
    NON_COMPLIANT = frozenset({Outcome.FAILED_TO_ATTEND, Outcome.NOT_AT_HOME})

    item = models.OneToOneField(RecordedItem, on_delete=models.CASCADE, related_name="contact")
    contact_type = models.CharField(max_length=20, choices=Type.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    next_contact_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()}: {self.get_outcome_display()}"


@pghistory.track()
class EnforcementAction(models.Model):
    """A warning, breach, recall or arrest taken to enforce the person's order or licence."""

    class Kind(models.TextChoices):
        WARNING = "warning", "Warning"
        BREACH = "breach", "Breach"
        RECALL = "recall", "Recall"
        ARREST = "arrest", "Arrest"

    item = models.OneToOneField(RecordedItem, on_delete=models.CASCADE, related_name="enforcement")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    outcome = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.item.occurred_on}"
