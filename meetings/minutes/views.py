"""Minutes and meeting pack pages: the viewer's version of the minutes and its print
version, the chair's approval (with who will receive what), and the pack. Thin: parse, call
meetings/minutes/services.py, render. A meeting the user may not see is a 404 (a recipient of its minutes
may always read them); approving is the chair's, a 404 to others."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cohorts.models import AccessEvent
from cohorts.records.services import access_event_record
from meetings.access import may_chair, meeting_get_for_user, meeting_get_to_chair
from meetings.actions.forms import ApproveForm
from meetings.minutes.models import MinutesDistribution
from meetings.minutes.services import (
    Minutes,
    Pack,
    distributions_of,
    minutes_approve,
    minutes_for,
    minutes_shares,
    pack_agencies,
    pack_for,
)
from meetings.scheduling.models import Meeting
from sharing.error_policy import refusals_on
from sharing.http import signed_in_user
from sharing.models import Agency, User

NOT_YOUR_AGENCY = "Only the meeting's chair may read another agency's version of the pack."


def meeting_for_minutes(user: User, pk: int) -> Meeting:
    """The meeting if the user may see it or received its minutes; 404 otherwise."""
    try:
        return meeting_get_for_user(user, pk)
    except Http404:
        if not MinutesDistribution.objects.filter(meeting_id=pk, recipient=user).exists():
            raise
        return Meeting.objects.select_related("chair__agency", "agency", "series").get(pk=pk)


def minutes_view_log(*, user: User, minutes: Minutes, path: str) -> None:
    """Reading the minutes shows the people whose items the viewer's agency may see: logged."""
    if minutes.available and minutes.nominal_ids:
        access_event_record(
            user=user,
            action=AccessEvent.Action.VIEW,
            nominal_ids=minutes.nominal_ids,
            categories=minutes.categories,
            allowed_by=minutes.allowed_by,
            reason=f"Minutes of {minutes.meeting}" + (" (draft)" if minutes.is_draft else ""),
            path=path,
        )


@require_GET
def minutes_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes as the viewer's agency may read them; for the chair, who receives what."""
    user = signed_in_user(request)
    meeting = meeting_for_minutes(user, pk)
    minutes = minutes_for(meeting, user)
    minutes_view_log(user=user, minutes=minutes, path=request.path)
    chair = may_chair(user, meeting)
    context = {"meeting": minutes.meeting, "minutes": minutes, "is_chair": chair}
    if chair and minutes.state == "draft":
        context["shares"] = minutes_shares(minutes.meeting)
        context["approve_form"] = ApproveForm(initial={"version": minutes.meeting.version})
    if chair and minutes.state == "approved":
        context["distributions"] = list(distributions_of(minutes.meeting))
    return render(request, "meetings/minutes/minutes.html", context)


@require_GET
def minutes_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The viewer's version to print: no navigation, a print stylesheet, the protective marking."""
    user = signed_in_user(request)
    meeting = meeting_for_minutes(user, pk)
    minutes = minutes_for(meeting, user)
    minutes_view_log(user=user, minutes=minutes, path=request.path)
    return render(
        request, "meetings/minutes/print.html", {"meeting": minutes.meeting, "minutes": minutes, "printed_by": user}
    )


@require_http_methods(["GET", "POST"])
def minutes_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair checks who will receive what, and approves: the record closes and each recipient
    receives their version."""
    user = signed_in_user(request)
    meeting = meeting_get_to_chair(user, pk)
    form = ApproveForm(request.POST or None, initial={"version": meeting.version})
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            minutes_approve(meeting=meeting, by=user, version=form.cleaned_data["version"])
            messages.success(request, "The minutes are approved and sent: each recipient has their agency's version.")
            return redirect("meeting-minutes", pk=meeting.pk)
    held = meeting.status == Meeting.Status.HELD
    return render(
        request,
        "meetings/minutes/approve.html",
        {"meeting": meeting, "form": form, "held": held, "shares": minutes_shares(meeting) if held else []},
        status=400 if form.errors else 200,
    )


def pack_agency(user: User, meeting: Meeting, asked: str | None) -> Agency | None:
    """The agency whose version is asked for (?agency=): the chair may pick any the pack is made
    for; anyone else reads their own agency's."""
    if not asked or asked == str(user.agency_id):
        return None
    if not may_chair(user, meeting):
        raise PermissionDenied(NOT_YOUR_AGENCY)
    chosen = next((agency for agency in pack_agencies(meeting) if str(agency.pk) == asked), None)
    if chosen is None:
        raise Http404("That agency is not invited to this meeting")
    return chosen


def pack_view_log(*, user: User, pack: Pack, query: str, path: str) -> None:
    """Opening the pack discloses the people whose items it shows: logged as an export."""
    if pack.nominal_ids:
        access_event_record(
            user=user,
            action=AccessEvent.Action.EXPORT,
            nominal_ids=pack.nominal_ids,
            categories=pack.categories,
            allowed_by=pack.allowed_by,
            reason=f"Meeting pack of {pack.meeting}, {pack.agency.name}'s version",
            query=query,
            path=path,
        )


@require_GET
def pack_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting pack: the agenda as the viewer's agency receives it, with the case summaries it
    may see, to read or print. The chair may check each invited agency's version."""
    user = signed_in_user(request)
    meeting = meeting_get_for_user(user, pk)
    chosen = pack_agency(user, meeting, request.GET.get("agency"))
    pack = pack_for(meeting, user, chosen)
    pack_view_log(user=user, pack=pack, query=request.GET.urlencode(), path=request.path)
    chair = may_chair(user, meeting)
    return render(
        request,
        "meetings/pack/pack.html",
        {
            "meeting": meeting,
            "pack": pack,
            "is_chair": chair,
            "agencies": pack_agencies(meeting) if chair else [],
            "printed_by": user,
        },
    )
