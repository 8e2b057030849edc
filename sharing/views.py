"""Information sharing agreement pages: every user reads the agreements their agency is party to;
agency administrators draft, activate, suspend and end them."""

from __future__ import annotations

from typing import Any

import pghistory.models
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sharing.error_policy import refusals_on
from sharing.errors import DomainError
from sharing.forms import AgreementForm, DocumentForm, agreement_initial
from sharing.http import signed_in_user
from sharing.models import SharingAgreement
from sharing.selectors import (
    agreement_get_for_user,
    agreements_visible_to,
    user_may_draft_agreements,
    user_may_manage_agreement,
)
from sharing.services import (
    ClauseSpec,
    agreement_activate,
    agreement_attach_document,
    agreement_create,
    agreement_end,
    agreement_suspend,
    agreement_update_draft,
)


def _agreement_or_404(request: HttpRequest, pk: int) -> SharingAgreement:
    try:
        return agreement_get_for_user(signed_in_user(request), pk)
    except SharingAgreement.DoesNotExist as error:
        raise Http404("No such agreement") from error


def agreement_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "sharing/agreement_list.html",
        {"agreements": list(agreements_visible_to(user)), "may_draft": user_may_draft_agreements(user)},
    )


def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement_or_404(request, pk)
    history = list(
        pghistory.models.MiddlewareEvents.objects.references(agreement)
        .select_related("user")
        .order_by("-pgh_created_at")[:50]
    )
    return render(
        request,
        "sharing/agreement_detail.html",
        {
            "agreement": agreement,
            "may_manage": user_may_manage_agreement(signed_in_user(request), agreement),
            "history": history,
        },
    )


@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not user_may_draft_agreements(user):
        raise PermissionDenied("Only an agency administrator can draft an agreement.")
    form = AgreementForm(request.POST or None, request.FILES or None, own_agency=user.agency)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            agreement = agreement_create(
                by=user,
                **_agreement_fields(form.cleaned_data),
            )
            messages.success(
                request, f"{agreement.reference} has been saved as a draft. It shares nothing until it is activated."
            )
            return redirect("agreement-detail", pk=agreement.pk)
    return render(request, "sharing/agreement_form.html", {"form": form}, status=400 if form.errors else 200)


def _agreement_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The draft form's answers as the services take them."""
    consent = set(data["consent_categories"])
    return {
        "title": data["title"],
        "purpose": data["purpose"],
        "legal_basis": data["legal_basis"],
        "legal_basis_detail": data["legal_basis_detail"],
        "parties": list(data["parties"]),
        "clauses": [ClauseSpec(category, category in consent) for category in data["categories"]],
        "starts_on": data["starts_on"],
        "review_on": data["review_on"],
        "ends_on": data["ends_on"],
        "document": data["document"],
    }


@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft before it is activated."""
    agreement = _agreement_or_404(request, pk)
    user = signed_in_user(request)
    if not user_may_manage_agreement(user, agreement):
        raise PermissionDenied("Only an agency administrator of a party can change an agreement.")
    if agreement.status != SharingAgreement.Status.DRAFT:
        messages.info(request, "Only a draft can be changed. End this agreement and draft a new one instead.")
        return redirect("agreement-detail", pk=agreement.pk)
    form = AgreementForm(
        request.POST or None, request.FILES or None, own_agency=user.agency, initial=agreement_initial(agreement)
    )
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            agreement_update_draft(
                agreement=agreement,
                by=user,
                **_agreement_fields(form.cleaned_data),
            )
            messages.success(request, f"{agreement.reference} has been changed.")
            return redirect("agreement-detail", pk=agreement.pk)
    return render(
        request,
        "sharing/agreement_form.html",
        {"form": form, "agreement": agreement},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def agreement_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach the signed agreement."""
    agreement = _agreement_or_404(request, pk)
    user = signed_in_user(request)
    if not user_may_manage_agreement(user, agreement):
        raise PermissionDenied("Only an agency administrator of a party can change an agreement.")
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            agreement_attach_document(agreement=agreement, by=user, document=form.cleaned_data["document"])
            messages.success(request, "The signed agreement has been uploaded.")
            return redirect("agreement-detail", pk=agreement.pk)
    return render(
        request,
        "sharing/agreement_upload.html",
        {"form": form, "agreement": agreement},
        status=400 if form.errors else 200,
    )


ACTIONS: dict[str, dict[str, Any]] = {
    "activate": {
        "service": agreement_activate,
        "title": "Activate this agreement",
        "warning": "From now, the parties see what it shares about everyone on the IOM cohort.",
        "done": "is now active",
    },
    "suspend": {
        "service": agreement_suspend,
        "title": "Suspend this agreement",
        "warning": "Sharing under it stops at once. You can activate it again later.",
        "done": "is suspended: nothing is shared under it",
    },
    "end": {
        "service": agreement_end,
        "title": "End this agreement",
        "warning": "Sharing under it stops at once, for good. This cannot be undone.",
        "done": "has ended: nothing is shared under it",
    },
}


@require_http_methods(["GET", "POST"])
def agreement_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Confirm, then activate, suspend or end an agreement."""
    agreement = _agreement_or_404(request, pk)
    user = signed_in_user(request)
    if action not in ACTIONS:
        raise Http404("No such action")
    if not user_may_manage_agreement(user, agreement):
        raise PermissionDenied("Only an agency administrator of a party can change an agreement.")
    spec = ACTIONS[action]
    error = None
    if request.method == "POST":
        try:
            spec["service"](agreement=agreement, by=user)
        except DomainError as refused:
            error = str(refused)
        else:
            messages.success(request, f"{agreement.reference} {spec['done']}.")
            return redirect("agreement-detail", pk=agreement.pk)
    return render(
        request,
        "sharing/agreement_confirm.html",
        {"agreement": agreement, "spec": spec, "action": action, "error": error},
        status=400 if error else 200,
    )


def agreement_document(request: HttpRequest, pk: int) -> FileResponse:
    """The signed document, to the parties only (never a public media address)."""
    agreement = _agreement_or_404(request, pk)
    if not agreement.document:
        raise Http404("No document")
    return FileResponse(
        agreement.document.open("rb"),
        as_attachment=True,
        filename=(agreement.document.name or "agreement").rsplit("/", 1)[-1],
    )
