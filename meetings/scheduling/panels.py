"""The scheduled selection panels a referral may be listed for, given to referrals
(referrals/panel_dates.py) from MeetingsConfig.ready."""

from __future__ import annotations

import datetime

from django.urls import reverse

from meetings.access import may_chair_meetings, meetings_visible_to
from meetings.agenda.services import agenda_refresh
from meetings.scheduling.models import Meeting, MeetingKind
from referrals.panel_dates import PanelOffer, PanelSource
from sharing.models import User


def upcoming_panels(user: User, on: datetime.date, limit: int) -> list[PanelOffer]:
    """The scheduled selection panels the user may see from `on`, one a day (the earliest first)."""
    panels = (
        meetings_visible_to(user)
        .filter(
            kind=MeetingKind.SELECTION_PANEL,
            status__in=[Meeting.Status.SCHEDULED, Meeting.Status.IN_PROGRESS],
            date__gte=on,
        )
        .order_by("date", "starts_at", "pk")
        .values_list("date", "starts_at", "title")
    )
    offers: dict[datetime.date, PanelOffer] = {}
    for day, starts_at, title in panels[: limit * 3]:
        if day not in offers:
            offers[day] = PanelOffer(day, f"{day:%A %-d %B %Y}, {starts_at:%H:%M}: {title}")
    return list(offers.values())[:limit]


def scheduling_url(user: User) -> str | None:
    """Where a panel chair schedules a selection panel; None for anyone else."""
    if not may_chair_meetings(user):
        return None
    return f"{reverse('meeting-new')}?kind={MeetingKind.SELECTION_PANEL}"


def referral_listed(user: User, day: datetime.date) -> None:
    """A referral listed for the panels on the day the user may see joins their built agendas now, not
    at the next scheduled refresh (agenda_refresh takes every referral listed up to the meeting)."""
    panels = meetings_visible_to(user).filter(
        kind=MeetingKind.SELECTION_PANEL,
        status__in=[Meeting.Status.SCHEDULED, Meeting.Status.IN_PROGRESS],
        date=day,
    )
    for panel in panels:
        agenda_refresh(meeting=panel)


SELECTION_PANELS = PanelSource(upcoming=upcoming_panels, schedule_url=scheduling_url, listed=referral_listed)
