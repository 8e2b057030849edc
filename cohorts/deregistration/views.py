"""Deregistration pages: propose from the person page, the proposals waiting for a panel
chair, and a proposal's page where a chair ratifies it or not and the proposer or the IOM team
withdraws it. Thin: parse, call cohorts/deregistration/services.py, render. A person (or a proposal about a
person) the user may not see is a 404; one they see but may not act on, a 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cohorts.access import current_memberships, today
from cohorts.deregistration.forms import DecisionForm, ProposeForm, WithdrawForm
from cohorts.deregistration.models import Deregistration
from cohorts.deregistration.services import (
    NOT_A_CHAIR,
    check_proposer,
    check_ratifier,
    check_withdrawer,
    deregistration_get_for_user,
    deregistration_not_ratify,
    deregistration_propose,
    deregistration_ratify,
    deregistration_withdraw,
    deregistrations_of,
    deregistrations_waiting,
    may_propose,
    may_ratify,
    may_withdraw,
)
from cohorts.management.models import CohortMembership
from cohorts.records.models import Nominal
from cohorts.records.panels import PanelResult
from cohorts.records.selectors import current_assignments_of, nominal_or_404
from cohorts.records.services import nominal_search_log, nominal_view_log
from sharing.error_policy import refusals_on
from sharing.http import signed_in_user
from sharing.models import User

PAGE_SIZE = 50
CATEGORIES = ["identity"]  # who leaves IOM and why is the cohort's business, as RAG ratings are


def _deregistration_or_404(user: User, pk: int) -> Deregistration:
    try:
        return deregistration_get_for_user(user, pk)
    except Deregistration.DoesNotExist as error:
        raise Http404("No such proposal") from error


def deregistration_panel(request: HttpRequest, nominal: Nominal) -> PanelResult:
    """The person page's "Leaving IOM" panel: why each past period ended, a proposal waiting, and
    "Propose deregistration" for the lead professional and the IOM team; and the timeline link.
    Three queries."""
    user = signed_in_user(request)
    deregistrations = deregistrations_of(nominal)
    on_cohort = current_memberships(today()).filter(nominal=nominal, ended_on__isnull=True).exists()
    waiting = next((d for d in deregistrations if d.status == Deregistration.Status.PROPOSED), None)
    assignments = current_assignments_of(nominal)  # read whatever the state: the same queries for everyone
    propose = on_cohort and waiting is None and may_propose(user, assignments)
    return "cohorts/deregistration/_person_panel.html", {
        "left": [d for d in deregistrations if d.status == Deregistration.Status.RATIFIED],
        "waiting": waiting,
        "may_propose": propose,
    }


@require_http_methods(["GET", "POST"])
def deregistration_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose that the person leave IOM, with a reason and an explanation."""
    user = signed_in_user(request)
    nominal = nominal_or_404(user, pk)
    check_proposer(user, nominal)
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            proposal = deregistration_propose(nominal=nominal, by=user, **form.cleaned_data)
            messages.success(request, "The proposal has been sent to the panel chairs.")
            return redirect("deregistration-detail", pk=proposal.pk)
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=CATEGORIES, path=request.path)
    on_cohort = CohortMembership.objects.filter(nominal=nominal, ended_on__isnull=True).exists()
    return render(
        request,
        "cohorts/deregistration/propose.html",
        {"nominal": nominal, "form": form, "on_cohort": on_cohort},
        status=400 if form.errors else 200,
    )


@require_GET
def deregistrations_waiting_view(request: HttpRequest) -> HttpResponse:
    """Proposals waiting for a panel chair, oldest first, of the people the chair's agency may see."""
    user = signed_in_user(request)
    check_ratifier(user)
    page = Paginator(deregistrations_waiting(user), PAGE_SIZE).get_page(request.GET.get("page"))
    nominal_search_log(
        user=user,
        nominal_ids=[d.nominal_id for d in page.object_list],
        categories=CATEGORIES,
        query=request.GET.urlencode(),
        path=request.path,
    )
    return render(request, "cohorts/deregistration/waiting.html", {"page": page})


@require_http_methods(["GET", "POST"])
def deregistration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposal; a panel chair ratifies it (the last day on IOM) or not (saying why)."""
    user = signed_in_user(request)
    deregistration = _deregistration_or_404(user, pk)
    chair = may_ratify(user)
    waiting = deregistration.status == Deregistration.Status.PROPOSED
    if request.method == "POST" and not chair:
        raise PermissionDenied(NOT_A_CHAIR)
    form = DecisionForm(request.POST or None) if chair and (waiting or request.method == "POST") else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        with refusals_on(form):
            if data["decision"] == "ratify":
                deregistration_ratify(
                    deregistration=deregistration, by=user, ends_on=data["ends_on"], note=data["note"]
                )
                done = f"Ratified: {deregistration.nominal.full_name} leaves IOM. Their record stays."
            else:
                deregistration_not_ratify(deregistration=deregistration, by=user, note=data["note"])
                done = f"Not ratified: {deregistration.nominal.full_name} stays on IOM."
            messages.success(request, done)
            return redirect("deregistration-detail", pk=deregistration.pk)
    if request.method == "GET":
        nominal_view_log(user=user, nominal=deregistration.nominal, categories=CATEGORIES, path=request.path)
    return render(
        request,
        "cohorts/deregistration/detail.html",
        {
            "deregistration": deregistration,
            "nominal": deregistration.nominal,
            "form": form,
            "may_withdraw": waiting and may_withdraw(user, deregistration),
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def deregistration_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Check, then withdraw a proposal waiting for a panel chair."""
    user = signed_in_user(request)
    deregistration = _deregistration_or_404(user, pk)
    check_withdrawer(user, deregistration)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            deregistration_withdraw(deregistration=deregistration, by=user, note=form.cleaned_data["note"])
            messages.success(request, "The proposal has been withdrawn.")
            return redirect("nominal-detail", pk=deregistration.nominal_id)
    if request.method == "GET":
        nominal_view_log(user=user, nominal=deregistration.nominal, categories=CATEGORIES, path=request.path)
    return render(
        request,
        "cohorts/deregistration/withdraw.html",
        {"deregistration": deregistration, "nominal": deregistration.nominal, "form": form},
        status=400 if form.errors else 200,
    )
