"""Meetings through the API (meetings/scheduling/api.py): the same rules and 404s as the pages."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.test import Client

from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting, MeetingKind, MeetingSeries
from sharing.roles import Role
from tests.meetings.factories import MeetingFactory, category, make_item
from tests.partnership import Partnership
from tests.sharing.factories import UserFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2027, 1, 13)


@pytest.fixture
def on_today(time_machine: Any) -> datetime.date:
    time_machine.move_to(datetime.datetime(2027, 1, 13, 9, 0, tzinfo=LONDON), tick=False)
    return TODAY


@pytest.fixture
def chair(partnership: Partnership) -> Any:
    return UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def meeting_json(chair: Any, /, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "case_conference",
        "date": "2027-01-20",
        "starts_at": "14:00",
        "duration_minutes": 60,
        "online_link": "https://meet.example.org/conference",
        "chair": chair.pk,
        "invited_agencies": [],
    }
    data.update(overrides)
    return data


def test_the_list_shows_only_meetings_the_caller_may_see(client, on_today, partnership, chair):
    visible = MeetingFactory.create(chair=chair, invited=[partnership.probation], date=TODAY)
    MeetingFactory.create(chair=chair, date=TODAY)

    response = as_user(client, partnership.probation_officer).get("/api/v1/meetings/")

    assert response.status_code == 200
    assert [meeting["id"] for meeting in response.json()["results"]] == [visible.pk]
    listed = response.json()["results"][0]
    assert listed["invited_agencies"] == [{"id": partnership.probation.pk, "name": "Probation Northmoor"}]
    assert listed["chair"]["id"] == chair.pk


def test_the_list_filters_past_meetings(client, on_today, chair):
    past = MeetingFactory.create(chair=chair, date=datetime.date(2026, 12, 1))
    MeetingFactory.create(chair=chair, date=TODAY)

    response = as_user(client, chair).get("/api/v1/meetings/?when=past")

    assert [meeting["id"] for meeting in response.json()["results"]] == [past.pk]


def test_the_list_runs_the_same_queries_for_few_and_many(client, on_today, partnership, chair):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(client, chair)
    MeetingFactory.create(chair=chair, date=TODAY, invited=[partnership.probation])
    client.get("/api/v1/meetings/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/meetings/")
    for _ in range(20):
        meeting = MeetingFactory.create(chair=chair, date=TODAY, invited=[partnership.probation, partnership.drugs])
        meeting.invited_people.add(UserFactory.create(agency=partnership.prison))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/meetings/")

    assert response.json()["count"] == 21
    assert len(many) == len(few)


def test_a_panel_chair_schedules_a_meeting(client, on_today, partnership, chair):
    response = as_user(client, chair).post(
        "/api/v1/meetings/",
        meeting_json(chair, invited_agencies=[partnership.probation.pk]),
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    meeting = Meeting.objects.get()
    assert response.json()["id"] == meeting.pk
    assert response.json()["title"] == "Case conference"
    assert response.json()["version"] == 1
    assert meeting.date == datetime.date(2027, 1, 20)


def test_scheduling_errors_are_field_errors(client, on_today, partnership, chair):
    response = as_user(client, chair).post(
        "/api/v1/meetings/",
        meeting_json(chair, date="2026-12-01", online_link="", chair=partnership.officer.pk),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"date", "location", "chair"}
    assert response.json()["errors"]["chair"] == ["The chair must be a panel chair"]


def test_a_malformed_date_is_a_field_error(client, on_today, chair):
    response = as_user(client, chair).post(
        "/api/v1/meetings/", meeting_json(chair, date="20/01/2027"), content_type="application/json"
    )

    assert response.status_code == 400
    assert "date" in response.json()["errors"]


def test_other_roles_may_not_schedule(client, on_today, partnership, chair):
    client = as_user(client, partnership.officer)

    assert client.post("/api/v1/meetings/", meeting_json(chair), content_type="application/json").status_code == 403
    series = client.post("/api/v1/meeting-series/", {}, content_type="application/json")
    assert series.status_code == 403


def test_a_panel_chair_schedules_a_series(client, on_today, chair):
    response = as_user(client, chair).post(
        "/api/v1/meeting-series/",
        {
            "kind": "map",
            "frequency": "fortnightly",
            "first_date": "2027-01-18",
            "until": "2027-03-01",
            "starts_at": "10:00",
            "location": "Northmoor Police HQ",
            "chair": chair.pk,
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    assert [meeting["date"] for meeting in response.json()["meetings"]] == [
        "2027-01-18",
        "2027-02-01",
        "2027-02-15",
        "2027-03-01",
    ]
    assert MeetingSeries.objects.get().meetings.count() == 4


def test_a_series_of_the_wrong_recurrence_is_a_field_error(client, on_today, chair):
    response = as_user(client, chair).post(
        "/api/v1/meeting-series/",
        {
            "kind": "y2a_panel",
            "frequency": "weekly",
            "first_date": "2027-01-18",
            "starts_at": "10:00",
            "location": "HQ",
            "chair": chair.pk,
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["frequency"]


@pytest.fixture
def agenda_meeting(partnership: Partnership, chair: Any) -> Meeting:
    from cohorts.records.services import cohort_membership_start
    from tests.cohorts.factories import make_nominal

    nominal = make_nominal(partnership.officer, first_name="Dale", last_name="Apiperson")
    cohort_membership_start(nominal=nominal)
    meeting = MeetingFactory.create(chair=chair, kind=MeetingKind.MAP, invited=[partnership.probation])
    make_item(
        meeting,
        kind=AgendaItem.Kind.TOP_RAG,
        title="Apiperson, Dale: rated red",
        nominal=nominal,
        owning_agency=partnership.police,
        category=category("offending-risk"),
    )
    make_item(
        meeting,
        title="Apiperson, Dale: housing breakdown",
        nominal=nominal,
        owning_agency=partnership.police,
        category=category("accommodation"),
    )
    return meeting


def test_the_detail_gives_the_agenda_with_restricted_items_without_content(client, partnership, agenda_meeting):
    response = as_user(client, partnership.probation_officer).get(f"/api/v1/meetings/{agenda_meeting.pk}/")

    assert response.status_code == 200
    agenda = response.json()["agenda"]
    assert [item["restricted"] for item in agenda] == [False, True]
    assert agenda[0]["title"] == "Apiperson, Dale: rated red"
    assert agenda[1] == {
        "id": agenda[1]["id"],
        "position": 2,
        "restricted": True,
        "kind": None,
        "kind_label": None,
        "title": None,
        "nominal": None,
        "outcome": None,
    }
    assert "housing breakdown" not in response.content.decode()


@pytest.mark.parametrize("who", ["housing_worker", "outsider", "officer"])
def test_a_meeting_not_yours_is_not_found(client, partnership, agenda_meeting, who):
    client = as_user(client, getattr(partnership, who))

    response = client.get(f"/api/v1/meetings/{agenda_meeting.pk}/")
    change = client.patch(
        f"/api/v1/meetings/{agenda_meeting.pk}/", {"version": 1, "location": "x"}, content_type="application/json"
    )

    assert response.status_code == 404
    assert change.status_code == 404
    assert "Apiperson" not in response.content.decode()


def test_the_chair_changes_a_meeting_with_its_version(client, on_today, chair):
    meeting = MeetingFactory.create(chair=chair, date=datetime.date(2027, 1, 20))
    client = as_user(client, chair)

    changed = client.patch(
        f"/api/v1/meetings/{meeting.pk}/", {"version": 1, "location": "Room 4"}, content_type="application/json"
    )
    stale = client.patch(
        f"/api/v1/meetings/{meeting.pk}/", {"version": 1, "location": "Room 5"}, content_type="application/json"
    )
    missing_version = client.patch(
        f"/api/v1/meetings/{meeting.pk}/", {"location": "Room 6"}, content_type="application/json"
    )

    assert changed.status_code == 200
    assert (changed.json()["location"], changed.json()["version"]) == ("Room 4", 2)
    assert stale.status_code == 409
    assert missing_version.status_code == 400
    assert "version" in missing_version.json()["errors"]
    meeting.refresh_from_db()
    assert meeting.location == "Room 4"


def test_an_invited_attendee_may_not_change_the_meeting(client, on_today, partnership, chair):
    meeting = MeetingFactory.create(chair=chair, date=datetime.date(2027, 1, 20), invited=[partnership.probation])

    response = as_user(client, partnership.probation_officer).patch(
        f"/api/v1/meetings/{meeting.pk}/", {"version": 1, "location": "Room 4"}, content_type="application/json"
    )

    assert response.status_code == 403


def test_a_change_breaking_a_rule_is_a_field_error(client, on_today, chair):
    meeting = MeetingFactory.create(chair=chair, date=datetime.date(2027, 1, 20))

    response = as_user(client, chair).patch(
        f"/api/v1/meetings/{meeting.pk}/",
        {"version": 1, "date": "2026-12-01", "online_link": "ftp://x"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"date", "online_link"}


def test_a_cancelled_meeting_cannot_be_changed(client, on_today, chair):
    meeting = MeetingFactory.create(chair=chair, date=datetime.date(2027, 1, 20), status=Meeting.Status.CANCELLED)

    response = as_user(client, chair).patch(
        f"/api/v1/meetings/{meeting.pk}/", {"version": 1, "location": "Room 4"}, content_type="application/json"
    )

    assert response.status_code == 409
    assert "Only a scheduled meeting can be changed" in response.json()["detail"]


def test_the_meetings_endpoints_are_in_the_schema(client, chair):
    schema = as_user(client, chair).get("/api/v1/schema/?format=json").json()

    assert {"/api/v1/meetings/", "/api/v1/meetings/{id}/", "/api/v1/meeting-series/"} <= set(schema["paths"])
    assert "patch" in schema["paths"]["/api/v1/meetings/{id}/"]
