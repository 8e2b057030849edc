"""Agendas through the API: a meeting's agenda as the caller's agency may see it, and the
chair's refresh, other business, remove, restore and move. The same services as the pages
(meetings/agenda/services.py), the same 404s: a meeting the caller may not see, or may not chair for the
chair's endpoints, does not exist for them."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.models import AccessEvent
from cohorts.records.api import REFUSED, request_user
from cohorts.records.services import access_event_record
from meetings.access import items_for_agency, meeting_get_for_user, meeting_get_to_chair
from meetings.agenda.models import AgendaItem
from meetings.agenda.services import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_restore,
    agenda_refresh,
    nominal_for_chair,
)
from meetings.scheduling.models import Meeting
from sharing.models import DataCategory, User

NOT_FOUND = OpenApiResponse(description="No such meeting or item, or not one you may see (or chair).")


class AgendaItemSerializer(serializers.Serializer):
    """One item of the agenda. Where the caller's agency may not see what it is, `restricted` is true
    and every field of its content is null."""

    id = serializers.IntegerField()
    position = serializers.IntegerField()
    restricted = serializers.BooleanField(help_text="True: not shared with your agency; no content is given.")
    kind = serializers.CharField(allow_null=True)
    kind_label = serializers.CharField(allow_null=True)
    origin = serializers.CharField(allow_null=True, help_text='"built" from the data, or "added" by the chair.')
    title = serializers.CharField(allow_null=True)
    summary = serializers.CharField(allow_null=True)
    nominal = serializers.IntegerField(allow_null=True, help_text="The person's id, if it is about a person.")
    owning_agency = serializers.CharField(allow_null=True)
    category = serializers.CharField(allow_null=True, help_text="The data category's code.")
    on_agenda = serializers.BooleanField(help_text="False: taken off by the chair, or its data no longer qualifies.")
    decided = serializers.BooleanField()

    def to_representation(self, instance: AgendaItem) -> dict[str, Any]:
        shown = bool(getattr(instance, "visible", False))
        return {
            "id": instance.pk,
            "position": instance.position,
            "restricted": not shown,
            "kind": instance.kind if shown else None,
            "kind_label": instance.get_kind_display() if shown else None,
            "origin": instance.source if shown else None,
            "title": instance.title if shown else None,
            "summary": instance.summary if shown else None,
            "nominal": instance.nominal_id if shown else None,
            "owning_agency": instance.owning_agency.name if shown and instance.owning_agency else None,
            "category": instance.category.code if shown and instance.category else None,
            "on_agenda": instance.is_on_agenda,
            "decided": instance.is_decided,
        }


class AgendaSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    built_at = serializers.DateTimeField(allow_null=True)
    items = AgendaItemSerializer(many=True)


class OtherBusinessSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, error_messages={"required": "Enter what the item is about"})
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    nominal = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A person your agency may see (their id)."
    )
    category = serializers.SlugField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The data category's code; needed for an item about a person.",
    )


class MoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


def _agenda(request: Request, meeting: Meeting, code: int = status.HTTP_200_OK) -> Response:
    user = request_user(request)
    items = list(items_for_agency(meeting, user.agency))
    shown = sorted({i.nominal_id for i in items if i.nominal_id is not None and getattr(i, "visible", False)})
    if shown:
        access_event_record(
            user=user,
            action=AccessEvent.Action.VIEW,
            nominal_ids=shown,
            categories=[i.category.code for i in items if getattr(i, "visible", False) and i.category is not None],
            allowed_by="Meeting agenda",
            path=request.path,
        )
    meeting.refresh_from_db(fields=["agenda_built_at"])
    data = {"meeting": meeting.pk, "built_at": meeting.agenda_built_at, "items": items}
    return Response(AgendaSerializer(data).data, status=code)


def _item_answer(user: User, item: AgendaItem, code: int = status.HTTP_200_OK) -> Response:
    annotated = items_for_agency(item.meeting, user.agency, include_off_agenda=True).get(pk=item.pk)
    return Response(AgendaItemSerializer(annotated).data, status=code)


def _meeting_to_chair(request: Request, pk: int) -> Meeting:
    try:
        return meeting_get_to_chair(request_user(request), pk)
    except Http404 as error:
        raise NotFound("No such meeting.") from error


def _item_or_404(meeting: Meeting, item_pk: int) -> AgendaItem:
    item = AgendaItem.objects.filter(pk=item_pk, meeting_id=meeting.pk).select_related("meeting").first()
    if item is None:
        raise NotFound("No such item.")
    return item


class MeetingAgendaView(APIView):
    @extend_schema(responses={200: AgendaSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a meeting's agenda.

        Everyone who may see the meeting. The items on the agenda in order; an item whose content your agency may
        not see is restricted (no content). Logged when it shows people's information.
        """
        try:
            meeting = meeting_get_for_user(request_user(request), pk)
        except Http404 as error:
            raise NotFound("No such meeting.") from error
        return _agenda(request, meeting)


class MeetingAgendaRefreshView(APIView):
    @extend_schema(request=None, responses={200: AgendaSerializer, 409: REFUSED, 404: NOT_FOUND})
    def post(self, request: Request, pk: int) -> Response:
        """Refresh a meeting's agenda from the data.

        The chair. Adds what has become due, takes off (as dropped) what no longer is unless it was discussed or
        decided, never puts back what the chair removed. While the meeting is scheduled or in progress.
        """
        meeting = _meeting_to_chair(request, pk)
        outcome = agenda_refresh(meeting=meeting, by=request_user(request))
        return _agenda(request, outcome.meeting)


class MeetingAgendaItemsView(APIView):
    @extend_schema(request=OtherBusinessSerializer, responses={201: AgendaItemSerializer, 409: REFUSED, 404: NOT_FOUND})
    def post(self, request: Request, pk: int) -> Response:
        """Add other business to a meeting's agenda.

        The chair. At the end of the agenda. About a person your agency may see, give their id and the data
        category of what the item says: partners see it as the sharing agreements allow.
        """
        meeting = _meeting_to_chair(request, pk)
        user = request_user(request)
        serializer = OtherBusinessSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        nominal = None
        if data["nominal"] is not None:
            nominal = nominal_for_chair(user, data["nominal"])
            if nominal is None:
                raise ValidationError({"nominal": ["No such person, or not one your agency may see"]})
        category = None
        if data["category"]:
            category = DataCategory.objects.filter(code=data["category"]).first()
            if category is None:
                raise ValidationError({"category": ["No such data category"]})
        item = agenda_item_add(
            meeting=meeting,
            by=user,
            title=data["title"],
            summary=data["summary"],
            nominal=nominal,
            category=category,
        )
        return _item_answer(user, item, status.HTTP_201_CREATED)


class MeetingAgendaItemRemoveView(APIView):
    @extend_schema(request=None, responses={200: AgendaItemSerializer, 409: REFUSED, 404: NOT_FOUND})
    def post(self, request: Request, pk: int, item_pk: int) -> Response:
        """Take an item off a meeting's agenda.

        The chair. A refresh never puts it back. A decided item stays. Removing twice changes nothing.
        """
        meeting = _meeting_to_chair(request, pk)
        user = request_user(request)
        item = agenda_item_remove(item=_item_or_404(meeting, item_pk), by=user)
        return _item_answer(user, item)


class MeetingAgendaItemRestoreView(APIView):
    @extend_schema(request=None, responses={200: AgendaItemSerializer, 409: REFUSED, 404: NOT_FOUND})
    def post(self, request: Request, pk: int, item_pk: int) -> Response:
        """Put an item the chair took off back on the agenda.

        The chair. Restoring an item on the agenda changes nothing.
        """
        meeting = _meeting_to_chair(request, pk)
        user = request_user(request)
        item = agenda_item_restore(item=_item_or_404(meeting, item_pk), by=user)
        return _item_answer(user, item)


class MeetingAgendaItemMoveView(APIView):
    @extend_schema(request=MoveSerializer, responses={200: AgendaItemSerializer, 409: REFUSED, 404: NOT_FOUND})
    def post(self, request: Request, pk: int, item_pk: int) -> Response:
        """Move an item up or down within its section of the agenda.

        The chair. Refused (400) at the top or bottom of its section.
        """
        meeting = _meeting_to_chair(request, pk)
        user = request_user(request)
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = agenda_item_move(
            item=_item_or_404(meeting, item_pk), by=user, direction=serializer.validated_data["direction"]
        )
        return _item_answer(user, item)
