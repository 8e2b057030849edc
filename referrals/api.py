"""The referrals API (/api/v1/referrals/, /api/v1/selection-criteria/). Thin, like the pages: each
endpoint calls the selectors and services the referral pages call, so every rule lives in one place.

A referral the caller may not see (its person is out of the agency's scope, or it is someone else's
draft) is 404, the same as one that does not exist. Its content (why now, criteria, offending,
risk, needs, score, the decision's reasons) is the referring agency's offending and risk
information: another agency reads it only where an agreement shares that category, and otherwise
the referral says "content_restricted": true and leaves those fields out.

Refusals are the services' domain errors, answered as problem details by the one exception handler
(sharing/error_policy.py): a role that may not act is 403, field errors 400, the referral's state refusing
the action or a save over someone else's newer save 409.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.access import current_memberships
from cohorts.management.models import ManagementLevel, PriorityCohort, RagRating, Strand
from cohorts.records.api import NamedEntrySerializer, request_user
from cohorts.records.models import PATHWAY_CATEGORY, Nominal, Pathway
from cohorts.records.selectors import nominal_get_for_user
from cohorts.records.services import nominal_search_log, nominal_view_log
from referrals import eligibility, permissions
from referrals.dates import Y2AMilestones, y2a_milestones
from referrals.eligibility import Outcome as EligibilityOutcome
from referrals.models import (
    Referral,
    ReferralActivity,
    ReferralDecision,
    ReferralNeed,
    ReferralOffence,
    ReferralScore,
    SelectionCriterion,
)
from referrals.selectors import (
    SORTS,
    ReferralFilters,
    eighteenth_birthday_countdown,
    referral_get_for_user,
    referral_list,
    referral_needs_for_user,
    referrals_visible_to,
)
from referrals.services import (
    SECTION_FIELDS,
    SECTIONS,
    AcceptTerms,
    matrix_current,
    open_referral_of,
    referral_decide,
    referral_facts,
    referral_list_for_panel,
    referral_ratify,
    referral_return,
    referral_screen,
    referral_section_save,
    referral_start,
    referral_submit,
    referral_withdraw,
    score_preview,
    sections_for,
    selection_criterion_update,
)
from sharing.errors import Invalid
from sharing.models import User
from sharing.pagination import ListPagination
from sharing.roles import is_iom_team, may_refer
from ui.dates import ApiDateField

NOT_FOUND = OpenApiResponse(description="No such referral, or not one you may see.")
FORBIDDEN = OpenApiResponse(description="Your role does not allow this action (not-permitted): the detail says why.")
REFUSED = OpenApiResponse(description="The referral's state refuses the action (wrong-state): the detail says why.")
STALE = OpenApiResponse(
    description="Someone else changed the referral first (stale-version): reload it and try again; or its state "
    "refuses the action (wrong-state)."
)

# What a referral shows only where its content is visible: the referring agency's offending and risk
# information (referrals/selectors.py, referrals_visible_to).
CONTENT_FIELDS = (
    "why_now",
    "criteria",
    "strand",
    "proposed_level",
    "priority_cohorts",
    "offences",
    *SECTION_FIELDS["risk"],
    "needs",
    "needs_withheld",
    "urgency_reason",
    *SECTION_FIELDS["y2a"],
    "questions",
    "score",
    "eligibility",
)
DECISION_CONTENT_FIELDS = ("rationale", "strand", "level", "rag", "rag_rationale", "mappa_level")
DECISION_MAPPA_LEVELS = [("", "Not combined with MAPPA"), ("2", "MAPPA level 2"), ("3", "MAPPA level 3")]


def _real_date(label: str) -> dict[str, Any]:
    return {"invalid": f"The {label} must be a real date, in the format YYYY-MM-DD"}


# --- One named enum per choice set --------------------------------------------------------------------


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choices are one named enum in the schema wherever it appears: the
    referral's status and kind share their field names with other choice sets in the API (an
    agreement's status, an agency's kind), which the schema generator cannot name by itself."""

    def __init__(self, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        field: NamedChoiceField = self.target
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={
                "type": "string",
                "enum": list(field.choices),
                "description": "\n".join(f"* `{value}` - {label}" for value, label in field.choices.items()),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def _status_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(enum_name="ReferralStatusEnum", choices=Referral.Status.choices, **kwargs)


def _timeline_status_field(**kwargs: Any) -> NamedChoiceField:
    """A status on the timeline: blank where there was none (the draft's start)."""
    choices = [("", "None"), *Referral.Status.choices]
    return NamedChoiceField(enum_name="ReferralTimelineStatusEnum", choices=choices, allow_blank=True, **kwargs)


def _kind_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(enum_name="ReferralKindEnum", choices=Referral.Kind.choices, **kwargs)


def _decision_mappa_level_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(enum_name="CombinedMappaLevelEnum", choices=DECISION_MAPPA_LEVELS, **kwargs)


# --- What a referral shows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreShown:
    """The referral's current stored score, or a draft's preview (not stored)."""

    total: Decimal
    matrix_version: int
    computed_at: datetime.datetime | None
    preview: bool
    explanation: list[dict[str, Any]]


@dataclass(frozen=True)
class ReferralRecord:
    """A referral as one user may see it; its content only where the sharing rules allow."""

    referral: Referral
    content_visible: bool
    score: ScoreShown | None
    eligibility: list[EligibilityOutcome]
    milestones: Y2AMilestones | None
    needs: list[ReferralNeed] = field(default_factory=list)  # those the user may read, as the page shows them
    needs_withheld: int = 0

    @property
    def sections(self) -> list[dict[str, Any]]:
        done = set(self.referral.sections_done)
        return [
            {"code": section.code, "title": section.title, "done": section.code in done}
            for section in sections_for(self.referral)
        ]


def _score_shown(referral: Referral) -> ScoreShown | None:
    current = ReferralScore.objects.filter(referral=referral, is_current=True).select_related("matrix").first()
    if current is not None:
        return ScoreShown(current.total, current.matrix.number, current.computed_at, False, current.explanation)
    if referral.status != Referral.Status.DRAFT:
        return None
    preview = score_preview(referral)
    lines = [line.to_json() for line in preview.contributions]
    return ScoreShown(preview.total, matrix_current().number, None, True, lines)


def referral_record(referral: Referral, user: User) -> ReferralRecord:
    """What the referral endpoint shows (the referral as referral_get_for_user fetched it for the
    caller, content_visible annotated), its content computed only where it is visible, its needs
    only those the caller may read (referral_needs_for_user: the page's rule)."""
    visible = bool(getattr(referral, "content_visible", False))
    milestones = (
        y2a_milestones(referral.nominal.date_of_birth)
        if referral.is_y2a and eighteenth_birthday_countdown(referral)
        else None
    )
    if not visible:
        return ReferralRecord(referral, False, None, [], milestones)
    # The rules as they stand today, for a referral still open; a decided one has nothing to check.
    outcomes = eligibility.check_eligibility(referral_facts(referral)) if referral.is_open else []
    needs, withheld = referral_needs_for_user(user, referral, content_visible=True)
    return ReferralRecord(referral, True, _score_shown(referral), outcomes, milestones, needs, withheld)


# --- Serializers -----------------------------------------------------------------------------------


class ReferralPersonSerializer(serializers.Serializer):
    """The person referred: their id (for /api/v1/people/{id}/) and name."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="full_name", read_only=True)


class ReferralWorkerSerializer(serializers.Serializer):
    """A named worker: a lead professional or IOM police lead officer."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)
    agency = serializers.CharField(source="agency.name", read_only=True)


class ReferralOffenceSerializer(serializers.ModelSerializer):
    """One line of the offending history summary."""

    committed_on = ApiDateField(error_messages=_real_date("offence date"))
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    class Meta:
        model = ReferralOffence
        fields = ["offence_type", "committed_on", "description"]


class ReferralNeedSerializer(serializers.ModelSerializer):
    """A pathway need the referrer identified."""

    note = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = ReferralNeed
        fields = ["pathway", "level", "note"]


class ReferralScoreLineSerializer(serializers.Serializer):
    """One criterion's contribution to the score: what it found, its points and weight."""

    criterion = serializers.CharField(read_only=True)
    measure = serializers.CharField(read_only=True)
    finding = serializers.CharField(read_only=True)
    points = serializers.IntegerField(read_only=True)
    weight = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
    contribution = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)


class ReferralScoreSerializer(serializers.Serializer):
    """The selection matrix score; the contributions sum to the total."""

    total = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
    matrix_version = serializers.IntegerField(read_only=True, help_text="The selection matrix version it used.")
    computed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    preview = serializers.BooleanField(
        read_only=True, help_text="true: a draft's score as it would be now, not stored."
    )
    explanation = ReferralScoreLineSerializer(many=True, read_only=True)


class EligibilityOutcomeSerializer(serializers.Serializer):
    """One eligibility rule and whether the referral meets it."""

    code = serializers.CharField(source="rule.code", read_only=True)
    name = serializers.CharField(source="rule.name", read_only=True)
    met = serializers.BooleanField(read_only=True, help_text="False while the rule cannot be checked yet, too.")
    message = serializers.CharField(source="problem", read_only=True, allow_null=True, help_text="Why not, if not met.")
    waiting = serializers.CharField(
        read_only=True, allow_null=True, help_text="What the referral must say before the rule can be checked."
    )


class Y2AMilestonesSerializer(serializers.Serializer):
    """The youth-to-adult countdown."""

    consider_transfer = serializers.DateField(read_only=True, help_text="17 years 6 months: transfer considered.")
    start_liaison = serializers.DateField(
        read_only=True, help_text="17 years 9 months: IOM liaison with the youth offending team starts."
    )
    eighteenth_birthday = serializers.DateField(read_only=True, help_text="IOM takes over.")


class ReferralSectionStateSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    done = serializers.BooleanField(read_only=True)


class ReferralActivitySerializer(serializers.ModelSerializer):
    """One move on the referral's timeline."""

    action_name = serializers.CharField(source="get_action_display", read_only=True)
    from_status = _timeline_status_field(read_only=True)
    to_status = _timeline_status_field(read_only=True)
    by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True, allow_null=True)
    agency = serializers.CharField(source="by.agency.name", read_only=True, allow_null=True)
    note = serializers.CharField(required=False, help_text="Only where the referral's content is visible.")

    class Meta:
        model = ReferralActivity
        fields = ["action", "action_name", "from_status", "to_status", "by", "agency", "at", "note"]
        read_only_fields = ["action", "at"]


class ReferralDecisionSerializer(serializers.Serializer):
    """A panel's (or, for an urgent referral, a panel chair's) decision. Its reasons and the terms
    of an accept are offending and risk information: only where the referral's content is visible."""

    id = serializers.IntegerField(read_only=True)
    outcome = serializers.ChoiceField(choices=ReferralDecision.Outcome.choices, read_only=True)
    outcome_name = serializers.CharField(source="get_outcome_display", read_only=True)
    decided_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True)
    outside_meeting = serializers.SerializerMethodField()
    ratification = serializers.ChoiceField(choices=ReferralDecision.Ratification.choices, read_only=True)
    ratified_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True, allow_null=True)
    ratified_at = serializers.DateTimeField(read_only=True, allow_null=True)
    lead_professional = ReferralWorkerSerializer(read_only=True, allow_null=True)
    police_lead = ReferralWorkerSerializer(read_only=True, allow_null=True)
    # Content: absent where the referral's content is not visible.
    rationale = serializers.CharField(required=False)
    strand = serializers.ChoiceField(choices=Strand.choices, required=False, allow_blank=True)
    level = serializers.SlugRelatedField(
        slug_field="code", queryset=ManagementLevel.objects.all(), required=False, allow_null=True
    )
    rag = serializers.SlugRelatedField(
        slug_field="code", queryset=RagRating.objects.all(), required=False, allow_null=True
    )
    rag_rationale = serializers.CharField(required=False, allow_blank=True)
    mappa_level = _decision_mappa_level_field(required=False)

    def get_outside_meeting(self, decision: ReferralDecision) -> bool:
        return bool(decision.ratification)


class ReferralSummarySerializer(serializers.ModelSerializer):
    """One referral in the list. The strand and score are the referral's content: null (and
    content_restricted true) where it is not visible to the caller."""

    url = serializers.SerializerMethodField()
    person = ReferralPersonSerializer(source="nominal", read_only=True)
    kind = _kind_field(read_only=True)
    status = _status_field(read_only=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True)
    referring_agency = NamedEntrySerializer(read_only=True)
    content_restricted = serializers.SerializerMethodField()
    strand = serializers.ChoiceField(choices=Strand.choices, read_only=True, allow_blank=True, allow_null=True)
    score = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "url",
            "person",
            "kind",
            "status",
            "status_name",
            "urgent",
            "referring_agency",
            "submitted_at",
            "panel_date",
            "to_be_ratified",
            "content_restricted",
            "strand",
            "score",
        ]
        read_only_fields = fields

    def get_url(self, referral: Referral) -> str:
        return _absolute(self.context.get("request"), reverse("api-referral-detail", args=[referral.pk]))

    def get_content_restricted(self, referral: Referral) -> bool:
        return not getattr(referral, "content_visible", False)

    def to_representation(self, instance: Referral) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if data["content_restricted"]:
            data["strand"] = data["score"] = None
        return data


class ReferralSerializer(serializers.Serializer):
    """A referral: its workflow (status, timeline, decisions) always; its content (why now, criteria,
    offending, risk, needs, score, eligibility) only where the caller's agency may read the referring
    agency's offending and risk information, else "content_restricted": true and those fields absent.
    The content fields have the shapes the section endpoint takes."""

    id = serializers.IntegerField(source="referral.pk", read_only=True)
    reference = serializers.CharField(source="referral.reference", read_only=True)
    url = serializers.SerializerMethodField()
    person = ReferralPersonSerializer(source="referral.nominal", read_only=True)
    kind = _kind_field(source="referral.kind", read_only=True)
    status = _status_field(source="referral.status", read_only=True)
    status_name = serializers.CharField(source="referral.get_status_display", read_only=True)
    urgent = serializers.BooleanField(source="referral.urgent", read_only=True, allow_null=True)
    referring_agency = NamedEntrySerializer(source="referral.referring_agency", read_only=True)
    referred_by = serializers.CharField(source="referral.referred_by", read_only=True)
    created_at = serializers.DateTimeField(source="referral.created_at", read_only=True)
    updated_at = serializers.DateTimeField(source="referral.updated_at", read_only=True)
    submitted_at = serializers.DateTimeField(source="referral.submitted_at", read_only=True, allow_null=True)
    panel_date = serializers.DateField(source="referral.panel_date", read_only=True, allow_null=True)
    to_be_ratified = serializers.BooleanField(source="referral.to_be_ratified", read_only=True)
    version = serializers.IntegerField(
        source="referral.version", read_only=True, help_text="Send it back with a section, to refuse a stale save."
    )
    sections = ReferralSectionStateSerializer(many=True, read_only=True, help_text="The task list.")
    content_restricted = serializers.SerializerMethodField()
    y2a_milestones = Y2AMilestonesSerializer(
        source="milestones", read_only=True, allow_null=True, help_text="For a Y2A referral before the 18th birthday."
    )
    decisions = ReferralDecisionSerializer(source="referral.decisions", many=True, read_only=True)
    activities = ReferralActivitySerializer(source="referral.activities", many=True, read_only=True)
    # Content: absent where content_restricted.
    why_now = serializers.CharField(source="referral.why_now", required=False)
    criteria = serializers.ListField(
        source="referral.criteria", child=serializers.ChoiceField(choices=Referral.Criterion.choices), required=False
    )
    strand = serializers.ChoiceField(source="referral.strand", choices=Strand.choices, required=False, allow_blank=True)
    proposed_level = serializers.SlugRelatedField(
        source="referral.proposed_level",
        slug_field="code",
        queryset=ManagementLevel.objects.all(),
        required=False,
        allow_null=True,
    )
    priority_cohorts = serializers.SlugRelatedField(
        source="referral.priority_cohorts",
        slug_field="code",
        queryset=PriorityCohort.objects.all(),
        many=True,
        required=False,
    )
    offences = ReferralOffenceSerializer(source="referral.offences", many=True, required=False)
    statutory_status = serializers.ChoiceField(
        source="referral.statutory_status",
        choices=Nominal.StatutoryStatus.choices,
        required=False,
        allow_blank=True,
    )
    ogrs_percent = serializers.IntegerField(source="referral.ogrs_percent", required=False, allow_null=True)
    risk_of_serious_harm = serializers.ChoiceField(
        source="referral.risk_of_serious_harm",
        choices=Nominal.RiskOfSeriousHarm.choices,
        required=False,
        allow_blank=True,
    )
    mappa_category = serializers.ChoiceField(
        source="referral.mappa_category", choices=Nominal.MappaCategory.choices, required=False, allow_blank=True
    )
    mappa_level = serializers.ChoiceField(
        source="referral.mappa_level", choices=Nominal.MappaLevel.choices, required=False, allow_blank=True
    )
    release_expected_on = ApiDateField(source="referral.release_expected_on", required=False, allow_null=True)
    needs = ReferralNeedSerializer(
        many=True, required=False, help_text="The needs you may read: each is shared by its pathway's category."
    )
    needs_withheld = serializers.IntegerField(
        read_only=True, required=False, help_text="How many of its needs are not shared with your agency."
    )
    urgency_reason = serializers.CharField(source="referral.urgency_reason", required=False)
    management_passed_to_probation = serializers.BooleanField(
        source="referral.management_passed_to_probation", required=False, allow_null=True
    )
    youth_order = serializers.ChoiceField(
        source="referral.youth_order", choices=Referral.YouthOrder.choices, required=False, allow_blank=True
    )
    order_ends_on = ApiDateField(source="referral.order_ends_on", required=False, allow_null=True)
    questions = serializers.CharField(
        source="referral.questions", required=False, help_text="The IOM team's questions when it returned the referral."
    )
    score = ReferralScoreSerializer(required=False, allow_null=True, help_text="Null for a referral never scored.")
    eligibility = EligibilityOutcomeSerializer(
        many=True, required=False, help_text="Each rule in force, for an open referral; empty once it is closed."
    )

    def get_url(self, record: ReferralRecord) -> str:
        return _absolute(self.context.get("request"), reverse("api-referral-detail", args=[record.referral.pk]))

    def get_content_restricted(self, record: ReferralRecord) -> bool:
        return not record.content_visible

    def to_representation(self, instance: ReferralRecord) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not instance.content_visible:
            for name in CONTENT_FIELDS:
                data.pop(name, None)
            for decision in data["decisions"]:
                for name in DECISION_CONTENT_FIELDS:
                    decision.pop(name, None)
            for activity in data["activities"]:
                activity.pop("note", None)
        return data


def _absolute(request: Request | None, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


# --- Requests ----------------------------------------------------------------------------------------


class ReferralFilterSerializer(serializers.Serializer):
    """The list's query parameters: the same filters as the referrals page (ReferralFilters)."""

    status = serializers.ListField(
        child=serializers.ChoiceField(choices=Referral.Status.choices), required=False, help_text="Repeatable."
    )
    strand = serializers.ListField(
        child=serializers.ChoiceField(choices=Strand.choices),
        required=False,
        help_text="Repeatable. Only referrals whose content you may read.",
    )
    urgent = serializers.BooleanField(required=False, allow_null=True, default=None)
    agency = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Referring agency id; repeatable."
    )
    min_score = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Only referrals whose content you may read, scoring at least this.",
    )
    to_be_ratified = serializers.BooleanField(
        required=False, default=False, help_text="Urgent decisions waiting for the next panel."
    )
    mine = serializers.BooleanField(required=False, default=False, help_text="Your and your team's referrals.")
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="A reference, or the start of a first or last name."
    )
    sort = serializers.ChoiceField(choices=sorted(SORTS), required=False, default="score")

    def to_filters(self) -> ReferralFilters:
        data = self.validated_data
        return ReferralFilters(
            statuses=tuple(data.get("status", ())),
            strands=tuple(data.get("strand", ())),
            urgent=data.get("urgent"),
            agency_ids=tuple(data.get("agency", ())),
            min_score=data.get("min_score"),
            to_be_ratified=data.get("to_be_ratified", False),
            mine=data.get("mine", False),
            query=data.get("q", ""),
        )


class ReferralStartSerializer(serializers.Serializer):
    """A draft referral of a person already recorded (search /api/v1/people/ or record them first)."""

    person = serializers.IntegerField(help_text="The person's id.")
    kind = _kind_field(default=Referral.Kind.ADULT)


class _ReferralSectionSerializer(serializers.Serializer):
    """A section of the task list: its fields replace what was saved; `version` is the referral's,
    as last read, so that a save over someone else's newer one is refused (409)."""

    version = serializers.IntegerField(help_text="The referral's version, as last read.")


class ReferralWhySectionSerializer(_ReferralSectionSerializer):
    why_now = serializers.CharField(required=False, allow_blank=True, default="")
    criteria = serializers.ListField(
        child=serializers.ChoiceField(choices=Referral.Criterion.choices), required=False, default=list
    )


class ReferralStrandSectionSerializer(_ReferralSectionSerializer):
    strand = serializers.ChoiceField(choices=Strand.choices, required=False, allow_blank=True, default="")
    proposed_level = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ManagementLevel.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="A management level's code, e.g. enhanced.",
    )
    priority_cohorts = serializers.SlugRelatedField(
        slug_field="code",
        queryset=PriorityCohort.objects.filter(is_active=True),
        many=True,
        required=False,
        help_text="Local priority cohorts' codes, e.g. domestic-abuse; none if left out.",
    )


class ReferralOffendingSectionSerializer(_ReferralSectionSerializer):
    offences = ReferralOffenceSerializer(many=True, required=False, default=list)


class ReferralRiskSectionSerializer(_ReferralSectionSerializer):
    statutory_status = serializers.ChoiceField(
        choices=Nominal.StatutoryStatus.choices, required=False, allow_blank=True, default=""
    )
    ogrs_percent = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        default=None,
        error_messages={
            "min_value": "OGRS must be a whole number from 0 to 100",
            "max_value": "OGRS must be a whole number from 0 to 100",
        },
    )
    risk_of_serious_harm = serializers.ChoiceField(
        choices=Nominal.RiskOfSeriousHarm.choices, required=False, allow_blank=True, default=""
    )
    mappa_category = serializers.ChoiceField(
        choices=Nominal.MappaCategory.choices, required=False, allow_blank=True, default=""
    )
    mappa_level = serializers.ChoiceField(
        choices=Nominal.MappaLevel.choices, required=False, allow_blank=True, default=""
    )
    release_expected_on = ApiDateField(
        required=False, allow_null=True, default=None, error_messages=_real_date("expected release date")
    )


class ReferralNeedsSectionSerializer(_ReferralSectionSerializer):
    needs = ReferralNeedSerializer(many=True, required=False, default=list)

    def validate_needs(self, needs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        pathways = [need["pathway"] for need in needs]
        if len(pathways) != len(set(pathways)):
            raise serializers.ValidationError("Give each pathway once")
        return needs


class ReferralUrgencySectionSerializer(_ReferralSectionSerializer):
    urgent = serializers.BooleanField(required=False, allow_null=True, default=None)
    urgency_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReferralY2ASectionSerializer(_ReferralSectionSerializer):
    management_passed_to_probation = serializers.BooleanField(required=False, allow_null=True, default=None)
    youth_order = serializers.ChoiceField(
        choices=Referral.YouthOrder.choices, required=False, allow_blank=True, default=""
    )
    order_ends_on = ApiDateField(
        required=False, allow_null=True, default=None, error_messages=_real_date("order end date")
    )


SECTION_SERIALIZERS: dict[str, type[_ReferralSectionSerializer]] = {
    "why": ReferralWhySectionSerializer,
    "strand": ReferralStrandSectionSerializer,
    "offending": ReferralOffendingSectionSerializer,
    "risk": ReferralRiskSectionSerializer,
    "needs": ReferralNeedsSectionSerializer,
    "urgency": ReferralUrgencySectionSerializer,
    "y2a": ReferralY2ASectionSerializer,
}


class ReferralScreenSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReferralReturnSerializer(serializers.Serializer):
    questions = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The IOM team's questions for the referrer."
    )


class ReferralListForPanelSerializer(serializers.Serializer):
    panel_date = ApiDateField(
        help_text="The date of a scheduled selection panel you may see (GET /api/v1/meetings/?kind=selection_panel).",
        error_messages={
            **_real_date("panel date"),
            "required": "Enter the panel date",
            "null": "Enter the panel date",
        },
    )


class ReferralRatifySerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReferralWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why it is withdrawn.")


def _user_not_found() -> dict[str, Any]:
    return {"does_not_exist": "No user found with that id", "incorrect_type": "Give the user's id"}


_ACCEPT_NEEDS = {
    "strand": "Select the strand",
    "level": "Select the level or team",
    "rag": "Select the initial RAG rating",
    "lead_professional": "Choose the lead professional",
    "police_lead": "Choose the IOM police lead officer",
}


class ReferralDecideSerializer(serializers.Serializer):
    """The decision. On accept, also the strand, level, initial RAG rating with its reason, and the
    leads: the person joins the cohort with them."""

    outcome = serializers.ChoiceField(choices=ReferralDecision.Outcome.choices)
    rationale = serializers.CharField(required=False, allow_blank=True, default="")
    outside_meeting = serializers.BooleanField(
        required=False, default=False, help_text="An urgent referral, decided by a panel chair outside a meeting."
    )
    strand = serializers.ChoiceField(choices=Strand.choices, required=False, allow_blank=True, default="")
    level = serializers.SlugRelatedField(
        slug_field="code", queryset=ManagementLevel.objects.all(), required=False, allow_null=True, default=None
    )
    rag = serializers.SlugRelatedField(
        slug_field="code", queryset=RagRating.objects.all(), required=False, allow_null=True, default=None
    )
    rag_rationale = serializers.CharField(required=False, allow_blank=True, default="")
    lead_professional = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.select_related("agency"),
        required=False,
        allow_null=True,
        default=None,
        error_messages=_user_not_found(),
        help_text="A user's id, of any agency.",
    )
    police_lead = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.select_related("agency"),
        required=False,
        allow_null=True,
        default=None,
        error_messages=_user_not_found(),
        help_text="A police user's id.",
    )
    mappa_level = _decision_mappa_level_field(
        required=False,
        default="",
        error_messages={"invalid_choice": "IOM combines only with MAPPA level 2 or 3"},
    )
    priority_cohorts = serializers.SlugRelatedField(
        slug_field="code",
        queryset=PriorityCohort.objects.all(),
        many=True,
        required=False,
        help_text="Leave out for those the referral proposed.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["outcome"] == ReferralDecision.Outcome.ACCEPTED:
            missing = {name: [message] for name, message in _ACCEPT_NEEDS.items() if not attrs.get(name)}
            if missing:
                raise serializers.ValidationError(missing)
        return attrs

    @staticmethod
    def accept_terms(data: dict[str, Any]) -> AcceptTerms | None:
        """An accept's terms, from the validated data; None for any other outcome."""
        if data["outcome"] != ReferralDecision.Outcome.ACCEPTED:
            return None
        return AcceptTerms(
            strand=data["strand"],
            level=data["level"],
            rag=data["rag"],
            rag_rationale=data["rag_rationale"],
            lead_professional=data["lead_professional"],
            police_lead=data["police_lead"],
            mappa_level=data["mappa_level"],
            priority_cohorts=data.get("priority_cohorts"),
        )


class SelectionCriterionSerializer(serializers.ModelSerializer):
    """One weighted criterion of the selection matrix."""

    measure_name = serializers.CharField(source="get_measure_display", read_only=True)

    class Meta:
        model = SelectionCriterion
        fields = [
            "id",
            "name",
            "measure",
            "measure_name",
            "weight",
            "window_days",
            "cap",
            "description",
            "order",
            "is_active",
        ]
        read_only_fields = fields


class SelectionCriterionUpdateSerializer(serializers.ModelSerializer):
    """What a system administrator changes; every open referral is re-scored (old scores stay)."""

    class Meta:
        model = SelectionCriterion
        fields = ["name", "weight", "window_days", "cap", "is_active", "description"]
        extra_kwargs = {
            "name": {"error_messages": {"blank": "Enter the criterion's name"}},
            "weight": {"error_messages": {"invalid": "The weight must be a number, like 2.5"}},
        }


class SelectionMatrixVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    note = serializers.CharField(read_only=True)


class SelectionMatrixSerializer(serializers.Serializer):
    """The selection matrix in force: its version and the criteria (active and not)."""

    version = SelectionMatrixVersionSerializer(read_only=True)
    criteria = SelectionCriterionSerializer(many=True, read_only=True)


# --- Views -----------------------------------------------------------------------------------------


def _referral_or_404(user: User, pk: int) -> Referral:
    try:
        return referral_get_for_user(user, pk)
    except Http404 as error:
        raise NotFound("No such referral.") from error


def _shown(request: Request, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
    """The referral as the caller may see it, logged as the referral page logs it."""
    user = request_user(request)
    referral = _referral_or_404(user, pk)
    record = referral_record(referral, user)
    categories = ["identity", Referral.CONTENT_CATEGORY] if record.content_visible else ["identity"]
    categories += [PATHWAY_CATEGORY[Pathway(need.pathway)] for need in record.needs]
    nominal_view_log(user=user, nominal=referral.nominal, categories=categories, path=request.path)
    return Response(ReferralSerializer(record, context={"request": request}).data, status=status_code)


class ReferralPagination(ListPagination):
    max_limit = 200


class ReferralListView(GenericAPIView):
    """The referrals list, or start a draft referral."""

    pagination_class = ReferralPagination
    serializer_class = ReferralSummarySerializer

    @extend_schema(parameters=[ReferralFilterSerializer], responses={200: ReferralSummarySerializer(many=True)})
    def get(self, request: Request) -> Response:
        """List referrals.

        The IOM team sees every referral it may see; anyone else their own and their team's. Sorted by score
        (highest first) unless asked otherwise. Each page of results is logged.
        """
        filters = ReferralFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user = request_user(request)
        referrals = referral_list(user, filters.to_filters(), filters.validated_data["sort"])
        page = self.paginate_queryset(referrals) or []
        if page:
            # As the people list and the referrals page do: a list that names people is a search,
            # logged with who it returned.
            content_shown = any(getattr(referral, "content_visible", False) for referral in page)
            nominal_search_log(
                user=user,
                nominal_ids=sorted({referral.nominal_id for referral in page}),
                categories=["identity", Referral.CONTENT_CATEGORY] if content_shown else ["identity"],
                query=request.query_params.urlencode(),
                path=request.path,
            )
        return self.get_paginated_response(
            ReferralSummarySerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request=ReferralStartSerializer,
        responses={
            201: ReferralSerializer,
            200: ReferralSerializer,
            400: OpenApiResponse(
                description="Field errors; a person on the cohort or with a referral in progress is refused on "
                "person, and existing_referral names the referral."
            ),
            403: FORBIDDEN,
        },
    )
    def post(self, request: Request) -> Response:
        """Start a draft referral.

        A draft of a person you may see; your own draft of the same person is resumed (200) rather than started
        twice. A person already on the cohort, or with a referral in progress, is refused: 400, errors.person says
        why and existing_referral names the referral ({"id", "reference", "url"} or null).
        """
        user = request_user(request)
        if not may_refer(user):
            raise PermissionDenied("Your role does not include making referrals.")
        serializer = ReferralStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            nominal = nominal_get_for_user(user, serializer.validated_data["person"])
        except Nominal.DoesNotExist as error:
            raise ValidationError({"person": ["No person found with that id"]}) from error
        _refuse_a_second_referral(request, nominal)
        started_at = timezone.now()
        referral = referral_start(nominal=nominal, by=user, kind=serializer.validated_data["kind"])
        created = referral.created_at >= started_at
        response = _shown(request, referral.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        response["Location"] = reverse("api-referral-detail", args=[referral.pk])
        return response


def _refuse_a_second_referral(request: Request, nominal: Nominal) -> None:
    """A person on the cohort, or with a referral in progress, cannot be referred again: the same
    rules, in the same words, as the submit check (referrals/eligibility.py)."""
    in_progress = open_referral_of(nominal)
    on_cohort = current_memberships(timezone.localdate()).filter(nominal=nominal).exists()
    facts = eligibility.ReferralFacts(
        today=timezone.localdate(),
        date_of_birth=nominal.date_of_birth,
        strand="",
        on_cohort=on_cohort,
        referral_in_progress=in_progress.reference if in_progress else "",
    )
    problems = [
        outcome.problem
        for outcome in eligibility.check_eligibility(facts)
        if outcome.problem and outcome.rule.code in ("not-on-cohort", "no-open-referral")
    ]
    if not problems:
        return None
    existing = in_progress or (
        referrals_visible_to(request_user(request))
        .filter(nominal=nominal, status=Referral.Status.ACCEPTED)
        .order_by("-created_at")
        .first()
    )
    link = (
        {
            "id": existing.pk,
            "reference": existing.reference,
            "url": _absolute(request, reverse("api-referral-detail", args=[existing.pk])),
        }
        if existing is not None
        else None
    )
    raise Invalid({"person": problems}, members={"existing_referral": link})


class ReferralDetailView(APIView):
    """One referral, as the caller may see it; each call is logged."""

    @extend_schema(responses={200: ReferralSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a referral."""
        return _shown(request, pk)


SECTION_CODES = [section.code for section in SECTIONS]


class ReferralSectionView(APIView):
    """Save one section of a draft (or returned) referral's task list."""

    @extend_schema(
        description="The section's fields replace what was saved, and the section is marked complete; a "
        "section with an error changes nothing. Sections: "
        + ", ".join(f"{section.code} ({section.title.lower()})" for section in SECTIONS)
        + "; y2a only for a youth-to-adult referral.",
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, enum=SECTION_CODES)],
        request=PolymorphicProxySerializer(
            component_name="ReferralSection",
            serializers=list(SECTION_SERIALIZERS.values()),
            resource_type_field_name=None,
        ),
        responses={200: ReferralSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def put(self, request: Request, pk: int, code: str) -> Response:
        """Save a section of a referral."""
        user = request_user(request)
        referral = _referral_or_404(user, pk)
        if code not in {section.code for section in sections_for(referral)}:
            raise NotFound("This referral has no such section.")
        serializer = SECTION_SERIALIZERS[code](data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        version = fields.pop("version")
        if code == "strand":
            fields.setdefault("priority_cohorts", [])
        if code == "offending":
            fields["offences"] = [dict(offence) for offence in fields["offences"]]
        elif code == "needs":
            fields["needs"] = [dict(need) for need in fields["needs"]]
        referral_section_save(referral=referral, by=user, section=code, fields=fields, version=version)
        return _shown(request, pk)


@dataclass(frozen=True)
class Only:
    """The role an action needs (referrals/permissions.py), and what anyone else is told (403)."""

    may: Callable[[User], bool]
    refusal: str


IOM_TEAM = Only(is_iom_team, "Only the IOM team screens, returns and lists referrals.")
PANEL_CHAIRS = Only(permissions.may_decide, "Only a panel chair decides referrals.")


@extend_schema(responses={200: ReferralSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND})
class ReferralActionView(APIView):
    """A POST action on a referral, declared by a subclass: its schema (@extend_schema), fields
    (serializer_class, the request body), role (only; None where the service alone decides who may)
    and service. Out of scope is 404, then a role that may not is 403, then bad fields are 400."""

    serializer_class: type[serializers.Serializer] | None = None
    only: Only | None = None
    service: Callable[..., object]
    answer_status: int = status.HTTP_200_OK

    def arguments(self, data: dict[str, Any]) -> dict[str, Any]:
        """The service's arguments besides referral and by: the fields, named as the service names them."""
        return data

    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        referral = _referral_or_404(user, pk)
        if self.only is not None and not self.only.may(user):
            raise PermissionDenied(self.only.refusal)
        data: dict[str, Any] = {}
        if self.serializer_class is not None:
            serializer = self.serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        self.service(referral=referral, by=user, **self.arguments(data))
        return _shown(request, pk, self.answer_status)


class ReferralSubmitView(ReferralActionView):
    """Submit a referral.

    Send a complete, eligible draft (or a returned referral, answered) to the IOM team. An incomplete one:
    {"<section code>": ["Complete the section: ..."]}; an ineligible one: {"eligibility": ["why"]}.
    """

    service = staticmethod(referral_submit)


class ReferralScreenView(ReferralActionView):
    """Screen a referral.

    The IOM team has checked a submitted referral is complete.
    """

    serializer_class = ReferralScreenSerializer
    only = IOM_TEAM
    service = staticmethod(referral_screen)


class ReferralReturnView(ReferralActionView):
    """Return a referral to the referrer.

    Send a submitted or screened referral back to the referrer with the IOM team's questions.
    """

    serializer_class = ReferralReturnSerializer
    only = IOM_TEAM
    service = staticmethod(referral_return)


class ReferralListForPanelView(ReferralActionView):
    """List a referral for a selection panel.

    A screened (or deferred) referral, for the panel on the date given (today or later).
    """

    serializer_class = ReferralListForPanelSerializer
    only = IOM_TEAM
    service = staticmethod(referral_list_for_panel)


@extend_schema(responses={201: ReferralSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND})
class ReferralDecideView(ReferralActionView):
    """Decide a referral.

    A panel chair records the panel's decision on a listed referral, or, with outside_meeting, decides an urgent
    referral outside a meeting (to be ratified by the next panel). Accepting puts the person on the cohort with
    the strand, level, RAG rating and leads given. Answers 201 with the referral, the new decision first among its
    decisions; a referral someone else decided first is refused (409) with who and when in the detail.
    """

    serializer_class = ReferralDecideSerializer
    only = PANEL_CHAIRS
    service = staticmethod(referral_decide)
    answer_status = status.HTTP_201_CREATED

    def arguments(self, data: dict[str, Any]) -> dict[str, Any]:
        """The decision, and an accept's terms gathered as referral_decide takes them."""
        decision = {name: data[name] for name in ("outcome", "rationale", "outside_meeting")}
        return {**decision, "accept": ReferralDecideSerializer.accept_terms(data)}


class ReferralRatifyView(ReferralActionView):
    """Ratify an urgent decision.

    The panel ratifies a decision a panel chair took outside a meeting.
    """

    serializer_class = ReferralRatifySerializer
    only = PANEL_CHAIRS
    service = staticmethod(referral_ratify)


class ReferralWithdrawView(ReferralActionView):
    """Withdraw a referral.

    The referring agency, or the IOM team, withdraws an open referral, giving the reason.
    """

    serializer_class = ReferralWithdrawSerializer
    service = staticmethod(referral_withdraw)


# --- The selection matrix -------------------------------------------------------------------------------


def _criteria() -> QuerySet[SelectionCriterion]:
    return SelectionCriterion.objects.order_by("order", "pk")


class SelectionCriteriaView(APIView):
    @extend_schema(responses={200: SelectionMatrixSerializer, 403: FORBIDDEN})
    def get(self, request: Request) -> Response:
        """Read the selection matrix.

        The criteria and weights in force, and the matrix version scores are computed with. For the IOM team, panel
        chairs and system administrators.
        """
        if not permissions.may_read_selection_matrix(request_user(request)):
            raise PermissionDenied("Only the IOM team and panel chairs read the selection matrix.")
        return Response(SelectionMatrixSerializer({"version": matrix_current(), "criteria": _criteria()}).data)


class SelectionCriterionView(APIView):
    @extend_schema(
        request=SelectionCriterionUpdateSerializer(partial=True),
        responses={
            200: SelectionCriterionSerializer,
            409: REFUSED,
            403: FORBIDDEN,
            404: OpenApiResponse(description="No such criterion."),
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Change a selection criterion.

        System administrators only. A change takes a new version of the matrix and re-scores every referral in
        progress; their previous scores stay in their history.
        """
        user = request_user(request)
        if not permissions.may_change_selection_matrix(user):
            raise PermissionDenied("Only a system administrator changes the selection matrix.")
        criterion = SelectionCriterion.objects.filter(pk=pk).first()
        if criterion is None:
            raise NotFound("No such criterion.")
        serializer = SelectionCriterionUpdateSerializer(criterion, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changed = selection_criterion_update(criterion=criterion, by=user, **serializer.validated_data)
        return Response(SelectionCriterionSerializer(changed).data)
