"""A broker outage delays reminders but loses none, against a real Redis server.

The shared Redis serves other tests and people, so each test starts its own redis-server on a spare
port, points the Celery app (and the real worker) at it, and stops and starts it as an outage does.
Nothing here is mocked: beat's own scheduler publishes the sweep as it does on the hour, the worker
runs it, Postgres holds the reminders and Django's locmem backend catches the emails.
"""

from __future__ import annotations

import datetime
import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import kombu.pools
import pytest
import redis
from celery.beat import Scheduler as BeatScheduler
from celery.beat import SchedulingError
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from iom.celery import app as celery_app
from notifications.models import DigestEmail, Notification, SweepRun
from notifications.outbox import owed
from notifications.sweeps import sweep_run
from sharing.models import User
from tests.iom.test_celery import wait_for
from tests.notifications.test_notifications import on_cohort_with_red_rating

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not on the PATH")

RECOVERY_TIMEOUT = 60.0  # the worker reconnects after 2, 4, 6 ... seconds


class RedisServer:
    """A redis-server of the test's own, in memory only, that can be stopped and started again on
    the same port, as a broker outage does."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def reset_broker_pools() -> None:
    """Drop the pooled broker connections, so the next publish connects to the broker now set.

    The app's connection and producer pools are kombu's process-wide ones, kept by broker URL:
    closing one and leaving it registered would hand later tests a closed pool ("Acquire on closed
    pool"), so kombu's registry is reset whole (closed and emptied), then the app's references
    dropped, as Celery does after a fork (Celery._after_fork)."""
    kombu.pools.reset()
    celery_app._pool = None  # type: ignore[attr-defined]
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of our own, and the Celery app's broker pointed at it for the test."""
    server = RedisServer(tmp_path)
    server.start()
    before = celery_app.conf.broker_url
    celery_app.conf.update(broker_url=server.url)
    reset_broker_pools()
    try:
        yield server
    finally:
        celery_app.conf.update(broker_url=before)
        reset_broker_pools()
        server.stop()


@pytest.fixture
def worker_on_own_redis(reference_data: None, own_redis: RedisServer) -> Iterator[object]:
    """A real Celery worker, in a thread of the test process, consuming from our own redis-server."""
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


def beat_sends(entry_name: str) -> None:
    """Publish one entry of CELERY_BEAT_SCHEDULE as beat does when it falls due."""
    scheduler = BeatScheduler(celery_app, lazy=True)
    scheduler.update_from_dict({entry_name: settings.CELERY_BEAT_SCHEDULE[entry_name]})
    scheduler.apply_async(scheduler.schedule[entry_name], advance=False)


def people_with_overdue_reviews():
    from tests.partnership import build_partnership

    partnership = build_partnership()
    started = timezone.localdate() - datetime.timedelta(weeks=3)  # red: reviewed every 2 weeks
    first, first_supervisor, _ = on_cohort_with_red_rating(partnership, started_on=started, last_name="One")
    second, second_supervisor, _ = on_cohort_with_red_rating(partnership, started_on=started, last_name="Two")
    people = [first, second]
    # The one officer leads both as police lead: their supervisor is told of both.
    police_supervisor = partnership.officer.supervisor
    recipients = [first_supervisor, second_supervisor, police_supervisor, police_supervisor]
    return partnership, people, recipients


@pytest.mark.django_db(transaction=True)
def test_a_sweep_due_while_redis_is_down_sends_every_reminder_once_after_recovery(worker_on_own_redis, own_redis):
    _, people, recipients = people_with_overdue_reviews()
    # Each person's review, to the supervisors of the lead professional and of the police lead (one
    # officer leads both): four reminders, three people emailed.
    expected = 4

    own_redis.stop()
    with pytest.raises(SchedulingError) as failed:
        beat_sends("sweep-reviews")

    assert isinstance(failed.value.__cause__ or failed.value.__context__, BrokerError)
    assert not SweepRun.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []

    own_redis.start()
    beat_sends("sweep-reviews")  # the next hour's run

    assert wait_for(lambda: SweepRun.objects.filter(finished_at__isnull=False).count() == 1, RECOVERY_TIMEOUT)
    run = SweepRun.objects.get()
    assert (run.found, run.stored, run.failed) == (expected, expected, False)
    assert Notification.objects.filter(kind=Notification.Kind.REVIEW_OVERDUE).count() == expected
    assert {n.subject for n in Notification.objects.all()} == {f"nominal:{person.pk}" for person in people}
    # Overdue reviews are emailed at once: each reminder once.
    assert wait_for(lambda: Notification.objects.filter(emailed_at__isnull=False).count() == expected)
    assert wait_for(lambda: len(mail.outbox) == expected)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(recipient.email for recipient in recipients)

    beat_sends("sweep-reviews")  # and the hour after: nothing new

    assert wait_for(lambda: SweepRun.objects.filter(finished_at__isnull=False).count() == 2, RECOVERY_TIMEOUT)
    again = SweepRun.objects.order_by("-pk").first()
    assert again is not None
    assert (again.found, again.stored, again.failed) == (expected, 0, False)
    assert Notification.objects.count() == expected
    assert len(mail.outbox) == expected


@pytest.mark.django_db(transaction=True)
def test_emails_owed_while_redis_is_down_are_sent_once_by_the_outbox_after_recovery(reference_data, own_redis, caplog):
    _, _, recipients = people_with_overdue_reviews()
    own_redis.stop()

    # A worker that took the sweep before the outage stores the reminders; the outbox it asks for on
    # commit cannot be reached. It tries once, not once per reminder.
    with caplog.at_level(logging.WARNING):
        run = sweep_run(name="reviews")

    assert (run.found, run.stored, run.failed) == (4, 4, False)
    assert len([record for record in caplog.records if "outbox" in record.getMessage()]) == 1
    assert owed().count() == 4
    assert mail.outbox == []

    own_redis.start()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        beat_sends("outbox")  # beat's next minute
        assert wait_for(lambda: not owed().exists(), RECOVERY_TIMEOUT)
        beat_sends("outbox")  # and the minute after: nothing owed, nothing sent
        time.sleep(1)

    assert len(mail.outbox) == 4
    assert sorted(message.to[0] for message in mail.outbox) == sorted(recipient.email for recipient in recipients)
    assert len({message.extra_headers["Message-ID"] for message in mail.outbox}) == 4
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 4


@pytest.mark.django_db(transaction=True)
def test_redis_down_across_the_digests_time_sends_every_digest_and_email_once_after_recovery(
    worker_on_own_redis, own_redis, client, time_machine
):
    tz = timezone.get_current_timezone()
    day = datetime.date(2026, 12, 9)
    time_machine.move_to(datetime.datetime.combine(day, datetime.time(6, 59, 50), tzinfo=tz), tick=True)
    partnership, _, _ = people_with_overdue_reviews()
    on_cohort_with_red_rating(partnership, started_on=day - datetime.timedelta(days=12), last_name="Soon")
    own_redis.stop()

    sweep_run(name="reviews")  # taken by a worker before the outage: stored, its emails owed
    digest_waiting = set(
        Notification.objects.filter(delivery=Notification.Delivery.DIGEST).values_list("recipient_id", flat=True)
    )
    owed_at_once = owed().count()
    assert digest_waiting
    assert owed_at_once
    for entry in ("daily-digest", "outbox"):
        with pytest.raises(SchedulingError):
            beat_sends(entry)
    time_machine.move_to(datetime.datetime.combine(day, datetime.time(7, 0, 5), tzinfo=tz), tick=True)
    for entry in ("daily-digest", "outbox"):  # the digest's time passes with the broker down
        with pytest.raises(SchedulingError):
            beat_sends(entry)
    during = client.get(reverse("healthz")).json()

    assert during["checks"]["broker"] == "down"
    assert during["outbox"]["owed"] == owed_at_once  # the backlog, while it lasts
    assert mail.outbox == []

    own_redis.start()
    beat_sends("daily-digest")  # the first runs after recovery
    beat_sends("outbox")

    assert wait_for(lambda: not owed().exists(), RECOVERY_TIMEOUT)
    assert wait_for(lambda: DigestEmail.objects.filter(day=day).count() == len(digest_waiting), RECOVERY_TIMEOUT)
    beat_sends("daily-digest")  # and the runs after: nothing more
    beat_sends("outbox")
    time.sleep(2)
    digests = [email for email in mail.outbox if email.extra_headers["Message-ID"].startswith("<digest-")]
    at_once = [email for email in mail.outbox if email.extra_headers["Message-ID"].startswith("<notification-")]
    assert sorted(email.to[0] for email in digests) == sorted(
        User.objects.filter(pk__in=digest_waiting).values_list("email", flat=True)
    )
    assert len(at_once) == owed_at_once
    assert len({email.extra_headers["Message-ID"] for email in mail.outbox}) == len(mail.outbox)
    after = client.get(reverse("healthz")).json()
    assert after["outbox"] == {"owed": 0, "oldest": None}
