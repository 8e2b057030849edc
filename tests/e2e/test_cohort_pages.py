"""The IOM cohort in the browser: a partner in the agreement finds an accepted person on /cohort/
and reads their time on IOM on the person page; axe passes on both."""

import pytest

from cohorts.models import RagRating
from cohorts.services import rag_assess
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.e2e.test_record_journey import sign_in
from tests.partnership import build_partnership
from tests.referrals.factories import accepted_referral
from tests.sharing.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_prison_officer_finds_an_accepted_person_on_the_cohort(page, axe):
    partnership = build_partnership()
    screener = UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER])
    chair = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])
    lead = UserFactory.create(
        agency=partnership.probation, roles=[Role.PRACTITIONER], first_name="Priya", last_name="Lead"
    )
    nominal = make_nominal(partnership.officer, first_name="Jordan", last_name="Cohortwalk")
    accepted_referral(nominal, partnership.officer, screener, chair, lead=lead, police_lead=partnership.officer)
    rag_assess(nominal=nominal, rating=RagRating.objects.get(code="amber"), rationale="Engaging", by=lead)
    officer = UserFactory.create(agency=partnership.prison, roles=[Role.PARTNER_WORKER])

    sign_in(page, officer)
    page.get_by_role("link", name="Cohort", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "The IOM cohort"
    row = page.get_by_test_id("cohort-row")
    assert "COHORTWALK, Jordan" in row.inner_text()
    assert "Amber" in row.inner_text()
    assert "Priya Lead" in row.inner_text()
    axe(page)

    page.get_by_label("Amber").check()
    page.get_by_role("button", name="Apply filters").click()
    assert "1 person matches the filters" in page.get_by_test_id("result-count").inner_text()
    axe(page)

    page.get_by_role("link", name="COHORTWALK, Jordan").click()
    panel = page.get_by_test_id("on-iom")
    assert "Priya Lead, Probation Northmoor" in panel.inner_text()
    page.get_by_text("RAG history (2 ratings)").click()
    assert "Offending escalating since release." in page.get_by_test_id("rag-history").inner_text()
    axe(page)
