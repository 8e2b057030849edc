"""The nominal's timeline: one list of everything about a person the viewer may see, newest
first: their periods on IOM (joined; left, with the deregistration's reason), RAG ratings with their
rationale, assignments and transfers, deregistrations, the items their agency may see (contacts,
events, reviews, notes, plan actions, interventions, decisions ...) and, from other apps, what they
register (referrals: referrals/timeline.py).

What is withheld is said, never shown: items of sensitive categories are counted ("N items shown
when you give a reason on the record"), and items not shared with the viewer's agency are counted by
the agency that holds them, as the record page does.

Apps depend in one direction (referrals, meetings -> cohorts), so other apps add their entries by
registering a source from their AppConfig.ready(), as person page panels do (cohorts/records/panels.py). A
source is a callable (user, nominal) -> TimelineSourceResult, reading only through its app's
selectors, already scoped to the user, in a fixed number of queries.

The timeline takes a fixed number of queries whatever the number of entries, and holds at most
MAX_PER_SOURCE entries of each source (the newest).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from cohorts.access import agency_may_see_item, in_sentence
from cohorts.deregistration.models import Deregistration
from cohorts.management.models import CaseAssignment, CohortMembership, RagAssessment
from cohorts.records.models import Nominal, RecordedItem
from cohorts.records.selectors import LockedCategory, Withheld
from sharing.models import DataCategory, User

MAX_PER_SOURCE = 500

# The kinds a viewer can filter by, in the order the filter lists them.
PERIODS, RAG, ASSIGNMENTS, DEREGISTRATIONS = "periods", "rag", "assignments", "deregistrations"
COHORT_KINDS: list[tuple[str, str]] = [
    (PERIODS, "Periods on IOM"),
    (RAG, "RAG ratings"),
    (ASSIGNMENTS, "Assignments and transfers"),
    (DEREGISTRATIONS, "Deregistrations"),
]


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened. `kind` is what the filter selects (a cohort kind, a source's kind, or
    a RecordedItem kind); `at` orders entries of the same day (None: the start of the day)."""

    kind: str
    on: datetime.date
    title: str
    at: datetime.datetime | None = None
    detail: str = ""
    by: str = ""
    agency: str = ""
    url: str = ""
    tag: str = ""
    tag_colour: str = "grey"
    last_of_day: bool = False  # a day's end (the last day on IOM) comes after what happened that day

    @property
    def time_shown(self) -> datetime.datetime | None:
        """The time of day, where the entry was recorded on the day it happened (an item recorded
        later, or dated ahead, shows its day only)."""
        if self.at is None or self.last_of_day or _day_of(self.at) != self.on:
            return None
        return self.at

    @property
    def sort_key(self) -> tuple[datetime.date, int, float]:
        rank = 2 if self.last_of_day else (1 if self.at else 0)
        return (self.on, rank, self.at.timestamp() if self.at else 0.0)


@dataclass
class TimelineSourceResult:
    entries: list[TimelineEntry]
    categories_shown: set[str] = field(default_factory=set)


TimelineSource = Callable[[User, Nominal], TimelineSourceResult]


@dataclass(frozen=True)
class _Registered:
    kind: str
    label: str
    source: TimelineSource


_sources: list[_Registered] = []


def timeline_source_register(*, kind: str, label: str, source: TimelineSource) -> None:
    """Add a source of entries of one kind (once, however often ready() runs)."""
    if not any(registered.kind == kind for registered in _sources):
        _sources.append(_Registered(kind=kind, label=label, source=source))


_PLURAL = {RecordedItem.Kind.INTELLIGENCE: "Intelligence"}


def timeline_kinds() -> list[tuple[str, str]]:
    """What the filter offers: the cohort's kinds, the registered sources', then each kind of item."""
    return [
        *COHORT_KINDS,
        *((registered.kind, registered.label) for registered in _sources),
        *((kind.value, _PLURAL.get(kind, f"{kind.label}s")) for kind in RecordedItem.Kind),
    ]


@dataclass
class Timeline:
    entries: list[TimelineEntry]
    locked: list[LockedCategory]
    withheld: list[Withheld]
    categories_shown: list[str]

    @property
    def locked_count(self) -> int:
        return sum(locked.count for locked in self.locked)


def _day_of(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _periods(memberships: list[CohortMembership], deregistrations: list[Deregistration]) -> list[TimelineEntry]:
    why_left = {d.membership_id: d for d in deregistrations if d.status == Deregistration.Status.RATIFIED}
    entries = []
    for membership in memberships:
        management = getattr(membership, "management", None)
        entries.append(
            TimelineEntry(
                kind=PERIODS,
                on=membership.started_on,
                title="Joined IOM",
                detail=f"{management.get_strand_display()}, {management.level.name}" if management else "",
                tag="On IOM",
                tag_colour="green",
            )
        )
        if membership.ended_on is not None:
            left = why_left.get(membership.pk)
            entries.append(
                TimelineEntry(
                    kind=PERIODS,
                    on=membership.ended_on,
                    last_of_day=True,
                    title=f"Left IOM: {left.get_reason_display()}" if left else "Left IOM",
                    detail=f"Last day on IOM. Ratified by {left.decided_by}." if left else "Last day on IOM.",
                    tag="Left IOM",
                    tag_colour="grey",
                )
            )
    return entries


def _deregistrations(deregistrations: list[Deregistration]) -> list[TimelineEntry]:
    entries = []
    for d in deregistrations:
        url = reverse("deregistration-detail", args=[d.pk])
        entries.append(
            TimelineEntry(
                kind=DEREGISTRATIONS,
                on=_day_of(d.proposed_at),
                at=d.proposed_at,
                title=f"Deregistration proposed: {d.get_reason_display()}",
                detail=d.explanation,
                by=str(d.proposed_by),
                agency=d.proposed_by.agency.name,
                url=url,
                tag="Deregistration",
                tag_colour="yellow",
            )
        )
        if d.decided_at is not None and d.decided_by is not None:
            decided = {
                Deregistration.Status.RATIFIED: "Deregistration ratified",
                Deregistration.Status.NOT_RATIFIED: "Deregistration not ratified",
                Deregistration.Status.WITHDRAWN: "Deregistration proposal withdrawn",
            }.get(Deregistration.Status(d.status), d.get_status_display())
            last_day = f"Last day on IOM: {d.ends_on:%-d %B %Y}. " if d.ends_on else ""
            entries.append(
                TimelineEntry(
                    kind=DEREGISTRATIONS,
                    on=_day_of(d.decided_at),
                    at=d.decided_at,
                    title=decided,
                    detail=last_day + d.decision_note,
                    by=str(d.decided_by),
                    agency=d.decided_by.agency.name,
                    url=url,
                    tag="Deregistration",
                    tag_colour="yellow",
                )
            )
    return entries


def _rag(assessments: list[RagAssessment]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            kind=RAG,
            on=_day_of(assessment.assessed_at),
            at=assessment.assessed_at,
            title=f"RAG rating: {assessment.rating.label}",
            detail=assessment.rationale,
            by=str(assessment.assessed_by),
            agency=assessment.assessed_by.agency.name,
            tag=assessment.rating.label,
            tag_colour=assessment.rating.colour,
        )
        for assessment in assessments
    ]


def _assignments(assignments: list[CaseAssignment]) -> list[TimelineEntry]:
    """Each start (an assignment, or a transfer when someone held the role before) and each end."""
    entries = []
    held_before: set[tuple[str, int | None]] = set()
    for a in sorted(assignments, key=lambda a: (a.started_on, a.pk)):
        role = a.get_role_display()
        # Key workers are per agency; the leads are one per case.
        seat = (a.role, a.agency_id if a.role == CaseAssignment.Role.KEY_WORKER else None)
        transfer = seat in held_before
        held_before.add(seat)
        entries.append(
            TimelineEntry(
                kind=ASSIGNMENTS,
                on=a.started_on,
                at=a.assigned_at,
                title=f"{role}: {'transferred to' if transfer else 'assigned'} {a.worker}, {a.agency.name}",
                detail=a.reason,
                # The byline names who made the change and their own agency, not the worker's.
                by=str(a.assigned_by),
                agency=a.assigned_by.agency.name,
                tag="Transfer" if transfer else "Assignment",
                tag_colour="blue",
            )
        )
        if a.ended_on is not None:
            entries.append(
                TimelineEntry(
                    kind=ASSIGNMENTS,
                    on=a.ended_on,
                    title=f"{a.worker}'s last day as {in_sentence(role)}",
                    agency=a.agency.name,
                    tag="Assignment ended",
                    tag_colour="grey",
                )
            )
    return entries


def _item_title(item: RecordedItem) -> str:
    """The summary under its kind ("Contact: ..."), unless the summary names its kind already."""
    kind = item.get_kind_display()
    return item.summary if item.summary.lower().startswith(kind.lower()) else f"{kind}: {item.summary}"


def _items(items: list[RecordedItem]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            kind=item.kind,
            on=item.occurred_on,
            at=item.recorded_at,
            title=_item_title(item),
            by=str(item.recorded_by),
            agency=item.owning_agency.name,
            tag=item.category.name,
            tag_colour="purple",
        )
        for item in items
    ]


def nominal_timeline(user: User, nominal: Nominal, *, kinds: Collection[str] = ()) -> Timeline:
    """The person's timeline as the user may see it, newest first, of the kinds asked (all when
    none), in a fixed number of queries whatever its length. The caller holds the person already
    scoped to the user (nominal_or_404)."""
    wanted = set(kinds)

    def want(kind: str) -> bool:
        return not wanted or kind in wanted

    entries: list[TimelineEntry] = []
    categories: set[str] = {"identity"}
    if want(PERIODS) or want(DEREGISTRATIONS):
        deregistrations = list(
            Deregistration.objects.filter(nominal=nominal)
            .select_related("proposed_by__agency", "decided_by__agency")
            .order_by("-proposed_at", "-pk")[:MAX_PER_SOURCE]
        )
        if want(PERIODS):
            memberships = list(
                CohortMembership.objects.filter(nominal=nominal)
                .select_related("management__level")
                .order_by("-started_on", "-pk")[:MAX_PER_SOURCE]
            )
            entries += _periods(memberships, deregistrations)
        if want(DEREGISTRATIONS):
            entries += _deregistrations(deregistrations)
    if want(RAG):
        entries += _rag(
            list(
                RagAssessment.objects.filter(nominal=nominal)
                .select_related("rating", "assessed_by__agency")
                .order_by("-assessed_at", "-pk")[:MAX_PER_SOURCE]
            )
        )
    if want(ASSIGNMENTS):
        entries += _assignments(
            list(
                CaseAssignment.objects.filter(nominal=nominal)
                .select_related("worker", "agency", "assigned_by__agency")
                .order_by("-started_on", "-pk")[:MAX_PER_SOURCE]
            )
        )
    for registered in _sources:
        if want(registered.kind):
            result = registered.source(user, nominal)
            entries += result.entries[:MAX_PER_SOURCE]
            categories |= result.categories_shown
    item_kinds = [kind for kind in RecordedItem.Kind.values if want(kind)]
    locked: list[LockedCategory] = []
    withheld: list[Withheld] = []
    if item_kinds:
        visible = agency_may_see_item(user.agency_id)
        of_kinds = RecordedItem.objects.filter(nominal=nominal, kind__in=item_kinds)
        shown = list(
            of_kinds.filter(visible)
            .filter(category__is_sensitive=False)
            .select_related("category", "owning_agency", "recorded_by")
            .order_by("-occurred_on", "-recorded_at", "-pk")[:MAX_PER_SOURCE]
        )
        entries += _items(shown)
        categories |= {item.category.code for item in shown}
        locked = [
            LockedCategory(
                DataCategory(
                    pk=row["category"],
                    code=row["category__code"],
                    name=row["category__name"],
                    position=row["category__position"],
                ),
                row["count"],
            )
            for row in of_kinds.filter(visible)
            .filter(category__is_sensitive=True)
            .values("category", "category__code", "category__name", "category__position")
            .annotate(count=Count("pk"))
            .order_by("category__position")
        ]
        withheld = [
            Withheld(row["owning_agency__name"], row["count"])
            for row in of_kinds.exclude(visible)
            .values("owning_agency__name")
            .annotate(count=Count("pk"))
            .order_by("owning_agency__name")
        ]
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    return Timeline(entries=entries, locked=locked, withheld=withheld, categories_shown=sorted(categories))
