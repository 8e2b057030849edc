"""GPS tagging: the periods a GPS tag is fitted to a person, and the location "hits" the
central monitoring team notifies (the tag was near a crime scene), with their outcome.

Both are intelligence items (a RecordedItem of kind "tag" or "tag_hit", category "intelligence")
owned by the recording agency, with a TagPeriod or a TagHit hung off it, so the sharing rules
(cohorts/access.py, rule 2) decide who reads them. Intelligence is a sensitive category: pages show
tag periods and hits only once the user has given a reason, logged (the person page's mechanism:
one reason unlocks the person's sensitive items for half an hour); without it, only counts.

The rules:
- a tag is fitted today or in the past, and is due to come off after it was fitted; on a licence
  condition it is due off at most 12 months after fitting (TAG_LICENCE_MONTHS);
- a person wears one tag at a time: no tag may be fitted while another is on (not removed), nor
  over the time another was on (a tag removed on the day a new one is fitted does not overlap);
- a tag is removed once, on or after the day it was fitted and of its last hit, not in the future,
  with a reason;
- a hit is notified within the tag period (from fitting to removal, or to the day the tag is due
  off while it is on), not in the future, with the crime reference;
- a hit's outcome goes once from pending to ruled in or ruled out, dated on or after the day the
  hit was notified and not in the future.

Who records (may_record_tags): practitioners, supervisors and panel chairs of the IOM unit's
agencies (police and probation, IOM_UNIT_AGENCY_KINDS) whose agency may see the person (the
caller's business: it holds the person already scoped to the user).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q

from cohorts.access import agency_may_see_item, today
from cohorts.dates import add_months
from cohorts.records.models import Nominal, RecordedItem
from cohorts.records.services import item_record
from cohorts.tags.models import TagHit, TagPeriod
from sharing.errors import NotAllowed, StateError
from sharing.models import DataCategory, User
from sharing.roles import is_iom_team

TAG_CATEGORY = "intelligence"
TAG_LICENCE_MONTHS = 12
NOT_A_TAG_RECORDER = (
    "GPS tags and their location hits are recorded by practitioners, supervisors and panel chairs of the IOM team "
    "(police and probation)."
)


def may_record_tags(user: User) -> bool:
    """Practitioners, supervisors and panel chairs of the IOM unit's agencies (police and probation)."""
    return is_iom_team(user)


def check_tag_recorder(user: User) -> None:
    """Raise NotAllowed unless the user may record GPS tags."""
    if not may_record_tags(user):
        raise NotAllowed(NOT_A_TAG_RECORDER)


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def _tag_summary(tag: TagPeriod) -> str:
    summary = f"GPS tag ({tag.get_basis_display().lower()}) fitted {_day(tag.fitted_on)}"
    if tag.removed_on is not None:
        return f"{summary}, removed {_day(tag.removed_on)}"
    return f"{summary}, due off by {_day(tag.ends_by)}"


def _hit_summary(hit: TagHit) -> str:
    return f"GPS tag location hit, crime reference {hit.crime_reference}: {hit.get_outcome_display().lower()}"


def _item_resummarise(item: RecordedItem, summary: str) -> None:
    item.summary = summary
    item.version += 1
    item.save(update_fields=["summary", "version", "updated_at"])


def tag_period_end(tag: TagPeriod) -> datetime.date:
    """The last day of the tag period: the day it was removed, or the day it is due off."""
    return tag.removed_on if tag.removed_on is not None else tag.ends_by


# --- Writes ----------------------------------------------------------------------------------------


@transaction.atomic
def tag_fit(
    *,
    nominal: Nominal,
    by: User,
    fitted_on: datetime.date,
    ends_by: datetime.date,
    basis: str = TagPeriod.Basis.LICENCE,
    note: str = "",
) -> TagPeriod:
    """Record a GPS tag fitted to the person: an intelligence item owned by the recorder's agency."""
    check_tag_recorder(by)
    # One person's tags are fitted one at a time: lock the person while checking for overlaps.
    nominal = Nominal.objects.select_for_update().get(pk=nominal.pk)
    errors: dict[str, list[str]] = {}
    if basis not in TagPeriod.Basis.values:
        errors["basis"] = ["Choose what the tag is a condition of"]
    if fitted_on > today():
        errors["fitted_on"] = ["The date the tag was fitted must be today or in the past"]
    if ends_by <= fitted_on:
        errors["ends_by"] = ["The date the tag is due off must be after the date it was fitted"]
    elif basis == TagPeriod.Basis.LICENCE and ends_by > add_months(fitted_on, TAG_LICENCE_MONTHS):
        latest = add_months(fitted_on, TAG_LICENCE_MONTHS)
        errors["ends_by"] = [
            f"On a licence condition a tag is fitted for at most {TAG_LICENCE_MONTHS} months: "
            f"the date it is due off must be on or before {_day(latest)}"
        ]
    if not errors:
        tags = TagPeriod.objects.filter(item__nominal=nominal)
        still_on = tags.filter(removed_on__isnull=True, fitted_on__lte=ends_by).order_by("fitted_on").first()
        if still_on is not None:
            # The date only to an agency that may read that tag; the rule holds whoever recorded it.
            readable = RecordedItem.objects.filter(pk=still_on.item_id).filter(agency_may_see_item(by.agency_id))
            fitted = f" fitted on {_day(still_on.fitted_on)}" if readable.exists() else ""
            errors["fitted_on"] = [f"A tag{fitted} has not been removed: record its removal first"]
        elif tags.filter(fitted_on__lte=ends_by, removed_on__gt=fitted_on).exists():
            errors["fitted_on"] = ["Another tag was on during this period: a person wears one tag at a time"]
    if errors:
        raise ValidationError(errors)
    tag = TagPeriod(basis=basis, fitted_on=fitted_on, ends_by=ends_by)
    tag.item = item_record(
        nominal=nominal,
        by=by,
        category=DataCategory.objects.get(code=TAG_CATEGORY),
        kind=RecordedItem.Kind.TAG,
        summary=_tag_summary(tag),
        detail=note.strip(),
        occurred_on=fitted_on,
    )
    tag.save()
    return tag


@transaction.atomic
def tag_remove(*, tag: TagPeriod, by: User, removed_on: datetime.date, reason: str) -> TagPeriod:
    """Record that the tag came off, when and why."""
    check_tag_recorder(by)
    tag = TagPeriod.objects.select_for_update().select_related("item").get(pk=tag.pk)
    if tag.removed_on is not None:
        raise StateError(f"This tag was removed on {_day(tag.removed_on)}.")
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    last_hit = tag.hits.order_by("-item__occurred_on").values_list("item__occurred_on", flat=True).first()
    if removed_on > today():
        errors["removed_on"] = ["The date the tag was removed must be today or in the past"]
    elif removed_on < tag.fitted_on:
        errors["removed_on"] = [f"The tag was fitted on {_day(tag.fitted_on)}: it cannot be removed before"]
    elif last_hit is not None and removed_on < last_hit:
        errors["removed_on"] = [f"A location hit was notified on {_day(last_hit)}: the tag was still on then"]
    if not reason:
        errors["reason"] = ["Enter why the tag was removed"]
    elif len(reason) > 200:
        errors["reason"] = ["The reason must be 200 characters or fewer"]
    if errors:
        raise ValidationError(errors)
    tag.removed_on, tag.removal_reason = removed_on, reason
    tag.save(update_fields=["removed_on", "removal_reason"])
    _item_resummarise(tag.item, _tag_summary(tag))
    return tag


@transaction.atomic
def tag_hit_record(
    *, tag: TagPeriod, by: User, notified_on: datetime.date, crime_reference: str, note: str = ""
) -> TagHit:
    """Record a location hit the central monitoring team notified: pending until ruled in or out."""
    check_tag_recorder(by)
    tag = TagPeriod.objects.select_for_update().select_related("item__nominal").get(pk=tag.pk)
    crime_reference = crime_reference.strip()
    errors: dict[str, list[str]] = {}
    end = tag_period_end(tag)
    if notified_on > today():
        errors["notified_on"] = ["The date the hit was notified must be today or in the past"]
    elif not tag.fitted_on <= notified_on <= end:
        errors["notified_on"] = [
            f"The date the hit was notified must be within the tag period, {_day(tag.fitted_on)} to {_day(end)}"
        ]
    if not crime_reference:
        errors["crime_reference"] = ["Enter the crime reference"]
    elif len(crime_reference) > 50:
        errors["crime_reference"] = ["The crime reference must be 50 characters or fewer"]
    if errors:
        raise ValidationError(errors)
    hit = TagHit(tag_period=tag, crime_reference=crime_reference)
    hit.item = item_record(
        nominal=tag.item.nominal,
        by=by,
        category=DataCategory.objects.get(code=TAG_CATEGORY),
        kind=RecordedItem.Kind.TAG_HIT,
        summary=_hit_summary(hit),
        detail=note.strip(),
        occurred_on=notified_on,
    )
    hit.save()
    return hit


@transaction.atomic
def tag_hit_outcome(*, hit: TagHit, by: User, outcome: str, outcome_on: datetime.date) -> TagHit:
    """Rule a pending hit in or out, on the day it was decided."""
    check_tag_recorder(by)
    hit = TagHit.objects.select_for_update().select_related("item").get(pk=hit.pk)
    if hit.outcome != TagHit.Outcome.PENDING:
        raise StateError(f"This hit was already {hit.get_outcome_display().lower()}.")
    errors: dict[str, list[str]] = {}
    if outcome not in (TagHit.Outcome.RULED_IN, TagHit.Outcome.RULED_OUT):
        errors["outcome"] = ["Choose whether the hit was ruled in or ruled out"]
    if outcome_on > today():
        errors["outcome_on"] = ["The date of the outcome must be today or in the past"]
    elif outcome_on < hit.item.occurred_on:
        errors["outcome_on"] = [
            f"The hit was notified on {_day(hit.item.occurred_on)}: the outcome cannot be dated before"
        ]
    if errors:
        raise ValidationError(errors)
    hit.outcome, hit.outcome_on = outcome, outcome_on
    hit.save(update_fields=["outcome", "outcome_on"])
    _item_resummarise(hit.item, _hit_summary(hit))
    return hit


# --- Reads -----------------------------------------------------------------------------------------


def _visible_tag_items(user: User, nominal: Nominal) -> Q:
    return Q(item__nominal=nominal) & Q(item__in=RecordedItem.objects.filter(agency_may_see_item(user.agency_id)))


@dataclass
class TagRecord:
    """The person's tag periods the user's agency may see (newest first, each with the hits it may
    see in `shown_hits`), and how many tags and hits it may not."""

    periods: Sequence[TagPeriod]
    withheld: int

    @property
    def current(self) -> TagPeriod | None:
        on = today()
        return next((t for t in self.periods if t.removed_on is None and t.fitted_on <= on), None)

    @property
    def hits(self) -> list[TagHit]:
        return [hit for tag in self.periods for hit in getattr(tag, "shown_hits", [])]


def tags_for_user(user: User, nominal: Nominal) -> TagRecord:
    """The person's GPS tags and hits as the sharing rules let the user's agency read them: content
    to show only once the user has given their reason (three queries whatever their number)."""
    visible = agency_may_see_item(user.agency_id)
    hits = (
        TagHit.objects.filter(item__in=RecordedItem.objects.filter(visible))
        .select_related("item__recorded_by", "item__owning_agency")
        .order_by("-item__occurred_on", "-pk")
    )
    periods = list(
        TagPeriod.objects.filter(item__nominal=nominal, item__in=RecordedItem.objects.filter(visible))
        .select_related("item__recorded_by", "item__owning_agency")
        .prefetch_related(Prefetch("hits", queryset=hits, to_attr="shown_hits"))
        .order_by("-fitted_on", "-pk")
    )
    withheld = (
        RecordedItem.objects.filter(nominal=nominal, kind__in=[RecordedItem.Kind.TAG, RecordedItem.Kind.TAG_HIT])
        .exclude(visible)
        .count()
    )
    return TagRecord(periods=periods, withheld=withheld)


@dataclass(frozen=True)
class TagSummary:
    """What may be said without the reason: whether a tag is on, and counts."""

    fitted: bool
    tags: int
    hits_pending: int
    withheld: int


def tag_summary_for_user(user: User, nominal: Nominal) -> TagSummary:
    """Counts of the person's tags and pending hits the user's agency may see, whether a tag is on
    now, and how many tag items are withheld (one query)."""
    on = today()
    visible = agency_may_see_item(user.agency_id)
    tag_items = RecordedItem.objects.filter(
        nominal=nominal, kind__in=[RecordedItem.Kind.TAG, RecordedItem.Kind.TAG_HIT]
    )
    shown = Q(visible)
    counts = tag_items.aggregate(
        tags=Count("pk", filter=shown & Q(kind=RecordedItem.Kind.TAG)),
        fitted=Count(
            "pk",
            filter=shown
            & Q(kind=RecordedItem.Kind.TAG, tag_period__removed_on__isnull=True, tag_period__fitted_on__lte=on),
        ),
        pending=Count("pk", filter=shown & Q(kind=RecordedItem.Kind.TAG_HIT, tag_hit__outcome=TagHit.Outcome.PENDING)),
        withheld=Count("pk", filter=~shown),
    )
    return TagSummary(
        fitted=counts["fitted"] > 0, tags=counts["tags"], hits_pending=counts["pending"], withheld=counts["withheld"]
    )


def tag_get_for_user(user: User, nominal: Nominal, pk: int) -> TagPeriod:
    """One of the person's tags, if the user's agency may see it; TagPeriod.DoesNotExist otherwise."""
    return TagPeriod.objects.select_related("item").get(_visible_tag_items(user, nominal), pk=pk)


def tag_hit_get_for_user(user: User, nominal: Nominal, pk: int) -> TagHit:
    """One of the person's hits, if the user's agency may see it; TagHit.DoesNotExist otherwise."""
    return TagHit.objects.select_related("item", "tag_period").get(_visible_tag_items(user, nominal), pk=pk)
