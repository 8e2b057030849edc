"""Demo notifications: the sweeps run as beat would run them on the day the demo is loaded,
so the demo's supervisors and lead professionals find their reviews due and overdue in their inbox,
and the system admin finds the runs on the sweeps page. One licence end is then moved on a month,
as probation would after a recall, and the transitions sweep run again: its leads find the old
reminder "No longer due" and the new date's own. Once a day: loading again the same day changes
nothing (and a sweep stores each reminder once whatever happens)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cohorts.records.models import Nominal
from notifications.models import Notification, SweepRun
from notifications.sweeps import SWEEPS, sweep_run


def load_demo_notifications() -> None:
    today = timezone.localdate()
    succeeded = SweepRun.objects.filter(started_at__date=today, status=SweepRun.Status.SUCCEEDED)
    ran_today = set(succeeded.values_list("sweep", flat=True))
    for name in SWEEPS:
        if name not in ran_today:
            sweep_run(name=name, on=today)
    if "transitions" not in ran_today:
        _licence_end_moved(today)


def _licence_end_moved(today: datetime.date) -> None:
    """The person whose licence ends soonest with no plan: their licence end moved on a month."""
    told = (
        Notification.objects.filter(kind=Notification.Kind.TRANSITION_NO_PLAN, due_on__gte=today)
        .order_by("due_on", "subject")
        .values_list("subject", flat=True)
        .first()
    )
    if told is None:
        return
    nominal = Nominal.objects.get(pk=int(told.rpartition(":")[2]))
    if nominal.licence_ends_on is None:
        return
    Nominal.objects.filter(pk=nominal.pk).update(licence_ends_on=nominal.licence_ends_on + datetime.timedelta(days=30))
    sweep_run(name="transitions", on=today)
