"""A person's consent to share, through the API (/api/v1/people/{id}/consent/): the same selector
and service as the consent page (cohorts/records/views.py, nominal_consent). A person the caller's agency
may not see is 404; what is shared follows a recorded consent, or its withdrawal, from the next
request.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts.records.api import (
    NOT_FOUND,
    NamedEntrySerializer,
    nominal_or_404,
    request_user,
)
from cohorts.records.models import Consent
from cohorts.records.selectors import consents_for_user
from cohorts.records.services import consent_record, nominal_view_log
from sharing.api import DataCategorySerializer
from sharing.models import Agency, DataCategory, User
from ui.dates import ApiDateField


class ConsentSerializer(serializers.ModelSerializer):
    """One record of the person's consent to share, or its withdrawal."""

    agency = NamedEntrySerializer(read_only=True, allow_null=True, help_text="Null: sharing with every agency.")
    category = DataCategorySerializer(read_only=True, allow_null=True, help_text="Null: every category.")
    recorded_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Consent
        fields = ["id", "given", "agency", "category", "recorded_on", "recorded_by", "recorded_at", "note"]
        read_only_fields = fields
        extra_kwargs = {"given": {"help_text": "true: consent given; false: consent refused or withdrawn."}}


class ConsentCreateSerializer(serializers.Serializer):
    """Consent given, or refused or withdrawn: for one agency or every agency, one category or every one."""

    given = serializers.BooleanField(help_text="true: consent given; false: consent refused or withdrawn.")
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Id of the agency it concerns sharing with; leave out for every agency.",
    )
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=DataCategory.objects.all(),
        required=False,
        allow_null=True,
        help_text="The data category's code, e.g. substance-misuse; leave out for every category.",
    )
    recorded_on = ApiDateField(
        help_text="The date consent was given or withdrawn: today or earlier.",
        error_messages={"invalid": "The date given or withdrawn must be a real date, in the format YYYY-MM-DD"},
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class NominalConsentView(APIView):
    """The person's consent records that concern the caller's agency; record another."""

    @extend_schema(responses={200: ConsentSerializer(many=True), 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """List a person's consent records.

        The records your agency made, or that concern sharing with your agency or every agency, newest first.
        """
        nominal = nominal_or_404(request, pk)
        consents = consents_for_user(request_user(request), nominal)
        nominal_view_log(user=request_user(request), nominal=nominal, categories=["identity"], path=request.path)
        return Response(ConsentSerializer(consents, many=True).data)

    @extend_schema(
        request=ConsentCreateSerializer,
        responses={201: ConsentSerializer, 400: OpenApiResponse(description="Field errors."), 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Record a person's consent, or its withdrawal.

        The most recent record that applies decides: what is shared under clauses that ask for consent follows it
        from the next request.
        """
        nominal = nominal_or_404(request, pk)
        serializer = ConsentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = consent_record(nominal=nominal, by=request_user(request), **serializer.validated_data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)
