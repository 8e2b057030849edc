"""GPS tags and a transition plan in the browser. A police officer, from the person page's GPS tag
panel, records a tag (after a mistake the page explains), gives the reason intelligence asks for,
records a location hit and rules it in. Then, the licence ending in a month, they start the
transition plan, add a step, mark it done and complete the plan. axe checks every page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cohorts.records.models import Nominal
from cohorts.records.services import cohort_membership_start
from cohorts.tags.models import TagHit
from cohorts.transitions.models import TransitionPlan
from tests.cohorts.factories import make_nominal
from tests.e2e.journeys import fill_date
from tests.partnership import build_partnership

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_officer_records_a_tag_and_a_hit_then_a_transition_plan(open_as, axe):
    partnership = build_partnership()
    today = timezone.localdate()
    nominal = make_nominal(
        partnership.officer,
        first_name="Kieran",
        last_name="Walsh",
        statutory_status=Nominal.StatutoryStatus.LICENCE,
        licence_ends_on=today + datetime.timedelta(days=30),
    )
    cohort_membership_start(nominal=nominal, started_on=today - datetime.timedelta(days=200))

    # 1. The person page: the GPS tag and transition plan panels.
    page = open_as(partnership.officer)
    page.goto(f"/people/{nominal.pk}/")
    assert "No GPS tag has been recorded" in page.get_by_test_id("tag-panel").inner_text()
    assert "Due, no plan" in page.get_by_test_id("transition-panel").inner_text()
    axe(page)

    # 2. Fitting a tag: a mistake first, kept on the page with what was typed.
    page.get_by_test_id("tag-panel").get_by_role("link", name="Record a tag fitted").click()
    page.wait_for_url(f"**/people/{nominal.pk}/tags/new/")
    fitted_on = today - datetime.timedelta(days=10)
    fill_date(page.get_by_role("group", name="Date the tag was fitted"), fitted_on)
    fill_date(page.get_by_role("group", name="Date the tag is due off"), fitted_on + datetime.timedelta(days=400))
    page.get_by_label("Note (optional)").fill("Exclusion zone: the retail park")
    page.get_by_role("button", name="Record the tag").click()
    assert "There is a problem" in page.content()
    assert "at most 12 months" in page.content()
    assert page.get_by_label("Note (optional)").input_value() == "Exclusion zone: the retail park"
    axe(page)
    fill_date(page.get_by_role("group", name="Date the tag is due off"), fitted_on + datetime.timedelta(days=180))
    page.get_by_role("button", name="Record the tag").click()
    page.wait_for_url(f"**/people/{nominal.pk}/tags/")

    # 3. Intelligence: the reason first, then the tag.
    assert "shown only when you give a reason" in page.content()
    axe(page)
    page.get_by_label("Why do you need to see these items?").fill("Recording a hit from the monitoring centre")
    page.get_by_role("button", name="Show the items").click()
    page.wait_for_url(f"**/people/{nominal.pk}/tags/")
    assert "Exclusion zone: the retail park" in page.get_by_test_id("tag").inner_text()
    axe(page)

    # 4. A location hit, then its outcome.
    page.get_by_test_id("tag").get_by_role("link", name="Record a hit").click()
    fill_date(page.get_by_role("group", name="Date the hit was notified"), today - datetime.timedelta(days=1))
    page.get_by_label("Crime reference").fill("NM/26/009911")
    axe(page)
    page.get_by_role("button", name="Record the hit").click()
    page.wait_for_url(f"**/people/{nominal.pk}/tags/")
    assert "NM/26/009911" in page.get_by_test_id("hit").inner_text()
    page.get_by_test_id("hit").get_by_role("link", name="Record the outcome").click()
    page.get_by_label("Ruled in").check()
    fill_date(page.get_by_role("group", name="Date of the outcome"), today)
    axe(page)
    page.get_by_role("button", name="Record the outcome").click()
    page.wait_for_url(f"**/people/{nominal.pk}/tags/")
    assert "Ruled in" in page.get_by_test_id("hit").inner_text()
    assert TagHit.objects.get().outcome == TagHit.Outcome.RULED_IN

    # 5. The transition plan: start it, add a step, mark it done, complete it.
    page.goto(f"/people/{nominal.pk}/transition/")
    assert "Due, no plan" in page.get_by_test_id("transition-status").inner_text()
    axe(page)
    page.get_by_role("button", name="Start the transition plan").click()
    page.get_by_label("Notes (optional)").fill("Scale back to monthly contact")
    axe(page)
    page.get_by_role("button", name="Start the transition plan").click()
    page.wait_for_url(f"**/people/{nominal.pk}/transition/")
    page.get_by_role("button", name="Add a step").click()
    page.get_by_label("What is handed over?").fill("Drug testing continues with the recovery service")
    fill_date(page.get_by_role("group", name="Date the step is due"), today + datetime.timedelta(days=14))
    axe(page)
    page.get_by_role("button", name="Add the step").click()
    page.wait_for_url(f"**/people/{nominal.pk}/transition/")
    assert "Drug testing continues" in page.get_by_test_id("step").inner_text()
    page.get_by_test_id("step").get_by_role("link", name="Mark done").click()
    fill_date(page.get_by_role("group", name="Date the step was done"), today)
    axe(page)
    page.get_by_role("button", name="Mark the step done").click()
    page.wait_for_url(f"**/people/{nominal.pk}/transition/")
    page.get_by_role("button", name="Complete the plan").click()
    page.wait_for_url(f"**/people/{nominal.pk}/transition/")
    assert "Complete" in page.get_by_test_id("transition-status").inner_text()
    axe(page)
    assert TransitionPlan.objects.get().status == TransitionPlan.Status.COMPLETE
