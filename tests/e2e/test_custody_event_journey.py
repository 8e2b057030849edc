"""Custody and court events in the browser: a police officer records a release and is offered to
refer the person again, and imports a file, first with a bad row, then corrected. axe passes on each
page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cohorts.events.models import CustodyEvent
from cohorts.management.models import CohortMembership
from cohorts.records.models import Nominal
from sharing.roles import Role
from tests.cohorts.factories import make_nominal, valid_pnc_id
from tests.partnership import build_partnership
from tests.sharing.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = "pnc_id,event,date,offence_type,convicted,custodial,release_date,licence_end,crime_reference,court,note"


def sign_in(page, user):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def fill_date(page, prefix: str, day: datetime.date) -> None:
    page.locator(f"#id_{prefix}_0").fill(str(day.day))
    page.locator(f"#id_{prefix}_1").fill(str(day.month))
    page.locator(f"#id_{prefix}_2").fill(str(day.year))


def test_an_officer_records_a_release_and_is_offered_to_refer_again(page, axe):
    partnership = build_partnership()
    nominal = make_nominal(partnership.officer, first_name="Lee", last_name="Released")
    today = timezone.localdate()
    CohortMembership.objects.create(
        nominal=nominal, started_on=today - datetime.timedelta(days=700), ended_on=today - datetime.timedelta(days=400)
    )
    Nominal.objects.filter(pk=nominal.pk).update(custody_status=Nominal.CustodyStatus.CUSTODY)
    officer = UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER])

    sign_in(page, officer)
    page.goto(f"/people/{nominal.pk}/")
    page.get_by_role("link", name="Record an event").click()
    axe(page)
    page.get_by_label("Release from custody", exact=True).check()
    page.get_by_role("button", name="Record the event").click()
    assert "Enter the release date" in page.locator(".govuk-error-summary").inner_text()
    assert "Enter the date of the event" in page.locator(".govuk-error-summary").inner_text()
    axe(page)

    fill_date(page, "release_on", today)
    fill_date(page, "licence_ends_on", today + datetime.timedelta(days=180))
    fill_date(page, "occurred_on", today)
    page.get_by_role("button", name="Record the event").click()

    assert "Released from custody; licence ends" in page.locator(".govuk-notification-banner--success").inner_text()
    assert "In the community" in page.get_by_test_id("custody-status").inner_text()
    offer = page.get_by_test_id("refer-again")
    assert offer.get_by_role("link", name="Previously on IOM: refer again").get_attribute("href") == (
        f"/referrals/new/?nominal={nominal.pk}"
    )
    axe(page)


def test_an_officer_imports_a_file_corrects_a_bad_row_and_imports_it_whole(page, axe, tmp_path):
    partnership = build_partnership()
    people = [make_nominal(partnership.officer, pnc_id=valid_pnc_id()) for _ in range(2)]
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    good = [
        f"{people[0].pnc_id},arrest,{yesterday},burglary,,,,,NM/1/26,,",
        f"{people[1].pnc_id},recall,{yesterday},,,,,,,,",
    ]
    bad_file = tmp_path / "custody.csv"
    bad_file.write_text("\n".join([HEADER, *good, f"{people[1].pnc_id},sentence,{yesterday},,,,,,,,"]) + "\n")
    good_file = tmp_path / "custody-corrected.csv"
    good_file.write_text("\n".join([HEADER, *good]) + "\n")

    sign_in(page, partnership.officer)
    page.get_by_role("link", name="Import custody and court events").click()
    axe(page)
    page.get_by_label("Upload a CSV file").set_input_files(str(bad_file))
    page.get_by_role("button", name="Check and import").click()

    rejected = page.get_by_test_id("rejected-rows")
    assert "custodial: Choose whether the sentence is custodial" in rejected.inner_text()
    assert rejected.locator("tbody tr td").first.inner_text() == "4"
    assert not CustodyEvent.objects.exists()
    axe(page)

    page.get_by_label("Upload a CSV file").set_input_files(str(good_file))
    page.get_by_role("button", name="Check and import").click()

    assert page.get_by_role("heading", level=1).inner_text() == "2 events imported"
    assert CustodyEvent.objects.count() == 2
    axe(page)
