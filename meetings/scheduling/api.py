"""Meetings through the API: the meetings the caller may see, one meeting with its agenda as
the caller's agency may see it (restricted items without their content), scheduling a meeting or a
series, changing a meeting, and reading and changing a series. The same services and selectors as the pages
(meetings/scheduling/services.py), the same 404s and 403s."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.records.api import FORBIDDEN, REFUSED, NamedEntrySerializer, WorkerSerializer, request_user
from meetings.access import (
    may_chair,
    may_chair_meetings,
    may_chair_series,
    meeting_get_for_user,
    meetings_visible_to,
    series_get_for_user,
)
from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting, MeetingKind, MeetingSeries
from meetings.scheduling.services import (
    NOT_A_PANEL_CHAIR,
    NOT_THE_CHAIR,
    NOT_THE_SERIES_CHAIR,
    agenda_as_seen_by,
    meeting_create,
    meeting_update,
    meetings_for_list,
    series_create,
    series_update,
)
from sharing.models import Agency, User
from ui.dates import ApiDateField

NOT_FOUND = OpenApiResponse(description="No such meeting, or not one you may see.")
STALE = OpenApiResponse(
    description="Someone changed the meeting since you read it (stale-version): read it again; or its state "
    "refuses the change (wrong-state)."
)
SERIES_NOT_FOUND = OpenApiResponse(description="No such series, or not one you may see.")
SERIES_STALE = OpenApiResponse(
    description="Someone changed the series since you read it (stale-version): read it again; or its state "
    "refuses the change (wrong-state)."
)


# --- Serializers -----------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting: what, when, where, who chairs it and who is invited."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    series = serializers.IntegerField(source="series_id", read_only=True, allow_null=True)
    chair = WorkerSerializer(read_only=True)
    agency = NamedEntrySerializer(read_only=True, help_text="The agency that runs the meeting.")
    invited_agencies = NamedEntrySerializer(many=True, read_only=True)
    invited_people = WorkerSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "date",
            "starts_at",
            "duration_minutes",
            "location",
            "online_link",
            "series",
            "chair",
            "agency",
            "invited_agencies",
            "invited_people",
            "status",
            "status_label",
            "cancelled_reason",
            "version",
        ]
        read_only_fields = fields


class MeetingAgendaEntrySerializer(serializers.Serializer):
    """An item of the agenda. Restricted: the caller's agency may not see what it is about, so its
    kind, title, person and outcome are null."""

    id = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    restricted = serializers.BooleanField(read_only=True)
    kind = serializers.ChoiceField(choices=AgendaItem.Kind.choices, read_only=True, allow_null=True)
    kind_label = serializers.CharField(read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True, allow_null=True)
    nominal = serializers.IntegerField(read_only=True, allow_null=True, help_text="The person's id.")
    outcome = serializers.CharField(read_only=True, allow_null=True)

    def to_representation(self, item: Any) -> dict[str, Any]:
        visible = bool(item.visible)
        return {
            "id": item.pk,
            "position": item.position,
            "restricted": not visible,
            "kind": item.kind if visible else None,
            "kind_label": item.get_kind_display() if visible else None,
            "title": item.title if visible else None,
            "nominal": item.nominal_id if visible else None,
            "outcome": (item.outcome or None) if visible else None,
        }


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting and its agenda as the caller's agency may see it."""

    agenda = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda"]
        read_only_fields = fields

    @extend_schema_field(MeetingAgendaEntrySerializer(many=True))
    def get_agenda(self, meeting: Meeting) -> list[dict[str, Any]]:
        return MeetingAgendaEntrySerializer(self.context["items"], many=True).data  # type: ignore[return-value]


def _chair_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        help_text="The chair's user id: a panel chair.",
        error_messages={"does_not_exist": "The chair must be a panel chair", "required": "Select the chair"},
    )


class MeetingDetailsSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    starts_at = serializers.TimeField(
        help_text="HH:MM",
        error_messages={"invalid": "Enter the start time like 10:00", "required": "Enter the start time"},
    )
    duration_minutes = serializers.IntegerField(required=False, default=120)
    location = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    online_link = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    chair = _chair_field()
    invited_agencies = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Agency.objects.all(), required=False, default=list
    )
    invited_people = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.all(), required=False, default=list
    )


class MeetingCreateSerializer(MeetingDetailsSerializer):
    kind = serializers.ChoiceField(
        choices=MeetingKind.choices, error_messages={"required": "Select the kind of meeting"}
    )
    date = ApiDateField(
        help_text="Today or later; or, for a meeting already held, a date up to IOM_MEETING_RECORD_DAYS_BACK "
        "days back (28 by default).",
        error_messages={
            "required": "Enter the date of the meeting",
            "invalid": "The date of the meeting must be a real date, in the format YYYY-MM-DD",
        },
    )


class SeriesCreateSerializer(MeetingDetailsSerializer):
    kind = serializers.ChoiceField(
        choices=MeetingKind.choices, error_messages={"required": "Select the kind of meeting"}
    )
    frequency = serializers.ChoiceField(
        choices=MeetingSeries.Frequency.choices, error_messages={"required": "Select how often it meets"}
    )
    first_date = ApiDateField(
        error_messages={
            "required": "Enter the date of the first meeting",
            "invalid": "The date of the first meeting must be a real date, in the format YYYY-MM-DD",
        }
    )
    until = ApiDateField(required=False, allow_null=True, default=None)


class MeetingUpdateSerializer(serializers.Serializer):
    """The fields to change (any of them), and the version read."""

    version = serializers.IntegerField(min_value=1, help_text="The meeting's version as you read it.")
    title = serializers.CharField(required=False, allow_blank=True, max_length=150)
    date = ApiDateField(
        required=False,
        error_messages={"invalid": "The date of the meeting must be a real date, in the format YYYY-MM-DD"},
    )
    starts_at = serializers.TimeField(required=False)
    duration_minutes = serializers.IntegerField(required=False)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    online_link = serializers.CharField(required=False, allow_blank=True, max_length=200)
    chair = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        error_messages={"does_not_exist": "The chair must be a panel chair"},
    )
    invited_agencies = serializers.PrimaryKeyRelatedField(many=True, queryset=Agency.objects.all(), required=False)
    invited_people = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.all(), required=False)


class SeriesSerializer(serializers.ModelSerializer):
    """A series and the meetings generated so far."""

    chair = WorkerSerializer(read_only=True)
    meetings = serializers.SerializerMethodField()

    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "kind",
            "title",
            "frequency",
            "first_date",
            "until",
            "starts_at",
            "duration_minutes",
            "location",
            "online_link",
            "chair",
            "version",
            "meetings",
        ]
        read_only_fields = fields

    def get_meetings(self, series: MeetingSeries) -> list[dict[str, Any]]:
        return [{"id": pk, "date": day.isoformat()} for pk, day in series.meetings.values_list("pk", "date")]


class SeriesMeetingEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True)
    status = serializers.ChoiceField(choices=Meeting.Status.choices, read_only=True)


class SeriesDetailSerializer(SeriesSerializer):
    """A series: its recurrence, its details, who is invited, and its meetings that the caller may see."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    frequency_label = serializers.CharField(source="get_frequency_display", read_only=True)
    agency = NamedEntrySerializer(read_only=True, help_text="The agency that runs the series.")
    invited_agencies = NamedEntrySerializer(many=True, read_only=True)
    invited_people = WorkerSerializer(many=True, read_only=True)

    class Meta(SeriesSerializer.Meta):
        fields = [
            *SeriesSerializer.Meta.fields[:2],
            "kind_label",
            "frequency_label",
            *SeriesSerializer.Meta.fields[2:],
            "agency",
            "invited_agencies",
            "invited_people",
        ]
        read_only_fields = fields

    @extend_schema_field(SeriesMeetingEntrySerializer(many=True))
    def get_meetings(self, series: MeetingSeries) -> list[dict[str, Any]]:
        return [
            {"id": pk, "date": day.isoformat(), "status": state}
            for pk, day, state in self.context["meetings"].values_list("pk", "date", "status")
        ]


class SeriesUpdatedSerializer(SeriesDetailSerializer):
    """The changed series, and what happened to its meetings."""

    meetings_changed = serializers.IntegerField(
        read_only=True, help_text="Scheduled meetings to come that took the new details."
    )
    meetings_cancelled = serializers.IntegerField(
        read_only=True, help_text="Scheduled meetings after a last date brought earlier, now cancelled."
    )
    meetings_created = serializers.IntegerField(
        read_only=True, help_text="Meetings added for a last date moved later or cleared."
    )

    class Meta(SeriesDetailSerializer.Meta):
        fields = [*SeriesDetailSerializer.Meta.fields, "meetings_changed", "meetings_cancelled", "meetings_created"]
        read_only_fields = fields


class SeriesUpdateSerializer(serializers.Serializer):
    """The fields to change (any of them), and the version read. The recurrence (kind, frequency, first
    date) cannot change: end the series (its last date) and schedule a new one."""

    version = serializers.IntegerField(min_value=1, help_text="The series' version as you read it.")
    title = serializers.CharField(required=False, allow_blank=True, max_length=150)
    starts_at = serializers.TimeField(required=False, error_messages={"invalid": "Enter the start time like 10:00"})
    duration_minutes = serializers.IntegerField(required=False)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    online_link = serializers.CharField(required=False, allow_blank=True, max_length=200)
    chair = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        error_messages={"does_not_exist": "The chair must be a panel chair"},
    )
    invited_agencies = serializers.PrimaryKeyRelatedField(many=True, queryset=Agency.objects.all(), required=False)
    invited_people = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.all(), required=False)
    until = ApiDateField(
        required=False,
        allow_null=True,
        help_text="The last date a meeting may fall on: set it to end the series, null to keep meeting.",
        error_messages={"invalid": "The last date must be a real date, in the format YYYY-MM-DD"},
    )


# --- Views -----------------------------------------------------------------------------------------


def _with_people(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.select_related("chair__agency", "agency").prefetch_related(
        Prefetch("invited_agencies", queryset=Agency.objects.order_by("name")),
        Prefetch("invited_people", queryset=User.objects.select_related("agency").order_by("last_name", "pk")),
    )


def _meeting_or_404(request: Request, pk: int) -> Meeting:
    try:
        return meeting_get_for_user(request_user(request), pk)
    except Http404 as error:
        raise NotFound("No such meeting.") from error


def _detail(request: Request, meeting: Meeting, code: int = status.HTTP_200_OK) -> Response:
    fresh = _with_people(Meeting.objects.filter(pk=meeting.pk)).get()
    items = agenda_as_seen_by(request_user(request), fresh, path=request.path)
    return Response(MeetingDetailSerializer(fresh, context={"items": items}).data, status=code)


class MeetingFilterSerializer(serializers.Serializer):
    """The meetings list's filters: a value it does not know is refused, not taken as no filter."""

    when = serializers.ChoiceField(choices=["upcoming", "past"], required=False, default="upcoming")
    kind = serializers.ChoiceField(choices=MeetingKind.choices, required=False, allow_blank=True, default="")


class MeetingListView(GenericAPIView):
    """The meetings the caller may see; schedule one (panel chairs)."""

    serializer_class = MeetingSerializer

    @extend_schema(
        parameters=[MeetingFilterSerializer],
        responses={200: MeetingSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        """List the meetings you may see.

        Meetings you chair or are invited to (in person or through your agency), and, for panel chairs, those your
        agency runs. Upcoming (soonest first) by default; ?when=past for past ones (latest first); ?kind= for one
        kind.
        """
        filters = MeetingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        meetings = _with_people(meetings_for_list(request_user(request), **filters.validated_data))
        page = self.paginate_queryset(meetings)
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)

    @extend_schema(
        request=MeetingCreateSerializer, responses={201: MeetingDetailSerializer, 409: REFUSED, 403: FORBIDDEN}
    )
    def post(self, request: Request) -> Response:
        """Schedule a meeting.

        Panel chairs only. One meeting (an ad hoc case conference, or a panel outside any series); the chair must
        be a panel chair; the date today or later, or up to IOM_MEETING_RECORD_DAYS_BACK days back (28 by default)
        to record a meeting already held, which its chair then runs through the run endpoints; a location or an
        online link.
        """
        user = request_user(request)
        if not may_chair_meetings(user):
            raise PermissionDenied(NOT_A_PANEL_CHAIR)
        serializer = MeetingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = meeting_create(by=user, **serializer.validated_data)
        return _detail(request, meeting, status.HTTP_201_CREATED)


class MeetingDetailView(APIView):
    """One meeting and its agenda; change it (its chair)."""

    @extend_schema(responses={200: MeetingDetailSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a meeting and its agenda.

        Everyone who may see the meeting; others 404. The agenda is as your agency may see it: an item it may not
        see under the information sharing agreements is restricted, without its content.
        """
        return _detail(request, _meeting_or_404(request, pk))

    @extend_schema(
        request=MeetingUpdateSerializer,
        responses={200: MeetingDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Change a scheduled meeting.

        Its chair, or a panel chair of the agency that runs it. Send the version you read: a change from an older
        version is refused with 409. A new date must be free in the meeting's series, and not further back than a
        meeting already held may be recorded (IOM_MEETING_RECORD_DAYS_BACK days).
        """
        user = request_user(request)
        meeting = _meeting_or_404(request, pk)
        if not may_chair(user, meeting):
            raise PermissionDenied(NOT_THE_CHAIR)
        serializer = MeetingUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        meeting = meeting_update(meeting=meeting, by=user, version=version, **data)
        return _detail(request, meeting)


class MeetingSeriesView(APIView):
    """Schedule a series of meetings (panel chairs)."""

    @extend_schema(request=SeriesCreateSerializer, responses={201: SeriesSerializer, 409: REFUSED, 403: FORBIDDEN})
    def post(self, request: Request) -> Response:
        """Schedule a series of meetings.

        Panel chairs only. A selection panel meets weekly, every 2 weeks or monthly; a MAP meeting weekly or every
        2 weeks; a Y2A transfer panel quarterly. Its meetings are generated six months ahead (or to its last date)
        and kept six months ahead daily. A monthly series on the 29th to 31st meets on the last day of shorter
        months.
        """
        user = request_user(request)
        if not may_chair_meetings(user):
            raise PermissionDenied(NOT_A_PANEL_CHAIR)
        serializer = SeriesCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        series = series_create(by=user, **serializer.validated_data)
        fresh = MeetingSeries.objects.select_related("chair__agency").get(pk=series.pk)
        return Response(SeriesSerializer(fresh).data, status=status.HTTP_201_CREATED)


def _series_or_404(request: Request, pk: int) -> MeetingSeries:
    try:
        return series_get_for_user(request_user(request), pk)
    except Http404 as error:
        raise NotFound("No such meeting series.") from error


def _series_detail(request: Request, series: MeetingSeries, **counts: int) -> dict[str, Any]:
    fresh = (
        MeetingSeries.objects.select_related("chair__agency", "agency")
        .prefetch_related(
            Prefetch("invited_agencies", queryset=Agency.objects.order_by("name")),
            Prefetch("invited_people", queryset=User.objects.select_related("agency").order_by("last_name", "pk")),
        )
        .get(pk=series.pk)
    )
    meetings = meetings_visible_to(request_user(request)).filter(series_id=series.pk).order_by("date", "pk")
    serializer = SeriesUpdatedSerializer if counts else SeriesDetailSerializer
    for name, count in counts.items():
        setattr(fresh, name, count)
    return serializer(fresh, context={"meetings": meetings}).data


class MeetingSeriesDetailView(APIView):
    """One series; change it (its chair, or a panel chair of the agency running it)."""

    @extend_schema(responses={200: SeriesDetailSerializer, 404: SERIES_NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a series of meetings.

        Everyone who may see one of its meetings; others 404. Its meetings are those you may see.
        """
        return Response(_series_detail(request, _series_or_404(request, pk)))

    @extend_schema(
        request=SeriesUpdateSerializer,
        responses={
            200: SeriesUpdatedSerializer,
            403: FORBIDDEN,
            404: SERIES_NOT_FOUND,
            409: SERIES_STALE,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Change a series of meetings.

        Its chair, or a panel chair of the agency that runs it. Send the version you read: a change from an older
        version is refused with 409. Its title, time, length, place, online link, chair, invitations and last date
        can change; not its kind, frequency or first date (end it and schedule a new one). The change reaches its
        meetings dated today or later that are still scheduled, never their dates; a last date brought earlier
        cancels the scheduled meetings after it, and one moved later or cleared adds the meetings to come.
        """
        user = request_user(request)
        series = _series_or_404(request, pk)
        if not may_chair_series(user, series):
            raise PermissionDenied(NOT_THE_SERIES_CHAIR)
        serializer = SeriesUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        done = series_update(series=series, by=user, version=version, **data)
        return Response(
            _series_detail(
                request,
                done.series,
                meetings_changed=done.changed,
                meetings_cancelled=done.cancelled,
                meetings_created=done.created,
            )
        )
