"""Deregistration through the API: a person's proposals (read, propose), the proposals waiting for a
panel chair, one proposal, and ratify / not ratify / withdraw. The same services and selectors as the
pages (cohorts/deregistration/services.py), the same 404s and 403s."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.deregistration.models import Deregistration
from cohorts.deregistration.services import (
    check_proposer,
    check_ratifier,
    check_withdrawer,
    deregistration_get_for_user,
    deregistration_not_ratify,
    deregistration_propose,
    deregistration_ratify,
    deregistration_withdraw,
    deregistrations_of,
    deregistrations_waiting,
)
from cohorts.records.api import FORBIDDEN, NOT_FOUND, REFUSED, WorkerSerializer, nominal_or_404, request_user
from cohorts.records.services import nominal_search_log, nominal_view_log
from sharing.pagination import ListPagination
from ui.dates import ApiDateField

CATEGORIES = ["identity"]


class DeregistrationSerializer(serializers.ModelSerializer):
    """A proposal that the person leave IOM, and its decision."""

    nominal = serializers.IntegerField(source="nominal_id", read_only=True, help_text="The person's id.")
    full_name = serializers.CharField(source="nominal.full_name", read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    period_started_on = serializers.DateField(source="membership.started_on", read_only=True)
    proposed_by = WorkerSerializer(read_only=True)
    decided_by = WorkerSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Deregistration
        fields = [
            "id",
            "nominal",
            "full_name",
            "reason",
            "reason_label",
            "explanation",
            "status",
            "status_label",
            "period_started_on",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "ends_on",
        ]
        read_only_fields = fields


class ProposeSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=Deregistration.Reason.choices,
        error_messages={"required": "Select why the person should leave IOM", "invalid_choice": "Choose a reason"},
    )
    explanation = serializers.CharField(
        max_length=4000, error_messages={"required": "Explain why the person should leave IOM"}
    )


class RatifySerializer(serializers.Serializer):
    ends_on = ApiDateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The last day on IOM: today unless given, not before the period started, never ahead.",
        error_messages={"invalid": "The last day on IOM must be a real date, in the format YYYY-MM-DD"},
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class NotRatifySerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=4000,
        help_text="Why the proposal is not ratified.",
        error_messages={"required": "Say why the proposal is not ratified"},
    )


class WithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


def _deregistration_or_404(request: Request, pk: int) -> Deregistration:
    try:
        return deregistration_get_for_user(request_user(request), pk)
    except Deregistration.DoesNotExist as error:
        raise NotFound("No such proposal.") from error


def _answer(deregistration: Deregistration, code: int = status.HTTP_200_OK) -> Response:
    fresh = Deregistration.objects.select_related(
        "nominal", "membership", "proposed_by__agency", "decided_by__agency"
    ).get(pk=deregistration.pk)
    return Response(DeregistrationSerializer(fresh).data, status=code)


class NominalDeregistrationsView(APIView):
    """A person's deregistrations; propose one."""

    @extend_schema(responses={200: DeregistrationSerializer(many=True), 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read the proposals that a person leave IOM, and their decisions.

        Every agency that sees the person. Newest first. Each call is logged.
        """
        nominal = nominal_or_404(request, pk)
        nominal_view_log(user=request_user(request), nominal=nominal, categories=CATEGORIES, path=request.path)
        return Response(DeregistrationSerializer(deregistrations_of(nominal), many=True).data)

    @extend_schema(
        request=ProposeSerializer,
        responses={201: DeregistrationSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Propose that a person on the cohort leave IOM.

        The lead professional, or the IOM team (police and probation practitioners, supervisors and panel chairs).
        One open proposal per period on IOM; a panel chair decides it.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        check_proposer(user, nominal)
        serializer = ProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = deregistration_propose(nominal=nominal, by=user, **serializer.validated_data)
        return _answer(proposal, status.HTTP_201_CREATED)


class DeregistrationsWaitingPagination(ListPagination):
    max_limit = 200


class DeregistrationsWaitingView(GenericAPIView):
    """Proposals waiting for a panel chair."""

    pagination_class = DeregistrationsWaitingPagination
    serializer_class = DeregistrationSerializer

    @extend_schema(responses={200: DeregistrationSerializer(many=True), 403: FORBIDDEN})
    def get(self, request: Request) -> Response:
        """Deregistrations to ratify.

        For panel chairs: the proposals waiting for a decision, of the people your agency may see, oldest first.
        Each page is logged.
        """
        user = request_user(request)
        check_ratifier(user)
        page = self.paginate_queryset(deregistrations_waiting(user)) or []
        nominal_search_log(
            user=user,
            nominal_ids=[d.nominal_id for d in page],
            categories=CATEGORIES,
            query=request.query_params.urlencode(),
            path=request.path,
        )
        return self.get_paginated_response(DeregistrationSerializer(page, many=True).data)


class DeregistrationDetailView(APIView):
    @extend_schema(responses={200: DeregistrationSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read one proposal that a person leave IOM.

        Every agency that sees the person. Logged.
        """
        deregistration = _deregistration_or_404(request, pk)
        nominal_view_log(
            user=request_user(request), nominal=deregistration.nominal, categories=CATEGORIES, path=request.path
        )
        return Response(DeregistrationSerializer(deregistration).data)


class DeregistrationRatifyView(APIView):
    @extend_schema(
        request=RatifySerializer,
        responses={200: DeregistrationSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Ratify a proposal: the person leaves IOM.

        Panel chairs. The period on IOM ends on ends_on (today unless given), with the case's assignments; the
        sharing grants follow at once. The record stays. Two chairs at once: one decision, the other is refused
        with who decided.
        """
        deregistration = _deregistration_or_404(request, pk)
        user = request_user(request)
        check_ratifier(user)
        serializer = RatifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deregistration = deregistration_ratify(deregistration=deregistration, by=user, **serializer.validated_data)
        return _answer(deregistration)


class DeregistrationNotRatifyView(APIView):
    @extend_schema(
        request=NotRatifySerializer,
        responses={200: DeregistrationSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Do not ratify a proposal: the person stays on IOM.

        Panel chairs, saying why.
        """
        deregistration = _deregistration_or_404(request, pk)
        user = request_user(request)
        check_ratifier(user)
        serializer = NotRatifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deregistration = deregistration_not_ratify(deregistration=deregistration, by=user, **serializer.validated_data)
        return _answer(deregistration)


class DeregistrationWithdrawView(APIView):
    @extend_schema(
        request=WithdrawSerializer,
        responses={200: DeregistrationSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Withdraw a proposal waiting for a panel chair.

        The person who proposed it, or the IOM team.
        """
        deregistration = _deregistration_or_404(request, pk)
        user = request_user(request)
        check_withdrawer(user, deregistration)
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deregistration = deregistration_withdraw(deregistration=deregistration, by=user, **serializer.validated_data)
        return _answer(deregistration)
