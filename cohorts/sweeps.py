"""What the cohort's sweeps find due (run by notifications/sweeps.py, stored once by reminders_send).

Each finder reads the state of the whole cohort on a day, in a fixed number of queries whatever the
number of people, and returns one reminder per recipient and thing due, keyed by its due date so
that the same review, plan or release is never told twice to the same person."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.urls import reverse

from cohorts.access import agency_may_see_offending_and_risk, current_memberships
from cohorts.events.models import CustodyEvent
from cohorts.management.models import CaseAssignment, CohortMembership
from cohorts.records.models import Nominal
from cohorts.records.selectors import people_visible_to_each
from cohorts.reviews.services import LEAD_ROLES, current_leads, may_review, with_review_due
from cohorts.transitions.models import TransitionPlan, TransitionStep
from cohorts.transitions.services import TransitionStatus, transition_weeks, with_transition_status
from notifications.models import Notification
from notifications.services import Notice, Reminder, reminders_tell

REVIEW_DUE_AHEAD = datetime.timedelta(days=3)


def review_reminders(on: datetime.date) -> list[Reminder]:
    """Supervisor reviews due within 3 days, and overdue, on the cadence of each person's RAG rating:
    to the supervisors of the lead officers holding the case (the lead professional and the IOM
    police lead), as the supervisor's home page counts their team's reviews. Not to the leads: they
    may not record the review of their own work (a police practitioner's inbox was once 20 reviews
    out of 23 notifications, each opening on a 403). Two queries."""
    on_cohort = current_memberships(on).filter(nominal=OuterRef("pk"))
    due = list(
        with_review_due(Nominal.objects.filter(Exists(on_cohort)), on)
        .filter(Q(review_due_on__lte=on + REVIEW_DUE_AHEAD))
        .order_by("pk")
        .values_list("pk", F("review_due_on"))
    )
    holders: dict[int, list[int]] = {}
    leads = (
        current_leads(on)
        .filter(nominal_id__in=[pk for pk, *_ in due])
        .order_by("nominal_id", "role", "pk")
        .values_list("nominal_id", "worker_id", "worker__supervisor_id")
    )
    leading: dict[int, set[int]] = {}
    for nominal_id, worker_id, supervisor_id in leads:
        leading.setdefault(nominal_id, set()).add(worker_id)
        if supervisor_id is not None:
            holders.setdefault(nominal_id, []).append(supervisor_id)
    for nominal_id, supervisors in holders.items():  # a supervisor leading the case does not review it
        holders[nominal_id] = [pk for pk in supervisors if pk not in leading[nominal_id]]
    reminders = []
    for pk, due_on in due:
        kind = Notification.Kind.REVIEW_OVERDUE if due_on < on else Notification.Kind.REVIEW_DUE
        link = reverse("review-new", args=[pk])
        for recipient_id in dict.fromkeys(holders.get(pk, [])):
            reminders.append(Reminder(recipient_id, kind, f"nominal:{pk}", due_on, link))
    return reminders


def _when(due_on: datetime.date, on: datetime.date, *, capital: bool = False) -> str:
    when = f"{'overdue since' if due_on < on else 'due'} {due_on:%-d %B %Y}"
    return when[:1].upper() + when[1:] if capital else when


def reviews_told(notices: Sequence[Notice], on: datetime.date) -> list[str | None]:
    """A review due or overdue, told to a reader who may see the person and may record the review
    now (may_review: a supervisor of a lead, not leading the case themselves), so that opening it
    never lands on a refusal. Three queries."""
    subject_ids = {n.subject_id for n in notices}
    seen = people_visible_to_each({n.reader for n in notices}, subject_ids)
    leads: dict[int, list[CaseAssignment]] = {}
    for lead in current_leads(on).filter(nominal_id__in=subject_ids).select_related("worker"):
        leads.setdefault(lead.nominal_id, []).append(lead)
    told: list[str | None] = []
    for notice in notices:
        person = seen.get((notice.reader.pk, notice.subject_id))
        if person is None or not may_review(notice.reader, leads.get(notice.subject_id, [])):
            told.append(None)
        else:
            told.append(f"Supervisor review of {person.name}: {_when(notice.due_on, on, capital=True)}")
    return told


# --- Transition plans ------------------------------------------------------------------------------

STEP_DUE_AHEAD = datetime.timedelta(days=3)


def transition_reminders(on: datetime.date) -> list[Reminder]:
    """Two things of the transition plans (cohorts/transitions/services.py), in three queries:
    - a licence ending with no plan: someone on the cohort whose licence ends within
      IOM_TRANSITION_WEEKS of `on` (from exactly that many weeks before, whatever the weekday, the
      day a plan may start) or has ended, with no plan for this period on IOM (the cohort list's
      "Due, no plan"), to the lead professional, the IOM police lead and their supervisors, linked
      to the page where the plan is started; due on the licence end date, so told once;
    - a step of a plan in progress (of the person's current period on IOM) not done, due within 3
      days or overdue, to the step's worker (if their account is active and they may see the
      person), else the lead professional, linked to the plan; due on the step's date."""
    on_cohort = current_memberships(on).filter(nominal=OuterRef("pk"))
    # Only people whose licence ends soon can be due a plan: the status is computed for those alone.
    soon = Nominal.objects.filter(
        Exists(on_cohort), licence_ends_on__lte=on + datetime.timedelta(weeks=transition_weeks())
    )
    # Due a plan implies a licence end date.
    no_plan = cast(
        "list[tuple[int, datetime.date]]",
        list(
            with_transition_status(soon, on)
            .filter(Q(transition_status=TransitionStatus.DUE))
            .order_by("pk")
            .values_list("pk", "licence_ends_on")
        ),
    )
    steps = list(
        TransitionStep.objects.filter(
            done_on__isnull=True,
            due_on__lte=on + STEP_DUE_AHEAD,
            plan__status=TransitionPlan.Status.IN_PROGRESS,
            plan__membership__in=current_memberships(on),
        )
        .order_by("plan__nominal_id", "due_on", "pk")
        .values_list("pk", "plan__nominal_id", "due_on", "worker_id", "worker__is_active")
    )
    holders: dict[int, list[int]] = {}
    lead_professional: dict[int, int] = {}
    leads = (
        current_leads(on)
        .filter(nominal_id__in={pk for pk, *_ in no_plan} | {step[1] for step in steps})
        .order_by("nominal_id", "role", "pk")
        .values_list("nominal_id", "role", "worker_id", "worker__supervisor_id")
    )
    for nominal_id, role, worker_id, supervisor_id in leads:
        holders.setdefault(nominal_id, []).extend(r for r in (supervisor_id, worker_id) if r is not None)
        if role == CaseAssignment.Role.LEAD_PROFESSIONAL:
            lead_professional[nominal_id] = worker_id
    reminders = []
    for pk, licence_ends_on in no_plan:
        link = reverse("transition-start", args=[pk])
        for recipient_id in dict.fromkeys(holders.get(pk, [])):
            reminders.append(
                Reminder(recipient_id, Notification.Kind.TRANSITION_NO_PLAN, f"nominal:{pk}", licence_ends_on, link)
            )
    to_workers = [
        Reminder(worker_id, Notification.Kind.TRANSITION_STEP_DUE, f"transition-step:{pk}", due_on, "")
        for pk, _, due_on, worker_id, worker_active in steps
        if worker_id is not None and worker_active
    ]
    # A worker who may not see the person (their agency's access ended since) is as one who has left.
    workers_told = {r.subject for r, text in zip(to_workers, reminders_tell(to_workers, on), strict=True) if text}
    for pk, nominal_id, due_on, worker_id, _ in steps:
        subject = f"transition-step:{pk}"
        told = worker_id if subject in workers_told else lead_professional.get(nominal_id)
        if told is None:
            continue
        link = reverse("transition-plan", args=[nominal_id])
        reminders.append(Reminder(told, Notification.Kind.TRANSITION_STEP_DUE, subject, due_on, link))
    return reminders


def no_plans_told(notices: Sequence[Notice], on: datetime.date) -> list[str | None]:
    """A licence ending with no plan is the licence's end date, offending and risk information: told
    to a reader who may see the person and whose agency is shared their offending and risk fields
    (agency_may_see_offending_and_risk, as the cohort list's "Due, no plan"). Two queries, and one
    per reader's agency."""
    seen = people_visible_to_each({n.reader for n in notices}, {n.subject_id for n in notices})
    shared: dict[int, set[int]] = {}
    for agency_id in sorted({n.reader.agency_id for n in notices}):
        ids = {n.subject_id for n in notices if n.reader.agency_id == agency_id}
        shared[agency_id] = set(
            Nominal.objects.filter(pk__in=ids)
            .filter(agency_may_see_offending_and_risk(agency_id, on))
            .values_list("pk", flat=True)
        )
    told: list[str | None] = []
    for notice in notices:
        person = seen.get((notice.reader.pk, notice.subject_id))
        if person is None or notice.subject_id not in shared[notice.reader.agency_id]:
            told.append(None)
            continue
        ends = "ended" if notice.due_on < on else "ends"
        told.append(f"No transition plan for {person.name}: licence {ends} {notice.due_on:%-d %B %Y}")
    return told


def steps_told(notices: Sequence[Notice], on: datetime.date) -> list[str | None]:
    """A transition plan's step due, told to a reader who may see the person (the plan page's rule:
    its steps show to everyone who sees the person; its licence end date only as shared). Three
    queries."""
    steps = {
        pk: (nominal_id, description)
        for pk, nominal_id, description in TransitionStep.objects.filter(
            pk__in={n.subject_id for n in notices}
        ).values_list("pk", "plan__nominal_id", "description")
    }
    seen = people_visible_to_each({n.reader for n in notices}, {nominal_id for nominal_id, _ in steps.values()})
    told: list[str | None] = []
    for notice in notices:
        nominal_id, description = steps.get(notice.subject_id, (0, ""))
        person = seen.get((notice.reader.pk, nominal_id))
        told.append(
            None if person is None else f"Transition step for {person.name} {_when(notice.due_on, on)}: {description}"
        )
    return told


# --- Releases from custody -------------------------------------------------------------------------

RELEASE_AHEAD = datetime.timedelta(days=14)


@dataclass(frozen=True)
class Release:
    """A release from custody to tell: recorded (an event) or expected (a referral's date)."""

    nominal_id: int
    release_on: datetime.date
    on_iom: bool  # on IOM now (else on it before)
    expected: bool = False


def recorded_releases(on: datetime.date) -> list[Release]:
    """Each person's latest release event (the order in which custody status follows events,
    cohorts/events/services.py) dated from `on` to 14 days on, for people on IOM now or on it before (any
    period started by then): one query. Events are recorded when the release happens, so in practice
    this finds a release recorded on its day; expected releases are the referrals' (referrals/sweeps.py)."""
    latest_release = CustodyEvent.objects.filter(
        kind=CustodyEvent.Kind.RELEASE, item__nominal_id=OuterRef("item__nominal_id")
    ).order_by("-item__occurred_on", "-pk")
    ever_on_iom = CohortMembership.objects.filter(nominal_id=OuterRef("item__nominal_id"), started_on__lte=on)
    on_iom = current_memberships(on).filter(nominal_id=OuterRef("item__nominal_id"))
    rows = (
        CustodyEvent.objects.filter(
            kind=CustodyEvent.Kind.RELEASE, release_on__gte=on, release_on__lte=on + RELEASE_AHEAD
        )
        .filter(pk=Subquery(latest_release.values("pk")[:1]))
        .filter(Exists(ever_on_iom))
        .annotate(on_iom=Exists(on_iom))
        .order_by("item__nominal_id")
        .values_list("item__nominal_id", "release_on", "on_iom")
    )
    # A release date is in the window, so never None.
    return [Release(*cast("tuple[int, datetime.date, bool]", row)) for row in rows]


def release_reminders(on: datetime.date, releases: list[Release]) -> list[Reminder]:
    """Releases told to the lead officers holding the case now (the lead professional and the IOM
    police lead) and their supervisors, in one query whatever their number. Someone who has left
    IOM usually has no lead officers any more: they are told to the last lead professional and the
    last IOM police lead of their case (the latest ended assignment of each role) whose accounts are
    still active, who know the person and can refer them again; their supervisors are not told, as
    the case is no longer their team's. The link is the person's events page, which shows the
    release and, for someone who has left IOM, offers "Previously on IOM: refer again". Keyed by the
    release date, so an expected release then recorded on that day is told once."""
    holders_by_role = (
        CaseAssignment.objects.filter(
            nominal_id__in={release.nominal_id for release in releases}, role__in=LEAD_ROLES, started_on__lte=on
        )
        .order_by("nominal_id", "role", F("ended_on").desc(nulls_first=True), "-started_on", "-pk")
        .distinct("nominal_id", "role")
        .values_list("nominal_id", "worker_id", "worker__supervisor_id", "worker__is_active", "ended_on")
    )
    current: dict[int, list[int]] = {}
    last: dict[int, list[int]] = {}
    for nominal_id, worker_id, supervisor_id, active, ended_on in holders_by_role if releases else []:
        if ended_on is None:
            current.setdefault(nominal_id, []).extend(r for r in (supervisor_id, worker_id) if r is not None)
        elif active:
            last.setdefault(nominal_id, []).append(worker_id)
    reminders = []
    for release in releases:
        pk = release.nominal_id
        link = reverse("nominal-events", args=[pk])
        for recipient_id in dict.fromkeys(current.get(pk) or last.get(pk, [])):
            reminders.append(
                Reminder(recipient_id, Notification.Kind.RELEASE_DUE, f"nominal:{pk}", release.release_on, link)
            )
    return reminders
