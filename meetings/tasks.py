"""Celery tasks of the meetings: each selects its work from the database state, safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from notifications.daily import daily_job

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
@daily_job
def meeting_series_extend() -> None:
    """Daily: keep every active meeting series generated six months ahead (meetings/scheduling/services.py)."""
    from meetings.scheduling.services import series_extend_all

    created = series_extend_all()
    logger.info("Meeting series extended: %s meetings created", created)


@shared_task(ignore_result=True)
def agendas_refresh(meeting_ids: list[int] | None = None) -> None:
    """Hourly: refresh from the data the agendas of the meetings scheduled in the next two weeks (or
    of the meetings given). A meeting gone, or no longer scheduled or in progress, is skipped."""
    from meetings.agenda.services import agenda_refresh, meetings_to_refresh
    from meetings.scheduling.models import Meeting
    from sharing.errors import StateError

    meetings = (
        Meeting.objects.filter(pk__in=meeting_ids).order_by("date", "pk")
        if meeting_ids is not None
        else meetings_to_refresh()
    )
    refreshed = 0
    for meeting in meetings:
        try:
            agenda_refresh(meeting=meeting)
        except StateError:
            continue
        refreshed += 1
    logger.info("Agendas refreshed from the data: %s meetings", refreshed)
