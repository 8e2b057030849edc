"""Nominals and their records are made through the services, as the application makes them, so
that the materialised grants are right; these helpers only supply realistic values."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from cohorts.records.identifiers import pnc_check_letter
from cohorts.records.models import Nominal, RecordedItem
from cohorts.records.services import item_record, nominal_create
from sharing.models import DataCategory, User

_serial = itertools.count(1000)


def valid_pnc_id(year: int = 2015) -> str:
    serial = f"{next(_serial):07d}"
    return f"{year}/{serial}{pnc_check_letter(str(year), serial)}"


def make_nominal(by: User, **fields: Any) -> Nominal:
    defaults: dict[str, Any] = {
        "first_name": "Jordan",
        "last_name": f"Person{next(_serial)}",
        "date_of_birth": datetime.date(1995, 3, 14),
    }
    defaults.update(fields)
    return nominal_create(by=by, **defaults)


def make_item(nominal: Nominal, by: User, category_code: str, summary: str = "", **fields: Any) -> RecordedItem:
    category = DataCategory.objects.get(code=category_code)
    return item_record(
        nominal=nominal,
        by=by,
        category=category,
        kind=fields.pop("kind", RecordedItem.Kind.NOTE),
        summary=summary or f"{category.name} note by {by.agency.name}",
        **fields,
    )
