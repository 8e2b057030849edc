"""What the meetings' sweeps find due (run by notifications/sweeps.py, stored once by reminders_send):
meetings coming up, with their pack, and actions set in meetings falling due.

Each finder reads every meeting or action due on a day in a fixed number of queries, and keys its
reminders by the meeting's date or the action's due date, so a meeting moved to another day, or an
action given a new due date, is told again, and nothing else is ever told twice."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Case, F, When
from django.urls import reverse

from cohorts.dates import working_days_before
from meetings.access import actions_visible_to_each, meetings_visible_to_each
from meetings.actions.models import MeetingAction
from meetings.scheduling.models import Meeting
from notifications.models import Notification
from notifications.services import Notice, Reminder

REMINDER_WORKING_DAYS = 2
# The most calendar days 2 working days can span (Christmas, Boxing Day and a weekend: a meeting on
# Tuesday 29 December 2026 is told from Wednesday 23rd); a bound for the query, then the exact rule.
REMINDER_HORIZON = datetime.timedelta(days=14)
ACTION_DUE_AHEAD = datetime.timedelta(days=3)


def meeting_reminders(on: datetime.date) -> list[Reminder]:
    """Meetings not cancelled, told from 2 working days before (bank holidays of England and Wales
    skipped: a Monday meeting is told from the Thursday) through the day before: to the chair and
    the people invited by name, linked to the meeting pack, which opens in the version of the
    reader's own agency. Agencies invited as a whole are not told user by user (that would be
    every officer of a force); their invited people and the chair carry the pack to them. A meeting
    recorded after it was held (dated before today) is never told. Two queries."""
    coming = [
        row
        for row in Meeting.objects.exclude(status=Meeting.Status.CANCELLED)
        .filter(date__gt=on, date__lte=on + REMINDER_HORIZON)
        .order_by("date", "starts_at", "pk")
        .values_list("pk", "date", "chair_id", "chair__is_active")
        if on >= working_days_before(row[1], REMINDER_WORKING_DAYS)
    ]
    if not coming:
        return []
    invited: dict[int, list[int]] = {}
    invitations = (
        Meeting.invited_people.through.objects.filter(meeting_id__in=[row[0] for row in coming], user__is_active=True)
        .order_by("meeting_id", "user_id")
        .values_list("meeting_id", "user_id")
    )
    for meeting_id, user_id in invitations:
        invited.setdefault(meeting_id, []).append(user_id)
    reminders: list[Reminder] = []
    for pk, date, chair_id, chair_active in coming:
        recipients = dict.fromkeys([chair_id] if chair_active else [])
        recipients.update(dict.fromkeys(invited.get(pk, [])))
        link = reverse("meeting-pack", args=[pk])
        reminders += [
            Reminder(user_id, Notification.Kind.MEETING_REMINDER, f"meeting:{pk}", date, link) for user_id in recipients
        ]
    return reminders


def meetings_told(notices: Sequence[Notice], on: datetime.date) -> list[str | None]:
    """A meeting coming up, told to a reader who may open it (meetings_visible_to), as it stands
    now: moved or cancelled since, it says so. Four queries."""
    visible = meetings_visible_to_each({n.reader for n in notices}, {n.subject_id for n in notices})
    told: list[str | None] = []
    for notice in notices:
        meeting = visible.get((notice.reader.pk, notice.subject_id))
        if meeting is None:
            told.append(None)
        elif meeting.status == Meeting.Status.CANCELLED:
            told.append(f"{meeting.title} on {meeting.date:%A %-d %B %Y} is cancelled")
        else:
            told.append(f"{meeting.title} on {meeting.date:%A %-d %B %Y} at {meeting.starts_at:%H:%M}: read the pack")
    return told


def action_reminders(on: datetime.date) -> list[Reminder]:
    """Open actions set in meetings, due within 3 days or overdue: to the action's owner, linked to
    the action, where the owner marks it done. An action always has an owner (a person); if the
    owner has left (their account is inactive), the chair of the meeting that set it is told, as a
    chair may mark it done or set it again. One query."""
    due = (
        MeetingAction.objects.filter(status=MeetingAction.Status.OPEN, due_on__lte=on + ACTION_DUE_AHEAD)
        .annotate(told_id=Case(When(owner__is_active=True, then=F("owner_id")), default=F("meeting__chair_id")))
        .order_by("due_on", "pk")
        .values_list("pk", "told_id", "due_on")
    )
    reminders = []
    for pk, told_id, due_on in due:
        link = reverse("meeting-action-detail", args=[pk])
        reminders.append(Reminder(told_id, Notification.Kind.ACTION_DUE, f"meeting-action:{pk}", due_on, link))
    return reminders


def actions_told(notices: Sequence[Notice], on: datetime.date) -> list[str | None]:
    """An action due, told to a reader who may read it in full (actions_visible_to: their own, or
    one whose content their agency may see). Five queries, and one per readers' agency."""
    visible = actions_visible_to_each({n.reader for n in notices}, {n.subject_id for n in notices}, on)
    told: list[str | None] = []
    for notice in notices:
        action = visible.get((notice.reader.pk, notice.subject_id))
        if action is None:
            told.append(None)
            continue
        when = f"{'overdue since' if notice.due_on < on else 'due'} {notice.due_on:%-d %B %Y}"
        description = action.description
        summary = description if len(description) <= 80 else f"{description[:79]}…"
        told.append(f"Action from {action.meeting.title} on {action.meeting.date:%-d %B %Y}, {when}: {summary}")
    return told
