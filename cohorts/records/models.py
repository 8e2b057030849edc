"""The nominal and everything recorded about them.

Every piece of case information is a RecordedItem: it has an owning agency and a data category,
and the sharing rules (cohorts/access.py) decide who sees it. A feature with richer data of its
own (a contact, an intervention, a pathway need) hangs a typed model off the item with a
one-to-one key, so the same rules cover it without a rule of its own.
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cohorts.records.names import name_key
from sharing.models import Agency, DataCategory


class Pathway(models.TextChoices):
    """The seven reducing-reoffending pathways."""

    ACCOMMODATION = "accommodation", "Accommodation"
    EDUCATION_TRAINING_EMPLOYMENT = "ete", "Education, training and employment"
    HEALTH = "health", "Health"
    DRUGS_AND_ALCOHOL = "drugs_alcohol", "Drugs and alcohol"
    FINANCE_BENEFIT_DEBT = "finance", "Finance, benefit and debt"
    CHILDREN_AND_FAMILIES = "family", "Children and families"
    ATTITUDES_THINKING_BEHAVIOUR = "attitudes", "Attitudes, thinking and behaviour"


class OffenceType(models.TextChoices):
    """Offence types as IOM uses them: the first four are neighbourhood crime (the Fixed strand)."""

    BURGLARY = "burglary", "Burglary"
    ROBBERY = "robbery", "Robbery"
    VEHICLE_CRIME = "vehicle", "Vehicle crime"
    THEFT = "theft", "Theft (other than shoplifting)"
    SHOPLIFTING = "shoplifting", "Shoplifting"
    VIOLENCE = "violence", "Violence against the person"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    KNIFE_CRIME = "knife", "Knife or weapon offence"
    DRUGS = "drugs", "Drug offence"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage"
    SEXUAL = "sexual", "Sexual offence"
    OTHER = "other", "Other"


NEIGHBOURHOOD_CRIME = frozenset(
    {OffenceType.BURGLARY, OffenceType.ROBBERY, OffenceType.VEHICLE_CRIME, OffenceType.THEFT}
)


# Which data category a need on each pathway is recorded under (so its sharing follows that category).
PATHWAY_CATEGORY = {
    Pathway.ACCOMMODATION: "accommodation",
    Pathway.EDUCATION_TRAINING_EMPLOYMENT: "offending-risk",
    Pathway.HEALTH: "health",
    Pathway.DRUGS_AND_ALCOHOL: "substance-misuse",
    Pathway.FINANCE_BENEFIT_DEBT: "finance",
    Pathway.CHILDREN_AND_FAMILIES: "family",
    Pathway.ATTITUDES_THINKING_BEHAVIOUR: "offending-risk",
}


class NamedListEntry(models.Model):
    """A local, configurable list (areas and partnerships differ in every force)."""

    name = models.CharField(max_length=100, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PolicingArea(NamedListEntry):
    """A neighbourhood policing area."""


class CommunitySafetyPartnership(NamedListEntry):
    """A community safety partnership (usually one per local authority district)."""


@pghistory.track()
class Nominal(models.Model):
    """A person managed, or considered, for IOM. Identity fields show to every agency that may see
    the person; the offending and risk fields follow the sharing rules like an item would."""

    class Gender(models.TextChoices):
        MALE = "male", "Male"
        FEMALE = "female", "Female"
        OTHER = "other", "Other"
        NOT_KNOWN = "not_known", "Not known"

    class StatutoryStatus(models.TextChoices):
        LICENCE = "licence", "On licence"
        COMMUNITY_ORDER = "community_order", "Community order"
        POST_SENTENCE_SUPERVISION = "pss", "Post-sentence supervision"
        NONE = "none", "None"

    class CustodyStatus(models.TextChoices):
        COMMUNITY = "community", "In the community"
        CUSTODY = "custody", "In custody"
        UNLAWFULLY_AT_LARGE = "ual", "Unlawfully at large"

    class MappaCategory(models.TextChoices):
        NONE = "", "Not MAPPA"
        CATEGORY_1 = "1", "Category 1"
        CATEGORY_2 = "2", "Category 2"
        CATEGORY_3 = "3", "Category 3"
        CATEGORY_4 = "4", "Category 4"

    class MappaLevel(models.TextChoices):
        NONE = "", "Not MAPPA"
        LEVEL_1 = "1", "Level 1"
        LEVEL_2 = "2", "Level 2"
        LEVEL_3 = "3", "Level 3"

    class RiskOfSeriousHarm(models.TextChoices):
        NOT_ASSESSED = "", "Not assessed"
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        VERY_HIGH = "very_high", "Very high"

    # Identity: shown to every agency with a reason to see the person.
    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.NOT_KNOWN)
    nationality = models.CharField(max_length=100, blank=True)
    pnc_id = models.CharField("PNC ID", max_length=13, unique=True, null=True, blank=True)
    crn = models.CharField("CRN", max_length=7, unique=True, null=True, blank=True)
    prison_number = models.CharField(max_length=7, unique=True, null=True, blank=True)
    policing_area = models.ForeignKey(PolicingArea, on_delete=models.PROTECT, null=True, blank=True)
    community_safety_partnership = models.ForeignKey(
        CommunitySafetyPartnership, on_delete=models.PROTECT, null=True, blank=True
    )
    custody_status = models.CharField(max_length=10, choices=CustodyStatus.choices, default=CustodyStatus.COMMUNITY)

    # Offending and risk: shared under the "offending-risk" category of an agreement.
    statutory_status = models.CharField(max_length=20, choices=StatutoryStatus.choices, default=StatutoryStatus.NONE)
    sentence_ends_on = models.DateField(null=True, blank=True)
    licence_ends_on = models.DateField(null=True, blank=True)
    mappa_category = models.CharField(max_length=1, choices=MappaCategory.choices, blank=True)
    mappa_level = models.CharField(max_length=1, choices=MappaLevel.choices, blank=True)
    ogrs_percent = models.PositiveSmallIntegerField(
        "OGRS (%)", null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    risk_of_serious_harm = models.CharField(max_length=10, choices=RiskOfSeriousHarm.choices, blank=True)

    # Phonetic keys (cohorts/records/names.py) find "Jon Smyth" when "John Smith" is typed.
    first_name_key = models.CharField(max_length=40, editable=False, default="")
    last_name_key = models.CharField(max_length=40, editable=False, default="")

    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="recorded_nominals")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A second record of someone recorded already, merged into that one by the IOM team:
    # everything about them has moved there, and this record's address leads there.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_records"
    )

    # The editable fields in each sharing group: identity shows to every agency that sees the person.
    IDENTITY_FIELDS = (
        "first_name",
        "middle_names",
        "last_name",
        "date_of_birth",
        "gender",
        "nationality",
        "pnc_id",
        "crn",
        "prison_number",
        "policing_area",
        "community_safety_partnership",
        "custody_status",
    )
    OFFENDING_AND_RISK_FIELDS = (
        "statutory_status",
        "sentence_ends_on",
        "licence_ends_on",
        "mappa_category",
        "mappa_level",
        "ogrs_percent",
        "risk_of_serious_harm",
    )
    OFFENDING_AND_RISK_CATEGORY = "offending-risk"

    class Meta:
        ordering = ["last_name", "first_name", "date_of_birth"]
        default_permissions = ("add", "change", "delete", "view")
        indexes = [
            models.Index(fields=["last_name_key", "first_name_key"], name="nominal_sounds_like"),
            models.Index(Upper("last_name"), name="nominal_last_name_upper"),
            models.Index(fields=["date_of_birth"], name="nominal_date_of_birth"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ogrs_percent__isnull=True) | Q(ogrs_percent__lte=100), name="ogrs_is_a_percentage"
            ),
            models.CheckConstraint(
                condition=Q(mappa_level="") | ~Q(mappa_category=""), name="mappa_level_needs_a_category"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.first_name_key, self.last_name_key = name_key(self.first_name), name_key(self.last_name)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.middle_names, self.last_name) if part)


@pghistory.track()
class NominalAlias(models.Model):
    """Another name (and sometimes date of birth) the person is known by; searched like the name."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="aliases")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    first_name_key = models.CharField(max_length=40, editable=False, default="")
    last_name_key = models.CharField(max_length=40, editable=False, default="")

    class Meta:
        verbose_name_plural = "nominal aliases"
        indexes = [models.Index(fields=["last_name_key", "first_name_key"], name="alias_sounds_like")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.first_name_key, self.last_name_key = name_key(self.first_name), name_key(self.last_name)
        super().save(*args, **kwargs)


@pghistory.track()
class CaseInvolvement(models.Model):
    """Why an agency is involved with a person in its own right: it recorded or referred them, or
    it holds a role in their case. Each is a reason for the agency to see the person."""

    class Reason(models.TextChoices):
        RECORDED = "recorded", "Recorded the person"
        REFERRED = "referred", "Referred the person"
        REFERRAL_RECEIVED = "referral_received", "Received a referral to IOM (the IOM team)"
        LEAD_PROFESSIONAL = "lead_professional", "Lead professional"
        POLICE_LEAD = "police_lead", "IOM police lead officer"
        KEY_WORKER = "key_worker", "Key worker"
        TEAM = "team", "Managing team"
        SHARED_AFTER_CHECK = "shared_after_check", "Shared by the IOM team after a duplicate check"

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="involvements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["nominal", "agency", "reason"],
                condition=Q(ended_on__isnull=True),
                name="one_open_involvement_per_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.get_reason_display()}"


@pghistory.track()
class Consent(models.Model):
    """A person's consent to share, or its withdrawal: for one agency or all, one category or all.
    The most recent record that applies decides."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="consents")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, help_text="Leave empty for every agency."
    )
    category = models.ForeignKey(
        DataCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Leave empty for every category.",
    )
    given = models.BooleanField(help_text="Yes: consent given. No: consent refused or withdrawn.")
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_on", "-recorded_at"]

    def __str__(self) -> str:
        given = "given" if self.given else "withdrawn"
        return f"Consent {given} on {self.recorded_on}"


@pghistory.track()
class RecordedItem(models.Model):
    """One piece of case information, owned by an agency and about one data category."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        ASSESSMENT = "assessment", "Assessment"
        CONTACT = "contact", "Contact"
        INTERVENTION = "intervention", "Intervention"
        INTELLIGENCE = "intelligence", "Intelligence"
        EVENT = "event", "Event"
        NEED = "need", "Pathway need"
        REVIEW = "review", "Supervisor review"
        PLAN_ACTION = "plan_action", "Plan action"
        DECISION = "decision", "Decision"
        ENFORCEMENT = "enforcement", "Enforcement action"
        TAG = "tag", "GPS tag"
        TAG_HIT = "tag_hit", "GPS tag location hit"

    # The kinds recorded as an item alone. The others come with a record of their own (a custody
    # event, a review, a plan action, a tag ...) through their own page and service: recorded here
    # alone, an "event" would be an arrest the events panel does not know.
    PLAIN_KINDS = ("note", "assessment", "contact", "intervention", "intelligence")

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="items")
    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="items")
    category = models.ForeignKey(DataCategory, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    occurred_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurred_on", "-recorded_at"]
        indexes = [
            models.Index(fields=["nominal", "owning_agency", "category"], name="item_sharing_lookup"),
            # A person's latest supervisor review, for the review due date of every row of the cohort list.
            models.Index(
                fields=["nominal", "-occurred_on"], condition=Q(kind="review"), name="item_reviews_by_nominal"
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def is_plain(self) -> bool:
        """Recorded, and changed, as an item alone (the item pages), not through a record of its own."""
        return self.kind in self.PLAIN_KINDS


@pghistory.track()
class PathwayNeed(models.Model):
    """The person's need on one pathway, as an item (its category follows the pathway)."""

    class Level(models.TextChoices):
        NONE = "none", "No need"
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    item = models.OneToOneField(RecordedItem, on_delete=models.CASCADE, related_name="pathway_need")
    pathway = models.CharField(max_length=20, choices=Pathway.choices)
    level = models.CharField(max_length=10, choices=Level.choices)

    def __str__(self) -> str:
        return f"{self.get_pathway_display()}: {self.get_level_display()}"


class NominalGroupObjectPermission(GroupObjectPermissionBase):
    """The materialised sharing grants: agency group x nominal (django-guardian, direct key)."""

    content_object = models.ForeignKey(Nominal, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False  # its unique (group, permission, content_object) index serves the lookups


class NominalUserObjectPermission(UserObjectPermissionBase):
    """Per-user grants on a nominal; unused by the sharing rules, which grant agencies, but
    django-guardian looks for the pair."""

    content_object = models.ForeignKey(Nominal, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False
