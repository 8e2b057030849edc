"""People recorded twice: found without disclosing anyone, checked by the IOM team, and merged.

Recording a person looks at every record, and shows the user only those they may see (the record
form's matches). Where a record they may not see holds the identifier typed, or the same name and
date of birth, the user is told only that the person may be recorded already and that the IOM team
will check; the attempt is kept as a PossibleDuplicate naming both records by id, and the IOM team
finds it in their queue (/people/duplicates/). They resolve it by sharing the record with the
agency (an involvement, the proper route, so the agency sees the person from then), by merging two
records into one, or by saying the two are different people.

A merge moves every row about the person (items, referrals, memberships, assignments, agenda items,
actions, consents, aliases; their history tracks the move) from the merged record to the survivor,
ends the merged record's involvements the survivor has already, gives the survivor the identifiers
it lacked and the merged name as an alias, and leaves the merged record empty, its address leading
to the survivor. It is refused where two rows could not both stand (two periods on IOM now, two
lead professionals) with the reason, and it can be undone for MERGE_UNDO_DAYS, moving the same rows
back. The access log and the change history are not moved: they say what happened to which record.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pghistory.models
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cohorts.access import current_involvements, grants_recompute
from cohorts.duplicates.models import NominalMerge, PossibleDuplicate
from cohorts.models import AccessEvent
from cohorts.records.identifiers import IDENTIFIER_LABELS, already_recorded
from cohorts.records.models import (
    CaseInvolvement,
    Nominal,
    NominalAlias,
    NominalGroupObjectPermission,
    NominalUserObjectPermission,
)
from cohorts.records.names import name_key
from sharing.errors import StateError
from sharing.models import Agency, User
from sharing.roles import Role, is_iom_team

logger = logging.getLogger(__name__)

MERGE_UNDO_DAYS = 30
IDENTIFIERS = tuple(IDENTIFIER_LABELS)
HELD_ELSEWHERE = (
    "This person may already be recorded by another agency. The IOM team will check and, if your agency "
    "should work with them, share their record with you."
)
RECORDED_AND_CHECKED = (
    "This person may also be recorded by another agency: the IOM team will check, and may merge the two records."
)


class HeldElsewhere(ValidationError):
    """An identifier typed is held by a record the user may not see: the user is told neutrally (the
    message names no one), and held_elsewhere_reported raises the check once the attempt is undone."""

    def __init__(self, *, existing_id: int, identifier: str) -> None:
        super().__init__({identifier: [HELD_ELSEWHERE]})
        self.existing_id = existing_id
        self.identifier = identifier


def may_check_duplicates(user: User) -> bool:
    """The IOM team (its practitioners, supervisors and panel chairs) and system administrators."""
    return is_iom_team(user) or user.has_role(Role.SYSTEM_ADMIN)


def survivor_of(nominal_id: int) -> int:
    """The record a merged record's rows went to (following merges of merges), or the record itself."""
    seen: set[int] = set()
    current = nominal_id
    while current not in seen:
        seen.add(current)
        merged_into = Nominal.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        if merged_into is None:
            return current
        current = merged_into
    return current


# --- Found when a person is recorded ---------------------------------------------------------------------


def identifier_held_elsewhere(by: User, name: str, value: str, *, exclude_pk: int | None = None) -> None:
    """Raise HeldElsewhere if a record `by` may not see holds the identifier (the caller has checked
    the records they may see). A merged record that kept it stands for the record kept: the plain
    error if the user may see that one, else HeldElsewhere naming it."""
    from cohorts.records.selectors import nominals_visible_to

    taken = Nominal.objects.filter(**{name: value})
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    holder = taken.values_list("pk", flat=True).first()
    if holder is None or nominals_visible_to(by).filter(pk=holder).exists():
        return
    survivor = survivor_of(holder)
    if survivor != holder and nominals_visible_to(by).filter(pk=survivor).exists():
        raise ValidationError({name: [already_recorded(name)]})
    raise HeldElsewhere(existing_id=survivor, identifier=name)


@contextmanager
def held_elsewhere_reported(by: User, path: str = "") -> Iterator[None]:
    """Around recording a person, outside its transaction: an identifier held by a record the user
    may not see becomes a check for the IOM team once the attempt has been rolled back (the user
    still sees the neutral message), and a refusal in the access log (a burst of them tells the
    agency's admins)."""
    from cohorts.records.services import access_refusal_record

    try:
        yield
    except HeldElsewhere as held:
        with transaction.atomic():
            possible_duplicate_raise(
                by=by,
                existing_id=held.existing_id,
                reason=PossibleDuplicate.Reason.IDENTIFIER,
                identifier=held.identifier,
            )
            access_refusal_record(
                user=by,
                nominal_id=held.existing_id,
                reason=f"A {IDENTIFIER_LABELS[held.identifier]} entered belongs to a person the agency may not see",
                path=path,
            )
        raise


def hidden_same_person(by: User, nominal: Nominal) -> int | None:
    """A record `by` may not see of someone with the same name (as it sounds) and date of birth as
    the person just recorded: the strong match the record form cannot show them."""
    from cohorts.records.selectors import nominals_visible_to

    if nominal.date_of_birth is None:
        return None
    same = (
        Nominal.objects.filter(
            last_name_key=name_key(nominal.last_name),
            first_name_key=name_key(nominal.first_name),
            date_of_birth=nominal.date_of_birth,
            merged_into__isnull=True,
        )
        .exclude(pk=nominal.pk)
        .exclude(pk__in=nominals_visible_to(by).values("pk"))
        .order_by("pk")
    )
    return same.values_list("pk", flat=True).first()


def possible_duplicate_raise(
    *, by: User, existing_id: int, reason: str, identifier: str = "", recorded: Nominal | None = None
) -> PossibleDuplicate:
    """Keep the attempt for the IOM team: one open check per record, agency and identifier attempt
    (a retry counts another attempt), or one per record made. Logged, naming ids only."""
    with transaction.atomic():
        if recorded is None:
            duplicate, created = PossibleDuplicate.objects.select_for_update().get_or_create(
                existing_id=existing_id,
                agency=by.agency,
                reason=reason,
                recorded=None,
                status=PossibleDuplicate.Status.OPEN,
                defaults={"identifier": identifier, "raised_by": by},
            )
            if not created:
                duplicate.attempts += 1
                duplicate.save(update_fields=["attempts"])
        else:
            duplicate = PossibleDuplicate.objects.create(
                existing_id=existing_id, recorded=recorded, agency=by.agency, reason=reason, raised_by=by
            )
    logger.warning(
        "Possible duplicate %s: user %s (agency %s) recording a person held as record %s (%s)",
        duplicate.pk,
        by.pk,
        by.agency_id,
        existing_id,
        reason,
    )
    return duplicate


def possibly_recorded_elsewhere(nominal: Nominal) -> bool:
    """Whether recording this person raised a check (a record the user may not see matched)."""
    return PossibleDuplicate.objects.filter(recorded=nominal).exists()


# --- The IOM team's queue ----------------------------------------------------------------------------------


def duplicates_for_user(user: User, *, open_only: bool = True) -> QuerySet[PossibleDuplicate]:
    """The checks the user may work: all, for the IOM team and system administrators; none otherwise."""
    if not may_check_duplicates(user):
        return PossibleDuplicate.objects.none()
    checks = PossibleDuplicate.objects.select_related("existing", "recorded", "agency", "raised_by", "resolved_by")
    if open_only:
        checks = checks.filter(status=PossibleDuplicate.Status.OPEN)
    return checks.order_by("-raised_at", "-pk")


def duplicate_get_for_user(user: User, pk: int) -> PossibleDuplicate:
    duplicate = duplicates_for_user(user, open_only=False).filter(pk=pk).first()
    if duplicate is None:
        raise PossibleDuplicate.DoesNotExist
    return duplicate


def duplicate_check_log(*, user: User, duplicate: PossibleDuplicate, path: str) -> None:
    """The IOM team read both records' identity to check them: logged, with the check as the reason."""
    from cohorts.records.services import access_event_record

    for nominal in (duplicate.existing, duplicate.recorded):
        if nominal is not None:
            access_event_record(
                user=user,
                action=AccessEvent.Action.VIEW,
                nominal=nominal,
                categories=["identity"],
                allowed_by="The IOM team's duplicate check",
                reason=f"Possible duplicate {duplicate.pk}",
                path=path,
            )


def _resolve(duplicate: PossibleDuplicate, by: User, status: str) -> PossibleDuplicate:
    if duplicate.status != PossibleDuplicate.Status.OPEN:
        raise StateError("This check has already been resolved.")
    duplicate.status, duplicate.resolved_by, duplicate.resolved_at = status, by, timezone.now()
    duplicate.save(update_fields=["status", "resolved_by", "resolved_at"])
    return duplicate


@transaction.atomic
def duplicate_share(*, duplicate: PossibleDuplicate, by: User) -> PossibleDuplicate:
    """Share the existing record with the agency that tried to record the person: the proper route,
    an involvement, so the agency sees them from now as any involved agency does."""
    duplicate = PossibleDuplicate.objects.select_for_update().get(pk=duplicate.pk)
    if not may_check_duplicates(by):
        raise StateError("Only the IOM team checks possible duplicates.")
    existing = Nominal.objects.get(pk=survivor_of(duplicate.existing_id))
    CaseInvolvement.objects.get_or_create(
        nominal=existing,
        agency_id=duplicate.agency_id,
        reason=CaseInvolvement.Reason.SHARED_AFTER_CHECK,
        ended_on=None,
        defaults={"started_on": timezone.localdate()},
    )
    grants_recompute(nominal_ids=[existing.pk])
    return _resolve(duplicate, by, PossibleDuplicate.Status.SHARED)


@transaction.atomic
def duplicate_dismiss(*, duplicate: PossibleDuplicate, by: User) -> PossibleDuplicate:
    """Not the same person: the check is closed, the records stay as they are."""
    duplicate = PossibleDuplicate.objects.select_for_update().get(pk=duplicate.pk)
    if not may_check_duplicates(by):
        raise StateError("Only the IOM team checks possible duplicates.")
    return _resolve(duplicate, by, PossibleDuplicate.Status.NOT_DUPLICATE)


# --- Merging -----------------------------------------------------------------------------------------------

# Rows about the person that are not moved: the access log and the change history (what happened to
# which record), the grants (recomputed), and the checks and merges themselves.
NOT_MOVED: tuple[type[models.Model], ...] = (
    Nominal,
    AccessEvent,
    NominalGroupObjectPermission,
    NominalUserObjectPermission,
    PossibleDuplicate,
    NominalMerge,
)


def moved_relations() -> list[tuple[type[models.Model], str]]:
    """Every model with a foreign key to the person that a merge moves, with the key's name."""
    relations = []
    for relation in Nominal._meta.get_fields(include_hidden=True):
        if not (relation.one_to_many and relation.auto_created and not relation.concrete):
            continue
        model = relation.related_model
        if model is None or not isinstance(model, type):
            continue
        if issubclass(model, NOT_MOVED) or issubclass(model, pghistory.models.Event):
            continue
        relations.append((model, relation.field.name))  # type: ignore[union-attr]
    return sorted(relations, key=lambda pair: pair[0]._meta.label)


@dataclass
class MergePreview:
    """What a merge would move (counts by kind), and why it cannot be done, if it cannot."""

    survivor: Nominal
    merged: Nominal
    moves: list[str] = field(default_factory=list)  # "2 recorded items", by kind
    involvements_ended: int = 0
    identifiers: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def possible(self) -> bool:
        return not self.problems


def _problems(survivor: Nominal, merged: Nominal) -> list[str]:
    from cohorts.management.models import CaseAssignment, CohortMembership

    problems = []
    if survivor.pk == merged.pk:
        problems.append("A record cannot be merged into itself.")
    if merged.merged_into_id is not None or survivor.merged_into_id is not None:
        problems.append("One of these records has been merged already.")
    open_memberships = CohortMembership.objects.filter(nominal__in=[survivor, merged], ended_on__isnull=True)
    if open_memberships.values("nominal").distinct().count() == 2:
        problems.append("Both records are on the IOM cohort now: end one period on IOM first.")
    current = CaseAssignment.objects.filter(nominal__in=[survivor, merged], ended_on__isnull=True)
    for role in current.values_list("role", flat=True).distinct():
        if (
            role != CaseAssignment.Role.KEY_WORKER
            and current.filter(role=role).values("nominal").distinct().count() == 2
        ):
            label = CaseAssignment.Role(role).label
            problems.append(f"Both records have a {label[:1].lower() + label[1:]} now: end one first.")
    return problems


def merge_preview(*, survivor: Nominal, merged: Nominal) -> MergePreview:
    """What merging `merged` into `survivor` moves, and what stops it, tried in a transaction that is
    rolled back (so a clash no rule above foresaw is found too)."""
    preview = MergePreview(survivor=survivor, merged=merged, problems=_problems(survivor, merged))
    for model, key in moved_relations():
        count = model._default_manager.filter(**{key: merged}).count()
        if count:
            name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
            preview.moves.append(f"{count} {name}")
    preview.identifiers = {
        name: getattr(merged, name) for name in IDENTIFIERS if getattr(merged, name) and not getattr(survivor, name)
    }
    preview.involvements_ended = _involvements_to_end(survivor, merged).count()
    if preview.possible:
        try:
            with transaction.atomic():
                _merge_rows(survivor=survivor, merged=merged)
                transaction.set_rollback(True)
        except IntegrityError as error:
            constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or "a rule"
            preview.problems.append(f"The two records clash ({constraint}): put one right first.")
    return preview


def _involvements_to_end(survivor: Nominal, merged: Nominal) -> QuerySet[CaseInvolvement]:
    """The merged record's open involvements the survivor has already (same agency and reason)."""
    survivor_has = CaseInvolvement.objects.filter(
        nominal=survivor, ended_on__isnull=True, agency=models.OuterRef("agency"), reason=models.OuterRef("reason")
    )
    return CaseInvolvement.objects.filter(nominal=merged, ended_on__isnull=True).filter(models.Exists(survivor_has))


def _merge_rows(*, survivor: Nominal, merged: Nominal) -> tuple[dict[str, list[int]], list[int]]:
    ended = list(_involvements_to_end(survivor, merged).values_list("pk", flat=True))
    CaseInvolvement.objects.filter(pk__in=ended).update(ended_on=timezone.localdate())
    moved: dict[str, list[int]] = {}
    for model, key in moved_relations():
        rows = model._default_manager.filter(**{key: merged})
        if model is CaseInvolvement:
            rows = rows.exclude(pk__in=ended)
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            model._default_manager.filter(pk__in=ids).update(**{key: survivor})
            moved[model._meta.label] = ids
    return moved, ended


@transaction.atomic
def nominal_merge(
    *, survivor: Nominal, merged: Nominal, by: User, duplicate: PossibleDuplicate | None = None
) -> NominalMerge:
    """Merge `merged` into `survivor` (the IOM team, after the preview): see the module's docstring."""
    if not may_check_duplicates(by):
        raise StateError("Only the IOM team merges records.")
    survivor, merged = (Nominal.objects.select_for_update().get(pk=pk) for pk in (survivor.pk, merged.pk))
    problems = _problems(survivor, merged)
    if problems:
        raise StateError(" ".join(problems))
    moved, ended = _merge_rows(survivor=survivor, merged=merged)
    identifiers = {
        name: getattr(merged, name) for name in IDENTIFIERS if getattr(merged, name) and not getattr(survivor, name)
    }
    for name in identifiers:
        setattr(merged, name, None)
    merged.merged_into = survivor
    merged.save()
    for name, value in identifiers.items():
        setattr(survivor, name, value)
    survivor.save()
    alias = None
    spelled = (merged.first_name.casefold(), merged.last_name.casefold())
    if spelled != (survivor.first_name.casefold(), survivor.last_name.casefold()) or (
        merged.date_of_birth != survivor.date_of_birth
    ):
        alias = NominalAlias.objects.create(
            nominal=survivor,
            first_name=merged.first_name,
            last_name=merged.last_name,
            date_of_birth=merged.date_of_birth,
        )
    if duplicate is not None:
        duplicate = PossibleDuplicate.objects.select_for_update().get(pk=duplicate.pk)
        _resolve(duplicate, by, PossibleDuplicate.Status.MERGED)
    grants_recompute(nominal_ids=[survivor.pk, merged.pk])
    return NominalMerge.objects.create(
        survivor=survivor,
        merged=merged,
        duplicate=duplicate,
        by=by,
        moved=moved,
        ended_involvements=ended,
        identifiers=identifiers,
        alias=alias,
    )


def merge_undoable(merge: NominalMerge, on: datetime.datetime | None = None) -> bool:
    on = on or timezone.now()
    return merge.undone_at is None and on - merge.at <= datetime.timedelta(days=MERGE_UNDO_DAYS)


@transaction.atomic
def nominal_merge_undo(*, merge: NominalMerge, by: User) -> NominalMerge:
    """Put the two records back as they were before the merge, within MERGE_UNDO_DAYS: the rows it
    moved go back (those added to the survivor since stay), the involvements it ended reopen, the
    identifiers and the alias it gave the survivor are taken back. The check it resolved reopens."""
    merge = NominalMerge.objects.select_for_update().get(pk=merge.pk)
    if not may_check_duplicates(by):
        raise StateError("Only the IOM team undoes a merge.")
    if not merge_undoable(merge):
        raise StateError(f"A merge can be undone for {MERGE_UNDO_DAYS} days, once; this one cannot be now.")
    survivor = Nominal.objects.select_for_update().get(pk=merge.survivor_id)
    merged = Nominal.objects.select_for_update().get(pk=merge.merged_id)
    relations = {model._meta.label: (model, key) for model, key in moved_relations()}
    for label, ids in merge.moved.items():
        model, key = relations[label]
        model._default_manager.filter(pk__in=ids, **{key: survivor}).update(**{key: merged})
    CaseInvolvement.objects.filter(pk__in=merge.ended_involvements).update(ended_on=None)
    for name in merge.identifiers:
        setattr(survivor, name, None)
    survivor.save()
    for name, value in merge.identifiers.items():
        setattr(merged, name, value)
    merged.merged_into = None
    merged.save()
    if merge.alias_id is not None:
        NominalAlias.objects.filter(pk=merge.alias_id).delete()
    if merge.duplicate_id is not None:
        PossibleDuplicate.objects.filter(pk=merge.duplicate_id).update(
            status=PossibleDuplicate.Status.OPEN, resolved_by=None, resolved_at=None
        )
    grants_recompute(nominal_ids=[survivor.pk, merged.pk])
    merge.undone_by, merge.undone_at = by, timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    return merge


def merges_for_user(user: User) -> QuerySet[NominalMerge]:
    if not may_check_duplicates(user):
        return NominalMerge.objects.none()
    return NominalMerge.objects.select_related("survivor", "merged", "by", "undone_by").order_by("-at", "-pk")


def agencies_involved(nominal: Nominal) -> list[Agency]:
    """The agencies that hold the record now (for the check page: who the two records belong to)."""
    ids = current_involvements(timezone.localdate()).filter(nominal=nominal).values("agency")
    return list(Agency.objects.filter(Q(pk__in=ids) | Q(pk=nominal.owning_agency_id)).order_by("name"))
