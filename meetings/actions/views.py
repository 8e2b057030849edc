"""Action pages: the chair sets an action on an agenda item or on the meeting; "Your
actions"; an action's page, where its owner or a chair marks it done and a chair cancels it. Thin:
parse, call meetings/actions/services.py, render. A meeting or action the user may not see is a 404; a page
only a chair uses is a 404 to others who see the meeting (they are not told it is there); an action
they see but may not change, a 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cohorts.access import today
from cohorts.records.services import nominal_view_log
from meetings.access import items_for_agency, may_chair, meeting_get_to_chair
from meetings.actions.forms import ActionForm, CancelForm, CompleteForm
from meetings.actions.models import MeetingAction
from meetings.actions.services import (
    NOT_A_CHAIR,
    NOT_OWNER_OR_CHAIR,
    action_cancel,
    action_complete,
    action_create,
    action_get_for_user,
    actions_of_owner,
    may_complete,
)
from meetings.agenda.models import AgendaItem
from sharing.error_policy import refusals_on
from sharing.http import signed_in_user
from sharing.models import User

PAGE_SIZE = 50


def _action_or_404(user: User, pk: int) -> MeetingAction:
    try:
        return action_get_for_user(user, pk)
    except MeetingAction.DoesNotExist as error:
        raise Http404("No such action") from error


def _log_person_shown(request: HttpRequest, user: User, action: MeetingAction) -> None:
    if action.nominal is not None and action.content_visible:  # type: ignore[attr-defined]
        categories = ["identity", *([action.category.code] if action.category else [])]
        nominal_view_log(user=user, nominal=action.nominal, categories=categories, path=request.path)


@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, pk: int, item_pk: int | None = None) -> HttpResponse:
    """A chair sets an action in the meeting, on one of its items or on the meeting as a whole."""
    user = signed_in_user(request)
    meeting = meeting_get_to_chair(user, pk)
    item: AgendaItem | None = None
    if item_pk is not None:
        item = items_for_agency(meeting, user.agency).filter(pk=item_pk).first()
        if item is None:
            raise Http404("No such item")
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            action_create(meeting=meeting, by=user, item=item, **form.cleaned_data)
            messages.success(request, f"Action set for {form.cleaned_data['owner']}.")
            return redirect("meeting-detail", pk=meeting.pk)
    number = None
    if item is not None:
        number = list(items_for_agency(meeting, user.agency).values_list("pk", flat=True)).index(item.pk) + 1
    return render(
        request,
        "meetings/actions/new.html",
        {"meeting": meeting, "item": item, "item_number": number, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def actions_mine(request: HttpRequest) -> HttpResponse:
    """The user's actions from meetings: open ones first, overdue marked."""
    user = signed_in_user(request)
    page = Paginator(actions_of_owner(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "meetings/actions/mine.html", {"page": page, "today": today()})


@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An action; its owner or a chair of its meeting marks it done."""
    user = signed_in_user(request)
    action = _action_or_404(user, pk)
    completer = may_complete(user, action)
    is_open = action.status == MeetingAction.Status.OPEN
    if request.method == "POST" and not completer:
        raise PermissionDenied(NOT_OWNER_OR_CHAIR)
    form = None
    if completer and (is_open or request.method == "POST"):
        form = CompleteForm(request.POST or None, initial={"version": action.version})
    if request.method == "POST" and form is not None and form.is_valid():
        with refusals_on(form):
            action_complete(
                action=action, by=user, note=form.cleaned_data["note"], version=form.cleaned_data["version"]
            )
            messages.success(request, "The action is marked as done.")
            return redirect("meeting-action-detail", pk=action.pk)
    if request.method == "GET":
        _log_person_shown(request, user, action)
    return render(
        request,
        "meetings/actions/detail.html",
        {
            "action": action,
            "form": form,
            "may_cancel": is_open and may_chair(user, action.meeting),
            "overdue": is_open and action.due_on < today(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def action_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A chair cancels an action no longer needed, saying why."""
    user = signed_in_user(request)
    action = _action_or_404(user, pk)
    if not may_chair(user, action.meeting):
        raise PermissionDenied(NOT_A_CHAIR)
    is_open = action.status == MeetingAction.Status.OPEN
    form = CancelForm(request.POST or None, initial={"version": action.version}) if is_open or request.POST else None
    if request.method == "POST" and form is not None and form.is_valid():
        with refusals_on(form):
            action_cancel(action=action, by=user, note=form.cleaned_data["note"], version=form.cleaned_data["version"])
            messages.success(request, "The action is cancelled.")
            return redirect("meeting-action-detail", pk=action.pk)
    return render(
        request,
        "meetings/actions/cancel.html",
        {"action": action, "form": form},
        status=400 if form is not None and form.errors else 200,
    )
