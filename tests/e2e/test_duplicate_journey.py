"""A person recorded twice, found without disclosure and merged, in the browser.

The police hold Ryan Holloway, who is not on the cohort, so no other agency sees him. Compass
Recovery's worker, who starts working with him, records him again: she is told only that he may be
recorded by another agency and that the IOM team will check. A probation supervisor of the IOM team
finds the check from her home page, compares the two records, and merges them. The worker's record
now leads to the police's, which she sees through her agency's involvement, her own note on it.
axe checks every page."""

from __future__ import annotations

import datetime

import pytest

from cohorts.duplicates.models import PossibleDuplicate
from cohorts.records.models import Nominal
from sharing.roles import Role
from tests.cohorts.factories import make_item, make_nominal
from tests.e2e.journeys import fill_date
from tests.partnership import build_partnership
from tests.sharing.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BORN = datetime.date(1993, 7, 21)


def test_a_partner_records_someone_held_elsewhere_and_the_iom_team_merges_the_two(open_as, axe):
    partnership = build_partnership()
    held = make_nominal(partnership.officer, first_name="Ryan", last_name="Holloway", date_of_birth=BORN, crn="H123456")
    supervisor = UserFactory.create(
        agency=partnership.probation, roles=[Role.SUPERVISOR], first_name="Helen", last_name="Morris"
    )

    # 1. The drug service's worker records Ryan Holloway: told neutrally, nothing of the police's record.
    worker = open_as(partnership.drugs_worker)
    worker.goto("/people/new/")
    worker.get_by_label("First name").fill("Ryan")
    worker.get_by_label("Last name").fill("Holloway")
    fill_date(worker.locator("fieldset", has_text="Date of birth"), BORN)
    worker.get_by_role("button", name="Record the person").click()
    worker.wait_for_url("**/people/*/")
    banner = worker.locator(".govuk-notification-banner").all_inner_texts()
    assert any("may also be recorded by another agency" in text for text in banner)
    assert "H123456" not in worker.content()
    axe(worker)
    made = Nominal.objects.get(last_name="Holloway", owning_agency=partnership.drugs)
    make_item(made, partnership.drugs_worker, "substance-misuse", "Started treatment at the Compass hub")
    assert PossibleDuplicate.objects.filter(existing=held, recorded=made).exists()

    # 2. The IOM team: the check, from the home page.
    team = open_as(supervisor)
    assert "1 possible duplicate to check" in team.get_by_test_id("duplicates-notice").inner_text()
    team.get_by_role("link", name="1 possible duplicate to check").click()
    team.wait_for_url("**/people/duplicates/")
    axe(team)
    team.get_by_role("link", name="Check").first.click()
    records = team.get_by_test_id("record")
    assert records.count() == 2
    assert "H123456" in records.nth(0).inner_text()
    assert "Compass Recovery" in records.nth(1).inner_text()
    axe(team)

    # 3. The merge.
    team.get_by_role("button", name="Merge the two records").click()
    team.wait_for_url(f"**/people/{held.pk}/")
    assert "The two records are one" in team.content()

    # 4. The worker's record leads to the one kept, which her agency now sees, her note on it.
    worker.goto(f"/people/{made.pk}/")
    worker.wait_for_url(f"**/people/{held.pk}/")
    assert worker.get_by_role("heading", level=1).inner_text() == "Ryan Holloway"
    assert "H123456" in worker.content()
    assert "Started treatment at the Compass hub" in worker.content()
    axe(worker)
