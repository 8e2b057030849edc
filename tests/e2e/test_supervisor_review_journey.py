"""A supervisor review in the browser: a police supervisor, whose officer is the IOM police lead of a
person on the cohort whose monthly review is overdue, sees "1 review overdue" on the home page, opens
the reviews due, then the person's management report summary, records the review (after a mistake
the page explains), and the home page no longer says a review is overdue. axe checks every page.

The review is overdue because the person joined the cohort two months ago and was never reviewed:
the first review is due one interval of their RAG rating (Amber: monthly) after joining."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cohorts.reviews.models import SupervisorReview
from tests.cohorts.factories import make_item
from tests.e2e.journeys import case_on_cohort, fill_date, police_team
from tests.partnership import build_partnership

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_sees_an_overdue_review_and_records_it(open_as, axe):
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
        rationale="Engagement mixed since release.",
        lead_professional=partnership.probation_officer,
    )
    make_item(nominal, partnership.officer, "offending-risk", "Arrested for shoplifting, released without charge")

    # 1. The home page says a review is overdue in the supervisor's team.
    page = open_as(supervisor)
    notice = page.get_by_test_id("reviews-overdue")
    assert notice.is_visible()
    assert "1 review overdue" in notice.inner_text()
    axe(page)

    # 2. The reviews due: the person, in the team, overdue.
    notice.get_by_role("link", name="1 review overdue").click()
    page.wait_for_url("**/reviews/?overdue=on&team=on")
    row = page.get_by_test_id("review-due-row")
    assert row.count() == 1
    assert "WALSH, Kieran" in row.inner_text()
    assert "Overdue" in row.inner_text()
    assert "My team" in row.inner_text()
    axe(page)

    # 3. The management report summary the supervisor reviews.
    row.get_by_role("link", name="WALSH, Kieran").click()
    page.wait_for_url(f"**/people/{nominal.pk}/reviews/new/")
    report = page.get_by_test_id("management-report")
    assert "Amber" in report.inner_text()
    assert "Every month" in report.inner_text()
    assert "Overdue" in report.inner_text()
    assert "Sam Carter, Northmoor Police" in report.inner_text()
    assert "Probation Northmoor" in report.inner_text()
    assert "Arrested for shoplifting" in page.get_by_test_id("recent-items").inner_text()
    assert "No review yet" in page.get_by_test_id("last-review").inner_text()
    axe(page)

    # 4. A mistake first: the page says what is wrong and keeps what was typed.
    page.get_by_label("Actions set").fill("Refer to the accommodation pathway; weekly contact.")
    page.get_by_role("button", name="Record the review").click()
    assert "There is a problem" in page.content()
    assert page.get_by_label("Actions set").input_value().startswith("Refer to the accommodation pathway")
    assert not SupervisorReview.objects.exists()
    axe(page)

    # 5. The review.
    next_review = today + datetime.timedelta(days=21)
    page.get_by_role("group", name="Are the interventions commensurate with the risk?").get_by_label("No").check()
    fill_date(page.get_by_role("group", name="Next review date"), next_review)
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_url(f"**/people/{nominal.pk}/reviews/")
    assert f"The next review is due by {next_review:%-d %B %Y}" in page.content()
    review = page.get_by_test_id("review")
    assert "interventions not commensurate with the risk" in review.inner_text()
    assert "Refer to the accommodation pathway" in review.inner_text()
    assert "Overdue" not in page.get_by_test_id("review-due").inner_text()
    axe(page)

    # 6. Home: nothing overdue any more.
    page.goto("/")
    assert page.get_by_test_id("reviews-overdue").count() == 0
    axe(page)
    saved = SupervisorReview.objects.select_related("item").get()
    assert (saved.commensurate, saved.next_review_on, saved.item.recorded_by_id) == (False, next_review, supervisor.pk)
