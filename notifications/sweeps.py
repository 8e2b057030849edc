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
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone

from notifications.models import Notification, SweepRun
from notifications.services import Reminder, reminders_send

Finder = Callable[[datetime.date], Iterable[Reminder]]


@dataclass(frozen=True)
class Sweep:
    name: str
    label: str
    finder: str  # "app.module.function", taking the day and returning reminders
    task: str  # the Celery task that runs it, as named in CELERY_BEAT_SCHEDULE
    # The kinds it finds, and of those the ones it finds until they are resolved (overdue included):
    # a stored reminder of its kinds it no longer finds, due after today or of a kind found until
    # resolved, is no longer due (done, moved or cancelled). The others age out of its window (a
    # meeting is told through the day before: on its day it is due, not withdrawn).
    kinds: tuple[str, ...] = ()
    found_until_resolved: tuple[str, ...] = ()

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


Kind = Notification.Kind
SWEEPS: dict[str, Sweep] = {
    sweep.name: sweep
    for sweep in [
        Sweep(
            "reviews",
            "Supervisor reviews due and overdue",
            "cohorts.sweeps.review_reminders",
            "notifications.tasks.sweep",
            kinds=(Kind.REVIEW_DUE, Kind.REVIEW_OVERDUE),
            found_until_resolved=(Kind.REVIEW_OVERDUE,),
        ),
        Sweep(
            "transitions",
            "Licences ending with no transition plan, and plan steps due",
            "cohorts.sweeps.transition_reminders",
            "notifications.tasks.sweep",
            kinds=(Kind.TRANSITION_NO_PLAN, Kind.TRANSITION_STEP_DUE),
            found_until_resolved=(Kind.TRANSITION_NO_PLAN, Kind.TRANSITION_STEP_DUE),
        ),
        Sweep(
            "releases",
            "Releases from custody in the next 14 days",
            "referrals.sweeps.release_reminders",
            "notifications.tasks.sweep",
            kinds=(Kind.RELEASE_DUE,),
        ),
        Sweep(
            "y2a",
            "Youth-to-adult milestones",
            "referrals.sweeps.y2a_reminders",
            "notifications.tasks.sweep",
            kinds=(Kind.Y2A_CONSIDER, Kind.Y2A_LIAISON, Kind.Y2A_HANDOVER),
        ),
        Sweep(
            "agreements",
            "Information sharing agreements: review and end due, and ended",
            "cohorts.agreement_sweeps.agreement_reminders",
            "notifications.tasks.sweep",
            kinds=(Kind.ISA_REVIEW_DUE, Kind.ISA_ENDING, Kind.ISA_ENDED),
        ),
        Sweep(
            "meetings",
            "Meetings in two working days, with the pack",
            "meetings.sweeps.meeting_reminders",
            "notifications.tasks.sweep",
            kinds=(Kind.MEETING_REMINDER,),
        ),
        Sweep(
            "actions",
            "Meeting actions due and overdue",
            "meetings.sweeps.action_reminders",
            "notifications.tasks.sweep",
            kinds=(Kind.ACTION_DUE,),
            found_until_resolved=(Kind.ACTION_DUE,),
        ),
    ]
}


def sweep_run(*, name: str, on: datetime.date | None = None, kick: bool = True) -> SweepRun:
    """Run one sweep for a day (today by default) and record the run: started, then succeeded or
    failed, whatever stopped it (a time limit, a terminated task); a run whose worker was killed
    stays started and is reported abandoned once it has given no sign of life for a while. The
    outbox is asked to send what it stored owed at once (unless kick is False)."""
    sweep = SWEEPS[name]
    started = timezone.now()
    day = on or timezone.localdate()
    run = SweepRun.objects.create(sweep=name, day=day, started_at=started, alive_at=started)
    try:
        reminders = list(sweep.find(day))
        run.found, run.alive_at = len(reminders), timezone.now()
        run.save(update_fields=["found", "alive_at"])
        run.stored = len(reminders_send(reminders, day, run_id=run.pk, kick=kick))
        if day == timezone.localdate():
            run.no_longer_due = reminders_no_longer_due(sweep, {reminder.key for reminder in reminders}, day)
        run.status = SweepRun.Status.SUCCEEDED
    except BaseException as error:  # a soft time limit, a terminated task (SystemExit) as well
        run.status, run.error = SweepRun.Status.FAILED, f"{type(error).__name__}: {error}"[:2000]
        raise
    finally:
        run.finished_at = run.alive_at = timezone.now()
        run.save(update_fields=["found", "stored", "no_longer_due", "status", "error", "finished_at", "alive_at"])
    return run


def reminders_no_longer_due(sweep: Sweep, found: set[tuple[int, str, str, datetime.date]], on: datetime.date) -> int:
    """Mark no longer due the stored reminders of the sweep's kinds it did not find on the day: due
    after it (moved, cancelled or done before its date: a licence end moved on a month, a meeting
    cancelled), or of a kind it finds until resolved (a review done, an action closed). Their emails
    are no longer owed. Two queries, and one a thousand marked."""
    live = Notification.objects.filter(kind__in=sweep.kinds, no_longer_due_at=None).filter(
        Q(due_on__gt=on) | Q(kind__in=sweep.found_until_resolved)
    )
    stale = [
        pk
        for pk, *key in live.values_list("pk", "recipient_id", "kind", "subject", "due_on").iterator()
        if tuple(key) not in found
    ]
    now = timezone.now()
    for start in range(0, len(stale), 1000):
        Notification.objects.filter(pk__in=stale[start : start + 1000]).update(
            no_longer_due_at=now, email_owed_since=None
        )
    return len(stale)


def run_abandoned(run: SweepRun, now: datetime.datetime | None = None) -> bool:
    """Started, and no sign of life for IOM_SWEEP_ABANDONED_AFTER seconds (longer than any sweep's
    hard time limit): its worker was killed."""
    if run.status != SweepRun.Status.STARTED:
        return False
    last = run.alive_at or run.started_at
    return (now or timezone.now()) - last > datetime.timedelta(seconds=settings.IOM_SWEEP_ABANDONED_AFTER)


@dataclass(frozen=True)
class RunEmails:
    emailed: int  # of what the run stored, emailed so far (at once by the outbox, or in a digest)
    waiting: int  # owed an email at once, not sent yet


@dataclass(frozen=True)
class SweepStatus:
    sweep: Sweep
    last: SweepRun | None
    last_success_at: datetime.datetime | None
    failures_24h: int
    emails: RunEmails
    installed_at: datetime.datetime | None  # the first run of any sweep

    @property
    def abandoned(self) -> bool:
        return self.last is not None and run_abandoned(self.last)

    @property
    def for_another_day(self) -> bool:
        """The last run swept for a day other than the one it ran on (sweep --on)."""
        last = self.last
        return last is not None and last.day is not None and last.day != timezone.localdate(last.started_at)

    @property
    def state(self) -> str:
        """What the operations page and /healthz say: running, succeeded, failed, abandoned, late or
        waiting (for its first run)."""
        if self.last is None:
            return "late" if self.stale else "waiting"
        if self.abandoned:
            return "abandoned"
        if self.last.status == SweepRun.Status.FAILED:
            return "failed"
        if self.stale:
            return "late"
        return "running" if self.last.status == SweepRun.Status.STARTED else "succeeded"

    @property
    def stale(self) -> bool:
        """Not run successfully for twice its interval. Never run: late only once sweeps have been
        running for twice its interval (a new installation waits for beat's first runs)."""
        interval = self.sweep.interval
        if interval is None:
            return False
        since = self.last_success_at or self.installed_at
        if since is None:
            return False
        return timezone.now() - since > 2 * interval


def sweep_statuses() -> list[SweepStatus]:
    """Each registered sweep's latest run, with what it stored and the outbox emailed, its latest
    success and recent failures: five queries."""
    latest = SweepRun.objects.filter(sweep=OuterRef("sweep")).order_by("-started_at", "-pk").values("pk")[:1]
    last_runs = {run.sweep: run for run in SweepRun.objects.filter(pk=Subquery(latest))}
    successes = dict(
        SweepRun.objects.filter(status=SweepRun.Status.SUCCEEDED)
        .values("sweep")
        .annotate(last=Max("finished_at"))
        .values_list("sweep", "last")
    )
    since = timezone.now() - datetime.timedelta(hours=24)
    failures: dict[str, int] = {}
    failed = SweepRun.objects.filter(status=SweepRun.Status.FAILED, started_at__gte=since)
    for sweep_name in failed.values_list("sweep", flat=True):
        failures[sweep_name] = failures.get(sweep_name, 0) + 1
    emails = {
        row["run_id"]: RunEmails(emailed=row["emailed"], waiting=row["waiting"])
        for row in Notification.objects.filter(run_id__in=[run.pk for run in last_runs.values()])
        .values("run_id")
        .annotate(
            emailed=Count("pk", filter=Q(emailed_at__isnull=False)),
            waiting=Count("pk", filter=Q(email_owed_since__isnull=False, emailed_at__isnull=True)),
        )
    }
    installed_at = SweepRun.objects.aggregate(first=Min("started_at"))["first"]
    return [
        SweepStatus(
            sweep=sweep,
            last=last_runs.get(name),
            last_success_at=successes.get(name),
            failures_24h=failures.get(name, 0),
            emails=emails.get(last_runs[name].pk, RunEmails(0, 0)) if name in last_runs else RunEmails(0, 0),
            installed_at=installed_at,
        )
        for name, sweep in SWEEPS.items()
    ]
