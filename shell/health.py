"""Health checks: the database and the Celery broker, each answered within a couple of seconds."""

from __future__ import annotations

import datetime
import logging

from celery import current_app as celery_app
from django.db import connection
from django.utils import timezone

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


BEAT_INTERVAL = datetime.timedelta(seconds=60)  # the heartbeat's schedule (settings.CELERY_BEAT_SCHEDULE)


def beat_state() -> str:
    """ "ok" while beat's heartbeat has run within twice its interval; "late" after; "not seen" before
    its first run (a new installation, or beat never started)."""
    from notifications.models import Heartbeat

    seen = Heartbeat.objects.filter(name="beat").values_list("seen_at", flat=True).first()
    if seen is None:
        return "not seen"
    return "ok" if timezone.now() - seen <= 2 * BEAT_INTERVAL else "late"


def late_sweeps() -> list[str]:
    """Sweeps that have not run successfully for twice their interval (notifications/sweeps.py)."""
    from notifications.sweeps import sweep_statuses

    return [status.sweep.name for status in sweep_statuses() if status.stale]


def health_report() -> dict[str, str]:
    """The database and broker (the web tier cannot serve without them), then beat and the sweeps
    (reminders are late without them; the web tier still serves)."""
    report = {
        "database": "ok" if database_is_up() else "down",
        "broker": "ok" if broker_is_up() else "down",
    }
    if report["database"] == "ok":
        late = late_sweeps()
        report["beat"] = beat_state()
        report["sweeps"] = "late: " + ", ".join(late) if late else "ok"
    return report
