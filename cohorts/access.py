"""The sharing rules (DESIGN.md, "The permission model"), written once, as SQL expressions.

1. An agency may see a nominal if it is involved in their case (it recorded or referred them, or
   holds a role in it), or if it is party to an agreement in force and the nominal is on the cohort.
2. A user sees an item if their agency owns it, or an agreement in force, to which both agencies
   are parties, has a clause for the item's category (and, where the clause asks, the person's
   consent is in place).

Rule 1 is materialised as django-guardian object permissions on the nominal for each agency's
group (recomputed by grants_recompute on every change, reconciled nightly), so that lists filter
by a join. Rule 2 is evaluated in SQL wherever items are read.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone

from cohorts.management.models import CohortMembership
from cohorts.records.models import CaseInvolvement, Consent, Nominal, NominalGroupObjectPermission, RecordedItem
from sharing.models import Agency, DataCategory, SharingAgreement, SharingClause

logger = logging.getLogger(__name__)


def today() -> datetime.date:
    return timezone.localdate()


# --- Rule 1: which nominals an agency may see ------------------------------------------------------


def current_involvements(on: datetime.date) -> QuerySet[CaseInvolvement]:
    return CaseInvolvement.objects.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))


def current_memberships(on: datetime.date) -> QuerySet[CohortMembership]:
    return CohortMembership.objects.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))


def agency_may_see_nominal(agency_id: int, on: datetime.date | None = None) -> Q:
    """Rule 1 for one agency, as a filter on Nominal."""
    on = on or today()
    involved = current_involvements(on).filter(nominal=OuterRef("pk"), agency_id=agency_id)
    on_cohort = current_memberships(on).filter(nominal=OuterRef("pk"))
    party_to_agreement_in_force = SharingAgreement.objects.in_force(on).filter(parties=agency_id)
    return Q(Exists(involved)) | (Q(Exists(on_cohort)) & Q(Exists(party_to_agreement_in_force)))


def view_nominal_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="cohorts", codename="view_nominal")


@dataclass(frozen=True)
class GrantChanges:
    added: int
    removed: int

    @property
    def total(self) -> int:
        return self.added + self.removed


def grants_recompute(
    *, agency_ids: Iterable[int] | None = None, nominal_ids: Iterable[int] | None = None
) -> GrantChanges:
    """Make the materialised grants match rule 1 for these agencies (default: all) and these
    nominals (default: all). Safe to run any number of times; returns what it changed."""
    permission = view_nominal_permission()
    agencies = Agency.objects.filter(permission_group__isnull=False)
    if agency_ids is not None:
        agencies = agencies.filter(pk__in=list(agency_ids))
    nominal_scope = list(nominal_ids) if nominal_ids is not None else None
    added = removed = 0
    for agency_id, group_id in agencies.order_by("pk").values_list("pk", "permission_group_id"):
        visible = Nominal.objects.filter(agency_may_see_nominal(agency_id))
        granted = NominalGroupObjectPermission.objects.filter(group_id=group_id, permission=permission)
        if nominal_scope is not None:
            visible = visible.filter(pk__in=nominal_scope)
            granted = granted.filter(content_object_id__in=nominal_scope)
        should = set(visible.values_list("pk", flat=True))
        has = set(granted.values_list("content_object_id", flat=True))
        to_add, to_remove = should - has, has - should
        if to_add:
            NominalGroupObjectPermission.objects.bulk_create(
                [
                    NominalGroupObjectPermission(group_id=group_id, permission=permission, content_object_id=pk)
                    for pk in sorted(to_add)
                ],
                ignore_conflicts=True,
            )
        if to_remove:
            granted.filter(content_object_id__in=to_remove).delete()
        added, removed = added + len(to_add), removed + len(to_remove)
    return GrantChanges(added=added, removed=removed)


def view_nominal_permission_id() -> Subquery:
    """The view_nominal permission's id, as a scalar subquery for filtering grants.

    Grants are matched by this id, not by joining auth_permission on its codename: with the join,
    PostgreSQL misjudges how many grants an agency has by two orders of magnitude and picks a nested
    loop (measured by `manage.py benchmark`)."""
    return Subquery(
        Permission.objects.filter(content_type__app_label="cohorts", codename="view_nominal").values("pk")[:1]
    )


def grants_on_row(permission_group_id: int, *, nominal_ref: str = "pk") -> QuerySet[NominalGroupObjectPermission]:
    """The agency group's grants (rule 1) on the outer row's person: nominal_ref names the row's
    column holding the person ("pk" on Nominal, "nominal" on a row about one), for an Exists."""
    return NominalGroupObjectPermission.objects.filter(
        content_object=OuterRef(nominal_ref), group_id=permission_group_id, permission_id=view_nominal_permission_id()
    )


def granted_nominals(agency: Agency) -> QuerySet[Nominal]:
    """The nominals the agency's grants reach, for lists and lookups."""
    if agency.permission_group_id is None:
        return Nominal.objects.none()
    return Nominal.objects.filter(Exists(grants_on_row(agency.permission_group_id)))


# --- Rule 2: which items a user's agency may see ----------------------------------------------------


def clauses_allowing_row(
    viewer_agency_id: int, on: datetime.date, *, category: Any, owner_ref: str, nominal_ref: str
) -> QuerySet[SharingClause]:
    """Rule 2 for the outer row of any table, for an Exists: the clauses in force between the
    viewer's agency and the row's owner (owner_ref: the row's column) for the category (an
    expression: the row's column, or a value), the consent of the row's person (nominal_ref) met
    where a clause asks for it. clauses_allowing_category says the same of one person's data."""
    consent = (
        Consent.objects.filter(nominal=OuterRef(OuterRef(nominal_ref)), recorded_on__lte=on)
        .filter(Q(agency__isnull=True) | Q(agency_id=viewer_agency_id))
        .filter(Q(category__isnull=True) | Q(category=OuterRef("category")))  # the clause's, the same
        .order_by("-recorded_on", "-recorded_at", "-pk")
        .values("given")[:1]
    )
    return (
        SharingClause.objects.filter(
            category=category,
            agreement__status=SharingAgreement.Status.ACTIVE,
            agreement__starts_on__lte=on,
        )
        .filter(Q(agreement__ends_on__isnull=True) | Q(agreement__ends_on__gte=on))
        .filter(agreement__parties=viewer_agency_id)
        .filter(agreement__parties=OuterRef(owner_ref))
        .annotate(consent_given=Subquery(consent))
        .filter(Q(consent_required=False) | Q(consent_given=True))
    )


def agency_may_see_item(viewer_agency_id: int, on: datetime.date | None = None) -> Q:
    """Rule 2 for one agency, as a filter on RecordedItem."""
    on = on or today()
    clauses = clauses_allowing_row(
        viewer_agency_id, on, category=OuterRef("category"), owner_ref="owning_agency", nominal_ref="nominal"
    )
    return Q(owning_agency_id=viewer_agency_id) | Q(Exists(clauses))


def agency_may_see_offending_and_risk(viewer_agency_id: int, on: datetime.date | None = None) -> Q:
    """Rule 2 for a person's own offending and risk fields (licence end, OGRS, MAPPA ...), owned by
    the agency that recorded them, as a filter on Nominal: what offending_and_risk_shared says of
    one person, for lists that filter or sort by those fields.

    The agreements in force are read first (one query): the owners that share the category with
    the viewer outright become a plain IN list, and only those that share it with consent cost a
    subquery of the row (the person's latest consent), so a list of thousands stays cheap."""
    on = on or today()
    shared = (
        SharingClause.objects.filter(
            category__code=Nominal.OFFENDING_AND_RISK_CATEGORY,
            agreement__in=SharingAgreement.objects.in_force(on).filter(parties=viewer_agency_id),
        )
        .values_list("agreement__parties", "consent_required")
        .order_by()
    )
    outright: set[int] = set()
    with_consent: set[int] = set()
    for owner_id, consent_required in shared:
        (with_consent if consent_required else outright).add(owner_id)
    with_consent -= outright
    allowed = Q(owning_agency_id=viewer_agency_id) | Q(owning_agency_id__in=sorted(outright))
    if with_consent:
        category = DataCategory.objects.filter(code=Nominal.OFFENDING_AND_RISK_CATEGORY).values("pk")[:1]
        latest_consent = (
            Consent.objects.filter(nominal=OuterRef("pk"), recorded_on__lte=on)
            .filter(Q(agency__isnull=True) | Q(agency_id=viewer_agency_id))
            .filter(Q(category__isnull=True) | Q(category_id=Subquery(category)))
            .order_by("-recorded_on", "-recorded_at", "-pk")
            .values("given")[:1]
        )
        # No consent recorded at all is no consent: false, never NULL, so that every use of the rule
        # (a filter, a flag, "shown where false") reads it the same way.
        consent_given = Coalesce(Subquery(latest_consent), Value(False))
        allowed |= Q(owning_agency_id__in=sorted(with_consent)) & Q(Exact(consent_given, Value(True)))
    return allowed


def clauses_allowing_category(
    *,
    viewer_agency_id: int,
    owner_agency_id: int,
    category: DataCategory,
    nominal: Nominal,
    on: datetime.date | None = None,
) -> QuerySet[SharingClause]:
    """The clauses that let the viewer see the owner's data of this category about this person."""
    on = on or today()
    consent = (
        Consent.objects.filter(nominal=nominal, recorded_on__lte=on)
        .filter(Q(agency__isnull=True) | Q(agency_id=viewer_agency_id))
        .filter(Q(category__isnull=True) | Q(category=category))
        .order_by("-recorded_on", "-recorded_at", "-pk")
        .values("given")[:1]
    )
    return (
        SharingClause.objects.filter(category=category, agreement__in=SharingAgreement.objects.in_force(on))
        .filter(agreement__parties=viewer_agency_id)
        .filter(agreement__parties=owner_agency_id)
        .annotate(consent_given=Subquery(consent))
        .filter(Q(consent_required=False) | Q(consent_given=True))
        .select_related("agreement", "category")
        .order_by("agreement__reference", "number")
    )


def offending_and_risk_shared(viewer: Agency, nominal: Nominal) -> bool:
    if nominal.owning_agency_id == viewer.pk:
        return True
    category = DataCategory.objects.filter(code=Nominal.OFFENDING_AND_RISK_CATEGORY).first()
    if category is None:
        return False
    return clauses_allowing_category(
        viewer_agency_id=viewer.pk,
        owner_agency_id=nominal.owning_agency_id,
        category=category,
        nominal=nominal,
    ).exists()


# --- "Why can I see this?" --------------------------------------------------------------------------


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Lead professional" → "lead professional", "IOM police lead" kept."""
    first_word = label.split(" ", 1)[0]
    return label if first_word.isupper() else label[:1].lower() + label[1:]


def reasons_to_see_nominal(agency: Agency, nominal: Nominal, on: datetime.date | None = None) -> list[str]:
    """Each reason the agency may see the person, in words: an involvement or an agreement."""
    on = on or today()
    reasons = [
        f"Your agency: {in_sentence(involvement.get_reason_display())} (since {involvement.started_on:%-d %B %Y})"
        for involvement in current_involvements(on).filter(nominal=nominal, agency=agency).order_by("started_on")
    ]
    membership = current_memberships(on).filter(nominal=nominal).first()
    if membership is not None:
        for agreement in SharingAgreement.objects.in_force(on).filter(parties=agency).order_by("reference"):
            reasons.append(
                f"{agreement.reference} {agreement.title}: covers everyone on the IOM cohort "
                f"(on the cohort since {membership.started_on:%-d %B %Y})"
            )
    return reasons


def reasons_to_see_item(agency: Agency, item: RecordedItem) -> list[str]:
    if item.owning_agency_id == agency.pk:
        return ["Your agency recorded it."]
    return [
        f"{clause.agreement.reference} {clause.agreement.title}, clause {clause.number}: shares "
        f"{clause.category.name.lower()} between {item.owning_agency.name} and your agency"
        + (" with the person's consent" if clause.consent_required else "")
        for clause in clauses_allowing_category(
            viewer_agency_id=agency.pk,
            owner_agency_id=item.owning_agency_id,
            category=item.category,
            nominal=item.nominal,
        )
    ]
