"""The IOM cohort in the browser: a partner in the agreement finds an accepted person on /cohort/
and reads their time on IOM on the person page; axe passes on both."""

import pytest

from cohorts.management.models import RagRating
from cohorts.records.services import rag_assess
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


def test_a_supervisor_opens_the_teams_caseload_and_filters_the_overdue_reviews(page, axe):
    import datetime

    from django.utils import timezone

    from cohorts.management.models import CaseAssignment, ManagementLevel
    from cohorts.records.services import case_assign, cohort_membership_start

    partnership = build_partnership()
    supervisor = UserFactory.create(
        agency=partnership.probation, roles=[Role.SUPERVISOR], first_name="Dana", last_name="Senior"
    )
    partnership.probation_officer.supervisor = supervisor
    partnership.probation_officer.save()
    people = {}
    for last_name, days_on in (("Overduecase", 70), ("Newcase", 3), ("Othercase", 70)):
        nominal = make_nominal(partnership.officer, first_name="Jo", last_name=last_name)
        cohort_membership_start(
            nominal=nominal,
            strand="flex",
            level=ManagementLevel.objects.get(code="standard"),
            started_on=timezone.localdate() - datetime.timedelta(days=days_on),
        )
        worker = partnership.officer if last_name == "Othercase" else partnership.probation_officer
        case_assign(nominal=nominal, role=CaseAssignment.Role.LEAD_PROFESSIONAL, worker=worker, by=partnership.officer)
        people[last_name] = nominal

    sign_in(page, supervisor)
    page.get_by_role("link", name="Team caseload").click()
    rows = page.get_by_test_id("cohort-row")
    assert rows.count() == 2
    assert "OTHERCASE" not in page.get_by_test_id("cohort").inner_text()
    axe(page)

    page.get_by_label("Supervisor review overdue").check()
    page.get_by_role("button", name="Apply filters").click()
    assert "1 person matches the filters" in page.get_by_test_id("result-count").inner_text()
    assert "OVERDUECASE, Jo" in rows.first.inner_text()
    assert "Overdue" in rows.first.inner_text()
    selected = page.get_by_test_id("selected-filters").inner_text()
    assert "My team's caseload" in selected
    assert "Supervisor review overdue" in selected
    axe(page)

    page.get_by_role("link", name="Next review").click()
    page.get_by_role("link", name="Remove this filter Yes").click()
    assert page.get_by_test_id("cohort-row").count() == 2
    axe(page)
