"""Calendar arithmetic shared by the cohort (review cadences) and referrals (the Y2A milestones)."""

from __future__ import annotations

import calendar
import datetime
import functools

import holidays


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day where that day does not exist
    (31 August + 6 months is 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@functools.cache
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    # England and Wales: the partnerships this system serves (the holidays package keeps the
    # list, substitute days included, so nobody maintains a table of dates here).
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_before(day: datetime.date, count: int) -> datetime.date:
    """The working day `count` working days before `day` (2 before a Monday meeting is the Thursday;
    before the Tuesday after Easter Monday it is the Wednesday before Good Friday)."""
    while count > 0:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
