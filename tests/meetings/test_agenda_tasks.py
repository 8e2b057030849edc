"""The scheduled refresh of agendas (meetings/tasks.py), through a real worker and broker."""

from __future__ import annotations

import datetime

import pytest
from celery.schedules import crontab
from django.utils import timezone

from meetings.scheduling.models import Meeting, MeetingKind
from meetings.tasks import agendas_refresh
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.iom.test_celery import wait_for
from tests.meetings.factories import MeetingFactory
from tests.partnership import build_partnership
from tests.referrals.factories import listed_referral
from tests.sharing.factories import UserFactory

DAY = datetime.timedelta(days=1)


@pytest.mark.django_db(transaction=True)
def test_the_worker_refreshes_the_agendas_of_the_next_two_weeks_meetings(celery_worker):
    p = build_partnership()
    chair = UserFactory.create(agency=p.police, roles=[Role.PANEL_CHAIR])
    referral = listed_referral(make_nominal(p.officer), p.officer, p.officer)  # listed for today + 7 days
    soon = MeetingFactory.create(chair=chair, kind=MeetingKind.SELECTION_PANEL, date=timezone.localdate() + 8 * DAY)
    later = MeetingFactory.create(chair=chair, kind=MeetingKind.SELECTION_PANEL, date=timezone.localdate() + 20 * DAY)
    cancelled = MeetingFactory.create(
        chair=chair,
        kind=MeetingKind.SELECTION_PANEL,
        date=timezone.localdate() + 9 * DAY,
        status=Meeting.Status.CANCELLED,
    )

    marker = MeetingFactory.create(chair=chair, kind=MeetingKind.MAP, date=timezone.localdate() + 60 * DAY)

    agendas_refresh.delay()
    agendas_refresh.delay(meeting_ids=[marker.pk])  # the worker runs one task at a time: done after the first

    assert wait_for(lambda: Meeting.objects.get(pk=marker.pk).agenda_built_at is not None)
    assert soon.items.filter(referral=referral).exists()
    assert Meeting.objects.get(pk=soon.pk).agenda_built_at is not None
    assert Meeting.objects.get(pk=later.pk).agenda_built_at is None
    assert not later.items.exists()
    assert not cancelled.items.exists()


@pytest.mark.django_db(transaction=True)
def test_the_task_given_meetings_skips_those_gone_or_closed_and_is_safe_to_run_twice(celery_worker):
    p = build_partnership()
    chair = UserFactory.create(agency=p.police, roles=[Role.PANEL_CHAIR])
    listed_referral(make_nominal(p.officer), p.officer, p.officer)
    open_meeting = MeetingFactory.create(
        chair=chair, kind=MeetingKind.SELECTION_PANEL, date=timezone.localdate() + 40 * DAY
    )
    held = MeetingFactory.create(
        chair=chair, kind=MeetingKind.SELECTION_PANEL, date=timezone.localdate() + 41 * DAY, status=Meeting.Status.HELD
    )

    agendas_refresh.delay(meeting_ids=[10**9, held.pk, open_meeting.pk])
    agendas_refresh.delay(meeting_ids=[open_meeting.pk])

    assert wait_for(lambda: Meeting.objects.get(pk=open_meeting.pk).agenda_built_at is not None)
    assert wait_for(lambda: open_meeting.items.count() == 1)
    assert not held.items.exists()
    assert Meeting.objects.get(pk=held.pk).agenda_built_at is None


def test_the_agenda_refresh_is_scheduled_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["meeting-agendas-refresh"]
    assert entry["task"] == "meetings.tasks.agendas_refresh"
    assert isinstance(entry["schedule"], crontab)
    assert getattr(entry["schedule"], "hour") == set(range(24))  # every hour  # noqa: B009
    assert len(getattr(entry["schedule"], "minute")) == 1  # once an hour  # noqa: B009
