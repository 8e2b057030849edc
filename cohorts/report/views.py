"""Management report pages: the report of a person's plan, its printable version, and the
pages adding and changing its entries. Thin: parse, call cohorts/report/services.py, render. A person the user
may not see is a 404; one they see but whose report their role does not keep, a 403; an entry of
another agency, a 404 on its change page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cohorts.records.models import Nominal
from cohorts.records.panels import PanelResult
from cohorts.records.selectors import nominal_or_404
from cohorts.records.services import nominal_view_log
from cohorts.report.forms import (
    ContactForm,
    DecisionForm,
    EnforcementForm,
    InterventionChangeForm,
    InterventionForm,
    PlanActionChangeForm,
    PlanActionForm,
)
from cohorts.report.models import Intervention, PlanAction
from cohorts.report.services import (
    ManagementReport,
    check_recorder,
    contact_record,
    decision_record,
    enforcement_record,
    intervention_of_agency,
    intervention_record,
    intervention_update,
    management_report_for_user,
    may_record,
    plan_action_of_agency,
    plan_action_record,
    plan_action_update,
    plan_summary_for_user,
)
from cohorts.reviews.services import case_leads, may_review
from sharing.error_policy import refusals_on
from sharing.http import signed_in_user
from ui.fields import version_read


def _report_url(nominal: Nominal, section: str = "") -> str:
    return reverse("management-report", args=[nominal.pk]) + (f"#{section}" if section else "")


def _report_context(request: HttpRequest, nominal: Nominal) -> tuple[ManagementReport, dict[str, Any]]:
    user = signed_in_user(request)
    report = management_report_for_user(user, nominal)
    nominal_view_log(user=user, nominal=nominal, categories=report.categories_shown, path=request.path)
    context = {
        "nominal": nominal,
        "report": report,
        "may_record": may_record(user),
        "may_review": report.schedule.on_cohort and may_review(user, case_leads(report.cohort)),
    }
    return report, context


@require_GET
def management_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's management report: the plan by pathway, interventions, decisions, contacts,
    enforcement and compliance, the review schedule; what is withheld is counted. The view is logged."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    _, context = _report_context(request, nominal)
    return render(request, "cohorts/report/report.html", context)


@require_GET
def management_report_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The same report to print for a panel or a supervisor: no navigation, a print stylesheet."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    _, context = _report_context(request, nominal)
    context["printed_by"] = signed_in_user(request)
    return render(request, "cohorts/report/report_print.html", context)


# --- Adding entries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryPage:
    """One kind of entry's add page: its form, the service that records it, and its words."""

    form: Callable[..., forms.Form]
    record: Callable[..., Any]
    title: str
    section: str
    done: str
    intro: str
    category: str = "offending and risk"
    form_takes_user: bool = False


ENTRY_PAGES = {
    "plan_action": EntryPage(
        form=PlanActionForm,
        record=plan_action_record,
        title="Add an action to the plan",
        section="plan",
        done="The action has been added to the plan.",
        intro="The action is shared as the information of its pathway: an accommodation action as accommodation, "
        "a drugs and alcohol action as substance misuse.",
        category="its pathway's category",
        form_takes_user=True,
    ),
    "intervention": EntryPage(
        form=InterventionForm,
        record=intervention_record,
        title="Add an intervention",
        section="interventions",
        done="The intervention has been added.",
        intro="An intervention on a pathway is shared as that pathway's information; one without, as offending "
        "and risk.",
        category="its pathway's category",
    ),
    "contact": EntryPage(
        form=ContactForm,
        record=contact_record,
        title="Record a contact",
        section="contacts",
        done="The contact has been recorded.",
        intro="Contacts are offending and risk information; missed ones count against compliance.",
    ),
    "decision": EntryPage(
        form=DecisionForm,
        record=decision_record,
        title="Record a decision",
        section="decisions",
        done="The decision has been recorded.",
        intro="A decision about the person's management, with the rationale a panel or a reviewer will read.",
    ),
    "enforcement": EntryPage(
        form=EnforcementForm,
        record=enforcement_record,
        title="Record an enforcement action",
        section="enforcement",
        done="The enforcement action has been recorded.",
        intro="A warning, breach, recall or arrest to enforce the person's order or licence: offending and risk "
        "information.",
    ),
}


def _entry_new(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    user = signed_in_user(request)
    nominal = nominal_or_404(user, pk)
    check_recorder(user)
    page = ENTRY_PAGES[kind]
    extra = {"user": user} if page.form_takes_user else {}
    form = page.form(request.POST or None, **extra)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            page.record(nominal=nominal, by=user, **form.cleaned_data)
            messages.success(request, page.done)
            return redirect(_report_url(nominal, page.section))
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=["identity"], path=request.path)
    return render(
        request,
        "cohorts/report/entry_form.html",
        {"nominal": nominal, "form": form, "page": page},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def plan_action_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_new(request, pk, "plan_action")


@require_http_methods(["GET", "POST"])
def intervention_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_new(request, pk, "intervention")


@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_new(request, pk, "contact")


@require_http_methods(["GET", "POST"])
def decision_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_new(request, pk, "decision")


@require_http_methods(["GET", "POST"])
def enforcement_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_new(request, pk, "enforcement")


# --- Changing entries ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_action_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Change an action's status, owner or due date (your agency's actions only)."""
    user = signed_in_user(request)
    nominal = nominal_or_404(user, pk)
    check_recorder(user)
    try:
        plan_action = plan_action_of_agency(user, nominal, item_pk)
    except PlanAction.DoesNotExist as error:
        raise Http404("No such action") from error
    form = PlanActionChangeForm(request.POST or None, user=user, plan_action=plan_action)
    version = version_read(request.POST.get("version")) if request.method == "POST" else None
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            plan_action_update(plan_action=plan_action, by=user, version=version or 0, **form.cleaned_data)
            messages.success(request, f"{plan_action.item.summary}: saved.")
            return redirect(_report_url(nominal, "plan"))
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=[plan_action.item.category.code], path=request.path)
    return render(
        request,
        "cohorts/report/entry_change.html",
        {
            "nominal": nominal,
            "form": form,
            "entry": plan_action,
            "title": "Change an action",
            "caption": f"{plan_action.get_pathway_display()}: {plan_action.item.summary}",
            "version": version or plan_action.item.version,
            "section": "plan",
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def intervention_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Change an intervention's status, provider or dates (your agency's interventions only)."""
    user = signed_in_user(request)
    nominal = nominal_or_404(user, pk)
    check_recorder(user)
    try:
        intervention = intervention_of_agency(user, nominal, item_pk)
    except Intervention.DoesNotExist as error:
        raise Http404("No such intervention") from error
    form = InterventionChangeForm(request.POST or None, intervention=intervention)
    version = version_read(request.POST.get("version")) if request.method == "POST" else None
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            intervention_update(intervention=intervention, by=user, version=version or 0, **form.cleaned_data)
            messages.success(request, f"{intervention.item.summary}: saved.")
            return redirect(_report_url(nominal, "interventions"))
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=[intervention.item.category.code], path=request.path)
    return render(
        request,
        "cohorts/report/entry_change.html",
        {
            "nominal": nominal,
            "form": form,
            "entry": intervention,
            "title": "Change an intervention",
            "caption": f"{intervention.item.summary} ({intervention.provider})",
            "version": version or intervention.item.version,
            "section": "interventions",
        },
        status=400 if form.errors else 200,
    )


# --- The person page's panel -----------------------------------------------------------------------


def report_panel(request: HttpRequest, nominal: Nominal) -> PanelResult:
    """The person page's "Management report" panel: the plan in numbers and the report's link."""
    summary = plan_summary_for_user(signed_in_user(request), nominal)
    return "cohorts/report/_person_panel.html", {
        "plan_summary": summary,
        "may_record_report": may_record(signed_in_user(request)),
    }
