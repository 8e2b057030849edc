"""The management report through the API (/api/v1/people/<pk>/report/): read it, add each kind of
entry, and change a plan action's status. The same selector and services as the pages
(cohorts/report/services.py): a person the caller's agency may not see is 404; a role that does not keep the
report, 403; a plan action of another agency, 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.records.api import NOT_FOUND, NamedEntrySerializer, WorkerSerializer, nominal_or_404, request_user
from cohorts.records.models import Pathway, RecordedItem
from cohorts.records.services import nominal_view_log
from cohorts.report.models import Contact, EnforcementAction, Intervention, PlanAction
from cohorts.report.services import (
    NOT_A_RECORDER,
    check_recorder,
    contact_record,
    decision_record,
    enforcement_record,
    intervention_record,
    management_report_for_user,
    plan_action_of_agency,
    plan_action_record,
    plan_action_update,
)
from cohorts.reviews.models import SupervisorReview
from sharing.models import User
from ui.dates import ApiDateField

FORBIDDEN = OpenApiResponse(description=f"The person is in scope, but not your role. {NOT_A_RECORDER}")
FIELD_ERRORS = OpenApiResponse(description="Field errors.")


def _real_date(label: str) -> dict[str, Any]:
    return {"invalid": f"The {label} must be a real date, in the format YYYY-MM-DD"}


# --- What the report shows -------------------------------------------------------------------------


class EntrySerializer(serializers.Serializer):
    """What every entry has: its item, date, summary, note, and who recorded it for which agency."""

    item_id = serializers.IntegerField(source="item.pk", read_only=True)
    version = serializers.IntegerField(source="item.version", read_only=True, help_text="For a change.")
    occurred_on = serializers.DateField(source="item.occurred_on", read_only=True)
    summary = serializers.CharField(source="item.summary", read_only=True)
    note = serializers.CharField(source="item.detail", read_only=True)
    category = serializers.CharField(source="item.category.code", read_only=True)
    owning_agency = NamedEntrySerializer(source="item.owning_agency", read_only=True)
    recorded_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(
        source="item.recorded_by", read_only=True
    )


class PlanActionSerializer(EntrySerializer):
    pathway = serializers.ChoiceField(choices=Pathway.choices, read_only=True)
    status = serializers.ChoiceField(choices=PlanAction.Status.choices, read_only=True)
    owner = WorkerSerializer(read_only=True, allow_null=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)


class InterventionSerializer(EntrySerializer):
    pathway = serializers.CharField(read_only=True, help_text="Blank: offending and risk.")
    provider = serializers.CharField(read_only=True)
    starts_on = serializers.DateField(read_only=True)
    ends_on = serializers.DateField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=Intervention.Status.choices, read_only=True)


class ContactSerializer(EntrySerializer):
    contact_type = serializers.ChoiceField(choices=Contact.Type.choices, read_only=True)
    outcome = serializers.ChoiceField(choices=Contact.Outcome.choices, read_only=True)
    next_contact_on = serializers.DateField(read_only=True, allow_null=True)


class EnforcementSerializer(EntrySerializer):
    kind = serializers.ChoiceField(choices=EnforcementAction.Kind.choices, read_only=True)
    outcome = serializers.CharField(read_only=True)


class DecisionSerializer(serializers.Serializer):
    item_id = serializers.IntegerField(source="pk", read_only=True)
    decided_on = serializers.DateField(source="occurred_on", read_only=True)
    decision = serializers.CharField(source="summary", read_only=True)
    rationale = serializers.CharField(source="detail", read_only=True)
    owning_agency = NamedEntrySerializer(read_only=True)
    recorded_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True)


class PathwayPlanSerializer(serializers.Serializer):
    pathway = serializers.CharField(read_only=True)
    pathway_name = serializers.CharField(source="label", read_only=True)
    need_level = serializers.CharField(
        source="need.level", read_only=True, allow_null=True, default=None, help_text="The latest you may read."
    )
    need_assessed_on = serializers.DateField(
        source="need.item.occurred_on", read_only=True, allow_null=True, default=None
    )
    actions = PlanActionSerializer(many=True, read_only=True)


class WithheldSerializer(serializers.Serializer):
    by_agency = serializers.SerializerMethodField(help_text='e.g. "2 items held by X are not shared with your agency"')
    sensitive = serializers.IntegerField(
        read_only=True, help_text="Sensitive items shown on the person's record once a reason is given."
    )

    def get_by_agency(self, withheld: Any) -> list[str]:
        return [str(held) for held in withheld.by_agency]


class ComplianceSerializer(serializers.Serializer):
    since = serializers.DateField(read_only=True)
    kept = serializers.IntegerField(read_only=True)
    missed = serializers.IntegerField(read_only=True)
    acceptable_absences = serializers.IntegerField(source="excused", read_only=True)
    enforcement = serializers.IntegerField(read_only=True)
    kept_percent = serializers.IntegerField(source="rate", read_only=True, allow_null=True)


class ReportReviewSerializer(serializers.Serializer):
    on_cohort = serializers.BooleanField(read_only=True)
    review_due_on = serializers.DateField(source="due_on", read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(source="overdue", read_only=True)
    cadence = serializers.CharField(read_only=True)


class ReportLastReviewSerializer(serializers.ModelSerializer):
    reviewed_on = serializers.DateField(source="item.occurred_on", read_only=True)
    agency = NamedEntrySerializer(source="item.owning_agency", read_only=True)

    class Meta:
        model = SupervisorReview
        fields = ["reviewed_on", "agency", "commensurate", "actions_set", "next_review_on"]
        read_only_fields = fields


class ManagementReportSerializer(serializers.Serializer):
    """The report as your agency may read it; per section, what it may not."""

    review = ReportReviewSerializer(source="schedule", read_only=True)
    last_review = ReportLastReviewSerializer(source="reviews.latest", read_only=True, allow_null=True)
    pathways = PathwayPlanSerializer(many=True, read_only=True)
    interventions = InterventionSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)
    next_contact_on = serializers.DateField(
        source="next_contact.next_contact_on", read_only=True, allow_null=True, default=None
    )
    enforcement = EnforcementSerializer(many=True, read_only=True)
    compliance = ComplianceSerializer(read_only=True)
    withheld = serializers.DictField(child=WithheldSerializer(), read_only=True, help_text="By section.")


# --- What is sent ----------------------------------------------------------------------------------


class PlanActionCreateSerializer(serializers.Serializer):
    pathway = serializers.ChoiceField(choices=Pathway.choices, error_messages={"invalid_choice": "Choose the pathway"})
    action = serializers.CharField(max_length=200, error_messages={"blank": "Enter the action"})
    status = serializers.ChoiceField(
        choices=PlanAction.Status.choices, default=PlanAction.Status.IDENTIFIED, required=False
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    due_on = ApiDateField(required=False, allow_null=True, default=None, error_messages=_real_date("due date"))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PlanActionChangeSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read: a change from an older one is refused.")
    status = serializers.ChoiceField(choices=PlanAction.Status.choices)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    due_on = ApiDateField(required=False, allow_null=True, error_messages=_real_date("due date"))


class InterventionCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, error_messages={"blank": "Enter the intervention"})
    provider = serializers.CharField(max_length=200, error_messages={"blank": "Enter the provider"})
    pathway = serializers.ChoiceField(choices=Pathway.choices, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(
        choices=Intervention.Status.choices, required=False, default=Intervention.Status.PLANNED
    )
    starts_on = ApiDateField(error_messages=_real_date("start date"))
    ends_on = ApiDateField(required=False, allow_null=True, default=None, error_messages=_real_date("end date"))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ContactCreateSerializer(serializers.Serializer):
    contact_type = serializers.ChoiceField(choices=Contact.Type.choices)
    occurred_on = ApiDateField(error_messages=_real_date("date of the contact"))
    outcome = serializers.ChoiceField(choices=Contact.Outcome.choices)
    next_contact_on = ApiDateField(
        required=False, allow_null=True, default=None, error_messages=_real_date("next contact date")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionCreateSerializer(serializers.Serializer):
    decision = serializers.CharField(max_length=200, error_messages={"blank": "Enter the decision"})
    rationale = serializers.CharField(max_length=4000, error_messages={"blank": "Enter the rationale for the decision"})
    decided_on = ApiDateField(
        required=False, allow_null=True, default=None, error_messages=_real_date("date of the decision")
    )


class EnforcementCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EnforcementAction.Kind.choices)
    occurred_on = ApiDateField(error_messages=_real_date("date of the action"))
    reason = serializers.CharField(max_length=4000, error_messages={"blank": "Enter why the action was taken"})
    outcome = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# --- Views -----------------------------------------------------------------------------------------


class ManagementReportView(APIView):
    @extend_schema(responses={200: ManagementReportSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a person's management report.

        The plan by pathway, interventions, decisions, contacts, enforcement and compliance, and the review
        schedule, as your agency may read them; per section, what other agencies hold and do not share with yours,
        and the sensitive items shown on the person's record once a reason is given. Logged.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        report = management_report_for_user(user, nominal)
        nominal_view_log(user=user, nominal=nominal, categories=report.categories_shown, path=request.path)
        return Response(ManagementReportSerializer(report).data)


def _record(request: Request, pk: int, serializer_class: type[serializers.Serializer], record: Any) -> Any:
    """Check the role, validate what was sent, and call the service."""
    nominal = nominal_or_404(request, pk)
    user = request_user(request)
    check_recorder(user)
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return record(nominal=nominal, by=user, **serializer.validated_data)


def _entry(model: Any, pk: int) -> Any:
    return model.objects.select_related("item__owning_agency", "item__recorded_by", "item__category").get(pk=pk)


class PlanActionsView(APIView):
    @extend_schema(
        request=PlanActionCreateSerializer,
        responses={201: PlanActionSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Add an action to a person's plan.

        On one of the seven pathways, shared as that pathway's category of information, owned by your agency.
        """
        action = _record(request, pk, PlanActionCreateSerializer, plan_action_record)
        entry = PlanAction.objects.select_related(
            "item__owning_agency", "item__recorded_by", "item__category", "owner__agency"
        ).get(pk=action.pk)
        return Response(PlanActionSerializer(entry).data, status=status.HTTP_201_CREATED)


class PlanActionView(APIView):
    @extend_schema(
        request=PlanActionChangeSerializer,
        responses={
            200: PlanActionSerializer,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(description="Someone changed the action since you read it."),
        },
    )
    def patch(self, request: Request, pk: int, item_pk: int) -> Response:
        """Change a plan action's status, owner or due date.

        Your agency's actions only (another agency's is 404); send the version you read: a change from an older
        version is refused with 409.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        check_recorder(user)
        try:
            action = plan_action_of_agency(user, nominal, item_pk)
        except PlanAction.DoesNotExist as error:
            raise NotFound("No such action.") from error
        serializer = PlanActionChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.setdefault("owner", action.owner)
        data.setdefault("due_on", action.due_on)
        plan_action_update(plan_action=action, by=user, **data)
        entry = PlanAction.objects.select_related(
            "item__owning_agency", "item__recorded_by", "item__category", "owner__agency"
        ).get(pk=action.pk)
        return Response(PlanActionSerializer(entry).data)


class InterventionsView(APIView):
    @extend_schema(
        request=InterventionCreateSerializer,
        responses={201: InterventionSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Add an intervention.

        With its provider and dates; shared as its pathway's category (offending and risk without).
        """
        intervention = _record(request, pk, InterventionCreateSerializer, intervention_record)
        return Response(
            InterventionSerializer(_entry(Intervention, intervention.pk)).data, status=status.HTTP_201_CREATED
        )


class ContactsView(APIView):
    @extend_schema(
        request=ContactCreateSerializer,
        responses={201: ContactSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Record a contact.

        Its type, date, outcome and the next contact; offending and risk, owned by your agency.
        """
        contact = _record(request, pk, ContactCreateSerializer, contact_record)
        return Response(ContactSerializer(_entry(Contact, contact.pk)).data, status=status.HTTP_201_CREATED)


class DecisionsView(APIView):
    @extend_schema(
        request=DecisionCreateSerializer,
        responses={201: DecisionSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Record a decision with its rationale.

        Offending and risk, owned by your agency.
        """
        item = _record(request, pk, DecisionCreateSerializer, decision_record)
        item = RecordedItem.objects.select_related("owning_agency", "recorded_by").get(pk=item.pk)
        return Response(DecisionSerializer(item).data, status=status.HTTP_201_CREATED)


class EnforcementView(APIView):
    @extend_schema(
        request=EnforcementCreateSerializer,
        responses={201: EnforcementSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Record an enforcement action.

        A warning, breach, recall or arrest; offending and risk, owned by your agency.
        """
        action = _record(request, pk, EnforcementCreateSerializer, enforcement_record)
        return Response(
            EnforcementSerializer(_entry(EnforcementAction, action.pk)).data, status=status.HTTP_201_CREATED
        )
