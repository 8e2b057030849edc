"""The nominal's timeline through the API: the same selector as the page (cohorts/timeline/selectors.py), the
same 404s, entries newest first and paginated, with what is withheld counted."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cohorts.records.api import NOT_FOUND, nominal_or_404, request_user
from cohorts.records.services import nominal_view_log
from cohorts.timeline.selectors import nominal_timeline, timeline_kinds
from sharing.pagination import ListPagination


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True, help_text="What the kind filter selects.")
    on = serializers.DateField(read_only=True)
    at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="When recorded, where known.")
    title = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True)
    by = serializers.CharField(read_only=True)
    agency = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True, help_text="The page about it, where there is one.")
    tag = serializers.CharField(read_only=True)


class TimelineFilterSerializer(serializers.Serializer):
    kind = serializers.MultipleChoiceField(
        choices=(), required=False, help_text="Repeat to show several kinds; none: everything."
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = timeline_kinds()  # type: ignore[attr-defined]


class TimelinePagination(ListPagination):
    default_limit = 100
    max_limit = 500


class NominalTimelineView(GenericAPIView):
    """A person's timeline."""

    pagination_class = TimelinePagination
    serializer_class = TimelineEntrySerializer

    @extend_schema(
        parameters=[TimelineFilterSerializer], responses={200: TimelineEntrySerializer(many=True), 404: NOT_FOUND}
    )
    def get(self, request: Request, pk: int) -> Response:
        """Read a person's timeline.

        Everything about the person your agency may see, newest first: periods on IOM, referrals, RAG ratings,
        assignments, deregistrations and items. Sensitive items are counted, never shown (locked); items not shared
        with your agency are counted by the agency that holds them (withheld), beside the results as locked and
        withheld. Each call is logged.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        filters = TimelineFilterSerializer(data={"kind": request.query_params.getlist("kind")})
        filters.is_valid(raise_exception=True)
        timeline = nominal_timeline(user, nominal, kinds=filters.validated_data.get("kind", set()))
        page = self.paginate_queryset(timeline.entries) or []
        nominal_view_log(user=user, nominal=nominal, categories=timeline.categories_shown, path=request.path)
        response = self.get_paginated_response(TimelineEntrySerializer(page, many=True).data)
        response.data["locked"] = [
            {"category": locked.category.code, "name": locked.category.name, "count": locked.count}
            for locked in timeline.locked
        ]
        response.data["withheld"] = [
            {"agency": withheld.agency_name, "count": withheld.count} for withheld in timeline.withheld
        ]
        return response
