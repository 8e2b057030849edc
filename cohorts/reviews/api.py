"""Supervisor reviews through the API: a person's reviews (read, record) and a supervisor's reviews
due. The same selectors and service as the pages (cohorts/reviews/services.py), the same 404s and 403s."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.records.api import (
    FORBIDDEN,
    NOT_FOUND,
    REFUSED,
    NamedEntrySerializer,
    RagRatingSerializer,
    WorkerSerializer,
    nominal_or_404,
    request_user,
)
from cohorts.records.selectors import nominal_cohort_panel
from cohorts.records.services import nominal_view_log
from cohorts.reviews.models import SupervisorReview
from cohorts.reviews.services import (
    REVIEW_CATEGORY,
    case_leads,
    due_rows_shown,
    may_review,
    review_schedule,
    reviews_due,
    reviews_for_user,
    supervisor_review_record,
)
from sharing.errors import StateError
from sharing.pagination import ListPagination
from sharing.roles import Role
from ui.dates import ApiDateField

NOT_A_REVIEWER = (
    "Only a supervisor of the lead professional or IOM police lead, or a supervisor of the IOM team, reviews the case."
)


class SupervisorReviewSerializer(serializers.ModelSerializer):
    """One review: when, by whom, the rating reviewed, and what it found and set."""

    id = serializers.IntegerField(source="item_id", read_only=True, help_text="The review's item id.")
    reviewed_on = serializers.DateField(source="item.occurred_on", read_only=True)
    reviewed_by = WorkerSerializer(source="item.recorded_by", read_only=True)
    agency = NamedEntrySerializer(source="item.owning_agency", read_only=True)
    rating = RagRatingSerializer(read_only=True, allow_null=True, help_text="The RAG rating reviewed.")
    summary = serializers.CharField(source="item.summary", read_only=True)
    note = serializers.CharField(source="item.detail", read_only=True)

    class Meta:
        model = SupervisorReview
        fields = [
            "id",
            "reviewed_on",
            "reviewed_by",
            "agency",
            "rating",
            "commensurate",
            "actions_set",
            "next_review_on",
            "summary",
            "note",
        ]
        read_only_fields = fields


class ReviewStateSerializer(serializers.Serializer):
    """When the person's next review is due, and the reviews the caller's agency may read."""

    on_cohort = serializers.BooleanField(read_only=True)
    review_due_on = serializers.DateField(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)
    cadence = serializers.CharField(read_only=True, help_text='The RAG rating\'s cadence, e.g. "every 2 weeks".')
    latest_next_review_on = serializers.DateField(
        read_only=True, help_text="The latest next review date a review recorded today may set."
    )
    reviews = SupervisorReviewSerializer(many=True, read_only=True, help_text="Newest first.")
    withheld = serializers.IntegerField(
        read_only=True, help_text="How many reviews recorded by other agencies are not shared with yours."
    )


class ReviewRecordSerializer(serializers.Serializer):
    commensurate = serializers.BooleanField(
        help_text="Are the interventions commensurate with the risk?",
        error_messages={"required": "Say whether the interventions are commensurate with the risk"},
    )
    actions_set = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=4000,
        help_text="Needed when the interventions are not commensurate with the risk.",
    )
    next_review_on = ApiDateField(
        help_text="After today, and no later than one interval of the person's RAG rating from today.",
        error_messages={
            "invalid": "The next review date must be a real date, in the format YYYY-MM-DD",
            "required": "Enter the next review date",
        },
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ReviewDueSerializer(serializers.Serializer):
    """A person on the cohort and when their next review is due."""

    id = serializers.IntegerField(source="nominal.pk", read_only=True)
    full_name = serializers.CharField(source="nominal.full_name", read_only=True)
    on_cohort_since = serializers.DateField(source="nominal.review_period_from", read_only=True)
    rating = RagRatingSerializer(read_only=True, allow_null=True)
    review_due_on = serializers.DateField(source="due_on", read_only=True)
    is_overdue = serializers.BooleanField(source="overdue", read_only=True)
    in_team = serializers.BooleanField(
        read_only=True, help_text="Their lead professional or IOM police lead is supervised by you."
    )
    lead_professional = WorkerSerializer(source="lead_professional.worker", read_only=True, allow_null=True)
    police_lead = WorkerSerializer(source="police_lead.worker", read_only=True, allow_null=True)


class ReviewsDueFilterSerializer(serializers.Serializer):
    overdue = serializers.BooleanField(required=False, default=False, help_text="true: overdue reviews only.")
    team = serializers.BooleanField(
        required=False, default=False, help_text="true: only cases whose lead you supervise."
    )


class NominalReviewsView(APIView):
    """A person's supervisor reviews; record one."""

    @extend_schema(responses={200: ReviewStateSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a person's supervisor reviews and when the next is due.

        Every agency that sees the person; the reviews themselves as the sharing rules allow (offending and risk
        items of the reviewer's agency). Each call is logged.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        cohort = nominal_cohort_panel(nominal)
        history = reviews_for_user(user, nominal)
        schedule = review_schedule(nominal, cohort)
        categories = ["identity", REVIEW_CATEGORY] if history.reviews else ["identity"]
        nominal_view_log(user=user, nominal=nominal, categories=categories, path=request.path)
        state = {
            "on_cohort": schedule.on_cohort,
            "review_due_on": schedule.due_on,
            "is_overdue": schedule.overdue,
            "cadence": schedule.cadence,
            "latest_next_review_on": schedule.latest_allowed,
            "reviews": history.reviews,
            "withheld": history.withheld,
        }
        return Response(ReviewStateSerializer(state).data)

    @extend_schema(
        request=ReviewRecordSerializer,
        responses={201: SupervisorReviewSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Record a supervisor review of a person on the cohort.

        A supervisor of the person's lead professional or IOM police lead, or any supervisor of the IOM team's
        agencies (police and probation). Recorded as an offending and risk item owned by your agency, with the
        current RAG rating; the next review is due on the date set.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        cohort = nominal_cohort_panel(nominal)
        if not may_review(user, case_leads(cohort)):
            raise PermissionDenied(NOT_A_REVIEWER)
        if cohort.membership is None:
            raise StateError(f"{nominal.full_name} is not on the IOM cohort.")
        serializer = ReviewRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = supervisor_review_record(nominal=nominal, by=user, **serializer.validated_data)
        review = SupervisorReview.objects.select_related(
            "item__recorded_by__agency", "item__owning_agency", "rating"
        ).get(pk=review.pk)
        return Response(SupervisorReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewsDuePagination(ListPagination):
    max_limit = 200


class ReviewsDueView(GenericAPIView):
    """A supervisor's reviews due."""

    pagination_class = ReviewsDuePagination
    serializer_class = ReviewDueSerializer

    @extend_schema(
        parameters=[ReviewsDueFilterSerializer], responses={200: ReviewDueSerializer(many=True), 403: FORBIDDEN}
    )
    def get(self, request: Request) -> Response:
        """Reviews due.

        For supervisors: everyone on the cohort your agency may see, with when their next review is due; the cases
        of the workers you supervise first, then overdue first, then by due date. Each page is logged.
        """
        user = request_user(request)
        if not user.has_role(Role.SUPERVISOR):
            raise PermissionDenied("Reviews due are for supervisors.")
        filters = ReviewsDueFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        people = reviews_due(user, supervisor=user)
        if filters.validated_data["overdue"]:
            people = people.filter(Q(is_overdue=True))
        if filters.validated_data["team"]:
            people = people.filter(Q(in_team=True))
        page = self.paginate_queryset(people) or []
        rows = due_rows_shown(user, page, query=request.query_params.urlencode(), path=request.path)
        return self.get_paginated_response(ReviewDueSerializer(rows, many=True).data)
