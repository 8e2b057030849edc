"""Health checks: the database and the Celery broker, each answered within a couple of seconds."""

from __future__ import annotations

import datetime
import logging

from celery import current_app as celery_app
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications.outbox import Backlog, outbox_backlog

logger = logging.getLogger(__name__)


def database_is_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("Health check: the database is not answering", exc_info=True)
        return False


def broker_is_up() -> bool:
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
            return True
    except Exception:
        logger.warning("Health check: the Celery broker is not answering", exc_info=True)
        return False


HEARTBEAT_INTERVAL = datetime.timedelta(seconds=60)  # beat's and the workers' (iom/celery.py)


def heartbeat_state(name: str) -> str:
    """ "ok" while the named heartbeat ("beat": the scheduler itself; "workers": any worker) came
    within twice its interval; "late" after; "not seen" before its first (a new installation, or
    the process never started)."""
    from notifications.models import Heartbeat

    seen = Heartbeat.objects.filter(name=name).values_list("seen_at", flat=True).first()
    if seen is None:
        return "not seen"
    return "ok" if timezone.now() - seen <= 2 * HEARTBEAT_INTERVAL else "late"


def sweeps_state() -> str:
    """ "ok", or each sweep that is not, with how: "late: reviews; failed: meetings; abandoned: y2a"."""
    from notifications.sweeps import sweep_statuses

    troubles: dict[str, list[str]] = {}
    for status in sweep_statuses():
        if status.state in ("late", "failed", "abandoned"):
            troubles.setdefault(status.state, []).append(status.sweep.name)
    return "; ".join(f"{state}: {', '.join(names)}" for state, names in troubles.items()) or "ok"


def outbox_state(backlog: Backlog) -> str:
    """ "ok", or how many emails are owed and for how long, once the oldest is older than
    IOM_OUTBOX_LATE_AFTER: "late: 426 owed, the oldest for 52 minutes"."""
    age = backlog.age
    if age is None or age.total_seconds() <= settings.IOM_OUTBOX_LATE_AFTER:
        return "ok"
    return f"late: {backlog.owed} owed, the oldest for {round(age.total_seconds() / 60)} minutes"


def health_report() -> dict[str, str]:
    """The database and broker (the web tier cannot serve without them), then beat, the workers,
    the sweeps and the outbox (reminders are late without them; the web tier still serves)."""
    report = {
        "database": "ok" if database_is_up() else "down",
        "broker": "ok" if broker_is_up() else "down",
    }
    if report["database"] == "ok":
        report["beat"] = heartbeat_state("beat")
        report["workers"] = heartbeat_state("workers")
        report["sweeps"] = sweeps_state()
        report["outbox"] = outbox_state(outbox_backlog())
    return report
