"""Action pages and API (meetings/actions/views.py, meetings/actions/api.py): setting an action,
"Your actions", an action's page, marking it done and cancelling it; errors shown on the page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import AccessEvent
from cohorts.records.services import cohort_membership_start
from meetings.actions.models import MeetingAction
from meetings.scheduling.models import Meeting
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.meetings.factories import MeetingFactory, category, make_action, make_item
from tests.sharing.factories import UserFactory


@pytest.fixture
def chair(partnership):
    return UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])


@pytest.fixture
def person(partnership):
    nominal = make_nominal(partnership.officer, first_name="Sam", last_name="Pageperson")
    cohort_membership_start(nominal=nominal)
    return nominal


@pytest.fixture
def meeting(chair, partnership):
    return MeetingFactory.create(chair=chair, invited=[partnership.probation, partnership.drugs])


@pytest.fixture
def item(meeting, partnership, person):
    return make_item(
        meeting,
        nominal=person,
        owning_agency=partnership.police,
        category=category("offending-risk"),
        title="ITEM-TITLE Sam Pageperson",
    )


def day_fields(day: datetime.date) -> dict[str, str]:
    return {"due_on_0": str(day.day), "due_on_1": str(day.month), "due_on_2": str(day.year)}


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


# --- Setting an action --------------------------------------------------------------------------------


def test_the_chair_sets_an_action_on_an_item(client, meeting, item, chair, partnership, person):
    client.force_login(chair)
    url = reverse("meeting-item-action-new", args=[meeting.pk, item.pk])

    assert "ITEM-TITLE" in client.get(url).text
    response = client.post(
        url,
        {"owner": partnership.probation_officer.pk, "description": "Joint home visit", **day_fields(in_days(7))},
    )

    assert response.status_code == 302
    action = MeetingAction.objects.get()
    assert (action.item, action.nominal, action.owner) == (item, person, partnership.probation_officer)


def test_setting_an_action_shows_errors_beside_what_was_typed(client, meeting, chair, partnership):
    client.force_login(chair)

    response = client.post(
        reverse("meeting-action-new", args=[meeting.pk]),
        {"owner": partnership.officer.pk, "description": "KEEP-WHAT-I-TYPED", **day_fields(in_days(-3))},
    )

    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert "The due date must be today or in the future" in response.text
    assert "KEEP-WHAT-I-TYPED" in response.text
    assert not MeetingAction.objects.exists()


def test_a_missing_owner_and_a_nonsense_date_are_errors_not_crashes(client, meeting, chair):
    client.force_login(chair)

    response = client.post(
        reverse("meeting-action-new", args=[meeting.pk]),
        {"owner": "999999", "description": "", "due_on_0": "31", "due_on_1": "2", "due_on_2": "2027"},
    )

    assert response.status_code == 400
    assert "Choose who owns the action" in response.text
    assert "Describe the action" in response.text
    assert "The due date must be a real date" in response.text


def test_an_approved_meetings_action_page_says_the_record_is_closed(client, meeting, chair):
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.MINUTES_APPROVED, minutes_approved_at=timezone.now()
    )
    client.force_login(chair)

    response = client.get(reverse("meeting-action-new", args=[meeting.pk]))

    assert response.status_code == 200
    assert 'data-testid="record-closed"' in response.text


def test_an_item_of_another_meeting_is_not_found(client, meeting, chair):
    other = make_item(MeetingFactory.create(chair=chair))
    client.force_login(chair)

    assert client.get(reverse("meeting-item-action-new", args=[meeting.pk, other.pk])).status_code == 404


# --- Your actions and an action's page ----------------------------------------------------------------


def test_your_actions_mark_the_overdue(client, meeting, partnership):
    make_action(meeting, partnership.probation_officer, due_on=in_days(-2), description="LATE-ONE")
    make_action(meeting, partnership.probation_officer, due_on=in_days(2), description="SOON-ONE")
    client.force_login(partnership.probation_officer)

    text = client.get(reverse("meeting-actions-mine")).text

    assert text.index("LATE-ONE") < text.index("SOON-ONE")
    assert text.count('data-testid="overdue"') == 1


def test_your_actions_page_takes_the_same_queries_whatever_the_number(
    client, meeting, partnership, django_assert_max_num_queries
):
    client.force_login(partnership.probation_officer)
    for _ in range(3):
        make_action(meeting, partnership.probation_officer)
    with django_assert_max_num_queries(9) as few:
        client.get(reverse("meeting-actions-mine"))
    for _ in range(30):
        make_action(meeting, partnership.probation_officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("meeting-actions-mine"))


def test_the_owner_marks_their_action_done_on_its_page(client, meeting, item, partnership):
    action = make_action(meeting, partnership.probation_officer, item=item, nominal=item.nominal)
    client.force_login(partnership.probation_officer)
    url = reverse("meeting-action-detail", args=[action.pk])

    page = client.get(url)
    response = client.post(url, {"version": "1", "note": "Visited"})

    assert 'data-testid="complete-form"' in page.text
    assert 'name="version" value="1"' in page.text
    assert AccessEvent.objects.filter(user=partnership.probation_officer, nominal=item.nominal).exists()
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == MeetingAction.Status.DONE


def test_marking_done_with_a_stale_version_says_so_on_the_page(client, meeting, partnership):
    action = make_action(meeting, partnership.probation_officer)
    client.force_login(partnership.probation_officer)

    response = client.post(reverse("meeting-action-detail", args=[action.pk]), {"version": "7", "note": "MY-NOTE"})

    assert response.status_code == 400
    assert "Someone else changed this action" in response.text
    assert "MY-NOTE" in response.text


def test_someone_who_sees_the_action_but_does_not_own_it_may_not_mark_it_done(client, meeting, partnership):
    action = make_action(meeting, partnership.officer)
    client.force_login(partnership.probation_officer)
    url = reverse("meeting-action-detail", args=[action.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"version": "1"}).status_code == 403


def test_an_action_in_a_meeting_not_seen_is_not_found(client, meeting, partnership):
    action = make_action(meeting, partnership.officer)
    client.force_login(partnership.housing_worker)

    assert client.get(reverse("meeting-action-detail", args=[action.pk])).status_code == 404


def test_the_owner_reads_their_action_even_outside_the_meeting(client, meeting, partnership):
    action = make_action(meeting, partnership.housing_worker, description="HOUSING-ACTION")
    client.force_login(partnership.housing_worker)

    assert "HOUSING-ACTION" in client.get(reverse("meeting-action-detail", args=[action.pk])).text


def test_the_chair_cancels_an_action(client, meeting, chair, partnership):
    action = make_action(meeting, partnership.probation_officer)
    client.force_login(chair)
    url = reverse("meeting-action-cancel", args=[action.pk])

    assert client.post(url, {"version": "1", "note": ""}).status_code == 400
    assert client.post(url, {"version": "1", "note": "Done by the YOT"}).status_code == 302
    action.refresh_from_db()
    assert action.status == MeetingAction.Status.CANCELLED
    assert 'data-testid="not-open"' in client.get(url).text


# --- API ----------------------------------------------------------------------------------------------


def test_api_the_chair_sets_an_action_and_the_owner_completes_it(client, meeting, item, chair, partnership):
    client.force_login(chair)
    created = client.post(
        reverse("api-meeting-actions", args=[meeting.pk]),
        {"owner": partnership.probation_officer.pk, "description": "Visit", "due_on": str(in_days(3)), "item": item.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["nominal"] == item.nominal_id

    client.force_login(partnership.probation_officer)
    mine = client.get(reverse("api-meeting-actions-mine")).json()
    assert [a["id"] for a in mine["results"]] == [created.json()["id"]]
    done = client.post(
        reverse("api-meeting-action-complete", args=[created.json()["id"]]),
        {"note": "Visited", "version": 1},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    again = client.post(
        reverse("api-meeting-action-complete", args=[created.json()["id"]]),
        {"note": "Visited", "version": 2},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert "already done" in again.json()["detail"]


def test_api_field_errors_are_400(client, meeting, chair):
    client.force_login(chair)

    response = client.post(
        reverse("api-meeting-actions", args=[meeting.pk]),
        {"owner": 10**9, "description": "x", "due_on": str(in_days(-1))},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "owner" in response.json()["errors"]


def test_api_a_past_due_date_is_a_field_error(client, meeting, chair, partnership):
    client.force_login(chair)

    response = client.post(
        reverse("api-meeting-actions", args=[meeting.pk]),
        {"owner": partnership.officer.pk, "description": "x", "due_on": str(in_days(-1))},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["due_on"] == ["The due date must be today or in the future"]


def test_api_a_meetings_actions_show_restricted_ones_as_restricted(client, meeting, item, partnership):
    make_action(
        meeting, partnership.officer, item=item, nominal=item.nominal, category=item.category, description="SECRET"
    )
    client.force_login(partnership.drugs_worker)

    listed = client.get(reverse("api-meeting-actions", args=[meeting.pk])).json()

    assert [(a["restricted"], a["nominal"], a["item"]) for a in listed] == [(True, None, None)]
    assert "SECRET" not in str(listed)


def test_api_only_the_chair_sets_actions(client, meeting, partnership):
    client.force_login(partnership.probation_officer)

    response = client.post(
        reverse("api-meeting-actions", args=[meeting.pk]),
        {"owner": partnership.officer.pk, "description": "x", "due_on": str(in_days(1))},
        content_type="application/json",
    )

    assert response.status_code == 404
