"""Managing a person on IOM: their periods on the cohort, strand and level, RAG ratings and their
assessments, and who leads and works the case."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from cohorts.records.models import NamedListEntry, Nominal
from sharing.models import Agency


@pghistory.track()
class CohortMembership(models.Model):
    """A dated period on IOM. An agreement covering the cohort reaches the people on it."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="memberships")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["nominal"], condition=Q(ended_on__isnull=True), name="one_open_membership_per_nominal"
            ),
        ]

    def __str__(self) -> str:
        return f"On the cohort from {self.started_on}" + (f" to {self.ended_on}" if self.ended_on else "")


class Strand(models.TextChoices):
    """The national IOM strands (DESIGN.md vocabulary)."""

    FIXED = "fixed", "Fixed"
    FLEX = "flex", "Flex"
    FREE = "free", "Free"


class ManagementLevel(NamedListEntry):
    """A level or team of local management (Standard / Enhanced / Priority, or Intensive / Risk
    management / Prison team). Configurable per deployment."""

    code = models.SlugField(max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    adults_only = models.BooleanField(
        default=False, help_text="Only people aged 18 or over (IOM_PRIORITY_MIN_AGE) may be managed at this level."
    )
    description = models.CharField(max_length=300, blank=True)

    class Meta(NamedListEntry.Meta):
        ordering = ["order", "name"]


class PriorityCohort(NamedListEntry):
    """A local priority cohort (domestic abuse perpetrators, young adults, women, knife crime, gangs)."""

    code = models.SlugField(max_length=40, unique=True)
    pcc_priority = models.BooleanField(
        "Police and crime commissioner priority",
        default=False,
        help_text="The police and crime commissioner's plan names it a priority (the selection matrix scores it).",
    )


class RagRating(models.Model):
    """One rating of the RAG scheme (Red/Amber/Green by default, or a local scheme), with the cadence
    of supervisor reviews it sets."""

    class Colour(models.TextChoices):
        # GOV.UK Frontend tag colours
        RED = "red", "Red"
        ORANGE = "orange", "Orange"
        YELLOW = "yellow", "Yellow"
        GREEN = "green", "Green"
        BLUE = "blue", "Blue"
        PURPLE = "purple", "Purple"
        GREY = "grey", "Grey"

    class Unit(models.TextChoices):
        WEEKS = "weeks", "weeks"
        MONTHS = "months", "months"

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="1 is the highest risk.")
    colour = models.CharField(max_length=10, choices=Colour.choices)
    review_every = models.PositiveSmallIntegerField(default=1)
    review_unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.MONTHS)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label

    @property
    def review_cadence(self) -> str:
        if self.review_every == 1:
            return f"every {self.get_review_unit_display().rstrip('s')}"
        return f"every {self.review_every} {self.get_review_unit_display()}"


@pghistory.track()
class CohortManagement(models.Model):
    """How a period on IOM is managed: strand, level or team, local priority cohorts and any
    combination with MAPPA. One row per membership; set by the panel's decision."""

    class CombinedMappaLevel(models.TextChoices):
        NONE = "", "Not combined with MAPPA"
        LEVEL_2 = "2", "MAPPA level 2"
        LEVEL_3 = "3", "MAPPA level 3"

    membership = models.OneToOneField(CohortMembership, on_delete=models.CASCADE, related_name="management")
    strand = models.CharField(max_length=10, choices=Strand.choices)
    level = models.ForeignKey(ManagementLevel, on_delete=models.PROTECT, related_name="+")
    priority_cohorts = models.ManyToManyField(PriorityCohort, blank=True, related_name="+")
    mappa_level = models.CharField(max_length=1, choices=CombinedMappaLevel.choices, blank=True)

    def __str__(self) -> str:
        return f"{self.get_strand_display()}, {self.level}"


@pghistory.track()
class RagAssessment(models.Model):
    """A RAG rating given to a person, with who gave it, when and why. The latest is current."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="rag_assessments")
    rating = models.ForeignKey(RagRating, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        indexes = [models.Index(fields=["nominal", "-assessed_at"], name="rag_latest")]
        constraints = [models.CheckConstraint(condition=~Q(rationale=""), name="rag_needs_a_rationale")]

    def __str__(self) -> str:
        return f"{self.rating} from {self.assessed_at:%-d %B %Y}"


@pghistory.track()
class CaseAssignment(models.Model):
    """A named worker's role in the case: lead professional (any agency), IOM police lead officer,
    or key worker for an agency. Dated; a transfer ends one and starts the next, with a reason."""

    class Role(models.TextChoices):
        LEAD_PROFESSIONAL = "lead_professional", "Lead professional"
        POLICE_LEAD = "police_lead", "IOM police lead officer"
        KEY_WORKER = "key_worker", "Key worker"

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assignments")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True, help_text="Why the case was assigned or transferred.")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "-started_on"]
        indexes = [models.Index(fields=["worker", "role"], name="assignment_caseload")]
        constraints = [
            models.UniqueConstraint(
                fields=["nominal", "role"],
                condition=Q(ended_on__isnull=True) & ~Q(role="key_worker"),
                name="one_current_lead_per_role",
            ),
            models.UniqueConstraint(
                fields=["nominal", "role", "agency"],
                condition=Q(ended_on__isnull=True) & Q(role="key_worker"),
                name="one_current_key_worker_per_agency",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="assignment_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.worker}"
