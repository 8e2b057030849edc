"""Running a meeting through the API, for its chair (others get 404, as on the pages): start, end,
attendance, the confidentiality statement, and per item the notes (with a version check), the decision
(recorded by the owning app's service) and dissent. The same services as the pages
(meetings/running/services.py); their refusals are answered by the one exception handler (sharing/error_policy.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.management.models import RagRating
from cohorts.records.api import WorkerSerializer, request_user
from meetings.access import meeting_get_for_user, meeting_get_to_chair
from meetings.agenda.models import AgendaItem
from meetings.running.models import Attendance, Dissent
from meetings.running.services import (
    COHORT_KINDS,
    attendance_record,
    confidentiality_record,
    dissent_record,
    dissents_of,
    item_decide_cohort,
    item_decide_deregistration,
    item_decide_referral,
    item_notes_save,
    item_ratify_urgent,
    may_attend,
    meeting_end,
    meeting_start,
    run_item_get,
    statement_of,
)
from meetings.scheduling.models import Meeting
from referrals.api import NamedChoiceField, ReferralDecideSerializer
from sharing.errors import StateError
from sharing.models import User
from ui.dates import ApiDateField

NOT_FOUND = OpenApiResponse(description="No such meeting or item, or not one you chair.")
REFUSED = OpenApiResponse(description="The meeting's state refuses it (wrong-state): the detail says why.")
FORBIDDEN = OpenApiResponse(description="The item is restricted: not shared with your agency.")
ATTENDANCE_STATUS_ENUM = "AttendanceStatusEnum"
RESTRICTED_TITLE = "Restricted: not shared with your agency under the information sharing agreements"


def _meeting(request: Request, pk: int) -> Meeting:
    try:
        return meeting_get_to_chair(request_user(request), pk)
    except Http404 as error:
        raise NotFound("No such meeting.") from error


# --- Serializers -----------------------------------------------------------------------------------


class MeetingRunSerializer(serializers.ModelSerializer):
    """Where the meeting stands."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    confidentiality_read_by = WorkerSerializer(read_only=True, allow_null=True)
    recorded_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="For a meeting recorded after it was held: the day it was recorded (started_at, ended_at and "
        "confidentiality_read_at are then the recording's times; date is when it was held). Null otherwise.",
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "date",
            "status",
            "status_label",
            "started_at",
            "ended_at",
            "recorded_on",
            "confidentiality_statement",
            "confidentiality_read_at",
            "confidentiality_read_by",
            "version",
        ]
        read_only_fields = fields


class RunAttendanceSerializer(serializers.ModelSerializer):
    person = WorkerSerializer(read_only=True)
    status = NamedChoiceField(enum_name=ATTENDANCE_STATUS_ENUM, choices=Attendance.Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    agency = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["person", "agency", "status", "status_label", "acknowledged_confidentiality", "recorded_at"]
        read_only_fields = fields


class RunAttendanceEntrySerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="A user's id: invited, or of an invited agency.")
    status = NamedChoiceField(
        enum_name=ATTENDANCE_STATUS_ENUM,
        choices=Attendance.Status.choices,
        error_messages={"invalid_choice": "Choose present, apologies or absent"},
    )


class RunAttendanceInputSerializer(serializers.Serializer):
    entries = RunAttendanceEntrySerializer(many=True, allow_empty=False)


class RunDissentSerializer(serializers.ModelSerializer):
    person = WorkerSerializer(read_only=True)
    agency = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Dissent
        fields = ["id", "person", "agency", "reason", "recorded_at"]
        read_only_fields = fields


class DissentInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="The id of an attendee recorded as present.")
    reason = serializers.CharField(max_length=4000, error_messages={"required": "Say why they disagree"})


class RunItemSerializer(serializers.Serializer):
    """An agenda item in run mode. What it is about (title, notes, outcome, dissent) only where the
    chair's agency may see it; otherwise restricted."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    position = serializers.IntegerField()
    restricted = serializers.BooleanField()
    title = serializers.CharField()
    notes = serializers.CharField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.CharField(allow_null=True)
    referral = serializers.IntegerField(allow_null=True, help_text="The referral's id, if any.")
    referral_decision = serializers.IntegerField(allow_null=True, help_text="The referral decision recorded.")
    rag_decision = serializers.IntegerField(allow_null=True, help_text="The RAG assessment recorded.")
    dissents = RunDissentSerializer(many=True)
    version = serializers.IntegerField()


def _item_data(item: AgendaItem) -> dict[str, Any]:
    visible = bool(item.visible)  # type: ignore[attr-defined]
    return {
        "id": item.pk,
        "kind": item.kind,
        "position": item.position,
        "restricted": not visible,
        "title": item.title if visible else RESTRICTED_TITLE,
        "notes": item.notes if visible else None,
        "outcome": item.outcome if visible else None,
        "decided_at": item.decided_at,
        "decided_by": str(item.decided_by) if item.decided_by else None,
        "referral": item.referral_id if visible else None,
        "referral_decision": item.referral_decision_id if visible else None,
        "rag_decision": item.rag_decision_id if visible else None,
        "dissents": RunDissentSerializer(dissents_of(item), many=True).data if visible else [],
        "version": item.version,
    }


class NotesInputSerializer(serializers.Serializer):
    notes = serializers.CharField(allow_blank=True, max_length=20000)
    version = serializers.IntegerField(help_text="The item's version you read: a save over a newer one is refused.")


class ReferralItemDecisionSerializer(ReferralDecideSerializer):
    """A referral for decision: the referral issue's decision, taken in the meeting."""

    outside_meeting = None  # type: ignore[assignment]


class UrgentRatifySerializer(serializers.Serializer):
    """An urgent decision to ratify."""

    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DeregistrationItemDecisionSerializer(serializers.Serializer):
    """A deregistration to ratify: ratify (the last day on IOM, today unless given) or not (why)."""

    decision = serializers.ChoiceField(
        choices=[("ratify", "Ratify"), ("not_ratify", "Do not ratify")],
        error_messages={"invalid_choice": "Choose ratify or not_ratify"},
    )
    ends_on = ApiDateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class CohortItemDecisionSerializer(serializers.Serializer):
    """A cohort item: the outcome in a line, and optionally a new RAG rating with why."""

    outcome = serializers.CharField(max_length=300, error_messages={"required": "Enter the outcome in a line"})
    rating = serializers.SlugRelatedField(
        slug_field="code",
        queryset=RagRating.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    rationale = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


DECISION_INPUT = PolymorphicProxySerializer(
    component_name="RunItemDecision",
    serializers=[
        ReferralItemDecisionSerializer,
        UrgentRatifySerializer,
        DeregistrationItemDecisionSerializer,
        CohortItemDecisionSerializer,
    ],
    resource_type_field_name=None,
)


# --- Views -----------------------------------------------------------------------------------------


class MeetingStartView(APIView):
    @extend_schema(request=None, responses={200: MeetingRunSerializer, 409: REFUSED, 404: NOT_FOUND})
    def post(self, request: Request, pk: int) -> Response:
        """Start a meeting.

        The chair opens a scheduled meeting: it is in progress from now.
        """
        meeting = _meeting(request, pk)
        meeting = meeting_start(meeting=meeting, by=request_user(request))
        return Response(MeetingRunSerializer(meeting).data)


class MeetingEndView(APIView):
    @extend_schema(request=None, responses={200: MeetingRunSerializer, 409: REFUSED, 404: NOT_FOUND})
    def post(self, request: Request, pk: int) -> Response:
        """End a meeting.

        The chair closes a meeting in progress: held, its minutes in draft.
        """
        meeting = _meeting(request, pk)
        meeting = meeting_end(meeting=meeting, by=request_user(request))
        return Response(MeetingRunSerializer(meeting).data)


def _attendances(meeting: Meeting) -> list[Attendance]:
    return list(meeting.attendances.select_related("person", "person__agency", "agency"))


class MeetingAttendanceView(APIView):
    @extend_schema(responses={200: RunAttendanceSerializer(many=True), 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a meeting's attendance.

        Anyone who may see the meeting reads who attended (as its minutes list them); recording it is the chair's.
        """
        try:
            meeting = meeting_get_for_user(request_user(request), pk)
        except Http404 as error:
            raise NotFound("No such meeting.") from error
        return Response(RunAttendanceSerializer(_attendances(meeting), many=True).data)

    @extend_schema(
        request=RunAttendanceInputSerializer,
        responses={200: RunAttendanceSerializer(many=True), 409: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Record attendance.

        Present, apologies or absent for each person given (invited, or of an invited agency); rows are added or
        corrected, in one transaction. Those marked present after the confidentiality statement was read
        acknowledge it.
        """
        meeting = _meeting(request, pk)
        serializer = RunAttendanceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = serializer.validated_data["entries"]
        people = {
            user.pk: user for user in User.objects.filter(may_attend(meeting), pk__in=[row["person"] for row in rows])
        }
        unknown = [row["person"] for row in rows if row["person"] not in people]
        if unknown:
            raise ValidationError(
                {"entries": [f"User {unknown[0]} is not invited: choose someone invited or from an agency invited"]}
            )
        attendance_record(
            meeting=meeting,
            by=request_user(request),
            entries=[(people[row["person"]], row["status"]) for row in rows],
        )
        return Response(RunAttendanceSerializer(_attendances(meeting), many=True).data)


class MeetingConfidentialityView(APIView):
    @extend_schema(request=None, responses={200: MeetingRunSerializer, 409: REFUSED, 404: NOT_FOUND})
    def post(self, request: Request, pk: int) -> Response:
        """Record the confidentiality statement as read.

        The chair has read the statement to the meeting: its text is kept with who read it and when, and everyone
        present acknowledges it. Items cannot be decided before.
        """
        meeting = _meeting(request, pk)
        meeting = confidentiality_record(meeting=meeting, by=request_user(request))
        data = MeetingRunSerializer(meeting).data
        data["confidentiality_statement"] = statement_of(meeting)
        return Response(data)


def _item(request: Request, pk: int, item_pk: int) -> tuple[Meeting, AgendaItem]:
    meeting = _meeting(request, pk)
    item = run_item_get(meeting, request_user(request).agency, item_pk)
    if item is None:
        raise NotFound("No such item.")
    return meeting, item


def _refresh(request: Request, meeting: Meeting, item: AgendaItem) -> dict[str, Any]:
    fresh = run_item_get(meeting, request_user(request).agency, item.pk)
    assert fresh is not None  # noqa: S101 (it was just read)
    return _item_data(fresh)


def _visible_or_403(item: AgendaItem) -> None:
    if not item.visible:  # type: ignore[attr-defined]
        raise PermissionDenied("This item is restricted: it is not shared with your agency.")


class RunItemView(APIView):
    @extend_schema(responses={200: RunItemSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int, item_pk: int) -> Response:
        """Read an agenda item in run mode."""
        _, item = _item(request, pk, item_pk)
        return Response(_item_data(item))

    @extend_schema(
        request=NotesInputSerializer,
        responses={
            200: RunItemSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(
                description="Someone saved the notes since the version given (stale-version), or the meeting's "
                "state refuses it (wrong-state)."
            ),
        },
    )
    def patch(self, request: Request, pk: int, item_pk: int) -> Response:
        """Save an item's discussion notes.

        Give the version you read: if someone saved since, a 409 (stale-version), and your text is not saved.
        """
        meeting, item = _item(request, pk, item_pk)
        _visible_or_403(item)
        serializer = NotesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item_notes_save(item=item, by=request_user(request), **serializer.validated_data)
        return Response(_refresh(request, meeting, item))


class RunItemDecisionView(APIView):
    @extend_schema(
        request=DECISION_INPUT, responses={201: RunItemSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND}
    )
    def post(self, request: Request, pk: int, item_pk: int) -> Response:
        """Record the decision on an agenda item.

        By the item's kind: a referral (the referral decision: outcome, rationale and, on accept, the terms); an
        urgent decision to ratify (note); a deregistration (decision ratify / not_ratify, ends_on, note); any other
        item (outcome in a line, optionally a RAG rating code with its rationale). Recorded by the owning app's
        service and linked from the item; an item is decided once.
        """
        meeting, item = _item(request, pk, item_pk)
        _visible_or_403(item)
        user = request_user(request)
        if item.kind == AgendaItem.Kind.REFERRAL:
            referral_input = ReferralItemDecisionSerializer(data=request.data)
            referral_input.is_valid(raise_exception=True)
            data = referral_input.validated_data
            item_decide_referral(
                item=item,
                by=user,
                outcome=data["outcome"],
                rationale=data["rationale"],
                accept=ReferralDecideSerializer.accept_terms(data),
            )
        elif item.kind == AgendaItem.Kind.URGENT_RATIFICATION:
            urgent_input = UrgentRatifySerializer(data=request.data)
            urgent_input.is_valid(raise_exception=True)
            item_ratify_urgent(item=item, by=user, note=urgent_input.validated_data["note"])
        elif item.kind == AgendaItem.Kind.DEREGISTRATION:
            deregistration_input = DeregistrationItemDecisionSerializer(data=request.data)
            deregistration_input.is_valid(raise_exception=True)
            data = deregistration_input.validated_data
            item_decide_deregistration(
                item=item,
                by=user,
                ratify=data["decision"] == "ratify",
                ends_on=data["ends_on"],
                note=data["note"],
            )
        elif item.kind in COHORT_KINDS:
            cohort_input = CohortItemDecisionSerializer(data=request.data)
            cohort_input.is_valid(raise_exception=True)
            item_decide_cohort(item=item, by=user, **cohort_input.validated_data)
        else:
            raise StateError("This item takes no decision.")
        return Response(_refresh(request, meeting, item), status=status.HTTP_201_CREATED)


class RunItemDissentsView(APIView):
    @extend_schema(
        request=DissentInputSerializer,
        responses={201: RunDissentSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int, item_pk: int) -> Response:
        """Record an attendee's dissent on an item.

        Who (an attendee recorded as present) and why; kept in the minutes.
        """
        _, item = _item(request, pk, item_pk)
        _visible_or_403(item)
        serializer = DissentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = User.objects.select_related("agency").filter(pk=serializer.validated_data["person"]).first()
        if person is None:
            raise ValidationError({"person": ["No such user"]})
        dissent = dissent_record(
            item=item, by=request_user(request), person=person, reason=serializer.validated_data["reason"]
        )
        dissent = Dissent.objects.select_related("person__agency", "agency").get(pk=dissent.pk)
        return Response(RunDissentSerializer(dissent).data, status=status.HTTP_201_CREATED)
