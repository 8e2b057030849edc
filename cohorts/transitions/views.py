"""Transition plan pages: a person's plan to scale support back as their licence ends, with
its steps; starting it, adding a step, marking one done, completing it. Thin: parse, call
cohorts/transitions/services.py, render.

The plan is part of the case's management: every agency that sees the person sees it. The licence
end date is offending and risk information: shown, and the "due" status it implies, only to agencies
it is shared with. A person the user may not see is a 404; one they see but whose plan they may not
keep (not the lead professional, not the IOM team), a 403."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohorts.access import offending_and_risk_shared
from cohorts.management.models import CaseAssignment
from cohorts.records.models import Nominal
from cohorts.records.panels import PanelResult
from cohorts.records.selectors import assignment_eligible_workers, current_assignments_of, nominal_or_404
from cohorts.records.services import nominal_view_log
from cohorts.transitions.forms import (
    TransitionCompleteForm,
    TransitionStartForm,
    TransitionStepDoneForm,
    TransitionStepForm,
)
from cohorts.transitions.models import TransitionPlan
from cohorts.transitions.services import (
    check_transition_manager,
    may_manage_transition,
    shown_status,
    transition_plan_complete,
    transition_plan_start,
    transition_state,
    transition_step_add,
    transition_step_done,
    transition_step_of,
)
from sharing.error_policy import refusals_on
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.http import signed_in_user


def _categories(licence_shown: bool) -> list[str]:
    return ["identity", Nominal.OFFENDING_AND_RISK_CATEGORY] if licence_shown else ["identity"]


def _manager(request: HttpRequest, pk: int) -> Nominal:
    nominal = nominal_or_404(signed_in_user(request), pk)
    check_transition_manager(signed_in_user(request), nominal)
    return nominal


def _plan_page(request: HttpRequest, nominal: Nominal, complete_error: str = "") -> HttpResponse:
    user = signed_in_user(request)
    state = transition_state(nominal)
    plan = state.plan
    licence_shown = offending_and_risk_shared(user.agency, nominal)
    may_manage = may_manage_transition(user, current_assignments_of(nominal))
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=_categories(licence_shown), path=request.path)
    return render(
        request,
        "cohorts/transition/plan.html",
        {
            "nominal": nominal,
            "state": state,
            "status": shown_status(state, licence_shown),
            "licence_shown": licence_shown,
            "may_manage": may_manage,
            "steps": [(step, state.step_overdue(step)) for step in state.steps],
            "plan_version": plan.version if plan else 1,
            "in_progress": plan is not None and plan.status == plan.Status.IN_PROGRESS,
            "complete_error": complete_error,
        },
        status=400 if complete_error else 200,
    )


@require_GET
def transition_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's transition plan with its steps, or when one may be started."""
    return _plan_page(request, nominal_or_404(signed_in_user(request), pk))


@require_http_methods(["GET", "POST"])
def transition_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the transition plan, from 12 weeks (IOM_TRANSITION_WEEKS) before the licence ends."""
    nominal = _manager(request, pk)
    user = signed_in_user(request)
    form = TransitionStartForm(request.POST) if request.method == "POST" else TransitionStartForm()
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            transition_plan_start(nominal=nominal, by=user, notes=form.cleaned_data["notes"])
            messages.success(request, "The transition plan has been started. Add its steps.")
            return redirect("transition-plan", pk=nominal.pk)
    licence_shown = offending_and_risk_shared(user.agency, nominal)
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=_categories(licence_shown), path=request.path)
    return render(
        request,
        "cohorts/transition/start.html",
        {"nominal": nominal, "form": form, "state": transition_state(nominal), "licence_shown": licence_shown},
        status=400 if form.errors else 200,
    )


def _plan_or_redirect(request: HttpRequest, nominal: Nominal) -> TransitionPlan | HttpResponse:
    plan = transition_state(nominal).plan
    if plan is None:
        messages.info(request, "Start the transition plan first.")
        return redirect("transition-plan", pk=nominal.pk)
    return plan


@require_http_methods(["GET", "POST"])
def transition_step_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a step: what is handed over, to which agency or worker, by when."""
    nominal = _manager(request, pk)
    user = signed_in_user(request)
    plan = _plan_or_redirect(request, nominal)
    if isinstance(plan, HttpResponse):
        return plan
    workers = list(assignment_eligible_workers(CaseAssignment.Role.LEAD_PROFESSIONAL))
    form = (
        TransitionStepForm(request.POST, workers=workers)
        if request.method == "POST"
        else TransitionStepForm(initial={"version": plan.version}, workers=workers)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_on(form):
            transition_step_add(
                plan=plan,
                by=user,
                version=data["version"],
                description=data["description"],
                due_on=data["due_on"],
                agency=data["agency"],
                worker=data["worker"],
            )
            messages.success(request, "The step has been added to the transition plan.")
            return redirect("transition-plan", pk=nominal.pk)
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=["identity"], path=request.path)
    return render(
        request,
        "cohorts/transition/step_form.html",
        {"nominal": nominal, "form": form, "title": "Add a step to the transition plan", "step": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def transition_step_done_view(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    """Mark a step of the plan done."""
    nominal = _manager(request, pk)
    user = signed_in_user(request)
    plan = _plan_or_redirect(request, nominal)
    if isinstance(plan, HttpResponse):
        return plan
    step = transition_step_of(plan, step_pk)
    if step is None:
        raise Http404("No such step")
    form = (
        TransitionStepDoneForm(request.POST)
        if request.method == "POST"
        else TransitionStepDoneForm(initial={"version": plan.version})
    )
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            transition_step_done(
                step=step, by=user, version=form.cleaned_data["version"], done_on=form.cleaned_data["done_on"]
            )
            messages.success(request, f"“{step.description}” is done.")
            return redirect("transition-plan", pk=nominal.pk)
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=["identity"], path=request.path)
    return render(
        request,
        "cohorts/transition/step_form.html",
        {"nominal": nominal, "form": form, "title": "Mark a step done", "step": step},
        status=400 if form.errors else 200,
    )


@require_POST
def transition_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete the plan once every step is done."""
    nominal = _manager(request, pk)
    user = signed_in_user(request)
    plan = _plan_or_redirect(request, nominal)
    if isinstance(plan, HttpResponse):
        return plan
    form = TransitionCompleteForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, nominal, "Reload the plan and try again: the form was not sent whole.")
    try:
        transition_plan_complete(plan=plan, by=user, version=form.cleaned_data["version"])
    except (StateError, NotAllowed, StaleVersion) as refused:
        return _plan_page(request, nominal, str(refused))
    messages.success(request, "The transition plan is complete.")
    return redirect("transition-plan", pk=nominal.pk)


def transition_panel(request: HttpRequest, nominal: Nominal) -> PanelResult:
    """The person page's "Transition plan" panel: the status, the next step, the link (three queries
    and the sharing check). Nothing for a person off the cohort without a plan."""
    user = signed_in_user(request)
    state = transition_state(nominal)
    if not state.on_cohort:
        return None
    licence_shown = offending_and_risk_shared(user.agency, nominal)
    return "cohorts/transition/_person_panel.html", {
        "transition": state,
        "transition_status": shown_status(state, licence_shown),
        "next_step_overdue": state.next_step is not None and state.step_overdue(state.next_step),
    }
