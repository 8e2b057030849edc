"""Deregistration in the browser: the probation officer leading a case proposes that the person leave
IOM (after a mistake the page explains), a panel chair finds the proposal among those waiting and
ratifies it with yesterday as the last day, and the person page then shows why they left, with the
timeline telling the story. A prison officer, who saw the person only through the agreement covering
the cohort, no longer finds them. axe checks every page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cohorts.deregistration.models import Deregistration
from tests.cohorts.factories import make_nominal
from tests.cohorts.test_deregistration import accepted_onto_iom, chair_of
from tests.e2e.journeys import fill_date
from tests.partnership import build_partnership
from tests.referrals.factories import LISTING_PANEL_TITLE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_lead_proposes_a_chair_ratifies_and_the_person_leaves_iom(open_as, axe):
    partnership = build_partnership()
    chair = chair_of(partnership)
    nominal = accepted_onto_iom(
        partnership, chair, make_nominal(partnership.officer, first_name="Dean", last_name="Fletcher")
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    # 1. The lead professional proposes from the person page, forgetting the explanation first.
    page = open_as(partnership.probation_officer)
    page.goto(f"/people/{nominal.pk}/")
    page.get_by_role("link", name="Propose deregistration").click()
    page.wait_for_url(f"**/people/{nominal.pk}/deregistration/new/")
    axe(page)
    page.get_by_label("Long custodial sentence").check()
    page.get_by_role("button", name="Propose deregistration").click()
    assert "There is a problem" in page.content()
    assert "Explain why the person should leave IOM" in page.content()
    assert page.get_by_label("Long custodial sentence").is_checked()
    axe(page)
    page.get_by_label("Explain the proposal").fill("Sentenced to 9 years at Northmoor Crown Court.")
    page.get_by_role("button", name="Propose deregistration").click()
    proposal = Deregistration.objects.get()
    page.wait_for_url(f"**/deregistrations/{proposal.pk}/")
    assert "Proposed, waiting for a panel chair" in page.get_by_test_id("deregistration-status").inner_text()
    axe(page)

    # 2. The panel chair finds it among the proposals waiting and ratifies it.
    page = open_as(chair)
    page.goto("/deregistrations/")
    row = page.get_by_test_id("deregistration-row")
    assert "FLETCHER, Dean" in row.inner_text()
    assert "Long custodial sentence" in row.inner_text()
    axe(page)
    row.get_by_role("link", name="FLETCHER, Dean").click()
    page.wait_for_url(f"**/deregistrations/{proposal.pk}/")
    axe(page)
    page.get_by_label("Ratify: they leave IOM").check()
    fill_date(page.get_by_role("group", name="Last day on IOM"), yesterday)
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(f"**/deregistrations/{proposal.pk}/")
    assert "Dean Fletcher leaves IOM" in page.content()
    assert "Ratified" in page.get_by_test_id("deregistration-status").inner_text()
    axe(page)

    # 3. The person page: the past period and why they left; the timeline tells the story.
    page.goto(f"/people/{nominal.pk}/")
    assert "Long custodial sentence" in page.get_by_test_id("deregistrations-ratified").inner_text()
    assert page.get_by_test_id("past-memberships").is_visible()
    page.get_by_role("link", name="Timeline").click()
    page.wait_for_url(f"**/people/{nominal.pk}/timeline/")
    titles = page.locator(".moj-timeline__title").all_inner_texts()
    titles = [title for title in titles if LISTING_PANEL_TITLE not in title]  # the panel it was listed for
    assert titles[0] == "Deregistration ratified"
    assert "Left IOM: Long custodial sentence" in titles
    assert "Joined IOM" in titles
    axe(page)
    page.get_by_label("Periods on IOM").check()
    page.get_by_role("button", name="Apply filter").click()
    assert page.locator(".moj-timeline__title").all_inner_texts() == ["Left IOM: Long custodial sentence", "Joined IOM"]
    axe(page)

    # 4. The prison, which saw them only through the cohort's agreement, no longer does.
    page = open_as(partnership.prison_officer)
    response = page.goto(f"/people/{nominal.pk}/")
    assert response is not None
    assert response.status == 404
