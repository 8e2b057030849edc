"""Transition plans at the service and selector level (cohorts/transitions/services.py): when a plan may start,
steps and completion with version checks, who keeps the plan, and with_transition_status at its
date edges (in SQL, one query)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.management.models import CaseAssignment
from cohorts.records.models import Nominal
from cohorts.records.services import case_assign, cohort_membership_end, cohort_membership_start, nominal_update
from cohorts.transitions.models import TransitionPlan
from cohorts.transitions.services import (
    TransitionStatus,
    transition_plan_complete,
    transition_plan_start,
    transition_state,
    transition_step_add,
    transition_step_done,
    with_transition_status,
)
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory

WEEKS = datetime.timedelta(weeks=12)
DAY = datetime.timedelta(days=1)


def TODAY() -> datetime.date:
    return timezone.localdate()


def on_cohort(by, *, licence_ends_on: datetime.date | None) -> Nominal:
    nominal = make_nominal(by, licence_ends_on=licence_ends_on, statutory_status=Nominal.StatutoryStatus.LICENCE)
    cohort_membership_start(nominal=nominal, started_on=TODAY() - datetime.timedelta(days=200))
    return nominal


def status_of(nominal: Nominal, on: datetime.date) -> str:
    return (
        with_transition_status(Nominal.objects.filter(pk=nominal.pk), on)
        .values_list(F("transition_status"), flat=True)
        .get()
    )


def start(nominal: Nominal, by) -> TransitionPlan:
    return transition_plan_start(nominal=nominal, by=by)


def add_step(plan: TransitionPlan, by, *, due_on: datetime.date | None = None, **fields):
    plan.refresh_from_db()
    return transition_step_add(
        plan=plan,
        by=by,
        version=plan.version,
        description=fields.pop("description", "Hand over to probation"),
        due_on=due_on or TODAY() + datetime.timedelta(days=14),
        **fields,
    )


# --- Starting a plan ---------------------------------------------------------------------------------


def test_a_plan_starts_exactly_twelve_weeks_before_the_licence_ends(partnership):
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() + WEEKS)
    plan = start(person, partnership.officer)
    assert (plan.licence_ends_on, plan.status, plan.version) == (TODAY() + WEEKS, TransitionPlan.Status.IN_PROGRESS, 1)


def test_a_plan_cannot_start_the_day_before_it_is_due_and_says_when_it_can(partnership):
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() + WEEKS + DAY)
    with pytest.raises(StateError) as excinfo:
        start(person, partnership.officer)
    assert f"can be started from {TODAY() + DAY:%-d %B %Y}, 12 weeks before" in str(excinfo.value)


def test_the_weeks_before_the_licence_end_are_configurable(partnership, settings):
    settings.IOM_TRANSITION_WEEKS = 4
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() + datetime.timedelta(weeks=5))
    with pytest.raises(StateError, match="4 weeks before"):
        start(person, partnership.officer)
    assert status_of(person, TODAY()) == TransitionStatus.NOT_DUE
    assert status_of(person, TODAY() + datetime.timedelta(weeks=1)) == TransitionStatus.DUE


def test_a_plan_may_start_after_the_licence_has_ended(partnership):
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() - DAY)
    assert start(person, partnership.officer).licence_ends_on == TODAY() - DAY


def test_a_plan_needs_the_person_on_the_cohort_with_a_licence_end_date(partnership):
    no_licence = on_cohort(partnership.officer, licence_ends_on=None)
    with pytest.raises(StateError, match="no licence end date"):
        start(no_licence, partnership.officer)
    off_cohort = on_cohort(partnership.officer, licence_ends_on=TODAY() + DAY)
    cohort_membership_end(nominal=off_cohort, ended_on=TODAY() - DAY)
    with pytest.raises(StateError, match="not on the IOM cohort"):
        start(off_cohort, partnership.officer)


def test_one_plan_per_period_on_iom(partnership):
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() + DAY)
    start(person, partnership.officer)
    with pytest.raises(StateError, match="already has a transition plan"):
        start(person, partnership.probation_officer)


def test_the_lead_professional_and_the_iom_team_keep_the_plan_and_no_one_else(partnership):
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() + DAY)
    with pytest.raises(NotAllowed):
        start(person, partnership.drugs_worker)
    case_assign(
        nominal=person,
        role=CaseAssignment.Role.LEAD_PROFESSIONAL,
        worker=partnership.drugs_worker,
        by=partnership.officer,
        started_on=TODAY(),
    )
    plan = start(person, partnership.drugs_worker)
    analyst = UserFactory.create(agency=partnership.police, roles=[Role.ANALYST])
    with pytest.raises(NotAllowed):
        add_step(plan, analyst)
    add_step(plan, partnership.probation_officer)


# --- Steps and completing -------------------------------------------------------------------------


def test_a_step_names_who_takes_over_and_its_agency_follows_the_worker(partnership):
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() + DAY)
    plan = start(person, partnership.officer)
    step = add_step(plan, partnership.officer, worker=partnership.drugs_worker, description=" Drug testing ")
    assert (step.description, step.agency, step.worker) == ("Drug testing", partnership.drugs, partnership.drugs_worker)
    plan.refresh_from_db()
    assert plan.version == 2

    with pytest.raises(ValidationError) as excinfo:
        add_step(plan, partnership.officer, worker=partnership.drugs_worker, agency=partnership.housing)
    assert "worker" in excinfo.value.message_dict


def test_a_step_needs_a_description_and_is_due_no_earlier_than_the_transition(partnership):
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() + DAY)
    plan = start(person, partnership.officer)
    earliest = TODAY() + DAY - WEEKS
    with pytest.raises(ValidationError) as excinfo:
        add_step(plan, partnership.officer, description=" ", due_on=earliest - DAY)
    assert set(excinfo.value.message_dict) == {"description", "due_on"}
    assert add_step(plan, partnership.officer, due_on=earliest).due_on == earliest


def test_a_stale_version_is_refused(partnership):
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() + DAY)
    plan = start(person, partnership.officer)
    transition_step_add(plan=plan, by=partnership.officer, version=1, description="One", due_on=TODAY())
    with pytest.raises(StaleVersion):
        transition_step_add(plan=plan, by=partnership.probation_officer, version=1, description="Two", due_on=TODAY())
    assert plan.steps.count() == 1


def test_a_step_is_done_once_not_in_the_future(partnership):
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() + DAY)
    plan = start(person, partnership.officer)
    step = add_step(plan, partnership.officer)
    with pytest.raises(ValidationError):
        transition_step_done(step=step, by=partnership.officer, version=2, done_on=TODAY() + DAY)
    done = transition_step_done(step=step, by=partnership.officer, version=2)
    assert done.done_on == TODAY()
    with pytest.raises(StateError, match="was done on"):
        transition_step_done(step=step, by=partnership.officer, version=3)


def test_a_plan_is_complete_only_when_every_step_is_done(partnership):
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() + DAY)
    plan = start(person, partnership.officer)
    with pytest.raises(StateError, match="Add the plan's steps"):
        transition_plan_complete(plan=plan, by=partnership.officer, version=1)
    first = add_step(plan, partnership.officer)
    add_step(plan, partnership.officer)
    transition_step_done(step=first, by=partnership.officer, version=3)
    with pytest.raises(StateError, match="1 step not done"):
        transition_plan_complete(plan=plan, by=partnership.officer, version=4)
    second = plan.steps.get(done_on__isnull=True)
    transition_step_done(step=second, by=partnership.officer, version=4)
    completed = transition_plan_complete(plan=plan, by=partnership.officer, version=5)
    assert completed.status == TransitionPlan.Status.COMPLETE
    with pytest.raises(StateError, match="complete"):
        add_step(plan, partnership.officer)


# --- The status, in SQL, at its edges --------------------------------------------------------------


def test_status_is_due_from_exactly_twelve_weeks_before_the_licence_end(partnership):
    licence_ends_on = TODAY() + datetime.timedelta(days=200)
    person = on_cohort(partnership.officer, licence_ends_on=licence_ends_on)
    assert status_of(person, licence_ends_on - WEEKS - DAY) == TransitionStatus.NOT_DUE
    assert status_of(person, licence_ends_on - WEEKS) == TransitionStatus.DUE
    assert status_of(person, licence_ends_on - WEEKS + DAY) == TransitionStatus.DUE
    assert status_of(person, licence_ends_on) == TransitionStatus.DUE
    assert status_of(person, licence_ends_on + DAY) == TransitionStatus.DUE  # the day after: still due


def test_a_licence_ending_on_a_weekend_is_due_twelve_weeks_before_that_weekend_day(partnership):
    licence_ends_on = TODAY() + datetime.timedelta(days=200)
    licence_ends_on += datetime.timedelta(days=(6 - licence_ends_on.weekday()))  # a Sunday
    assert licence_ends_on.weekday() == 6
    person = on_cohort(partnership.officer, licence_ends_on=licence_ends_on)
    opens = licence_ends_on - WEEKS
    assert opens.weekday() == 6
    assert status_of(person, opens - DAY) == TransitionStatus.NOT_DUE  # the Saturday before
    assert status_of(person, opens) == TransitionStatus.DUE


def test_status_without_a_licence_end_or_off_the_cohort_is_not_due(partnership):
    no_licence = on_cohort(partnership.officer, licence_ends_on=None)
    assert status_of(no_licence, TODAY()) == TransitionStatus.NOT_DUE
    off_cohort = on_cohort(partnership.officer, licence_ends_on=TODAY())
    cohort_membership_end(nominal=off_cohort, ended_on=TODAY() - DAY)
    assert status_of(off_cohort, TODAY()) == TransitionStatus.NOT_DUE


def test_status_follows_the_plan_of_the_current_period(partnership):
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() + datetime.timedelta(days=30))
    plan = start(person, partnership.officer)
    assert status_of(person, TODAY()) == TransitionStatus.IN_PROGRESS
    step = add_step(plan, partnership.officer, due_on=TODAY())
    assert status_of(person, TODAY()) == TransitionStatus.IN_PROGRESS  # due today is not overdue
    assert status_of(person, TODAY() + DAY) == TransitionStatus.STEPS_OVERDUE
    transition_step_done(step=step, by=partnership.officer, version=2)
    assert status_of(person, TODAY() + DAY) == TransitionStatus.IN_PROGRESS
    transition_plan_complete(plan=plan, by=partnership.officer, version=3)
    assert status_of(person, TODAY()) == TransitionStatus.COMPLETE

    # Back on the cohort for a new period: the old plan does not count.
    cohort_membership_end(nominal=person, ended_on=TODAY())
    cohort_membership_start(nominal=person, started_on=TODAY() + DAY)
    assert status_of(person, TODAY() + DAY) == TransitionStatus.DUE


def test_status_of_many_people_is_one_query(partnership):
    people = [
        on_cohort(partnership.officer, licence_ends_on=TODAY() + datetime.timedelta(days=d)) for d in (5, 50, 150)
    ]
    start(people[0], partnership.officer)
    nominal_update(nominal=people[2], by=partnership.officer, licence_ends_on=None)
    with CaptureQueriesContext(connection) as queries:
        statuses = dict(
            with_transition_status(Nominal.objects.filter(pk__in=[p.pk for p in people])).values_list(
                "pk", F("transition_status")
            )
        )
    assert len(queries) == 1
    assert statuses == {
        people[0].pk: TransitionStatus.IN_PROGRESS,
        people[1].pk: TransitionStatus.DUE,
        people[2].pk: TransitionStatus.NOT_DUE,
    }


def test_transition_state_gives_the_next_step_and_overdue_steps(partnership):
    person = on_cohort(partnership.officer, licence_ends_on=TODAY() + datetime.timedelta(days=30))
    plan = start(person, partnership.officer)
    late = add_step(plan, partnership.officer, due_on=TODAY() - DAY, description="Late")
    add_step(plan, partnership.officer, due_on=TODAY() + DAY, description="Next")
    state = transition_state(person)
    assert state.status == TransitionStatus.STEPS_OVERDUE
    assert state.next_step == late
    assert state.step_overdue(late)
    assert state.on_cohort
    assert state.plan == plan
