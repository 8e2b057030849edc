"""Actions set in meetings (meetings/actions/services.py): setting, completing and cancelling them, and where
open ones show: the owner's home page and the person's timeline."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cohorts.records.services import cohort_membership_start
from cohorts.timeline.selectors import nominal_timeline
from meetings.actions.models import MeetingAction
from meetings.actions.services import (
    TIMELINE_KIND,
    action_cancel,
    action_complete,
    action_create,
    actions_of_owner,
    open_actions_counts,
)
from meetings.scheduling.models import Meeting
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.meetings.factories import MeetingFactory, category, make_action, make_item
from tests.sharing.factories import UserFactory


@pytest.fixture
def chair(partnership):
    return UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])


@pytest.fixture
def person(partnership):
    nominal = make_nominal(partnership.officer, first_name="Robin", last_name="Actionperson")
    cohort_membership_start(nominal=nominal)
    return nominal


@pytest.fixture
def meeting(chair, partnership):
    return MeetingFactory.create(chair=chair, invited=[partnership.probation, partnership.drugs])


@pytest.fixture
def item(meeting, partnership, person):
    return make_item(
        meeting, nominal=person, owning_agency=partnership.police, category=category("offending-risk"), title="Robin"
    )


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


# --- Setting ------------------------------------------------------------------------------------------


def test_an_action_on_an_item_takes_its_person_owner_and_category(meeting, item, chair, partnership, person):
    action = action_create(
        meeting=meeting,
        by=chair,
        owner=partnership.drugs_worker,
        description="  Offer a treatment assessment ",
        due_on=in_days(7),
        item=item,
    )

    assert action.category is not None
    assert (action.nominal, action.owning_agency, action.category.code) == (
        person,
        partnership.police,
        "offending-risk",
    )
    assert action.description == "Offer a treatment assessment"
    assert action.status == MeetingAction.Status.OPEN
    assert action.created_by == chair


def test_an_action_on_the_meeting_is_the_running_agencys_without_a_category(meeting, chair, partnership):
    action = action_create(
        meeting=meeting, by=chair, owner=partnership.housing_worker, description="Send the dates", due_on=in_days(0)
    )

    assert (action.nominal, action.owning_agency, action.category) == (None, partnership.police, None)


def test_only_a_chair_sets_actions(meeting, partnership):
    with pytest.raises(NotAllowed):
        action_create(
            meeting=meeting, by=partnership.officer, owner=partnership.officer, description="x", due_on=in_days(1)
        )


def test_an_action_needs_a_due_date_not_in_the_past_an_active_owner_and_a_description(meeting, chair, partnership):
    partnership.probation_officer.is_active = False
    partnership.probation_officer.save()

    with pytest.raises(ValidationError) as refused:
        action_create(
            meeting=meeting, by=chair, owner=partnership.probation_officer, description=" ", due_on=in_days(-1)
        )

    assert set(refused.value.message_dict) == {"due_on", "owner", "description"}
    assert not MeetingAction.objects.exists()


def test_an_item_of_another_meeting_is_refused(meeting, chair, partnership):
    other_item = make_item(MeetingFactory.create(chair=chair))

    with pytest.raises(ValidationError, match="not on this meeting"):
        action_create(
            meeting=meeting, by=chair, owner=partnership.officer, description="x", due_on=in_days(1), item=other_item
        )


def test_no_action_is_set_once_the_minutes_are_approved(meeting, chair, partnership):
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.MINUTES_APPROVED, minutes_approved_at=timezone.now()
    )

    with pytest.raises(StateError, match="record is closed"):
        action_create(meeting=meeting, by=chair, owner=partnership.officer, description="x", due_on=in_days(1))


# --- Completing and cancelling ------------------------------------------------------------------------


def test_the_owner_marks_their_action_done(meeting, partnership):
    action = make_action(meeting, partnership.probation_officer)

    done = action_complete(action=action, by=partnership.probation_officer, note="Visited", version=action.version)

    assert done.status == MeetingAction.Status.DONE
    assert (done.completed_by, done.completion_note) == (partnership.probation_officer, "Visited")
    assert done.version == action.version + 1


def test_a_chair_may_mark_an_action_done_and_nobody_else(meeting, chair, partnership):
    action = make_action(meeting, partnership.probation_officer)

    with pytest.raises(NotAllowed):
        action_complete(action=action, by=partnership.officer, note="", version=action.version)
    assert action_complete(action=action, by=chair, note="", version=action.version).status == "done"


def test_an_action_done_cannot_be_done_again(meeting, partnership):
    action = make_action(meeting, partnership.probation_officer)
    action_complete(action=action, by=partnership.probation_officer, note="", version=1)

    with pytest.raises(StateError, match="already done"):
        action_complete(action=action, by=partnership.probation_officer, note="", version=2)


def test_a_stale_version_is_refused(meeting, partnership):
    action = make_action(meeting, partnership.probation_officer)

    with pytest.raises(StaleVersion):
        action_complete(action=action, by=partnership.probation_officer, note="", version=action.version + 1)


def test_a_chair_cancels_an_action_saying_why(meeting, chair, partnership):
    action = make_action(meeting, partnership.probation_officer)

    with pytest.raises(NotAllowed):
        action_cancel(action=action, by=partnership.probation_officer, note="Done elsewhere", version=1)
    with pytest.raises(ValidationError):
        action_cancel(action=action, by=chair, note="", version=1)
    cancelled = action_cancel(action=action, by=chair, note="Done elsewhere", version=1)

    assert cancelled.status == MeetingAction.Status.CANCELLED


# --- Your actions and the home page -------------------------------------------------------------------


def test_your_actions_list_open_ones_first_soonest_due_first(meeting, partnership):
    owner = partnership.probation_officer
    done = make_action(meeting, owner, due_on=in_days(-10), description="done")
    action_complete(action=done, by=owner, note="", version=1)
    later = make_action(meeting, owner, due_on=in_days(10), description="later")
    overdue = make_action(meeting, owner, due_on=in_days(-2), description="overdue")
    make_action(meeting, partnership.officer, description="someone else's")

    assert [a.description for a in actions_of_owner(owner)] == ["overdue", "later", "done"]
    assert open_actions_counts(owner) == (2, 1)
    assert overdue.pk != later.pk


def test_the_home_page_tells_the_owner_of_their_open_actions(meeting, partnership, signed_in):
    make_action(meeting, partnership.probation_officer, due_on=in_days(-1))
    make_action(meeting, partnership.probation_officer, due_on=in_days(3))

    text = signed_in(partnership.probation_officer).get(reverse("home")).text

    assert "2 actions from meetings open, 1 overdue" in text
    assert f'href="{reverse("meeting-actions-mine")}"' in text


def test_the_home_page_says_nothing_without_open_actions(meeting, partnership, signed_in):
    action = make_action(meeting, partnership.probation_officer)
    action_complete(action=action, by=partnership.probation_officer, note="", version=1)

    assert 'data-testid="meeting-actions"' not in signed_in(partnership.probation_officer).get(reverse("home")).text


# --- The person's timeline ----------------------------------------------------------------------------


def test_an_action_shows_on_the_persons_timeline_where_its_item_is_shared(meeting, item, chair, partnership, person):
    action = action_create(
        meeting=meeting,
        by=chair,
        owner=partnership.probation_officer,
        description="TIMELINE-ACTION: joint visit",
        due_on=in_days(5),
        item=item,
    )
    action_complete(action=action, by=partnership.probation_officer, note="Visited on Monday", version=1)

    entries = [e for e in nominal_timeline(partnership.probation_officer, person).entries if e.kind == TIMELINE_KIND]

    titles = [e.title for e in entries]
    assert any("TIMELINE-ACTION" in t and t.startswith("Action set at") for t in titles)
    assert any(t.startswith("Action done") for t in titles)


def test_an_action_about_an_item_not_shared_is_shown_restricted_on_the_timeline(
    meeting, item, chair, partnership, person
):
    action_create(
        meeting=meeting,
        by=chair,
        owner=partnership.officer,
        description="TIMELINE-ACTION: joint visit",
        due_on=in_days(5),
        item=item,
    )

    # The drug service sees the person (the substance agreement covers the cohort) but not the
    # police's offending and risk information the item holds.
    timeline = nominal_timeline(partnership.drugs_worker, person)
    entries = [e for e in timeline.entries if e.kind == TIMELINE_KIND]

    assert [e.title for e in entries] == [
        "Action from a meeting: Restricted: not shared with your agency under the information sharing agreements"
    ]
    assert "offending-risk" not in timeline.categories_shown
    assert all("TIMELINE-ACTION" not in e.title + e.detail for e in timeline.entries)


def test_the_timeline_offers_meeting_actions_as_a_kind():
    from cohorts.timeline.selectors import timeline_kinds

    assert (TIMELINE_KIND, "Meeting actions") in timeline_kinds()
