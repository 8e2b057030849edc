"""Every sweep, run from two processes at once and then again, stores each reminder once, each
immediate email owed once and sent once by the outbox: exactly once in effect. The demo's cohort
is the data: on the day it is loaded every sweep finds work in it, which this also proves."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from notifications.models import Notification, SweepRun
from notifications.outbox import outbox_send, owed
from notifications.sweeps import SWEEPS

# Each process waits for the file `go`, then runs every sweep: both start within a few milliseconds.
RUN_WHEN_TOLD = """
import os, sys, time
import django
django.setup()
from django.core import mail
from django.core.management import call_command
while not os.path.exists(sys.argv[1]):
    time.sleep(0.005)
call_command("sweep")
"""


def _process_environment(broker: Path) -> dict[str, str]:
    db = connection.settings_dict
    environment = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    # The host may be a socket's folder (the embedded PostgreSQL), quoted as demo/local.py does.
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    environment.update(
        DATABASE_URL=f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}",
        DJANGO_SETTINGS_MODULE="iom.settings",
        IOM_DEVELOPMENT="1",
        IOM_BROKER_DIR=str(broker),  # the emails each process queues land here, one file a message
        PYTHONPATH=str(settings.BASE_DIR),
    )
    return environment


def _queued(broker: Path) -> int:
    return sum(1 for _ in (broker / "queue").glob("*"))


@pytest.mark.django_db(transaction=True)
def test_every_sweep_from_two_processes_at_once_and_again_tells_each_reminder_once(reference_data, tmp_path):
    call_command("seed_demo")
    Notification.objects.all().delete()  # what the demo's own run of the sweeps stored
    SweepRun.objects.all().delete()
    today = timezone.localdate()
    due = {name: {reminder.key for reminder in sweep.find(today)} for name, sweep in SWEEPS.items()}
    assert all(due.values()), f"sweeps finding nothing in the demo: {[n for n, keys in due.items() if not keys]}"
    expected = set().union(*due.values())

    broker = tmp_path / "broker"
    for folder in ("queue", "control"):
        (broker / folder).mkdir(parents=True)
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RUN_WHEN_TOLD, str(go)],
            env=_process_environment(broker),
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(3)  # both processes up and waiting
    go.touch()
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs

    stored = set(Notification.objects.values_list("recipient_id", "kind", "subject", "due_on"))
    assert stored == expected
    runs = SweepRun.objects.filter(status=SweepRun.Status.SUCCEEDED)
    assert runs.count() == 2 * len(SWEEPS)
    assert sum(run.stored for run in runs) == len(expected)  # each stored by one process only
    immediate = Notification.objects.filter(delivery=Notification.Delivery.IMMEDIATE).count()
    assert immediate > 0
    assert Notification.objects.filter(email_owed_since__isnull=False).count() == immediate
    assert _queued(broker) <= 2  # an outbox run asked for once by each process, never once a reminder
    sent = outbox_send()
    assert sent.notifications + sent.withdrawn == immediate
    assert len(mail.outbox) == sent.emails
    assert not owed().exists()
    assert outbox_send().emails == 0

    call_command("sweep")

    assert set(Notification.objects.values_list("recipient_id", "kind", "subject", "due_on")) == expected
    assert sum(run.stored for run in SweepRun.objects.order_by("-pk")[: len(SWEEPS)]) == 0
