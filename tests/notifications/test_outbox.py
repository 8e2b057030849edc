"""The outbox: an email owed at once is state in the database, and whoever runs the outbox sends
each owed email once, however many run at once and whatever was down when it was stored."""

from __future__ import annotations

import datetime
import time
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from iom.celery import app as celery_app
from notifications.models import DigestEmail, Notification, SweepRun
from notifications.outbox import outbox_backlog, outbox_send, owed
from notifications.services import reminders_send
from notifications.tasks import digest_sweep
from sharing.roles import Role
from tests.concurrency import at_once
from tests.notifications.test_notifications import on_cohort_with_red_rating, reminder
from tests.notifications.test_sweep_outage import reset_broker_pools
from tests.sharing.factories import UserFactory

Kind, Delivery = Notification.Kind, Notification.Delivery


def overdue(user, subject, days: int):
    return reminder(
        user, subject, due_on=datetime.date(2026, 12, 1) + datetime.timedelta(days=days), kind=Kind.REVIEW_OVERDUE
    )


@pytest.fixture
def officers(partnership):
    """Twelve police supervisors with an email address: the police see the person, and they may
    record its reviews."""
    return [
        UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR], email=f"officer{n}@example.org")
        for n in range(12)
    ]


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_owed_email_once(reference_data, partnership, person, officers):
    reminders_send([overdue(officer, person, days) for officer in officers for days in range(2)], kick=False)
    assert owed().count() == 24
    results = at_once(outbox_send)

    assert sum(result.notifications for result in results) == 24
    assert len(mail.outbox) == 24
    assert len({message.extra_headers["Message-ID"] for message in mail.outbox}) == 24
    assert sorted(message.to[0] for message in mail.outbox) == sorted(o.email for o in officers for _ in range(2))
    assert not owed().exists()
    assert outbox_send().emails == 0


def test_more_than_the_limit_of_one_kind_to_one_person_go_as_one_email_with_the_count(partnership, person):
    officer, practitioner = partnership.officer, partnership.probation_officer
    for user in (officer, practitioner):
        user.email = f"{user.username}@example.org"
        user.save()
    with override_settings(IOM_EMAILS_AT_ONCE_MAX=3):
        reminders_send([overdue(officer, person, days) for days in range(50)], kick=False)
        reminders_send([overdue(practitioner, person, days) for days in range(3)], kick=False)
        sent = outbox_send()

    assert (sent.emails, sent.notifications) == (4, 53)
    [together] = [email for email in mail.outbox if email.to == [officer.email]]
    assert together.subject == "IOM: Supervisor review overdue (50)"
    assert "- 50 x Supervisor review overdue, the first due" in together.body  # one line for the fifty
    assert "/notifications/" in together.body
    alone = [email for email in mail.outbox if email.to == [practitioner.email]]
    assert [email.subject for email in alone] == ["IOM: Supervisor review overdue"] * 3  # the limit: one each
    assert not owed().exists()


def test_an_email_owed_is_not_sent_to_a_user_who_left(partnership, person):
    leaver = UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR], email="gone@example.org")
    reminders_send([overdue(leaver, person, 0)], kick=False)
    leaver.is_active = False
    leaver.save()

    sent = outbox_send()

    assert (sent.emails, sent.withdrawn) == (0, 1)
    assert mail.outbox == []
    assert not owed().exists()


@pytest.fixture
def broker_down():
    """Celery pointed at a Redis port where nothing listens, as when the broker is down."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "broker_transport_options")}
    celery_app.conf.update(broker_url="redis://127.0.0.1:9/0", broker_transport_options={})
    reset_broker_pools()
    yield
    celery_app.conf.update(saved)
    reset_broker_pools()


def test_the_sweep_command_with_the_broker_down_stores_at_once_and_leaves_the_emails_to_the_outbox(
    partnership, broker_down
):
    started = timezone.localdate() - datetime.timedelta(weeks=3)
    for n in range(5):
        on_cohort_with_red_rating(partnership, started_on=started, last_name=f"Person{n}")
    out = StringIO()

    began = time.monotonic()
    call_command("sweep", stdout=out)
    took = time.monotonic() - began

    assert took < 15, took  # it never waits on the broker per reminder
    owed_now = owed().count()
    assert owed_now > 0
    assert f"Emails owed at once: {owed_now}; the broker is not answering" in out.getvalue()
    assert mail.outbox == []
    sent = outbox_send()  # the workers' outbox, once the broker is back
    assert sent.notifications == owed_now
    assert len(mail.outbox) == sent.emails


def test_the_sweep_command_can_send_the_emails_itself(partnership, broker_down):
    on_cohort_with_red_rating(partnership, started_on=timezone.localdate() - datetime.timedelta(weeks=3))
    out = StringIO()

    call_command("sweep", "reviews", "--send-emails", stdout=out)

    assert "Emails sent: 2" in out.getvalue()
    assert len(mail.outbox) == 2
    assert not owed().exists()


# --- The digest: sent by the first run after its time, once a day ------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_digest_is_sent_by_the_first_run_after_its_time_once_a_day(
    reference_data, partnership, person, time_machine
):
    officer = partnership.officer
    officer.email = "officer@example.org"
    officer.save()
    reminders_send([reminder(officer, person, kind=Kind.REVIEW_DUE)])
    day = datetime.date(2026, 12, 8)
    tz = timezone.get_current_timezone()

    time_machine.move_to(datetime.datetime.combine(day, datetime.time(6, 59), tzinfo=tz))
    digest_sweep()
    before = len(mail.outbox)
    time_machine.move_to(datetime.datetime.combine(day, datetime.time(9, 45), tzinfo=tz))  # 07:00 missed
    digest_sweep()
    digest_sweep()

    assert before == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["officer@example.org"]
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<digest-{officer.pk}-20261208@127.0.0.1>"
    assert DigestEmail.objects.filter(recipient=officer, day=day).count() == 1


# --- What the operations page and /healthz say of the outbox -------------------------------------------


def test_healthz_shows_the_backlog_and_calls_the_outbox_late_past_its_threshold(client, partnership, person):
    reminders_send([overdue(partnership.officer, person, 0)], kick=False)
    Notification.objects.update(email_owed_since=timezone.now() - datetime.timedelta(minutes=52))

    with override_settings(IOM_OUTBOX_LATE_AFTER=600):
        answer = client.get(reverse("healthz")).json()

    assert answer["outbox"]["owed"] == 1
    assert answer["checks"]["outbox"] == "late: 1 owed, the oldest for 52 minutes"
    assert answer["status"] == "degraded"
    assert outbox_backlog().owed == 1


def test_the_operations_page_shows_the_outbox_and_each_runs_stored_and_emailed(client, partnership, system_admin):
    from notifications.sweeps import sweep_run

    on_cohort_with_red_rating(partnership, started_on=timezone.localdate() - datetime.timedelta(weeks=3))
    run = sweep_run(name="reviews", kick=False)
    client.force_login(system_admin)

    before = client.get(reverse("sweep-operations")).content.decode()
    outbox_send()
    after = client.get(reverse("sweep-operations")).content.decode()
    home = client.get(reverse("home")).content.decode()

    assert (run.found, run.stored) == (2, 2)
    assert "2 owed" in before
    assert "2 owed" not in after
    assert 'data-testid="outbox"' in after
    assert reverse("sweep-operations") in home  # linked for system admins
    assert SweepRun.objects.get().status == SweepRun.Status.SUCCEEDED
