"""Daily jobs run by state: the first dispatch after a job's time sends it, once a day; a night
missed while beat, the broker or the workers were down is made up at the next dispatch; a job sent
and not finished within its time limit (its worker killed) is sent again. A real worker runs them."""

from __future__ import annotations

import datetime

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from notifications.daily import daily_jobs_dispatch
from notifications.models import DailyRun
from tests.iom.test_celery import wait_for


def at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.mark.django_db(transaction=True)
def test_each_daily_job_is_sent_once_a_day_by_the_first_dispatch_after_its_time(celery_worker):
    day = timezone.localdate()

    before = daily_jobs_dispatch(now=at(day, 1, 30))
    made_up = daily_jobs_dispatch(now=at(day, 9, 5))  # the night's dispatches were missed
    assert wait_for(lambda: DailyRun.objects.filter(day=day, done_at__isnull=False).count() == 4, 60)
    again = daily_jobs_dispatch(now=at(day, 9, 20))

    assert before == []
    assert sorted(made_up) == sorted(settings.IOM_DAILY_JOBS)
    assert again == []
    assert DailyRun.objects.filter(day=day).count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_job_sent_and_not_finished_within_its_time_limit_is_sent_again(celery_worker):
    day = timezone.localdate()
    jobs = {"reconcile-grants": settings.IOM_DAILY_JOBS["reconcile-grants"]}
    DailyRun.objects.create(name="reconcile-grants", day=day, dispatched_at=at(day, 2, 30))  # its worker killed

    with override_settings(IOM_DAILY_JOBS=jobs):
        still_running = daily_jobs_dispatch(now=at(day, 2, 34))
        sent_again = daily_jobs_dispatch(now=at(day, 2, 45))

    assert still_running == []
    assert sent_again == ["reconcile-grants"]
    assert wait_for(lambda: DailyRun.objects.get(name="reconcile-grants", day=day).done_at is not None, 60)


def test_the_daily_jobs_are_dispatched_every_quarter_hour_and_as_beat_starts():
    from iom.celery import RUN_AT_START

    entry = settings.CELERY_BEAT_SCHEDULE["daily-jobs"]

    assert entry["task"] == "notifications.tasks.daily_jobs"
    assert entry["task"] in RUN_AT_START
    assert entry["schedule"] == crontab(minute="*/15")
    assert {task for task, _ in settings.IOM_DAILY_JOBS.values()} == {
        "cohorts.tasks.reconcile_grants",
        "cohorts.tasks.verify_access_log",
        "meetings.tasks.meeting_series_extend",
        "shell.tasks.clear_expired_sessions",
    }
