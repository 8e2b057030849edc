"""The management report in the browser: a police supervisor, whose officer is the IOM police lead of a
person on the cohort whose monthly review is overdue, sees the overdue review on the home page, opens
the person's management report (the plan by pathway, an intervention, a missed contact, a decision
and a breach by the police and probation), its printable version, and records the review from it.
axe checks every page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cohorts.records.services import pathway_need_record
from cohorts.report.services import (
    contact_record,
    decision_record,
    enforcement_record,
    intervention_record,
    plan_action_record,
)
from cohorts.reviews.models import SupervisorReview
from tests.e2e.journeys import case_on_cohort, fill_date, police_team
from tests.partnership import build_partnership

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_opens_the_management_report_of_an_overdue_case_and_records_the_review(open_as, axe):
    partnership = build_partnership()
    supervisor, police_lead = police_team(partnership)
    today = timezone.localdate()
    two_months_ago = today - datetime.timedelta(days=60)
    nominal = case_on_cohort(
        partnership,
        police_lead,
        first_name="Kieran",
        last_name="Walsh",
        rating="amber",
        since=two_months_ago,
        rationale="Mixed",
    )
    officer, probation = partnership.officer, partnership.probation_officer
    pathway_need_record(nominal=nominal, by=officer, pathway="attitudes", level="high")
    plan_action_record(
        nominal=nominal, by=officer, pathway="attitudes", action="Thinking Skills Programme", status="engaged"
    )
    plan_action_record(nominal=nominal, by=officer, pathway="accommodation", action="Refer to housing options")
    intervention_record(
        nominal=nominal,
        by=probation,
        name="Building Better Relationships",
        provider="Probation Northmoor",
        starts_on=today - datetime.timedelta(days=20),
        status="started",
    )
    contact_record(
        nominal=nominal,
        by=probation,
        contact_type="face_to_face",
        occurred_on=today - datetime.timedelta(days=5),
        outcome="failed_to_attend",
        next_contact_on=today + datetime.timedelta(days=2),
    )
    decision_record(nominal=nominal, by=officer, decision="Weekly home visits", rationale="Missed appointments")
    enforcement_record(
        nominal=nominal, by=probation, kind="breach", occurred_on=today - datetime.timedelta(days=4), reason="Missed"
    )

    # 1. Home: a review is overdue in the supervisor's team; the reviews due list names the person.
    page = open_as(supervisor)
    notice = page.get_by_test_id("reviews-overdue")
    assert "1 review overdue" in notice.inner_text()
    axe(page)
    notice.get_by_role("link", name="1 review overdue").click()
    page.get_by_test_id("review-due-row").get_by_role("link", name="WALSH, Kieran").click()
    page.wait_for_url(f"**/people/{nominal.pk}/reviews/new/")

    # 2. The full management report, from the review page.
    page.get_by_test_id("full-report-link").click()
    page.wait_for_url(f"**/people/{nominal.pk}/report/")
    assert "Overdue" in page.get_by_test_id("report-review-due").inner_text()
    plan = page.get_by_test_id("report-plan").inner_text()
    assert "Attitudes, thinking and behaviour: high need" in plan
    assert "Thinking Skills Programme" in plan
    assert "Refer to housing options" in plan
    assert "Building Better Relationships" in page.get_by_test_id("report-interventions").inner_text()
    assert "0 contacts kept, 1 missed" in page.get_by_test_id("report-compliance").inner_text()
    assert "Missed appointments" in page.get_by_test_id("report-decisions").inner_text()
    assert "Breach" in page.get_by_test_id("report-enforcement").inner_text()
    axe(page)

    # 3. The printable version: the same report, no navigation.
    page.get_by_role("link", name="Printable version").click()
    page.wait_for_url(f"**/people/{nominal.pk}/report/print/")
    assert "Thinking Skills Programme" in page.get_by_test_id("management-report-print").inner_text()
    assert page.locator(".moj-header").count() == 0
    axe(page)
    page.get_by_role("link", name="Back to the management report").click()

    # 4. The review, from the report.
    page.get_by_test_id("record-review").click()
    page.wait_for_url(f"**/people/{nominal.pk}/reviews/new/")
    axe(page)
    next_review = today + datetime.timedelta(days=21)
    page.get_by_role("group", name="Are the interventions commensurate with the risk?").get_by_label("Yes").check()
    fill_date(page.get_by_role("group", name="Next review date"), next_review)
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_url(f"**/people/{nominal.pk}/reviews/")
    axe(page)

    # 5. The report shows the review, and the review is no longer overdue.
    page.goto(f"/people/{nominal.pk}/report/")
    assert "interventions commensurate with the risk" in page.get_by_test_id("report-last-review").inner_text()
    assert "Overdue" not in page.get_by_test_id("report-review-due").inner_text()
    axe(page)
    assert SupervisorReview.objects.get().item.recorded_by_id == supervisor.pk
