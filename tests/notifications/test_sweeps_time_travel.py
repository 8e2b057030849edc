"""Each sweep run by beat's task on a real Celery worker over Redis, once a day for a month across its
deadline, the clock moved day by day across each deadline's edges. The worker
reads "today" from the clock as in production; every day it stores exactly what is due that day and
nothing told before, so across the month each reminder is stored once. Each finder's own edges (the
day before, the day, after; 29 February; a weekend licence end) are tested beside it, day by day."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from notifications.models import Notification, SweepRun
from notifications.sweeps import SWEEPS
from notifications.tasks import sweep
from tests.iom.test_celery import wait_for
from tests.notifications.test_sweep_queries import DUE
from tests.partnership import build_partnership

DAY = datetime.timedelta(days=1)
DAYS_AROUND = 16  # every window is 14 days or shorter before its deadline


def _keys() -> set[tuple[int, str, str, datetime.date]]:
    return set(Notification.objects.values_list("recipient_id", "kind", "subject", "due_on"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", list(SWEEPS))
def test_a_sweep_run_daily_by_the_worker_across_its_deadline_tells_each_reminder_once(name, celery_worker):
    partnership = build_partnership()
    today = timezone.localdate()
    DUE[name](partnership, today, 0)  # something due today, whose window opens up to 14 days before
    finder = SWEEPS[name]

    told: set[tuple[int, str, str, datetime.date]] = set()
    days_with_something = 0
    for offset in range(-DAYS_AROUND, DAYS_AROUND + 1):
        day = today + offset * DAY
        due = {reminder.key for reminder in finder.find(day)}  # what is due that day, read here
        noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        runs = SweepRun.objects.count()
        with time_machine.travel(noon, tick=True):
            sweep.delay(name=name)
            assert wait_for(lambda runs=runs: SweepRun.objects.filter(finished_at__isnull=False).count() == runs + 1)
        run = SweepRun.objects.latest("pk")
        assert not run.failed, run.error
        assert run.started_at.date() == day  # the worker swept "today" as the clock said
        assert _keys() == told | due, day  # what was due that day is stored, nothing else
        assert run.stored == len(due - told), day  # and only what was not told before
        told |= due
        days_with_something += bool(due)

    assert days_with_something > 0
    assert Notification.objects.count() == len(told)
