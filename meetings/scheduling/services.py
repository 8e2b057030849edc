"""Scheduling meetings: series with a recurrence, single meetings and case conferences,
changing and cancelling them; and the reads of the list, the calendar and the home page.

Only panel chairs schedule (meetings.access.may_chair_meetings), and the chair they name must be a
panel chair. The agency that runs a meeting is the scheduler's. A series generates its meetings
ahead: up to its last date or six months from today, whichever is first; a daily task
(meetings/tasks.py) keeps every active series generated six months ahead.

A single meeting may also be put in after it was held (at short notice, during an outage, in the
week a unit starts using the system): its date may be up to IOM_MEETING_RECORD_DAYS_BACK days past
(28 by default), and a scheduled meeting may be moved back as far. Series stay from today on.

Recurrence: weekly and every 2 weeks count whole weeks from the first date; monthly and every 3
months keep the first date's day of the month, and where a month is shorter (a series on the 31st)
the meeting falls on its last day (28 or 29 February, 30 April ...), the next month back on the 31st.

Extending a series is idempotent: each occurrence is generated once. A meeting moved by a few days
still stands for its occurrence (the occurrence nearest its date), so moving or cancelling a meeting
never makes the extension put the original back.

Changing a series (series_update) changes its details and its last date, never its recurrence (kind,
frequency, first date: end the series and schedule a new one). What changed is passed on to its
meetings still to come and still scheduled; those started, held, cancelled or past keep the details
they had, and no meeting's date moves. A last date brought earlier cancels the scheduled meetings
after it (kept, with the reason); moved later or cleared, the series is generated again to the horizon,
and the meetings it had cancelled for ending are scheduled again.
"""

from __future__ import annotations

import bisect
import calendar
import datetime
import importlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from cohorts.models import AccessEvent
from cohorts.records.services import access_event_record
from meetings.access import items_for_agency, may_chair, may_chair_meetings, may_chair_series, meetings_visible_to
from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting, MeetingKind, MeetingSeries
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.models import Agency, User

logger = logging.getLogger(__name__)
_Scheduled = TypeVar("_Scheduled", Meeting, MeetingSeries)

NOT_A_PANEL_CHAIR = "Only a panel chair schedules meetings."
NOT_THE_CHAIR = "Only the meeting's chair, or a panel chair of the agency running it, changes it."
NOT_THE_SERIES_CHAIR = "Only the series' chair, or a panel chair of the agency running it, changes the series."
SERIES_ENDS = "The series ends on {:%-d %B %Y}"
HORIZON_MONTHS = 6
Frequency = MeetingSeries.Frequency

# Which recurrences each kind of meeting may have. A case conference is a single meeting.
FREQUENCIES: dict[str, tuple[str, ...]] = {
    MeetingKind.SELECTION_PANEL: (Frequency.WEEKLY, Frequency.FORTNIGHTLY, Frequency.MONTHLY),
    MeetingKind.MAP: (Frequency.WEEKLY, Frequency.FORTNIGHTLY),
    MeetingKind.Y2A_PANEL: (Frequency.QUARTERLY,),
    MeetingKind.CASE_CONFERENCE: (),
}
DEFAULT_FREQUENCY: dict[str, str] = {
    MeetingKind.MAP: Frequency.WEEKLY,
    MeetingKind.Y2A_PANEL: Frequency.QUARTERLY,
}
MAX_DURATION_MINUTES = 600


def selection_panel_frequency() -> str:
    """The deployment's selection panel frequency (IOM_SELECTION_PANEL_FREQUENCY), the form's default."""
    configured = getattr(settings, "IOM_SELECTION_PANEL_FREQUENCY", Frequency.MONTHLY)
    return configured if configured in FREQUENCIES[MeetingKind.SELECTION_PANEL] else Frequency.MONTHLY


def today() -> datetime.date:
    return timezone.localdate()


def record_days_back() -> int:
    """How many days back a meeting already held may be recorded (IOM_MEETING_RECORD_DAYS_BACK)."""
    return max(0, int(getattr(settings, "IOM_MEETING_RECORD_DAYS_BACK", 28)))


def earliest_meeting_date() -> datetime.date:
    """The earliest date a single meeting may be given: today, less the days a held meeting may be
    recorded after it (a panel met at short notice, or during an outage, before it was put in)."""
    return today() - datetime.timedelta(days=record_days_back())


def too_early_message() -> str:
    days = record_days_back()
    if days == 0:
        return "The date of the meeting must be today or in the future"
    return (
        f"The date of the meeting must be within the last {days} day{'' if days == 1 else 's'}, "
        "or today or in the future"
    )


# --- Recurrence ------------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later; the month's last day where it is shorter."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def horizon(on: datetime.date | None = None) -> datetime.date:
    """How far ahead a series is generated: six months from today."""
    return add_months(on or today(), HORIZON_MONTHS)


def occurrence(first_date: datetime.date, frequency: str, index: int) -> datetime.date:
    """The index-th meeting date of a series (0: the first date), counted from the first date so a
    short month never shifts the months after it."""
    if frequency == Frequency.WEEKLY:
        return first_date + datetime.timedelta(weeks=index)
    if frequency == Frequency.FORTNIGHTLY:
        return first_date + datetime.timedelta(weeks=2 * index)
    if frequency == Frequency.MONTHLY:
        return add_months(first_date, index)
    if frequency == Frequency.QUARTERLY:
        return add_months(first_date, 3 * index)
    raise ValueError(f"Unknown frequency {frequency!r}")


def occurrences(
    first_date: datetime.date, frequency: str, through: datetime.date, until: datetime.date | None = None
) -> list[datetime.date]:
    """The series' dates from its first date through `through` (and not after `until`)."""
    last = min(through, until) if until else through
    dates: list[datetime.date] = []
    index = 0
    while (day := occurrence(first_date, frequency, index)) <= last:
        dates.append(day)
        index += 1
    return dates


def _covered(dates: Sequence[datetime.date], held: Iterable[datetime.date]) -> set[datetime.date]:
    """The occurrences that existing meetings stand for: each meeting the occurrence nearest its
    date (the earlier on a tie), so a meeting moved a few days still stands for its own."""
    covered: set[datetime.date] = set()
    if not dates:
        return covered
    for day in held:
        at = bisect.bisect_left(dates, day)
        if at < len(dates) and dates[at] == day:
            covered.add(day)
            continue
        neighbours = [dates[i] for i in (at - 1, at) if 0 <= i < len(dates)]
        covered.add(min(neighbours, key=lambda d: (abs((d - day).days), d)))
    return covered


# --- Checks ----------------------------------------------------------------------------------------


def panel_chairs() -> QuerySet[User]:
    """Active users who may chair meetings (the permission panel chairs hold), by agency and name."""
    holds = Q(groups__permissions__codename="chair_meeting", groups__permissions__content_type__app_label="meetings")
    holds |= Q(user_permissions__codename="chair_meeting", user_permissions__content_type__app_label="meetings")
    chairs = User.objects.filter(holds | Q(is_superuser=True), is_active=True).values("pk")
    return (
        User.objects.filter(pk__in=chairs)
        .select_related("agency")
        .order_by("agency__name", "last_name", "first_name", "pk")
    )


def _refuse_unless_panel_chair(by: User) -> None:
    if not may_chair_meetings(by):
        raise NotAllowed(NOT_A_PANEL_CHAIR)


def _check_details(
    *,
    errors: dict[str, list[str]],
    title: str,
    starts_at: datetime.time | None,
    duration_minutes: int | None,
    location: str,
    online_link: str,
    chair: User | None,
    invited_agencies: Iterable[Agency],
    invited_people: Iterable[User],
) -> None:
    """What every meeting needs, whatever its kind; errors by field."""
    if len(title) > 150:
        errors.setdefault("title", []).append("The title must be 150 characters or fewer")
    if starts_at is None:
        errors.setdefault("starts_at", []).append("Enter the time the meeting starts")
    if duration_minutes is None or not 15 <= duration_minutes <= MAX_DURATION_MINUTES:
        errors.setdefault("duration_minutes", []).append(
            f"The length of the meeting must be between 15 and {MAX_DURATION_MINUTES} minutes"
        )
    if len(location) > 200:
        errors.setdefault("location", []).append("The location must be 200 characters or fewer")
    if online_link:
        try:
            URLValidator(schemes=["https", "http"])(online_link)
        except ValidationError:
            errors.setdefault("online_link", []).append(
                "Enter the online link as a web address, like https://meet.example.org/iom-map"
            )
        if len(online_link) > 200:
            errors.setdefault("online_link", []).append("The online link must be 200 characters or fewer")
    if not location.strip() and not online_link:
        errors.setdefault("location", []).append("Enter where the meeting is held, or an online link")
    if chair is None:
        errors.setdefault("chair", []).append("Select the chair")
    elif not chair.is_active or not may_chair_meetings(chair):
        errors.setdefault("chair", []).append("The chair must be a panel chair")
    if any(not agency.is_active for agency in invited_agencies):
        errors.setdefault("invited_agencies", []).append("Invite only active agencies")
    if any(not person.is_active for person in invited_people):
        errors.setdefault("invited_people", []).append("Invite only people whose accounts are active")


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _changed(
    scheduled: Meeting | MeetingSeries, current: dict[str, Any], fields: dict[str, Any]
) -> tuple[dict[str, Any], list[Agency], list[User]]:
    """A change's details: `fields` over the `current` ones, tidied as a new meeting's are; and who
    is invited after it."""
    invited_agencies = list(fields.pop("invited_agencies", scheduled.invited_agencies.all()))
    invited_people = list(fields.pop("invited_people", scheduled.invited_people.all()))
    values = {**current, **fields}
    values["title"] = (values["title"] or "").strip() or scheduled.get_kind_display()
    values["location"] = (values["location"] or "").strip()
    values["online_link"] = values["online_link"] or ""
    return values, invited_agencies, invited_people


def _check_changed(
    errors: dict[str, list[str]], values: dict[str, Any], invited_agencies: list[Agency], invited_people: list[User]
) -> None:
    """Check a change's details (`_changed`), besides the `errors` found already."""
    _check_details(
        errors=errors,
        title=values["title"],
        starts_at=values["starts_at"],
        duration_minutes=values["duration_minutes"],
        location=values["location"],
        online_link=values["online_link"],
        chair=values["chair"],
        invited_agencies=invited_agencies,
        invited_people=invited_people,
    )
    _raise(errors)


def _create_checked(
    model: type[_Scheduled],
    errors: dict[str, list[str]],
    *,
    by: User,
    kind: str,
    title: str,
    starts_at: datetime.time | None,
    duration_minutes: int | None,
    location: str,
    online_link: str,
    chair: User | None,
    invited_agencies: list[Agency],
    invited_people: list[User],
    **dates: datetime.date | str | None,
) -> _Scheduled:
    """Check the details every meeting and series has, besides the `errors` found already, then
    create the meeting or series (with its `dates`: a date, or the frequency and the first and last)
    and its invitations."""
    _check_details(
        errors=errors,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        online_link=online_link,
        chair=chair,
        invited_agencies=invited_agencies,
        invited_people=invited_people,
    )
    _raise(errors)
    if starts_at is None or duration_minutes is None or chair is None:  # reported above
        raise ValidationError(errors)
    created = model.objects.create(
        kind=kind,
        title=title or MeetingKind(kind).label,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location.strip(),
        online_link=online_link,
        chair=chair,
        agency_id=by.agency_id,
        created_by=by,
        **dates,
    )
    created.invited_agencies.set(invited_agencies)
    created.invited_people.set(invited_people)
    return created


def _refresh_agenda(meeting: Meeting) -> None:
    """Build the new meeting's agenda (meetings/agenda/services.py) where that part is installed; later
    meetings of a series are built by its scheduled refresh as their date nears."""
    try:
        agenda = importlib.import_module("meetings.agenda.services")
    except ImportError:
        return
    refresh = getattr(agenda, "agenda_refresh", None)
    if refresh is not None:
        refresh(meeting=meeting, by=None)


# --- Services --------------------------------------------------------------------------------------


@transaction.atomic
def series_create(
    *,
    by: User,
    kind: str,
    title: str,
    frequency: str,
    first_date: datetime.date | None,
    until: datetime.date | None = None,
    starts_at: datetime.time | None,
    duration_minutes: int | None,
    location: str,
    online_link: str,
    chair: User | None,
    invited_agencies: Iterable[Agency],
    invited_people: Iterable[User],
) -> MeetingSeries:
    """Schedule a recurring meeting and generate its meetings six months ahead (or to its last date)."""
    _refuse_unless_panel_chair(by)
    invited_agencies, invited_people = list(invited_agencies), list(invited_people)
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = ["Select the kind of meeting"]
    elif not FREQUENCIES[kind]:
        errors["kind"] = ["A case conference is a single meeting: schedule it as a meeting, not a series"]
    elif frequency not in FREQUENCIES[kind]:
        allowed = ", ".join(Frequency(f).label.lower() for f in FREQUENCIES[kind])
        errors["frequency"] = [f"A {MeetingKind(kind).label.lower()} meets {allowed}"]
    if first_date is None:
        errors["first_date"] = ["Enter the date of the first meeting"]
    elif first_date < today():
        errors["first_date"] = ["The date of the first meeting must be today or in the future"]
    if until is not None and first_date is not None and until < first_date:
        errors["until"] = ["The last date must be on or after the date of the first meeting"]
    series = _create_checked(
        MeetingSeries,
        errors,
        by=by,
        kind=kind,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        online_link=online_link,
        chair=chair,
        invited_agencies=invited_agencies,
        invited_people=invited_people,
        frequency=frequency,
        first_date=first_date,
        until=until,
    )
    created = _generate(series, through=horizon())
    if created:
        _refresh_agenda(created[0])  # the next to be held
    return series


def _generate(series: MeetingSeries, *, through: datetime.date) -> list[Meeting]:
    """Create the series' missing meetings from today through `through`. The caller holds the
    series' row lock."""
    dates = occurrences(series.first_date, series.frequency, through, series.until)
    held = Meeting.objects.filter(series=series).values_list("date", flat=True)
    covered = _covered(dates, held)
    start = today()
    due = [day for day in dates if day >= start and day not in covered]
    if not due:
        return []
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                series=series,
                kind=series.kind,
                title=series.title,
                date=day,
                starts_at=series.starts_at,
                duration_minutes=series.duration_minutes,
                location=series.location,
                online_link=series.online_link,
                chair_id=series.chair_id,
                agency_id=series.agency_id,
                created_by_id=series.created_by_id,
            )
            for day in due
        ]
    )
    agency_ids = list(series.invited_agencies.values_list("pk", flat=True))
    people_ids = list(series.invited_people.values_list("pk", flat=True))
    Meeting.invited_agencies.through.objects.bulk_create(
        [Meeting.invited_agencies.through(meeting_id=m.pk, agency_id=a) for m in meetings for a in agency_ids]
    )
    Meeting.invited_people.through.objects.bulk_create(
        [Meeting.invited_people.through(meeting_id=m.pk, user_id=p) for m in meetings for p in people_ids]
    )
    return meetings


@transaction.atomic
def series_extend(*, series: MeetingSeries, through: datetime.date) -> list[Meeting]:
    """Generate the series' meetings through a date (not after its last date); safe to run twice:
    an occurrence that has a meeting, moved or cancelled, gets no second one. Returns those created."""
    series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
    return _generate(series, through=through)


SERIES_UPDATABLE = (
    "title",
    "starts_at",
    "duration_minutes",
    "location",
    "online_link",
    "chair",
    "until",
    "invited_agencies",
    "invited_people",
)
# The details a series passes on to its meetings, and the meeting column each is.
SERIES_DETAILS = {
    "title": "title",
    "starts_at": "starts_at",
    "duration_minutes": "duration_minutes",
    "location": "location",
    "online_link": "online_link",
    "chair": "chair_id",
}


@dataclass(frozen=True)
class SeriesUpdated:
    """A changed series and what happened to its meetings."""

    series: MeetingSeries
    changed: int  # scheduled meetings to come that took the new details
    cancelled: int  # scheduled meetings after a last date brought earlier
    created: int  # meetings generated (or scheduled again) for a last date moved later or cleared


def series_meetings_to_change(series: MeetingSeries) -> QuerySet[Meeting]:
    """The meetings a change of the series reaches: dated today or later and still scheduled."""
    return Meeting.objects.filter(series_id=series.pk, date__gte=today(), status=Meeting.Status.SCHEDULED)


def _sync_invitations(through: Any, column: str, meeting_ids: list[int], before: set[int], after: set[int]) -> None:
    """Pass a change of the series' invitations on to its meetings: remove who was uninvited, add who
    was invited, and leave anyone invited to one meeting by hand. Two queries whatever the number."""
    if removed := before - after:
        through.objects.filter(meeting_id__in=meeting_ids, **{f"{column}__in": removed}).delete()
    if added := after - before:
        through.objects.bulk_create(
            [through(meeting_id=m, **{column: a}) for m in meeting_ids for a in sorted(added)], ignore_conflicts=True
        )


@transaction.atomic
def series_update(*, series: MeetingSeries, by: User, version: int, **fields: Any) -> SeriesUpdated:
    """Change a series' details or last date and pass the change on to its scheduled meetings to come;
    refuses a save based on an older version. The recurrence (kind, frequency, first date) stays."""
    unknown = set(fields) - set(SERIES_UPDATABLE)
    if unknown:
        raise TypeError(f"series_update() cannot change {', '.join(sorted(unknown))}")
    series = MeetingSeries.objects.select_for_update(of=("self",)).get(pk=series.pk)
    if not may_chair_series(by, series):
        raise NotAllowed(NOT_THE_SERIES_CHAIR)
    if series.version != version:
        raise StaleVersion(
            "Someone else changed this series while you were editing it. Reload it to see their changes."
        )
    agencies_before = set(series.invited_agencies.values_list("pk", flat=True))
    people_before = set(series.invited_people.values_list("pk", flat=True))
    before: dict[str, Any] = {name: getattr(series, name) for name in (*SERIES_DETAILS, "until")}
    values, invited_agencies, invited_people = _changed(series, before, fields)
    errors: dict[str, list[str]] = {}
    start = today()
    until = values["until"]
    if until is not None and until != series.until and until < start:
        errors["until"] = ["The last date must be today or in the future"]
    elif until is not None and until < series.first_date:
        errors["until"] = ["The last date must be on or after the date of the first meeting"]
    _check_changed(errors, values, invited_agencies, invited_people)

    for name, value in values.items():
        setattr(series, name, value)
    series.version += 1
    series.save()
    series.invited_agencies.set(invited_agencies)
    series.invited_people.set(invited_people)

    # The last date brought earlier: the scheduled meetings after it are cancelled, not deleted.
    cancelled = 0
    if until is not None and (before["until"] is None or until < before["until"]):
        cancelled = (
            series_meetings_to_change(series)
            .filter(date__gt=until)
            .update(
                status=Meeting.Status.CANCELLED, cancelled_reason=SERIES_ENDS.format(until), version=F("version") + 1
            )
        )

    # What changed goes to the meetings to come; a detail set on one meeting by hand and not changed
    # here stays as it was set.
    details = {
        column: (values[name].pk if name == "chair" else values[name])
        for name, column in SERIES_DETAILS.items()
        if values[name] != before[name]
    }
    agencies_after = {agency.pk for agency in invited_agencies}
    people_after = {person.pk for person in invited_people}
    changed = 0
    if details or agencies_after != agencies_before or people_after != people_before:
        to_change = series_meetings_to_change(series)
        meeting_ids = list(to_change.values_list("pk", flat=True))
        if meeting_ids:
            changed = Meeting.objects.filter(pk__in=meeting_ids, status=Meeting.Status.SCHEDULED).update(
                **details, version=F("version") + 1
            )
            _sync_invitations(
                Meeting.invited_agencies.through, "agency_id", meeting_ids, agencies_before, agencies_after
            )
            _sync_invitations(Meeting.invited_people.through, "user_id", meeting_ids, people_before, people_after)

    # The last date moved later or cleared: meetings cancelled for the series' end come back (with the
    # series' details), and the missing ones are generated to the horizon.
    created = 0
    if before["until"] is not None and (until is None or until > before["until"]):
        created = _reschedule_ended(series, after=before["until"], until=until)
        created += len(_generate(series, through=horizon()))
    return SeriesUpdated(series=series, changed=changed, cancelled=cancelled, created=created)


def _reschedule_ended(series: MeetingSeries, *, after: datetime.date, until: datetime.date | None) -> int:
    """Schedule again the meetings to come that the series cancelled when its last date was `after`
    or earlier, now that it runs on: with the series' details and invitations."""
    ended = Meeting.objects.filter(
        series_id=series.pk,
        date__gte=today(),
        date__gt=after,
        status=Meeting.Status.CANCELLED,
        cancelled_reason__startswith=SERIES_ENDS.split("{", 1)[0],
    )
    if until is not None:
        ended = ended.filter(date__lte=until)
    meeting_ids = list(ended.values_list("pk", flat=True))
    if not meeting_ids:
        return 0
    Meeting.objects.filter(pk__in=meeting_ids).update(
        status=Meeting.Status.SCHEDULED,
        cancelled_reason="",
        title=series.title,
        starts_at=series.starts_at,
        duration_minutes=series.duration_minutes,
        location=series.location,
        online_link=series.online_link,
        chair_id=series.chair_id,
        version=F("version") + 1,
    )
    Meeting.invited_agencies.through.objects.filter(meeting_id__in=meeting_ids).delete()
    Meeting.invited_people.through.objects.filter(meeting_id__in=meeting_ids).delete()
    agencies = set(series.invited_agencies.values_list("pk", flat=True))
    people = set(series.invited_people.values_list("pk", flat=True))
    _sync_invitations(Meeting.invited_agencies.through, "agency_id", meeting_ids, set(), agencies)
    _sync_invitations(Meeting.invited_people.through, "user_id", meeting_ids, set(), people)
    return len(meeting_ids)


def series_active() -> QuerySet[MeetingSeries]:
    """Series with meetings still to generate: no last date, or one not yet passed."""
    return MeetingSeries.objects.filter(Q(until__isnull=True) | Q(until__gte=today())).order_by("pk")


def series_extend_all(*, through: datetime.date | None = None) -> int:
    """Keep every active series generated six months ahead (the daily task). Returns how many
    meetings were created. Each series in its own transaction: one failing does not stop the rest."""
    through = through or horizon()
    created = 0
    for series in series_active():
        try:
            created += len(series_extend(series=series, through=through))
        except Exception:
            logger.exception("Could not extend meeting series %s", series.pk)
    return created


@transaction.atomic
def meeting_create(
    *,
    by: User,
    kind: str,
    title: str,
    date: datetime.date | None,
    starts_at: datetime.time | None,
    duration_minutes: int | None,
    location: str,
    online_link: str,
    chair: User | None,
    invited_agencies: Iterable[Agency],
    invited_people: Iterable[User],
) -> Meeting:
    """Schedule one meeting (an ad hoc case conference, or a panel outside any series) and build its
    agenda. Its date may be up to IOM_MEETING_RECORD_DAYS_BACK days past, to record a meeting
    already held: its agenda is then built as of that date, and the chair runs it to record it."""
    _refuse_unless_panel_chair(by)
    invited_agencies, invited_people = list(invited_agencies), list(invited_people)
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = ["Select the kind of meeting"]
    if date is None:
        errors["date"] = ["Enter the date of the meeting"]
    elif date < earliest_meeting_date():
        errors["date"] = [too_early_message()]
    meeting = _create_checked(
        Meeting,
        errors,
        by=by,
        kind=kind,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        online_link=online_link,
        chair=chair,
        invited_agencies=invited_agencies,
        invited_people=invited_people,
        date=date,
    )
    _refresh_agenda(meeting)
    return meeting


UPDATABLE = (
    "title",
    "date",
    "starts_at",
    "duration_minutes",
    "location",
    "online_link",
    "chair",
    "invited_agencies",
    "invited_people",
)


def _locked_meeting(meeting: Meeting, by: User, version: int | None) -> Meeting:
    locked = Meeting.objects.select_for_update(of=("self",)).select_related("series").get(pk=meeting.pk)
    if not may_chair(by, locked):
        raise NotAllowed(NOT_THE_CHAIR)
    if version is not None and locked.version != version:
        raise StaleVersion(
            "Someone else changed this meeting while you were editing it. Reload it to see their changes."
        )
    return locked


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: User, version: int, **fields: Any) -> Meeting:
    """Change a scheduled meeting's details; refuses a save based on an older version, and a new date
    that another meeting of its series already has or further back than a held meeting may be recorded."""
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"meeting_update() cannot change {', '.join(sorted(unknown))}")
    meeting = _locked_meeting(meeting, by, version)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise StateError(
            f"Only a scheduled meeting can be changed; this one is {meeting.get_status_display().lower()}."
        )
    values, invited_agencies, invited_people = _changed(
        meeting, {name: getattr(meeting, name) for name in UPDATABLE[:7]}, fields
    )
    errors: dict[str, list[str]] = {}
    new_date = values["date"]
    if new_date is None:
        errors["date"] = ["Enter the date of the meeting"]
    elif new_date != meeting.date:
        if new_date < earliest_meeting_date():
            errors["date"] = [too_early_message()]
        elif (
            meeting.series_id is not None
            and Meeting.objects.filter(series_id=meeting.series_id, date=new_date).exclude(pk=meeting.pk).exists()
        ):
            errors["date"] = [f"{meeting.series} already has a meeting on {new_date:%-d %B %Y}: choose another date"]
    _check_changed(errors, values, invited_agencies, invited_people)
    moved = values["date"] != meeting.date
    for name, value in values.items():
        setattr(meeting, name, value)
    meeting.version += 1
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as clash:  # another meeting of the series was moved to that date meanwhile
        raise ValidationError({"date": [f"{meeting.series} already has a meeting on that date"]}) from clash
    meeting.invited_agencies.set(invited_agencies)
    meeting.invited_people.set(invited_people)
    if moved:
        _refresh_agenda(meeting)  # what is due (releases, reviews) depends on the date
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User, reason: str, version: int | None = None) -> Meeting:
    """Cancel a meeting that has not started, with the reason (kept, and shown to those invited)."""
    meeting = _locked_meeting(meeting, by, version)
    if meeting.status == Meeting.Status.CANCELLED:
        raise StateError("This meeting is already cancelled.")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise StateError(
            f"A meeting that has started or been held cannot be cancelled; this one is "
            f"{meeting.get_status_display().lower()}."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Enter why the meeting is cancelled"]})
    if len(reason) > 300:
        raise ValidationError({"reason": ["The reason must be 300 characters or fewer"]})
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_reason = reason
    meeting.version += 1
    meeting.save(update_fields=["status", "cancelled_reason", "version"])
    return meeting


# --- Selectors -------------------------------------------------------------------------------------


def meetings_for_list(user: User, *, when: str = "upcoming", kind: str = "") -> QuerySet[Meeting]:
    """The meetings the user may see, upcoming (soonest first) or past (latest first), of one kind or all."""
    meetings = meetings_visible_to(user).select_related("chair", "agency", "series")
    if kind in MeetingKind.values:
        meetings = meetings.filter(kind=kind)
    if when == "past":
        return meetings.filter(date__lt=today()).order_by("-date", "-starts_at", "-pk")
    return meetings.filter(date__gte=today()).order_by("date", "starts_at", "pk")


def meetings_in_month(user: User, first_day: datetime.date) -> QuerySet[Meeting]:
    """The meetings the user may see in the month starting on first_day, in date and time order."""
    last_day = first_day.replace(day=calendar.monthrange(first_day.year, first_day.month)[1])
    return (
        meetings_visible_to(user)
        .filter(date__gte=first_day, date__lte=last_day)
        .only("pk", "title", "kind", "date", "starts_at", "status")
        .order_by("date", "starts_at", "pk")
    )


def agenda_as_seen_by(user: User, meeting: Meeting, *, path: str) -> list[AgendaItem]:
    """The agenda as the user's agency sees it (one query), logging whose items were shown."""
    items = list(items_for_agency(meeting, user.agency))
    shown = [item for item in items if item.visible and item.nominal_id]  # type: ignore[attr-defined]
    if shown:
        access_event_record(
            user=user,
            action=AccessEvent.Action.VIEW,
            nominal_ids=sorted({item.nominal_id for item in shown if item.nominal_id}),
            categories=[item.category.code for item in shown if item.category],
            allowed_by=f"Invited to {meeting}",
            path=path,
        )
    return items


def meetings_visible_in_one_query(user: User) -> QuerySet[Meeting]:
    """meetings.access.meetings_visible_to as a single query: whether the user chairs meetings (the
    permission, as Django's ModelBackend reads it) is asked in SQL, not by has_perm's two queries.
    For the home page, which counts its queries; tests/meetings/test_scheduling.py keeps the two equal."""
    permission = Permission.objects.filter(content_type__app_label="meetings", codename="chair_meeting")
    chairs_meetings = User.objects.filter(pk=user.pk, is_active=True).filter(
        Q(is_superuser=True) | Q(groups__permissions__in=permission) | Q(user_permissions__in=permission)
    )
    invited_agency = Meeting.invited_agencies.through.objects.filter(meeting=OuterRef("pk"), agency_id=user.agency_id)
    invited_person = Meeting.invited_people.through.objects.filter(meeting=OuterRef("pk"), user_id=user.pk)
    return Meeting.objects.filter(
        Q(chair_id=user.pk)
        | Q(Exists(invited_agency))
        | Q(Exists(invited_person))
        | (Q(agency_id=user.agency_id) & Q(Exists(chairs_meetings)))
    )


def next_meetings_for(user: User, limit: int = 3) -> list[Meeting]:
    """The user's next meetings, not cancelled, soonest first (one query)."""
    return list(
        meetings_visible_in_one_query(user)
        .filter(date__gte=today())
        .exclude(status=Meeting.Status.CANCELLED)
        .only("pk", "title", "kind", "date", "starts_at", "location", "status")
        .order_by("date", "starts_at", "pk")[:limit]
    )
