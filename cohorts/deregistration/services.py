"""Deregistration: a person leaves IOM. The lead professional, or the IOM team, proposes it
with a reason and an explanation; a panel chair ratifies it (or not); the proposer or the IOM team
may withdraw it while it waits.

Ratifying ends the period on IOM on its last day (ends_on: today unless given, not before the period
started, never ahead), ends the case's current assignments (lead professional, police lead, key
workers) and their agencies' reasons to see the person on that day, and recomputes the sharing
grants at once. The record stays: the agency that recorded or referred the person still sees them,
and a partner that saw them only through an agreement covering the cohort no longer does once the
last day has passed (the last day is inclusive, as every period in cohorts/access.py is). The person
can come back through a new referral: a second period on IOM.

Each service is callable on its own (a panel meeting ratifies through it), takes the
person's lock first and then the proposal's, the order case_assign locks in, so two chairs at once
give one decision and a clear message to the second.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from cohorts.deregistration.models import Deregistration
from cohorts.management.models import CaseAssignment, CohortMembership
from cohorts.management.permissions import is_lead_professional
from cohorts.records.models import CaseInvolvement, Nominal
from cohorts.records.selectors import nominals_visible_to
from cohorts.records.services import ASSIGNMENT_INVOLVEMENT, cohort_membership_end
from sharing.errors import NotAllowed, StateError
from sharing.models import User
from sharing.roles import Role, is_iom_team

NOT_A_PROPOSER = "Only the lead professional or the IOM team proposes that a person leave IOM."
NOT_A_CHAIR = "Only a panel chair ratifies a deregistration."
NOT_A_WITHDRAWER = "Only the person who proposed it, or the IOM team, withdraws a proposal to deregister."
# The reasons an agency holds a role in the case through an assignment: they end with the period on
# IOM. Its other reasons (it recorded or referred the person, received the referral, manages them as
# a team, e.g. probation supervising a licence) do not depend on IOM and stay.
CASE_ROLE_REASONS = tuple(ASSIGNMENT_INVOLVEMENT.values())


# --- Who may ---------------------------------------------------------------------------------------


def may_propose(user: User, assignments: Iterable[CaseAssignment]) -> bool:
    """The IOM team (police and probation practitioners, supervisors, panel chairs) and the current
    lead professional. `assignments`: the person's current ones (no query)."""
    return is_iom_team(user) or is_lead_professional(user, assignments)


def may_ratify(user: User) -> bool:
    return user.has_role(Role.PANEL_CHAIR)


def may_withdraw(user: User, deregistration: Deregistration) -> bool:
    return deregistration.proposed_by_id == user.pk or is_iom_team(user)


def check_proposer(user: User, nominal: Nominal) -> None:
    """Raise NotAllowed unless the user may propose that the person leave IOM."""
    if not may_propose(user, _current_assignments(nominal)):
        raise NotAllowed(NOT_A_PROPOSER)


def check_ratifier(user: User) -> None:
    """Raise NotAllowed unless the user may decide a proposal (a panel chair)."""
    if not may_ratify(user):
        raise NotAllowed(NOT_A_CHAIR)


def check_withdrawer(user: User, deregistration: Deregistration) -> None:
    """Raise NotAllowed unless the user may withdraw the proposal."""
    if not may_withdraw(user, deregistration):
        raise NotAllowed(NOT_A_WITHDRAWER)


# --- Services --------------------------------------------------------------------------------------


def _current_assignments(nominal: Nominal) -> QuerySet[CaseAssignment]:
    return CaseAssignment.objects.filter(nominal=nominal, ended_on__isnull=True)


def _locked(deregistration: Deregistration) -> Deregistration:
    """The person's lock, then the proposal's, read afresh."""
    Nominal.objects.select_for_update().only("pk").get(pk=deregistration.nominal_id)
    return (
        Deregistration.objects.select_for_update(of=("self",))
        .select_related("nominal", "membership", "decided_by", "proposed_by")
        .get(pk=deregistration.pk)
    )


def _refuse_unless_proposed(deregistration: Deregistration) -> None:
    """A proposal is decided or withdrawn once; the second chair (or a late withdrawal) is told by whom."""
    if deregistration.status == Deregistration.Status.PROPOSED:
        return
    by = f" by {deregistration.decided_by}" if deregistration.decided_by else ""
    at = f" at {timezone.localtime(deregistration.decided_at):%-d %B %Y %H:%M}" if deregistration.decided_at else ""
    if deregistration.status == Deregistration.Status.WITHDRAWN:
        raise StateError(f"This proposal has already been withdrawn{by}{at}.")
    raise StateError(f"This proposal has already been decided{by}{at}: {deregistration.get_status_display().lower()}.")


@transaction.atomic
def deregistration_propose(*, nominal: Nominal, by: User, reason: str, explanation: str) -> Deregistration:
    """Propose that a person on the cohort leave IOM, with a reason and an explanation; it waits for a
    panel chair. One open proposal per period on IOM."""
    nominal = Nominal.objects.select_for_update().get(pk=nominal.pk)
    membership = CohortMembership.objects.filter(nominal=nominal, ended_on__isnull=True).first()
    if membership is None:
        raise StateError(f"{nominal.full_name} is not on the IOM cohort.")
    check_proposer(by, nominal)
    errors: dict[str, list[str]] = {}
    if reason not in Deregistration.Reason.values:
        errors["reason"] = ["Select why the person should leave IOM"]
    explanation = explanation.strip()
    if not explanation:
        errors["explanation"] = ["Explain why the person should leave IOM"]
    if errors:
        raise ValidationError(errors)
    waiting = (
        Deregistration.objects.filter(membership=membership, status=Deregistration.Status.PROPOSED)
        .select_related("proposed_by")
        .first()
    )
    if waiting is not None:
        raise StateError(
            f"{waiting.proposed_by} already proposed on {timezone.localtime(waiting.proposed_at):%-d %B %Y} that "
            f"{nominal.full_name} leave IOM; a panel chair has yet to decide it."
        )
    try:
        with transaction.atomic():
            return Deregistration.objects.create(
                nominal=nominal, membership=membership, reason=reason, explanation=explanation, proposed_by=by
            )
    except IntegrityError as error:  # the database's guard, should the lock ever be bypassed
        raise StateError("A proposal to deregister this person was made just now.") from error


def ends_on_check(*, ends_on: datetime.date, membership: CohortMembership) -> None:
    """The last day on IOM: today or earlier, not before the period started. Field errors."""
    if ends_on > timezone.localdate():
        raise ValidationError({"ends_on": ["The last day on IOM must be today or in the past"]})
    if ends_on < membership.started_on:
        raise ValidationError(
            {"ends_on": [f"The last day on IOM must be on or after {membership.started_on:%-d %B %Y}, when it started"]}
        )


@transaction.atomic
def deregistration_ratify(
    *, deregistration: Deregistration, by: User, ends_on: datetime.date | None = None, note: str = ""
) -> Deregistration:
    """A panel chair ratifies the proposal: the period on IOM ends on ends_on (today unless given),
    with the case's assignments and their agencies' reasons to see the person, and the sharing
    grants follow at once. The record stays."""
    check_ratifier(by)
    deregistration = _locked(deregistration)
    _refuse_unless_proposed(deregistration)
    membership = deregistration.membership
    if membership.ended_on is not None:
        raise StateError(f"This period on IOM already ended on {membership.ended_on:%-d %B %Y}.")
    ends_on = ends_on or timezone.localdate()
    ends_on_check(ends_on=ends_on, membership=membership)
    nominal = deregistration.nominal
    for assignment in _current_assignments(nominal).select_for_update().order_by("pk"):
        assignment.ended_on = max(ends_on, assignment.started_on)
        assignment.save(update_fields=["ended_on"])
    for involvement in CaseInvolvement.objects.select_for_update().filter(
        nominal=nominal, reason__in=CASE_ROLE_REASONS, ended_on__isnull=True
    ):
        involvement.ended_on = max(ends_on, involvement.started_on)
        involvement.save(update_fields=["ended_on"])
    cohort_membership_end(nominal=nominal, ended_on=ends_on)  # recomputes the grants
    deregistration.status = Deregistration.Status.RATIFIED
    deregistration.decided_by, deregistration.decided_at = by, timezone.now()
    deregistration.decision_note, deregistration.ends_on = note.strip(), ends_on
    deregistration.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "ends_on"])
    return deregistration


@transaction.atomic
def deregistration_not_ratify(*, deregistration: Deregistration, by: User, note: str) -> Deregistration:
    """A panel chair does not ratify the proposal, saying why; the person stays on IOM."""
    check_ratifier(by)
    deregistration = _locked(deregistration)
    _refuse_unless_proposed(deregistration)
    if not note.strip():
        raise ValidationError({"note": ["Say why the proposal is not ratified"]})
    deregistration.status = Deregistration.Status.NOT_RATIFIED
    deregistration.decided_by, deregistration.decided_at = by, timezone.now()
    deregistration.decision_note = note.strip()
    deregistration.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return deregistration


@transaction.atomic
def deregistration_withdraw(*, deregistration: Deregistration, by: User, note: str = "") -> Deregistration:
    """The proposer, or the IOM team, withdraws a proposal still waiting for a panel chair."""
    deregistration = _locked(deregistration)
    check_withdrawer(by, deregistration)
    _refuse_unless_proposed(deregistration)
    deregistration.status = Deregistration.Status.WITHDRAWN
    deregistration.decided_by, deregistration.decided_at = by, timezone.now()
    deregistration.decision_note = note.strip()
    deregistration.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return deregistration


# --- Selectors -------------------------------------------------------------------------------------


def _with_people() -> QuerySet[Deregistration]:
    return Deregistration.objects.select_related("nominal", "membership", "proposed_by__agency", "decided_by__agency")


def deregistrations_waiting(user: User) -> QuerySet[Deregistration]:
    """Proposals waiting for a panel chair, of people the user may see, oldest first."""
    return (
        _with_people()
        .filter(status=Deregistration.Status.PROPOSED, nominal__in=nominals_visible_to(user).values("pk"))
        .order_by("proposed_at", "pk")
    )


def deregistrations_of(nominal: Nominal) -> list[Deregistration]:
    """Every proposal about the person, newest first (one query). The caller holds the person
    already scoped to the user."""
    return list(_with_people().filter(nominal=nominal).order_by("-proposed_at", "-pk"))


def deregistration_get_for_user(user: User, pk: int) -> Deregistration:
    """One proposal, if the user may see its person; Deregistration.DoesNotExist otherwise (a 404)."""
    return _with_people().filter(nominal__in=nominals_visible_to(user).values("pk")).get(pk=pk)


def deregistration_waiting_of(nominal: Nominal) -> Deregistration | None:
    return _with_people().filter(nominal=nominal, status=Deregistration.Status.PROPOSED).first()
