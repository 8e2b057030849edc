"""Every write to agencies' sharing agreements. Each service checks the state it starts from and
who is acting, and tells the grant keeper (sharing.signals.agreement_changed) inside its transaction,
so access follows at once."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from sharing.errors import NotAllowed, StateError
from sharing.models import Agency, DataCategory, SharingAgreement, SharingClause, User
from sharing.roles import Role
from sharing.signals import agreement_changed


@dataclass(frozen=True)
class ClauseSpec:
    category: DataCategory
    consent_required: bool = False


def _require_admin_of_a_party(by: User, agreement: SharingAgreement | None, parties: Iterable[Agency]) -> None:
    if by.has_role(Role.SYSTEM_ADMIN):
        return
    if not by.has_role(Role.AGENCY_ADMIN):
        raise NotAllowed("Only an agency administrator can manage information sharing agreements.")
    if by.agency_id not in {party.pk for party in parties}:
        raise NotAllowed("You can only manage agreements your agency is a party to.")


def _next_reference() -> str:
    last = SharingAgreement.objects.select_for_update().order_by("-id").values_list("id", flat=True).first()
    return f"ISA-{(last or 0) + 1:04d}"


def _notify(agreement: SharingAgreement) -> None:
    agreement_changed.send(
        sender=SharingAgreement,
        agreement=agreement,
        agency_ids=list(agreement.parties.values_list("pk", flat=True)),
    )


@transaction.atomic
def agreement_create(
    *,
    by: User,
    title: str,
    purpose: str,
    legal_basis: str,
    parties: Sequence[Agency],
    clauses: Sequence[ClauseSpec],
    starts_on: datetime.date,
    review_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    legal_basis_detail: str = "",
    document: File | None = None,
) -> SharingAgreement:
    """Draft a new agreement, the drafter's agency a party; it allows nothing until it is activated."""
    parties = [*parties, by.agency] if by.agency not in parties else list(parties)
    _require_admin_of_a_party(by, None, parties)
    agreement = SharingAgreement.objects.create(
        reference=_next_reference(),
        title=title,
        purpose=purpose,
        legal_basis=legal_basis,
        legal_basis_detail=legal_basis_detail,
        starts_on=starts_on,
        review_on=review_on,
        ends_on=ends_on,
        owner_agency=by.agency,
        created_by=by,
    )
    if document is not None:
        agreement.document.save(document.name or "agreement", document, save=True)
    agreement.parties.set(parties)
    agreement_set_clauses(agreement=agreement, clauses=clauses)
    return agreement


def agreement_set_clauses(*, agreement: SharingAgreement, clauses: Sequence[ClauseSpec]) -> None:
    agreement.clauses.all().delete()
    SharingClause.objects.bulk_create(
        SharingClause(
            agreement=agreement, number=number, category=spec.category, consent_required=spec.consent_required
        )
        for number, spec in enumerate(clauses, start=1)
    )


@transaction.atomic
def agreement_update_draft(
    *,
    agreement: SharingAgreement,
    by: User,
    title: str,
    purpose: str,
    legal_basis: str,
    parties: Sequence[Agency],
    clauses: Sequence[ClauseSpec],
    starts_on: datetime.date,
    review_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    legal_basis_detail: str = "",
    document: File | None = None,
) -> SharingAgreement:
    """Change a draft before it is activated; an agreement in force is changed by ending it and
    drafting another, so what was agreed when stays on the record."""
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    _require_admin_of_a_party(by, agreement, agreement.parties.all())
    if agreement.status != SharingAgreement.Status.DRAFT:
        raise StateError("Only a draft can be changed. End this agreement and draft a new one instead.")
    parties = [*parties, by.agency] if by.agency not in parties else list(parties)
    agreement.title, agreement.purpose, agreement.legal_basis = title, purpose, legal_basis
    agreement.legal_basis_detail = legal_basis_detail
    agreement.starts_on, agreement.review_on, agreement.ends_on = starts_on, review_on, ends_on
    agreement.save()
    if document is not None:
        agreement.document.save(document.name or "agreement", document, save=True)
    agreement.parties.set(parties)
    agreement_set_clauses(agreement=agreement, clauses=clauses)
    return agreement


@transaction.atomic
def agreement_attach_document(*, agreement: SharingAgreement, by: User, document: File) -> SharingAgreement:
    """Attach the signed agreement (it is often signed after it was drafted)."""
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    _require_admin_of_a_party(by, agreement, agreement.parties.all())
    if agreement.status == SharingAgreement.Status.ENDED:
        raise StateError("This agreement has ended; its record can no longer be changed.")
    agreement.document.save(document.name or "agreement", document, save=True)
    return agreement


@transaction.atomic
def agreement_activate(*, agreement: SharingAgreement, by: User) -> SharingAgreement:
    """Bring a draft or suspended agreement into force."""
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    _require_admin_of_a_party(by, agreement, agreement.parties.all())
    if agreement.status not in (SharingAgreement.Status.DRAFT, SharingAgreement.Status.SUSPENDED):
        status = agreement.get_status_display().lower()
        raise StateError(f"Only a draft or suspended agreement can be activated; this one is {status}.")
    if agreement.parties.count() < 2:
        raise StateError("An agreement needs at least two agencies as parties before it can be activated.")
    if not agreement.clauses.exists():
        raise StateError("An agreement must share at least one data category before it can be activated.")
    if agreement.ends_on is not None and agreement.ends_on < timezone.localdate():
        raise StateError("This agreement's end date has passed; set a new end date to activate it.")
    agreement.status = SharingAgreement.Status.ACTIVE
    agreement.save(update_fields=["status", "updated_at"])
    _notify(agreement)
    return agreement


@transaction.atomic
def agreement_suspend(*, agreement: SharingAgreement, by: User) -> SharingAgreement:
    """Stop sharing under an agreement at once, keeping it for reactivation."""
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    _require_admin_of_a_party(by, agreement, agreement.parties.all())
    if agreement.status != SharingAgreement.Status.ACTIVE:
        raise StateError(
            f"Only an active agreement can be suspended; this one is {agreement.get_status_display().lower()}."
        )
    agreement.status = SharingAgreement.Status.SUSPENDED
    agreement.save(update_fields=["status", "updated_at"])
    _notify(agreement)
    return agreement


@transaction.atomic
def agreement_end(*, agreement: SharingAgreement, by: User, ends_on: datetime.date | None = None) -> SharingAgreement:
    """End an agreement for good; nothing is shared under it from the end date."""
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    _require_admin_of_a_party(by, agreement, agreement.parties.all())
    if agreement.status == SharingAgreement.Status.ENDED:
        raise StateError("This agreement has already ended.")
    today = timezone.localdate()
    ends_on = ends_on or today
    if ends_on < agreement.starts_on:
        raise StateError("An agreement cannot end before it starts.")
    agreement.ends_on = ends_on
    if ends_on <= today:
        agreement.status = SharingAgreement.Status.ENDED
    agreement.save(update_fields=["status", "ends_on", "updated_at"])
    _notify(agreement)
    return agreement
