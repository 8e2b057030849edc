"""Scheduling meetings (meetings/scheduling/services.py): recurrence, generating and extending series, single
meetings, changing and cancelling them, and who sees which meeting."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from meetings.access import meeting_get_for_user, meetings_visible_to
from meetings.scheduling.models import Meeting, MeetingKind, MeetingSeries
from meetings.scheduling.services import (
    add_months,
    meeting_cancel,
    meeting_create,
    meeting_update,
    meetings_visible_in_one_query,
    next_meetings_for,
    occurrences,
    panel_chairs,
    series_create,
    series_extend,
    series_extend_all,
)
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.roles import Role
from tests.meetings.factories import MeetingFactory
from tests.sharing.factories import AgencyFactory, UserFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2027, 1, 4)  # a Monday
Frequency = MeetingSeries.Frequency


@pytest.fixture
def on_today(time_machine: Any) -> datetime.date:
    time_machine.move_to(datetime.datetime(2027, 1, 4, 9, 0, tzinfo=LONDON), tick=False)
    return TODAY


@pytest.fixture
def chair(make_user: Any) -> Any:
    return make_user(Role.PANEL_CHAIR)


def series_details(scheduler: Any, /, **overrides: Any) -> dict[str, Any]:
    details: dict[str, Any] = {
        "by": scheduler,
        "kind": MeetingKind.MAP,
        "title": "Northmoor MAP",
        "frequency": Frequency.WEEKLY,
        "first_date": TODAY,
        "until": None,
        "starts_at": datetime.time(10, 0),
        "duration_minutes": 90,
        "location": "Northmoor Police HQ",
        "online_link": "",
        "chair": scheduler,
        "invited_agencies": [scheduler.agency],
        "invited_people": [],
    }
    details.update(overrides)
    return details


def meeting_details(scheduler: Any, /, **overrides: Any) -> dict[str, Any]:
    details: dict[str, Any] = {
        "by": scheduler,
        "kind": MeetingKind.CASE_CONFERENCE,
        "title": "",
        "date": TODAY + datetime.timedelta(days=3),
        "starts_at": datetime.time(14, 0),
        "duration_minutes": 60,
        "location": "",
        "online_link": "https://meet.example.org/case-conference",
        "chair": scheduler,
        "invited_agencies": [],
        "invited_people": [],
    }
    details.update(overrides)
    return details


def dates_of(series: MeetingSeries) -> list[datetime.date]:
    return list(series.meetings.order_by("date").values_list("date", flat=True))


# --- Recurrence ------------------------------------------------------------------------------------


def test_weekly_meetings_fall_on_the_same_weekday():
    dates = occurrences(datetime.date(2027, 1, 5), Frequency.WEEKLY, through=datetime.date(2027, 2, 2))

    assert dates == [datetime.date(2027, 1, 5) + datetime.timedelta(weeks=n) for n in range(5)]


def test_fortnightly_meetings_are_two_weeks_apart():
    dates = occurrences(datetime.date(2027, 1, 5), Frequency.FORTNIGHTLY, through=datetime.date(2027, 2, 16))

    assert dates == [
        datetime.date(2027, 1, 5),
        datetime.date(2027, 1, 19),
        datetime.date(2027, 2, 2),
        datetime.date(2027, 2, 16),
    ]


def test_a_monthly_meeting_on_the_31st_falls_on_the_last_day_of_shorter_months_and_returns_to_the_31st():
    dates = occurrences(datetime.date(2027, 1, 31), Frequency.MONTHLY, through=datetime.date(2027, 6, 30))

    assert dates == [
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 28),
        datetime.date(2027, 3, 31),
        datetime.date(2027, 4, 30),
        datetime.date(2027, 5, 31),
        datetime.date(2027, 6, 30),
    ]


def test_a_monthly_meeting_on_the_29th_meets_on_29_february_in_a_leap_year():
    assert occurrences(datetime.date(2028, 1, 29), Frequency.MONTHLY, through=datetime.date(2028, 3, 29)) == [
        datetime.date(2028, 1, 29),
        datetime.date(2028, 2, 29),
        datetime.date(2028, 3, 29),
    ]


def test_quarterly_meetings_are_three_months_apart_across_the_year_end():
    dates = occurrences(datetime.date(2027, 11, 30), Frequency.QUARTERLY, through=datetime.date(2028, 12, 31))

    assert dates == [
        datetime.date(2027, 11, 30),
        datetime.date(2028, 2, 29),
        datetime.date(2028, 5, 30),
        datetime.date(2028, 8, 30),
        datetime.date(2028, 11, 30),
    ]


def test_no_meeting_falls_after_the_series_last_date():
    dates = occurrences(
        datetime.date(2027, 1, 5), Frequency.WEEKLY, through=datetime.date(2027, 6, 1), until=datetime.date(2027, 1, 25)
    )

    assert dates == [datetime.date(2027, 1, 5), datetime.date(2027, 1, 12), datetime.date(2027, 1, 19)]


def test_adding_months_keeps_the_day_where_the_month_has_it():
    assert add_months(datetime.date(2027, 12, 15), 1) == datetime.date(2028, 1, 15)
    assert add_months(datetime.date(2027, 8, 31), 6) == datetime.date(2028, 2, 29)


# --- Series ----------------------------------------------------------------------------------------


def test_a_weekly_series_is_generated_six_months_ahead(on_today, chair):
    series = series_create(**series_details(chair))

    dates = dates_of(series)
    assert dates[0] == TODAY
    assert dates[-1] == datetime.date(2027, 7, 4) - datetime.timedelta(days=6)  # the last Monday before 4 July
    assert len(dates) == 26
    meeting = series.meetings.first()
    assert meeting is not None
    assert (meeting.kind, meeting.title, meeting.chair, meeting.agency) == (
        MeetingKind.MAP,
        "Northmoor MAP",
        chair,
        chair.agency,
    )
    assert list(meeting.invited_agencies.all()) == [chair.agency]


def test_a_series_with_a_last_date_stops_there(on_today, chair):
    series = series_create(**series_details(chair, until=datetime.date(2027, 1, 20)))

    assert dates_of(series) == [TODAY, datetime.date(2027, 1, 11), datetime.date(2027, 1, 18)]


def test_a_quarterly_y2a_panel_gets_three_meetings_in_six_months(on_today, chair):
    series = series_create(**series_details(chair, kind=MeetingKind.Y2A_PANEL, frequency=Frequency.QUARTERLY, title=""))

    assert dates_of(series) == [TODAY, datetime.date(2027, 4, 4), datetime.date(2027, 7, 4)]
    assert series.title == "Y2A transfer panel"


def test_each_kind_of_meeting_has_its_own_recurrences(on_today, chair):
    with pytest.raises(ValidationError) as map_monthly:
        series_create(**series_details(chair, kind=MeetingKind.MAP, frequency=Frequency.MONTHLY))
    with pytest.raises(ValidationError) as y2a_weekly:
        series_create(**series_details(chair, kind=MeetingKind.Y2A_PANEL, frequency=Frequency.WEEKLY))
    with pytest.raises(ValidationError) as conference:
        series_create(**series_details(chair, kind=MeetingKind.CASE_CONFERENCE))

    assert "frequency" in map_monthly.value.message_dict
    assert "frequency" in y2a_weekly.value.message_dict
    assert "single meeting" in conference.value.message_dict["kind"][0]
    assert not MeetingSeries.objects.exists()


def test_a_selection_panel_may_meet_weekly_or_monthly(on_today, chair):
    weekly = series_create(**series_details(chair, kind=MeetingKind.SELECTION_PANEL, frequency=Frequency.WEEKLY))
    monthly = series_create(**series_details(chair, kind=MeetingKind.SELECTION_PANEL, frequency=Frequency.MONTHLY))

    assert len(dates_of(weekly)) == 26
    assert len(dates_of(monthly)) == 7  # 4 January to 4 July


def test_a_series_reports_each_bad_field(on_today, chair, make_user):
    not_a_chair = make_user(Role.PRACTITIONER)

    with pytest.raises(ValidationError) as refused:
        series_create(
            **series_details(
                chair,
                first_date=TODAY - datetime.timedelta(days=1),
                until=TODAY - datetime.timedelta(days=7),
                starts_at=None,
                duration_minutes=5,
                location="",
                online_link="javascript:alert(1)",
                chair=not_a_chair,
            )
        )

    errors = refused.value.message_dict
    assert set(errors) == {"first_date", "until", "starts_at", "duration_minutes", "online_link", "chair"}
    assert errors["chair"] == ["The chair must be a panel chair"]


def test_only_a_panel_chair_schedules_a_series(on_today, chair, make_user):
    with pytest.raises(NotAllowed):
        series_create(**series_details(chair, by=make_user(Role.PRACTITIONER, Role.SUPERVISOR)))


def test_extending_a_series_twice_creates_its_meetings_once(on_today, chair):
    series = series_create(**series_details(chair))
    through = datetime.date(2027, 9, 1)

    first = series_extend(series=series, through=through)
    second = series_extend(series=series, through=through)

    assert len(first) == 9  # 5 July to 30 August
    assert second == []
    dates = dates_of(series)
    assert len(dates) == len(set(dates)) == 35
    assert Meeting.invited_agencies.through.objects.filter(meeting__series=series).count() == 35


def test_extending_does_not_put_back_a_moved_or_cancelled_meeting(on_today, chair):
    series = series_create(**series_details(chair, until=datetime.date(2027, 2, 1)))
    moved = series.meetings.get(date=datetime.date(2027, 1, 11))
    cancelled = series.meetings.get(date=datetime.date(2027, 1, 18))
    meeting_update(meeting=moved, by=chair, version=moved.version, date=datetime.date(2027, 1, 13))
    meeting_cancel(meeting=cancelled, by=chair, reason="Bank holiday")

    assert series_extend(series=series, through=datetime.date(2027, 3, 1)) == []
    assert dates_of(series) == [
        TODAY,
        datetime.date(2027, 1, 13),
        datetime.date(2027, 1, 18),
        datetime.date(2027, 1, 25),
        datetime.date(2027, 2, 1),
    ]


def test_extending_creates_no_meeting_in_the_past(chair, time_machine):
    time_machine.move_to(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=LONDON), tick=False)
    series = MeetingSeries.objects.create(
        kind=MeetingKind.MAP,
        title="MAP",
        frequency=Frequency.WEEKLY,
        first_date=TODAY,
        starts_at=datetime.time(10, 0),
        chair=chair,
        agency=chair.agency,
        created_by=chair,
    )

    created = series_extend(series=series, through=datetime.date(2027, 2, 15))

    assert [meeting.date for meeting in created] == [
        datetime.date(2027, 2, 1),
        datetime.date(2027, 2, 8),
        datetime.date(2027, 2, 15),
    ]


def test_the_daily_task_keeps_active_series_six_months_ahead(chair, time_machine):
    from meetings.tasks import meeting_series_extend

    time_machine.move_to(datetime.datetime(2027, 1, 4, 9, 0, tzinfo=LONDON), tick=False)
    active = series_create(**series_details(chair))
    ended = series_create(**series_details(chair, until=datetime.date(2027, 1, 20)))

    time_machine.move_to(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=LONDON), tick=False)
    meeting_series_extend()
    meeting_series_extend()

    assert dates_of(active)[-1] == datetime.date(2027, 7, 26)  # the last Monday up to 1 August
    assert len(dates_of(active)) == 30
    assert len(dates_of(ended)) == 3
    assert series_extend_all() == 0


def test_the_series_task_is_scheduled_daily(settings):
    assert settings.IOM_DAILY_JOBS["meeting-series-extend"] == ("meetings.tasks.meeting_series_extend", "01:40")


# --- Single meetings -------------------------------------------------------------------------------


def test_a_panel_chair_schedules_a_case_conference_online(on_today, chair, make_user):
    probation = make_user(Role.PRACTITIONER, agency=AgencyFactory.create(name="Probation"))

    meeting = meeting_create(**meeting_details(chair, invited_people=[probation]))

    assert meeting.title == "Case conference"
    assert meeting.series is None
    assert meeting.status == Meeting.Status.SCHEDULED
    assert meeting.agency == chair.agency
    assert list(meeting.invited_people.all()) == [probation]


def test_a_meeting_needs_a_place_or_a_link_and_a_date_no_more_than_28_days_back(on_today, chair):
    with pytest.raises(ValidationError) as refused:
        meeting_create(**meeting_details(chair, online_link="", date=TODAY - datetime.timedelta(days=29)))

    assert refused.value.message_dict == {
        "location": ["Enter where the meeting is held, or an online link"],
        "date": ["The date of the meeting must be within the last 28 days, or today or in the future"],
    }


def test_only_panel_chairs_schedule_and_only_panel_chairs_chair(on_today, chair, make_user):
    supervisor = make_user(Role.SUPERVISOR)

    with pytest.raises(NotAllowed):
        meeting_create(**meeting_details(supervisor, chair=chair))
    with pytest.raises(ValidationError) as refused:
        meeting_create(**meeting_details(chair, chair=supervisor))
    assert refused.value.message_dict == {"chair": ["The chair must be a panel chair"]}


def test_panel_chairs_are_the_active_users_who_may_chair(make_user):
    chair, other_chair = make_user(Role.PANEL_CHAIR), make_user(Role.PANEL_CHAIR, Role.SUPERVISOR)
    make_user(Role.SUPERVISOR)
    make_user(Role.PANEL_CHAIR, is_active=False)

    assert set(panel_chairs()) == {chair, other_chair}


# --- Changing and cancelling -----------------------------------------------------------------------


def test_the_chair_moves_a_meeting_and_its_version_moves_on(on_today, chair):
    meeting = meeting_create(**meeting_details(chair))

    changed = meeting_update(
        meeting=meeting, by=chair, version=1, date=TODAY + datetime.timedelta(days=10), location="Room 2"
    )

    assert (changed.date, changed.location, changed.version) == (TODAY + datetime.timedelta(days=10), "Room 2", 2)


def test_a_change_from_an_older_version_is_refused(on_today, chair):
    meeting = meeting_create(**meeting_details(chair))
    meeting_update(meeting=meeting, by=chair, version=1, location="Room 2")

    with pytest.raises(StaleVersion):
        meeting_update(meeting=meeting, by=chair, version=1, location="Room 3")
    meeting.refresh_from_db()
    assert meeting.location == "Room 2"


def test_a_meeting_cannot_move_onto_another_date_of_its_series(on_today, chair):
    series = series_create(**series_details(chair, until=datetime.date(2027, 1, 20)))
    meeting = series.meetings.get(date=TODAY)

    with pytest.raises(ValidationError) as refused:
        meeting_update(meeting=meeting, by=chair, version=1, date=datetime.date(2027, 1, 11))

    assert "already has a meeting on 11 January 2027" in refused.value.message_dict["date"][0]
    meeting.refresh_from_db()
    assert meeting.date == TODAY


def test_another_panel_chair_of_the_running_agency_deputises_but_not_one_of_another_agency(on_today, chair, make_user):
    deputy = make_user(Role.PANEL_CHAIR, agency=chair.agency)
    elsewhere = make_user(Role.PANEL_CHAIR)
    meeting = meeting_create(**meeting_details(chair, invited_agencies=[elsewhere.agency]))

    meeting_update(meeting=meeting, by=deputy, version=1, title="Case conference: joint visit")
    with pytest.raises(NotAllowed):
        meeting_update(meeting=meeting, by=elsewhere, version=2, title="Taken over")
    with pytest.raises(NotAllowed):
        meeting_cancel(meeting=meeting, by=elsewhere, reason="No")


def test_a_cancelled_meeting_keeps_its_reason_and_cannot_be_changed(on_today, chair):
    meeting = meeting_create(**meeting_details(chair))

    with pytest.raises(ValidationError) as no_reason:
        meeting_cancel(meeting=meeting, by=chair, reason="  ")
    cancelled = meeting_cancel(meeting=meeting, by=chair, reason="The person was recalled to prison", version=1)

    assert no_reason.value.message_dict == {"reason": ["Enter why the meeting is cancelled"]}
    assert (cancelled.status, cancelled.cancelled_reason) == (
        Meeting.Status.CANCELLED,
        "The person was recalled to prison",
    )
    with pytest.raises(StateError):
        meeting_update(meeting=meeting, by=chair, version=cancelled.version, location="Room 2")
    with pytest.raises(StateError, match="already cancelled"):
        meeting_cancel(meeting=meeting, by=chair, reason="Again")


@pytest.mark.parametrize("status", [Meeting.Status.IN_PROGRESS, Meeting.Status.HELD])
def test_a_meeting_once_started_cannot_be_cancelled_or_changed(on_today, chair, status):
    meeting = MeetingFactory.create(chair=chair, status=status, date=TODAY)

    with pytest.raises(StateError, match="cannot be cancelled"):
        meeting_cancel(meeting=meeting, by=chair, reason="Too late")
    with pytest.raises(StateError):
        meeting_update(meeting=meeting, by=chair, version=meeting.version, location="Room 2")


# --- Who sees which meeting ------------------------------------------------------------------------


@pytest.fixture
def cast(db: None) -> dict[str, Any]:
    """A meeting run by the police, chaired by a police panel chair, inviting probation and one
    housing worker; and the people around it."""
    police = AgencyFactory.create(name="Police")
    probation = AgencyFactory.create(name="Probation")
    housing = AgencyFactory.create(name="Housing")
    elsewhere = AgencyFactory.create(name="Elsewhere")
    people = {
        "chair": UserFactory.create(agency=police, roles=[Role.PANEL_CHAIR]),
        "police panel chair": UserFactory.create(agency=police, roles=[Role.PANEL_CHAIR]),
        "police practitioner": UserFactory.create(agency=police, roles=[Role.PRACTITIONER]),
        "probation practitioner": UserFactory.create(agency=probation, roles=[Role.PRACTITIONER]),
        "invited housing worker": UserFactory.create(agency=housing, roles=[Role.PARTNER_WORKER]),
        "other housing worker": UserFactory.create(agency=housing, roles=[Role.PARTNER_WORKER]),
        "panel chair elsewhere": UserFactory.create(agency=elsewhere, roles=[Role.PANEL_CHAIR]),
    }
    meeting = MeetingFactory.create(chair=people["chair"], invited=[probation])
    meeting.invited_people.add(people["invited housing worker"])
    return {"meeting": meeting, **people}


SEES = {
    "chair": True,
    "police panel chair": True,
    "police practitioner": False,
    "probation practitioner": True,
    "invited housing worker": True,
    "other housing worker": False,
    "panel chair elsewhere": False,
}


@pytest.mark.parametrize(("who", "sees"), SEES.items())
def test_who_sees_a_meeting(cast, who, sees):
    user, meeting = cast[who], cast["meeting"]

    assert (meeting in meetings_visible_to(user)) is sees
    assert (meeting in meetings_visible_in_one_query(user)) is sees
    if sees:
        assert meeting_get_for_user(user, meeting.pk) == meeting
    else:
        with pytest.raises(Http404):
            meeting_get_for_user(user, meeting.pk)


def test_next_meetings_are_the_three_soonest_not_cancelled(on_today, chair, django_assert_num_queries):
    meetings = [MeetingFactory.create(chair=chair, date=TODAY + datetime.timedelta(days=n)) for n in (5, 1, 3, 2)]
    MeetingFactory.create(chair=chair, date=TODAY, status=Meeting.Status.CANCELLED)
    MeetingFactory.create(chair=chair, date=TODAY - datetime.timedelta(days=1))
    chair = type(chair).objects.get(pk=chair.pk)

    with django_assert_num_queries(1):
        soonest = next_meetings_for(chair)

    assert soonest == [meetings[1], meetings[3], meetings[2]]
