"""Transition plans through the API: read a person's plan, start it, add a step, mark a step done,
complete it. The same selectors and services as the pages (cohorts/transitions/services.py), the same 404s
and 403s. Each change names the plan's version it was made on; a stale one is a 409."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.access import offending_and_risk_shared
from cohorts.management.models import CaseAssignment
from cohorts.records.api import (
    FORBIDDEN,
    NOT_FOUND,
    REFUSED,
    NamedEntrySerializer,
    WorkerSerializer,
    nominal_or_404,
    request_user,
)
from cohorts.records.models import Nominal
from cohorts.records.selectors import assignment_eligible_workers, current_assignments_of
from cohorts.records.services import nominal_view_log
from cohorts.transitions.models import TransitionPlan, TransitionStep
from cohorts.transitions.services import (
    TransitionState,
    TransitionStatus,
    check_transition_manager,
    may_manage_transition,
    shown_status,
    transition_plan_complete,
    transition_plan_start,
    transition_state,
    transition_step_add,
    transition_step_done,
    transition_step_of,
)
from sharing.errors import StateError
from sharing.models import Agency, User
from ui.dates import ApiDateField

STALE_RESPONSE = OpenApiResponse(
    description="The plan changed since the version given (stale-version): read it again; or its state refuses "
    "the action (wrong-state)."
)


class TransitionStepSerializer(serializers.ModelSerializer):
    """A step: what is handed over, to which agency and worker, by when, and when it was done."""

    agency = NamedEntrySerializer(read_only=True, allow_null=True)
    worker = WorkerSerializer(read_only=True, allow_null=True)

    class Meta:
        model = TransitionStep
        fields = ["id", "description", "agency", "worker", "due_on", "done_on"]
        read_only_fields = fields


class TransitionPlanSerializer(serializers.ModelSerializer):
    """The plan of the person's current period on IOM, with its steps by due date."""

    created_by = WorkerSerializer(read_only=True)
    # Strings, not enums: the schema's enum names collide across features on "status".
    status = serializers.CharField(read_only=True, help_text="in_progress or complete.")
    steps = TransitionStepSerializer(many=True, read_only=True, source="shown_steps")

    class Meta:
        model = TransitionPlan
        fields = ["id", "status", "notes", "created_by", "created_at", "version", "steps"]
        read_only_fields = fields


class TransitionStateSerializer(serializers.Serializer):
    on_cohort = serializers.BooleanField(read_only=True)
    status = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=f"One of {', '.join(TransitionStatus.values)}. Null where no plan is started and your agency "
        "is not shared the licence end date.",
    )
    licence_ends_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="Offending and risk information: given where shared with you."
    )
    plan_opens_on = serializers.DateField(read_only=True, allow_null=True)
    plan = TransitionPlanSerializer(read_only=True, allow_null=True)
    may_manage = serializers.BooleanField(read_only=True)


class TransitionStartSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        help_text="The plan's version you read: a change to an older one is refused (409).",
        error_messages={"required": "Give the plan's version you read"},
    )


class TransitionStepAddSerializer(VersionSerializer):
    description = serializers.CharField(
        max_length=300, error_messages={"blank": "Enter what the step is", "required": "Enter what the step is"}
    )
    due_on = ApiDateField(
        error_messages={
            "invalid": "The date the step is due must be a real date, in the format YYYY-MM-DD",
            "required": "Enter the date the step is due",
        }
    )
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        error_messages={"does_not_exist": "No agency found with that id"},
    )
    worker = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.select_related("agency"),
        required=False,
        allow_null=True,
        default=None,
        help_text="A practitioner, partner worker or supervisor of any agency; the agency follows theirs.",
        error_messages={"does_not_exist": "No user found with that id"},
    )

    def validate_worker(self, worker: User | None) -> User | None:
        eligible = assignment_eligible_workers(CaseAssignment.Role.LEAD_PROFESSIONAL)
        if worker is not None and not eligible.filter(pk=worker.pk).exists():
            raise ValidationError("This user cannot take over a step")
        return worker


class TransitionStepDoneSerializer(VersionSerializer):
    done_on = ApiDateField(
        required=False,
        help_text="Today unless given.",
        error_messages={"invalid": "The date the step was done must be a real date, in the format YYYY-MM-DD"},
    )


def _manager(request: Request, pk: int) -> tuple[Nominal, User]:
    nominal = nominal_or_404(request, pk)
    user = request_user(request)
    check_transition_manager(user, nominal)
    return nominal, user


def _state_data(user: User, nominal: Nominal, state: TransitionState) -> dict[str, Any]:
    licence_shown = offending_and_risk_shared(user.agency, nominal)
    if state.plan is not None:
        state.plan.shown_steps = state.steps  # type: ignore[attr-defined]
    return {
        "on_cohort": state.on_cohort,
        "status": shown_status(state, licence_shown),
        "licence_ends_on": state.licence_ends_on if licence_shown else None,
        "plan_opens_on": state.opens_on if licence_shown else None,
        "plan": state.plan,
        "may_manage": may_manage_transition(user, current_assignments_of(nominal)),
    }


def _plan_of(nominal: Nominal) -> TransitionPlan:
    plan = transition_state(nominal).plan
    if plan is None:
        raise StateError(f"{nominal.full_name} has no transition plan: start it first.")
    return plan


class NominalTransitionView(APIView):
    """A person's transition plan; start it."""

    @extend_schema(responses={200: TransitionStateSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a person's transition plan.

        Every agency that sees the person. The licence end date, and the due status it implies, only where
        offending and risk information is shared with your agency. Each call is logged.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        data = _state_data(user, nominal, transition_state(nominal))
        categories = ["identity", Nominal.OFFENDING_AND_RISK_CATEGORY] if data["licence_ends_on"] else ["identity"]
        nominal_view_log(user=user, nominal=nominal, categories=categories, path=request.path)
        return Response(TransitionStateSerializer(data).data)

    @extend_schema(
        request=TransitionStartSerializer,
        responses={201: TransitionStateSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Start a person's transition plan.

        The lead professional and the IOM team, for a person on the cohort with a licence end date, from
        IOM_TRANSITION_WEEKS (12) weeks before it.
        """
        nominal, user = _manager(request, pk)
        serializer = TransitionStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transition_plan_start(nominal=nominal, by=user, **serializer.validated_data)
        data = _state_data(user, nominal, transition_state(nominal))
        return Response(TransitionStateSerializer(data).data, status=status.HTTP_201_CREATED)


class TransitionStepsView(APIView):
    @extend_schema(
        request=TransitionStepAddSerializer,
        responses={201: TransitionStepSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE_RESPONSE},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Add a step to a person's transition plan."""
        nominal, user = _manager(request, pk)
        plan = _plan_of(nominal)
        serializer = TransitionStepAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = transition_step_add(plan=plan, by=user, **serializer.validated_data)
        return Response(TransitionStepSerializer(step).data, status=status.HTTP_201_CREATED)


class TransitionStepDoneView(APIView):
    @extend_schema(
        request=TransitionStepDoneSerializer,
        responses={200: TransitionStepSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE_RESPONSE},
    )
    def post(self, request: Request, pk: int, step_pk: int) -> Response:
        """Mark a step of a person's transition plan done."""
        nominal, user = _manager(request, pk)
        plan = _plan_of(nominal)
        step = transition_step_of(plan, step_pk)
        if step is None:
            raise NotFound("No such step.")
        serializer = TransitionStepDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = transition_step_done(step=step, by=user, **serializer.validated_data)
        return Response(TransitionStepSerializer(step).data)


class TransitionCompleteView(APIView):
    @extend_schema(
        request=VersionSerializer,
        responses={200: TransitionStateSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE_RESPONSE},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Complete a person's transition plan.

        Once every step is done.
        """
        nominal, user = _manager(request, pk)
        plan = _plan_of(nominal)
        serializer = VersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transition_plan_complete(plan=plan, by=user, **serializer.validated_data)
        data = _state_data(user, nominal, transition_state(nominal))
        return Response(TransitionStateSerializer(data).data)
