"""Demo management reports: the named people of the demo cohort (demo/records.py) get a
rich plan across the pathways in every status, interventions, contacts (some missed), decisions with
their rationale and enforcement actions, recorded by the police, probation and partner agencies; a
share of the rest of the cohort gets a few entries each, so the reports and the person pages' plan
summaries are not empty anywhere.

Made through the services (cohorts/report/services.py), attributed to demo users in a pghistory context, dated
relative to today. Idempotent: a person who already has plan actions is skipped. Bounded so that the
whole demo load stays fast: the named people, then at most OTHERS_AT_MOST others of the cohort."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import Any

import pghistory
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cohorts.access import current_memberships
from cohorts.records.models import Nominal, Pathway
from cohorts.report.models import Contact, PlanAction
from cohorts.report.services import (
    contact_record,
    decision_record,
    enforcement_record,
    intervention_record,
    plan_action_record,
)
from demo.common import days_ago
from demo.records import PEOPLE
from sharing.models import Agency, User

OTHERS_AT_MOST = 150
SEED = 2026

Status = PlanAction.Status

# (username, pathway, action, status, owner username or "", due in days or None, identified days ago)
NAMED_ACTIONS = [
    ("tom.byrne", Pathway.ACCOMMODATION, "Refer to the Tenancy Sustainment Team", Status.ENGAGED, "tom.byrne", 21, 70),
    ("priya.shah", Pathway.ACCOMMODATION, "Apply for move-on accommodation", Status.REFERRED, "priya.shah", 30, 40),
    (
        "priya.shah",
        Pathway.EDUCATION_TRAINING_EMPLOYMENT,
        "CSCS card course with Northmoor College",
        Status.IDENTIFIED,
        "priya.shah",
        45,
        20,
    ),
    (
        "jo.evans",
        Pathway.DRUGS_AND_ALCOHOL,
        "Opiate substitution script and weekly key work",
        Status.ENGAGED,
        "jo.evans",
        None,
        90,
    ),
    ("jo.evans", Pathway.DRUGS_AND_ALCOHOL, "Mutual aid group (SMART Recovery)", Status.DECLINED, "", None, 60),
    (
        "priya.shah",
        Pathway.FINANCE_BENEFIT_DEBT,
        "Universal Credit claim and budgeting advance",
        Status.MET,
        "priya.shah",
        None,
        100,
    ),
    (
        "sam.carter",
        Pathway.CHILDREN_AND_FAMILIES,
        "Supervised contact with his daughter through Children's Services",
        Status.REFERRED,
        "sam.carter",
        28,
        35,
    ),
    (
        "priya.shah",
        Pathway.ATTITUDES_THINKING_BEHAVIOUR,
        "Thinking Skills Programme",
        Status.ENGAGED,
        "priya.shah",
        None,
        80,
    ),
    (
        "sam.carter",
        Pathway.ATTITUDES_THINKING_BEHAVIOUR,
        "Weekly home visits by the IOM police lead",
        Status.ENGAGED,
        "sam.carter",
        None,
        50,
    ),
    ("sam.carter", Pathway.HEALTH, "Register with a GP and a dentist", Status.IDENTIFIED, "", 14, 10),
]
# (username, name, pathway, provider, status, started days ago (negative: starts later), ended days ago or None)
NAMED_INTERVENTIONS = [
    (
        "priya.shah",
        "Thinking Skills Programme",
        Pathway.ATTITUDES_THINKING_BEHAVIOUR,
        "Probation Service (Northmoor)",
        "started",
        60,
        None,
    ),
    (
        "jo.evans",
        "Structured day programme",
        Pathway.DRUGS_AND_ALCOHOL,
        "Compass Recovery Northmoor",
        "completed",
        120,
        30,
    ),
    (
        "tom.byrne",
        "Tenancy sustainment support",
        Pathway.ACCOMMODATION,
        "Northmoor Housing Partnership",
        "started",
        70,
        None,
    ),
    ("sam.carter", "Mentoring", "", "New Leaf Mentoring", "planned", -7, None),
]
CONTACT_PLAN = [  # (username, type, days ago, outcome, next contact in days from it)
    ("sam.carter", Contact.Type.HOME_VISIT, 84, Contact.Outcome.ATTENDED, 7),
    ("priya.shah", Contact.Type.FACE_TO_FACE, 77, Contact.Outcome.ATTENDED, 7),
    ("priya.shah", Contact.Type.FACE_TO_FACE, 63, Contact.Outcome.FAILED_TO_ATTEND, 2),
    ("sam.carter", Contact.Type.HOME_VISIT, 61, Contact.Outcome.NOT_AT_HOME, 3),
    ("priya.shah", Contact.Type.FACE_TO_FACE, 58, Contact.Outcome.ATTENDED, 14),
    ("jo.evans", Contact.Type.FACE_TO_FACE, 45, Contact.Outcome.ATTENDED, 7),
    ("jo.evans", Contact.Type.PHONE, 38, Contact.Outcome.ACCEPTABLE_ABSENCE, 4),
    ("priya.shah", Contact.Type.FACE_TO_FACE, 30, Contact.Outcome.ATTENDED, 14),
    ("sam.carter", Contact.Type.HOME_VISIT, 21, Contact.Outcome.ATTENDED, 7),
    ("priya.shah", Contact.Type.VIDEO, 16, Contact.Outcome.FAILED_TO_ATTEND, 2),
    ("tom.byrne", Contact.Type.HOME_VISIT, 12, Contact.Outcome.ATTENDED, 14),
    ("priya.shah", Contact.Type.FACE_TO_FACE, 9, Contact.Outcome.ATTENDED, 14),
]
NAMED_DECISIONS = [
    (
        "mark.reynolds",
        90,
        "Manage at the priority level with weekly contact",
        "Released on licence with a history of burglary within weeks of release; high OGRS.",
    ),
    (
        "priya.shah",
        60,
        "Final warning rather than breach for the missed appointment",
        "First missed appointment since release, and he called the next morning; engagement otherwise good.",
    ),
    (
        "sam.carter",
        15,
        "Add weekly home visits by the IOM police lead",
        "Two missed appointments this month and intelligence of association with known burglars.",
    ),
]
NAMED_ENFORCEMENT = [
    ("priya.shah", "warning", 62, "Failed to attend a supervision appointment without reason.", "Final warning issued"),
    ("priya.shah", "breach", 15, "Second failure to attend within the warning period.", "Breach proceedings started"),
]

OTHER_ACTIONS = {
    Pathway.ACCOMMODATION: ["Housing options appointment", "Supported accommodation referral"],
    Pathway.EDUCATION_TRAINING_EMPLOYMENT: ["Job centre work coach appointment", "Functional skills course"],
    Pathway.DRUGS_AND_ALCOHOL: ["Assessment with the drug and alcohol service", "Alcohol brief intervention"],
    Pathway.FINANCE_BENEFIT_DEBT: ["Debt advice with Citizens Advice", "Open a bank account"],
    Pathway.CHILDREN_AND_FAMILIES: ["Family support worker referral"],
    Pathway.ATTITUDES_THINKING_BEHAVIOUR: ["Thinking Skills Programme", "Victim awareness work"],
}
RECORDER_OF_PATHWAY = {
    Pathway.ACCOMMODATION: "tom.byrne",
    Pathway.DRUGS_AND_ALCOHOL: "jo.evans",
}


def _as(user: User, record: Callable[..., Any], **fields: Any) -> Any:
    with pghistory.context(user=user.pk, url="demo data"):
        return record(by=user, **fields)


def _rich_report(nominal: Nominal, users: dict[str, User]) -> None:
    for username, pathway, action, status, owner, due_in, identified_ago in NAMED_ACTIONS:
        _as(
            users[username],
            plan_action_record,
            nominal=nominal,
            pathway=pathway,
            action=action,
            status=status,
            owner=users[owner] if owner else None,
            due_on=timezone.localdate() + datetime.timedelta(days=due_in) if due_in is not None else None,
            identified_on=days_ago(identified_ago),
        )
    for username, name, on_pathway, provider, progress, started_ago, ended_ago in NAMED_INTERVENTIONS:
        _as(
            users[username],
            intervention_record,
            nominal=nominal,
            name=name,
            pathway=on_pathway,
            provider=provider,
            status=progress,
            starts_on=days_ago(started_ago),
            ends_on=days_ago(ended_ago) if ended_ago is not None else None,
        )
    for username, contact_type, days, outcome, next_in in CONTACT_PLAN:
        _as(
            users[username],
            contact_record,
            nominal=nominal,
            contact_type=contact_type,
            occurred_on=days_ago(days),
            outcome=outcome,
            next_contact_on=days_ago(days - next_in),
        )
    for username, days, decision, rationale in NAMED_DECISIONS:
        _as(
            users[username],
            decision_record,
            nominal=nominal,
            decision=decision,
            rationale=rationale,
            decided_on=days_ago(days),
        )
    for username, kind, days, reason, result in NAMED_ENFORCEMENT:
        _as(
            users[username],
            enforcement_record,
            nominal=nominal,
            kind=kind,
            occurred_on=days_ago(days),
            reason=reason,
            outcome=result,
        )


def _few_entries(nominal: Nominal, users: dict[str, User], rng: random.Random) -> None:
    pathways = rng.sample(list(OTHER_ACTIONS), k=rng.randint(2, 3))
    for pathway in pathways:
        identified = rng.randint(10, 90)
        _as(
            users[RECORDER_OF_PATHWAY.get(pathway, rng.choice(["sam.carter", "priya.shah"]))],
            plan_action_record,
            nominal=nominal,
            pathway=pathway,
            action=rng.choice(OTHER_ACTIONS[pathway]),
            status=rng.choice(list(Status)),
            identified_on=days_ago(identified),
            due_on=days_ago(identified - rng.randint(14, 60)),
        )
    lead = users[rng.choice(["priya.shah", "sam.carter"])]
    for days in sorted(rng.sample(range(2, 80), k=3), reverse=True):
        _as(
            lead,
            contact_record,
            nominal=nominal,
            contact_type=rng.choice([Contact.Type.FACE_TO_FACE, Contact.Type.HOME_VISIT, Contact.Type.PHONE]),
            occurred_on=days_ago(days),
            outcome=rng.choices(
                [Contact.Outcome.ATTENDED, Contact.Outcome.FAILED_TO_ATTEND, Contact.Outcome.NOT_AT_HOME], [7, 2, 1]
            )[0],
            next_contact_on=days_ago(days - 14),
        )
    if rng.random() < 0.3:
        _as(
            users["priya.shah"],
            intervention_record,
            nominal=nominal,
            name="Thinking Skills Programme",
            pathway=Pathway.ATTITUDES_THINKING_BEHAVIOUR,
            provider="Probation Service (Northmoor)",
            status="started",
            starts_on=days_ago(rng.randint(10, 60)),
        )
    if rng.random() < 0.25:
        _as(
            users["mark.reynolds"],
            decision_record,
            nominal=nominal,
            decision="Keep at the current level of management",
            rationale="Compliance and the RAG rating reviewed at the MAP meeting: no change needed.",
            decided_on=days_ago(rng.randint(5, 40)),
        )
    if rng.random() < 0.12:
        _as(
            users["priya.shah"],
            enforcement_record,
            nominal=nominal,
            kind=rng.choice(["warning", "breach"]),
            occurred_on=days_ago(rng.randint(3, 40)),
            reason="Failed to attend supervision without an acceptable reason.",
        )


def load_demo_report(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    """Idempotent: safe to run on every start."""
    has_plan = PlanAction.objects.filter(item__nominal=OuterRef("pk"))
    on_cohort = current_memberships(timezone.localdate()).filter(nominal=OuterRef("pk"))
    names = {(person.first_name, person.last_name) for person in PEOPLE}
    named = [
        nominal
        for nominal in Nominal.objects.filter(last_name__in={last for _, last in names}).filter(~Exists(has_plan))
        if (nominal.first_name, nominal.last_name) in names
    ]
    for nominal in sorted(named, key=lambda person: person.pk):
        _rich_report(nominal, users)
    others = (
        Nominal.objects.filter(Exists(on_cohort))
        .exclude(pk__in=[nominal.pk for nominal in named])
        .order_by("pk")
        .values_list("pk", "first_name", "last_name")
    )
    chosen = [pk for pk, first, last in others if (first, last) not in names][:OTHERS_AT_MOST]
    for nominal in Nominal.objects.filter(pk__in=chosen).filter(~Exists(has_plan)).order_by("pk"):
        _few_entries(nominal, users, random.Random(SEED + nominal.pk))  # noqa: S311  (invented data)
