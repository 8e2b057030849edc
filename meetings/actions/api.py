"""Actions set in meetings through the API: your actions, one action (read, mark done, cancel), and a
meeting's actions (read, set). The same services and selectors as the pages (meetings/actions/services.py),
the same 404s and 403s."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.access import today
from cohorts.records.api import FORBIDDEN, REFUSED, WorkerSerializer, request_user
from meetings.access import may_chair, meeting_get_for_user
from meetings.actions.models import MeetingAction
from meetings.actions.services import (
    NOT_A_CHAIR,
    NOT_OWNER_OR_CHAIR,
    RESTRICTED,
    action_cancel,
    action_complete,
    action_create,
    action_get_for_user,
    actions_of_owner,
    may_complete,
    with_content_flag,
)
from meetings.agenda.models import AgendaItem
from sharing.models import User
from sharing.pagination import ListPagination
from ui.dates import ApiDateField

NOT_FOUND = OpenApiResponse(description="No such meeting or action, or not one you may see.")


class MeetingActionSerializer(serializers.ModelSerializer):
    """An action set in a meeting. What it says, and whom it is about, only where your agency may see
    the item it was set on (or you own it); otherwise `restricted` is true and they are left out."""

    meeting_title = serializers.CharField(source="meeting.title", read_only=True)
    meeting_date = serializers.DateField(source="meeting.date", read_only=True)
    owner = WorkerSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField()
    restricted = serializers.SerializerMethodField()
    nominal = serializers.SerializerMethodField(help_text="The person's id, where your agency may see the item.")
    description = serializers.SerializerMethodField()
    completed_by = WorkerSerializer(read_only=True, allow_null=True)

    class Meta:
        model = MeetingAction
        fields = [
            "id",
            "meeting",
            "meeting_title",
            "meeting_date",
            "item",
            "nominal",
            "restricted",
            "description",
            "owner",
            "due_on",
            "status",
            "status_label",
            "overdue",
            "completed_at",
            "completed_by",
            "completion_note",
            "version",
        ]
        read_only_fields = fields

    def _readable(self, action: MeetingAction) -> bool:
        user = self.context.get("user")
        return bool(getattr(action, "content_visible", False)) or (user is not None and action.owner_id == user.pk)

    def get_overdue(self, action: MeetingAction) -> bool:
        return action.status == MeetingAction.Status.OPEN and action.due_on < today()

    def get_restricted(self, action: MeetingAction) -> bool:
        return not self._readable(action)

    def get_nominal(self, action: MeetingAction) -> int | None:
        return action.nominal_id if self._readable(action) else None

    def get_description(self, action: MeetingAction) -> str:
        return action.description if self._readable(action) else RESTRICTED

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if not self._readable(instance):
            data["item"] = None
            data["completion_note"] = ""
        return data


class ActionCreateSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True).select_related("agency"),
        help_text="The user who owns the action: anyone active, in any agency.",
        error_messages={"required": "Choose who owns the action", "does_not_exist": "Choose who owns the action"},
    )
    description = serializers.CharField(max_length=4000, error_messages={"required": "Describe the action"})
    due_on = ApiDateField(
        error_messages={
            "required": "Enter the due date",
            "invalid": "The due date must be a real date, in the format YYYY-MM-DD",
        }
    )
    item = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="An agenda item's id.")


class CompleteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    version = serializers.IntegerField(
        min_value=1,
        help_text="The version you read: a newer one is refused.",
        error_messages={"required": "Send the version you read"},
    )


class CancelSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, error_messages={"required": "Say why the action is cancelled"})
    version = serializers.IntegerField(min_value=1, error_messages={"required": "Send the version you read"})


def _action_or_404(request: Request, pk: int) -> MeetingAction:
    try:
        return action_get_for_user(request_user(request), pk)
    except MeetingAction.DoesNotExist as error:
        raise NotFound("No such action.") from error


def _answer(request: Request, action: MeetingAction, code: int = status.HTTP_200_OK) -> Response:
    user = request_user(request)
    fresh = action_get_for_user(user, action.pk)
    return Response(MeetingActionSerializer(fresh, context={"user": user}).data, status=code)


class ActionsPagination(ListPagination):
    max_limit = 200


class MyActionsView(GenericAPIView):
    pagination_class = ActionsPagination
    serializer_class = MeetingActionSerializer

    @extend_schema(operation_id="meetings_actions_mine", responses={200: MeetingActionSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """Your actions from meetings.

        The actions you own: open ones first (soonest due first), then done and cancelled.
        """
        user = request_user(request)
        page = self.paginate_queryset(actions_of_owner(user).select_related("owner__agency", "completed_by__agency"))
        return self.get_paginated_response(MeetingActionSerializer(page, many=True, context={"user": user}).data)


class ActionDetailView(APIView):
    @extend_schema(responses={200: MeetingActionSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read one action from a meeting.

        Its owner, and those who see its meeting whose agency may see the item it was set on.
        """
        return _answer(request, _action_or_404(request, pk))


class ActionCompleteView(APIView):
    @extend_schema(
        request=CompleteSerializer,
        responses={200: MeetingActionSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Mark an action as done.

        Its owner, or a chair of its meeting. Send the version you read: a newer one is refused.
        """
        action = _action_or_404(request, pk)
        user = request_user(request)
        if not may_complete(user, action):
            raise PermissionDenied(NOT_OWNER_OR_CHAIR)
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action = action_complete(action=action, by=user, **serializer.validated_data)
        return _answer(request, action)


class ActionCancelView(APIView):
    @extend_schema(
        request=CancelSerializer, responses={200: MeetingActionSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Cancel an action no longer needed.

        A chair of its meeting, saying why.
        """
        action = _action_or_404(request, pk)
        user = request_user(request)
        if not may_chair(user, action.meeting):
            raise PermissionDenied(NOT_A_CHAIR)
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action = action_cancel(action=action, by=user, **serializer.validated_data)
        return _answer(request, action)


class MeetingActionsView(APIView):
    @extend_schema(
        operation_id="meetings_meeting_actions_list",
        responses={200: MeetingActionSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        """A meeting's actions.

        Everyone who sees the meeting; an action about an item your agency may not see is listed as restricted.
        """
        user = request_user(request)
        meeting = meeting_get_for_user(user, pk)
        actions = with_content_flag(
            MeetingAction.objects.filter(meeting=meeting).select_related(
                "meeting", "owner__agency", "completed_by__agency"
            ),
            user,
        ).order_by("due_on", "pk")
        return Response(MeetingActionSerializer(actions, many=True, context={"user": user}).data)

    @extend_schema(
        request=ActionCreateSerializer, responses={201: MeetingActionSerializer, 409: REFUSED, 404: NOT_FOUND}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Set an action in a meeting.

        The meeting's chair (or another panel chair of the agency running it). The owner is anyone active in any
        agency; the due date today or later; item, one of the meeting's agenda items.
        """
        user = request_user(request)
        meeting = meeting_get_for_user(user, pk)
        if not may_chair(user, meeting):
            raise NotFound("No such meeting.")
        serializer = ActionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        item_pk = data.pop("item")
        item = None
        if item_pk is not None:
            item = AgendaItem.objects.filter(meeting=meeting, pk=item_pk).first()
            if item is None:
                raise ValidationError({"item": ["That item is not on this meeting's agenda"]})
        action = action_create(meeting=meeting, by=user, item=item, **data)
        return _answer(request, action, status.HTTP_201_CREATED)
