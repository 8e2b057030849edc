"""Scheduling pages: the list of meetings, the month calendar, scheduling a meeting or a
series, the meeting page (the hub: details and the agenda as the viewer's agency sees it, with links
to the agenda, run mode, minutes and pack by role and status), changing and cancelling a meeting,
and changing a series (its details and last date, for its meetings to come). Thin: parse, call
meetings/scheduling/services.py, render. A meeting the user may not see is a 404; a page for panel chairs only
is a 403 to other roles; a chair's page of a meeting (or series) the user only sees, a 404."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.http import require_GET, require_http_methods

from meetings.access import (
    may_chair,
    may_chair_meetings,
    may_chair_series,
    meeting_get_for_user,
    meeting_get_to_chair,
    series_get_to_chair,
)
from meetings.scheduling.forms import MeetingCancelForm, MeetingEditForm, MeetingForm, SeriesEditForm, SeriesForm
from meetings.scheduling.models import Meeting, MeetingKind
from meetings.scheduling.services import (
    NOT_A_PANEL_CHAIR,
    SeriesUpdated,
    agenda_as_seen_by,
    meeting_cancel,
    meeting_create,
    meeting_update,
    meetings_for_list,
    meetings_in_month,
    series_create,
    series_meetings_to_change,
    series_update,
    today,
)
from sharing.error_policy import refusals_on
from sharing.http import signed_in_user
from sharing.models import User
from ui.dates import EARLIEST, LATEST, date_from_parts

PAGE_SIZE = 50
RESTRICTED = "Restricted: not shared with your agency under the information sharing agreements"


def _refuse_unless_panel_chair(user: User) -> None:
    if not may_chair_meetings(user):
        raise PermissionDenied(NOT_A_PANEL_CHAIR)


# --- The list and the calendar ---------------------------------------------------------------------


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """The meetings the user may see, upcoming or past, of one kind or all (a fixed number of queries)."""
    user = signed_in_user(request)
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    kind = request.GET.get("kind", "")
    kind = kind if kind in MeetingKind.values else ""
    page = Paginator(meetings_for_list(user, when=when, kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/list.html",
        {
            "page": page,
            "when": when,
            "kind": kind,
            "kinds": MeetingKind.choices,
            "may_schedule": may_chair_meetings(user),
        },
    )


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    is_today: bool
    meetings: list[Meeting] = field(default_factory=list)


def _month_from(value: str) -> datetime.date | None:
    """The first day of ?month=YYYY-MM, or None if it is not a month under the date rules."""
    year, separator, month = value.partition("-")
    if not separator:
        return None
    try:
        return date_from_parts("1", month, year, "month")
    except ValueError:
        return None


@require_GET
def meeting_calendar(request: HttpRequest) -> HttpResponse:
    """A month of the user's meetings as a table, weeks from Monday; ?month=YYYY-MM (this month by default)."""
    user = signed_in_user(request)
    now = today()
    asked = request.GET.get("month", "")
    first_day = _month_from(asked) if asked else None
    not_understood = bool(asked) and first_day is None
    first_day = first_day or now.replace(day=1)
    by_date: dict[datetime.date, list[Meeting]] = {}
    for meeting in meetings_in_month(user, first_day):
        by_date.setdefault(meeting.date, []).append(meeting)
    weeks = [
        [Day(day, day.month == first_day.month, day == now, by_date.get(day, [])) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first_day.year, first_day.month)
    ]
    previous_month = (first_day - datetime.timedelta(days=1)).replace(day=1) if first_day > EARLIEST else None
    last_month = LATEST.replace(day=1)
    next_month = (first_day + datetime.timedelta(days=32)).replace(day=1) if first_day < last_month else None
    return render(
        request,
        "meetings/calendar.html",
        {
            "month": first_day,
            "weeks": weeks,
            "day_names": list(calendar.day_name),
            "previous_month": previous_month,
            "next_month": next_month,
            "this_month": now.replace(day=1),
            "not_understood": not_understood,
            "meeting_count": sum(len(meetings) for meetings in by_date.values()),
            "may_schedule": may_chair_meetings(user),
        },
    )


# --- Scheduling ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Schedule one meeting: an ad hoc case conference, or a panel outside any series."""
    user = signed_in_user(request)
    _refuse_unless_panel_chair(user)
    initial = {"chair": user.pk, "invited_agencies": [user.agency_id], "kind": request.GET.get("kind", "")}
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            meeting = meeting_create(by=user, **form.cleaned_data)
            messages.success(request, f"{meeting} has been scheduled.")
            return redirect("meeting-detail", pk=meeting.pk)
    return render(request, "meetings/new.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def meeting_series_new(request: HttpRequest) -> HttpResponse:
    """Schedule a recurring meeting; its meetings are generated six months ahead."""
    user = signed_in_user(request)
    _refuse_unless_panel_chair(user)
    initial = {"chair": user.pk, "invited_agencies": [user.agency_id]}
    form = SeriesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            series = series_create(by=user, **form.cleaned_data)
            count = series.meetings.count()
            messages.success(
                request,
                f"{series} has been scheduled: {count} meeting{'' if count == 1 else 's'} in the next six months.",
            )
            return redirect("meeting-list")
    return render(request, "meetings/series_new.html", {"form": form}, status=400 if form.errors else 200)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _series_changed_message(done: SeriesUpdated) -> str:
    parts = [f"{_plural(done.changed, 'scheduled meeting')} changed"]
    if done.cancelled:
        parts.append(f"{_plural(done.cancelled, 'meeting')} after its last date cancelled")
    if done.created:
        parts.append(f"{_plural(done.created, 'meeting')} added")
    return f"{done.series} has been changed: {', '.join(parts)}."


@require_http_methods(["GET", "POST"])
def meeting_series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a series' details or its last date; its scheduled meetings to come take the change."""
    user = signed_in_user(request)
    series = series_get_to_chair(user, pk)
    initial = {
        "title": series.title,
        "starts_at": series.starts_at.strftime("%H:%M"),
        "duration_minutes": series.duration_minutes,
        "location": series.location,
        "online_link": series.online_link,
        "chair": series.chair_id,
        "invited_agencies": list(series.invited_agencies.values_list("pk", flat=True)),
        "invited_people": list(series.invited_people.values_list("pk", flat=True)),
        "until": series.until,
        "version": series.version,
    }
    form = SeriesEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        with refusals_on(form):
            done = series_update(series=series, by=user, version=version, **data)
            messages.success(request, _series_changed_message(done))
            upcoming = series_meetings_to_change(done.series).order_by("date", "pk").first()
            return redirect("meeting-detail", pk=upcoming.pk) if upcoming else redirect("meeting-list")
    to_change = list(series_meetings_to_change(series).order_by("date", "pk").values_list("date", flat=True))
    return render(
        request,
        "meetings/series_edit.html",
        {
            "series": series,
            "form": form,
            "to_change_count": len(to_change),
            "to_change_from": to_change[0] if to_change else None,
        },
        status=400 if form.errors else 200,
    )


# --- The meeting page ------------------------------------------------------------------------------


def _existing(path: str) -> str | None:
    """The path if the application serves it (another part of the work may not be installed yet)."""
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def hub_links(user: User, meeting: Meeting) -> list[tuple[str, str]]:
    """The next things the viewer can do with the meeting, by role and status."""
    chair = may_chair(user, meeting)
    status = meeting.status
    wanted: list[tuple[str, str, bool]] = [
        ("Edit the agenda", "agenda/", chair and status in (Meeting.Status.SCHEDULED, Meeting.Status.IN_PROGRESS)),
        ("Run the meeting", "run/", chair and status in (Meeting.Status.SCHEDULED, Meeting.Status.IN_PROGRESS)),
        (
            "Minutes",
            "minutes/",
            status == Meeting.Status.MINUTES_APPROVED or (chair and status == Meeting.Status.HELD),
        ),
        ("Meeting pack", "pack/", status != Meeting.Status.CANCELLED),
        ("Change the meeting", "edit/", chair and status == Meeting.Status.SCHEDULED),
        ("Cancel the meeting", "cancel/", chair and status == Meeting.Status.SCHEDULED),
    ]
    links = []
    for text, suffix, offered in wanted:
        if offered and (url := _existing(f"/meetings/{meeting.pk}/{suffix}")):
            links.append((text, url))
        if suffix == "edit/" and meeting.series is not None and may_chair_series(user, meeting.series):
            links.append(("Change the series", reverse("meeting-series-edit", args=[meeting.series.pk])))
    return links


@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting page: what, when, where, who; its agenda as the viewer's agency may see it."""
    user = signed_in_user(request)
    meeting = meeting_get_for_user(user, pk)
    # A meeting still scheduled after its day: its chair is told to record it if it was held.
    record_url = (
        reverse("meeting-run", args=[meeting.pk])
        if meeting.status == Meeting.Status.SCHEDULED and meeting.date < today() and may_chair(user, meeting)
        else None
    )
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "record_url": record_url,
            "invited_agencies": list(meeting.invited_agencies.order_by("name")),
            "invited_people": list(
                meeting.invited_people.select_related("agency").order_by("agency__name", "last_name", "first_name")
            ),
            "items": agenda_as_seen_by(user, meeting, path=request.path),
            "links": hub_links(user, meeting),
            "restricted_text": RESTRICTED,
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a scheduled meeting's date, time, place, chair or who is invited."""
    user = signed_in_user(request)
    meeting = meeting_get_to_chair(user, pk)
    form = None
    if meeting.status == Meeting.Status.SCHEDULED:
        initial = {
            "title": meeting.title,
            "date": meeting.date,
            "starts_at": meeting.starts_at.strftime("%H:%M"),
            "duration_minutes": meeting.duration_minutes,
            "location": meeting.location,
            "online_link": meeting.online_link,
            "chair": meeting.chair_id,
            "invited_agencies": list(meeting.invited_agencies.values_list("pk", flat=True)),
            "invited_people": list(meeting.invited_people.values_list("pk", flat=True)),
            "version": meeting.version,
        }
        form = MeetingEditForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            with refusals_on(form):
                meeting_update(meeting=meeting, by=user, version=version, **data)
                messages.success(request, "The meeting has been changed.")
                return redirect("meeting-detail", pk=meeting.pk)
    rejected = request.method == "POST" and (form is None or bool(form.errors))
    return render(request, "meetings/edit.html", {"meeting": meeting, "form": form}, status=400 if rejected else 200)


@require_http_methods(["GET", "POST"])
def meeting_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a meeting that has not started, saying why."""
    user = signed_in_user(request)
    meeting = meeting_get_to_chair(user, pk)
    form = None
    if meeting.status == Meeting.Status.SCHEDULED:
        form = MeetingCancelForm(request.POST or None, initial={"version": meeting.version})
        if request.method == "POST" and form.is_valid():
            with refusals_on(form):
                meeting_cancel(meeting=meeting, by=user, **form.cleaned_data)
                messages.success(request, f"{meeting} has been cancelled.")
                return redirect("meeting-detail", pk=meeting.pk)
    rejected = request.method == "POST" and (form is None or bool(form.errors))
    return render(request, "meetings/cancel.html", {"meeting": meeting, "form": form}, status=400 if rejected else 200)
