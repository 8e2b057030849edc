"""The Celery app. Settings prefixed CELERY_ in iom.settings configure it; tasks are found in each
app's tasks.py."""

import datetime
import logging
import os
import time
from pathlib import Path
from typing import Any

from celery import Celery, bootsteps
from celery.beat import PersistentScheduler
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iom.settings")

app = Celery("iom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_filesystem_broker_folders() -> None:
    """kombu's filesystem transport expects its folders to exist."""
    if app.conf.broker_url and str(app.conf.broker_url).startswith("filesystem"):
        options = app.conf.broker_transport_options or {}
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


@worker_init.connect
def _prepare_broker(**_: object) -> None:
    ensure_filesystem_broker_folders()


# --- Signs of life: beat's and the workers' own, apart (shell/health.py reads them) ----------------

HEARTBEAT_SECONDS = 30.0


def _heartbeat(name: str) -> None:
    """Record a heartbeat; a database that is down is logged, never fatal to beat or a worker."""
    from notifications.heartbeats import heartbeat_record

    try:
        heartbeat_record(name=name)
    except Exception:
        logging.getLogger(__name__).warning("Could not record the %s heartbeat", name, exc_info=True)


class Scheduler(PersistentScheduler):
    """Beat's scheduler (CELERY_BEAT_SCHEDULER): the schedule on disk as Celery keeps it, plus beat's
    own heartbeat every 30 seconds, and the sweeps, the outbox and the daily jobs' dispatch run once
    as beat starts (RUN_AT_START): work missed while beat was down is done at once, not at the next
    tick of the clock."""

    _beat_seen: float = 0.0

    def setup_schedule(self) -> None:
        super().setup_schedule()
        now = self.app.now()
        for entry in self.schedule.values():
            if entry.task in RUN_AT_START:  # as if last run long enough ago to be due now
                entry.last_run_at = now - datetime.timedelta(days=1)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if time.monotonic() - self._beat_seen >= HEARTBEAT_SECONDS:
            self._beat_seen = time.monotonic()
            _heartbeat("beat")
        return min(super().tick(*args, **kwargs), HEARTBEAT_SECONDS)


# The tasks beat runs once as it starts (the sweeps, the outbox, the daily jobs' dispatch).
RUN_AT_START = ("notifications.tasks.sweep", "notifications.tasks.outbox_send_task", "notifications.tasks.daily_jobs")


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Each worker's heartbeat every 30 seconds, from the worker's own timer: it shows the workers
    alive whether or not beat is (IOM_WORKER_HEARTBEAT=0 turns it off, as the tests' in-thread
    worker does)."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: object, **kwargs: object) -> None:
        super().__init__(worker, **kwargs)
        self.timer_ref: object | None = None

    def start(self, worker: object) -> None:
        if os.environ.get("IOM_WORKER_HEARTBEAT", "1") == "0":
            return
        _heartbeat("workers")
        self.timer_ref = worker.timer.call_repeatedly(HEARTBEAT_SECONDS, _heartbeat, ("workers",))  # type: ignore[attr-defined]

    def stop(self, worker: object) -> None:
        if self.timer_ref is not None:
            self.timer_ref.cancel()  # type: ignore[attr-defined]


app.steps["worker"].add(WorkerHeartbeat)
