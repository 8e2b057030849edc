"""The agreements API (/api/v1/agreements/). Thin, like the pages: each endpoint calls the selectors
and services that sharing/views.py calls, so every rule lives in one place. An agreement the
caller's agency is not party to is 404, the same as one that does not exist; changing one needs an
agency administrator of a party (or a system administrator), otherwise 403.

The selectors scope every read to the caller's agency, so these views do not also run the default
permission class's object check (as in cohorts/records/api.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.forms.utils import ErrorDict
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from sharing.forms import AgreementForm
from sharing.models import Agency, DataCategory, SharingAgreement, SharingClause, User
from sharing.selectors import (
    agreement_get_for_user,
    agreements_visible_to,
    user_may_draft_agreements,
    user_may_manage_agreement,
)
from sharing.services import ClauseSpec, agreement_activate, agreement_create, agreement_end, agreement_suspend
from ui.dates import ApiDateField

NOT_FOUND = OpenApiResponse(description="No such agreement, or not one your agency is party to.")
FORBIDDEN = OpenApiResponse(description="Only an agency administrator of a party, or a system administrator.")
REFUSED = OpenApiResponse(description="The agreement's state refuses the action (wrong-state): the detail says why.")


def _real_date(label: str) -> dict[str, Any]:
    return {"invalid": f"The {label} must be a real date, in the format YYYY-MM-DD"}


# --- Serializers -----------------------------------------------------------------------------------


class AgreementPartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "short_name"]
        read_only_fields = fields


class DataCategorySerializer(serializers.ModelSerializer):
    """A data category by its code and name (agreements' clauses, items of a record)."""

    class Meta:
        model = DataCategory
        fields = ["code", "name"]
        read_only_fields = fields


class AgreementClauseSerializer(serializers.ModelSerializer):
    """One category the agreement shares, numbered as in the signed document."""

    category = DataCategorySerializer(read_only=True)

    class Meta:
        model = SharingClause
        fields = ["number", "category", "consent_required"]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    """An information sharing agreement: who shares what, why, on what legal basis, when."""

    legal_basis_name = serializers.CharField(source="get_legal_basis_display", read_only=True)
    in_force = serializers.BooleanField(
        source="is_in_force", read_only=True, help_text="Active, and today within its dates: only then it shares."
    )
    parties = AgreementPartySerializer(many=True, read_only=True)
    clauses = AgreementClauseSerializer(many=True, read_only=True)
    has_document = serializers.SerializerMethodField(help_text="Whether the signed agreement has been uploaded.")
    may_manage = serializers.SerializerMethodField(help_text="Whether you may activate, suspend or end it.")

    class Meta:
        model = SharingAgreement
        fields = [
            "id",
            "reference",
            "title",
            "purpose",
            "legal_basis",
            "legal_basis_name",
            "legal_basis_detail",
            "status",
            "in_force",
            "starts_on",
            "review_on",
            "ends_on",
            "parties",
            "clauses",
            "has_document",
            "may_manage",
        ]
        read_only_fields = fields

    def get_has_document(self, agreement: SharingAgreement) -> bool:
        return bool(agreement.document)

    def get_may_manage(self, agreement: SharingAgreement) -> bool:
        return user_may_manage_agreement(self.context["user"], agreement)


class AgreementClauseInputSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=DataCategory.objects.all(),
        help_text="The data category's code, e.g. substance-misuse.",
    )
    consent_required = serializers.BooleanField(
        default=False, help_text="Shared only while the person's recorded consent is in place."
    )


# The page form's fields the API's fields stand for, where the names differ.
_FORM_FIELD_IN_API = {"categories": "clauses", "consent_categories": "clauses"}


def _date_parts(name: str, value: datetime.date | None) -> dict[str, str]:
    """A date as the page form's day, month and year boxes."""
    if value is None:
        return {}
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


def _api_errors(form_errors: ErrorDict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, messages in form_errors.items():
        api_name = api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name
        errors.setdefault(_FORM_FIELD_IN_API.get(api_name, api_name), []).extend(str(m) for m in messages)
    return errors


class AgreementCreateSerializer(serializers.Serializer):
    """An agreement to draft, checked by the same rules, in the same words, as the page that drafts one."""

    # The terms' rules (dates in order, consent only for shared categories, the other parties active
    # agencies) live in the page's form, sharing/forms.py AgreementForm: validate() runs it.

    title = serializers.CharField(max_length=200)
    purpose = serializers.CharField(help_text="What the sharing is for, as the signed agreement says.")
    legal_basis = serializers.ChoiceField(choices=SharingAgreement.LegalBasis.choices)
    legal_basis_detail = serializers.CharField(required=False, allow_blank=True, default="")
    parties = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of the other agencies party to the agreement. Your own agency is always a party.",
    )
    clauses = AgreementClauseInputSerializer(
        many=True, help_text="The categories shared, numbered in this order as in the signed document."
    )
    starts_on = ApiDateField(error_messages=_real_date("start date"))
    review_on = ApiDateField(required=False, allow_null=True, error_messages=_real_date("review date"))
    ends_on = ApiDateField(required=False, allow_null=True, error_messages=_real_date("end date"))

    def validate_clauses(self, clauses: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # The page's checkboxes cannot name a category twice; a list can, and an agreement has one
        # clause per category.
        codes = [clause["category"].code for clause in clauses]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise serializers.ValidationError(
                f"Each data category can have only one clause ({', '.join(repeated)} is named more than once)"
            )
        return clauses

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        own_agency: Agency = self.context["own_agency"]
        clauses = attrs["clauses"]
        form = AgreementForm(
            {
                "title": attrs["title"],
                "purpose": attrs["purpose"],
                "legal_basis": attrs["legal_basis"],
                "legal_basis_detail": attrs["legal_basis_detail"],
                # The page offers only the other agencies; the drafter's own is added by the service.
                "parties": [pk for pk in attrs["parties"] if pk != own_agency.pk],
                "categories": [clause["category"].pk for clause in clauses],
                "consent_categories": [clause["category"].pk for clause in clauses if clause["consent_required"]],
                **_date_parts("starts_on", attrs["starts_on"]),
                **_date_parts("review_on", attrs.get("review_on")),
                **_date_parts("ends_on", attrs.get("ends_on")),
            },
            own_agency=own_agency,
        )
        if not form.is_valid():
            raise serializers.ValidationError(_api_errors(form.errors))
        return {**attrs, "parties": list(form.cleaned_data["parties"])}


# --- Views -----------------------------------------------------------------------------------------


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _agreement_or_404(user: User, pk: int) -> SharingAgreement:
    try:
        return agreement_get_for_user(user, pk)
    except SharingAgreement.DoesNotExist as error:
        raise NotFound("No such agreement.") from error


class AgreementListView(GenericAPIView):
    """The agreements the caller's agency is party to, or draft a new one."""

    serializer_class = AgreementSerializer

    @extend_schema(responses={200: AgreementSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """List agreements.

        The information sharing agreements your agency is party to (system administrators: all).
        """
        user = _user(request)
        page = self.paginate_queryset(agreements_visible_to(user)) or []
        return self.get_paginated_response(AgreementSerializer(page, many=True, context={"user": user}).data)

    @extend_schema(
        request=AgreementCreateSerializer,
        responses={201: AgreementSerializer, 400: OpenApiResponse(description="Field errors."), 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        """Draft an agreement.

        Agency administrators and system administrators only. The draft has your agency as a party and shares
        nothing until it is activated. The API takes no document: to attach the signed agreement, draft it on the
        agreements page instead.
        """
        user = _user(request)
        if not user_may_draft_agreements(user):
            raise PermissionDenied("Only an agency administrator can draft an agreement.")
        serializer = AgreementCreateSerializer(data=request.data, context={"own_agency": user.agency})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = agreement_create(
            by=user,
            title=data["title"],
            purpose=data["purpose"],
            legal_basis=data["legal_basis"],
            legal_basis_detail=data["legal_basis_detail"],
            parties=data["parties"],
            clauses=[ClauseSpec(clause["category"], clause["consent_required"]) for clause in data["clauses"]],
            starts_on=data["starts_on"],
            review_on=data.get("review_on"),
            ends_on=data.get("ends_on"),
        )
        agreement = agreement_get_for_user(user, created.pk)
        return Response(
            AgreementSerializer(agreement, context={"user": user}).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-agreement-detail", args=[agreement.pk])},
        )


class AgreementDetailView(APIView):
    """One agreement the caller's agency is party to."""

    @extend_schema(responses={200: AgreementSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """Read an agreement."""
        user = _user(request)
        agreement = _agreement_or_404(user, pk)
        return Response(AgreementSerializer(agreement, context={"user": user}).data)


ACTION_RESPONSES = {200: AgreementSerializer, 409: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND}


class _AgreementActionView(APIView):
    """Activate, suspend or end an agreement, as the page's confirmation does."""

    def act(self, request: Request, pk: int, service: Callable[..., SharingAgreement]) -> Response:
        user = _user(request)
        agreement = _agreement_or_404(user, pk)
        if not user_may_manage_agreement(user, agreement):
            raise PermissionDenied("Only an agency administrator of a party can change an agreement.")
        service(agreement=agreement, by=user)
        changed = agreement_get_for_user(user, agreement.pk)
        return Response(AgreementSerializer(changed, context={"user": user}).data)


class AgreementActivateView(_AgreementActionView):
    @extend_schema(request=None, responses=ACTION_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        """Activate an agreement.

        Bring a draft or suspended agreement into force: from now, the parties see what it shares about everyone on
        the IOM cohort.
        """
        return self.act(request, pk, agreement_activate)


class AgreementSuspendView(_AgreementActionView):
    @extend_schema(request=None, responses=ACTION_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        """Suspend an agreement.

        Sharing under it stops at once; it can be activated again later.
        """
        return self.act(request, pk, agreement_suspend)


class AgreementEndView(_AgreementActionView):
    @extend_schema(request=None, responses=ACTION_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        """End an agreement.

        Sharing under it stops at once, for good, from today. This cannot be undone.
        """
        return self.act(request, pk, agreement_end)
