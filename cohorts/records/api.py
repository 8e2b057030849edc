"""The people API (/api/v1/people/). Thin, like the pages: each endpoint calls the selectors and
services that cohorts/records/views.py calls, so every sharing rule lives in one place, and a person or an
item the caller's agency may not see is 404, the same as one that does not exist.

The selectors scope every read by the materialised grants, so these views do not also run the
default permission class's object check: it would refuse system administrators the records the
selectors let them find, and answer 403 where the rules say 404.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.access import reasons_to_see_item
from cohorts.duplicates.services import held_elsewhere_reported, possibly_recorded_elsewhere
from cohorts.management.models import CaseAssignment, RagAssessment, RagRating
from cohorts.management.permissions import case_holders, check_assigner, check_rag_change
from cohorts.models import AccessEvent
from cohorts.records.identifiers import normalise_crn, normalise_pnc_id, normalise_prison_number
from cohorts.records.models import (
    CommunitySafetyPartnership,
    Nominal,
    NominalAlias,
    PathwayNeed,
    PolicingArea,
    RecordedItem,
)
from cohorts.records.selectors import (
    NominalFilters,
    NominalRecord,
    assignment_eligible_workers,
    assignment_of,
    assignments_of,
    item_get_for_user,
    moved_to_for_user,
    nominal_cohort_panel,
    nominal_get_for_user,
    nominal_record_for_user,
    nominal_search,
)
from cohorts.records.services import (
    access_event_record,
    case_assign,
    case_assignment_end,
    item_record,
    nominal_create,
    nominal_dates_check,
    nominal_search_log,
    nominal_view_log,
    rag_assess,
)
from sharing.api import DataCategorySerializer
from sharing.errors import StateError
from sharing.models import Agency, DataCategory, User
from sharing.pagination import ListPagination
from ui.dates import ApiDateField

NOT_FOUND = OpenApiResponse(description="No such person or item, or not one your agency may see.")
IDENTITY_FIELDS = ("id", *Nominal.IDENTITY_FIELDS, "full_name", "owning_agency")


def _real_date(label: str) -> dict[str, Any]:
    return {"invalid": f"The {label} must be a real date, in the format YYYY-MM-DD"}


# --- Serializers -----------------------------------------------------------------------------------


class NamedEntrySerializer(serializers.Serializer):
    """A policing area, a community safety partnership or an agency: its id and name."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class NominalFilterSerializer(serializers.Serializer):
    """The list's query parameters: the same filters as the people page (NominalFilters)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Name (tolerant of spelling, aliases included), PNC ID, CRN, prison number or date of birth.",
    )
    area = serializers.PrimaryKeyRelatedField(
        queryset=PolicingArea.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Neighbourhood policing area id.",
    )
    custody = serializers.ChoiceField(choices=Nominal.CustodyStatus.choices, required=False, allow_blank=True)
    cohort = serializers.ChoiceField(
        choices=[("yes", "On the cohort"), ("no", "Not on the cohort")],
        required=False,
        allow_blank=True,
        help_text="yes: on the IOM cohort today; no: not on it.",
    )
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Id of an agency involved in the case.",
    )

    def to_filters(self) -> NominalFilters:
        data = self.validated_data
        return NominalFilters(
            query=data.get("q", ""),
            policing_area_id=data["area"].pk if data.get("area") else None,
            custody_status=data.get("custody", ""),
            on_cohort={"yes": True, "no": False}.get(data.get("cohort", "")),
            agency_id=data["agency"].pk if data.get("agency") else None,
        )


class NominalSummarySerializer(serializers.ModelSerializer):
    """One person in a list: identity only, as on the people page."""

    policing_area = NamedEntrySerializer(read_only=True, allow_null=True)
    on_cohort = serializers.BooleanField(source="is_on_cohort", read_only=True)

    class Meta:
        model = Nominal
        fields = [
            "id",
            "first_name",
            "middle_names",
            "last_name",
            "date_of_birth",
            "gender",
            "pnc_id",
            "crn",
            "prison_number",
            "policing_area",
            "custody_status",
            "on_cohort",
        ]
        read_only_fields = fields


class NominalCreateSerializer(serializers.ModelSerializer):
    """A person to record. Identifiers are checked and normalised as on the page; the service checks
    them again, and that none is already recorded."""

    date_of_birth = ApiDateField(error_messages=_real_date("date of birth"))
    sentence_ends_on = ApiDateField(required=False, allow_null=True, error_messages=_real_date("sentence end date"))
    licence_ends_on = ApiDateField(required=False, allow_null=True, error_messages=_real_date("licence end date"))
    # Declared rather than generated: the model's unique check would run on the raw, unnormalised text.
    pnc_id = serializers.CharField(
        label="PNC ID", required=False, allow_blank=True, allow_null=True, max_length=20, help_text="2019/0123456Q"
    )
    crn = serializers.CharField(
        label="CRN", required=False, allow_blank=True, allow_null=True, max_length=10, help_text="X123456"
    )
    prison_number = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=10, help_text="A1234BC"
    )
    policing_area = serializers.PrimaryKeyRelatedField(
        queryset=PolicingArea.objects.filter(is_active=True), required=False, allow_null=True
    )
    community_safety_partnership = serializers.PrimaryKeyRelatedField(
        queryset=CommunitySafetyPartnership.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = Nominal
        fields = [*Nominal.IDENTITY_FIELDS, *Nominal.OFFENDING_AND_RISK_FIELDS]
        extra_kwargs = {"ogrs_percent": {"error_messages": {"max_value": "OGRS must be a whole number from 0 to 100"}}}

    def validate_pnc_id(self, value: str | None) -> str:
        return normalise_pnc_id(value) if value else ""

    def validate_crn(self, value: str | None) -> str:
        return normalise_crn(value) if value else ""

    def validate_prison_number(self, value: str | None) -> str:
        return normalise_prison_number(value) if value else ""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        nominal_dates_check(attrs)  # its field errors become this serializer's
        return attrs


class NominalSerializer(serializers.ModelSerializer):
    """A person's details. The identity fields are always present; the offending and risk fields
    only where the sharing rules show them."""

    full_name = serializers.CharField(read_only=True)
    policing_area = NamedEntrySerializer(read_only=True, allow_null=True)
    community_safety_partnership = NamedEntrySerializer(read_only=True, allow_null=True)
    owning_agency = NamedEntrySerializer(read_only=True)

    class Meta:
        model = Nominal
        fields = [*IDENTITY_FIELDS, *Nominal.OFFENDING_AND_RISK_FIELDS]
        # Read-only fields are "required" (always present) in the schema; the offending and risk
        # fields are left optional there, since they are absent where withheld.
        read_only_fields = IDENTITY_FIELDS


class NominalRecordedSerializer(NominalSerializer):
    """A person just recorded, and whether they may also be recorded by another agency (a record the
    caller may not see has the same name and date of birth): if so, the IOM team will check."""

    possibly_recorded_elsewhere = serializers.BooleanField(read_only=True)

    class Meta(NominalSerializer.Meta):
        fields = [*NominalSerializer.Meta.fields, "possibly_recorded_elsewhere"]
        read_only_fields = (*IDENTITY_FIELDS, "possibly_recorded_elsewhere")  # type: ignore[assignment]


class AliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = NominalAlias
        fields = ["first_name", "last_name", "date_of_birth"]
        read_only_fields = fields


class PathwayNeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = PathwayNeed
        fields = ["pathway", "level"]
        read_only_fields = fields


class RecordedItemSerializer(serializers.ModelSerializer):
    """One item of the record, as the page shows it."""

    category = DataCategorySerializer(read_only=True)
    owning_agency = NamedEntrySerializer(read_only=True)
    recorded_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True)
    pathway_need = PathwayNeedSerializer(read_only=True, allow_null=True)

    class Meta:
        model = RecordedItem
        fields = [
            "id",
            "kind",
            "category",
            "summary",
            "detail",
            "occurred_on",
            "owning_agency",
            "recorded_by",
            "recorded_at",
            "pathway_need",
        ]
        read_only_fields = fields


class LockedCategorySerializer(serializers.Serializer):
    category = serializers.CharField(source="category.code", read_only=True)
    count = serializers.IntegerField(read_only=True)


class NominalRecordSerializer(serializers.Serializer):
    """A person's record as the caller's agency may see it: the person's details, then the items
    shown, the items withheld and the sensitive items locked."""

    offending_and_risk_withheld = serializers.SerializerMethodField()
    on_cohort_since = serializers.DateField(read_only=True, allow_null=True)
    aliases = AliasSerializer(many=True, read_only=True)
    items = RecordedItemSerializer(many=True, read_only=True)
    withheld = serializers.SerializerMethodField(
        help_text="Items recorded by other agencies and not shared with yours, counted by agency."
    )
    locked = LockedCategorySerializer(
        many=True, read_only=True, help_text="Sensitive items, by category: the pages show them once a reason is given."
    )
    reasons = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Why your agency may see this person."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # The person's details, flattened into the record, read from record.nominal.
        person = NominalSerializer().get_fields()
        for name, field in person.items():
            field.source = f"nominal.{field.source or name}"
        return {**person, **super().get_fields()}

    def get_offending_and_risk_withheld(self, record: NominalRecord) -> bool:
        return not record.offending_and_risk_shown

    def get_withheld(self, record: NominalRecord) -> list[str]:
        return [str(withheld) for withheld in record.withheld]

    def to_representation(self, instance: NominalRecord) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not instance.offending_and_risk_shown:
            for name in Nominal.OFFENDING_AND_RISK_FIELDS:
                del data[name]
        return data


class ItemCreateSerializer(serializers.ModelSerializer):
    """An item to add to a person's record; it belongs to the caller's agency."""

    kind = serializers.ChoiceField(choices=[c for c in RecordedItem.Kind.choices if c[0] in RecordedItem.PLAIN_KINDS])
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=DataCategory.objects.all(),
        help_text="The data category's code, e.g. accommodation. Who may see the item depends on it.",
    )
    occurred_on = ApiDateField(error_messages=_real_date("date"))

    class Meta:
        model = RecordedItem
        fields = ["kind", "category", "summary", "detail", "occurred_on"]


class ItemWhySerializer(serializers.Serializer):
    """Why the caller's agency may see an item: its own record, or the agreement and clause."""

    id = serializers.IntegerField(source="item.pk", read_only=True)
    summary = serializers.CharField(source="item.summary", read_only=True)
    category = DataCategorySerializer(source="item.category", read_only=True)
    owning_agency = NamedEntrySerializer(source="item.owning_agency", read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)


# --- Views -----------------------------------------------------------------------------------------


def request_user(request: Request) -> User:
    """The signed-in user (every endpoint needs one)."""
    return request.user  # type: ignore[return-value]


def nominal_or_404(request: Request, pk: int) -> Nominal:
    """The person, if the caller may see them; a merged record whose survivor they may see says
    where it went; otherwise 404."""
    try:
        return nominal_get_for_user(request_user(request), pk)
    except Nominal.DoesNotExist as error:
        moved_to = moved_to_for_user(request_user(request), pk)
        if moved_to is not None:
            raise NotFound(
                f"This record was merged into another: {reverse('api-nominal-detail', args=[moved_to])}"
            ) from None  # not a refusal: the caller may see where it went
        raise NotFound("No such person.") from error


class NominalPagination(ListPagination):
    max_limit = 200


class NominalListView(GenericAPIView):
    """Search the people the caller's agency may see, or record a person."""

    pagination_class = NominalPagination
    serializer_class = NominalSummarySerializer

    @extend_schema(parameters=[NominalFilterSerializer], responses={200: NominalSummarySerializer(many=True)})
    def get(self, request: Request) -> Response:
        """Search people.

        The people your agency may see, filtered. Each page of results is logged.
        """
        filters = NominalFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user = request_user(request)
        shown = self.paginate_queryset(nominal_search(user, filters.to_filters())) or []
        nominal_search_log(
            user=user,
            nominal_ids=[nominal.pk for nominal in shown],
            query=request.query_params.urlencode(),
            path=request.path,
        )
        return self.get_paginated_response(NominalSummarySerializer(shown, many=True).data)

    @extend_schema(
        request=NominalCreateSerializer,
        responses={
            201: NominalRecordedSerializer,
            400: OpenApiResponse(
                description="Field errors. An identifier held by a record you may not see is refused, naming no one."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """Record a person.

        Your agency is recorded as involved, and sees the person at once.
        """
        serializer = NominalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request_user(request)
        with held_elsewhere_reported(user, request.path):
            created = nominal_create(by=user, **serializer.validated_data)
        nominal = nominal_get_for_user(user, created.pk)
        # The same name and date of birth as a record the caller may not see: recorded, and checked.
        nominal.possibly_recorded_elsewhere = possibly_recorded_elsewhere(nominal)  # type: ignore[attr-defined]
        return Response(
            NominalRecordedSerializer(nominal).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-nominal-detail", args=[nominal.pk])},
        )


class NominalDetailView(APIView):
    """A person's record as the caller's agency may see it; each call is logged."""

    @extend_schema(responses={200: NominalRecordSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a person's record."""
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        # The API has no way to give a reason, so sensitive items stay locked (counted, not shown).
        record = nominal_record_for_user(user, nominal, sensitive_unlocked=False)
        access_event_record(
            user=user,
            action=AccessEvent.Action.VIEW,
            nominal=nominal,
            categories=record.categories_shown,
            allowed_by="; ".join(record.reasons) or "System administration",
            path=request.path,
        )
        return Response(NominalRecordSerializer(record).data)


class ItemCreateView(APIView):
    """Add an item to the record of a person the caller's agency may see."""

    @extend_schema(
        request=ItemCreateSerializer,
        responses={201: RecordedItemSerializer, 400: OpenApiResponse(description="Field errors."), 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Add an item to a person's record."""
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        serializer = ItemCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = item_record(nominal=nominal, by=user, **serializer.validated_data)
        item = item_get_for_user(user, nominal, created.pk)
        return Response(RecordedItemSerializer(item).data, status=status.HTTP_201_CREATED)


class SensitiveReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500,
        help_text="Why the caller needs to see the sensitive items; recorded in the access log with their name.",
        error_messages={
            "blank": "Enter why you need to see these items",
            "required": "Enter why you need to see these items",
        },
    )


class SensitiveItemsView(APIView):
    """The sensitive items (intelligence, health, victim ...) the caller's agency may see, given a reason."""

    @extend_schema(
        request=SensitiveReasonSerializer,
        responses={
            200: RecordedItemSerializer(many=True),
            400: OpenApiResponse(description="No reason given."),
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        """Read the sensitive items of a person's record, giving a reason."""
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        serializer = SensitiveReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = nominal_record_for_user(user, nominal, sensitive_unlocked=True)
        sensitive = [item for item in record.items if item.category.is_sensitive]
        access_event_record(
            user=user,
            action=AccessEvent.Action.VIEW_SENSITIVE,
            nominal=nominal,
            categories=[item.category.code for item in sensitive],
            allowed_by="; ".join(record.reasons) or "System administration",
            reason=serializer.validated_data["reason"],
            path=request.path,
        )
        return Response(RecordedItemSerializer(sensitive, many=True).data)


class ItemWhyView(APIView):
    """Why the caller's agency may see an item: the agreement and clause, or its own record."""

    @extend_schema(responses={200: ItemWhySerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int, item_pk: int) -> Response:
        """Why can I see this item?."""
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        try:
            item = item_get_for_user(user, nominal, item_pk)
        except RecordedItem.DoesNotExist as error:
            raise NotFound("No such item.") from error
        # As on the page without a reason given: a sensitive item is not there to ask about.
        if item.category.is_sensitive:
            raise NotFound("No such item.")
        nominal_view_log(user=user, nominal=nominal, categories=[item.category.code], path=request.path)
        return Response(ItemWhySerializer({"item": item, "reasons": reasons_to_see_item(user.agency, item)}).data)


# --- Managing the cohort: RAG ratings and assignments ------------------------------------------------
#
# Reading a person's RAG history and assignments is open to every agency that sees them, as the
# person page shows them; changing them takes the pages' permissions (cohorts/management/permissions.py): the
# IOM team and the agencies working the case rate, the IOM team and the lead professional assign.

FORBIDDEN = OpenApiResponse(description="The person is in scope, but your role or agency may not do this.")
REFUSED = OpenApiResponse(description="The case's state refuses it (wrong-state): the detail says why.")


class RagRatingSerializer(serializers.ModelSerializer):
    """One rating of the RAG scheme, with the cadence of supervisor reviews it sets."""

    review_cadence = serializers.CharField(read_only=True, help_text='For example, "every 2 weeks".')

    class Meta:
        model = RagRating
        fields = ["code", "label", "colour", "order", "review_cadence", "description"]
        read_only_fields = fields


class WorkerSerializer(serializers.Serializer):
    """A user named in a case: their id, name and agency."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()
    agency = NamedEntrySerializer(read_only=True)

    def get_name(self, user: User) -> str:
        return str(user)


class RagAssessmentSerializer(serializers.ModelSerializer):
    """A RAG rating given to the person: who gave it, when and why."""

    rating = RagRatingSerializer(read_only=True)
    assessed_by = WorkerSerializer(read_only=True)

    class Meta:
        model = RagAssessment
        fields = ["id", "rating", "rationale", "assessed_by", "assessed_at"]
        read_only_fields = fields


class RagStateSerializer(serializers.Serializer):
    """The person's current RAG rating and its history, newest first, and the ratings in use."""

    on_cohort = serializers.BooleanField(read_only=True)
    current = RagAssessmentSerializer(read_only=True, allow_null=True)
    history = RagAssessmentSerializer(many=True, read_only=True)
    ratings = RagRatingSerializer(many=True, read_only=True, help_text="The ratings that may be given now.")


class RagChangeSerializer(serializers.Serializer):
    rating = serializers.SlugRelatedField(
        slug_field="code",
        queryset=RagRating.objects.filter(is_active=True),
        help_text="The rating's code, e.g. red.",
        error_messages={
            "does_not_exist": "No RAG rating in use has the code {value}",
            "required": "Select the RAG rating",
            "null": "Select the RAG rating",
        },
    )
    rationale = serializers.CharField(
        max_length=4000,
        help_text="Why this rating: kept in the RAG history with your name.",
        error_messages={"blank": "Give the reason for the rating", "required": "Give the reason for the rating"},
    )


class CaseAssignmentSerializer(serializers.ModelSerializer):
    """Who held a role in the case, for which agency, from when to when, and why."""

    role_name = serializers.CharField(source="get_role_display", read_only=True)
    worker = WorkerSerializer(read_only=True)
    agency = NamedEntrySerializer(read_only=True)
    assigned_by = WorkerSerializer(read_only=True)

    class Meta:
        model = CaseAssignment
        fields = [
            "id",
            "role",
            "role_name",
            "worker",
            "agency",
            "started_on",
            "ended_on",
            "reason",
            "assigned_by",
            "assigned_at",
        ]
        read_only_fields = fields


class CaseAssignmentsSerializer(serializers.Serializer):
    on_cohort = serializers.BooleanField(read_only=True)
    current = CaseAssignmentSerializer(many=True, read_only=True)
    past = CaseAssignmentSerializer(many=True, read_only=True)


class CaseAssignSerializer(serializers.Serializer):
    """Assign a worker to a role, transferring it from whoever holds it (for a key worker: whoever
    holds it for the worker's agency)."""

    role = serializers.ChoiceField(choices=CaseAssignment.Role.choices)
    worker = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.select_related("agency"),
        help_text="The user's id. Lead professional: a practitioner, partner worker or supervisor of any agency; "
        "IOM police lead officer: a practitioner or supervisor of a police force; key worker: a practitioner "
        "or partner worker of any agency.",
        error_messages={"does_not_exist": "No user found with that id", "incorrect_type": "Give the user's id"},
    )
    started_on = ApiDateField(
        required=False,
        help_text="Today unless given; not in the future, nor before the current holder started.",
        error_messages={"invalid": "The start date must be a real date, in the format YYYY-MM-DD"},
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=300,
        help_text="Why the case is assigned or transferred: needed when someone holds the role now.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        eligible = assignment_eligible_workers(attrs["role"]).filter(pk=attrs["worker"].pk)
        if not eligible.exists():
            words = CaseAssignment.Role(attrs["role"]).label
            raise ValidationError({"worker": [f"This user cannot be the {words[:1].lower() + words[1:]}"]})
        attrs.setdefault("started_on", timezone.localdate())
        return attrs


def _not_on_cohort(nominal: Nominal) -> NoReturn:
    raise StateError(f"{nominal.full_name} is not on the IOM cohort.")


class NominalRagView(APIView):
    """A person's RAG rating and its history; give a new rating."""

    @extend_schema(responses={200: RagStateSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a person's RAG rating and its history.

        Shown to every agency that sees the person, as on the person page.
        """
        nominal = nominal_or_404(request, pk)
        cohort = nominal_cohort_panel(nominal)
        nominal_view_log(user=request_user(request), nominal=nominal, categories=["identity"], path=request.path)
        state = {
            "on_cohort": cohort.membership is not None,
            "current": cohort.current_rag,
            "history": cohort.rag_history,
            "ratings": RagRating.objects.filter(is_active=True).order_by("order", "label"),
        }
        return Response(RagStateSerializer(state).data)

    @extend_schema(
        request=RagChangeSerializer,
        responses={201: RagAssessmentSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Give a person on the cohort a new RAG rating.

        The IOM team (police and probation practitioners, supervisors and panel chairs), and practitioners,
        supervisors and panel chairs of an agency holding a role in the case, and the lead professional. The rating
        sets the cadence of supervisor reviews.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        cohort = nominal_cohort_panel(nominal)
        check_rag_change(user, case_holders(cohort))
        if cohort.membership is None:
            _not_on_cohort(nominal)
        serializer = RagChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = rag_assess(nominal=nominal, by=user, **serializer.validated_data)
        assessment = RagAssessment.objects.select_related("rating", "assessed_by__agency").get(pk=assessment.pk)
        return Response(RagAssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class NominalAssignmentsView(APIView):
    """Who holds, and who held, a role in the person's case; assign or transfer one."""

    @extend_schema(responses={200: CaseAssignmentsSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a person's lead professional, police lead and key workers, now and before.

        Shown to every agency that sees the person, as on the person page.
        """
        nominal = nominal_or_404(request, pk)
        assignments = assignments_of(nominal)
        on_cohort = nominal_cohort_panel(nominal).membership is not None
        nominal_view_log(user=request_user(request), nominal=nominal, categories=["identity"], path=request.path)
        return Response(
            CaseAssignmentsSerializer(
                {
                    "on_cohort": on_cohort,
                    "current": [assignment for assignment in assignments if assignment.ended_on is None],
                    "past": [assignment for assignment in assignments if assignment.ended_on is not None],
                }
            ).data
        )

    @extend_schema(
        request=CaseAssignSerializer,
        responses={201: CaseAssignmentSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Assign or transfer a role in a person's case.

        The IOM team and the lead professional. The previous holder's last day is the day before the start date;
        the new holder's agency sees the person at once, and the previous one's stops unless it has another reason
        to.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        cohort = nominal_cohort_panel(nominal)
        check_assigner(user, case_holders(cohort))
        if cohort.membership is None:
            _not_on_cohort(nominal)
        serializer = CaseAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assignment = case_assign(
            nominal=nominal,
            role=data["role"],
            worker=data["worker"],
            by=user,
            reason=data["reason"].strip(),
            started_on=data["started_on"],
        )
        assignment = CaseAssignment.objects.select_related("worker__agency", "agency", "assigned_by__agency").get(
            pk=assignment.pk
        )
        return Response(CaseAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentEndView(APIView):
    """End a key worker's assignment (a lead is transferred instead)."""

    @extend_schema(
        request=None, responses={200: CaseAssignmentSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND}
    )
    def post(self, request: Request, pk: int, assignment_pk: int) -> Response:
        """End a key worker's assignment.

        The IOM team and the lead professional. Yesterday is the key worker's last day; their agency stops seeing
        the person unless it has another reason to.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        cohort = nominal_cohort_panel(nominal)
        check_assigner(user, case_holders(cohort), ending=True)
        assignment = assignment_of(nominal, assignment_pk)
        if assignment is None:
            raise NotFound("No such assignment.")
        ended = case_assignment_end(assignment=assignment, by=user)
        ended = CaseAssignment.objects.select_related("worker__agency", "agency", "assigned_by__agency").get(
            pk=ended.pk
        )
        return Response(CaseAssignmentSerializer(ended).data)
