"""One set of rules for a date given by a person or a system: the page forms (ui.fields.GovDateField),
the API (ApiDateField, which every writable date of every serializer is) and the CSV import read a
date through date_problem, so a date one of them refuses, all of them refuse.

A date is a real day from 1 January 1900 to 31 December 2100: an IOM record has nothing before (a
date of birth included) and a year of 5 digits or 0001 is a typing slip, not a date to keep. What
a date must also be (in the past, after another) is each service's own rule."""

from __future__ import annotations

import datetime
from typing import Any

from rest_framework import serializers

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def date_problem(day: datetime.date, what: str = "date") -> str | None:
    """Why the day cannot be a date of the service, or None if it can."""
    if EARLIEST <= day <= LATEST:
        return None
    return f"The {what} must be between {EARLIEST.year} and {LATEST.year}"


def date_from_parts(day: str, month: str, year: str, what: str = "date") -> datetime.date:
    """The date of the three boxes of a GOV.UK date input (digits only), or ValueError with the
    message to show: a year not of 4 digits, a day that does not exist, or one out of range."""
    if len(year.lstrip("0")) != 4:
        raise ValueError(f"The {what} year must have 4 digits, like 1994")
    if len(day) > 2 or len(month) > 2:
        raise ValueError(f"The {what} must be a real date")
    try:
        value = datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"The {what} must be a real date") from None
    problem = date_problem(value, what)
    if problem:
        raise ValueError(problem)
    return value


class ApiDateField(serializers.DateField):
    """An API date (YYYY-MM-DD) under the service's date rules."""

    def to_internal_value(self, value: Any) -> datetime.date:
        day = super().to_internal_value(value)
        problem = date_problem(day)
        if problem:
            raise serializers.ValidationError(problem, code="out_of_range")
        return day
