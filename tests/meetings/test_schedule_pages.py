"""The scheduling pages (meetings/scheduling/views.py): the list, the calendar, scheduling a meeting or
a series, the meeting page with its agenda as the viewer's agency sees it, changing and cancelling;
and the home page's meetings."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

import pytest
from django.test import Client

from cohorts.models import AccessEvent
from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting, MeetingKind, MeetingSeries
from sharing.roles import Role
from tests.meetings.factories import MeetingFactory, category, make_item
from tests.partnership import Partnership
from tests.sharing.factories import UserFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2027, 1, 13)  # a Wednesday
RESTRICTED = "Restricted: not shared with your agency under the information sharing agreements"


@pytest.fixture
def on_today(time_machine: Any) -> datetime.date:
    time_machine.move_to(datetime.datetime(2027, 1, 13, 9, 0, tzinfo=LONDON), tick=False)
    return TODAY


@pytest.fixture
def chair(partnership: Partnership) -> Any:
    return UserFactory.create(
        agency=partnership.police, roles=[Role.PANEL_CHAIR], first_name="Mark", last_name="Reynolds"
    )


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def form_data(chair: Any, /, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": MeetingKind.CASE_CONFERENCE,
        "title": "",
        "date_0": "20",
        "date_1": "1",
        "date_2": "2027",
        "starts_at": "14:30",
        "duration_minutes": "60",
        "location": "Northmoor Police HQ, Room 2",
        "online_link": "",
        "chair": str(chair.pk),
        "invited_agencies": [str(chair.agency_id)],
    }
    data.update(overrides)
    return data


# --- The list --------------------------------------------------------------------------------------


def test_the_list_shows_upcoming_meetings_the_user_may_see(client, on_today, partnership, chair):
    invited = MeetingFactory.create(chair=chair, invited=[partnership.probation], title="Visible MAP", date=TODAY)
    MeetingFactory.create(chair=chair, title="Police only panel", date=TODAY)
    MeetingFactory.create(
        chair=chair, invited=[partnership.probation], title="Last month", date=datetime.date(2026, 12, 1)
    )

    text = as_user(client, partnership.probation_officer).get("/meetings/").text

    assert f'href="/meetings/{invited.pk}/">Visible MAP</a>' in text
    assert "Police only panel" not in text
    assert "Last month" not in text
    assert "Schedule a meeting" not in text


def test_the_past_tab_shows_past_meetings_latest_first_and_filters_by_kind(client, on_today, chair):
    older = MeetingFactory.create(chair=chair, title="Older panel", date=datetime.date(2026, 11, 2))
    newer = MeetingFactory.create(chair=chair, title="Newer panel", date=datetime.date(2026, 12, 7))
    MeetingFactory.create(chair=chair, kind=MeetingKind.MAP, title="A MAP", date=datetime.date(2026, 12, 8))

    text = as_user(client, chair).get("/meetings/?when=past&kind=selection_panel").text

    assert text.index(f'/meetings/{newer.pk}/"') < text.index(f'/meetings/{older.pk}/"')
    assert "A MAP" not in text
    assert 'aria-current="page">Past</a>' in text


def test_panel_chairs_are_offered_scheduling_from_the_list(client, on_today, chair):
    text = as_user(client, chair).get("/meetings/").text

    assert 'href="/meetings/new/">Schedule a meeting</a>' in text
    assert 'href="/meetings/series/new/">Schedule a series</a>' in text


def test_the_list_runs_the_same_queries_for_few_and_many_meetings(client, on_today, partnership, chair):
    viewer = partnership.probation_officer
    client = as_user(client, viewer)
    for n in range(3):
        MeetingFactory.create(chair=chair, invited=[partnership.probation], date=TODAY + datetime.timedelta(days=n))
    client.get("/meetings/")  # warm the session

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/meetings/")
    for n in range(30):
        meeting = MeetingFactory.create(
            chair=UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR]),
            date=TODAY + datetime.timedelta(days=n),
        )
        meeting.invited_people.add(viewer)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/meetings/")

    assert response.text.count('data-testid="meeting-row"') == 33
    assert len(many) == len(few)


# --- The calendar ----------------------------------------------------------------------------------


def test_the_calendar_shows_the_months_meetings_in_their_day_cells_and_marks_today(client, on_today, chair):
    meeting = MeetingFactory.create(chair=chair, title="MAP meeting", date=datetime.date(2027, 1, 20))
    MeetingFactory.create(chair=chair, title="February panel", date=datetime.date(2027, 2, 3))

    text = as_user(client, chair).get("/meetings/calendar/").text

    assert "Meetings in January 2027" in text
    cell = re.search(r'data-date="2027-01-20"(.*?)</td>', text, re.S)
    assert cell is not None
    assert f'href="/meetings/{meeting.pk}/">10:00 MAP meeting</a>' in cell.group(1)
    assert re.search(r'data-date="2027-01-13"[^>]*aria-current="date"', text)
    assert text.count('aria-current="date"') == 1
    assert "February panel" not in text
    assert 'href="?month=2026-12"' in text
    assert 'href="?month=2027-02"' in text
    assert "<script" not in text.split("<main")[1].split("</main>")[0]


def test_the_calendar_crosses_the_year_end_and_starts_weeks_on_monday(client, on_today, chair):
    MeetingFactory.create(chair=chair, title="Christmas MAP", date=datetime.date(2026, 12, 31))

    text = as_user(client, chair).get("/meetings/calendar/?month=2026-12").text

    assert "Meetings in December 2026" in text
    assert 'href="?month=2026-11"' in text
    assert 'href="?month=2027-01"' in text
    assert "Christmas MAP" in text
    dates = re.findall(r'data-date="([0-9-]+)"', text)
    assert dates[0] == "2026-11-30"  # the Monday before 1 December
    assert dates[-1] == "2027-01-03"
    assert 'aria-current="date"' not in text
    assert 'href="?month=2027-01">Back to this month</a>' in text


@pytest.mark.parametrize("month", ["2027-13", "January", "0-1", "2027-1-1", "9999-12", "99999999999-01", "1899-12"])
def test_a_month_not_understood_shows_this_month(client, on_today, chair, month):
    response = as_user(client, chair).get("/meetings/calendar/", {"month": month})

    assert response.status_code == 200
    assert "Meetings in January 2027" in response.text
    assert "That month was not understood" in response.text


def test_the_calendar_links_no_month_beyond_the_date_rules(client, on_today, chair):
    client = as_user(client, chair)

    last = client.get("/meetings/calendar/", {"month": "2100-12"}).text
    first = client.get("/meetings/calendar/", {"month": "1900-01"}).text

    assert "Meetings in December 2100" in last
    assert 'rel="next"' not in last
    assert 'href="?month=2100-11"' in last
    assert "Meetings in January 1900" in first
    assert 'rel="prev"' not in first


def test_the_calendar_shows_only_meetings_the_user_may_see(client, on_today, partnership, chair):
    MeetingFactory.create(chair=chair, title="Police only panel", date=TODAY)

    text = as_user(client, partnership.drugs_worker).get("/meetings/calendar/").text

    assert "Police only panel" not in text
    assert "0 meetings" in text


# --- Scheduling ------------------------------------------------------------------------------------


def test_a_panel_chair_schedules_a_case_conference(client, on_today, partnership, chair):
    response = as_user(client, chair).post(
        "/meetings/new/", form_data(chair, invited_agencies=[str(partnership.probation.pk)])
    )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meeting.pk}/"
    assert (meeting.kind, meeting.title, meeting.date) == (
        MeetingKind.CASE_CONFERENCE,
        "Case conference",
        datetime.date(2027, 1, 20),
    )
    assert meeting.starts_at == datetime.time(14, 30)
    assert list(meeting.invited_agencies.all()) == [partnership.probation]


def test_scheduling_errors_show_beside_what_was_typed(client, on_today, chair, partnership):
    response = as_user(client, chair).post(
        "/meetings/new/",
        form_data(
            chair,
            title="Joint visit planning",
            date_0="6",
            date_1="12",
            date_2="2026",
            location="",
            online_link="not a link",
            chair=str(partnership.officer.pk),
        ),
    )

    assert response.status_code == 400
    text = response.text
    assert "govuk-error-summary" in text
    assert "Select the chair from the list" in text  # the officer is no panel chair: not offered
    assert 'value="Joint visit planning"' in text
    assert 'value="not a link"' in text
    assert not Meeting.objects.exists()


def picker(text: str) -> list[tuple[str, bool, list[tuple[str, bool]]]]:
    """The invited-people picker as shown: each agency's section, open or not, and its people, ticked or not."""
    sections = re.findall(
        r'<details class="govuk-details[^"]*" data-testid="invitable-agency"( open)?>(.*?)</details>', text, re.S
    )
    shown = []
    for opened, body in sections:
        agency = re.search(r'summary-text">([^<(]*)', body).group(1).strip()  # type: ignore[union-attr]
        people = re.findall(r'value="(\d+)"( checked)?>', body)
        shown.append((agency, bool(opened), [(pk, bool(ticked)) for pk, ticked in people]))
    return shown


def test_the_people_picker_is_a_section_an_agency_open_where_someone_is_invited(client, on_today, partnership, chair):
    text = (
        as_user(client, chair)
        .post(
            "/meetings/new/",
            form_data(
                chair, date_0="6", date_1="12", date_2="2026", invited_people=[str(partnership.probation_officer.pk)]
            ),
        )
        .text
    )

    sections = {agency: (opened, dict(people)) for agency, opened, people in picker(text)}
    probation = sections[partnership.probation.name]
    assert probation == (True, {**probation[1], str(partnership.probation_officer.pk): True}), "kept as typed"
    assert f"{partnership.probation.name} (1 invited)" in text
    police = sections[partnership.police.name]
    assert police[0] is False
    assert str(chair.pk) in police[1]
    assert not any(police[1].values())
    assert list(sections) == sorted(sections), "agencies in alphabetical order"
    assert sum(len(people) for _, people in sections.values()) == len(set().union(*(p for _, p in sections.values())))


def test_the_people_picker_reads_the_users_in_one_query_however_many(client, on_today, partnership, chair):
    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert as_user(client, chair).get("/meetings/new/").status_code == 200
        return len(captured)

    queries()  # the first request of a session reads more (the session, the caches)
    few = queries()
    UserFactory.create_batch(30, agency=partnership.drugs, roles=[Role.PARTNER_WORKER])
    UserFactory.create_batch(30, agency=partnership.housing, roles=[Role.PARTNER_WORKER])

    assert queries() == few


def test_the_series_edit_form_opens_the_sections_of_the_people_invited(client, on_today, partnership, chair):
    series_response = as_user(client, chair).post(
        "/meetings/series/new/",
        {
            **form_data(chair, kind=MeetingKind.MAP),
            "frequency": MeetingSeries.Frequency.WEEKLY,
            "first_date_0": "20",
            "first_date_1": "1",
            "first_date_2": "2027",
            "invited_people": [str(partnership.probation_officer.pk)],
        },
    )
    assert series_response.status_code == 302, series_response.text
    series = MeetingSeries.objects.get()

    text = client.get(f"/meetings/series/{series.pk}/edit/").text

    opened = {agency for agency, is_open, _ in picker(text) if is_open}
    assert opened == {partnership.probation.name}


def test_the_services_rules_come_back_as_field_errors(client, on_today, chair):
    response = as_user(client, chair).post(
        "/meetings/new/",
        form_data(chair, date_0="6", date_1="12", date_2="2026", location="", online_link="not a link"),
    )

    assert response.status_code == 400
    assert "The date of the meeting must be within the last 28 days, or today or in the future" in response.text
    assert "Enter the online link as a web address" in response.text
    assert 'value="not a link"' in response.text


def test_the_series_form_defaults_to_the_configured_selection_panel_frequency(client, on_today, chair, settings):
    settings.IOM_SELECTION_PANEL_FREQUENCY = "weekly"

    text = as_user(client, chair).get("/meetings/series/new/").text

    assert re.search(r'value="weekly"[^>]*checked', text)
    assert not re.search(r'value="monthly"[^>]*checked', text)


def test_the_series_form_defaults_to_monthly(client, on_today, chair):
    text = as_user(client, chair).get("/meetings/series/new/").text

    assert re.search(r'value="monthly"[^>]*checked', text)
    assert 'value="case_conference"' not in text


def test_a_panel_chair_schedules_a_weekly_map_series(client, on_today, chair):
    data = form_data(chair, kind=MeetingKind.MAP, frequency="weekly", title="Northmoor MAP")
    data.update({"first_date_0": "18", "first_date_1": "1", "first_date_2": "2027"})

    response = as_user(client, chair).post("/meetings/series/new/", data, follow=True)

    series = MeetingSeries.objects.get()
    assert series.meetings.count() == 26
    assert "26 meetings in the next six months" in response.text
    assert response.redirect_chain[-1][0] == "/meetings/"


def test_a_series_refused_keeps_what_was_typed(client, on_today, chair):
    data = form_data(chair, kind=MeetingKind.Y2A_PANEL, frequency="weekly", title="Y2A")
    data.update({"first_date_0": "18", "first_date_1": "1", "first_date_2": "2027"})

    response = as_user(client, chair).post("/meetings/series/new/", data)

    assert response.status_code == 400
    assert "A y2a transfer panel meets every 3 months" in response.text
    assert re.search(r'value="y2a_panel"[^>]*checked', response.text)
    assert 'value="18"' in response.text
    assert not MeetingSeries.objects.exists()


@pytest.mark.parametrize("url", ["/meetings/new/", "/meetings/series/new/"])
def test_other_roles_may_not_schedule(client, on_today, partnership, url):
    supervisor = UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR, Role.PRACTITIONER])

    assert as_user(client, supervisor).get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


# --- The meeting page ------------------------------------------------------------------------------


@pytest.fixture
def agenda(partnership: Partnership, chair: Any) -> dict[str, Any]:
    """A MAP meeting inviting probation and the drug service, about a person the police recorded and
    put on the cohort: an offending item (shared with probation), an accommodation item (the
    police's alone), and other business."""
    from cohorts.records.services import cohort_membership_start
    from tests.cohorts.factories import make_nominal

    nominal = make_nominal(partnership.officer, first_name="Dale", last_name="Hubperson")
    cohort_membership_start(nominal=nominal)
    meeting = MeetingFactory.create(
        chair=chair, kind=MeetingKind.MAP, invited=[partnership.probation, partnership.drugs]
    )
    shared = make_item(
        meeting,
        kind=AgendaItem.Kind.TOP_RAG,
        title="Hubperson, Dale: rated red",
        nominal=nominal,
        owning_agency=partnership.police,
        category=category("offending-risk"),
    )
    police_only = make_item(
        meeting,
        kind=AgendaItem.Kind.OTHER,
        title="Hubperson, Dale: housing breakdown",
        nominal=nominal,
        owning_agency=partnership.police,
        category=category("accommodation"),
    )
    business = make_item(meeting, title="Date of the next meeting")
    return {"meeting": meeting, "nominal": nominal, "shared": shared, "police_only": police_only, "business": business}


def test_the_meeting_page_shows_the_meeting_and_its_whole_agenda_to_the_police(client, partnership, chair, agenda):
    meeting = agenda["meeting"]

    text = as_user(client, chair).get(f"/meetings/{meeting.pk}/").text

    assert "Mark Reynolds, Northmoor Police" in text
    assert "Northmoor Police HQ, Conference Room 2" in text
    assert "Probation Northmoor" in text
    assert "Compass Recovery" in text
    assert "Hubperson, Dale: rated red" in text
    assert "Hubperson, Dale: housing breakdown" in text
    assert "Date of the next meeting" in text
    assert RESTRICTED not in text


def test_an_invited_partner_sees_restricted_items_as_restricted(client, partnership, agenda):
    meeting = agenda["meeting"]

    text = as_user(client, partnership.probation_officer).get(f"/meetings/{meeting.pk}/").text

    assert "Hubperson, Dale: rated red" in text
    assert "housing breakdown" not in text
    assert text.count(RESTRICTED) == 1
    assert f'data-item="{agenda["police_only"].pk}"' in text  # there, but not what it is
    assert "Date of the next meeting" in text


def test_an_agency_that_may_not_see_the_person_sees_only_that_items_are_there(client, partnership, agenda):
    meeting = agenda["meeting"]

    text = as_user(client, partnership.drugs_worker).get(f"/meetings/{meeting.pk}/").text

    assert "Hubperson" not in text
    assert text.count(RESTRICTED) == 2
    assert "Date of the next meeting" in text


def test_viewing_the_agenda_is_logged_with_the_people_shown(client, partnership, agenda):
    meeting = agenda["meeting"]

    as_user(client, partnership.probation_officer).get(f"/meetings/{meeting.pk}/")

    event = AccessEvent.objects.get(user=partnership.probation_officer)
    assert event.nominal_ids == [agenda["nominal"].pk]
    assert event.categories == ["offending-risk"]
    assert event.path == f"/meetings/{meeting.pk}/"


@pytest.mark.parametrize("who", ["officer", "housing_worker", "outsider"])
def test_a_meeting_not_yours_is_not_found(client, partnership, agenda, who):
    meeting = agenda["meeting"]
    client = as_user(client, getattr(partnership, who))

    for url in (f"/meetings/{meeting.pk}/", f"/meetings/{meeting.pk}/edit/", f"/meetings/{meeting.pk}/cancel/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Hubperson" not in response.text


def test_an_invited_person_sees_the_meeting_but_not_its_chairs_pages(client, partnership, agenda):
    meeting = agenda["meeting"]
    meeting.invited_people.add(partnership.housing_worker)
    client = as_user(client, partnership.housing_worker)

    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    assert client.get(f"/meetings/{meeting.pk}/edit/").status_code == 404
    assert client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "x", "version": "1"}).status_code == 404


def test_the_chair_is_offered_the_chairs_links_and_an_attendee_only_the_pack(client, partnership, chair, agenda):
    meeting = agenda["meeting"]
    link = re.compile(r'data-testid="meeting-links">(.*?)</ul>', re.S)

    chairs = link.search(as_user(client, chair).get(f"/meetings/{meeting.pk}/").text)
    attendees = link.search(as_user(client, partnership.probation_officer).get(f"/meetings/{meeting.pk}/").text)

    assert chairs is not None
    assert f'href="/meetings/{meeting.pk}/edit/">Change the meeting</a>' in chairs.group(1)
    assert f'href="/meetings/{meeting.pk}/cancel/">Cancel the meeting</a>' in chairs.group(1)
    for suffix, text in (("agenda/", "Edit the agenda"), ("run/", "Run the meeting"), ("pack/", "Meeting pack")):
        from django.urls import Resolver404, resolve

        try:
            resolve(f"/meetings/{meeting.pk}/{suffix}")
        except Resolver404:
            continue  # that part of the work is not installed
        assert f'href="/meetings/{meeting.pk}/{suffix}">{text}</a>' in chairs.group(1)
    attendee_links = attendees.group(1) if attendees else ""
    assert "Change the meeting" not in attendee_links
    assert "Run the meeting" not in attendee_links
    assert "Edit the agenda" not in attendee_links


def test_a_cancelled_meeting_shows_why_and_offers_no_changes(client, chair, agenda):
    meeting = agenda["meeting"]
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED, cancelled_reason="Room unavailable")

    text = as_user(client, chair).get(f"/meetings/{meeting.pk}/").text

    assert "This meeting is cancelled: Room unavailable" in text
    assert "Change the meeting" not in text
    assert "Run the meeting" not in text


def test_the_meeting_page_runs_the_same_queries_for_5_and_60_items(client, partnership, chair, agenda):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    meeting = agenda["meeting"]
    client = as_user(client, partnership.probation_officer)
    client.get(f"/meetings/{meeting.pk}/")
    nominal = agenda["nominal"]

    def add_items(count: int) -> None:
        for n in range(count):
            make_item(
                meeting,
                source_key=f"extra:{meeting.items.count()}:{n}",
                title=f"Extra {n}",
                nominal=nominal,
                owning_agency=partnership.police,
                category=category("offending-risk" if n % 2 else "accommodation"),
            )
            meeting.invited_people.add(UserFactory.create(agency=partnership.prison)) if n < 3 else None

    add_items(2)  # 5 items
    with CaptureQueriesContext(connection) as five:
        assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    add_items(55)  # 60 items
    with CaptureQueriesContext(connection) as sixty:
        text = client.get(f"/meetings/{meeting.pk}/").text

    assert text.count('data-testid="agenda-item') == 60
    assert len(sixty) == len(five)


# --- Changing and cancelling -----------------------------------------------------------------------


def test_the_chair_changes_the_meeting(client, on_today, partnership, chair):
    meeting = MeetingFactory.create(chair=chair, date=datetime.date(2027, 1, 20))
    data = form_data(chair, location="Probation office", version="1")
    data.pop("kind")

    response = as_user(client, chair).post(f"/meetings/{meeting.pk}/edit/", data)

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.location, meeting.starts_at, meeting.version) == ("Probation office", datetime.time(14, 30), 2)


def test_a_change_from_a_stale_page_is_refused_keeping_what_was_typed(client, on_today, chair):
    meeting = MeetingFactory.create(chair=chair, date=datetime.date(2027, 1, 20))
    Meeting.objects.filter(pk=meeting.pk).update(version=2)
    data = form_data(chair, location="Typed location", version="1")

    response = as_user(client, chair).post(f"/meetings/{meeting.pk}/edit/", data)

    assert response.status_code == 400
    assert "Someone else changed this meeting" in response.text
    assert 'value="Typed location"' in response.text
    meeting.refresh_from_db()
    assert meeting.location == "Northmoor Police HQ, Conference Room 2"


def test_the_edit_form_starts_from_the_meeting(client, on_today, chair):
    meeting = MeetingFactory.create(chair=chair, date=datetime.date(2027, 1, 20), starts_at=datetime.time(9, 30))

    text = as_user(client, chair).get(f"/meetings/{meeting.pk}/edit/").text

    assert 'value="09:30"' in text
    assert 'value="Northmoor Police HQ, Conference Room 2"' in text
    assert re.search(r'name="date_0"[^>]*value="20"|value="20"[^>]*name="date_0"', text)


def test_the_chair_cancels_a_meeting_with_a_reason(client, on_today, chair):
    meeting = MeetingFactory.create(chair=chair, date=datetime.date(2027, 1, 20))
    client = as_user(client, chair)

    refused = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "", "version": "1"})
    done = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "Room unavailable", "version": "1"})

    assert refused.status_code == 400
    assert "Enter why the meeting is cancelled" in refused.text
    assert done.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancelled_reason) == (Meeting.Status.CANCELLED, "Room unavailable")


def test_a_held_meeting_cannot_be_cancelled_or_changed(client, on_today, chair):
    meeting = MeetingFactory.create(chair=chair, date=TODAY, status=Meeting.Status.HELD)
    client = as_user(client, chair)

    assert "only a scheduled meeting can be cancelled" in client.get(f"/meetings/{meeting.pk}/cancel/").text
    assert client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "Late", "version": "1"}).status_code == 400
    assert "only a scheduled meeting can be changed" in client.get(f"/meetings/{meeting.pk}/edit/").text
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


# --- Home and navigation ---------------------------------------------------------------------------


def test_panel_chairs_are_offered_meetings_and_scheduling_on_the_home_page(client, chair):
    text = as_user(client, chair).get("/").text

    assert 'href="/meetings/">Meetings</a>' in text
    assert 'href="/meetings/new/">Schedule a meeting</a>' in text


def test_everyone_sees_their_next_three_meetings_on_the_home_page(client, on_today, partnership, chair):
    for n, title in enumerate(["First", "Second", "Third", "Fourth"], start=1):
        MeetingFactory.create(
            chair=chair, invited=[partnership.probation], title=f"{title} MAP", date=TODAY + datetime.timedelta(days=n)
        )

    text = as_user(client, partnership.probation_officer).get("/").text

    assert "Your next meetings" in text
    assert text.index("First MAP") < text.index("Second MAP") < text.index("Third MAP")
    assert "Fourth MAP" not in text


def test_no_next_meetings_section_without_meetings(client, partnership):
    assert "Your next meetings" not in as_user(client, partnership.outsider).get("/").text


@pytest.mark.parametrize("role", list(Role))
def test_meetings_are_in_the_navigation_for_everyone(client, partnership, role):
    user = UserFactory.create(agency=partnership.prison, roles=[role])

    text = as_user(client, user).get("/").text

    assert 'class="govuk-service-navigation__link" href="/meetings/"' in text


# --- System administration -------------------------------------------------------------------------


def test_system_admins_read_meetings_in_administration_but_change_nothing(client, chair, system_admin):
    meeting = MeetingFactory.create(chair=chair)
    client = as_user(client, system_admin)

    assert client.get("/admin/meetings/meeting/").status_code == 200
    assert client.get(f"/admin/meetings/meeting/{meeting.pk}/change/").status_code == 200
    assert client.get("/admin/meetings/meetingseries/").status_code == 200
    assert client.get("/admin/meetings/meeting/add/").status_code == 403
    assert client.post(f"/admin/meetings/meeting/{meeting.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_agenda_items_about_people_are_not_in_administration(client, system_admin):
    response = as_user(client, system_admin).get("/admin/meetings/")

    assert response.status_code == 200
    assert "/admin/meetings/meeting/" in response.text
    assert "/admin/meetings/agendaitem/" not in response.text
    assert "/admin/meetings/meetingaction/" not in response.text
