"""A reminder in the browser: a police supervisor whose officer is the IOM police lead of two
people on the cohort with overdue reviews. The reviews sweep runs; the supervisor signs in and sees
"2" unread in the header, opens the inbox, opens one notification and lands on that person's review
form, the count now 1; records the review there and it is saved. axe checks every page.

The reviews are overdue because both joined the cohort three weeks ago rated Red (reviewed every two
weeks) and were never reviewed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cohorts.reviews.models import SupervisorReview
from notifications.models import Notification
from notifications.sweeps import sweep_run
from tests.e2e.journeys import case_on_cohort, fill_date, police_team
from tests.partnership import build_partnership

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def unread_in_header(page: Any) -> str:
    badge = page.get_by_test_id("unread-count")
    return badge.inner_text() if badge.count() else ""


def test_a_supervisor_opens_an_overdue_review_from_the_notification_and_records_it(open_as, axe):
    partnership = build_partnership()
    supervisor, police_lead = police_team(partnership)
    today = timezone.localdate()
    three_weeks_ago = today - datetime.timedelta(weeks=3)
    people = [
        case_on_cohort(
            partnership,
            police_lead,
            first_name=first_name,
            last_name=last_name,
            rating="red",
            since=three_weeks_ago,
            lead_professional=partnership.probation_officer,
        )
        for first_name, last_name in (("Kieran", "Walsh"), ("Aoife", "Byrne"))
    ]
    walsh = people[0]

    run = sweep_run(name="reviews")

    assert run.stored > 0
    assert Notification.objects.filter(recipient=supervisor, read_at__isnull=True).count() == 2

    # 1. Home: the header shows two unread.
    page = open_as(supervisor)
    assert unread_in_header(page).startswith("2")
    axe(page)

    # 2. The inbox: both overdue reviews, unread.
    page.get_by_test_id("notifications-link").click()
    page.wait_for_url("**/notifications/")
    assert "2 unread." in page.get_by_test_id("unread-summary").inner_text()
    rows = page.get_by_test_id("notification")
    assert rows.count() == 2
    walsh_row = rows.filter(has_text="WALSH, Kieran")
    assert "Supervisor review overdue" in walsh_row.inner_text()
    assert "Unread" in walsh_row.inner_text()
    axe(page)

    # 3. Opening it lands on Kieran Walsh's review form; one left unread.
    walsh_row.get_by_role("link").click()
    page.wait_for_url(f"**/people/{walsh.pk}/reviews/new/")
    assert page.get_by_role("heading", level=1).inner_text() == "Review the management report"
    assert "Kieran Walsh" in page.locator(".govuk-caption-l").inner_text()
    assert unread_in_header(page).startswith("1")
    assert Notification.objects.get(recipient=supervisor, subject=f"nominal:{walsh.pk}").read_at is not None
    axe(page)

    # 4. The review, recorded from there.
    next_review = today + datetime.timedelta(days=14)
    page.get_by_label("Actions set").fill("Weekly home visits with the police lead.")
    page.get_by_role("group", name="Are the interventions commensurate with the risk?").get_by_label("Yes").check()
    fill_date(page.get_by_role("group", name="Next review date"), next_review)
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_url(f"**/people/{walsh.pk}/reviews/")
    assert f"The next review is due by {next_review:%-d %B %Y}" in page.content()
    assert "Weekly home visits" in page.get_by_test_id("review").inner_text()
    axe(page)

    saved = SupervisorReview.objects.select_related("item").get()
    assert (saved.item.nominal_id, saved.commensurate, saved.next_review_on, saved.item.recorded_by_id) == (
        walsh.pk,
        True,
        next_review,
        supervisor.pk,
    )
    # The next sweep tells nobody about Kieran Walsh's review again; Aoife Byrne's still waits.
    sweep_run(name="reviews")
    assert Notification.objects.filter(recipient=supervisor).count() == 2
    page.goto("/notifications/")
    assert "1 unread." in page.get_by_test_id("unread-summary").inner_text()
