"""Reminders and notifications: stored once by key, sent by a real worker, shown in the
inbox; the supervisor reviews sweep at its edges."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import CaseAssignment, ManagementLevel, RagRating
from cohorts.records.services import case_assign, cohort_membership_start, rag_assess
from cohorts.sweeps import review_reminders
from notifications.models import Notification, SweepRun
from notifications.outbox import outbox_send
from notifications.services import Reminder, digest_send, reminders_send
from notifications.sweeps import sweep_run
from notifications.tasks import sweep
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.concurrency import at_once
from tests.iom.test_celery import wait_for
from tests.notifications.conftest import may_record_reviews
from tests.sharing.factories import UserFactory


def on_cohort_with_red_rating(partnership, *, started_on: datetime.date, last_name: str = "Duerev"):
    """A person on IOM since started_on, rated red (reviewed every 2 weeks), led by a probation
    practitioner whose supervisor reviews the case, with a police lead officer (the partnership's
    officer) whose supervisor counts the case in their team too: the two supervisors are told of its
    reviews, not the leads."""
    nominal = make_nominal(partnership.officer, last_name=last_name)
    cohort_membership_start(
        nominal=nominal, strand="flex", level=ManagementLevel.objects.get(code="standard"), started_on=started_on
    )
    rag_assess(nominal=nominal, rating=RagRating.objects.get(code="red"), rationale="Panel", by=partnership.officer)
    supervisor = UserFactory.create(agency=partnership.probation, roles=[Role.SUPERVISOR], email="sup@example.org")
    lead = UserFactory.create(agency=partnership.probation, roles=[Role.PRACTITIONER], supervisor=supervisor)
    partnership.officer.supervisor = UserFactory.create(
        agency=partnership.police, roles=[Role.SUPERVISOR], email="police-sup@example.org"
    )
    partnership.officer.save()
    for role, worker in (
        (CaseAssignment.Role.LEAD_PROFESSIONAL, lead),
        (CaseAssignment.Role.POLICE_LEAD, partnership.officer),
    ):
        case_assign(
            nominal=nominal, role=role, worker=worker, by=partnership.officer, reason="Allocated", started_on=started_on
        )
    return nominal, supervisor, lead


def reminder(user, subject: str, *, due_on=None, kind=Notification.Kind.REVIEW_DUE) -> Reminder:
    return Reminder(user.pk, kind, subject, due_on or datetime.date(2026, 12, 10), "/reviews/")


# --- Exactly once -------------------------------------------------------------------------------------


def test_a_reminder_is_stored_once_however_often_it_is_sent(partnership, person):
    first = reminders_send([reminder(partnership.officer, person), reminder(partnership.officer, person)])
    second = reminders_send([reminder(partnership.officer, person)])

    assert len(first) == 1
    assert second == []
    assert Notification.objects.filter(recipient=partnership.officer).count() == 1


def test_another_due_date_or_recipient_is_another_reminder(partnership, person):
    sent = reminders_send(
        [
            reminder(partnership.officer, person),
            reminder(partnership.officer, person, due_on=datetime.date(2026, 12, 24)),
            reminder(partnership.probation_officer, person),
        ]
    )

    assert len(sent) == 3


@pytest.mark.django_db(transaction=True)
def test_two_processes_sending_the_same_reminders_at_once_store_each_once(reference_data):
    from tests.partnership import build_partnership

    partnership = build_partnership()
    may_record_reviews(partnership.officer, partnership.probation_officer)
    subject = f"nominal:{make_nominal(partnership.officer).pk}"
    first = datetime.date(2026, 1, 1)
    reminders = [reminder(partnership.officer, subject, due_on=first + datetime.timedelta(days=n)) for n in range(300)]
    results = at_once(lambda: reminders_send(reminders))

    assert sorted(len(result) for result in results)[1] + sorted(len(result) for result in results)[0] == 300
    assert not set(results[0]) & set(results[1])
    assert Notification.objects.count() == 300


def test_an_immediate_reminder_is_owed_its_email_once_and_the_email_holds_no_personal_details(
    partnership, person, django_capture_on_commit_callbacks
):
    partnership.officer.email = "officer@example.org"
    partnership.officer.save()
    overdue = reminder(
        partnership.officer, person, due_on=datetime.date(2026, 12, 1), kind=Notification.Kind.REVIEW_OVERDUE
    )

    with django_capture_on_commit_callbacks() as first:
        [pk] = reminders_send([overdue])
    with django_capture_on_commit_callbacks() as second:
        reminders_send([overdue])
    sent = [outbox_send().emails, outbox_send().emails]

    assert (len(first), len(second)) == (1, 0)  # the outbox asked to run, once
    assert Notification.objects.get(pk=pk).emailed_at is not None
    assert sent == [1, 0]
    assert len(mail.outbox) == 1
    assert "Supervisor review overdue" in mail.outbox[0].subject
    assert "SMITH" not in mail.outbox[0].body
    assert "John" not in mail.outbox[0].body


def test_the_daily_digest_goes_once_a_day_with_what_waits(partnership, person):
    partnership.officer.email = "officer@example.org"
    partnership.officer.save()
    later = datetime.date(2026, 12, 24)
    reminders_send([reminder(partnership.officer, person), reminder(partnership.officer, person, due_on=later)])
    day = datetime.date(2026, 12, 3)

    first = digest_send(recipient=partnership.officer, day=day)
    second = digest_send(recipient=partnership.officer, day=day)

    assert first is not None
    assert first.items == 2
    assert second is None
    assert len(mail.outbox) == 1
    assert "2 things due" in mail.outbox[0].subject


# --- The supervisor reviews sweep ------------------------------------------------------------------------


def test_a_review_is_told_from_three_days_before_it_is_due_to_the_leads_supervisors_not_the_leads(partnership):
    started = datetime.date(2026, 11, 1)
    nominal, supervisor, _ = on_cohort_with_red_rating(partnership, started_on=started)
    due = started + datetime.timedelta(weeks=2)

    four_days_before = review_reminders(due - datetime.timedelta(days=4))
    three_days_before = review_reminders(due - datetime.timedelta(days=3))
    on_the_day = review_reminders(due)
    the_day_after = review_reminders(due + datetime.timedelta(days=1))

    assert [r for r in four_days_before if r.subject == f"nominal:{nominal.pk}"] == []
    assert {(r.recipient_id, r.kind, r.due_on) for r in three_days_before if r.subject == f"nominal:{nominal.pk}"} == {
        (supervisor.pk, Notification.Kind.REVIEW_DUE, due),
        (partnership.officer.supervisor.pk, Notification.Kind.REVIEW_DUE, due),
    }
    assert {r.kind for r in on_the_day if r.subject == f"nominal:{nominal.pk}"} == {Notification.Kind.REVIEW_DUE}
    assert {r.kind for r in the_day_after if r.subject == f"nominal:{nominal.pk}"} == {Notification.Kind.REVIEW_OVERDUE}
    assert three_days_before[0].link == reverse("review-new", args=[nominal.pk])


def test_the_sweep_reads_the_cohort_in_a_fixed_number_of_queries(partnership):
    started = datetime.date(2026, 11, 1)
    on_cohort_with_red_rating(partnership, started_on=started, last_name="One")
    day = started + datetime.timedelta(weeks=3)
    with CaptureQueriesContext(connection) as few:
        review_reminders(day)
    for n in range(5):
        on_cohort_with_red_rating(partnership, started_on=started, last_name=f"More{n}")
    with CaptureQueriesContext(connection) as more:
        found = review_reminders(day)

    assert len(found) == 12  # six people, each to the lead professional's and the police lead's supervisors
    assert len(more) == len(few)


def test_a_sweep_run_is_recorded_with_what_it_found_and_sent(partnership):
    started = timezone.localdate() - datetime.timedelta(weeks=3)
    on_cohort_with_red_rating(partnership, started_on=started)

    first = sweep_run(name="reviews")
    again = sweep_run(name="reviews")

    assert (first.found, first.stored, first.failed) == (2, 2, False)
    assert (again.found, again.stored) == (2, 0)
    assert first.duration_ms is not None


@pytest.mark.django_db(transaction=True)
def test_the_sweep_run_twice_by_a_real_worker_tells_each_once(celery_worker):
    from tests.partnership import build_partnership

    partnership = build_partnership()
    nominal, supervisor, _ = on_cohort_with_red_rating(
        partnership, started_on=timezone.localdate() - datetime.timedelta(weeks=3)
    )

    sweep.delay(name="reviews")
    sweep.delay(name="reviews")

    assert wait_for(lambda: SweepRun.objects.filter(finished_at__isnull=False).count() == 2)
    assert Notification.objects.filter(subject=f"nominal:{nominal.pk}").count() == 2
    # Overdue reviews are emailed at once (the default), each to each recipient once.
    assert wait_for(lambda: Notification.objects.filter(emailed_at__isnull=False).count() == 2)
    police_supervisor = partnership.officer.supervisor
    assert police_supervisor is not None
    assert sorted(message.to[0] for message in mail.outbox) == sorted([supervisor.email, police_supervisor.email])


# --- The inbox -------------------------------------------------------------------------------------------


def test_the_unread_count_shows_in_the_header_and_opening_lands_on_the_review(client, partnership):
    started = timezone.localdate() - datetime.timedelta(weeks=3)
    nominal, supervisor, _ = on_cohort_with_red_rating(partnership, started_on=started)
    sweep_run(name="reviews")
    client.force_login(supervisor)

    home = client.get(reverse("home")).content.decode()
    inbox = client.get(reverse("notification-list")).content.decode()
    notification = Notification.objects.get(recipient=supervisor)
    opened = client.get(reverse("notification-open", args=[notification.pk]))

    assert 'data-testid="unread-count">1<' in home
    assert "DUEREV" in inbox
    assert "Supervisor review overdue" in inbox
    assert opened.status_code == 302
    assert opened["Location"] == reverse("review-new", args=[nominal.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()


def test_someone_elses_notification_is_not_found(client, partnership, person):
    [pk] = reminders_send([reminder(partnership.officer, person)])
    client.force_login(partnership.probation_officer)

    assert client.get(reverse("notification-open", args=[pk])).status_code == 404
    assert Notification.objects.get(pk=pk).read_at is None


def test_all_can_be_marked_read(client, partnership, person):
    later = datetime.date(2026, 12, 24)
    reminders_send([reminder(partnership.officer, person), reminder(partnership.officer, person, due_on=later)])
    client.force_login(partnership.officer)

    response = client.post(reverse("notification-all-read"), follow=True)

    assert "2 notifications marked as read" in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_preferences_are_saved_per_kind_and_bad_input_is_an_error(client, partnership, person):
    client.force_login(partnership.officer)
    data: dict[str, str] = dict.fromkeys(Notification.Kind.values, Notification.Delivery.DIGEST)
    data[Notification.Kind.Y2A_CONSIDER] = Notification.Delivery.IN_APP

    saved = client.post(reverse("notification-preferences"), data, follow=True)
    data[Notification.Kind.ACTION_DUE] = "carrier-pigeon"
    refused = client.post(reverse("notification-preferences"), data)
    [pk] = reminders_send([reminder(partnership.officer, person, kind=Notification.Kind.Y2A_CONSIDER)])

    assert "Your notification settings are saved" in saved.content.decode()
    assert refused.status_code == 400
    assert "govuk-error-message" in refused.content.decode()
    assert Notification.objects.get(pk=pk).delivery == Notification.Delivery.IN_APP


def test_the_operations_page_shows_each_sweeps_last_run(client, partnership, system_admin):
    sweep_run(name="reviews")
    client.force_login(system_admin)

    body = client.get(reverse("sweep-operations")).content.decode()

    assert "Supervisor reviews due and overdue" in body
    assert "Every hour" in body
    assert "Succeeded" in body


def test_healthz_on_a_new_installation_reports_beat_and_workers_not_seen_and_no_sweep_late(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert (response.json()["checks"]["beat"], response.json()["checks"]["workers"]) == ("not seen", "not seen")
    assert response.json()["checks"]["sweeps"] == "ok"  # waiting for beat's first runs, not late


def test_the_inbox_pages_fifty_at_a_time(client, partnership, person):
    first = datetime.date(2026, 1, 1)
    reminders_send(
        [reminder(partnership.officer, person, due_on=first + datetime.timedelta(days=n)) for n in range(51)]
    )
    client.force_login(partnership.officer)

    one = client.get(reverse("notification-list"), {"kind": "review_due"}).content.decode()
    two = client.get(reverse("notification-list"), {"kind": "review_due", "page": 2}).content.decode()

    assert one.count('data-testid="notification"') == 50
    assert 'aria-label="Pages of notifications"' in one
    assert 'href="?kind=review_due&amp;page=2" rel="next"' in one
    assert two.count('data-testid="notification"') == 1
    assert 'href="?kind=review_due&amp;page=1" rel="prev"' in two


def test_many_of_one_kind_are_one_entry_listed_behind_it_and_one_line_of_the_digest(client, partnership, person):
    """A supervisor once had 113 unread, one per overdue review: more than five of a kind are one
    entry ("8 x Supervisor review overdue"), its list a click away, and one line of the digest."""
    today = timezone.localdate()
    overdue = [
        reminder(
            partnership.officer,
            person,
            due_on=today - datetime.timedelta(days=n),
            kind=Notification.Kind.REVIEW_OVERDUE,
        )
        for n in range(1, 9)
    ]
    later = [reminder(partnership.officer, person, due_on=today + datetime.timedelta(days=n)) for n in (2, 20)]
    reminders_send([*overdue, *later])
    client.force_login(partnership.officer)

    inbox = client.get(reverse("notification-list")).content.decode()
    listed = client.get(reverse("notification-list"), {"kind": "review_overdue"}).content.decode()
    week = client.get(reverse("notification-list"), {"due": "week"}).content.decode()

    assert inbox.count('data-testid="notification-group"') == 1
    assert "8 x Supervisor review overdue" in inbox
    assert inbox.count('data-testid="notification"') == 2  # the two reviews due, not grouped
    assert "Due this week: 9" in inbox
    assert listed.count('data-testid="notification"') == 8
    assert week.count('data-testid="notification"') == 9  # the overdue and the one due in two days
    partnership.officer.email = "officer@example.org"
    partnership.officer.save()
    Notification.objects.update(delivery=Notification.Delivery.DIGEST, email_owed_since=None)
    digest_send(recipient=partnership.officer, day=today)
    body = mail.outbox[-1].body
    assert body.count("Supervisor review overdue") == 1
    assert f"- 8 x Supervisor review overdue, the first due {today - datetime.timedelta(days=8):%-d %B %Y}" in body
    assert body.count("Supervisor review due, due") == 2


def test_a_group_counts_only_what_its_reader_is_still_told(client, partnership, person):
    """A group's count and first date, and the due-this-week count, come through the gate: a
    notification whose person the reader can no longer see is not counted (nor its date shown), as it
    is withdrawn in the list."""
    today = timezone.localdate()
    hidden = make_nominal(partnership.outsider, last_name="Hiddengroup")  # the police do not see them
    seen = [
        reminder(
            partnership.officer,
            person,
            due_on=today - datetime.timedelta(days=n),
            kind=Notification.Kind.REVIEW_OVERDUE,
        )
        for n in range(1, 7)
    ]
    reminders_send(seen)
    Notification.objects.create(
        recipient=partnership.officer,
        kind=Notification.Kind.REVIEW_OVERDUE,
        subject=f"nominal:{hidden.pk}",
        due_on=today - datetime.timedelta(days=30),
        link="/",
        delivery=Notification.Delivery.IN_APP,
    )
    client.force_login(partnership.officer)

    inbox = client.get(reverse("notification-list")).content.decode()

    assert "6 x Supervisor review overdue" in inbox
    assert f"the first due {today - datetime.timedelta(days=6):%-d %b %Y}" in inbox
    assert "Due this week: 6" in inbox
    assert "Hiddengroup" not in inbox
