"""The transition plans and releases sweeps (cohorts/sweeps.py) at their date edges: who is
told, who is not, a fixed number of queries, and each reminder stored once however often a sweep runs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.deregistration.models import Deregistration
from cohorts.deregistration.services import deregistration_propose, deregistration_ratify
from cohorts.events.services import custody_event_record
from cohorts.management.models import CaseAssignment
from cohorts.records.models import Nominal
from cohorts.records.services import case_assign, cohort_membership_start
from cohorts.sweeps import transition_reminders
from cohorts.transitions.models import TransitionPlan, TransitionStep
from cohorts.transitions.services import (
    transition_plan_complete,
    transition_plan_start,
    transition_step_add,
    transition_step_done,
)
from notifications.models import Notification
from notifications.services import Reminder, reminders_allowed, reminders_send
from notifications.sweeps import sweep_run
from referrals.sweeps import release_reminders
from sharing.models import User
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.notices import said
from tests.partnership import Partnership
from tests.sharing.factories import UserFactory

DAY = datetime.timedelta(days=1)
TWELVE_WEEKS = datetime.timedelta(weeks=12)
SINCE = datetime.date(2025, 1, 6)  # on IOM, and led, since
SATURDAY = datetime.date(2027, 3, 6)  # a licence ending on a Saturday: the plan opens on Saturday 12 December 2026

Kind = Notification.Kind


def today() -> datetime.date:
    return timezone.localdate()


@dataclass
class Led:
    """A person on IOM with a probation lead professional and a police lead officer, each supervised."""

    nominal: Nominal
    lead: User
    lead_supervisor: User
    police_lead: User
    police_supervisor: User

    @property
    def subject(self) -> str:
        return f"nominal:{self.nominal.pk}"

    @property
    def holders(self) -> set[int]:
        return {u.pk for u in (self.lead, self.lead_supervisor, self.police_lead, self.police_supervisor)}


def led_on_cohort(p: Partnership, *, licence_ends_on: datetime.date | None = None, last_name: str = "Lane") -> Led:
    nominal = make_nominal(
        p.officer,
        last_name=last_name,
        licence_ends_on=licence_ends_on,
        statutory_status=Nominal.StatutoryStatus.LICENCE,
    )
    cohort_membership_start(nominal=nominal, started_on=SINCE)
    lead_supervisor = UserFactory.create(agency=p.probation, roles=[Role.SUPERVISOR])
    lead = UserFactory.create(agency=p.probation, roles=[Role.PRACTITIONER], supervisor=lead_supervisor)
    police_supervisor = UserFactory.create(agency=p.police, roles=[Role.SUPERVISOR])
    police_lead = UserFactory.create(agency=p.police, roles=[Role.PRACTITIONER], supervisor=police_supervisor)
    for role, worker in ((CaseAssignment.Role.LEAD_PROFESSIONAL, lead), (CaseAssignment.Role.POLICE_LEAD, police_lead)):
        case_assign(nominal=nominal, role=role, worker=worker, by=p.officer, reason="Allocated", started_on=SINCE)
    return Led(nominal, lead, lead_supervisor, police_lead, police_supervisor)


def about(reminders: list[Reminder], subject: str) -> list[Reminder]:
    return [r for r in reminders if r.subject == subject]


def told(reminders: list[Reminder], subject: str) -> set[tuple[int, str, datetime.date]]:
    return {(r.recipient_id, r.kind, r.due_on) for r in about(reminders, subject)}


# --- Licence ending with no transition plan ------------------------------------------------------------


def test_a_licence_ending_on_a_saturday_is_told_from_the_saturday_twelve_weeks_before(partnership):
    person = led_on_cohort(partnership, licence_ends_on=SATURDAY)
    opens = SATURDAY - TWELVE_WEEKS
    assert opens.weekday() == 5  # not moved to a working day: the day a plan may start

    the_day_before = transition_reminders(opens - DAY)
    the_day_it_opens = transition_reminders(opens)
    the_licence_end = transition_reminders(SATURDAY)
    the_day_after = transition_reminders(SATURDAY + DAY)

    assert about(the_day_before, person.subject) == []
    expected = {(pk, Kind.TRANSITION_NO_PLAN, SATURDAY) for pk in person.holders}
    assert told(the_day_it_opens, person.subject) == expected
    assert told(the_licence_end, person.subject) == expected
    # Still no plan after the licence ended: still due (same key, so never told twice).
    assert told(the_day_after, person.subject) == expected
    [first, *_] = about(the_day_it_opens, person.subject)
    assert first.link == reverse("transition-start", args=[person.nominal.pk])
    assert "no transition plan" in said(first, opens).lower()


def test_no_plan_reminder_stops_once_the_plan_is_started_and_is_not_sent_off_the_cohort(partnership):
    planned = led_on_cohort(partnership, licence_ends_on=today() + 10 * 7 * DAY, last_name="Planned")
    transition_plan_start(nominal=planned.nominal, by=partnership.officer)
    off_cohort = make_nominal(partnership.officer, licence_ends_on=today() + 30 * DAY)
    no_licence = led_on_cohort(partnership, licence_ends_on=None, last_name="Nolicence")

    found = transition_reminders(today())

    assert about(found, planned.subject) == []
    assert about(found, f"nominal:{off_cohort.pk}") == []
    assert about(found, no_licence.subject) == []


# --- Transition plan steps ------------------------------------------------------------------------------


def plan_with_step(p: Partnership, *, due_on: datetime.date, worker: User | None = None, last_name: str = "Step"):
    person = led_on_cohort(p, licence_ends_on=today() + 10 * 7 * DAY, last_name=last_name)
    plan = transition_plan_start(nominal=person.nominal, by=p.officer)
    step = transition_step_add(
        plan=plan, by=p.officer, version=plan.version, description="Hand over to housing", due_on=due_on, worker=worker
    )
    return person, plan, step


def test_a_step_is_told_from_three_days_before_it_is_due_to_its_worker(partnership):
    due = today() + 10 * DAY
    person, _, step = plan_with_step(partnership, due_on=due, worker=partnership.prison_officer)
    subject = f"transition-step:{step.pk}"

    four_days_before = transition_reminders(due - 4 * DAY)
    three_days_before = transition_reminders(due - 3 * DAY)
    on_the_day = transition_reminders(due)
    the_day_after = transition_reminders(due + DAY)

    assert about(four_days_before, subject) == []
    expected = {(partnership.prison_officer.pk, Kind.TRANSITION_STEP_DUE, due)}
    assert told(three_days_before, subject) == expected
    assert told(on_the_day, subject) == expected
    assert told(the_day_after, subject) == expected  # overdue: still told, keyed by the same due date
    assert "overdue since" in said(about(the_day_after, subject)[0], due + DAY)
    assert about(on_the_day, subject)[0].link == reverse("transition-plan", args=[person.nominal.pk])


def test_a_step_without_a_worker_goes_to_the_lead_professional(partnership):
    due = today() + 5 * DAY
    person, _, step = plan_with_step(partnership, due_on=due)

    found = transition_reminders(due)

    assert told(found, f"transition-step:{step.pk}") == {(person.lead.pk, Kind.TRANSITION_STEP_DUE, due)}


def test_a_step_whose_worker_may_not_see_the_person_goes_to_the_lead_professional(partnership):
    """The housing provider's agreement has ended: its worker no longer sees the person, so is not
    told (the step's description and the person's name are the plan's), and the lead is."""
    due = today() + 5 * DAY
    person, _, step = plan_with_step(partnership, due_on=due, worker=partnership.housing_worker)

    found = transition_reminders(due)

    assert told(found, f"transition-step:{step.pk}") == {(person.lead.pk, Kind.TRANSITION_STEP_DUE, due)}


def test_a_step_whose_worker_has_left_goes_to_the_lead_professional(partnership):
    due = today() + 5 * DAY
    person, _, step = plan_with_step(partnership, due_on=due, worker=partnership.housing_worker)
    User.objects.filter(pk=partnership.housing_worker.pk).update(is_active=False)

    found = transition_reminders(due)

    assert told(found, f"transition-step:{step.pk}") == {(person.lead.pk, Kind.TRANSITION_STEP_DUE, due)}


def test_a_done_step_and_a_complete_plan_are_not_told(partnership):
    due = today() + 2 * DAY
    _, plan, done_step = plan_with_step(partnership, due_on=due, last_name="Done")
    plan.refresh_from_db()
    transition_step_done(step=done_step, by=partnership.officer, version=plan.version)
    _, complete_plan, complete_step = plan_with_step(partnership, due_on=due, last_name="Complete")
    complete_plan.refresh_from_db()
    transition_step_done(step=complete_step, by=partnership.officer, version=complete_plan.version)
    complete_plan.refresh_from_db()
    transition_plan_complete(plan=complete_plan, by=partnership.officer, version=complete_plan.version)
    assert TransitionPlan.objects.get(pk=complete_plan.pk).status == TransitionPlan.Status.COMPLETE

    found = transition_reminders(due)

    assert about(found, f"transition-step:{done_step.pk}") == []
    assert about(found, f"transition-step:{complete_step.pk}") == []
    assert [r for r in found if r.kind == Kind.TRANSITION_NO_PLAN] == []


def test_the_transitions_sweep_reads_in_a_fixed_number_of_queries(partnership):
    day = today() + 5 * DAY
    led_on_cohort(partnership, licence_ends_on=today() + 30 * DAY, last_name="Noplan")
    plan_with_step(partnership, due_on=day, last_name="Stepped")
    with CaptureQueriesContext(connection) as few:
        transition_reminders(day)
    for n in range(5):
        led_on_cohort(partnership, licence_ends_on=today() + 30 * DAY, last_name=f"Noplan{n}")
        plan_with_step(partnership, due_on=day, last_name=f"Stepped{n}")
    with CaptureQueriesContext(connection) as many:
        found = transition_reminders(day)

    assert len([r for r in found if r.kind == Kind.TRANSITION_NO_PLAN]) == 6 * 4
    assert len([r for r in found if r.kind == Kind.TRANSITION_STEP_DUE]) == 6
    assert len(many) == len(few) == 3


def test_the_transitions_sweep_run_twice_stores_each_reminder_once(partnership):
    led_on_cohort(partnership, licence_ends_on=today() + 30 * DAY)
    _, _, step = plan_with_step(partnership, due_on=today() + DAY)

    first = sweep_run(name="transitions")
    again = sweep_run(name="transitions")

    assert (first.found, first.stored, first.failed) == (5, 5, False)
    assert (again.found, again.stored) == (5, 0)
    assert Notification.objects.filter(kind=Kind.TRANSITION_NO_PLAN).count() == 4
    assert Notification.objects.filter(kind=Kind.TRANSITION_STEP_DUE, subject=f"transition-step:{step.pk}").count() == 1


# --- Releases from custody ------------------------------------------------------------------------------


def released(p: Partnership, nominal: Nominal, on: datetime.date) -> None:
    custody_event_record(
        nominal=nominal, by=p.officer, kind="release", occurred_on=on, release_on=on, licence_ends_on=on + 200 * DAY
    )


def deregistered(p: Partnership, person: Led, ends_on: datetime.date) -> None:
    chair = UserFactory.create(agency=p.police, roles=[Role.PANEL_CHAIR])
    proposal = deregistration_propose(
        nominal=person.nominal, by=p.officer, reason=Deregistration.Reason.RISK_REDUCED, explanation="Stable"
    )
    deregistration_ratify(deregistration=proposal, by=chair, ends_on=ends_on)


def test_a_release_is_told_from_fourteen_days_before_to_the_day_to_the_leads_and_their_supervisors(partnership):
    person = led_on_cohort(partnership)
    release_on = today()
    released(partnership, person.nominal, release_on)

    fifteen_days_before = release_reminders(release_on - 15 * DAY)
    fourteen_days_before = release_reminders(release_on - 14 * DAY)
    on_the_day = release_reminders(release_on)
    the_day_after = release_reminders(release_on + DAY)

    assert about(fifteen_days_before, person.subject) == []
    expected = {(pk, Kind.RELEASE_DUE, release_on) for pk in person.holders}
    assert told(fourteen_days_before, person.subject) == expected
    assert told(on_the_day, person.subject) == expected
    assert about(the_day_after, person.subject) == []
    assert about(on_the_day, person.subject)[0].link == reverse("nominal-events", args=[person.nominal.pk])


def test_a_release_of_someone_who_left_iom_goes_to_the_last_lead_officers(partnership):
    person = led_on_cohort(partnership)
    deregistered(partnership, person, ends_on=today() - 30 * DAY)
    assert not CaseAssignment.objects.filter(nominal=person.nominal, ended_on__isnull=True).exists()
    released(partnership, person.nominal, today())

    found = release_reminders(today())

    # The last lead professional and police lead, not their supervisors: the case left their team.
    assert told(found, person.subject) == {
        (person.lead.pk, Kind.RELEASE_DUE, today()),
        (person.police_lead.pk, Kind.RELEASE_DUE, today()),
    }
    # Of them, only those who may still see the person are told: the police own the
    # record; probation saw them through the cohort and its lead professional's role, both ended.
    allowed = reminders_allowed(about(found, person.subject))
    assert [r.recipient_id for r in allowed] == [person.police_lead.pk]
    assert "previously on IOM" in said(allowed[0])


def expected_release(p: Partnership, nominal: Nominal, on: datetime.date) -> None:
    """In custody, with the accepted referral that brought them onto IOM expecting the release on
    `on` (made as a row: the services refuse a referral of someone already on IOM)."""
    from referrals.models import Referral

    Referral.objects.create(
        reference=f"REF-T-{nominal.pk}",
        nominal=nominal,
        referring_agency=p.officer.agency,
        referred_by=p.officer,
        status=Referral.Status.ACCEPTED,
        release_expected_on=on,
    )
    Nominal.objects.filter(pk=nominal.pk).update(custody_status=Nominal.CustodyStatus.CUSTODY)


def test_an_expected_release_is_told_from_fourteen_days_before_and_once_when_it_happens(partnership):
    person = led_on_cohort(partnership)
    release_on = today() + 20 * DAY
    expected_release(partnership, person.nominal, release_on)

    assert about(release_reminders(release_on - 15 * DAY), person.subject) == []
    fourteen_days_before = release_reminders(release_on - 14 * DAY)
    assert told(fourteen_days_before, person.subject) == {(pk, Kind.RELEASE_DUE, release_on) for pk in person.holders}
    assert "expected to be released from custody on" in said(
        about(fourteen_days_before, person.subject)[0], release_on - 14 * DAY
    )
    assert about(release_reminders(release_on + DAY), person.subject) == []

    # Released on the day expected: the same key, so told once.
    assert len(reminders_send(fourteen_days_before)) == 4
    Nominal.objects.filter(pk=person.nominal.pk).update(custody_status=Nominal.CustodyStatus.COMMUNITY)
    assert about(release_reminders(release_on), person.subject) == []  # out of custody: expected no more
    assert reminders_send(release_reminders(release_on - 14 * DAY)) == []


def test_an_expected_release_of_someone_not_in_custody_or_never_on_iom_is_not_told(partnership):
    person = led_on_cohort(partnership)
    expected_release(partnership, person.nominal, today() + 5 * DAY)
    Nominal.objects.filter(pk=person.nominal.pk).update(custody_status=Nominal.CustodyStatus.COMMUNITY)
    never = make_nominal(partnership.officer, last_name="Never")
    expected_release(partnership, never, today() + 5 * DAY)

    found = release_reminders(today())

    assert about(found, person.subject) == []
    assert about(found, f"nominal:{never.pk}") == []


def test_a_release_of_someone_never_on_iom_is_not_told(partnership):
    never = make_nominal(partnership.officer)
    released(partnership, never, today())

    assert about(release_reminders(today()), f"nominal:{never.pk}") == []


def test_only_the_latest_release_of_a_person_counts(partnership):
    person = led_on_cohort(partnership)
    released(partnership, person.nominal, today() - DAY)
    released(partnership, person.nominal, today())  # recorded again, a day later

    found = release_reminders(today() - DAY)

    assert {r.due_on for r in about(found, person.subject)} == {today()}
    assert len(about(found, person.subject)) == 4


def test_the_releases_sweep_reads_in_a_fixed_number_of_queries(partnership):
    on_iom = led_on_cohort(partnership, last_name="Oniom")
    released(partnership, on_iom.nominal, today())
    left = led_on_cohort(partnership, last_name="Left")
    deregistered(partnership, left, ends_on=today() - 10 * DAY)
    released(partnership, left.nominal, today())
    with CaptureQueriesContext(connection) as few:
        release_reminders(today())
    for n in range(5):
        more = led_on_cohort(partnership, last_name=f"Oniom{n}")
        released(partnership, more.nominal, today())
        gone = led_on_cohort(partnership, last_name=f"Left{n}")
        deregistered(partnership, gone, ends_on=today() - 10 * DAY)
        released(partnership, gone.nominal, today())
    with CaptureQueriesContext(connection) as many:
        found = release_reminders(today())

    assert len(found) == 6 * 4 + 6 * 2
    assert len(many) == len(few) == 3  # recorded, expected, and the lead officers


def test_the_releases_sweep_run_twice_stores_each_reminder_once(partnership):
    person = led_on_cohort(partnership)
    released(partnership, person.nominal, today())

    first = sweep_run(name="releases")
    again = sweep_run(name="releases")

    assert (first.found, first.stored, first.failed) == (4, 4, False)
    assert (again.found, again.stored) == (4, 0)
    assert Notification.objects.filter(kind=Kind.RELEASE_DUE, subject=person.subject).count() == 4


def test_a_step_of_a_plan_from_a_period_that_ended_is_not_told(partnership):
    """A step of an earlier period's plan (the person left IOM) is not chased."""
    person, _, step = plan_with_step(partnership, due_on=today() + DAY, last_name="Earlier")
    deregistered(partnership, person, ends_on=today())

    assert about(transition_reminders(today() + DAY), f"transition-step:{step.pk}") == []
    assert TransitionStep.objects.filter(pk=step.pk, done_on__isnull=True).exists()
