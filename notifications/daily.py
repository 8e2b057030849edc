"""Daily jobs run by state, not by the clock's tick: beat asks every quarter of an hour (and as it
starts) what is due and not yet done, and the first dispatch after a job's time (IOM_DAILY_JOBS)
sends it to a worker. A job marks its day done when it finishes; one that has not finished within
its time limit is sent again. So a night's run missed while beat, the broker or the workers were
down is made up as soon as they are back, once."""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Callable
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.models import DailyRun

logger = logging.getLogger(__name__)


def _at(text: str) -> datetime.time:
    hour, minute = (int(part) for part in text.split(":"))
    return datetime.time(hour, minute)


def daily_jobs_dispatch(now: datetime.datetime | None = None) -> list[str]:
    """Send each daily job due now and not done today (nor sent within its time limit) to a worker;
    the names sent."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    sent = []
    for name, (task, at) in settings.IOM_DAILY_JOBS.items():
        if local.time() < _at(at):
            continue
        with transaction.atomic():
            run, _ = DailyRun.objects.select_for_update().get_or_create(name=name, day=local.date())
            if run.done_at is not None:
                continue
            if run.dispatched_at is not None and now - run.dispatched_at < _limit(task):
                continue  # sent, and may still be running
            current_app.send_task(task, kwargs={"daily_run_id": run.pk})
            run.dispatched_at = now
            run.save(update_fields=["dispatched_at"])
        sent.append(name)
    return sent


def _limit(task: str) -> datetime.timedelta:
    registered = current_app.tasks.get(task)
    limit = getattr(registered, "time_limit", None) or settings.CELERY_TASK_TIME_LIMIT
    return datetime.timedelta(seconds=limit + 60)


def daily_job(body: Callable[[], None]) -> Callable[..., None]:
    """A daily job's task body: run it, and when the dispatcher sent it, mark its day done once it
    finished (a failure leaves the day to be sent again)."""

    @functools.wraps(body)
    def run(*, daily_run_id: int | None = None, **kwargs: Any) -> None:
        body(**kwargs)
        if daily_run_id is not None:
            DailyRun.objects.filter(pk=daily_run_id, done_at=None).update(done_at=timezone.now())

    return run
