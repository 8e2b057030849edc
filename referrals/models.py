"""Referrals: how a person is brought onto IOM, from the referrer's draft to the panel's decision.

A referral is owned by the referring agency and its content (why now, offending history, risk) is
offending and risk information: other agencies read it as the sharing rules allow for the
"offending-risk" category (cohorts/access.py). Its pathway needs become items on the person's
record when it is submitted, each under its pathway's category.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from cohorts.management.models import CohortMembership, ManagementLevel, PriorityCohort, RagRating, Strand
from cohorts.records.models import Nominal, OffenceType, Pathway, PathwayNeed, RecordedItem
from sharing.models import Agency


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=Referral.OPEN_STATUSES)

    def in_progress(self) -> ReferralQuerySet:
        """Sent to the IOM team and not yet finally decided or withdrawn (drafts are not)."""
        return self.filter(status__in=Referral.IN_PROGRESS_STATUSES)


@pghistory.track()
class Referral(models.Model):
    """A request to bring a person onto IOM, with criteria, evidence and a proposed strand."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned to referrer"
        SCREENED = "screened", "Screened"
        LISTED = "listed", "Listed for panel"
        DEFERRED = "deferred", "Deferred for more information"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        REDIRECTED = "redirected", "Redirected to MAPPA"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Kind(models.TextChoices):
        ADULT = "adult", "Referral"
        Y2A = "y2a", "Youth-to-adult (Y2A) referral"

    class Criterion(models.TextChoices):
        RISK_OF_HARM = "harm", "High risk of harm"
        RISK_OF_REOFFENDING = "reoffending", "High risk of reoffending"
        REPUTATIONAL_RISK = "reputational", "Reputational risk to an agency"

    class YouthOrder(models.TextChoices):
        REFERRAL_ORDER = "referral_order", "Referral order"
        YOUTH_REHABILITATION_ORDER = "yro", "Youth Rehabilitation Order"
        DETENTION_AND_TRAINING_ORDER = "dto", "Detention and Training Order"
        LONG_TERM_DETENTION = "s250", "Long-term detention (section 250)"

    # "A Youth Rehabilitation Order or above"
    YRO_OR_ABOVE = frozenset(
        {YouthOrder.YOUTH_REHABILITATION_ORDER, YouthOrder.DETENTION_AND_TRAINING_ORDER, YouthOrder.LONG_TERM_DETENTION}
    )
    IN_PROGRESS_STATUSES = (
        Status.SUBMITTED,
        Status.RETURNED,
        Status.SCREENED,
        Status.LISTED,
        Status.DEFERRED,
    )
    OPEN_STATUSES = (Status.DRAFT, *IN_PROGRESS_STATUSES)
    FINAL_STATUSES = (Status.ACCEPTED, Status.REJECTED, Status.REDIRECTED, Status.WITHDRAWN)
    CONTENT_CATEGORY = "offending-risk"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="referrals")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ADULT)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    sections_done = ArrayField(models.CharField(max_length=20), default=list, blank=True)

    # Why now, and the criteria met.
    why_now = models.TextField(blank=True)
    criteria = ArrayField(models.CharField(max_length=20, choices=Criterion.choices), default=list, blank=True)

    # Proposed strand, level and local priority cohorts.
    strand = models.CharField(max_length=10, choices=Strand.choices, blank=True)
    proposed_level = models.ForeignKey(
        ManagementLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    priority_cohorts = models.ManyToManyField(PriorityCohort, blank=True, related_name="+")

    # Current risk information, as the referrer knows it.
    statutory_status = models.CharField(max_length=20, choices=Nominal.StatutoryStatus.choices, blank=True)
    ogrs_percent = models.PositiveSmallIntegerField(
        "OGRS (%)", null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    risk_of_serious_harm = models.CharField(max_length=10, choices=Nominal.RiskOfSeriousHarm.choices, blank=True)
    mappa_category = models.CharField(max_length=1, choices=Nominal.MappaCategory.choices, blank=True)
    mappa_level = models.CharField(max_length=1, choices=Nominal.MappaLevel.choices, blank=True)
    release_expected_on = models.DateField(
        null=True, blank=True, help_text="Expected release from custody, if the person is in custody."
    )

    # Urgency.
    urgent = models.BooleanField(null=True, blank=True)
    urgency_reason = models.TextField(blank=True)

    # Youth-to-adult transfer.
    management_passed_to_probation = models.BooleanField(null=True, blank=True)
    youth_order = models.CharField(max_length=20, choices=YouthOrder.choices, blank=True)
    order_ends_on = models.DateField(null=True, blank=True)

    # The workflow.
    submitted_at = models.DateTimeField(null=True, blank=True)
    questions = models.TextField(blank=True, help_text="The IOM team's questions when it returns a referral.")
    panel_date = models.DateField(null=True, blank=True)
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    to_be_ratified = models.BooleanField(default=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("screen_referral", "Screen, return and list referrals (the IOM team)"),
            ("decide_referral", "Decide referrals (a panel chair)"),
            ("change_selectioncriterion_weights", "Change the selection matrix"),
        ]
        indexes = [
            models.Index(fields=["status", "-score"], name="referral_status_score"),
            models.Index(fields=["nominal", "status"], name="referral_nominal_status"),
        ]
        constraints = [
            # "A nominal with a referral in progress cannot be referred again", held by the database too.
            models.UniqueConstraint(
                fields=["nominal"],
                condition=Q(status__in=["submitted", "returned", "screened", "listed", "deferred"]),
                name="one_referral_in_progress_per_nominal",
            ),
            models.CheckConstraint(
                condition=Q(ogrs_percent__isnull=True) | Q(ogrs_percent__lte=100), name="referral_ogrs_is_a_percentage"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_y2a(self) -> bool:
        return self.kind == self.Kind.Y2A


class ReferralOffence(models.Model):
    """One line of the offending history summary: an offence type and when."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="offences")
    offence_type = models.CharField(max_length=20, choices=OffenceType.choices)
    committed_on = models.DateField()
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-committed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_offence_type_display()} on {self.committed_on}"


class ReferralNeed(models.Model):
    """A pathway need the referrer identified; on submit it becomes an item on the person's record."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="needs")
    pathway = models.CharField(max_length=20, choices=Pathway.choices)
    level = models.CharField(max_length=10, choices=PathwayNeed.Level.choices)
    note = models.TextField(blank=True)
    item = models.OneToOneField(RecordedItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["pathway"]
        constraints = [models.UniqueConstraint(fields=["referral", "pathway"], name="one_need_per_pathway")]

    def __str__(self) -> str:
        return f"{self.get_pathway_display()}: {self.get_level_display()}"


class ReferralActivity(models.Model):
    """The referral's timeline: each transition with who and when. Append-only in practice; the
    change history (pghistory) keeps every field change besides."""

    class Action(models.TextChoices):
        CREATED = "created", "Draft started"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned to the referrer with questions"
        RESUBMITTED = "resubmitted", "Answered and resubmitted"
        SCREENED = "screened", "Screened"
        LISTED = "listed", "Listed for panel"
        DECIDED = "decided", "Decided"
        RATIFIED = "ratified", "Urgent decision ratified"
        WITHDRAWN = "withdrawn", "Withdrawn"
        RESCORED = "rescored", "Re-scored after a change to the selection matrix"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="activities")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=12, choices=Referral.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Referral.Status.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"


@pghistory.track()
class ReferralDecision(models.Model):
    """The panel's decision on a referral (or a panel chair's, for an urgent referral outside a
    meeting, which the next panel ratifies). A referral has at most one final decision."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted onto IOM"
        REJECTED = "rejected", "Rejected"
        DEFERRED = "deferred", "Deferred for more information"
        REDIRECTED = "redirected", "Redirected to MAPPA"

    class Ratification(models.TextChoices):
        NOT_NEEDED = "", "Not needed"
        TO_BE_RATIFIED = "pending", "To be ratified"
        RATIFIED = "ratified", "Ratified"

    FINAL_OUTCOMES = (Outcome.ACCEPTED, Outcome.REJECTED, Outcome.REDIRECTED)

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    rationale = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    ratification = models.CharField(max_length=10, choices=Ratification.choices, blank=True)
    ratified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ratified_at = models.DateTimeField(null=True, blank=True)

    # On accept: how the person will be managed.
    strand = models.CharField(max_length=10, choices=Strand.choices, blank=True)
    level = models.ForeignKey(ManagementLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rag = models.ForeignKey(RagRating, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rag_rationale = models.TextField(blank=True)
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    police_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    mappa_level = models.CharField(
        max_length=1,
        choices=[("", "Not combined with MAPPA"), ("2", "MAPPA level 2"), ("3", "MAPPA level 3")],
        blank=True,
    )
    membership = models.OneToOneField(
        CohortMembership, on_delete=models.PROTECT, null=True, blank=True, related_name="referral_decision"
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(outcome__in=["accepted", "rejected", "redirected"]),
                name="one_final_decision_per_referral",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="accepted")
                | (
                    ~Q(strand="")
                    & Q(level__isnull=False)
                    & Q(rag__isnull=False)
                    & Q(lead_professional__isnull=False)
                    & Q(police_lead__isnull=False)
                ),
                name="accept_decision_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.decided_at:%-d %B %Y}"


# --- The selection matrix ---------------------------------------------------------------------------


class SelectionCriterion(models.Model):
    """One weighted criterion of the selection matrix. Its measure turns a referral's facts into
    points (referrals/scoring.py); the score is the sum of points x weight."""

    class Measure(models.TextChoices):
        OGRS_BAND = "ogrs_band", "OGRS band"
        NEIGHBOURHOOD_CRIME_COUNT = "nc_count", "Number of neighbourhood-crime offences"
        NEIGHBOURHOOD_CRIME_RECENCY = "nc_recency", "Recency of neighbourhood-crime offending"
        RISK_OF_SERIOUS_HARM = "rosh", "Risk of serious harm"
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse flag"
        PCC_PRIORITY = "pcc_priority", "Police and crime commissioner priority flags"
        CUSTODY_RELEASE = "custody_release", "Release from custody soon"

    name = models.CharField(max_length=100, unique=True)
    measure = models.CharField(max_length=20, choices=Measure.choices)
    weight = models.DecimalField(max_digits=5, decimal_places=2)
    window_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="For offence counts: count offences in this many days. For release: within this many days.",
    )
    cap = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The most points the measure gives.")
    description = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.CheckConstraint(condition=Q(weight__gte=0), name="weight_not_negative")]

    def __str__(self) -> str:
        return self.name


class SelectionMatrixVersion(models.Model):
    """A snapshot of the criteria in force, so any score can be reproduced from what was stored."""

    number = models.PositiveIntegerField(unique=True)
    criteria = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Selection matrix version {self.number}"


class ReferralScore(models.Model):
    """A referral's score under one version of the matrix, with the inputs it used and each
    criterion's contribution. A re-score adds a row; old rows stay as the score's history."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="scores")
    matrix = models.ForeignKey(SelectionMatrixVersion, on_delete=models.PROTECT, related_name="scores")
    total = models.DecimalField(max_digits=7, decimal_places=2)
    inputs = models.JSONField()
    explanation = models.JSONField()
    computed_at = models.DateTimeField(auto_now_add=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["referral"], condition=Q(is_current=True), name="one_current_score")
        ]

    def __str__(self) -> str:
        return f"{self.total} ({self.matrix})"
