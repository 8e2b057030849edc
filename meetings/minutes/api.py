"""Minutes and the meeting pack through the API: the caller's version of a meeting's minutes, the
chair's approval, and the pack. The same services and selectors as the pages (meetings/minutes/services.py),
the same 404s and 403s, the same access log."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.records.api import FORBIDDEN, REFUSED, NamedEntrySerializer, request_user
from meetings.access import may_chair, meeting_get_for_user
from meetings.minutes.services import minutes_approve, minutes_for, pack_for
from meetings.minutes.views import meeting_for_minutes, minutes_view_log, pack_agency, pack_view_log
from ui.dates import ApiDateField

NOT_FOUND = OpenApiResponse(description="No such meeting, or not one you may see.")


class AttendanceSerializer(serializers.Serializer):
    agency = serializers.CharField()
    present = serializers.ListField(child=serializers.CharField())
    apologies = serializers.ListField(child=serializers.CharField())
    absent = serializers.ListField(child=serializers.CharField())


class DissentSerializer(serializers.Serializer):
    person = serializers.CharField()
    agency = serializers.CharField()
    reason = serializers.CharField()


class MinutesActionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    description = serializers.CharField()
    owner = serializers.CharField()
    owner_agency = serializers.CharField()
    due_on = ApiDateField()
    status = serializers.CharField()


class MinutesItemSerializer(serializers.Serializer):
    """An item: its content where your agency may see it; otherwise only its number, restricted."""

    number = serializers.IntegerField()
    restricted = serializers.SerializerMethodField()
    title = serializers.CharField()
    kind = serializers.CharField(source="kind_label")
    person = serializers.CharField()
    notes = serializers.CharField()
    outcome = serializers.CharField()
    decision = serializers.CharField()
    dissents = DissentSerializer(many=True)
    actions = MinutesActionSerializer(many=True)

    def get_restricted(self, item: object) -> bool:
        return not getattr(item, "visible", False)


class MinutesSerializer(serializers.Serializer):
    """Your agency's version of the minutes. `available` false: nothing to read yet (not held,
    cancelled, or a draft you may not read), `message` says why."""

    meeting = serializers.IntegerField(source="meeting.pk")
    title = serializers.CharField(source="meeting.title")
    date = ApiDateField(source="meeting.date")
    chair = serializers.CharField(source="meeting.chair")
    state = serializers.ChoiceField(choices=["not_held", "cancelled", "draft", "approved"])
    available = serializers.BooleanField()
    message = serializers.CharField()
    agency = NamedEntrySerializer()
    approved_at = serializers.DateTimeField(source="meeting.minutes_approved_at", allow_null=True)
    confidentiality_read_at = serializers.DateTimeField(source="meeting.confidentiality_read_at", allow_null=True)
    acknowledged = serializers.ListField(child=serializers.CharField())
    attendance = AttendanceSerializer(many=True)
    items_shown = serializers.IntegerField()
    items_restricted = serializers.IntegerField()
    items = MinutesItemSerializer(many=True)
    other_actions = MinutesActionSerializer(many=True)


class ApproveSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        help_text="The meeting's version you read: a newer one is refused.",
        error_messages={"required": "Send the meeting's version you read"},
    )


class PackItemSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    restricted = serializers.SerializerMethodField()
    hidden_from_you = serializers.BooleanField(source="hidden_from_viewer")
    title = serializers.CharField()
    kind = serializers.CharField(source="kind_label")
    person = serializers.CharField()
    summary = serializers.CharField()

    def get_restricted(self, item: object) -> bool:
        return not getattr(item, "visible", False)


class PackSerializer(serializers.Serializer):
    """An agency's version of the agenda with the case summaries it may see."""

    meeting = serializers.IntegerField(source="meeting.pk")
    title = serializers.CharField(source="meeting.title")
    date = ApiDateField(source="meeting.date")
    agency = NamedEntrySerializer()
    items_shown = serializers.IntegerField()
    items_restricted = serializers.IntegerField()
    items = PackItemSerializer(many=True)


class MinutesView(APIView):
    @extend_schema(responses={200: MinutesSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a meeting's minutes: your agency's version.

        After approval, everyone who sees the meeting and everyone who received the minutes; drafts, the chair.
        Items your agency may not see are restricted. Logged.
        """
        user = request_user(request)
        minutes = minutes_for(meeting_for_minutes(user, pk), user)
        minutes_view_log(user=user, minutes=minutes, path=request.path)
        return Response(MinutesSerializer(minutes).data)


class MinutesApproveView(APIView):
    @extend_schema(
        request=ApproveSerializer, responses={200: MinutesSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Approve a held meeting's minutes.

        The chair (or another panel chair of the agency running it). The record closes; the chair and each attendee
        present or with apologies receive their agency's version, each logged as a disclosure.
        """
        user = request_user(request)
        meeting = meeting_get_for_user(user, pk)
        if not may_chair(user, meeting):
            raise NotFound("No such meeting.")
        serializer = ApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = minutes_approve(meeting=meeting, by=user, version=serializer.validated_data["version"])
        return Response(MinutesSerializer(minutes_for(meeting, user)).data)


class PackView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("agency", int, description="An invited agency's id (the chair only).")],
        responses={200: PackSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        """Read a meeting's pack: your agency's version of the agenda.

        With the case summaries your agency may see; restricted items marked. The chair may ask for any invited
        agency's version (?agency=), shown only as far as the chair's own agency may see it. Logged.
        """
        user = request_user(request)
        meeting = meeting_get_for_user(user, pk)
        pack = pack_for(meeting, user, pack_agency(user, meeting, request.query_params.get("agency")))
        pack_view_log(user=user, pack=pack, query=request.query_params.urlencode(), path=request.path)
        return Response(PackSerializer(pack).data)
