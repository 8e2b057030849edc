"""Demo notifications: the sweeps run as beat would run them on the day the demo is loaded,
so the demo's supervisors and lead professionals find their reviews due and overdue in their inbox,
and the system admin finds the runs on the sweeps page. Once a day: loading again the same day
changes nothing (and a sweep stores each reminder once whatever happens)."""

from __future__ import annotations

from django.utils import timezone

from notifications.models import SweepRun
from notifications.sweeps import SWEEPS, sweep_run


def load_demo_notifications() -> None:
    today = timezone.localdate()
    succeeded = SweepRun.objects.filter(started_at__date=today, status=SweepRun.Status.SUCCEEDED)
    ran_today = set(succeeded.values_list("sweep", flat=True))
    for name in SWEEPS:
        if name not in ran_today:
            sweep_run(name=name, on=today)
