"""Dates that matter for referrals: ages, and the youth-to-adult (Y2A) milestones.

A person born on 29 February reaches each birthday on 1 March in a common year: the anniversary
"begins" the day after 28 February (Family Law Reform Act 1969, s.9, as applied in England and
Wales). Adding months to a date keeps the day where it can and otherwise falls back to the last
day of the month (31 August + 6 months is 28 or 29 February).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from cohorts.dates import add_months

__all__ = ["Y2AMilestones", "add_months", "age_on", "birthday", "y2a_milestones"]


def birthday(date_of_birth: datetime.date, age: int) -> datetime.date:
    """The day the person reaches `age` (1 March for a 29 February birth in a common year)."""
    year = date_of_birth.year + age
    if (date_of_birth.month, date_of_birth.day) == (2, 29) and not calendar.isleap(year):
        return datetime.date(year, 3, 1)
    return date_of_birth.replace(year=year)


def age_on(date_of_birth: datetime.date, on: datetime.date) -> int:
    """Age in whole years on a day."""
    age = on.year - date_of_birth.year
    return age if on >= birthday(date_of_birth, age) else age - 1


@dataclass(frozen=True)
class Y2AMilestones:
    """The youth-to-adult countdown: when transfer is considered, when IOM liaison with the youth
    offending team starts, and the 18th birthday, when IOM takes over."""

    consider_transfer: datetime.date  # 17 years 6 months
    start_liaison: datetime.date  # 17 years 9 months
    eighteenth_birthday: datetime.date

    def next_after(self, on: datetime.date) -> tuple[str, datetime.date] | None:
        for label, day in (
            ("Transfer considered (17 years 6 months)", self.consider_transfer),
            ("IOM liaison with the youth offending team starts (17 years 9 months)", self.start_liaison),
            ("18th birthday: IOM takes over", self.eighteenth_birthday),
        ):
            if day >= on:
                return label, day
        return None


def y2a_milestones(date_of_birth: datetime.date) -> Y2AMilestones:
    seventeenth = birthday(date_of_birth, 17)
    return Y2AMilestones(
        consider_transfer=add_months(seventeenth, 6),
        start_liaison=add_months(seventeenth, 9),
        eighteenth_birthday=birthday(date_of_birth, 18),
    )
