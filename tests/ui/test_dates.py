"""One set of date rules (ui/dates.py) for the page forms, the API and the CSV import: a date is a real
day from 1900 to 2100, and a date out of range or not a date is an error on its field, never a 500
(a huge year once overflowed Python's date on every form with a date)."""

from __future__ import annotations

import datetime
import inspect

import pytest
from django.urls import reverse
from rest_framework import serializers
from rest_framework.test import APIClient

from cohorts.events.services import events_import
from cohorts.records.models import Nominal
from tests.cohorts.factories import make_nominal, valid_pnc_id
from tests.cohorts.test_event_import import csv_file, row
from ui.dates import ApiDateField, date_from_parts


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("1", "1", "99999999999"), "The date year must have 4 digits, like 1994"),
        (("1", "1", "0001"), "The date year must have 4 digits, like 1994"),
        (("1" * 5000, "1", "2020"), "The date must be a real date"),
        (("1", "1" * 5000, "2020"), "The date must be a real date"),
        (("31", "2", "2020"), "The date must be a real date"),
        (("1", "1", "1899"), "The date must be between 1900 and 2100"),
        (("1", "1", "2101"), "The date must be between 1900 and 2100"),
    ],
)
def test_a_date_typed_in_boxes_out_of_the_rules_is_a_message(parts, message):
    with pytest.raises(ValueError, match=message):
        date_from_parts(*parts)


def test_the_limits_themselves_are_dates():
    assert date_from_parts("1", "1", "1900") == datetime.date(1900, 1, 1)
    assert date_from_parts("31", "12", "2100") == datetime.date(2100, 12, 31)


SERVICE_APPS = {"cohorts", "referrals", "meetings", "sharing", "shell", "notifications"}


def _serializers_of_the_service() -> list[type[serializers.Serializer]]:
    found, seen = [], set()
    pending = [serializers.Serializer]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                pending.append(sub)
                if sub.__module__.split(".")[0] in SERVICE_APPS:
                    found.append(sub)
    return found


def test_every_date_the_api_reads_is_under_the_date_rules():
    serializer_classes = _serializers_of_the_service()
    assert len(serializer_classes) > 50
    unruled = []
    for cls in serializer_classes:
        if inspect.isabstract(cls):
            continue
        for name, field in cls().fields.items():
            if isinstance(field, serializers.DateField) and not field.read_only and not isinstance(field, ApiDateField):
                unruled.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert unruled == []


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.mark.parametrize("day", ["0001-01-01", "2101-01-01", "99999-01-01"])
def test_the_api_refuses_a_date_out_of_range_on_its_field(api, partnership, day):
    api.force_login(partnership.officer)
    person = make_nominal(partnership.officer)

    response = api.post(
        reverse("api-item-create", args=[person.pk]),
        {"kind": "contact", "category": "accommodation", "summary": "Visit", "occurred_on": day},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["occurred_on"]


def test_a_page_form_with_a_huge_year_is_an_error_keeping_what_was_typed(client, partnership):
    client.force_login(partnership.officer)
    person = make_nominal(partnership.officer)

    response = client.post(
        reverse("item-new", args=[person.pk]),
        {
            "kind": "contact",
            "category": "accommodation",
            "summary": "KEPT-SUMMARY",
            "occurred_on_0": "1",
            "occurred_on_1": "1",
            "occurred_on_2": "99999999999",
        },
    )

    assert response.status_code == 400
    assert "The date year must have 4 digits" in response.content.decode()
    assert "KEPT-SUMMARY" in response.content.decode()


def test_the_import_refuses_a_date_out_of_range_as_the_forms_do(partnership):
    person: Nominal = make_nominal(partnership.officer, pnc_id=valid_pnc_id())

    outcome = events_import(
        by=partnership.officer,
        file=csv_file(row(person.pnc_id, "arrest", "0001-01-01"), row(person.pnc_id, "arrest", "01/01/1899")),
        file_name="old.csv",
    )

    assert [rejected.reasons for rejected in outcome.rejected] == [
        ["date: The date must be between 1900 and 2100"],
        ["date: The date must be between 1900 and 2100"],
    ]
