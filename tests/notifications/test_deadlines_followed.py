"""Reminders follow their deadlines: one whose deadline moved, or that was done or cancelled, is no
longer due (shown so, never emailed), and the new deadline brings its own reminder."""

from __future__ import annotations

import datetime

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cohorts.records.services import nominal_update
from cohorts.reviews.services import supervisor_review_record
from meetings.scheduling.models import Meeting
from notifications.models import Notification, SweepRun
from notifications.outbox import outbox_send, owed
from notifications.services import unread_count
from notifications.sweeps import sweep_run
from sharing.roles import Role
from tests.cohorts.test_transition_release_sweeps import led_on_cohort
from tests.meetings.factories import MeetingFactory
from tests.notifications.test_notifications import on_cohort_with_red_rating
from tests.sharing.factories import UserFactory

Kind = Notification.Kind


def test_a_licence_end_moved_by_a_month_withdraws_the_old_reminder_and_the_new_date_brings_its_own(client, partnership):
    ends = timezone.localdate() + datetime.timedelta(weeks=3)
    led = led_on_cohort(partnership, licence_ends_on=ends)
    sweep_run(name="transitions", kick=False)
    old = set(Notification.objects.filter(kind=Kind.TRANSITION_NO_PLAN).values_list("pk", flat=True))
    assert old
    assert set(Notification.objects.filter(pk__in=old).values_list("due_on", flat=True)) == {ends}

    moved = ends + datetime.timedelta(days=30)
    nominal_update(nominal=led.nominal, by=partnership.officer, licence_ends_on=moved)
    run = sweep_run(name="transitions", kick=False)
    client.force_login(led.police_lead)
    inbox = client.get(reverse("notification-list")).content.decode()

    gone = Notification.objects.filter(pk__in=old)
    assert all(n.no_longer_due_at is not None and n.email_owed_since is None for n in gone)
    assert run.no_longer_due == len(old)
    new = Notification.objects.filter(kind=Kind.TRANSITION_NO_PLAN).exclude(pk__in=old)
    assert set(new.values_list("due_on", flat=True)) == {moved}
    assert set(new.values_list("recipient_id", flat=True)) == set(gone.values_list("recipient_id", flat=True))
    assert inbox.count('data-testid="no-longer-due"') == 1
    assert f"licence ends {moved:%-d %B %Y}" in inbox
    assert unread_count(led.police_lead) == 1  # the new one; the old is no longer due
    assert sweep_run(name="transitions", kick=False).no_longer_due == 0  # once


def test_an_overdue_review_done_before_its_email_went_is_no_longer_due_and_not_emailed(partnership):
    started = timezone.localdate() - datetime.timedelta(weeks=3)
    nominal, supervisor, _ = on_cohort_with_red_rating(partnership, started_on=started)
    sweep_run(name="reviews", kick=False)
    assert owed().filter(kind=Kind.REVIEW_OVERDUE).exists()

    supervisor_review_record(
        nominal=nominal,
        by=supervisor,
        commensurate=True,
        actions_set="Seen at the office; next appointment booked.",
        next_review_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    sweep_run(name="reviews", kick=False)
    sent = outbox_send()

    assert sent.emails == 0
    assert mail.outbox == []
    assert not Notification.objects.filter(kind=Kind.REVIEW_OVERDUE, no_longer_due_at=None).exists()
    assert SweepRun.objects.order_by("-pk")[0].no_longer_due == 2  # to each lead's supervisor


def test_a_run_for_another_day_withdraws_nothing(partnership):
    ends = timezone.localdate() + datetime.timedelta(weeks=3)
    led_on_cohort(partnership, licence_ends_on=ends)
    sweep_run(name="transitions", kick=False)

    later = sweep_run(name="transitions", on=ends + datetime.timedelta(weeks=20), kick=False)

    assert later.no_longer_due == 0
    assert not Notification.objects.exclude(no_longer_due_at=None).exists()


def test_a_meeting_reminder_stays_due_on_the_meetings_day_and_a_cancelled_one_is_no_longer_due(
    partnership, time_machine
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    chair = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])
    held = MeetingFactory.create(chair=chair, agency=partnership.police, date=tomorrow, title="Held")
    cancelled = MeetingFactory.create(chair=chair, agency=partnership.police, date=tomorrow, title="Called off")
    sweep_run(name="meetings", kick=False)
    assert Notification.objects.filter(kind=Kind.MEETING_REMINDER, no_longer_due_at=None).count() == 2

    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED)
    sweep_run(name="meetings", kick=False)
    time_machine.move_to(
        datetime.datetime.combine(tomorrow, datetime.time(9, 0), tzinfo=timezone.get_current_timezone())
    )
    on_the_day = sweep_run(name="meetings", kick=False)  # told through the day before: not found today

    assert on_the_day.no_longer_due == 0
    assert Notification.objects.get(subject=f"meeting:{held.pk}").no_longer_due_at is None
    assert Notification.objects.get(subject=f"meeting:{cancelled.pk}").no_longer_due_at is not None
