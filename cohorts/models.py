"""The nominal and everything recorded about them.

Every piece of case information is a RecordedItem: it has an owning agency and a data category,
and the sharing rules (cohorts/access.py) decide who sees it. A feature with richer data of its
own (a contact, an intervention, a pathway need) hangs a typed model off the item with a
one-to-one key, so the same rules cover it without a rule of its own.
"""

from __future__ import annotations

from typing import Any

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cohorts.names import name_key
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

    # Phonetic keys (cohorts/names.py) find "Jon Smyth" when "John Smith" is typed.
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


class AccessEvent(models.Model):
    """Who saw what, when, under which agreement, and why (Data Protection Act 2018, s.62).
    Append-only: the application's role may only insert (iom/database.py). Each row is hash-chained to
    the one before by a database trigger, so a row changed, removed or moved by the tables' owner
    shows (cohorts/audit_chain.py)."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed the record"
        VIEW_SENSITIVE = "view_sensitive", "Viewed sensitive items"
        SEARCH = "search", "Searched"
        EXPORT = "export", "Exported"
        DISCLOSURE = "disclosure", "Disclosed"
        # Asked for a record outside their scope (answered 404 or neutrally), or locked out of sign-in.
        REFUSED = "refused", "Refused"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_events")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="access_events")
    action = models.CharField(max_length=20, choices=Action.choices)
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, null=True, blank=True, related_name="access_events")
    nominal_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    categories = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    allowed_by = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    query = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=500, blank=True)
    # Set by the trigger under a lock, whatever the insert says: the row's place in the chain, and
    # sha256 over the previous row's hash and this row's content (cohorts/audit_chain.py).
    chain_position = models.BigIntegerField(unique=True, null=True, editable=False)
    chain_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["nominal", "-at"], name="access_by_nominal"),
            models.Index(fields=["agency", "-at"], name="access_by_agency"),
            # One user's refusals in the last minutes, counted after each (cohorts/refusals.py).
            models.Index(fields=["user", "-at"], condition=Q(action="refused"), name="access_refused_by_user"),
        ]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()}"


class AccessLogCheckpoint(models.Model):
    """One check of the access log's hash chain (nightly, or `manage.py audit_verify`): how far it
    reached, the hash there, and whether the chain held. An intact check's head is checked again by
    every later one, so rows removed from the end of the log show too. Append-only, like the log."""

    at = models.DateTimeField(auto_now_add=True)
    rows = models.BigIntegerField()
    head_position = models.BigIntegerField(null=True)
    head_hash = models.CharField(max_length=64, blank=True)
    intact = models.BooleanField()
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'intact' if self.intact else 'BROKEN'} to {self.head_position}"


# --- The cohort: how people on IOM are managed (configurable lists, memberships, RAG, assignments) ---


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


# --- Supervisor reviews and custody events: each is an item, so the sharing rules cover it ---


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


# --- The management report: the plan by pathway, interventions, contacts, enforcement -----------------
# Each is an item (RecordedItem) with a typed model hung off it, so the sharing rules cover it. A
# decision with its rationale is an item of kind DECISION (summary: the decision; detail: the rationale).


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


# --- GPS tagging: tag periods and location hits, intelligence items ----------------------------------


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


# --- Transition plans: scaling support back as a licence ends -----------------------------------------


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


# --- Deselection and deregistration: leaving IOM, proposed and ratified -------------------------------


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
