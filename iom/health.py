"""Health checks: the database and the Celery broker, each answered within a couple of seconds."""

from __future__ import annotations

import logging

from django.db import connection

from iom.celery import app as celery_app

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


def health_report() -> dict[str, str]:
    return {
        "database": "ok" if database_is_up() else "down",
        "broker": "ok" if broker_is_up() else "down",
    }
