"""The transition plan pages (/people/<pk>/transition/...), their API (/api/v1/people/<pk>/transition/...)
and the person page's panel: starting a plan only from 12 weeks before the licence ends (said
clearly), steps, completing, stale saves refused, who keeps the plan (the lead professional and the
IOM team; others who see the person 403), the licence end date only where it is shared, bad input
kept on the page or a 400 with field errors, and query counts that do not grow with the steps."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import CaseAssignment
from cohorts.models import AccessEvent
from cohorts.records.models import Nominal
from cohorts.records.services import case_assign, cohort_membership_start
from cohorts.transitions.models import TransitionPlan, TransitionStep
from cohorts.transitions.services import transition_plan_start, transition_step_add, transition_step_done
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def date_fields(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def person(partnership, licence_in_days: int | None = 30) -> Nominal:
    licence_ends_on = today() + days(licence_in_days) if licence_in_days is not None else None
    nominal = make_nominal(
        partnership.officer,
        first_name="Sam",
        last_name="Transitional",
        licence_ends_on=licence_ends_on,
        statutory_status=Nominal.StatutoryStatus.LICENCE,
    )
    cohort_membership_start(nominal=nominal, started_on=today() - days(300))
    return nominal


@pytest.fixture
def nominal(partnership) -> Nominal:
    return person(partnership)


@pytest.fixture
def plan(partnership, nominal) -> TransitionPlan:
    return transition_plan_start(nominal=nominal, by=partnership.officer, notes="Scale back to probation")


def url(name: str, nominal: Nominal, *args: int) -> str:
    return reverse(name, args=[nominal.pk, *args])


# --- The plan page and starting it ------------------------------------------------------------------


def test_the_page_says_a_plan_is_due_with_the_licence_end_and_is_logged(client, partnership, nominal):
    client.force_login(partnership.probation_officer)
    body = client.get(url("transition-plan", nominal)).content.decode()
    assert "Due, no plan" in body
    assert f"{today() + days(30):%-d %B %Y}" in body
    assert "Start the transition plan" in body
    event = AccessEvent.objects.filter(user=partnership.probation_officer).latest("pk")
    assert event.categories == ["identity", "offending-risk"]
    assert event.path == url("transition-plan", nominal)


def test_starting_the_plan_from_the_page(client, partnership, nominal):
    client.force_login(partnership.officer)
    response = client.post(url("transition-start", nominal), {"notes": "Hand over to the drug service"})
    assert response.status_code == 302
    plan = TransitionPlan.objects.get(nominal=nominal)
    assert (plan.notes, plan.licence_ends_on) == ("Hand over to the drug service", today() + days(30))
    assert "In progress" in client.get(url("transition-plan", nominal)).content.decode()


def test_starting_too_early_says_when_it_can_start_and_keeps_the_notes(client, partnership):
    nominal = person(partnership, licence_in_days=12 * 7 + 1)
    client.force_login(partnership.officer)
    response = client.post(url("transition-start", nominal), {"notes": "Early thoughts"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert f"can be started from {today() + days(1):%-d %B %Y}, 12 weeks before" in body
    assert "Early thoughts" in body
    assert not TransitionPlan.objects.exists()


def test_a_partner_sees_the_plan_but_not_the_licence_end_and_may_not_keep_it(client, partnership, nominal, plan):
    transition_step_add(
        plan=plan, by=partnership.officer, version=1, description="Drug testing continues", due_on=today() + days(5)
    )
    client.force_login(partnership.drugs_worker)
    body = client.get(url("transition-plan", nominal)).content.decode()
    assert "Drug testing continues" in body
    assert "In progress" in body
    assert "Licence ends" not in body
    assert f"{today() + days(30):%-d %B %Y}" not in body
    assert client.get(url("transition-start", nominal)).status_code == 403
    assert client.get(url("transition-step-new", nominal)).status_code == 403


def test_a_partner_is_not_told_a_plan_is_due_when_the_licence_end_is_not_shared(client, partnership, nominal):
    client.force_login(partnership.drugs_worker)
    body = client.get(url("transition-plan", nominal)).content.decode()
    assert "Due, no plan" not in body
    assert "No transition plan has been started" in body


def test_the_lead_professional_of_a_partner_agency_keeps_the_plan(client, partnership, nominal):
    case_assign(
        nominal=nominal,
        role=CaseAssignment.Role.LEAD_PROFESSIONAL,
        worker=partnership.drugs_worker,
        by=partnership.officer,
        started_on=today(),
    )
    client.force_login(partnership.drugs_worker)
    assert client.post(url("transition-start", nominal), {"notes": ""}).status_code == 302


def test_pages_404_outside_scope(client, partnership, nominal, plan):
    client.force_login(partnership.outsider)
    for name in ("transition-plan", "transition-start", "transition-step-new"):
        assert client.get(url(name, nominal)).status_code == 404


# --- Steps and completing ---------------------------------------------------------------------------


def test_adding_a_step_and_bad_input_keeps_what_was_typed(client, partnership, nominal, plan):
    client.force_login(partnership.officer)
    new = url("transition-step-new", nominal)
    assert client.get(new).status_code == 200

    response = client.post(
        new,
        {
            "version": "1",
            "description": "Housing support hands over",
            "worker": "",
            "agency": "",
            "due_on_0": "31",
            "due_on_1": "2",
            "due_on_2": "2030",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "Housing support hands over" in body
    assert "must be a real date" in body

    response = client.post(
        new,
        {
            "version": "1",
            "description": "Housing support hands over",
            "agency": "",
            "worker": str(partnership.housing_worker.pk),
            **date_fields("due_on", today() + days(10)),
        },
    )
    assert response.status_code == 302
    step = TransitionStep.objects.get(plan=plan)
    assert (step.worker, step.agency) == (partnership.housing_worker, partnership.housing)


def test_a_stale_save_is_refused_on_the_page(client, partnership, nominal, plan):
    transition_step_add(plan=plan, by=partnership.probation_officer, version=1, description="First", due_on=today())
    client.force_login(partnership.officer)
    response = client.post(
        url("transition-step-new", nominal),
        {"version": "1", "description": "Second", "agency": "", "worker": "", **date_fields("due_on", today())},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Someone else changed this transition plan" in body
    assert plan.steps.count() == 1


def test_marking_steps_done_then_completing_the_plan(client, partnership, nominal, plan):
    step = transition_step_add(plan=plan, by=partnership.officer, version=1, description="Hand over", due_on=today())
    client.force_login(partnership.officer)
    body = client.get(url("transition-plan", nominal)).content.decode()
    assert "Complete the plan" not in body

    done = url("transition-step-done", nominal, step.pk)
    response = client.post(done, {"version": "2", **date_fields("done_on", today() + days(1))})
    assert response.status_code == 400
    assert "today or in the past" in response.content.decode()
    assert client.post(done, {"version": "2", **date_fields("done_on", today())}).status_code == 302

    body = client.get(url("transition-plan", nominal)).content.decode()
    assert "Complete the plan" in body
    response = client.post(url("transition-complete", nominal), {"version": "3"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == TransitionPlan.Status.COMPLETE
    assert "Complete" in client.get(url("transition-plan", nominal)).content.decode()


def test_completing_with_steps_not_done_is_an_error_on_the_page(client, partnership, nominal, plan):
    transition_step_add(plan=plan, by=partnership.officer, version=1, description="Hand over", due_on=today())
    client.force_login(partnership.officer)
    response = client.post(url("transition-complete", nominal), {"version": "2"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "1 step not done yet" in body


def test_step_pages_without_a_plan_send_back_to_the_plan(client, partnership, nominal):
    client.force_login(partnership.officer)
    assert client.get(url("transition-step-new", nominal))["Location"] == url("transition-plan", nominal)


def test_the_plan_page_queries_do_not_grow_with_the_steps(client, partnership, nominal, plan):
    transition_step_add(plan=plan, by=partnership.officer, version=1, description="One", due_on=today())
    client.force_login(partnership.probation_officer)
    with CaptureQueriesContext(connection) as few:
        client.get(url("transition-plan", nominal))
    for n in range(4):
        transition_step_add(
            plan=plan,
            by=partnership.officer,
            version=2 + n,
            description=f"Step {n}",
            due_on=today() + days(n),
            worker=partnership.housing_worker,
        )
    with CaptureQueriesContext(connection) as many:
        body = client.get(url("transition-plan", nominal)).content.decode()
    assert "Step 3" in body
    assert len(many) == len(few)


def test_the_person_page_panel_shows_the_status_and_the_next_step(client, partnership, nominal, plan):
    transition_step_add(
        plan=plan, by=partnership.officer, version=1, description="Hand over to probation", due_on=today() - days(1)
    )
    client.force_login(partnership.probation_officer)
    body = client.get(reverse("nominal-detail", args=[nominal.pk])).content.decode()
    assert 'data-testid="transition-panel"' in body
    assert "Steps overdue" in body
    assert "Next step: Hand over to probation" in body


# --- The API ------------------------------------------------------------------------------------------------


def post(client, path: str, data: dict) -> Any:
    return client.post(path, data, content_type="application/json")


def test_api_reads_and_starts_the_plan(client, partnership, nominal):
    client.force_login(partnership.probation_officer)
    state = client.get(url("api-nominal-transition", nominal)).json()
    assert (state["status"], state["licence_ends_on"], state["plan"]) == (
        "due",
        (today() + days(30)).isoformat(),
        None,
    )
    response = post(client, url("api-nominal-transition", nominal), {"notes": "Via the API"})
    assert response.status_code == 201
    assert response.json()["plan"]["notes"] == "Via the API"
    response = post(client, url("api-nominal-transition", nominal), {})
    assert response.status_code == 409
    assert "already has a transition plan" in response.json()["detail"]


def test_api_too_early_is_a_409_that_says_when(client, partnership):
    nominal = person(partnership, licence_in_days=100)
    client.force_login(partnership.officer)
    response = post(client, url("api-nominal-transition", nominal), {})
    assert response.status_code == 409
    assert "can be started from" in response.json()["detail"]


def test_api_steps_done_and_complete_with_versions(client, partnership, nominal, plan):
    client.force_login(partnership.officer)
    steps = url("api-transition-steps", nominal)
    response = post(client, steps, {"version": 1, "description": "", "due_on": "soon"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"description", "due_on"}
    response = post(client, steps, {"version": 1, "description": "Hand over", "due_on": today().isoformat()})
    assert response.status_code == 201
    step_pk = response.json()["id"]
    response = post(client, steps, {"version": 1, "description": "Stale", "due_on": today().isoformat()})
    assert response.status_code == 409

    response = post(client, url("api-transition-complete", nominal), {"version": 2})
    assert response.status_code == 409
    response = post(client, url("api-transition-step-done", nominal, step_pk), {"version": 2})
    assert (response.status_code, response.json()["done_on"]) == (200, today().isoformat())
    response = post(client, url("api-transition-complete", nominal), {"version": 3})
    assert (response.status_code, response.json()["status"]) == (200, "complete")


def test_api_a_partner_reads_without_the_licence_end_and_may_not_change(client, partnership, nominal, plan):
    client.force_login(partnership.drugs_worker)
    state = client.get(url("api-nominal-transition", nominal)).json()
    assert (state["status"], state["licence_ends_on"], state["may_manage"]) == ("in_progress", None, False)
    response = post(
        client, url("api-transition-steps", nominal), {"version": 1, "description": "x", "due_on": "2030-01-01"}
    )
    assert response.status_code == 403
    client.force_login(partnership.outsider)
    assert client.get(url("api-nominal-transition", nominal)).status_code == 404


def test_api_step_done_of_a_missing_step_is_404(client, partnership, nominal, plan):
    client.force_login(partnership.officer)
    assert post(client, url("api-transition-step-done", nominal, 10**9), {"version": 1}).status_code == 404


def test_step_of_a_completed_plan_cannot_be_marked_done_again(client, partnership, nominal, plan):
    step = transition_step_add(plan=plan, by=partnership.officer, version=1, description="One", due_on=today())
    transition_step_done(step=step, by=partnership.officer, version=2)
    client.force_login(partnership.officer)
    response = client.post(
        url("transition-step-done", nominal, step.pk), {"version": "3", **date_fields("done_on", today())}
    )
    assert response.status_code == 400
    assert "This step was done on" in response.content.decode()


def test_an_analyst_who_sees_the_person_may_not_start_a_plan(client, partnership, nominal):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.ANALYST]))
    assert client.get(url("transition-plan", nominal)).status_code == 200
    assert client.post(url("transition-start", nominal), {}).status_code == 403
