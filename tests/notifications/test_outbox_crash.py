"""Workers killed with kill -9, as an operator or the kernel does: a real Celery worker process, a
real broker and a real SMTP server.

- While the outbox sends: the sweep has committed (the emails are owed); the worker is killed at
  five random points of the sending, restarted each time, and given the outbox's next run as beat
  gives it every minute. Every owed email arrives; one is sent again only when the kill fell
  between the mail server's acceptance and the commit, and then with the same Message-ID.
- While a sweep runs: its run stays started, and is reported abandoned once it has given no sign of
  life for IOM_SWEEP_ABANDONED_AFTER.
- A sweep's task terminated (revoke with terminate, SIGTERM to the prefork pool's process): the run
  is recorded as failed, with nothing stored."""

from __future__ import annotations

import datetime
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from demo.mail_sink import MailSink
from iom.celery import app as celery_app
from notifications.models import Notification, SweepRun
from notifications.outbox import owed
from notifications.services import Reminder, reminders_send
from notifications.tasks import outbox_send_task, sweep
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.iom.test_celery import wait_for
from tests.notifications.test_notifications import on_cohort_with_red_rating
from tests.sharing.factories import UserFactory

RECIPIENTS = 240
KILLS = 5


def _worker_environment(sink: MailSink) -> dict[str, str]:
    db = connection.settings_dict
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return {
        **os.environ,  # the test worker's own broker (tests/worker_services.py)
        **sink.environment(),
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "iom.settings",
        "IOM_DEVELOPMENT": "1",
        "PYTHONPATH": str(settings.BASE_DIR),
    }


class WorkerProcess:
    """`celery -A iom worker`, in a process of its own, killed with SIGKILL."""

    def __init__(self, environment: dict[str, str], pool: str = "solo") -> None:
        self.environment = environment
        self.pool = pool
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "iom", "worker", f"--pool={self.pool}", "--concurrency=1"),
                *("--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            env=self.environment,
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink(delay=0.01) as server:
        yield server


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_at_five_random_points_of_the_sending_loses_no_email(reference_data, partnership, sink):
    person = make_nominal(partnership.officer, last_name="Crash")
    officers = [
        UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR], email=f"crash{n}@example.org")
        for n in range(RECIPIENTS)
    ]
    due = timezone.localdate() - datetime.timedelta(days=1)
    kind = Notification.Kind.REVIEW_OVERDUE
    reminders_send([Reminder(o.pk, kind, f"nominal:{person.pk}", due, "/") for o in officers], kick=False)
    assert owed().count() == RECIPIENTS  # the sweep has committed: every email is owed
    seed = random.randrange(1_000_000)
    points = sorted(random.Random(seed).sample(range(1, RECIPIENTS - 10), KILLS))
    worker = WorkerProcess(_worker_environment(sink))
    kills = []
    try:
        for point in points:
            worker.start()
            outbox_send_task.delay()  # beat's next minute
            assert wait_for(lambda point=point: sink.accepted >= point, 120), f"seed {seed}: stuck before {point}"
            worker.kill()
            kills.append(sink.accepted)
        worker.start()
        outbox_send_task.delay()
        assert wait_for(lambda: not owed().exists(), 120), f"seed {seed}: {owed().count()} still owed"
        time.sleep(0.5)  # anything in flight lands
    finally:
        worker.stop()

    received = sink.by_message_id()
    expected = {
        f"<notification-{pk}-1@{settings.IOM_EMAIL_DOMAIN}>" for pk in Notification.objects.values_list("pk", flat=True)
    }
    assert set(received) == expected, f"seed {seed}, killed at {kills}"  # every owed email, and no other
    again = {message_id: count for message_id, count in received.items() if count > 1}
    assert sum(count - 1 for count in again.values()) <= KILLS, f"seed {seed}: sent again {again}"
    assert all(count == 2 for count in again.values())  # at most once more, and only at a kill
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_sweep_whose_worker_is_killed_mid_run_is_reported_abandoned(
    reference_data, partnership, sink, client, system_admin
):
    on_cohort_with_red_rating(partnership, started_on=timezone.localdate() - datetime.timedelta(weeks=3))
    worker = WorkerProcess(_worker_environment(sink))
    holder = connections.create_connection("default")  # another session, holding the table the sweep stores in
    holder.set_autocommit(False)
    try:
        with holder.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Notification._meta.db_table} IN EXCLUSIVE MODE")
        worker.start()
        sweep.delay(name="reviews")
        assert wait_for(lambda: SweepRun.objects.filter(found__gt=0).exists(), 60)  # found, blocked storing
        worker.kill()
    finally:
        holder.rollback()
        holder.close()
        worker.stop()
    client.force_login(system_admin)

    run = SweepRun.objects.get()
    with override_settings(IOM_SWEEP_ABANDONED_AFTER=1):
        time.sleep(1.5)
        page = client.get(reverse("sweep-operations")).content.decode()
        health = client.get(reverse("healthz")).json()

    assert (run.status, run.finished_at, run.stored) == (SweepRun.Status.STARTED, None, 0)
    assert "Abandoned" in page
    assert "abandoned: reviews" in health["checks"]["sweeps"]


@pytest.mark.django_db(transaction=True)
def test_a_sweep_whose_task_is_terminated_is_recorded_as_failed(reference_data, partnership, sink):
    on_cohort_with_red_rating(partnership, started_on=timezone.localdate() - datetime.timedelta(weeks=3))
    worker = WorkerProcess(_worker_environment(sink), pool="prefork")
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    try:
        with holder.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Notification._meta.db_table} IN EXCLUSIVE MODE")
        worker.start()
        task = sweep.delay(name="reviews")
        assert wait_for(lambda: SweepRun.objects.filter(found__gt=0).exists(), 60)  # found, blocked storing
        celery_app.control.revoke(task.id, terminate=True)  # SIGTERM to the pool's process running it
        time.sleep(2)  # delivered while the sweep waits on the table
        holder.rollback()  # the sweep's insert goes on, and the signal's SystemExit stops it there
        finished = wait_for(lambda: SweepRun.objects.filter(finished_at__isnull=False).exists(), 60)
    finally:
        holder.rollback()
        holder.close()
        worker.stop()

    run = SweepRun.objects.get()
    assert finished, (run.status, run.error)
    assert (run.status, run.stored) == (SweepRun.Status.FAILED, 0)
    assert run.error.startswith("SystemExit")
    assert not Notification.objects.exists()  # its transaction rolled back
