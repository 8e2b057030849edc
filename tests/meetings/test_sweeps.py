"""The meetings' sweeps (meetings/sweeps.py) at their edges: meetings told from 2 working days before
(weekends and bank holidays skipped) with the pack, actions due within 3 days and overdue, who is
told, what is never told, and a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.actions.models import MeetingAction
from meetings.scheduling.models import Meeting
from meetings.sweeps import action_reminders, meeting_reminders
from notifications.models import Notification
from notifications.sweeps import sweep_run
from sharing.roles import Role
from tests.meetings.factories import MeetingFactory, make_action
from tests.notices import said
from tests.sharing.factories import UserFactory

Kind = Notification.Kind
DAY = datetime.timedelta(days=1)
MONDAY = datetime.date(2026, 12, 14)  # no bank holiday that week or the one before
AFTER_CHRISTMAS = datetime.date(2026, 12, 29)  # Tuesday; 25th Friday, Boxing Day's substitute Monday 28th


@pytest.fixture
def chair(partnership):
    return UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])


def meeting_on(chair, partnership, date: datetime.date, **fields) -> Meeting:
    """A meeting run by the police, the probation officer invited by name, the prison invited as an
    agency."""
    meeting = MeetingFactory.create(chair=chair, date=date, invited=[partnership.prison], **fields)
    meeting.invited_people.set([partnership.probation_officer])
    return meeting


def told_days(meeting: Meeting, days) -> list[datetime.date]:
    return [day for day in days if any(r.subject == f"meeting:{meeting.pk}" for r in meeting_reminders(day))]


def test_a_monday_meeting_is_told_from_the_thursday_before_through_the_sunday(chair, partnership):
    meeting = meeting_on(chair, partnership, MONDAY)
    week = [MONDAY - n * DAY for n in range(6, -2, -1)]  # Tuesday before to Tuesday after

    assert told_days(meeting, week) == [MONDAY - 4 * DAY, MONDAY - 3 * DAY, MONDAY - 2 * DAY, MONDAY - DAY]
    assert datetime.date(2026, 12, 10) == MONDAY - 4 * DAY  # Thursday, not Wednesday the 9th


def test_a_meeting_after_christmas_is_told_from_two_working_days_before_the_bank_holidays(chair, partnership):
    meeting = meeting_on(chair, partnership, AFTER_CHRISTMAS)
    days = [datetime.date(2026, 12, 21) + n * DAY for n in range(10)]

    told = told_days(meeting, days)

    assert told[0] == datetime.date(2026, 12, 23)  # Wednesday: Thursday 24th is the only working day between
    assert told[-1] == datetime.date(2026, 12, 28)
    assert datetime.date(2026, 12, 22) not in told
    assert AFTER_CHRISTMAS not in told


def test_the_chair_and_the_people_invited_are_told_with_the_pack_of_their_own_agency(chair, partnership, signed_in):
    meeting = meeting_on(chair, partnership, MONDAY)

    reminders = [r for r in meeting_reminders(MONDAY - DAY) if r.subject == f"meeting:{meeting.pk}"]

    assert {(r.recipient_id, r.kind, r.due_on) for r in reminders} == {
        (chair.pk, Kind.MEETING_REMINDER, MONDAY),
        (partnership.probation_officer.pk, Kind.MEETING_REMINDER, MONDAY),
    }
    # The prison, invited as a whole agency, is not told officer by officer.
    assert partnership.prison_officer.pk not in {r.recipient_id for r in reminders}
    link = reminders[0].link
    assert link == reverse("meeting-pack", args=[meeting.pk])
    page = signed_in(partnership.probation_officer).get(link)
    assert page.status_code == 200
    assert page.context["pack"].agency == partnership.probation


def test_cancelled_meetings_and_people_who_left_are_not_told(chair, partnership):
    cancelled = meeting_on(chair, partnership, MONDAY, status=Meeting.Status.CANCELLED)
    meeting = meeting_on(chair, partnership, MONDAY + DAY, title="MAP meeting")
    partnership.probation_officer.is_active = False
    partnership.probation_officer.save(update_fields=["is_active"])

    reminders = meeting_reminders(MONDAY - DAY)

    assert [r for r in reminders if r.subject == f"meeting:{cancelled.pk}"] == []
    assert {r.recipient_id for r in reminders if r.subject == f"meeting:{meeting.pk}"} == {chair.pk}


def test_meetings_are_read_in_a_fixed_number_of_queries(chair, partnership):
    meeting_on(chair, partnership, MONDAY)
    with CaptureQueriesContext(connection) as few:
        meeting_reminders(MONDAY - DAY)
    for n in range(1, 6):
        meeting_on(chair, partnership, MONDAY + n * DAY, title=f"Meeting {n}")
    with CaptureQueriesContext(connection) as more:
        found = meeting_reminders(MONDAY - DAY)

    assert len(found) == 4  # Monday's and Tuesday's meetings (Wednesday's is told from Monday), two each
    assert len(more) == len(few)


def test_the_meetings_sweep_run_twice_stores_each_reminder_once(chair, partnership):
    meeting = meeting_on(chair, partnership, timezone.localdate() + DAY)

    first = sweep_run(name="meetings")
    again = sweep_run(name="meetings")

    assert (first.found, first.stored) == (2, 2)
    assert (again.found, again.stored, again.failed) == (2, 0, False)
    assert Notification.objects.filter(subject=f"meeting:{meeting.pk}").count() == 2


# --- Actions ------------------------------------------------------------------------------------------


def action_due(chair, partnership, due_on: datetime.date, **fields) -> MeetingAction:
    meeting = MeetingFactory.create(chair=chair, date=due_on - 14 * DAY)
    return make_action(meeting, partnership.probation_officer, due_on=due_on, **fields)


def test_an_action_is_told_from_3_days_before_it_is_due_and_while_overdue_to_its_owner(chair, partnership, signed_in):
    due_on = datetime.date(2026, 12, 10)
    action = action_due(chair, partnership, due_on)
    subject = f"meeting-action:{action.pk}"

    assert [r for r in action_reminders(due_on - 4 * DAY) if r.subject == subject] == []
    for day in (due_on - 3 * DAY, due_on, due_on + DAY, due_on + 30 * DAY):
        reminders = [r for r in action_reminders(day) if r.subject == subject]
        assert {(r.recipient_id, r.kind, r.due_on) for r in reminders} == {
            (partnership.probation_officer.pk, Kind.ACTION_DUE, due_on)
        }, day
    overdue = next(r for r in action_reminders(due_on + DAY) if r.subject == subject)
    assert "overdue since 10 December 2026" in said(overdue, due_on + DAY)
    assert overdue.link == reverse("meeting-action-detail", args=[action.pk])
    page = signed_in(partnership.probation_officer).get(overdue.link)
    assert page.status_code == 200
    assert page.context["form"] is not None, "the owner can mark it done there"


def test_done_and_cancelled_actions_are_not_told(chair, partnership):
    due_on = datetime.date(2026, 12, 10)
    done = action_due(chair, partnership, due_on, status=MeetingAction.Status.DONE)
    cancelled = action_due(chair, partnership, due_on, status=MeetingAction.Status.CANCELLED)

    subjects = {r.subject for r in action_reminders(due_on)}

    assert f"meeting-action:{done.pk}" not in subjects
    assert f"meeting-action:{cancelled.pk}" not in subjects


def test_an_action_whose_owner_has_left_is_told_to_the_chair_of_its_meeting(chair, partnership):
    due_on = datetime.date(2026, 12, 10)
    action = action_due(chair, partnership, due_on)
    partnership.probation_officer.is_active = False
    partnership.probation_officer.save(update_fields=["is_active"])

    reminders = [r for r in action_reminders(due_on) if r.subject == f"meeting-action:{action.pk}"]

    assert [r.recipient_id for r in reminders] == [chair.pk]


def test_actions_are_read_in_a_fixed_number_of_queries(chair, partnership):
    due_on = datetime.date(2026, 12, 10)
    action_due(chair, partnership, due_on)
    with CaptureQueriesContext(connection) as few:
        action_reminders(due_on)
    for n in range(5):
        action_due(chair, partnership, due_on - n * DAY)
    with CaptureQueriesContext(connection) as more:
        found = action_reminders(due_on)

    assert len(found) == 6
    assert len(more) == len(few)


def test_the_actions_sweep_run_twice_stores_each_reminder_once(chair, partnership):
    action = action_due(chair, partnership, timezone.localdate() + DAY)

    first = sweep_run(name="actions")
    again = sweep_run(name="actions")

    assert (first.found, first.stored) == (1, 1)
    assert (again.found, again.stored, again.failed) == (1, 0, False)
    assert Notification.objects.filter(subject=f"meeting-action:{action.pk}").count() == 1
