"""Every write to a nominal's record. Each change that can alter who may see the person updates the
materialised grants in the same transaction, so access follows at once."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.access import GrantChanges, grants_recompute, in_sentence
from cohorts.duplicates.models import PossibleDuplicate
from cohorts.duplicates.services import hidden_same_person, identifier_held_elsewhere, possible_duplicate_raise
from cohorts.management.models import (
    CaseAssignment,
    CohortManagement,
    CohortMembership,
    ManagementLevel,
    PriorityCohort,
    RagAssessment,
    RagRating,
)
from cohorts.models import AccessEvent
from cohorts.records.identifiers import already_recorded, normalise_crn, normalise_pnc_id, normalise_prison_number
from cohorts.records.models import (
    PATHWAY_CATEGORY,
    CaseInvolvement,
    Consent,
    Nominal,
    NominalAlias,
    Pathway,
    PathwayNeed,
    RecordedItem,
)
from cohorts.records.selectors import nominals_visible_to
from cohorts.refusals import refusal_burst_check
from sharing.errors import StaleVersion, StateError
from sharing.models import Agency, DataCategory, User

IDENTIFIER_NORMALISERS = {
    "pnc_id": normalise_pnc_id,
    "crn": normalise_crn,
    "prison_number": normalise_prison_number,
}


def _clean_identifiers(fields: dict[str, Any], *, by: User, exclude_pk: int | None = None) -> dict[str, Any]:
    """Normalise identifiers and check they are free; field errors name the field. One held by a
    record the user may not see is HeldElsewhere, told neutrally (cohorts/duplicates/services.py)."""
    errors: dict[str, list[str]] = {}
    for name, normalise in IDENTIFIER_NORMALISERS.items():
        if name not in fields:
            continue
        raw = (fields[name] or "").strip()
        if not raw:
            fields[name] = None
            continue
        try:
            fields[name] = normalise(raw)
        except ValidationError as error:
            errors[name] = error.messages
            continue
        taken = nominals_visible_to(by).filter(**{name: fields[name]})
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            errors[name] = [already_recorded(name)]
    if errors:
        raise ValidationError(errors)
    for name in IDENTIFIER_NORMALISERS:
        if fields.get(name):
            identifier_held_elsewhere(by, name, fields[name], exclude_pk=exclude_pk)
    return fields


def nominal_dates_check(fields: dict[str, Any]) -> None:
    """The dates of a person's record in a possible order; field errors say which is wrong."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    date_of_birth = fields.get("date_of_birth")
    if date_of_birth is not None and date_of_birth > today:
        errors["date_of_birth"] = ["Date of birth must be in the past"]
    sentence_ends_on, licence_ends_on = fields.get("sentence_ends_on"), fields.get("licence_ends_on")
    if date_of_birth and sentence_ends_on and sentence_ends_on < date_of_birth:
        errors["sentence_ends_on"] = ["Sentence end date must be after the date of birth"]
    if sentence_ends_on and licence_ends_on and licence_ends_on > sentence_ends_on:
        errors["licence_ends_on"] = ["Licence end date must be on or before the sentence end date"]
    if fields.get("mappa_level") and not fields.get("mappa_category"):
        errors["mappa_level"] = ["Choose a MAPPA category before a MAPPA level"]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def nominal_create(*, by: User, aliases: Sequence[dict[str, Any]] = (), **fields: Any) -> Nominal:
    """Record a person. The recording agency is involved from now, so it sees them at once. An
    identifier held by a record the user may not see is refused neutrally (HeldElsewhere: call this
    inside held_elsewhere_reported); the same name and date of birth as such a record is recorded,
    and raises a check for the IOM team (possibly_recorded_elsewhere says so)."""
    fields = _clean_identifiers(dict(fields), by=by)
    nominal_dates_check(fields)
    try:
        nominal = Nominal.objects.create(owning_agency=by.agency, created_by=by, **fields)
    except IntegrityError as error:  # two officers recording the same identifier at once
        raise ValidationError("Another person with one of these identifiers was recorded just now.") from error
    for alias in aliases:
        NominalAlias.objects.create(nominal=nominal, **alias)
    CaseInvolvement.objects.create(
        nominal=nominal,
        agency=by.agency,
        reason=CaseInvolvement.Reason.RECORDED,
        started_on=timezone.localdate(),
    )
    grants_recompute(nominal_ids=[nominal.pk])
    hidden = hidden_same_person(by, nominal)
    if hidden is not None:
        possible_duplicate_raise(
            by=by, existing_id=hidden, reason=PossibleDuplicate.Reason.NAME_AND_BIRTH, recorded=nominal
        )
    return nominal


@transaction.atomic
def nominal_update(*, nominal: Nominal, by: User, **fields: Any) -> Nominal:
    """Change a person's details, as the agency that recorded them; identifiers are re-checked."""
    nominal = Nominal.objects.select_for_update().get(pk=nominal.pk)
    if nominal.owning_agency_id != by.agency_id:
        raise StateError("Only the agency that recorded a person can change their details.")
    fields = _clean_identifiers(dict(fields), by=by, exclude_pk=nominal.pk)
    merged = {
        name: getattr(nominal, name)
        for name in ("date_of_birth", "sentence_ends_on", "licence_ends_on", "mappa_category", "mappa_level")
    }
    merged.update(fields)
    nominal_dates_check(merged)
    for name, value in fields.items():
        setattr(nominal, name, value)
    nominal.save()
    return nominal


@transaction.atomic
def involvement_start(
    *, nominal: Nominal, agency: Agency, reason: str, started_on: datetime.date | None = None
) -> CaseInvolvement:
    """Involve an agency in the case (referral, assignment); it sees the person from now."""
    involvement, _ = CaseInvolvement.objects.get_or_create(
        nominal=nominal,
        agency=agency,
        reason=reason,
        ended_on=None,
        defaults={"started_on": started_on or timezone.localdate()},
    )
    grants_recompute(nominal_ids=[nominal.pk])
    return involvement


@transaction.atomic
def involvement_end(*, involvement: CaseInvolvement, ended_on: datetime.date | None = None) -> CaseInvolvement:
    involvement = CaseInvolvement.objects.select_for_update().get(pk=involvement.pk)
    if involvement.ended_on is not None:
        raise StateError("This involvement has already ended.")
    involvement.ended_on = ended_on or timezone.localdate()
    if involvement.ended_on < involvement.started_on:
        raise ValidationError({"ended_on": ["The end date must be on or after the start date"]})
    involvement.save(update_fields=["ended_on"])
    grants_recompute(nominal_ids=[involvement.nominal_id])
    return involvement


@transaction.atomic
def cohort_membership_start(
    *,
    nominal: Nominal,
    started_on: datetime.date | None = None,
    strand: str = "",
    level: ManagementLevel | None = None,
    priority_cohorts: Sequence[PriorityCohort] = (),
    mappa_level: str = "",
) -> CohortMembership:
    """Put the person on the IOM cohort, managed on a strand at a level where the panel said so;
    agreements covering the cohort reach them from now."""
    nominal = Nominal.objects.select_for_update().get(pk=nominal.pk)
    if CohortMembership.objects.filter(nominal=nominal, ended_on__isnull=True).exists():
        raise StateError(f"{nominal.full_name} is already on the cohort.")
    membership = CohortMembership.objects.create(nominal=nominal, started_on=started_on or timezone.localdate())
    if strand and level is not None:
        management = CohortManagement.objects.create(
            membership=membership, strand=strand, level=level, mappa_level=mappa_level
        )
        management.priority_cohorts.set(priority_cohorts)
    grants_recompute(nominal_ids=[nominal.pk])
    return membership


@transaction.atomic
def rag_assess(*, nominal: Nominal, rating: RagRating, rationale: str, by: User) -> RagAssessment:
    """Give the person a RAG rating; the rationale is required and kept with who and when."""
    if not rationale.strip():
        raise ValidationError({"rationale": ["Give the reason for the rating"]})
    if not rating.is_active:
        raise ValidationError({"rating": ["This rating is no longer in use; choose another"]})
    return RagAssessment.objects.create(nominal=nominal, rating=rating, rationale=rationale.strip(), assessed_by=by)


ASSIGNMENT_INVOLVEMENT = {
    CaseAssignment.Role.LEAD_PROFESSIONAL: CaseInvolvement.Reason.LEAD_PROFESSIONAL,
    CaseAssignment.Role.POLICE_LEAD: CaseInvolvement.Reason.POLICE_LEAD,
    CaseAssignment.Role.KEY_WORKER: CaseInvolvement.Reason.KEY_WORKER,
}


@transaction.atomic
def case_assign(
    *,
    nominal: Nominal,
    role: str,
    worker: User,
    by: User,
    reason: str = "",
    started_on: datetime.date | None = None,
) -> CaseAssignment:
    """Assign a worker to a role in the case, ending whoever held it (a transfer). The worker's
    agency is involved from the start date and the previous agency's involvement in that role ends
    when it no longer holds it, so the sharing grants follow the assignment at once."""
    role = CaseAssignment.Role(role)
    started_on = started_on or timezone.localdate()
    if not worker.is_active:
        raise ValidationError({"worker": ["This person can no longer sign in; choose someone else"]})
    if role == CaseAssignment.Role.POLICE_LEAD and worker.agency.kind != worker.agency.Kind.POLICE:
        raise ValidationError({"worker": ["The IOM police lead officer must work for a police force"]})
    nominal = Nominal.objects.select_for_update().get(pk=nominal.pk)
    current = CaseAssignment.objects.select_for_update().filter(nominal=nominal, role=role, ended_on__isnull=True)
    if role == CaseAssignment.Role.KEY_WORKER:
        current = current.filter(agency=worker.agency)
    if not current.filter(worker=worker).exists():
        # Under the lock, so two transfers at once cannot both skip the reason or overlap.
        case_assignment_check(nominal=nominal, role=role, worker=worker, started_on=started_on, reason=reason)
    reason_for_agency = ASSIGNMENT_INVOLVEMENT[role]
    # The previous holder's last day is the day before; their agency's reason ends with it.
    last_day = started_on - datetime.timedelta(days=1)
    for previous in current.order_by("pk"):
        if previous.worker_id == worker.pk:
            raise StateError(f"{worker} is already the {in_sentence(role.label)}.")
        previous.ended_on = max(last_day, previous.started_on)
        previous.save(update_fields=["ended_on"])
        still_held = CaseAssignment.objects.filter(
            nominal=nominal, role=role, agency_id=previous.agency_id, ended_on__isnull=True
        ).exists()
        if not still_held and previous.agency_id != worker.agency_id:
            CaseInvolvement.objects.filter(
                nominal=nominal, agency_id=previous.agency_id, reason=reason_for_agency, ended_on__isnull=True
            ).update(ended_on=last_day)
    assignment = CaseAssignment.objects.create(
        nominal=nominal,
        role=role,
        worker=worker,
        agency=worker.agency,
        started_on=started_on,
        reason=reason,
        assigned_by=by,
    )
    CaseInvolvement.objects.get_or_create(
        nominal=nominal,
        agency=worker.agency,
        reason=reason_for_agency,
        ended_on=None,
        defaults={"started_on": started_on},
    )
    grants_recompute(nominal_ids=[nominal.pk])
    return assignment


def case_assignment_check(
    *, nominal: Nominal, role: str, worker: User, started_on: datetime.date, reason: str = ""
) -> None:
    """What an assignment page or the API checks before case_assign: the start date is not in the
    future nor before the current holder's, and a transfer gives its reason. Field errors."""
    role = CaseAssignment.Role(role)
    errors: dict[str, list[str]] = {}
    if started_on > timezone.localdate():
        errors["started_on"] = ["The start date must be today or in the past"]
    current = CaseAssignment.objects.filter(nominal=nominal, role=role, ended_on__isnull=True)
    if role == CaseAssignment.Role.KEY_WORKER:
        current = current.filter(agency_id=worker.agency_id)
    holder = current.select_related("worker").order_by("-started_on", "-pk").first()
    if holder is not None and holder.worker_id != worker.pk:
        if not reason.strip():
            errors["reason"] = [f"Give the reason for the transfer from {holder.worker}"]
        if started_on < holder.started_on and "started_on" not in errors:
            errors["started_on"] = [
                f"The start date must be on or after {holder.started_on:%-d %B %Y}, when {holder.worker} started"
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_assignment_end(
    *, assignment: CaseAssignment, by: User, last_day: datetime.date | None = None
) -> CaseAssignment:
    """End a key worker's assignment without a successor: their last day is yesterday unless given.
    As in a transfer, their agency's reason to see the person ends with it, so the grants follow at
    once. A lead professional or police lead is transferred instead (case_assign), never left empty."""
    # The person first, then the assignment: the order case_assign locks them in.
    Nominal.objects.select_for_update().only("pk").get(pk=assignment.nominal_id)
    assignment = (
        CaseAssignment.objects.select_for_update(of=("self",)).select_related("worker", "agency").get(pk=assignment.pk)
    )
    if assignment.role != CaseAssignment.Role.KEY_WORKER:
        raise StateError(f"The {in_sentence(assignment.get_role_display())} is transferred, not ended.")
    if assignment.ended_on is not None:
        raise StateError(f"{assignment.worker}'s assignment as key worker has already ended.")
    last_day = last_day or timezone.localdate() - datetime.timedelta(days=1)
    if last_day > timezone.localdate():
        raise ValidationError({"last_day": ["The last day must be today or in the past"]})
    assignment.ended_on = max(last_day, assignment.started_on)
    assignment.save(update_fields=["ended_on"])
    still_held = CaseAssignment.objects.filter(
        nominal_id=assignment.nominal_id, role=assignment.role, agency_id=assignment.agency_id, ended_on__isnull=True
    ).exists()
    if not still_held:
        CaseInvolvement.objects.filter(
            nominal_id=assignment.nominal_id,
            agency_id=assignment.agency_id,
            reason=ASSIGNMENT_INVOLVEMENT[CaseAssignment.Role.KEY_WORKER],
            ended_on__isnull=True,
        ).update(ended_on=last_day)
    grants_recompute(nominal_ids=[assignment.nominal_id])
    return assignment


@transaction.atomic
def cohort_membership_end(*, nominal: Nominal, ended_on: datetime.date | None = None) -> CohortMembership:
    membership = CohortMembership.objects.select_for_update().filter(nominal=nominal, ended_on__isnull=True).first()
    if membership is None:
        raise StateError(f"{nominal.full_name} is not on the cohort.")
    membership.ended_on = ended_on or timezone.localdate()
    membership.save(update_fields=["ended_on"])
    grants_recompute(nominal_ids=[nominal.pk])
    return membership


@transaction.atomic
def consent_record(
    *,
    nominal: Nominal,
    by: User,
    given: bool,
    agency: Agency | None = None,
    category: DataCategory | None = None,
    recorded_on: datetime.date | None = None,
    note: str = "",
) -> Consent:
    """Record the person's consent to share, or its withdrawal. Items follow at once (rule 2 reads
    consent live); who may see the person does not depend on consent."""
    recorded_on = recorded_on or timezone.localdate()
    if recorded_on > timezone.localdate():
        raise ValidationError({"recorded_on": ["The date consent was given or withdrawn cannot be in the future"]})
    return Consent.objects.create(
        nominal=nominal,
        agency=agency,
        category=category,
        given=given,
        recorded_on=recorded_on,
        recorded_by=by,
        note=note,
    )


@transaction.atomic
def item_record(
    *,
    nominal: Nominal,
    by: User,
    category: DataCategory,
    kind: str,
    summary: str,
    detail: str = "",
    occurred_on: datetime.date | None = None,
) -> RecordedItem:
    """Record an item on the person's record, owned by the recorder's agency."""
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": ["The date must be today or in the past"]})
    return RecordedItem.objects.create(
        nominal=nominal,
        owning_agency=by.agency,
        category=category,
        kind=kind,
        summary=summary,
        detail=detail,
        occurred_on=occurred_on,
        recorded_by=by,
    )


@transaction.atomic
def pathway_need_record(
    *,
    nominal: Nominal,
    by: User,
    pathway: str,
    level: str,
    note: str = "",
    assessed_on: datetime.date | None = None,
) -> PathwayNeed:
    """Record the person's need on a pathway, as an item of the pathway's data category."""
    category = DataCategory.objects.get(code=PATHWAY_CATEGORY[Pathway(pathway)])
    item = item_record(
        nominal=nominal,
        by=by,
        category=category,
        kind=RecordedItem.Kind.NEED,
        summary=f"{Pathway(pathway).label}: {PathwayNeed.Level(level).label.lower()} need",
        detail=note,
        occurred_on=assessed_on,
    )
    return PathwayNeed.objects.create(item=item, pathway=pathway, level=level)


@transaction.atomic
def item_update(*, item: RecordedItem, by: User, version: int, **fields: Any) -> RecordedItem:
    """Change an item your agency owns; refuses a save based on an older version."""
    item = RecordedItem.objects.select_for_update().get(pk=item.pk)
    if item.owning_agency_id != by.agency_id:
        raise StateError("Only the agency that recorded an item can change it.")
    if item.version != version:
        raise StaleVersion("Someone else changed this item while you were editing it. Reload it to see their changes.")
    for name, value in fields.items():
        setattr(item, name, value)
    item.version += 1
    item.save()
    return item


def access_event_record(
    *,
    user: User,
    action: str,
    nominal: Nominal | None = None,
    nominal_ids: Sequence[int] = (),
    categories: Sequence[str] = (),
    allowed_by: str = "",
    reason: str = "",
    query: str = "",
    path: str = "",
) -> AccessEvent:
    """Write one access event (Data Protection Act 2018, s.62). Never updated, never deleted."""
    return AccessEvent.objects.create(
        user=user,
        agency_id=user.agency_id,
        action=action,
        nominal=nominal,
        nominal_ids=list(nominal_ids),
        categories=sorted(set(categories)),
        allowed_by=allowed_by,
        reason=reason,
        query=query[:300],
        path=path[:500],
    )


def access_refusal_record(*, user: User, nominal_id: int | None, reason: str, path: str) -> AccessEvent:
    """Log a refusal while the user is answered 404 or neutrally: a record outside their scope (the
    person it is about), an identifier that belongs to someone they may not see, a sign-in lockout
    (no person). The reason is in words naming no one: the log names a person only to a reader who
    may see them. A burst of refusals tells the user's agency admins (cohorts/refusals.py)."""
    event = AccessEvent.objects.create(
        user=user,
        agency_id=user.agency_id,
        action=AccessEvent.Action.REFUSED,
        nominal_id=nominal_id,
        reason=reason,
        path=path[:500],
    )
    refusal_burst_check(user=user)
    return event


def nominal_search_log(
    *, user: User, nominal_ids: Sequence[int], categories: Sequence[str] = ("identity",), query: str = "", path: str
) -> None:
    """Log that a list or a search showed these people, with what it showed of them (a list that
    names people is a search); nothing when it showed no one."""
    if nominal_ids:
        access_event_record(
            user=user,
            action=AccessEvent.Action.SEARCH,
            nominal_ids=nominal_ids,
            categories=categories,
            query=query,
            path=path,
        )


def nominal_view_log(*, user: User, nominal: Nominal, categories: Sequence[str], path: str) -> AccessEvent:
    """Log that the user consulted part of the person's record (any page or endpoint showing it,
    besides the record itself, which logs its own view with what it showed)."""
    from cohorts.access import reasons_to_see_nominal

    return access_event_record(
        user=user,
        action=AccessEvent.Action.VIEW,
        nominal=nominal,
        categories=categories,
        allowed_by="; ".join(reasons_to_see_nominal(user.agency, nominal)) or "System administration",
        path=path,
    )


def grants_reconcile() -> GrantChanges:
    """The nightly check: make every grant match the rules; anything it fixes is logged."""
    return grants_recompute()
