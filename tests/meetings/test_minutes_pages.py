"""Minutes pages and API (meetings/minutes/views.py, meetings/minutes/api.py): each viewer's version,
drafts, the chair's approval with who receives what, the print version, the access log and a fixed
number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import AccessEvent
from cohorts.records.services import cohort_membership_start
from meetings.minutes.models import MinutesDistribution
from meetings.minutes.services import minutes_approve
from meetings.running.models import Attendance
from meetings.scheduling.models import Meeting
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.meetings.factories import MeetingFactory, category, make_action, make_attendance, make_item
from tests.sharing.factories import UserFactory


@pytest.fixture
def chair(partnership):
    return UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])


@pytest.fixture
def person(partnership):
    nominal = make_nominal(partnership.officer, first_name="Alex", last_name="Minutespage")
    cohort_membership_start(nominal=nominal)
    return nominal


def held(chair, partnership, person, size: int = 1) -> Meeting:
    """A held meeting with `size` offending-risk items about the person (the police's), probation
    and the drug service present."""
    meeting = MeetingFactory.create(
        chair=chair,
        date=timezone.localdate() - datetime.timedelta(days=1),
        status=Meeting.Status.HELD,
        invited=[partnership.probation, partnership.drugs],
    )
    for n in range(size):
        item = make_item(
            meeting,
            title=f"OFFENDING-TITLE {n}",
            nominal=person,
            owning_agency=partnership.police,
            category=category("offending-risk"),
            notes=f"OFFENDING-NOTES {n}",
        )
        make_action(meeting, partnership.probation_officer, item=item)
    make_attendance(meeting, chair)
    make_attendance(meeting, partnership.probation_officer)
    make_attendance(meeting, partnership.drugs_worker)
    return meeting


@pytest.fixture
def meeting(chair, partnership, person):
    return held(chair, partnership, person)


@pytest.fixture
def approved(meeting, chair):
    return minutes_approve(meeting=meeting, by=chair, version=meeting.version)


# --- Reading ------------------------------------------------------------------------------------------


def test_each_attendee_reads_their_agencys_version(client, approved, partnership):
    url = reverse("meeting-minutes", args=[approved.pk])

    client.force_login(partnership.probation_officer)
    probation = client.get(url).text
    client.force_login(partnership.drugs_worker)
    drugs = client.get(url).text

    assert "OFFENDING-NOTES 0" in probation
    assert "Alex Minutespage" in probation
    assert "OFFENDING" not in drugs
    assert "Minutespage" not in drugs
    assert "Item 1: restricted: not shared with your agency under the information sharing agreements" in drugs


def test_reading_approved_minutes_logs_the_people_shown(client, approved, partnership, person):
    client.force_login(partnership.probation_officer)

    client.get(reverse("meeting-minutes", args=[approved.pk]))

    event = AccessEvent.objects.get(user=partnership.probation_officer, action=AccessEvent.Action.VIEW)
    assert event.nominal_ids == [person.pk]
    assert "offending-risk" in event.categories
    assert "Core IOM agreement" in event.allowed_by


def test_a_version_with_nobody_shown_logs_nothing(client, approved, partnership):
    client.force_login(partnership.drugs_worker)

    client.get(reverse("meeting-minutes", args=[approved.pk]))

    assert not AccessEvent.objects.filter(user=partnership.drugs_worker, action=AccessEvent.Action.VIEW).exists()


def test_a_draft_is_the_chairs_others_are_told_it_is_coming(client, meeting, chair, partnership):
    url = reverse("meeting-minutes", args=[meeting.pk])

    client.force_login(partnership.probation_officer)
    others = client.get(url)
    client.force_login(chair)
    chairs = client.get(url)

    assert others.status_code == 200
    assert "OFFENDING" not in others.text
    assert 'data-testid="minutes-unavailable"' in others.text
    assert "OFFENDING-NOTES 0" in chairs.text
    assert "Probation Northmoor: 1 of 1 item" in chairs.text
    assert "Compass Recovery: 0 of 1 item" in chairs.text


def test_a_meeting_not_held_has_no_minutes_yet(client, chair, partnership):
    meeting = MeetingFactory.create(chair=chair, invited=[partnership.probation])
    client.force_login(partnership.probation_officer)

    response = client.get(reverse("meeting-minutes", args=[meeting.pk]))

    assert response.status_code == 200
    assert "No minutes yet" in response.text


def test_a_recipient_not_invited_still_reads_the_minutes_they_received(client, meeting, chair, partnership):
    make_attendance(meeting, partnership.housing_worker)
    minutes_approve(meeting=meeting, by=chair, version=meeting.version)
    client.force_login(partnership.housing_worker)

    assert client.get(reverse("meeting-minutes", args=[meeting.pk])).status_code == 200


def test_anyone_else_gets_not_found(client, approved, partnership):
    client.force_login(partnership.housing_worker)

    assert client.get(reverse("meeting-minutes", args=[approved.pk])).status_code == 404
    assert client.get(reverse("meeting-minutes", args=[10**9])).status_code == 404


def test_the_print_version_carries_the_marking_and_the_viewers_version(client, approved, partnership):
    client.force_login(partnership.probation_officer)

    text = client.get(reverse("meeting-minutes-print", args=[approved.pk])).text

    assert "OFFICIAL-SENSITIVE" in text
    assert "css/print.css" in text
    assert "OFFENDING-NOTES 0" in text
    assert "govuk-service-navigation" not in text


def test_the_minutes_page_takes_the_same_queries_for_5_items_as_for_60(client, chair, partnership, person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, large = (held(chair, partnership, person, size) for size in (5, 60))
    for meeting in (small, large):
        minutes_approve(meeting=meeting, by=chair, version=meeting.version)
    client.force_login(partnership.probation_officer)

    counts = []
    for meeting in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("meeting-minutes", args=[meeting.pk])).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- Approving ----------------------------------------------------------------------------------------


def test_the_chair_approves_on_the_page(client, meeting, chair, partnership):
    client.force_login(chair)
    url = reverse("meeting-minutes-approve", args=[meeting.pk])

    check = client.get(url)
    response = client.post(url, {"version": str(meeting.version)})

    assert "Probation Northmoor: 1 of 1 item" in check.text
    assert f'name="version" value="{meeting.version}"' in check.text
    assert response.status_code == 302
    assert MinutesDistribution.objects.filter(meeting=meeting).count() == 3
    assert 'data-testid="minutes-distribution"' in client.get(reverse("meeting-minutes", args=[meeting.pk])).text


def test_approving_twice_is_refused_on_the_page(client, approved, chair):
    client.force_login(chair)

    response = client.post(reverse("meeting-minutes-approve", args=[approved.pk]), {"version": str(approved.version)})

    assert response.status_code == 400
    assert "already approved" in response.text
    assert MinutesDistribution.objects.filter(meeting=approved).count() == 3


def test_approving_a_meeting_not_held_says_why(client, chair, partnership):
    meeting = MeetingFactory.create(chair=chair)
    client.force_login(chair)
    url = reverse("meeting-minutes-approve", args=[meeting.pk])

    assert 'data-testid="not-held"' in client.get(url).text
    response = client.post(url, {"version": "1"})
    assert response.status_code == 400
    assert "Only a held meeting" in response.text


def test_approving_without_a_version_is_an_error_not_a_crash(client, meeting, chair):
    client.force_login(chair)

    response = client.post(reverse("meeting-minutes-approve", args=[meeting.pk]), {"version": "nonsense"})

    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_invited_people_may_not_approve(client, meeting, partnership):
    client.force_login(partnership.probation_officer)

    assert client.post(reverse("meeting-minutes-approve", args=[meeting.pk]), {"version": "1"}).status_code == 404


# --- API ----------------------------------------------------------------------------------------------


def test_api_minutes_are_the_callers_version(client, approved, partnership):
    client.force_login(partnership.drugs_worker)

    data = client.get(reverse("api-meeting-minutes", args=[approved.pk])).json()

    assert data["available"]
    assert data["state"] == "approved"
    assert [(i["restricted"], i["title"], i["notes"]) for i in data["items"]] == [(True, "", "")]
    assert "OFFENDING" not in str(data)


def test_api_a_draft_is_not_available_to_others(client, meeting, partnership):
    client.force_login(partnership.probation_officer)

    data = client.get(reverse("api-meeting-minutes", args=[meeting.pk])).json()

    assert data["available"] is False
    assert data["items"] == []
    assert "draft" in data["message"]


def test_api_the_chair_approves(client, meeting, chair):
    client.force_login(chair)
    url = reverse("api-meeting-minutes-approve", args=[meeting.pk])

    first = client.post(url, {"version": meeting.version}, content_type="application/json")
    second = client.post(url, {"version": meeting.version + 1}, content_type="application/json")
    missing = client.post(url, {}, content_type="application/json")

    assert first.status_code == 200
    assert first.json()["state"] == "approved"
    assert second.status_code == 409
    assert "already approved" in second.json()["detail"]
    assert missing.status_code == 400
    assert "version" in missing.json()["errors"]


def test_api_attendance_status_apologies_still_receives(client, meeting, chair, partnership):
    Attendance.objects.filter(meeting=meeting, person=partnership.drugs_worker).update(
        status=Attendance.Status.APOLOGIES
    )
    client.force_login(chair)

    client.post(
        reverse("api-meeting-minutes-approve", args=[meeting.pk]),
        {"version": meeting.version},
        content_type="application/json",
    )

    assert MinutesDistribution.objects.filter(meeting=meeting, recipient=partnership.drugs_worker).exists()
