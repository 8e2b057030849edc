"""Every read of referrals, already scoped to the user.

A referral is seen by whoever may see its person (the sharing grants), except a draft, which only
its referrer and their supervisor see. Its content (why now, criteria, offending, risk, score) is
offending and risk information owned by the referring agency: the IOM team it was sent to reads it
(referrals.services.referral_recipients), and another agency reads it when an agreement in force
shares that category between the two (cohorts/access.py, rule 2)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.http import Http404

from cohorts.access import (
    agency_may_see_item,
    clauses_allowing_category,
    clauses_allowing_row,
    current_involvements,
    today,
)
from cohorts.records.models import CaseInvolvement, RecordedItem
from cohorts.records.selectors import nominals_visible_to
from cohorts.refusals import out_of_scope, refusal_mark
from referrals.models import Referral, ReferralDecision, ReferralNeed
from sharing.models import DataCategory, User
from sharing.roles import is_iom_team


def _content_category_id() -> int | None:
    return DataCategory.objects.filter(code=Referral.CONTENT_CATEGORY).values_list("pk", flat=True).first()


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    """The referrals the user may open, each annotated with content_visible (SQL, no loops)."""
    drafts_they_may_see = Q(referred_by=user) | Q(referred_by__supervisor=user)
    referrals = Referral.objects.filter(nominal__in=nominals_visible_to(user).values("pk")).filter(
        ~Q(status=Referral.Status.DRAFT) | drafts_they_may_see
    )
    category_id = _content_category_id()
    if category_id is None:
        return referrals.annotate(content_visible=Q(referring_agency_id=user.agency_id))
    clauses = clauses_allowing_row(
        user.agency_id, today(), category=Value(category_id), owner_ref="referring_agency", nominal_ref="nominal"
    )
    return referrals.annotate(
        content_visible=Q(referring_agency_id=user.agency_id) | Q(Exists(_received(user))) | Q(Exists(clauses))
    )


def _received(user: User) -> QuerySet[CaseInvolvement]:
    """The user's agency is on the IOM team the referral was sent to (referral_recipients)."""
    return current_involvements(today()).filter(
        nominal=OuterRef("nominal"), agency_id=user.agency_id, reason=CaseInvolvement.Reason.REFERRAL_RECEIVED
    )


def referral_get_for_user(user: User, pk: int) -> Referral:
    """One referral with what its page needs, or 404 when the user may not see it."""
    referral = (
        referrals_visible_to(user)
        .select_related("nominal", "referring_agency", "referred_by", "proposed_level")
        .prefetch_related(
            "priority_cohorts",
            "offences",
            "needs",
            Prefetch(
                "decisions",
                queryset=ReferralDecision.objects.select_related(
                    "decided_by",
                    "ratified_by",
                    "level",
                    "rag",
                    "lead_professional__agency",
                    "police_lead__agency",
                    "agenda_item__meeting",  # "Decided at" a meeting, by the reverse one-to-one
                ),
            ),
            "activities__by__agency",
        )
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        not_found = Http404("No referral found")
        held_for = Referral.objects.filter(pk=pk).values_list("nominal_id", flat=True).first()
        if held_for is not None:  # it exists: a refusal (cohorts/refusals.py)
            refusal_mark(not_found, nominal_id=held_for, reason=out_of_scope(f"referral {pk}"))
        raise not_found
    return referral


def referral_needs_for_user(user: User, referral: Referral, *, content_visible: bool) -> tuple[list[ReferralNeed], int]:
    """The referral's needs the user may read, and how many are withheld: the page's and the API's.
    Once submitted, each need is an item on the person's record, shared by its pathway's category
    (rule 2), whoever may read the rest of the referral; a draft's are the referrer's, with its content."""
    needs = list(referral.needs.all())
    item_ids = [need.item_id for need in needs if need.item_id]
    visible = (
        set(
            RecordedItem.objects.filter(pk__in=item_ids)
            .filter(agency_may_see_item(user.agency_id))
            .values_list("pk", flat=True)
        )
        if item_ids
        else set()
    )
    shown = [need for need in needs if (need.item_id in visible) or (need.item_id is None and content_visible)]
    return shown, len(needs) - len(shown)


def referral_content_visible(user: User, referral: Referral) -> bool:
    annotated = getattr(referral, "content_visible", None)
    if annotated is not None:
        return bool(annotated)
    if referral.referring_agency_id == user.agency_id:
        return True
    if (
        current_involvements(today())
        .filter(
            nominal_id=referral.nominal_id, agency_id=user.agency_id, reason=CaseInvolvement.Reason.REFERRAL_RECEIVED
        )
        .exists()
    ):
        return True
    category = DataCategory.objects.filter(code=Referral.CONTENT_CATEGORY).first()
    return (
        category is not None
        and clauses_allowing_category(
            viewer_agency_id=user.agency_id,
            owner_agency_id=referral.referring_agency_id,
            category=category,
            nominal=referral.nominal,
        ).exists()
    )


@dataclass(frozen=True)
class ReferralFilters:
    statuses: tuple[str, ...] = ()
    strands: tuple[str, ...] = ()
    urgent: bool | None = None
    agency_ids: tuple[int, ...] = ()
    min_score: Decimal | None = None
    to_be_ratified: bool = False
    mine: bool = False  # the user's own referrals and their team's
    query: str = ""


SORTS = {
    "score": ("-score", "submitted_at", "pk"),
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "panel": ("panel_date", "-score", "pk"),
}


def referral_list(user: User, filters: ReferralFilters, sort: str = "score") -> QuerySet[Referral]:
    """The referrals list: the IOM team sees every referral it may see; anyone else their own and
    their team's. Filters apply in SQL; the score filter and sort only use scores the user may read."""
    referrals = referrals_visible_to(user)
    own = Q(referred_by=user) | Q(referred_by__supervisor=user)
    if filters.mine or not is_iom_team(user):
        referrals = referrals.filter(own)
    if filters.statuses:
        referrals = referrals.filter(status__in=filters.statuses)
    if filters.strands:
        referrals = referrals.filter(Q(strand__in=filters.strands) & Q(content_visible=True))
    if filters.urgent is not None:
        referrals = referrals.filter(urgent=filters.urgent)
    if filters.agency_ids:
        referrals = referrals.filter(referring_agency_id__in=filters.agency_ids)
    if filters.min_score is not None:
        referrals = referrals.filter(Q(score__gte=filters.min_score) & Q(content_visible=True))
    if filters.to_be_ratified:
        referrals = referrals.filter(to_be_ratified=True)
    if filters.query.strip():
        text = filters.query.strip()
        referrals = referrals.filter(
            Q(reference__iexact=text)
            | Q(nominal__last_name__istartswith=text)
            | Q(nominal__first_name__istartswith=text)
        )
    order = SORTS.get(sort, SORTS["score"])
    if order[0] == "-score":
        from django.db.models import F

        return referrals.select_related("nominal", "referring_agency", "referred_by").order_by(
            F("score").desc(nulls_last=True), *order[1:]
        )
    return referrals.select_related("nominal", "referring_agency", "referred_by").order_by(*order)


def referrals_to_ratify(user: User) -> QuerySet[Referral]:
    """Urgent decisions taken outside a meeting, for the next panel's agenda."""
    return referrals_visible_to(user).filter(to_be_ratified=True).select_related("nominal").order_by("updated_at")


def referrals_for_nominal(user: User, nominal_id: int) -> QuerySet[Referral]:
    return referrals_visible_to(user).filter(nominal_id=nominal_id).order_by("-created_at")


def eighteenth_birthday_countdown(referral: Referral, on: datetime.date | None = None) -> bool:
    """Y2A key dates are shown for a young person referred before their 18th birthday."""
    from referrals.dates import birthday

    on = on or today()
    return on < birthday(referral.nominal.date_of_birth, 18)
