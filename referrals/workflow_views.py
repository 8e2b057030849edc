"""The IOM team's and panel chairs' actions on a referral: screen it, return it with questions, list
it for a panel, decide it, ratify an urgent decision, withdraw it.

Thin: the services hold every rule. A referral the user may not see is a 404 (the selector); a role
that may not take the action is a 403; a state that does not allow it is explained on the page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cohorts.records.services import nominal_view_log
from referrals import permissions, services
from referrals.models import Referral, ReferralDecision
from referrals.selectors import referral_content_visible, referral_get_for_user
from referrals.workflow_forms import (
    DecideForm,
    DecisionChoices,
    ListForPanelForm,
    RatifyForm,
    ReturnForm,
    ScreenForm,
    WithdrawForm,
)
from sharing.errors import NotAllowed, StateError
from sharing.http import signed_in_user
from sharing.models import User
from sharing.roles import is_iom_team

Status = Referral.Status


def attach_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's errors on the form's fields, so the page shows them beside what was typed."""
    if hasattr(error, "error_dict"):
        for field_name, errors in error.message_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _log_view(request: HttpRequest, referral: Referral, content_shown: bool = False) -> None:
    categories = ["identity", Referral.CONTENT_CATEGORY] if content_shown else ["identity"]
    nominal_view_log(user=signed_in_user(request), nominal=referral.nominal, categories=categories, path=request.path)


def _final_decision(referral: Referral) -> ReferralDecision | None:
    """From the decisions the selector prefetched."""
    return next(
        (decision for decision in referral.decisions.all() if decision.outcome in ReferralDecision.FINAL_OUTCOMES),
        None,
    )


def _pending_ratification(referral: Referral) -> ReferralDecision | None:
    return next(
        (
            decision
            for decision in referral.decisions.all()
            if decision.ratification == ReferralDecision.Ratification.TO_BE_RATIFIED
        ),
        None,
    )


def _cannot_be(allowed: Sequence[str], doing: str) -> Callable[[Referral], str]:
    """Why the referral's state does not allow the action ("" when it does), in the services' words."""

    def why_not(referral: Referral) -> str:
        if referral.status in allowed:
            return ""
        return f"{referral.reference} is {referral.get_status_display().lower()}: it cannot be {doing}."

    return why_not


def _not_waiting_for_ratification(referral: Referral) -> str:
    return "" if referral.to_be_ratified else f"{referral.reference} has no decision waiting to be ratified."


@dataclass(frozen=True)
class Action:
    """One action page: who may take it, when, what it does and what to say when it is done."""

    title: str
    summary: str
    form_class: type[forms.Form]
    may: Callable[[User, Referral], bool]
    refused: str
    why_not: Callable[[Referral], str]
    run: Callable[[Referral, User, dict[str, Any]], object]
    done: Callable[[Referral, dict[str, Any]], str]
    extra: dict[str, Any] = field(default_factory=dict)
    form_takes_user: bool = False  # the form's choices depend on who asks (the panels they may see)


def _iom_team(user: User, referral: Referral) -> bool:
    return is_iom_team(user)


def _panel_chair(user: User, referral: Referral) -> bool:
    return permissions.may_decide(user)


def _may_withdraw(user: User, referral: Referral) -> bool:
    return permissions.may_withdraw_referral(referral, user)


ACTIONS: dict[str, Action] = {
    "screen": Action(
        title="Mark the referral as screened",
        summary="You have checked the referral is complete. It can then be listed for a selection panel, "
        "or returned to the referrer if questions come up.",
        form_class=ScreenForm,
        may=_iom_team,
        refused="Only the IOM team screens referrals.",
        why_not=_cannot_be((Status.SUBMITTED,), "screened"),
        run=lambda referral, by, data: services.referral_screen(referral=referral, by=by, note=data["note"]),
        done=lambda referral, data: f"{referral.reference} has been screened. It can now be listed for a panel.",
    ),
    "return": Action(
        title="Return the referral to the referrer",
        summary="The referral goes back to the referrer with your questions. They can change it and submit it "
        "again; it keeps its place in the referrals list.",
        form_class=ReturnForm,
        may=_iom_team,
        refused="Only the IOM team returns referrals.",
        why_not=_cannot_be((Status.SUBMITTED, Status.SCREENED), "returned to the referrer"),
        run=lambda referral, by, data: services.referral_return(referral=referral, by=by, questions=data["questions"]),
        done=lambda referral, data: f"{referral.reference} has been returned to the referrer with your questions.",
    ),
    "list": Action(
        title="List the referral for a panel",
        summary="The referral goes on the agenda of the selection panel you choose, where a panel chair decides it.",
        form_class=ListForPanelForm,
        form_takes_user=True,
        may=_iom_team,
        refused="Only the IOM team lists referrals for a panel.",
        why_not=_cannot_be((Status.SCREENED, Status.DEFERRED), "listed for a panel"),
        run=lambda referral, by, data: services.referral_list_for_panel(
            referral=referral, by=by, panel_date=data["panel_date"]
        ),
        done=lambda referral, data: (
            f"{referral.reference} has been listed for the panel on {data['panel_date']:%-d %B %Y}."
        ),
    ),
    "ratify": Action(
        title="Ratify the urgent decision",
        summary="A panel chair decided this urgent referral outside a panel meeting. Ratifying it records that "
        "the panel agrees with the decision.",
        form_class=RatifyForm,
        may=_panel_chair,
        refused="Only a panel chair ratifies decisions.",
        why_not=_not_waiting_for_ratification,
        run=lambda referral, by, data: services.referral_ratify(referral=referral, by=by, note=data["note"]),
        done=lambda referral, data: f"The urgent decision on {referral.reference} has been ratified.",
    ),
    "withdraw": Action(
        title="Withdraw the referral",
        summary="The referral stops here: it will not go to a panel. The person can be referred again later.",
        form_class=WithdrawForm,
        may=_may_withdraw,
        refused="Only the referring agency or the IOM team can withdraw a referral.",
        why_not=_cannot_be(Referral.OPEN_STATUSES, "withdrawn"),
        run=lambda referral, by, data: services.referral_withdraw(referral=referral, by=by, reason=data["reason"]),
        done=lambda referral, data: f"{referral.reference} has been withdrawn.",
    ),
}


def _action_page(request: HttpRequest, pk: int, action: Action) -> HttpResponse:
    user = signed_in_user(request)
    referral = referral_get_for_user(user, pk)
    if not action.may(user, referral):
        raise PermissionDenied(action.refused)
    make_form: Callable[..., forms.Form] = action.form_class
    form = make_form(request.POST or None, **({"user": user} if action.form_takes_user else {}))
    why_not, state_error = action.why_not(referral), ""
    if request.method == "POST" and why_not:
        state_error = why_not
    elif request.method == "POST" and form.is_valid():
        try:
            action.run(referral, user, form.cleaned_data)
        except NotAllowed as refused:
            raise PermissionDenied(str(refused)) from refused
        except StateError as refused:
            state_error = str(refused)
            referral = referral_get_for_user(user, pk)  # show the state it is in now
            why_not = action.why_not(referral)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, action.done(referral, form.cleaned_data))
            return redirect("referral-detail", pk=referral.pk)
    if request.method == "GET":
        _log_view(request, referral)
    return render(
        request,
        "referrals/workflow/action.html",
        {
            "referral": referral,
            "action": action,
            "form": form,
            "why_not": why_not,
            "state_error": state_error,
            "pending": _pending_ratification(referral),
            "content_visible": referral_content_visible(user, referral),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def referral_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """The IOM team marks a submitted referral as screened."""
    return _action_page(request, pk, ACTIONS["screen"])


@require_http_methods(["GET", "POST"])
def referral_return(request: HttpRequest, pk: int) -> HttpResponse:
    """The IOM team returns a referral to the referrer with questions."""
    return _action_page(request, pk, ACTIONS["return"])


@require_http_methods(["GET", "POST"])
def referral_list_for_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The IOM team lists a screened or deferred referral for a selection panel."""
    return _action_page(request, pk, ACTIONS["list"])


@require_http_methods(["GET", "POST"])
def referral_ratify(request: HttpRequest, pk: int) -> HttpResponse:
    """A panel chair ratifies an urgent decision taken outside a meeting."""
    return _action_page(request, pk, ACTIONS["ratify"])


@require_http_methods(["GET", "POST"])
def referral_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The referring agency or the IOM team withdraws an open referral."""
    return _action_page(request, pk, ACTIONS["withdraw"])


# --- The decision ---------------------------------------------------------------------------------

URGENT_OUTSIDE_MEETING = (Status.SUBMITTED, Status.SCREENED, Status.DEFERRED)


def decision_state(referral: Referral) -> tuple[str, bool]:
    """Why the referral cannot be decided now ("" when it can), and whether the decision would be
    an urgent one outside a meeting, which the next panel ratifies."""
    reference, status = referral.reference, referral.get_status_display().lower()
    if referral.status in Referral.FINAL_STATUSES and referral.status != Status.WITHDRAWN:
        decision = _final_decision(referral)
        who = (
            f" by {decision.decided_by} on {timezone.localtime(decision.decided_at):%-d %B %Y at %H:%M}"
            if decision
            else ""
        )
        return f"{reference} has already been decided{who}: {status}.", False
    if referral.status == Status.LISTED:
        return "", False
    if referral.urgent and referral.status in URGENT_OUTSIDE_MEETING:
        return "", True
    if referral.status == Status.WITHDRAWN:
        return f"{reference} has been withdrawn: it cannot be decided.", False
    if referral.status == Status.DRAFT:
        return f"{reference} is a draft: the referrer has not submitted it yet.", False
    if referral.status == Status.RETURNED:
        return (
            f"{reference} has been returned to the referrer with questions. It can be decided once they answer "
            "and the IOM team lists it for a panel.",
            False,
        )
    still_to_do = "has screened it and listed it" if referral.status == Status.SUBMITTED else "has listed it"
    return (
        f"{reference} is {status}: it can be decided once the IOM team {still_to_do} for a selection panel. "
        "Only an urgent referral can be decided outside a panel meeting.",
        False,
    )


def _decided_message(referral: Referral, decision: ReferralDecision) -> str:
    message = f"{referral.reference}: {decision.get_outcome_display().lower()}."
    if decision.outcome == ReferralDecision.Outcome.ACCEPTED:
        message += f" {referral.nominal.full_name} is now on the IOM cohort."
    if decision.ratification == ReferralDecision.Ratification.TO_BE_RATIFIED:
        message += " The decision is to be ratified by the next panel."
    return message


@require_http_methods(["GET", "POST"])
def referral_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A panel chair records the panel's decision: on accept, with the strand, level, RAG rating and
    leads; an urgent referral can be decided outside a meeting, to be ratified by the next panel."""
    user = signed_in_user(request)
    referral = referral_get_for_user(user, pk)
    if not permissions.may_decide(user):
        raise PermissionDenied("Only a panel chair decides referrals.")
    content_visible = referral_content_visible(user, referral)
    why_not, outside_meeting = decision_state(referral)
    form: DecideForm | None = None
    state_error = ""
    if not why_not:
        form = DecideForm(
            request.POST or None,
            choices=DecisionChoices.load(),
            referral=referral,
            outside_meeting=outside_meeting,
            content_visible=content_visible,
        )
    if request.method == "POST" and form is None:
        state_error = why_not
    elif request.method == "POST" and form is not None and form.is_valid():
        try:
            decision = services.referral_decide(
                referral=referral,
                by=user,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                accept=form.accept_terms(),
                outside_meeting=form.cleaned_data["outside_meeting"],
            )
        except NotAllowed as refused:
            raise PermissionDenied(str(refused)) from refused
        except StateError as refused:
            state_error = str(refused)
            referral = referral_get_for_user(user, pk)  # show the state it is in now
            why_not, outside_meeting = decision_state(referral)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _decided_message(referral, decision))
            return redirect("referral-detail", pk=referral.pk)
    if request.method == "GET":
        _log_view(request, referral, content_shown=content_visible and not why_not)
    return render(
        request,
        "referrals/workflow/decide.html",
        {
            "referral": referral,
            "form": form if not why_not else None,
            "why_not": why_not,
            "outside_meeting": outside_meeting,
            "state_error": state_error,
            "content_visible": content_visible,
        },
        status=400 if form is not None and form.errors else 200,
    )
