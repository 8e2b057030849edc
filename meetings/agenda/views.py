"""The chair's agenda pages: the agenda by section, items taken off it, "Refresh from the
data", other business, and remove / restore / move buttons. Thin: parse, call meetings/agenda/services.py,
render. A meeting the user may not chair is a 404 (meetings.access.meeting_get_to_chair), as is an
item of another meeting. Items whose content the chair's agency may not see show as restricted."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohorts.models import AccessEvent
from cohorts.records.services import access_event_record
from meetings.access import items_for_agency, meeting_get_to_chair
from meetings.agenda.forms import MoveForm, OtherBusinessForm
from meetings.agenda.models import AgendaItem
from meetings.agenda.services import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_restore,
    agenda_refresh,
    agenda_sections,
    kind_colour,
)
from meetings.scheduling.models import Meeting
from sharing.error_policy import REFUSALS, form_refused
from sharing.errors import NotAllowed, StateError
from sharing.http import signed_in_user
from sharing.models import User

RESTRICTED = "Restricted: not shared with your agency under the information sharing agreements"


def _item_or_404(meeting: Meeting, item_pk: int) -> AgendaItem:
    item = AgendaItem.objects.filter(pk=item_pk, meeting_id=meeting.pk).select_related("meeting").first()
    if item is None:
        raise Http404("No such item")
    return item


def _log_agenda_view(request: HttpRequest, user: User, items: list[AgendaItem]) -> None:
    """The agenda shows what it says about people to the chair: logged like any list of people."""
    shown = [item for item in items if item.nominal_id is not None and getattr(item, "visible", False)]
    if shown:
        access_event_record(
            user=user,
            action=AccessEvent.Action.VIEW,
            nominal_ids=sorted({item.nominal_id for item in shown if item.nominal_id is not None}),
            categories=[item.category.code for item in shown if item.category is not None],
            allowed_by="Meeting agenda",
            path=request.path,
        )


@require_GET
def agenda_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda of a meeting, for its chair: a fixed number of queries whatever its length."""
    user = signed_in_user(request)
    meeting = meeting_get_to_chair(user, pk)
    items = list(items_for_agency(meeting, user.agency, include_off_agenda=True).select_related("removed_by"))
    for item in items:
        item.colour = kind_colour(item.kind)  # type: ignore[attr-defined]
    on_agenda = [item for item in items if item.is_on_agenda]
    taken_off = [item for item in items if not item.is_on_agenda]
    _log_agenda_view(request, user, items)
    return render(
        request,
        "meetings/agenda/agenda.html",
        {
            "meeting": meeting,
            "sections": agenda_sections(meeting, on_agenda),
            "taken_off": taken_off,
            "editable": meeting.status in (Meeting.Status.SCHEDULED, Meeting.Status.IN_PROGRESS),
            "restricted": RESTRICTED,
            "item_count": len(on_agenda),
        },
    )


def _back(meeting: Meeting) -> HttpResponse:
    return redirect("meeting-agenda", pk=meeting.pk)


@require_POST
def agenda_refresh_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    meeting = meeting_get_to_chair(user, pk)
    try:
        outcome = agenda_refresh(meeting=meeting, by=user)
    except (StateError, NotAllowed) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            f"The agenda has been refreshed from the data: {outcome.added} added, {outcome.dropped} taken off "
            f"because their data no longer puts them on it, {outcome.back} back on.",
        )
    return _back(meeting)


@require_http_methods(["GET", "POST"])
def agenda_item_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add other business, optionally about a person the chair's agency may see."""
    user = signed_in_user(request)
    meeting = meeting_get_to_chair(user, pk)
    form = OtherBusinessForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agenda_item_add(
                meeting=meeting,
                by=user,
                title=data["title"],
                summary=data["summary"],
                nominal=data["person"],
                category=data["category"],
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                name = "person" if name == "nominal" else name
                form.add_error(name if name in form.fields else None, errors)
        except REFUSALS as refused:
            form_refused(form, refused)
        else:
            messages.success(request, f"“{data['title']}” has been added to the agenda.")
            return _back(meeting)
    return render(
        request,
        "meetings/agenda/add.html",
        {"meeting": meeting, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def agenda_item_remove_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    meeting = meeting_get_to_chair(user, pk)
    item = _item_or_404(meeting, item_pk)
    try:
        agenda_item_remove(item=item, by=user)
    except (StateError, NotAllowed) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "The item has been taken off the agenda. A refresh will not put it back.")
    return _back(meeting)


@require_POST
def agenda_item_restore_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    meeting = meeting_get_to_chair(user, pk)
    item = _item_or_404(meeting, item_pk)
    try:
        agenda_item_restore(item=item, by=user)
    except (StateError, NotAllowed) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "The item is back on the agenda.")
    return _back(meeting)


@require_POST
def agenda_item_move_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    meeting = meeting_get_to_chair(user, pk)
    item = _item_or_404(meeting, item_pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to move the item up or down.")
        return _back(meeting)
    try:
        agenda_item_move(item=item, by=user, direction=form.cleaned_data["direction"])
    except (StateError, NotAllowed) as refused:
        messages.error(request, str(refused))
    return _back(meeting)
