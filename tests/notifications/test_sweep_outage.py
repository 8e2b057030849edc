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
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from iom.celery import app as celery_app
from notifications.models import DigestEmail, Notification, SweepRun
from notifications.services import digest_recipients, digest_send, notification_email_send
from notifications.sweeps import sweep_run
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


def _reset_broker_pools() -> None:
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
    _reset_broker_pools()
    try:
        yield server
    finally:
        celery_app.conf.update(broker_url=before)
        _reset_broker_pools()
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
    first, first_supervisor, first_lead = on_cohort_with_red_rating(partnership, started_on=started, last_name="One")
    second, second_supervisor, second_lead = on_cohort_with_red_rating(partnership, started_on=started, last_name="Two")
    people = [first, second]
    recipients = [first_supervisor, first_lead, second_supervisor, second_lead, partnership.officer]
    return partnership, people, recipients


@pytest.mark.django_db(transaction=True)
def test_a_sweep_due_while_redis_is_down_sends_every_reminder_once_after_recovery(worker_on_own_redis, own_redis):
    partnership, people, recipients = people_with_overdue_reviews()
    # Each person's review, to the supervisor, the lead professional and the police lead (one officer
    # leads both): six reminders, five people emailed.
    expected = 6

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
    assert (run.found, run.sent, run.failed) == (expected, expected, False)
    assert Notification.objects.filter(kind=Notification.Kind.REVIEW_OVERDUE).count() == expected
    assert {n.subject for n in Notification.objects.all()} == {f"nominal:{person.pk}" for person in people}
    # Overdue reviews are emailed at once: each reminder once.
    assert wait_for(lambda: Notification.objects.filter(emailed_at__isnull=False).count() == expected)
    assert wait_for(lambda: len(mail.outbox) == expected)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [recipient.email for recipient in recipients] + [partnership.officer.email]
    )

    beat_sends("sweep-reviews")  # and the hour after: nothing new

    assert wait_for(lambda: SweepRun.objects.filter(finished_at__isnull=False).count() == 2, RECOVERY_TIMEOUT)
    again = SweepRun.objects.order_by("-pk").first()
    assert again is not None
    assert (again.found, again.sent, again.failed) == (expected, 0, False)
    assert Notification.objects.count() == expected
    assert len(mail.outbox) == expected


@pytest.mark.django_db(transaction=True)
def test_an_email_that_cannot_be_queued_while_redis_is_down_goes_in_the_digest_once(reference_data, own_redis, caplog):
    _, _, recipients = people_with_overdue_reviews()
    own_redis.stop()

    # A worker that took the sweep before the outage stores the reminders; the emails it queues on
    # commit cannot reach the broker.
    with caplog.at_level(logging.ERROR):
        run = sweep_run(name="reviews")

    assert (run.found, run.sent, run.failed) == (6, 6, False)
    assert any(isinstance(record.exc_info[1], BrokerError) for record in caplog.records if record.exc_info)
    assert Notification.objects.count() == 6
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()
    assert mail.outbox == []

    day = timezone.localdate()
    waiting = list(digest_recipients())
    digests = [digest_send(recipient=recipient, day=day) for recipient in waiting]
    again = [digest_send(recipient=recipient, day=day) for recipient in waiting]

    assert sorted(user.pk for user in waiting) == sorted({user.pk for user in recipients})
    assert all(digest is not None for digest in digests)
    assert again == [None] * len(waiting)
    assert sum(digest.items for digest in digests if digest is not None) == 6
    assert DigestEmail.objects.count() == len(waiting)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(user.email for user in waiting)
    assert all("Supervisor review overdue" in message.body for message in mail.outbox)
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()

    # The broker back, a late email task finds its reminder already emailed and sends nothing.
    own_redis.start()
    assert [
        notification_email_send(notification_id=pk) for pk in Notification.objects.values_list("pk", flat=True)
    ] == [False] * 6
    assert len(mail.outbox) == len(waiting)
