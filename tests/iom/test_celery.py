from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from notifications.models import Heartbeat
from notifications.tasks import heartbeat


def wait_for(predicate, timeout: float = 20.0) -> bool:
    """Poll the database for what a worker wrote; no fixed sleeps."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_task_sent_through_the_broker_is_run_by_a_real_worker(celery_worker):
    before = timezone.now()

    heartbeat.delay(name="test-roundtrip")

    assert wait_for(lambda: Heartbeat.objects.filter(name="test-roundtrip").exists())
    assert Heartbeat.objects.get(name="test-roundtrip").seen_at >= before


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_is_safe_to_run_twice(celery_worker):
    heartbeat.delay(name="twice")
    heartbeat.delay(name="twice")

    assert wait_for(lambda: Heartbeat.objects.filter(name="twice").exists())
    assert Heartbeat.objects.filter(name="twice").count() == 1


def test_periodic_work_is_scheduled_in_settings():
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["outbox"]["task"] == "notifications.tasks.outbox_send_task"
    assert schedule["outbox"]["schedule"] == 60.0
    assert settings.IOM_DAILY_JOBS["clear-expired-sessions"][0] == "shell.tasks.clear_expired_sessions"
    assert settings.CELERY_BEAT_SCHEDULER == "iom.celery:Scheduler"


def test_tasks_are_acknowledged_late_and_time_limited():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT > 0


@pytest.mark.django_db(transaction=True)
def test_expired_sessions_are_cleared_by_the_worker(celery_worker, signed_in, practitioner):
    from django.contrib.sessions.models import Session

    from shell.tasks import clear_expired_sessions

    signed_in(practitioner)
    Session.objects.update(expire_date=timezone.now() - timedelta(minutes=1))
    clear_expired_sessions.delay()

    assert wait_for(lambda: not Session.objects.exists())
