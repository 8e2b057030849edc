"""Recording a meeting already held (meetings/scheduling/services.py, IOM_MEETING_RECORD_DAYS_BACK): a single
meeting may be put in up to 28 days after its date, its agenda built as of that date, run by its chair
through the services, its minutes approved; its pages say the day it was held and the day it was
recorded; no reminder goes out for it, and the scheduled agenda refresh leaves it alone."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cohorts.management.models import CohortMembership
from meetings.agenda.models import AgendaItem
from meetings.agenda.services import agenda_refresh, meetings_to_refresh
from meetings.minutes.services import minutes_approve
from meetings.running.models import Attendance
from meetings.running.services import (
    attendance_record,
    confidentiality_record,
    item_decide_referral,
    meeting_end,
    meeting_start,
)
from meetings.scheduling.models import Meeting, MeetingKind
from meetings.scheduling.services import meeting_create, meeting_update, series_create
from meetings.sweeps import meeting_reminders
from referrals.models import Referral
from sharing.errors import StateError
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.meetings.factories import MeetingFactory
from tests.partnership import Partnership
from tests.referrals.factories import accept_terms, listed_referral
from tests.sharing.factories import UserFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2027, 1, 13)  # a Wednesday
DAY = datetime.timedelta(days=1)
TOO_EARLY = "The date of the meeting must be within the last 28 days, or today or in the future"


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


@pytest.fixture
def on_today(time_machine: Any) -> datetime.date:
    time_machine.move_to(at(TODAY), tick=False)
    return TODAY


@pytest.fixture
def chair(partnership: Partnership) -> Any:
    return UserFactory.create(
        agency=partnership.police, roles=[Role.PANEL_CHAIR], first_name="Mark", last_name="Reynolds"
    )


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def details(chair: Any, partnership: Partnership, /, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "by": chair,
        "kind": MeetingKind.SELECTION_PANEL,
        "title": "Northmoor selection panel",
        "date": TODAY - 3 * DAY,
        "starts_at": datetime.time(10, 0),
        "duration_minutes": 120,
        "location": "Northmoor Police HQ",
        "online_link": "",
        "chair": chair,
        "invited_agencies": [partnership.police, partnership.probation, partnership.drugs],
        "invited_people": [],
    }
    values.update(overrides)
    return values


def form_data(chair: Any, day: datetime.date, /, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": MeetingKind.CASE_CONFERENCE,
        "title": "Conference held at short notice",
        "date_0": str(day.day),
        "date_1": str(day.month),
        "date_2": str(day.year),
        "starts_at": "14:30",
        "duration_minutes": "60",
        "location": "Northmoor Police HQ, Room 2",
        "online_link": "",
        "chair": str(chair.pk),
        "invited_agencies": [str(chair.agency_id)],
    }
    data.update(overrides)
    return data


# --- The window -------------------------------------------------------------------------------------


@pytest.mark.parametrize("days_back", [1, 3, 28])
def test_a_meeting_held_in_the_last_28_days_can_be_recorded_and_its_agenda_is_built(
    on_today, chair, partnership, days_back
):
    meeting = meeting_create(**details(chair, partnership, date=TODAY - days_back * DAY))
    meeting.refresh_from_db()

    assert meeting.date == TODAY - days_back * DAY
    assert meeting.status == Meeting.Status.SCHEDULED
    assert meeting.agenda_built_at is not None
    assert meeting.recorded_on is None  # not run yet


def test_a_meeting_more_than_28_days_back_is_refused_naming_the_limit(on_today, chair, partnership):
    with pytest.raises(ValidationError) as refused:
        meeting_create(**details(chair, partnership, date=TODAY - 29 * DAY))

    assert refused.value.message_dict == {"date": [TOO_EARLY]}
    assert not Meeting.objects.exists()


def test_the_setting_changes_the_window(on_today, chair, partnership, settings):
    settings.IOM_MEETING_RECORD_DAYS_BACK = 7
    meeting_create(**details(chair, partnership, date=TODAY - 7 * DAY))
    with pytest.raises(ValidationError) as refused:
        meeting_create(**details(chair, partnership, date=TODAY - 8 * DAY))
    assert refused.value.message_dict == {
        "date": ["The date of the meeting must be within the last 7 days, or today or in the future"]
    }

    settings.IOM_MEETING_RECORD_DAYS_BACK = 0
    with pytest.raises(ValidationError) as refused:
        meeting_create(**details(chair, partnership, date=TODAY - DAY))
    assert refused.value.message_dict == {"date": ["The date of the meeting must be today or in the future"]}


def test_a_series_still_starts_today_or_later(on_today, chair, partnership):
    values = details(chair, partnership)
    values.pop("date")
    with pytest.raises(ValidationError) as refused:
        series_create(**values, frequency="weekly", first_date=TODAY - 3 * DAY)

    assert refused.value.message_dict == {
        "first_date": ["The date of the first meeting must be today or in the future"]
    }


def test_a_scheduled_meeting_can_be_moved_back_within_the_window_only(on_today, chair, partnership):
    meeting = meeting_create(**details(chair, partnership, date=TODAY + 7 * DAY))

    moved = meeting_update(meeting=meeting, by=chair, version=meeting.version, date=TODAY - 10 * DAY)
    assert moved.date == TODAY - 10 * DAY

    with pytest.raises(ValidationError) as refused:
        meeting_update(meeting=moved, by=chair, version=moved.version, date=TODAY - 29 * DAY)
    assert refused.value.message_dict == {"date": [TOO_EARLY]}


def test_a_started_meeting_is_not_moved_back(on_today, chair, partnership):
    meeting = meeting_create(**details(chair, partnership, date=TODAY - 2 * DAY))
    meeting = meeting_start(meeting=meeting, by=chair)

    with pytest.raises(StateError, match="Only a scheduled meeting can be changed"):
        meeting_update(meeting=meeting, by=chair, version=meeting.version, date=TODAY - 5 * DAY)


# --- The pages and the API ------------------------------------------------------------------------------


def test_the_new_meeting_page_says_a_held_meeting_can_be_recorded(client, on_today, chair):
    text = as_user(client, chair).get("/meetings/new/").text

    assert "A meeting already held in the last 28 days can be recorded" in text


def test_the_page_records_a_meeting_held_last_week(client, on_today, chair):
    response = as_user(client, chair).post("/meetings/new/", form_data(chair, TODAY - 6 * DAY))

    assert response.status_code == 302, response.text
    meeting = Meeting.objects.get()
    assert meeting.date == TODAY - 6 * DAY
    assert response["Location"] == f"/meetings/{meeting.pk}/"


def test_the_page_refuses_a_date_too_far_back_keeping_what_was_typed(client, on_today, chair):
    response = as_user(client, chair).post("/meetings/new/", form_data(chair, TODAY - 29 * DAY))

    assert response.status_code == 400
    assert TOO_EARLY in response.text
    assert 'value="15"' in response.text  # 15 December 2026, as typed
    assert 'value="Conference held at short notice"' in response.text
    assert not Meeting.objects.exists()


def test_the_api_records_a_past_meeting_and_refuses_one_too_far_back(client, on_today, chair):
    api = as_user(client, chair)
    payload = {
        "kind": "case_conference",
        "starts_at": "14:00",
        "duration_minutes": 60,
        "online_link": "https://meet.example.org/conference",
        "chair": chair.pk,
        "invited_agencies": [],
    }

    refused = api.post("/api/v1/meetings/", {**payload, "date": "2026-12-15"}, content_type="application/json")
    recorded = api.post("/api/v1/meetings/", {**payload, "date": "2026-12-16"}, content_type="application/json")

    assert refused.status_code == 400
    assert refused.json()["errors"]["date"] == [TOO_EARLY]
    assert recorded.status_code == 201, recorded.json()
    assert recorded.json()["date"] == "2026-12-16"


def test_the_api_moves_a_meeting_back_within_the_window(client, on_today, chair, partnership):
    meeting = meeting_create(**details(chair, partnership, date=TODAY + 7 * DAY))
    api = as_user(client, chair)

    refused = api.patch(
        f"/api/v1/meetings/{meeting.pk}/",
        {"version": meeting.version, "date": "2026-12-01"},
        content_type="application/json",
    )
    moved = api.patch(
        f"/api/v1/meetings/{meeting.pk}/",
        {"version": meeting.version, "date": "2027-01-11"},
        content_type="application/json",
    )

    assert refused.status_code == 400
    assert refused.json()["errors"]["date"] == [TOO_EARLY]
    assert moved.status_code == 200, moved.json()
    assert moved.json()["date"] == "2027-01-11"


def test_the_meeting_page_tells_the_chair_to_record_a_meeting_whose_date_has_passed(
    client, on_today, chair, partnership
):
    passed = MeetingFactory.create(chair=chair, date=TODAY - DAY, invited=[partnership.probation])
    coming = MeetingFactory.create(chair=chair, date=TODAY, invited=[partnership.probation])

    chair_text = as_user(client, chair).get(f"/meetings/{passed.pk}/").text
    coming_text = client.get(f"/meetings/{coming.pk}/").text
    invited_text = as_user(client, partnership.probation_officer).get(f"/meetings/{passed.pk}/").text

    assert (
        "This meeting's date has passed. If it was held, record it: "
        f'<a class="govuk-link" href="/meetings/{passed.pk}/run/">Run the meeting</a>'
    ) in chair_text
    assert "date has passed" not in coming_text
    assert "date has passed" not in invited_text  # only its chair records it


def test_the_run_page_of_a_past_meeting_offers_to_record_it(client, on_today, chair, partnership):
    passed = MeetingFactory.create(chair=chair, date=TODAY - 2 * DAY, invited=[partnership.probation])

    text = as_user(client, chair).get(f"/meetings/{passed.pk}/run/").text

    assert "This meeting was on Monday 11 January 2027. If it was held, start it to record what happened" in text
    assert "Start recording the meeting" in text


# --- Running it after the fact ------------------------------------------------------------------------


def test_a_past_panel_is_built_as_of_its_date_run_and_its_minutes_approved(client, time_machine, chair, partnership):
    # Ten days ago a referral was listed for the panel of a week later (three days ago); today it was
    # listed for next week's. The panel met three days ago but was not in the system.
    time_machine.move_to(at(TODAY - 10 * DAY), tick=False)
    due = listed_referral(make_nominal(partnership.officer), partnership.officer, partnership.officer)
    time_machine.move_to(at(TODAY), tick=False)
    later = listed_referral(make_nominal(partnership.officer), partnership.officer, partnership.officer)
    assert due.panel_date == TODAY - 3 * DAY

    meeting = meeting_create(**details(chair, partnership, date=TODAY - 3 * DAY))

    on_agenda = set(
        meeting.items.filter(removed_at__isnull=True, dropped_at__isnull=True).values_list("source_key", flat=True)
    )
    assert on_agenda == {f"referral:{due.pk}"}  # as of its date: not the referral listed for next week
    assert later.pk != due.pk

    meeting = meeting_start(meeting=meeting, by=chair)
    attendance_record(
        meeting=meeting,
        by=chair,
        entries=[
            (chair, Attendance.Status.PRESENT),
            (partnership.probation_officer, Attendance.Status.PRESENT),
            (partnership.drugs_worker, Attendance.Status.APOLOGIES),
        ],
    )
    meeting = confidentiality_record(meeting=meeting, by=chair)
    decision = item_decide_referral(
        item=meeting.items.get(kind=AgendaItem.Kind.REFERRAL),
        by=chair,
        outcome="accepted",
        rationale="Meets the Fixed criteria",
        accept=accept_terms(partnership.probation_officer, partnership.officer),
    )
    meeting = meeting_end(meeting=meeting, by=chair)
    meeting = minutes_approve(meeting=meeting, by=chair, version=meeting.version)

    assert meeting.status == Meeting.Status.MINUTES_APPROVED
    assert meeting.recorded_on == TODAY
    assert Referral.objects.get(pk=due.pk).status == Referral.Status.ACCEPTED
    membership = CohortMembership.objects.get(nominal=due.nominal)
    assert decision.membership == membership
    assert membership.started_on == TODAY - 3 * DAY  # on IOM from the panel's date, not the day it was typed up

    page = as_user(client, chair).get(f"/meetings/{meeting.pk}/").text
    minutes = client.get(f"/meetings/{meeting.pk}/minutes/").text
    run = client.get(f"/meetings/{meeting.pk}/run/").text
    statement = client.get(f"/meetings/{meeting.pk}/run/confidentiality/").text
    held = "Held on 10 January 2027; recorded on 13 January 2027"
    assert held in page
    assert "date has passed" not in page
    assert held in minutes
    assert "Read by Mark Reynolds at the meeting held on 10 January 2027; recorded on 13 January 2027." in minutes
    assert held in run
    assert "Recorded as read by Mark Reynolds on 13 January 2027" in run
    assert "Read by Mark Reynolds at the meeting held on 10 January 2027; recorded on 13 January 2027 at 09:00" in (
        statement
    )


def test_a_meeting_run_on_its_day_says_nothing_of_recording(client, on_today, chair, partnership):
    meeting = meeting_create(**details(chair, partnership, date=TODAY))
    meeting = meeting_start(meeting=meeting, by=chair)
    meeting = confidentiality_record(meeting=meeting, by=chair)

    text = as_user(client, chair).get(f"/meetings/{meeting.pk}/").text
    run = client.get(f"/meetings/{meeting.pk}/run/").text

    assert meeting.recorded_on is None
    assert "recorded on" not in text
    assert "Started 13 January 2027 09:00" in run
    assert "Read by Mark Reynolds at 09:00" in run


def test_no_reminder_is_sent_for_a_meeting_recorded_after_it_was_held(on_today, chair, partnership):
    values = details(chair, partnership, kind=MeetingKind.CASE_CONFERENCE, invited_people=[partnership.officer])
    past = meeting_create(**{**values, "date": TODAY - 2 * DAY, "title": "Held on Monday"})
    tomorrow = meeting_create(**{**values, "date": TODAY + DAY, "title": "Tomorrow's"})

    reminded = {reminder.subject for reminder in meeting_reminders(TODAY)}

    assert f"meeting:{tomorrow.pk}" in reminded
    assert f"meeting:{past.pk}" not in reminded


def test_the_scheduled_refresh_leaves_a_past_meeting_alone_and_the_chair_may_refresh_it(on_today, chair, partnership):
    past = meeting_create(**details(chair, partnership, date=TODAY - 3 * DAY))
    today = meeting_create(**details(chair, partnership, date=TODAY, title="Today's panel"))

    assert list(meetings_to_refresh(TODAY)) == [today]

    refreshed = agenda_refresh(meeting=past, by=chair)
    assert refreshed.meeting.agenda_built_at is not None


def test_the_api_says_when_a_past_meeting_was_recorded(client, on_today, chair, partnership):
    past = meeting_create(**details(chair, partnership, date=TODAY - 2 * DAY))
    on_its_day = meeting_create(**details(chair, partnership, date=TODAY, title="Today's panel"))
    api = as_user(client, chair)

    recorded = api.post(f"/api/v1/meetings/{past.pk}/start/")
    run_today = api.post(f"/api/v1/meetings/{on_its_day.pk}/start/")

    assert recorded.status_code == 200, recorded.json()
    assert (recorded.json()["date"], recorded.json()["recorded_on"]) == ("2027-01-11", "2027-01-13")
    assert run_today.json()["recorded_on"] is None
