"""Changing a series of meetings after it is scheduled (meetings/scheduling/services.py series_update): the change
reaches its scheduled meetings to come and nothing else, its last date ends or extends it; the page
/meetings/series/<pk>/edit/ and the API PATCH /api/v1/meeting-series/<pk>/."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from meetings.scheduling.models import Meeting, MeetingKind, MeetingSeries
from meetings.scheduling.services import horizon, meeting_cancel, meeting_update, series_create, series_update
from sharing.errors import NotAllowed, StaleVersion
from sharing.roles import Role
from tests.partnership import Partnership
from tests.sharing.factories import AgencyFactory, UserFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2027, 1, 4)  # a Monday
WEEK = datetime.timedelta(weeks=1)


@pytest.fixture
def on_today(time_machine: Any) -> datetime.date:
    time_machine.move_to(datetime.datetime(2027, 1, 4, 9, 0, tzinfo=LONDON), tick=False)
    return TODAY


def travel_to(time_machine: Any, day: datetime.date) -> None:
    time_machine.move_to(datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=LONDON), tick=False)


@pytest.fixture
def chair(partnership: Partnership) -> Any:
    return UserFactory.create(
        agency=partnership.police, roles=[Role.PANEL_CHAIR], first_name="Mark", last_name="Reynolds"
    )


def schedule(chair: Any, /, **overrides: Any) -> MeetingSeries:
    details: dict[str, Any] = {
        "by": chair,
        "kind": MeetingKind.MAP,
        "title": "Northmoor MAP",
        "frequency": MeetingSeries.Frequency.WEEKLY,
        "first_date": TODAY,
        "until": None,
        "starts_at": datetime.time(10, 0),
        "duration_minutes": 90,
        "location": "Northmoor Police HQ",
        "online_link": "",
        "chair": chair,
        "invited_agencies": [chair.agency],
        "invited_people": [],
    }
    details.update(overrides)
    return series_create(**details)


def meetings_of(series: MeetingSeries) -> list[Meeting]:
    return list(Meeting.objects.filter(series=series).order_by("date"))


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


# --- The service -----------------------------------------------------------------------------------


def test_the_change_reaches_the_scheduled_meetings_to_come_only(time_machine, on_today, chair):
    series = schedule(chair)
    first, second, started, cancelled, moved, *rest = meetings_of(series)
    travel_to(time_machine, TODAY + 2 * WEEK)  # the first two are past
    Meeting.objects.filter(pk=started.pk).update(status=Meeting.Status.IN_PROGRESS)
    meeting_cancel(meeting=cancelled, by=chair, reason="Bank holiday", version=1)
    meeting_update(meeting=moved, by=chair, version=1, date=moved.date + datetime.timedelta(days=1))

    versions = {m.pk: m.version for m in Meeting.objects.filter(pk__in=[first.pk, second.pk, started.pk, cancelled.pk])}

    done = series_update(
        series=series, by=chair, version=1, location="Probation office", starts_at=datetime.time(14, 0)
    )

    assert done.series.version == 2
    assert done.changed == 1 + len(rest)
    assert (done.cancelled, done.created) == (0, 0)
    series.refresh_from_db()
    assert (series.location, series.starts_at, series.version) == ("Probation office", datetime.time(14, 0), 2)
    for untouched in (first, second, started, cancelled):
        untouched.refresh_from_db()
        assert (untouched.location, untouched.starts_at) == ("Northmoor Police HQ", datetime.time(10, 0))
        assert untouched.version == versions[untouched.pk]
    moved.refresh_from_db()
    assert moved.date == TODAY + 4 * WEEK + datetime.timedelta(days=1)  # its date is kept
    assert (moved.location, moved.starts_at, moved.version) == ("Probation office", datetime.time(14, 0), 3)
    for meeting in rest:
        meeting.refresh_from_db()
        assert (meeting.location, meeting.starts_at, meeting.version) == ("Probation office", datetime.time(14, 0), 2)
        assert meeting.date.weekday() == 0


def test_each_changed_meeting_keeps_its_history(on_today, chair):
    series = schedule(chair, until=TODAY + 2 * WEEK)
    meeting_event = apps.get_model("meetings", "MeetingEvent")
    series_event = apps.get_model("meetings", "MeetingSeriesEvent")

    series_update(series=series, by=chair, version=1, title="Northmoor weekly MAP")

    for meeting in meetings_of(series):
        updates = meeting_event.objects.filter(pgh_obj_id=meeting.pk, pgh_label="update", version=2)
        assert list(updates.values_list("title", flat=True)) == ["Northmoor weekly MAP"]
    assert series_event.objects.filter(pgh_obj_id=series.pk, pgh_label="update", version=2).exists()


def test_a_detail_set_on_one_meeting_by_hand_stays_unless_the_series_changes_it(on_today, chair, partnership):
    series = schedule(chair, invited_agencies=[partnership.police, partnership.drugs])
    special, *others = meetings_of(series)[1:]
    meeting_update(
        meeting=special, by=chair, version=1, location="Town hall", invited_people=[partnership.prison_officer]
    )

    series_update(
        series=series,
        by=chair,
        version=1,
        title="Northmoor MAP (new time)",
        invited_agencies=[partnership.police, partnership.probation],
    )

    special.refresh_from_db()
    assert (special.title, special.location) == ("Northmoor MAP (new time)", "Town hall")
    assert set(special.invited_agencies.all()) == {partnership.police, partnership.probation}
    assert list(special.invited_people.all()) == [partnership.prison_officer]  # invited by hand, kept
    assert set(others[0].invited_agencies.all()) == {partnership.police, partnership.probation}
    assert others[0].location == "Northmoor Police HQ"


def test_a_new_chair_chairs_the_meetings_to_come(on_today, chair, partnership):
    deputy = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])
    series = schedule(chair, until=TODAY + 3 * WEEK)

    series_update(series=series, by=chair, version=1, chair=deputy)

    assert {m.chair_id for m in meetings_of(series)} == {deputy.pk}


def test_a_last_date_brought_earlier_cancels_the_scheduled_meetings_after_it(on_today, chair):
    series = schedule(chair)
    held_later = meetings_of(series)[6]
    Meeting.objects.filter(pk=held_later.pk).update(status=Meeting.Status.IN_PROGRESS)
    count = len(meetings_of(series))

    done = series_update(series=series, by=chair, version=1, until=TODAY + 3 * WEEK)

    meetings = meetings_of(series)
    assert len(meetings) == count  # cancelled, not deleted
    assert [m.status for m in meetings[:4]] == [Meeting.Status.SCHEDULED] * 4
    after = [m for m in meetings[4:] if m.pk != held_later.pk]
    assert {(m.status, m.cancelled_reason) for m in after} == {
        (Meeting.Status.CANCELLED, "The series ends on 25 January 2027")
    }
    assert Meeting.objects.get(pk=held_later.pk).status == Meeting.Status.IN_PROGRESS
    assert done.cancelled == len(after)
    assert done.changed == 0  # no detail changed


def test_a_last_date_cleared_generates_the_series_to_the_horizon(on_today, chair):
    series = schedule(chair, until=TODAY + 4 * WEEK)
    assert len(meetings_of(series)) == 5

    done = series_update(series=series, by=chair, version=1, until=None)

    dates = [m.date for m in meetings_of(series)]
    assert dates[-1] > horizon() - WEEK
    assert done.created == len(dates) - 5
    assert MeetingSeries.objects.get(pk=series.pk).until is None


def test_a_series_ended_by_mistake_runs_on_with_its_meetings_back(on_today, chair):
    series = schedule(chair)
    count = len(meetings_of(series))
    series_update(series=series, by=chair, version=1, until=TODAY + WEEK)

    done = series_update(series=series, by=chair, version=2, until=TODAY + 10 * WEEK)

    meetings = meetings_of(series)
    assert len(meetings) == count
    assert [m.status for m in meetings[:11]] == [Meeting.Status.SCHEDULED] * 11
    assert {m.status for m in meetings[11:]} == {Meeting.Status.CANCELLED}
    assert meetings[5].cancelled_reason == ""
    assert done.created == 9


def test_a_change_from_an_older_version_is_refused(on_today, chair):
    series = schedule(chair)
    series_update(series=series, by=chair, version=1, location="Room 4")

    with pytest.raises(StaleVersion):
        series_update(series=series, by=chair, version=1, location="Room 5")
    assert MeetingSeries.objects.get(pk=series.pk).location == "Room 4"


def test_only_the_chair_or_a_panel_chair_of_the_running_agency_changes_the_series(on_today, chair, partnership):
    series = schedule(chair, invited_agencies=[partnership.police, partnership.probation])
    deputy = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])
    other_chair = UserFactory.create(agency=partnership.probation, roles=[Role.PANEL_CHAIR])

    for refused in (partnership.officer, partnership.probation_officer, other_chair):
        with pytest.raises(NotAllowed):
            series_update(series=series, by=refused, version=1, location="Room 4")
    series_update(series=series, by=deputy, version=1, location="Room 4")
    assert MeetingSeries.objects.get(pk=series.pk).location == "Room 4"


def test_bad_changes_are_field_errors_and_change_nothing(on_today, chair, partnership):
    series = schedule(chair, first_date=TODAY + 2 * WEEK)

    with pytest.raises(ValidationError) as refused:
        series_update(
            series=series,
            by=chair,
            version=1,
            until=TODAY + WEEK,
            duration_minutes=5,
            online_link="ftp://meet",
            chair=partnership.officer,
            invited_agencies=[AgencyFactory.create(is_active=False)],
        )

    errors = refused.value.message_dict
    assert set(errors) == {"until", "duration_minutes", "online_link", "chair", "invited_agencies"}
    assert errors["until"] == ["The last date must be on or after the date of the first meeting"]
    assert MeetingSeries.objects.get(pk=series.pk).version == 1
    assert {m.duration_minutes for m in meetings_of(series)} == {90}
    with pytest.raises(ValidationError) as past:
        series_update(series=series, by=chair, version=1, until=TODAY - datetime.timedelta(days=1))
    assert past.value.message_dict == {"until": ["The last date must be today or in the future"]}


def test_the_recurrence_cannot_be_changed(on_today, chair):
    series = schedule(chair)

    with pytest.raises(TypeError):
        series_update(series=series, by=chair, version=1, frequency=MeetingSeries.Frequency.FORTNIGHTLY)


def test_changing_a_series_runs_the_same_queries_for_3_and_12_meetings(on_today, chair, partnership):
    warm_up = schedule(chair, until=TODAY + WEEK)
    few = schedule(chair, until=TODAY + 2 * WEEK)
    many = schedule(chair, until=TODAY + 11 * WEEK)
    assert (len(meetings_of(few)), len(meetings_of(many))) == (3, 12)
    change: dict[str, Any] = {
        "version": 1,
        "location": "Probation office",
        "starts_at": datetime.time(14, 0),
        "until": TODAY + WEEK,
        "invited_agencies": [partnership.police, partnership.probation],
        "invited_people": [partnership.drugs_worker],
    }
    series_update(series=warm_up, by=chair, **change)

    with CaptureQueriesContext(connection) as three:
        series_update(series=few, by=chair, **change)
    with CaptureQueriesContext(connection) as twelve:
        series_update(series=many, by=chair, **change)

    assert len(twelve) == len(three)
    assert Meeting.objects.filter(series=many, status=Meeting.Status.CANCELLED).count() == 10
    assert set(Meeting.objects.get(series=many, date=TODAY).invited_people.all()) == {partnership.drugs_worker}


# --- The page --------------------------------------------------------------------------------------


def form_data(series: MeetingSeries, /, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": series.title,
        "starts_at": series.starts_at.strftime("%H:%M"),
        "duration_minutes": str(series.duration_minutes),
        "location": series.location,
        "online_link": series.online_link,
        "chair": str(series.chair_id),
        "invited_agencies": [str(pk) for pk in series.invited_agencies.values_list("pk", flat=True)],
        "until_0": "",
        "until_1": "",
        "until_2": "",
        "version": str(series.version),
    }
    data.update(overrides)
    return data


def test_the_page_starts_from_the_series_and_says_what_will_change(time_machine, on_today, client, chair, partnership):
    series = schedule(chair, invited_agencies=[partnership.police, partnership.probation], until=TODAY + 8 * WEEK)
    travel_to(time_machine, TODAY + 2 * WEEK)

    response = as_user(client, chair).get(f"/meetings/series/{series.pk}/edit/")

    assert response.status_code == 200
    text = response.text
    assert 'value="10:00"' in text
    assert 'value="Northmoor Police HQ"' in text
    assert re.search(rf'value="{partnership.probation.pk}"[^>]*checked', text)
    assert re.search(r'name="until_0"[^>]*value="1"|value="1"[^>]*name="until_0"', text)
    assert f'name="version" value="{series.version}"' in text
    assert "7 scheduled meetings from 18 January 2027 will change" in text
    assert "cannot be changed" in text
    assert "schedule a new series" in text


def test_the_chair_changes_the_series_from_the_page(on_today, client, chair):
    series = schedule(chair, until=TODAY + 5 * WEEK)
    data = form_data(series, location="Probation office", until_0="18", until_1="1", until_2="2027")

    response = as_user(client, chair).post(f"/meetings/series/{series.pk}/edit/", data)

    first = meetings_of(series)[0]
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{first.pk}/"
    followed = client.get(response["Location"]).text
    assert (
        "Northmoor MAP has been changed: 3 scheduled meetings changed, 3 meetings after its last date cancelled."
        in followed
    )
    assert [m.location for m in meetings_of(series)[:3]] == ["Probation office"] * 3
    assert MeetingSeries.objects.get(pk=series.pk).until == datetime.date(2027, 1, 18)


def test_errors_show_on_the_page_beside_what_was_typed(on_today, client, chair):
    series = schedule(chair)
    data = form_data(series, location="Typed place", online_link="not a link", until_0="1", until_1="1", until_2="2026")

    response = as_user(client, chair).post(f"/meetings/series/{series.pk}/edit/", data)

    assert response.status_code == 400
    assert "Enter the online link as a web address" in response.text
    assert "The last date must be today or in the future" in response.text
    assert 'value="Typed place"' in response.text
    assert MeetingSeries.objects.get(pk=series.pk).location == "Northmoor Police HQ"


def test_a_change_from_a_stale_page_is_refused_keeping_what_was_typed(on_today, client, chair):
    series = schedule(chair)
    series_update(series=series, by=chair, version=1, title="Changed meanwhile")
    series.refresh_from_db()

    response = as_user(client, chair).post(
        f"/meetings/series/{series.pk}/edit/", form_data(series, location="Typed place", version="1")
    )

    assert response.status_code == 400
    assert "Someone else changed this series" in response.text
    assert 'value="Typed place"' in response.text
    assert MeetingSeries.objects.get(pk=series.pk).location == "Northmoor Police HQ"


def test_those_invited_see_the_meetings_but_not_the_series_page(on_today, client, chair, partnership):
    series = schedule(chair, invited_agencies=[partnership.police, partnership.probation])
    meeting = meetings_of(series)[0]
    links = re.compile(r'data-testid="meeting-links">(.*?)</ul>', re.S)

    chairs = links.search(as_user(client, chair).get(f"/meetings/{meeting.pk}/").text)
    client.force_login(partnership.probation_officer)
    invited = client.get(f"/meetings/{meeting.pk}/").text

    assert chairs is not None
    assert f'href="/meetings/series/{series.pk}/edit/">Change the series</a>' in chairs.group(1)
    assert f'href="/meetings/{meeting.pk}/edit/">Change the meeting</a>' in chairs.group(1)
    assert "Change the series" not in invited
    assert client.get(f"/meetings/series/{series.pk}/edit/").status_code == 404
    assert client.post(f"/meetings/series/{series.pk}/edit/", form_data(series)).status_code == 404


# --- The API ---------------------------------------------------------------------------------------


def test_the_chair_changes_the_series_through_the_api(on_today, client, chair):
    series = schedule(chair)
    client = as_user(client, chair)
    url = f"/api/v1/meeting-series/{series.pk}/"

    changed = client.patch(
        url, {"version": 1, "location": "Room 4", "until": "2027-01-18"}, content_type="application/json"
    )
    stale = client.patch(url, {"version": 1, "location": "Room 5"}, content_type="application/json")
    missing_version = client.patch(url, {"location": "Room 6"}, content_type="application/json")

    assert changed.status_code == 200
    body = changed.json()
    assert (body["location"], body["until"], body["version"]) == ("Room 4", "2027-01-18", 2)
    assert (body["meetings_changed"], body["meetings_created"]) == (3, 0)
    assert body["meetings_cancelled"] == len(meetings_of(series)) - 3
    assert stale.status_code == 409
    assert missing_version.status_code == 400
    assert "version" in missing_version.json()["errors"]
    assert MeetingSeries.objects.get(pk=series.pk).location == "Room 4"


def test_clearing_the_last_date_through_the_api(on_today, client, chair):
    series = schedule(chair, until=TODAY + WEEK)

    response = as_user(client, chair).patch(
        f"/api/v1/meeting-series/{series.pk}/", {"version": 1, "until": None}, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["until"] is None
    assert response.json()["meetings_created"] == len(meetings_of(series)) - 2


def test_a_change_breaking_a_rule_is_a_field_error(on_today, client, chair):
    series = schedule(chair)

    response = as_user(client, chair).patch(
        f"/api/v1/meeting-series/{series.pk}/",
        {"version": 1, "until": "2026-12-01", "online_link": "ftp://x", "duration_minutes": 1000},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"until", "online_link", "duration_minutes"}


def test_those_invited_read_the_series_but_may_not_change_it(on_today, client, chair, partnership):
    series = schedule(chair, invited_agencies=[partnership.police, partnership.probation])
    client = as_user(client, partnership.probation_officer)

    read = client.get(f"/api/v1/meeting-series/{series.pk}/")
    change = client.patch(
        f"/api/v1/meeting-series/{series.pk}/", {"version": 1, "location": "x"}, content_type="application/json"
    )

    assert read.status_code == 200
    assert read.json()["version"] == 1
    assert [m["date"] for m in read.json()["meetings"]][:2] == ["2027-01-04", "2027-01-11"]
    assert change.status_code == 403
    assert MeetingSeries.objects.get(pk=series.pk).location == "Northmoor Police HQ"


def test_a_series_not_yours_is_not_found(on_today, client, chair, partnership):
    series = schedule(chair, invited_agencies=[partnership.police, partnership.probation])
    client = as_user(client, partnership.housing_worker)

    read = client.get(f"/api/v1/meeting-series/{series.pk}/")
    change = client.patch(
        f"/api/v1/meeting-series/{series.pk}/", {"version": 1, "location": "x"}, content_type="application/json"
    )

    assert (read.status_code, change.status_code) == (404, 404)
    assert "Northmoor MAP" not in read.content.decode()


def test_the_series_endpoint_is_in_the_schema(client, chair):
    schema = as_user(client, chair).get("/api/v1/schema/?format=json").json()

    assert {"get", "patch"} <= set(schema["paths"]["/api/v1/meeting-series/{id}/"])
