"""The cohort list through the API (/api/v1/cohort/): the page's filters, sorts and rows, with the
same rules (cohorts/management/selectors.py) and the same logging. The query is checked by the page's own
form, so a filter means the same in both and a bad value is a 400 with the field's error."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cohorts.management.models import Strand
from cohorts.management.selectors import COHORT_SORTS, CohortRow, cohort_counts, cohort_generation, cohort_list
from cohorts.management.views import CohortLists, cohort_filter_form, cohort_filters_of, cohort_list_logged
from cohorts.records.api import request_user
from cohorts.records.models import Nominal
from cohorts.transitions.services import TransitionStatus
from sharing.pagination import ListPagination
from ui.dates import ApiDateField


class CohortPagination(ListPagination):
    default_limit = 50
    max_limit = 200


class _Lead(serializers.Serializer):
    worker = serializers.CharField(source="worker.get_full_name")
    worker_id = serializers.IntegerField()
    agency = serializers.CharField(source="agency.name")
    since = ApiDateField(source="started_on")


class CohortRowSerializer(serializers.Serializer):
    """One person on the cohort, as the list shows them. licence_ends_on is null where the sharing
    rules do not share the person's offending and risk information (licence_shown false)."""

    id = serializers.IntegerField(source="nominal.pk")
    first_name = serializers.CharField(source="nominal.first_name")
    last_name = serializers.CharField(source="nominal.last_name")
    policing_area = serializers.CharField(source="nominal.policing_area.name", allow_null=True, default=None)
    rag_rating = serializers.CharField(source="rag.code", allow_null=True, default=None)
    strand = serializers.ChoiceField(choices=Strand.choices, source="nominal.strand", allow_null=True)
    level = serializers.CharField(source="level.code", allow_null=True, default=None)
    lead_professional = _Lead(allow_null=True)
    police_lead = _Lead(allow_null=True)
    custody_status = serializers.ChoiceField(choices=Nominal.CustodyStatus.choices, source="nominal.custody_status")
    licence_shown = serializers.BooleanField(source="offending_shown")
    licence_ends_on = ApiDateField(allow_null=True)
    review_due_on = ApiDateField(source="nominal.review_due_on", allow_null=True)
    review_overdue = serializers.BooleanField(source="nominal.is_overdue")
    transition_status = serializers.ChoiceField(choices=TransitionStatus.choices, allow_null=True)
    on_cohort_since = ApiDateField(source="nominal.on_cohort_since")


class CohortCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    in_community = serializers.IntegerField()
    by_level = serializers.DictField(child=serializers.IntegerField())
    level_not_recorded = serializers.IntegerField()


def _parameters() -> list[OpenApiParameter]:
    many = "Repeat the parameter for several values."
    return [
        OpenApiParameter("show", str, enum=["all", "mine", "team"], description="team: supervisors only."),
        OpenApiParameter("rag", str, many=True, description=f"RAG rating codes. {many}"),
        OpenApiParameter("level", str, many=True, description=f"Level or team codes. {many}"),
        OpenApiParameter("strand", str, many=True, enum=Strand.values),
        OpenApiParameter("priority", str, many=True, description="Local priority cohort codes."),
        OpenApiParameter("custody", str, many=True, enum=Nominal.CustodyStatus.values),
        OpenApiParameter("area", int, many=True, description="Policing area ids."),
        OpenApiParameter("lead_agency", int, many=True, description="The lead professional's agency ids."),
        OpenApiParameter("lead", int, description="The lead professional's user id."),
        OpenApiParameter("review_overdue", OpenApiTypes.BOOL),
        OpenApiParameter("licence_ending", OpenApiTypes.BOOL, description="Within the transition window."),
        OpenApiParameter("transition", str, many=True, enum=TransitionStatus.values),
        OpenApiParameter("sort", str, enum=[f"{sign}{key}" for key in COHORT_SORTS for sign in ("", "-")]),
    ]


class CohortListView(GenericAPIView):
    """Everyone on IOM now whom the caller's agency may see, filtered and sorted, with the counts."""

    pagination_class = CohortPagination
    serializer_class = CohortRowSerializer

    @extend_schema(
        parameters=_parameters(),
        responses={200: CohortRowSerializer(many=True), 400: OpenApiResponse(description="Field errors.")},
    )
    def get(self, request: Request) -> Response:
        """The IOM cohort.

        The cohort list's rows and the board counts. Each page of results is logged.
        """
        user = request_user(request)
        generation = cohort_generation()
        lists = CohortLists.load(generation=generation)
        query = request.query_params.copy()
        for name in ("limit", "offset"):
            query.pop(name, None)
        form = cohort_filter_form(query, user, lists, generation=generation)
        sort = request.query_params.get("sort", "name")
        errors: dict[str, Any] = dict(form.errors) if form.is_bound and not form.is_valid() else {}
        if sort.removeprefix("-") not in COHORT_SORTS:
            errors["sort"] = [f"Sort by one of {', '.join(COHORT_SORTS)}, or the same with a minus sign first."]
        if errors:
            raise ValidationError(errors)
        filters = cohort_filters_of(form, user, lists)
        page = self.paginate_queryset(cohort_list(user, filters, sort)) or []
        rows: list[CohortRow] = lists.rows(list(page))
        cohort_list_logged(request._request, user, rows, request.query_params.urlencode())
        counts = cohort_counts(user, lists.levels, generation=generation)
        response = self.get_paginated_response(CohortRowSerializer(rows, many=True).data)
        response.data["counts"] = CohortCountsSerializer(
            {
                "total": counts.total,
                "in_community": counts.in_community,
                "by_level": {level.code: count for level, count in counts.by_level},
                "level_not_recorded": counts.level_not_set,
            }
        ).data
        return response
