"""The selection panels a referral may be listed for. Meetings are the meetings app's, which stands
above referrals (docs/architecture.md): it registers where the panels come from when it starts
(MeetingsConfig.ready, panel_source_register), and referrals ask through here. A referral is listed
for a scheduled panel, never a free date: a date with no panel put the referral on no agenda."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from sharing.models import User


@dataclass(frozen=True)
class PanelOffer:
    """A scheduled selection panel the user may see: its date is what the referral is listed for."""

    date: datetime.date
    label: str  # e.g. "Monday 14 December 2026, 10:00: Selection panel"


@dataclass(frozen=True)
class PanelSource:
    """Where panels come from: the scheduled panels the user may see from a day on (at most `limit`),
    the address where the user may schedule one (None if they may not), and what follows a listing
    (the panel's agenda, if built, takes the referral at once)."""

    upcoming: Callable[[User, datetime.date, int], list[PanelOffer]]
    schedule_url: Callable[[User], str | None]
    listed: Callable[[User, datetime.date], None]


_sources: list[PanelSource] = []


def panel_source_register(source: PanelSource) -> None:
    """Where panels come from (once, however often ready() runs: the latest replaces the earlier)."""
    _sources[:] = [source]


def _registered() -> PanelSource:
    if not _sources:
        raise RuntimeError("No source of selection panels is registered (the meetings app registers one)")
    return _sources[0]


def panels_offered(user: User, on: datetime.date, limit: int = 8) -> list[PanelOffer]:
    """The next scheduled selection panels the user may see, from `on`, the earliest first."""
    return _registered().upcoming(user, on, limit)


def panel_scheduling_url(user: User) -> str | None:
    return _registered().schedule_url(user)


def panel_listed(user: User, day: datetime.date) -> None:
    """A referral was listed for the panel on the day: its agenda follows."""
    _registered().listed(user, day)


def panel_on(user: User, day: datetime.date) -> PanelOffer | None:
    """The scheduled selection panel on the day the user may see, if there is one."""
    return next((offer for offer in _registered().upcoming(user, day, 1) if offer.date == day), None)
