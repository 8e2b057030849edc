"""Custody and court events through the API (/api/v1/people/<pk>/events/): the same selectors and
services as the pages (cohorts/events/services.py). A person the caller's agency may not see is 404; one in
scope whom the caller's role or agency may not record events about is 403 for a new event."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.events.models import CustodyEvent
from cohorts.events.services import (
    NOT_A_RECORDER,
    custody_event_record,
    events_for_user,
    may_record_events,
    refer_again_url,
)
from cohorts.records.api import NOT_FOUND, NamedEntrySerializer, nominal_or_404, request_user
from cohorts.records.models import OffenceType
from cohorts.records.services import nominal_view_log
from sharing.models import User
from ui.dates import ApiDateField

FORBIDDEN = OpenApiResponse(description=f"The person is in scope, but not your role or agency. {NOT_A_RECORDER}")


class CustodyEventSerializer(serializers.ModelSerializer):
    """One custody or court event, with the item it is recorded as."""

    item_id = serializers.IntegerField(source="item.pk", read_only=True)
    kind_name = serializers.CharField(source="get_kind_display", read_only=True)
    occurred_on = serializers.DateField(source="item.occurred_on", read_only=True)
    summary = serializers.CharField(source="item.summary", read_only=True)
    note = serializers.CharField(source="item.detail", read_only=True)
    owning_agency = NamedEntrySerializer(source="item.owning_agency", read_only=True)
    recorded_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(
        source="item.recorded_by", read_only=True
    )
    recorded_at = serializers.DateTimeField(source="item.recorded_at", read_only=True)
    imported_from = serializers.CharField(
        source="imported_by.file_name", read_only=True, allow_null=True, help_text="The CSV file, if imported."
    )

    class Meta:
        model = CustodyEvent
        fields = [
            "id",
            "item_id",
            "kind",
            "kind_name",
            "occurred_on",
            "summary",
            "offence_type",
            "convicted",
            "custodial",
            "release_on",
            "licence_ends_on",
            "crime_reference",
            "court",
            "note",
            "owning_agency",
            "recorded_by",
            "recorded_at",
            "imported_from",
        ]
        read_only_fields = fields


class NominalEventsSerializer(serializers.Serializer):
    events = CustodyEventSerializer(many=True, read_only=True, help_text="Newest first.")
    withheld = serializers.IntegerField(
        read_only=True, help_text="Events recorded by agencies that do not share offending and risk with yours."
    )


def _real_date(label: str) -> dict[str, Any]:
    return {"invalid": f"The {label} must be a real date, in the format YYYY-MM-DD"}


class CustodyEventCreateSerializer(serializers.Serializer):
    """A new event. Each type has its own fields: a court outcome says whether the person was
    convicted and of what, a sentence whether it is custodial, a release its date and the licence end."""

    kind = serializers.ChoiceField(
        choices=CustodyEvent.Kind.choices, error_messages={"invalid_choice": "Choose the type of event"}
    )
    occurred_on = ApiDateField(help_text="The day of the event.", error_messages=_real_date("date"))
    offence_type = serializers.ChoiceField(
        choices=OffenceType.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for a charge and a court outcome.",
        error_messages={"invalid_choice": "Choose an offence type from the list"},
    )
    convicted = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="Court outcome only.")
    custodial = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="Sentence only.")
    release_on = ApiDateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Release only, and required there: the day the person left custody.",
        error_messages=_real_date("release date"),
    )
    licence_ends_on = ApiDateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Release only: the licence's last day.",
        error_messages=_real_date("licence end date"),
    )
    crime_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    court = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CustodyEventRecordedSerializer(CustodyEventSerializer):
    previously_on_iom = serializers.SerializerMethodField(
        help_text="A release of someone who was on IOM before and is not now: refer_again is where to refer them."
    )
    refer_again = serializers.SerializerMethodField()

    class Meta(CustodyEventSerializer.Meta):
        fields = [*CustodyEventSerializer.Meta.fields, "previously_on_iom", "refer_again"]
        read_only_fields = fields

    def get_previously_on_iom(self, event: CustodyEvent) -> bool:
        return bool(self.context.get("previously_on_iom"))

    def get_refer_again(self, event: CustodyEvent) -> str | None:
        return refer_again_url(event.item.nominal_id) if self.context.get("previously_on_iom") else None


class NominalEventsView(APIView):
    """A person's custody and court events; record one."""

    @extend_schema(responses={200: NominalEventsSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read a person's custody and court events.

        The events your agency may see (its own, and those an agreement shares as offending and risk), newest
        first, and how many are withheld. Each call is logged.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        shown = events_for_user(user, nominal)
        nominal_view_log(user=user, nominal=nominal, categories=shown.categories_shown, path=request.path)
        return Response(NominalEventsSerializer({"events": shown.events, "withheld": shown.withheld}).data)

    @extend_schema(
        request=CustodyEventCreateSerializer,
        responses={
            201: CustodyEventRecordedSerializer,
            400: OpenApiResponse(description="Field errors."),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        """Record a custody or court event.

        An arrest, charge, remand, court outcome, sentence, recall or release, owned by your agency as offending
        and risk information. Custody status follows: a remand, a custodial sentence or a recall puts the person in
        custody, a release back in the community (on licence, with a licence end date). Releases are recorded when
        they happen.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        if not may_record_events(user):
            raise PermissionDenied(NOT_A_RECORDER)
        serializer = CustodyEventCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        recorded = custody_event_record(nominal=nominal, by=user, **data)
        event = CustodyEvent.objects.select_related("item__owning_agency", "item__recorded_by", "imported_by").get(
            pk=recorded.event.pk
        )
        return Response(
            CustodyEventRecordedSerializer(event, context={"previously_on_iom": recorded.previously_on_iom}).data,
            status=status.HTTP_201_CREATED,
        )
