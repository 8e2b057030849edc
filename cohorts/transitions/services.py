"""Transition plans: as a person's licence ends, the plan to scale IOM support back, step by
step (who takes over what, by when).

A plan belongs to one period on IOM (a CohortMembership) and records the licence end date it was
made for. It is part of the case's management, like the strand and level: every agency that may see
the person sees the plan and its steps (it is not an item).

- A plan may be started for a person on the cohort with a licence end date, from
  IOM_TRANSITION_WEEKS (12 by default) before the licence ends: from that day on, or after the
  licence has ended, the person is "due" a plan until one is started.
- Steps are added while the plan is in progress, each due no earlier than the day plans may start;
  a step is marked done once, on a day not in the future.
- The plan is complete when every step is done (it needs at least one).
- Each change names the plan's version it was made on: a save based on an older version is refused
  (StaleVersion), so two officers working the plan at once do not undo each other.

Who (may_manage_transition): the person's current lead professional, whatever their agency or role,
and the IOM team (practitioners, supervisors and panel chairs of police and probation,
IOM_UNIT_AGENCY_KINDS).

with_transition_status annotates any list of people with the status of their transition, in SQL, for
the cohort list. The licence end date is offending-and-risk information: whether a caller may show
it (or the status it implies) to a user is the caller's concern.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    When,
)

from cohorts.access import current_memberships, today
from cohorts.management.models import CaseAssignment
from cohorts.management.permissions import is_lead_professional
from cohorts.records.models import Nominal
from cohorts.records.selectors import current_assignments_of
from cohorts.transitions.models import TransitionPlan, TransitionStep
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.models import Agency, User
from sharing.roles import is_iom_team

NOT_A_PLANNER = (
    "Transition plans are kept by the person's lead professional and the IOM team (practitioners, supervisors "
    "and panel chairs of the police and probation)."
)
STALE = "Someone else changed this transition plan while you were working on it. Reload it to see their changes."


class TransitionStatus(TextChoices):
    NOT_DUE = "not_due", "Not due"
    DUE = "due", "Due, no plan"
    IN_PROGRESS = "in_progress", "In progress"
    STEPS_OVERDUE = "steps_overdue", "Steps overdue"
    COMPLETE = "complete", "Complete"


def transition_weeks() -> int:
    return int(settings.IOM_TRANSITION_WEEKS)


def plan_opens_on(licence_ends_on: datetime.date) -> datetime.date:
    """The first day a transition plan may be started: IOM_TRANSITION_WEEKS before the licence ends."""
    return licence_ends_on - datetime.timedelta(weeks=transition_weeks())


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def may_manage_transition(user: User, assignments: Iterable[CaseAssignment]) -> bool:
    """The current lead professional and the IOM team. `assignments`: the person's current ones."""
    return is_iom_team(user) or is_lead_professional(user, assignments)


# --- The status, in SQL ----------------------------------------------------------------------------


def with_transition_status(nominals: QuerySet[Nominal], on: datetime.date | None = None) -> QuerySet[Nominal]:
    """Annotate each person with transition_status (TransitionStatus) on `on` (today by default), in
    the same query whatever the number of people:
    - complete / in_progress / steps_overdue (a step due before `on` not done): the plan of their
      current period on IOM;
    - due: on the cohort with no plan for this period, their licence ending within
      IOM_TRANSITION_WEEKS of `on` (from exactly that many weeks before), or already ended;
    - not_due: anyone else (not on the cohort, no licence end date, or it is further away)."""
    on = on or today()
    membership = current_memberships(on).filter(nominal=OuterRef("pk")).order_by("-started_on", "-pk")
    plan = TransitionPlan.objects.filter(membership_id=OuterRef("transition_membership_id"))
    overdue_steps = TransitionStep.objects.filter(
        plan__membership_id=OuterRef("transition_membership_id"), done_on__isnull=True, due_on__lt=on
    )
    opens_after = on + datetime.timedelta(weeks=transition_weeks())
    return nominals.annotate(
        transition_membership_id=Subquery(membership.values("pk")[:1]),
    ).annotate(
        transition_status=Case(
            When(transition_membership_id__isnull=True, then=Value(TransitionStatus.NOT_DUE.value)),
            When(
                Exists(plan.filter(status=TransitionPlan.Status.COMPLETE)),
                then=Value(TransitionStatus.COMPLETE.value),
            ),
            When(Exists(overdue_steps), then=Value(TransitionStatus.STEPS_OVERDUE.value)),
            When(Exists(plan), then=Value(TransitionStatus.IN_PROGRESS.value)),
            When(
                Q(licence_ends_on__isnull=True) | Q(licence_ends_on__gt=opens_after),
                then=Value(TransitionStatus.NOT_DUE.value),
            ),
            default=Value(TransitionStatus.DUE.value),
            output_field=CharField(),
        )
    )


# --- Writes ----------------------------------------------------------------------------------------


def check_transition_manager(user: User, nominal: Nominal) -> None:
    """Raise NotAllowed unless the user may manage the person's transition plan."""
    if not may_manage_transition(user, current_assignments_of(nominal)):
        raise NotAllowed(NOT_A_PLANNER)


def _locked_plan(plan: TransitionPlan, version: int) -> TransitionPlan:
    plan = TransitionPlan.objects.select_for_update().select_related("nominal").get(pk=plan.pk)
    if plan.version != version:
        raise StaleVersion(STALE)
    return plan


def _bump(plan: TransitionPlan, *fields: str) -> None:
    plan.version += 1
    plan.save(update_fields=["version", "updated_at", *fields])


@transaction.atomic
def transition_plan_start(*, nominal: Nominal, by: User, notes: str = "") -> TransitionPlan:
    """Start the transition plan of the person's current period on IOM, from IOM_TRANSITION_WEEKS
    before their licence ends."""
    nominal = Nominal.objects.select_for_update().get(pk=nominal.pk)
    check_transition_manager(by, nominal)
    on = today()
    membership = current_memberships(on).filter(nominal=nominal).order_by("-started_on", "-pk").first()
    if membership is None:
        raise StateError(f"{nominal.full_name} is not on the IOM cohort: transition plans are for people on it.")
    if nominal.licence_ends_on is None:
        raise StateError(
            f"{nominal.full_name} has no licence end date recorded: a transition plan is made as a licence ends."
        )
    opens_on = plan_opens_on(nominal.licence_ends_on)
    if on < opens_on:
        raise StateError(
            f"A transition plan can be started from {_day(opens_on)}, {transition_weeks()} weeks before "
            f"{nominal.full_name}'s licence ends on {_day(nominal.licence_ends_on)}."
        )
    if TransitionPlan.objects.filter(membership=membership).exists():
        raise StateError(f"{nominal.full_name} already has a transition plan for this period on IOM.")
    return TransitionPlan.objects.create(
        nominal=nominal,
        membership=membership,
        licence_ends_on=nominal.licence_ends_on,
        notes=notes.strip(),
        created_by=by,
    )


@transaction.atomic
def transition_step_add(
    *,
    plan: TransitionPlan,
    by: User,
    version: int,
    description: str,
    due_on: datetime.date,
    agency: Agency | None = None,
    worker: User | None = None,
) -> TransitionStep:
    """Add a step to a plan in progress: what is handed over, to whom, by when."""
    plan = _locked_plan(plan, version)
    check_transition_manager(by, plan.nominal)
    if plan.status != TransitionPlan.Status.IN_PROGRESS:
        raise StateError("This transition plan is complete: no steps can be added.")
    description = description.strip()
    errors: dict[str, list[str]] = {}
    if not description:
        errors["description"] = ["Enter what the step is"]
    elif len(description) > 300:
        errors["description"] = ["The step must be 300 characters or fewer"]
    earliest = plan_opens_on(plan.licence_ends_on)
    if due_on < earliest:
        errors["due_on"] = [f"The step must be due on or after {_day(earliest)}, when the transition begins"]
    if worker is not None:
        if not worker.is_active:
            errors["worker"] = ["This user's account is not active"]
        elif agency is not None and worker.agency_id != agency.pk:
            errors["worker"] = [f"{worker} works for {worker.agency.name}, not {agency.name}"]
        else:
            agency = worker.agency
    if errors:
        raise ValidationError(errors)
    step = TransitionStep.objects.create(
        plan=plan, description=description, agency=agency, worker=worker, due_on=due_on
    )
    _bump(plan)
    return step


@transaction.atomic
def transition_step_done(
    *, step: TransitionStep, by: User, version: int, done_on: datetime.date | None = None
) -> TransitionStep:
    """Mark a step of a plan in progress done, on the day it was done (today by default)."""
    plan = _locked_plan(step.plan, version)
    check_transition_manager(by, plan.nominal)
    step = TransitionStep.objects.get(pk=step.pk)
    if plan.status != TransitionPlan.Status.IN_PROGRESS:
        raise StateError("This transition plan is complete.")
    if step.done_on is not None:
        raise StateError(f"This step was done on {_day(step.done_on)}.")
    done_on = done_on or today()
    if done_on > today():
        raise ValidationError({"done_on": ["The date the step was done must be today or in the past"]})
    if done_on < plan.created_at.date():
        raise ValidationError(
            {"done_on": [f"The plan was started on {_day(plan.created_at.date())}: the step was done after"]}
        )
    step.done_on = done_on
    step.save(update_fields=["done_on"])
    _bump(plan)
    return step


@transaction.atomic
def transition_plan_complete(*, plan: TransitionPlan, by: User, version: int) -> TransitionPlan:
    """Complete the plan once every step is done."""
    plan = _locked_plan(plan, version)
    check_transition_manager(by, plan.nominal)
    if plan.status == TransitionPlan.Status.COMPLETE:
        raise StateError("This transition plan is already complete.")
    steps = list(plan.steps.all())
    if not steps:
        raise StateError("Add the plan's steps, and mark them done, before completing it.")
    open_steps = [step for step in steps if step.done_on is None]
    if open_steps:
        raise StateError(
            f"{len(open_steps)} step{'s' if len(open_steps) != 1 else ''} not done yet: "
            "a plan is complete when every step is done."
        )
    plan.status = TransitionPlan.Status.COMPLETE
    _bump(plan, "status")
    return plan


# --- Reads -----------------------------------------------------------------------------------------


@dataclass
class TransitionState:
    """The person's transition: whether they are on IOM, the plan of this period with its steps, the
    status, and the licence end date (offending and risk: the caller decides whether to show it)."""

    on_cohort: bool
    plan: TransitionPlan | None
    steps: list[TransitionStep]
    status: TransitionStatus
    licence_ends_on: datetime.date | None

    @property
    def opens_on(self) -> datetime.date | None:
        return plan_opens_on(self.licence_ends_on) if self.licence_ends_on else None

    @property
    def next_step(self) -> TransitionStep | None:
        return next((step for step in self.steps if step.done_on is None), None)

    @property
    def all_done(self) -> bool:
        return bool(self.steps) and all(step.done_on is not None for step in self.steps)

    def step_overdue(self, step: TransitionStep) -> bool:
        return step.done_on is None and step.due_on < today()


def transition_state(nominal: Nominal) -> TransitionState:
    """The person's transition plan now (three queries whatever the number of steps). The caller
    holds the person already scoped to the user."""
    on = today()
    row = (
        with_transition_status(Nominal.objects.filter(pk=nominal.pk), on)
        .values("licence_ends_on", status=F("transition_status"), membership_id=F("transition_membership_id"))
        .get()
    )
    membership_id = row["membership_id"]
    plan = (
        TransitionPlan.objects.filter(membership_id=membership_id).select_related("created_by").first()
        if membership_id
        else None
    )
    steps = list(plan.steps.select_related("agency", "worker__agency").order_by("due_on", "pk")) if plan else []
    return TransitionState(
        on_cohort=membership_id is not None,
        plan=plan,
        steps=steps,
        status=TransitionStatus(row["status"]),
        licence_ends_on=row["licence_ends_on"],
    )


def shown_status(state: TransitionState, licence_shown: bool) -> TransitionStatus | None:
    """The status to show: "due" and "not due" say where the licence end date is, so only to agencies
    that see it; a plan's status to every agency that sees the person."""
    if state.plan is None and not licence_shown:
        return None
    return state.status


def transition_step_of(plan: TransitionPlan, pk: int) -> TransitionStep | None:
    """One step of the plan; None if not one of its steps."""
    return plan.steps.filter(pk=pk).first()
