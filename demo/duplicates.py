"""Demo possible duplicates: people the partners tried to record who are held by a record
they cannot see, as the IOM team finds them at /people/duplicates/ (and on their home page).

- Tom Byrne (Northmoor Housing Partnership) records Connor Price, whom the police hold and who is not
  on the cohort: the same name and date of birth, so his record is made and checked. The check's
  page offers to merge the two.
- Jo Evans (Compass Recovery) twice types the PNC ID of Dean Walters, another police-only record:
  nothing is recorded, she is told only that he may be recorded already, and the check counts two
  attempts; the IOM team may share the record with Compass Recovery.

Made through the services the pages use, once: loading again changes nothing."""

from __future__ import annotations

import datetime

import pghistory
from django.core.exceptions import ValidationError

from cohorts.duplicates.services import held_elsewhere_reported
from cohorts.records.models import Nominal
from cohorts.records.services import item_record, nominal_create
from demo.records import _date_ago, _pnc
from sharing.models import Agency, DataCategory, User

CONNOR_BORN = datetime.date(1996, 11, 3)
DEAN_BORN = datetime.date(1988, 5, 19)


def load_demo_duplicates(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    if Nominal.objects.filter(first_name="Connor", last_name="Price").exists():
        return
    police = users["sam.carter"]
    with pghistory.context(user=police.pk, url="demo data"):
        nominal_create(
            by=police,
            first_name="Connor",
            last_name="Price",
            date_of_birth=CONNOR_BORN,
            gender="male",
            pnc_id=_pnc(2013, "0481273"),
            custody_status=Nominal.CustodyStatus.COMMUNITY,
        )
        dean_pnc = _pnc(2005, "0377120")
        nominal_create(
            by=police, first_name="Dean", last_name="Walters", date_of_birth=DEAN_BORN, gender="male", pnc_id=dean_pnc
        )
    housing = users["tom.byrne"]
    with pghistory.context(user=housing.pk, url="demo data"):
        connor = nominal_create(
            by=housing, first_name="Connor", last_name="Price", date_of_birth=CONNOR_BORN, gender="male"
        )
        item_record(
            nominal=connor,
            by=housing,
            kind="note",
            category=DataCategory.objects.get(code="accommodation"),
            summary="Tenancy offered at Brook House; first support visit booked",
            occurred_on=_date_ago(2),
        )
    drugs = users["jo.evans"]
    for _ in range(2):
        try:
            with held_elsewhere_reported(drugs), pghistory.context(user=drugs.pk, url="demo data"):
                nominal_create(
                    by=drugs, first_name="Dean", last_name="Walter", date_of_birth=DEAN_BORN, pnc_id=dean_pnc
                )
        except ValidationError:
            pass  # told neutrally, as the form tells her
