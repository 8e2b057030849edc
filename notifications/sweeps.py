"""Scheduled sweeps: each selects what is due from the database state and sends its
reminders through reminders_send, which stores each once. A sweep is registered here with the
function that finds its reminders (in the app that owns the data) and how often beat runs it; the
schedule itself is code in settings (CELERY_BEAT_SCHEDULE), read back here for /healthz and the
operations page.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from notifications.models import SweepRun
from notifications.services import Reminder, reminders_send

Finder = Callable[[datetime.date], Iterable[Reminder]]


@dataclass(frozen=True)
class Sweep:
    name: str
    label: str
    finder: str  # "app.module.function", taking the day and returning reminders
    task: str  # the Celery task that runs it, as named in CELERY_BEAT_SCHEDULE

    def find(self, on: datetime.date) -> Iterable[Reminder]:
        module, _, function = self.finder.rpartition(".")
        finder: Finder = getattr(importlib.import_module(module), function)
        return finder(on)

    @property
    def schedule_text(self) -> str:
        """How often it runs, as the operations page says it: "Every hour", "Every 30 minutes"."""
        interval = self.interval
        if interval is None:
            return "Not scheduled"
        minutes = round(interval.total_seconds() / 60)
        if minutes % 60 == 0:
            hours = minutes // 60
            return "Every hour" if hours == 1 else f"Every {hours} hours"
        return "Every minute" if minutes == 1 else f"Every {minutes} minutes"

    @property
    def interval(self) -> datetime.timedelta | None:
        """How often beat runs it (None: not scheduled)."""
        entries: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
        for entry in entries.values():
            if entry["task"] == self.task and entry.get("kwargs", {}).get("name") == self.name:
                schedule = entry["schedule"]
                if isinstance(schedule, datetime.timedelta):
                    return schedule
                if isinstance(schedule, int | float):
                    return datetime.timedelta(seconds=schedule)
                return getattr(schedule, "run_every", None)
        return None


SWEEPS: dict[str, Sweep] = {
    sweep.name: sweep
    for sweep in [
        Sweep(
            "reviews",
            "Supervisor reviews due and overdue",
            "cohorts.sweeps.review_reminders",
            "notifications.tasks.sweep",
        ),
        Sweep(
            "transitions",
            "Licences ending with no transition plan, and plan steps due",
            "cohorts.sweeps.transition_reminders",
            "notifications.tasks.sweep",
        ),
        Sweep(
            "releases",
            "Releases from custody in the next 14 days",
            "referrals.sweeps.release_reminders",
            "notifications.tasks.sweep",
        ),
        Sweep("y2a", "Youth-to-adult milestones", "referrals.sweeps.y2a_reminders", "notifications.tasks.sweep"),
        Sweep(
            "agreements",
            "Information sharing agreements: review and end due, and ended",
            "cohorts.agreement_sweeps.agreement_reminders",
            "notifications.tasks.sweep",
        ),
        Sweep(
            "meetings",
            "Meetings in two working days, with the pack",
            "meetings.sweeps.meeting_reminders",
            "notifications.tasks.sweep",
        ),
        Sweep(
            "actions",
            "Meeting actions due and overdue",
            "meetings.sweeps.action_reminders",
            "notifications.tasks.sweep",
        ),
    ]
}


def sweep_run(*, name: str, on: datetime.date | None = None) -> SweepRun:
    """Run one sweep for a day (today by default) and record the run, failed or not."""
    sweep = SWEEPS[name]
    run = SweepRun.objects.create(sweep=name, started_at=timezone.now())
    try:
        day = on or timezone.localdate()
        reminders = list(sweep.find(day))
        run.found = len(reminders)
        run.sent = len(reminders_send(reminders, day))
    except Exception as error:
        run.failed, run.error = True, f"{type(error).__name__}: {error}"[:2000]
        raise
    finally:
        run.finished_at = timezone.now()
        run.save(update_fields=["found", "sent", "failed", "error", "finished_at"])
    return run


@dataclass(frozen=True)
class SweepStatus:
    sweep: Sweep
    last: SweepRun | None
    last_success_at: datetime.datetime | None
    failures_24h: int

    @property
    def stale(self) -> bool:
        """Not run successfully for twice its interval (or never, once it has been scheduled a while)."""
        interval = self.sweep.interval
        if interval is None:
            return False
        if self.last_success_at is None:
            return True
        return timezone.now() - self.last_success_at > 2 * interval


def sweep_statuses() -> list[SweepStatus]:
    """Each registered sweep's latest run, latest success and recent failures: three queries."""
    latest = SweepRun.objects.filter(sweep=OuterRef("sweep")).order_by("-started_at", "-pk").values("pk")[:1]
    last_runs = {run.sweep: run for run in SweepRun.objects.filter(pk=Subquery(latest))}
    successes = dict(
        SweepRun.objects.filter(failed=False, finished_at__isnull=False)
        .values("sweep")
        .annotate(last=Max("finished_at"))
        .values_list("sweep", "last")
    )
    since = timezone.now() - datetime.timedelta(hours=24)
    failures: dict[str, int] = {}
    for sweep_name in SweepRun.objects.filter(failed=True, started_at__gte=since).values_list("sweep", flat=True):
        failures[sweep_name] = failures.get(sweep_name, 0) + 1
    return [
        SweepStatus(
            sweep=sweep,
            last=last_runs.get(name),
            last_success_at=successes.get(name),
            failures_24h=failures.get(name, 0),
        )
        for name, sweep in SWEEPS.items()
    ]
