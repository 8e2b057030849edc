"""Sweep runs reported truthfully: started, succeeded, failed (whatever stopped it) or abandoned (its
worker killed); a run for another day labelled so; beat's and the workers' signs of life apart."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from iom.celery import RUN_AT_START, Scheduler
from iom.celery import app as celery_app
from notifications.models import Heartbeat, SweepRun
from notifications.sweeps import SWEEPS, Sweep, sweep_run
from tests.iom.test_celery import wait_for


def stopped_by_a_terminate(on: datetime.date) -> list:
    """A sweep's finder stopped as a terminated task is (the worker's SystemExit)."""
    raise SystemExit(15)


@pytest.fixture
def terminated_sweep(monkeypatch):
    sweep = Sweep(
        "terminated", "Stopped by a terminate", f"{__name__}.stopped_by_a_terminate", "notifications.tasks.sweep"
    )
    monkeypatch.setitem(SWEEPS, "terminated", sweep)
    return sweep


def test_a_run_stopped_by_a_terminate_is_recorded_as_failed_and_reported(client, db, system_admin, terminated_sweep):
    with pytest.raises(SystemExit):
        sweep_run(name="terminated")
    client.force_login(system_admin)

    run = SweepRun.objects.get(sweep="terminated")
    page = client.get(reverse("sweep-operations")).content.decode()
    health = client.get(reverse("healthz")).json()

    assert (run.status, run.error, run.finished_at is not None) == (SweepRun.Status.FAILED, "SystemExit: 15", True)
    assert "Failed" in page
    assert "SystemExit: 15" in page
    assert "failed: terminated" in health["checks"]["sweeps"]


def test_a_run_whose_worker_was_killed_is_abandoned_after_the_timeout(client, db, system_admin):
    now = timezone.now()
    killed = SweepRun.objects.create(
        sweep="reviews", day=timezone.localdate(), started_at=now - datetime.timedelta(minutes=30), alive_at=now
    )
    client.force_login(system_admin)

    with override_settings(IOM_SWEEP_ABANDONED_AFTER=1200):
        running = client.get(reverse("sweep-operations")).content.decode()
        SweepRun.objects.filter(pk=killed.pk).update(alive_at=now - datetime.timedelta(minutes=21))
        abandoned = client.get(reverse("sweep-operations")).content.decode()
        health = client.get(reverse("healthz")).json()

    assert "Running" in running
    assert "Abandoned" not in running
    assert "Abandoned" in abandoned
    assert "abandoned: reviews" in health["checks"]["sweeps"]
    assert health["status"] == "degraded"


def test_a_run_for_another_day_is_labelled_as_such(client, db, system_admin):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    out = StringIO()

    call_command("sweep", "reviews", "--on", tomorrow.isoformat(), stdout=out)
    client.force_login(system_admin)
    page = client.get(reverse("sweep-operations")).content.decode()

    assert SweepRun.objects.get().day == tomorrow
    assert f"Sweeping for {tomorrow:%-d %B %Y}, not today." in out.getvalue()
    assert f"for {tomorrow:%-d %b %Y}" in page


def test_a_new_installation_shows_each_sweep_waiting_not_late(client, db, system_admin):
    client.force_login(system_admin)

    page = client.get(reverse("sweep-operations")).content.decode()

    assert page.count("Waiting for its first run") == len(SWEEPS)
    assert "Late" not in page


def test_a_sweep_is_late_once_sweeps_have_run_for_twice_its_interval_without_it(client, db):
    sweep_run(name="reviews")
    SweepRun.objects.update(started_at=timezone.now() - datetime.timedelta(hours=3))
    sweep_run(name="reviews")

    health = client.get(reverse("healthz")).json()

    assert health["checks"]["sweeps"] == "late: transitions, releases, y2a, agreements, meetings, actions"


# --- Beat and the workers ----------------------------------------------------------------------------


def test_beat_runs_each_sweep_the_outbox_and_the_daily_jobs_as_it_starts_and_records_its_heartbeat(db, tmp_path):
    scheduler = Scheduler(celery_app, schedule_filename=str(tmp_path / "schedule"), lazy=False)
    due = {name for name, entry in scheduler.schedule.items() if entry.is_due()[0]}

    sweeps = {name for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if entry["task"] in RUN_AT_START}
    assert sweeps == {f"sweep-{name}" for name in SWEEPS} | {"outbox", "daily-jobs"}
    assert due == sweeps
    scheduler.schedule.clear()  # nothing sent to the broker: the tick records the heartbeat alone
    scheduler.tick()
    assert Heartbeat.objects.filter(name="beat").exists()
    assert not Heartbeat.objects.filter(name="workers").exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_records_its_own_heartbeat_whether_or_not_beat_runs(reference_data, monkeypatch):
    monkeypatch.setenv("IOM_WORKER_HEARTBEAT", "1")

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        assert wait_for(lambda: Heartbeat.objects.filter(name="workers").exists())

    assert not Heartbeat.objects.filter(name="beat").exists()


def test_a_killed_workers_task_comes_back_just_after_the_longest_time_limit():
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("the visibility timeout is Redis's")
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert isinstance(timeout, int)

    assert settings.IOM_SWEEP_TIME_LIMIT < timeout <= settings.IOM_SWEEP_TIME_LIMIT + 120
    assert timeout < 3600
