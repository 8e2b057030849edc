"""Managing the cohort in the browser: a police practitioner on the IOM team changes a person's RAG
rating with a rationale, then transfers the lead professional from a housing worker to a probation
colleague. The person page shows the new rating and lead, the RAG history both ratings, the workload
page the new caseload, and the housing provider, whose only reason to see the person was the lead,
no longer sees them. axe checks every page on the way."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cohorts.management.models import CaseAssignment, RagAssessment, RagRating
from cohorts.records.services import case_assign, cohort_membership_start, rag_assess
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.partnership import build_partnership
from tests.sharing.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_practitioner_changes_the_rag_rating_and_transfers_the_lead_professional(open_as, axe):
    partnership = build_partnership()
    practitioner = UserFactory.create(
        agency=partnership.police, roles=[Role.PRACTITIONER], first_name="Sam", last_name="Carter"
    )
    colleague = UserFactory.create(
        agency=partnership.probation, roles=[Role.PRACTITIONER], first_name="Priya", last_name="Shah"
    )
    housing_lead = partnership.housing_worker
    housing_lead.first_name, housing_lead.last_name = "Hana", "Housing"
    housing_lead.save()
    two_months_ago = timezone.localdate() - datetime.timedelta(days=60)
    nominal = make_nominal(partnership.officer, first_name="Kieran", last_name="Walsh")
    cohort_membership_start(nominal=nominal, started_on=two_months_ago)
    rag_assess(
        nominal=nominal,
        rating=RagRating.objects.get(code="amber"),
        rationale="Engagement mixed since release.",
        by=partnership.officer,
    )
    case_assign(
        nominal=nominal,
        role="lead_professional",
        worker=housing_lead,
        by=partnership.officer,
        started_on=two_months_ago,
    )
    case_assign(
        nominal=nominal, role="police_lead", worker=practitioner, by=partnership.officer, started_on=two_months_ago
    )
    housing = open_as(housing_lead)
    assert housing.goto(f"/people/{nominal.pk}/").status == 200  # they lead the case, for now

    # 1. The police practitioner changes the RAG rating: first without a reason, then with one.
    page = open_as(practitioner)
    page.goto(f"/people/{nominal.pk}/")
    axe(page)
    page.get_by_role("link", name="Change RAG rating").click()
    axe(page)
    page.get_by_role("group", name="New RAG rating").get_by_label("Red").check()
    page.get_by_role("button", name="Save the RAG rating").click()
    assert "There is a problem" in page.content()
    assert "Give the reason for the rating" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("group", name="New RAG rating").get_by_label("Red").is_checked()  # kept
    axe(page)
    page.get_by_label("Why this rating?").fill("Arrested twice this week; missed two appointments.")
    page.get_by_role("button", name="Save the RAG rating").click()
    assert "RAG rating is now Red" in page.locator(".govuk-notification-banner").inner_text()
    axe(page)
    assert RagAssessment.objects.filter(nominal=nominal).first().assessed_by == practitioner  # type: ignore[union-attr]

    # 2. They transfer the lead professional to a probation colleague, with the reason.
    page.get_by_role("link", name="Transfer the lead professional").click()
    assert "Hana Housing, Northmoor Housing" in page.get_by_test_id("current-holders").inner_text()
    axe(page)
    page.get_by_label("Lead professional").select_option(str(colleague.pk))
    page.get_by_label("Reason for the transfer").fill("Released on licence: probation supervises.")
    page.get_by_role("button", name="Transfer").click()
    assert (
        "Priya Shah (Probation Northmoor) is now the lead professional"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    axe(page)

    # 3. The person page shows the new rating and lead; the RAG history both ratings.
    panel = page.get_by_test_id("on-iom")
    assert "Red" in panel.get_by_test_id("current-rag").inner_text()
    assert "Arrested twice this week" in panel.get_by_test_id("current-rag").inner_text()
    assert "Priya Shah, Probation Northmoor" in panel.inner_text()
    assert "Hana Housing" not in panel.inner_text()
    page.get_by_text("RAG history (2 ratings)").click()
    rows = page.get_by_test_id("rag-history-row")
    assert rows.count() == 2
    assert "Red" in rows.nth(0).inner_text()
    assert "Sam Carter" in rows.nth(0).inner_text()
    assert "Amber" in rows.nth(1).inner_text()
    axe(page)
    lead = CaseAssignment.objects.get(nominal=nominal, role="lead_professional", ended_on__isnull=True)
    assert (lead.worker, lead.reason) == (colleague, "Released on licence: probation supervises.")

    # 4. The transfer page keeps the history of the role; the workload shows the new caseload.
    page.goto(f"/people/{nominal.pk}/assignments/lead_professional/")
    history = page.get_by_test_id("assignment-history").inner_text()
    assert "Priya Shah" in history
    assert "Hana Housing" in history
    assert "Released on licence: probation supervises." in history
    axe(page)
    page.goto("/cohort/workload/")
    row = page.locator(f'[data-worker="{colleague.pk}"]')
    assert "Probation Northmoor" in row.inner_text()
    axe(page)

    # 5. The housing provider had no other reason to see the person: it no longer does.
    assert housing.goto(f"/people/{nominal.pk}/").status == 404
    assert "Walsh" not in housing.content()
    # The new lead's agency sees them (it did already, by agreement), with the new rating.
    probation = open_as(colleague)
    assert probation.goto(f"/people/{nominal.pk}/").status == 200
    assert "Red" in probation.get_by_test_id("current-rag").inner_text()
    axe(probation)
