"""GPS tags through the API: a person's tags (counts; their content given a reason), fitting and
removing a tag, recording a hit and its outcome. The same selectors and services as the pages
(cohorts/tags/services.py), the same 404s and 403s; intelligence content only with a reason, logged."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.access import reasons_to_see_nominal
from cohorts.models import AccessEvent
from cohorts.records.api import (
    FORBIDDEN,
    NOT_FOUND,
    REFUSED,
    NamedEntrySerializer,
    SensitiveReasonSerializer,
    WorkerSerializer,
    nominal_or_404,
    request_user,
)
from cohorts.records.models import Nominal
from cohorts.records.services import access_event_record, nominal_view_log
from cohorts.tags.models import TagHit, TagPeriod
from cohorts.tags.services import (
    TAG_CATEGORY,
    check_tag_recorder,
    may_record_tags,
    tag_fit,
    tag_get_for_user,
    tag_hit_get_for_user,
    tag_hit_outcome,
    tag_hit_record,
    tag_remove,
    tag_summary_for_user,
    tags_for_user,
)
from sharing.models import User
from ui.dates import ApiDateField


def _real_date(label: str) -> dict[str, Any]:
    return {"invalid": f"The {label} must be a real date, in the format YYYY-MM-DD", "required": f"Enter the {label}"}


class TagHitSerializer(serializers.ModelSerializer):
    """A location hit: when it was notified, the crime reference, the outcome."""

    notified_on = serializers.DateField(source="item.occurred_on", read_only=True)
    recorded_by = WorkerSerializer(source="item.recorded_by", read_only=True)
    agency = NamedEntrySerializer(source="item.owning_agency", read_only=True)
    note = serializers.CharField(source="item.detail", read_only=True)
    # Strings, not enums: the schema's enum names collide across features on "outcome" and "status".
    outcome = serializers.CharField(read_only=True, help_text="pending, ruled_in or ruled_out.")

    class Meta:
        model = TagHit
        fields = ["id", "notified_on", "crime_reference", "outcome", "outcome_on", "recorded_by", "agency", "note"]
        read_only_fields = fields


class TagPeriodSerializer(serializers.ModelSerializer):
    """A tag period, with the hits your agency may see (newest first)."""

    recorded_by = WorkerSerializer(source="item.recorded_by", read_only=True)
    agency = NamedEntrySerializer(source="item.owning_agency", read_only=True)
    note = serializers.CharField(source="item.detail", read_only=True)
    hits = TagHitSerializer(source="shown_hits", many=True, read_only=True)

    class Meta:
        model = TagPeriod
        fields = [
            "id",
            "basis",
            "fitted_on",
            "ends_by",
            "removed_on",
            "removal_reason",
            "recorded_by",
            "agency",
            "note",
            "hits",
        ]
        read_only_fields = fields


class TagSummarySerializer(serializers.Serializer):
    """What is said without a reason: counts only."""

    fitted = serializers.BooleanField(read_only=True, help_text="A tag your agency may see is on now.")
    tags = serializers.IntegerField(read_only=True, help_text="Tag periods your agency may see.")
    hits_pending = serializers.IntegerField(read_only=True, help_text="Location hits pending an outcome.")
    withheld = serializers.IntegerField(
        read_only=True, help_text="Tags and hits recorded by agencies that do not share intelligence with yours."
    )
    may_record = serializers.BooleanField(read_only=True, help_text="You may fit and remove tags and record hits.")


class TagRecordSerializer(serializers.Serializer):
    periods = TagPeriodSerializer(many=True, read_only=True, help_text="Newest first.")
    withheld = serializers.IntegerField(read_only=True)


class TagFitSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(
        choices=TagPeriod.Basis.choices,
        default=TagPeriod.Basis.LICENCE,
        error_messages={"invalid_choice": "Choose what the tag is a condition of"},
    )
    fitted_on = ApiDateField(help_text="Today or in the past.", error_messages=_real_date("fitting date"))
    ends_by = ApiDateField(
        help_text="After fitting; on a licence condition, at most 12 months after.",
        error_messages=_real_date("date the tag is due off"),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class TagRemoveSerializer(serializers.Serializer):
    removed_on = ApiDateField(error_messages=_real_date("removal date"))
    reason = serializers.CharField(
        max_length=200,
        error_messages={"blank": "Enter why the tag was removed", "required": "Enter why the tag was removed"},
    )


class TagHitRecordSerializer(serializers.Serializer):
    notified_on = ApiDateField(
        help_text="Within the tag period, not in the future.", error_messages=_real_date("date the hit was notified")
    )
    crime_reference = serializers.CharField(
        max_length=50,
        error_messages={"blank": "Enter the crime reference", "required": "Enter the crime reference"},
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class TagHitOutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(
        help_text="ruled_in or ruled_out.",
        error_messages={
            "blank": "Choose whether the hit was ruled in or ruled out",
            "required": "Choose whether the hit was ruled in or ruled out",
        },
    )
    outcome_on = ApiDateField(error_messages=_real_date("date of the outcome"))

    def validate_outcome(self, outcome: str) -> str:
        if outcome not in (TagHit.Outcome.RULED_IN, TagHit.Outcome.RULED_OUT):
            raise ValidationError("Choose whether the hit was ruled in or ruled out")
        return outcome


def _recorder(request: Request, pk: int) -> tuple[Nominal, User]:
    nominal = nominal_or_404(request, pk)
    user = request_user(request)
    check_tag_recorder(user)
    return nominal, user


def _with_hits(user: User, nominal: Nominal, tag: TagPeriod) -> TagPeriod:
    """The tag as the list shows it, with the hits the user's agency may see."""
    return next(t for t in tags_for_user(user, nominal).periods if t.pk == tag.pk)


class NominalTagsView(APIView):
    """A person's GPS tags: counts; fit a tag."""

    @extend_schema(responses={200: TagSummarySerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Count a person's GPS tags and pending location hits.

        Every agency that sees the person. Tags are intelligence, a sensitive category: their content is read with
        a reason (POST .../tags/read/). Each call is logged.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        summary = tag_summary_for_user(user, nominal)
        nominal_view_log(user=user, nominal=nominal, categories=["identity"], path=request.path)
        data = {**asdict(summary), "may_record": may_record_tags(user)}
        return Response(TagSummarySerializer(data).data)

    @extend_schema(
        request=TagFitSerializer, responses={201: TagPeriodSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Record a GPS tag fitted to a person.

        Practitioners, supervisors and panel chairs of the IOM team (police and probation). Recorded as an
        intelligence item owned by your agency. One tag at a time.
        """
        nominal, user = _recorder(request, pk)
        serializer = TagFitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tag = tag_fit(nominal=nominal, by=user, **serializer.validated_data)
        return Response(TagPeriodSerializer(_with_hits(user, nominal, tag)).data, status=status.HTTP_201_CREATED)


class TagsReadView(APIView):
    """A person's GPS tags and hits, given a reason."""

    @extend_schema(
        request=SensitiveReasonSerializer, responses={200: TagRecordSerializer, 409: REFUSED, 404: NOT_FOUND}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Read a person's GPS tags and location hits, giving a reason.

        The tags and hits your agency may see under the sharing rules (intelligence). The reason is recorded in the
        access log with your name.
        """
        nominal = nominal_or_404(request, pk)
        user = request_user(request)
        serializer = SensitiveReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = tags_for_user(user, nominal)
        access_event_record(
            user=user,
            action=AccessEvent.Action.VIEW_SENSITIVE,
            nominal=nominal,
            categories=[TAG_CATEGORY],
            allowed_by="; ".join(reasons_to_see_nominal(user.agency, nominal)) or "System administration",
            reason=serializer.validated_data["reason"],
            path=request.path,
        )
        return Response(TagRecordSerializer(record).data)


class TagRemoveView(APIView):
    @extend_schema(
        request=TagRemoveSerializer, responses={200: TagPeriodSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND}
    )
    def post(self, request: Request, pk: int, tag_pk: int) -> Response:
        """Record that a GPS tag was removed."""
        nominal, user = _recorder(request, pk)
        try:
            tag = tag_get_for_user(user, nominal, tag_pk)
        except TagPeriod.DoesNotExist as error:
            raise NotFound("No such tag.") from error
        serializer = TagRemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tag = tag_remove(tag=tag, by=user, **serializer.validated_data)
        return Response(TagPeriodSerializer(_with_hits(user, nominal, tag)).data)


class TagHitsView(APIView):
    @extend_schema(
        request=TagHitRecordSerializer, responses={201: TagHitSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND}
    )
    def post(self, request: Request, pk: int, tag_pk: int) -> Response:
        """Record a location hit notified by the central monitoring team.

        Pending until ruled in or out. Recorded as an intelligence item owned by your agency.
        """
        nominal, user = _recorder(request, pk)
        try:
            tag = tag_get_for_user(user, nominal, tag_pk)
        except TagPeriod.DoesNotExist as error:
            raise NotFound("No such tag.") from error
        serializer = TagHitRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        hit = tag_hit_record(tag=tag, by=user, **serializer.validated_data)
        return Response(TagHitSerializer(hit).data, status=status.HTTP_201_CREATED)


class TagHitOutcomeView(APIView):
    @extend_schema(
        request=TagHitOutcomeSerializer, responses={200: TagHitSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND}
    )
    def post(self, request: Request, pk: int, hit_pk: int) -> Response:
        """Rule a pending location hit in or out."""
        nominal, user = _recorder(request, pk)
        try:
            hit = tag_hit_get_for_user(user, nominal, hit_pk)
        except TagHit.DoesNotExist as error:
            raise NotFound("No such hit.") from error
        serializer = TagHitOutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        hit = tag_hit_outcome(hit=hit, by=user, **serializer.validated_data)
        return Response(TagHitSerializer(hit).data)
