"""Demo GPS tags and transition plans, made through the services by the demo's IOM team.

Tags: one person with a tag on and two hits pending, one whose hit was ruled in (and another ruled
out), one whose tag has been removed. Transition plans, for people whose licence ends within 12
weeks (their licence end date set through nominal_update): one in progress with steps, one with an
overdue step, one complete, and one person due a plan who has none. People on the cohort in the
community, recorded by the police or probation, are picked in a fixed order, each once.

A release: the first generated person on the cohort in custody (demo/cohort.py, by CRN; the
deregistrations take the last) is released on licence by the prison on the day the demo is loaded,
so the releases sweep tells their lead officers that day.

Idempotent: tags are made only while there are none, plans only while there are none, the release
only while no release is recorded; dates are relative to the day the demo is first loaded.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.utils import timezone

from cohorts.access import current_memberships
from cohorts.events.models import CustodyEvent
from cohorts.events.services import custody_event_record
from cohorts.records.models import Nominal
from cohorts.records.services import nominal_update
from cohorts.tags.models import TagHit, TagPeriod
from cohorts.tags.services import tag_fit, tag_hit_outcome, tag_hit_record, tag_remove
from cohorts.transitions.models import TransitionPlan
from cohorts.transitions.services import (
    transition_plan_complete,
    transition_plan_start,
    transition_step_add,
    transition_step_done,
)
from demo.common import as_user
from sharing.models import Agency, User

OWNER_USERS = {"police": "sam.carter", "probation": "priya.shah"}


def _day(offset: int) -> datetime.date:
    """`offset` days from today (negative: in the past)."""
    return timezone.localdate() + datetime.timedelta(days=offset)


def _candidates(users: dict[str, User], agencies: dict[str, Agency]) -> Iterator[tuple[Nominal, User]]:
    """People on the cohort in the community, recorded by the police or probation, with the demo user
    of the recording agency (who may change their licence end date), in a fixed order."""
    owners = {agencies[key].pk: users[username] for key, username in OWNER_USERS.items()}
    on_cohort = current_memberships(timezone.localdate()).filter(nominal=OuterRef("pk"))
    people = (
        Nominal.objects.filter(Exists(on_cohort), owning_agency_id__in=list(owners))
        .filter(custody_status=Nominal.CustodyStatus.COMMUNITY)
        .exclude(transition_plans__isnull=False)
        .exclude(items__kind__in=["tag", "tag_hit"])
        .order_by("-pk")
    )
    for nominal in people[:40]:
        yield nominal, owners[nominal.owning_agency_id]


def load_demo_tags_transitions(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    """Idempotent: safe to run on every start."""
    people = _candidates(users, agencies)
    if not TagPeriod.objects.exists():
        _tags(users, people)
    if not TransitionPlan.objects.exists():
        _transitions(users, agencies, people)
    if not CustodyEvent.objects.filter(kind=CustodyEvent.Kind.RELEASE).exists():
        _release(users)


def _release(users: dict[str, User]) -> None:
    """Someone on the cohort in custody, released on licence today."""
    on_cohort = current_memberships(timezone.localdate()).filter(nominal=OuterRef("pk"))
    person = (
        Nominal.objects.filter(Exists(on_cohort), custody_status=Nominal.CustodyStatus.CUSTODY, crn__startswith="G9")
        .order_by("crn")
        .first()
    )
    if person is None:
        return  # no generated cohort (a partial demo)
    sentence_ends = person.sentence_ends_on
    prison = users["grace.mensah"]
    with as_user(prison):
        custody_event_record(
            nominal=person,
            by=prison,
            kind=CustodyEvent.Kind.RELEASE,
            occurred_on=_day(0),
            release_on=_day(0),
            licence_ends_on=sentence_ends if sentence_ends is not None and sentence_ends > _day(0) else None,
            note="Released on licence from HMP Fenwick; reporting to probation tomorrow.",
        )


def _tags(users: dict[str, User], people: Iterator[tuple[Nominal, User]]) -> None:
    police, probation = users["sam.carter"], users["priya.shah"]
    pending = next(people, None)
    ruled = next(people, None)
    removed = next(people, None)
    if pending is None or ruled is None or removed is None:
        return
    with as_user(police):
        tag = tag_fit(
            nominal=pending[0],
            by=police,
            fitted_on=_day(-40),
            ends_by=_day(140),
            note="Exclusion zone: the city centre retail park. Curfew 19:00 to 07:00.",
        )
        tag_hit_record(tag=tag, by=police, notified_on=_day(-5), crime_reference="NM/26/004511")
    with as_user(probation):
        tag_hit_record(tag=tag, by=probation, notified_on=_day(-2), crime_reference="NM/26/004690")
    with as_user(police):
        tag = tag_fit(nominal=ruled[0], by=police, fitted_on=_day(-120), ends_by=_day(200))
        hit = tag_hit_record(tag=tag, by=police, notified_on=_day(-60), crime_reference="NM/26/002873")
        tag_hit_outcome(hit=hit, by=police, outcome=TagHit.Outcome.RULED_IN, outcome_on=_day(-52))
        hit = tag_hit_record(tag=tag, by=police, notified_on=_day(-30), crime_reference="NM/26/003340")
        tag_hit_outcome(hit=hit, by=police, outcome=TagHit.Outcome.RULED_OUT, outcome_on=_day(-27))
    with as_user(probation):
        tag = tag_fit(
            nominal=removed[0],
            by=probation,
            fitted_on=_day(-200),
            ends_by=_day(-20),
            basis=TagPeriod.Basis.LICENCE,
        )
        tag_remove(tag=tag, by=probation, removed_on=_day(-20), reason="Licence condition ended")


def _licence_ending(nominal: Nominal, owner: User, in_days: int) -> Nominal:
    ends = _day(in_days)
    fields: dict[str, object] = {"licence_ends_on": ends, "statutory_status": Nominal.StatutoryStatus.LICENCE}
    if nominal.sentence_ends_on is not None and nominal.sentence_ends_on < ends:
        fields["sentence_ends_on"] = ends
    with as_user(owner):
        return nominal_update(nominal=nominal, by=owner, **fields)


def _transitions(users: dict[str, User], agencies: dict[str, Agency], people: Iterator[tuple[Nominal, User]]) -> None:
    lead = users["sam.carter"]
    chosen = list(itertools.islice(people, 4))
    if len(chosen) < 4:
        return
    # The fourth person's licence ends in 40 days and they have no plan: due one.
    in_progress, overdue, complete, _due = (
        _licence_ending(nominal, owner, in_days)
        for (nominal, owner), in_days in zip(chosen, (50, 20, 6, 40), strict=True)
    )
    drugs, housing, probation = users["jo.evans"], users["tom.byrne"], users["priya.shah"]
    with as_user(lead):
        plan = transition_plan_start(
            nominal=in_progress, by=lead, notes="Scale back from weekly to monthly contact as the licence ends."
        )
        first = transition_step_add(
            plan=plan,
            by=lead,
            version=1,
            description="Agree reduced reporting with the offender manager",
            due_on=_day(0),
            worker=probation,
        )
        transition_step_add(
            plan=plan,
            by=lead,
            version=2,
            description="Drug testing continues with the recovery service",
            due_on=_day(30),
            worker=drugs,
        )
        transition_step_add(
            plan=plan,
            by=lead,
            version=3,
            description="Tenancy support hands over to the housing partnership",
            due_on=_day(45),
            worker=housing,
        )
        transition_step_done(step=first, by=lead, version=4)

        plan = transition_plan_start(nominal=overdue, by=lead, notes="Hand over before the licence ends.")
        transition_step_add(
            plan=plan,
            by=lead,
            version=1,
            description="Referral to the mentoring charity for continued support",
            due_on=_day(-7),
            agency=agencies["charity"],
        )
        transition_step_add(
            plan=plan,
            by=lead,
            version=2,
            description="Final IOM review at the MAP meeting",
            due_on=_day(14),
            worker=users["mark.reynolds"],
        )

        plan = transition_plan_start(nominal=complete, by=lead, notes="Support handed over to partners.")
        step = transition_step_add(
            plan=plan,
            by=lead,
            version=1,
            description="Hand over to the recovery service",
            due_on=_day(-3),
            worker=drugs,
        )
        transition_step_done(step=step, by=lead, version=2)
        transition_plan_complete(plan=plan, by=lead, version=3)
