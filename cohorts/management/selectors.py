"""The cohort list (/cohort/): everyone on IOM now whom the user may see, with what a case manager
and a supervisor work from (RAG rating, strand and level, leads, custody, licence end, the next
supervisor review, the transition plan), filtered and sorted in SQL, and counted in a board
report's terms.

Each column is a subquery of the person's row, so a page runs the same queries for 2 people or
20,000, whatever the filters. The licence end is the recording agency's offending and risk
information: it shows, filters and sorts only where the sharing rules share it with the user's
agency (agency_may_see_offending_and_risk); everything else is the case's management, shared with
everyone who may see the person.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, fields
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import JSONObject

from cohorts.access import agency_may_see_offending_and_risk, current_memberships, today
from cohorts.management.models import (
    CaseAssignment,
    CohortManagement,
    ManagementLevel,
    RagAssessment,
    RagRating,
    Strand,
)
from cohorts.records.models import Nominal, PolicingArea
from cohorts.records.selectors import nominals_visible_to
from cohorts.reviews.services import with_review_due
from cohorts.transitions.services import TransitionStatus, transition_weeks, with_transition_status
from sharing.models import User
from sharing.roles import Role


@dataclass(frozen=True)
class CohortFilters:
    """What the cohort list is filtered by; empty filters filter nothing."""

    rag_rating_ids: tuple[int, ...] = ()
    level_ids: tuple[int, ...] = ()
    strands: tuple[str, ...] = ()
    priority_cohort_ids: tuple[int, ...] = ()
    custody_statuses: tuple[str, ...] = ()
    area_ids: tuple[int, ...] = ()
    lead_agency_ids: tuple[int, ...] = ()
    lead_worker_ids: tuple[int, ...] = ()
    review_overdue: bool = False
    licence_ending: bool = False  # within the transition window (IOM_TRANSITION_WEEKS)
    transition_statuses: tuple[str, ...] = ()
    caseload_of: int | None = None  # "my caseload": this user is a lead or key worker
    team_of: int | None = None  # "my team": a worker this user supervises is a lead or key worker

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


# sort key -> the columns it orders by, ascending; "-key" reverses the first column. RAG ascends
# from the highest risk (order 1); a missing value sorts last either way.
COHORT_SORTS = {
    "name": ("last_name", "first_name", "date_of_birth"),
    "rag": ("rag_order", "last_name", "first_name"),
    "since": ("on_cohort_since", "last_name", "first_name"),
    "review": ("review_due_on", "last_name", "first_name"),
    "licence": ("licence_end_shown", "last_name", "first_name"),
}


def _current_assignments(on: datetime.date) -> QuerySet[CaseAssignment]:
    return CaseAssignment.objects.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))


def _on_cohort(user: User, on: datetime.date, *, by_start: bool = False) -> QuerySet[Nominal]:
    """The people on IOM now whom the user may see, with their current period's start and level.

    by_start: keep those whose period's start is found, rather than those whose period exists (the
    same people). With filters on the computed columns, PostgreSQL misjudges how many people pass
    them and joins the periods in a nested loop on the existence test (7.6 s at 20,000 people, by
    `manage.py benchmark`); on the start it keeps a scan (0.1 s). Unfiltered, the existence is faster."""
    membership = current_memberships(on).filter(nominal=OuterRef("pk")).order_by("-started_on", "-pk")
    nominals = nominals_visible_to(user)
    if not by_start:
        nominals = nominals.filter(Exists(membership))
    nominals = nominals.annotate(
        on_cohort_since=Subquery(membership.values("started_on")[:1]),
        level_id=Subquery(membership.values("management__level_id")[:1]),
    )
    return nominals.filter(Q(on_cohort_since__isnull=False)) if by_start else nominals


def _cohort_of(user: User, on: datetime.date, *, by_start: bool = False) -> QuerySet[Nominal]:
    """The people on the cohort with every column of the list, each a subquery of the row."""
    membership = current_memberships(on).filter(nominal=OuterRef("pk")).order_by("-started_on", "-pk")
    latest_rag = RagAssessment.objects.filter(nominal=OuterRef("pk")).order_by("-assessed_at", "-pk")
    offending_shown = agency_may_see_offending_and_risk(user.agency_id, on)
    nominals = _on_cohort(user, on, by_start=by_start).annotate(
        strand=Subquery(membership.values("management__strand")[:1]),
        management_id=Subquery(membership.values("management__pk")[:1]),
        rag_rating_id=Subquery(latest_rag.values("rating_id")[:1]),
        rag_order=Subquery(latest_rag.values("rating__order")[:1]),
        offending_shown=ExpressionWrapper(offending_shown, output_field=BooleanField()),
    )
    nominals = nominals.annotate(
        licence_end_shown=Case(
            When(offending_shown=True, then=F("licence_ends_on")), default=None, output_field=DateField()
        )
    )
    # A plan due (no plan yet, the licence ending soon) tells of the licence end: shown as due only
    # where the licence end is; a plan in progress or complete is the case's management, shared.
    return with_transition_status(with_review_due(nominals, on), on).annotate(
        transition_shown=Case(
            When(
                Q(transition_status=TransitionStatus.DUE) & Q(offending_shown=False),
                then=Value(TransitionStatus.NOT_DUE),
            ),
            default=F("transition_status"),
            output_field=CharField(),
        )
    )


def _filtered(nominals: QuerySet[Nominal], filters: CohortFilters, on: datetime.date) -> QuerySet[Nominal]:
    if filters.rag_rating_ids:
        nominals = nominals.filter(Q(rag_rating_id__in=filters.rag_rating_ids))
    if filters.level_ids:
        nominals = nominals.filter(Q(level_id__in=filters.level_ids))
    if filters.strands:
        nominals = nominals.filter(Q(strand__in=filters.strands))
    if filters.priority_cohort_ids:
        in_priority_cohort = CohortManagement.priority_cohorts.through.objects.filter(
            cohortmanagement_id=OuterRef("management_id"), prioritycohort_id__in=filters.priority_cohort_ids
        )
        nominals = nominals.filter(Exists(in_priority_cohort))
    if filters.custody_statuses:
        nominals = nominals.filter(Q(custody_status__in=filters.custody_statuses))
    if filters.area_ids:
        nominals = nominals.filter(Q(policing_area_id__in=filters.area_ids))
    if filters.lead_agency_ids or filters.lead_worker_ids:
        leads = _current_assignments(on).filter(nominal=OuterRef("pk"), role=CaseAssignment.Role.LEAD_PROFESSIONAL)
        if filters.lead_agency_ids:
            nominals = nominals.filter(Exists(leads.filter(agency_id__in=filters.lead_agency_ids)))
        if filters.lead_worker_ids:
            nominals = nominals.filter(Exists(leads.filter(worker_id__in=filters.lead_worker_ids)))
    if filters.review_overdue:
        nominals = nominals.filter(Q(is_overdue=True))
    if filters.licence_ending:
        until = on + datetime.timedelta(weeks=transition_weeks())
        nominals = nominals.filter(Q(licence_end_shown__gte=on, licence_end_shown__lte=until))
    if filters.transition_statuses:
        nominals = nominals.filter(Q(transition_shown__in=filters.transition_statuses))
    if filters.caseload_of is not None:
        mine = _current_assignments(on).filter(nominal=OuterRef("pk"), worker_id=filters.caseload_of)
        nominals = nominals.filter(Exists(mine))
    if filters.team_of is not None:
        team = _current_assignments(on).filter(nominal=OuterRef("pk"), worker__supervisor_id=filters.team_of)
        nominals = nominals.filter(Exists(team))
    return nominals


def _current_leads(on: datetime.date) -> Prefetch[Any]:
    leads = (
        _current_assignments(on)
        .filter(role__in=[CaseAssignment.Role.LEAD_PROFESSIONAL, CaseAssignment.Role.POLICE_LEAD])
        .select_related("worker", "agency")
        # Only what the list shows of them: fifty rows' workers and agencies, whole, cost more to
        # build than the rows' own query takes (`manage.py benchmark`).
        .only(
            "nominal_id",
            "role",
            "started_on",
            "worker_id",
            "agency_id",
            "worker__first_name",
            "worker__last_name",
            "worker__username",
            "agency__name",
            "agency__short_name",
        )
        .order_by("role", "-started_on", "-pk")
    )
    return Prefetch("assignments", queryset=leads, to_attr="current_leads")


def _cohort_rows_query(user: User, filters: CohortFilters, sort: str, on: datetime.date) -> QuerySet[Nominal]:
    computed = (
        filters.rag_rating_ids,
        filters.level_ids,
        filters.strands,
        filters.review_overdue,
        filters.licence_ending,
        filters.transition_statuses,
    )
    nominals = _filtered(_cohort_of(user, on, by_start=any(computed)), filters, on)
    descending = sort.startswith("-")
    first, *rest = COHORT_SORTS.get(sort.removeprefix("-"), COHORT_SORTS["name"])
    first_column = F(first).desc(nulls_last=True) if descending else F(first).asc(nulls_last=True)
    return nominals.order_by(first_column, *rest, "pk")


def cohort_list(user: User, filters: CohortFilters = CohortFilters(), sort: str = "name") -> QuerySet[Nominal]:
    """Everyone on IOM now whom the user may see, filtered and sorted (unknown sorts sort by name),
    with their leads in one prefetch (current_leads)."""
    on = today()
    return (
        _cohort_rows_query(user, filters, sort, on).select_related("policing_area").prefetch_related(_current_leads(on))
    )


def _day(value: datetime.date | None) -> str:
    """A date as the list shows it: 3 Dec 2026."""
    return f"{value.day} {value:%b %Y}" if value else ""


@dataclass(frozen=True)
class CohortRow:
    """One line of the cohort list, with what its cells show worked out once (the page renders
    fifty of these, and each template lookup or filter costs more than the Python here)."""

    nominal: Nominal
    rag: RagRating | None
    level: ManagementLevel | None
    lead_professional: CaseAssignment | LeadShown | None
    police_lead: CaseAssignment | LeadShown | None

    @property
    def strand_label(self) -> str:
        strand = getattr(self.nominal, "strand", None)
        return Strand(strand).label if strand else ""

    @property
    def licence_ends_on(self) -> datetime.date | None:
        """The licence end, where the sharing rules show it (None otherwise, or none recorded)."""
        value: datetime.date | None = getattr(self.nominal, "licence_end_shown", None)
        return value

    @property
    def offending_shown(self) -> bool:
        return bool(getattr(self.nominal, "offending_shown", False))

    @property
    def transition_status(self) -> TransitionStatus | None:
        status = getattr(self.nominal, "transition_shown", None)
        return TransitionStatus(status) if status else None

    # --- What the page's cells show --------------------------------------------------------------

    @property
    def name(self) -> str:
        return f"{self.nominal.last_name.upper()}, {self.nominal.first_name}"

    @property
    def area_name(self) -> str:
        area = self.nominal.policing_area
        return area.name if area else ""

    @property
    def in_community(self) -> bool:
        return bool(self.nominal.custody_status == Nominal.CustodyStatus.COMMUNITY)

    @property
    def custody_colour(self) -> str:
        return "red" if self.nominal.custody_status == Nominal.CustodyStatus.UNLAWFULLY_AT_LARGE else "yellow"

    @property
    def licence_text(self) -> str:
        return _day(self.licence_ends_on)

    @property
    def transition_shown(self) -> bool:
        return self.transition_status not in (None, TransitionStatus.NOT_DUE)

    @property
    def transition_colour(self) -> str:
        status = self.transition_status
        if status in (TransitionStatus.DUE, TransitionStatus.STEPS_OVERDUE):
            return "red"
        return "green" if status == TransitionStatus.COMPLETE else "blue"

    @property
    def transition_text(self) -> str:
        status = self.transition_status
        return f"Transition: {status.label.lower()}" if status else ""

    @property
    def review_text(self) -> str:
        return _day(getattr(self.nominal, "review_due_on", None))

    @property
    def review_overdue(self) -> bool:
        return bool(getattr(self.nominal, "is_overdue", False))

    @property
    def since_text(self) -> str:
        return _day(getattr(self.nominal, "on_cohort_since", None))


def cohort_rows(
    nominals: list[Nominal], *, ratings: dict[int, RagRating], levels: dict[int, ManagementLevel]
) -> list[CohortRow]:
    """The list's lines, from a page of cohort_list and the configurable lists (no queries)."""
    rows = []
    for nominal in nominals:
        leads: dict[str, CaseAssignment | LeadShown] = {}
        for assignment in getattr(nominal, "current_leads", []):
            leads.setdefault(assignment.role, assignment)  # newest first: a same-day transfer's new holder
        rag_id: int | None = getattr(nominal, "rag_rating_id", None)
        level_id: int | None = getattr(nominal, "level_id", None)
        rows.append(
            CohortRow(
                nominal=nominal,
                rag=ratings.get(rag_id) if rag_id else None,
                level=levels.get(level_id) if level_id else None,
                lead_professional=leads.get(CaseAssignment.Role.LEAD_PROFESSIONAL),
                police_lead=leads.get(CaseAssignment.Role.POLICE_LEAD),
            )
        )
    return rows


@dataclass(frozen=True)
class CohortCounts:
    """The cohort in a board report's terms."""

    total: int
    in_community: int
    by_level: list[tuple[ManagementLevel, int]]
    level_not_set: int


# --- What the page shows besides its rows, cached by the cohort's generation ------------------------
# The board counts and the lead professional filter's choices cost more than the rows themselves at
# 20,000 people (`manage.py benchmark`), and change only when the cohort does. They are cached per
# agency (the grants decide who is counted) and day (periods start and end by date), under a number
# that moves on every change to what they read (migration cohorts 0009: a sequence bumped by
# triggers), so a change shows on the next request in every process. A request that reads the
# number between a change's statement and its commit could cache what it saw before the change:
# CACHE_SECONDS bounds how long that can last.
CACHE_SECONDS = 60


def cohort_generation() -> int:
    """The cohort's change counter (one cheap query; sequences are read outside transactions)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM cohort_generation")
        row = cursor.fetchone()
    return int(row[0])


def _cache_key(user: User, what: str, on: datetime.date, generation: int) -> str:
    """Whose view (the agency's grants decide it; system administrators see everyone), of what, on
    which day, at which generation: hashed, as `what` may be a whole set of filters."""
    scope = "all" if user.has_role(Role.SYSTEM_ADMIN) else f"agency-{user.agency_id}"
    digest = hashlib.sha256(f"{what}|{scope}|{on.isoformat()}".encode()).hexdigest()[:32]
    return f"cohort-list:{generation}:{digest}"


def _counts_query(user: User, levels: list[ManagementLevel], on: datetime.date) -> dict[str, int]:
    """One query, which joins each current period to its person and management rather than asking
    a subquery of every person (at 20,000 people, the difference between a few and a few hundred
    milliseconds)."""
    periods = current_memberships(on).filter(nominal__in=nominals_visible_to(user).values("pk"))
    person = "nominal_id"
    counts: dict[str, int] = periods.aggregate(
        total=Count(person, distinct=True),
        in_community=Count(person, distinct=True, filter=Q(nominal__custody_status=Nominal.CustodyStatus.COMMUNITY)),
        level_not_set=Count(person, distinct=True, filter=Q(management__isnull=True)),
        **{
            f"level_{level.pk}": Count(person, distinct=True, filter=Q(management__level_id=level.pk))
            for level in levels
        },
    )
    return counts


def cohort_counts(user: User, levels: list[ManagementLevel], *, generation: int | None = None) -> CohortCounts:
    """How many people on IOM the user may see, in the community and at each level (cached by the
    cohort's generation: pass it when already read this request)."""
    on = today()
    generation = cohort_generation() if generation is None else generation
    key = _cache_key(user, "counts:" + ",".join(str(level.pk) for level in levels), on, generation)
    counts: dict[str, int] | None = cache.get(key)
    if counts is None:
        counts = _counts_query(user, levels, on)
        cache.set(key, counts, CACHE_SECONDS)
    return CohortCounts(
        total=counts["total"],
        in_community=counts["in_community"],
        by_level=[
            (level, counts[f"level_{level.pk}"]) for level in levels if level.is_active or counts[f"level_{level.pk}"]
        ],
        level_not_set=counts["level_not_set"],
    )


@dataclass(frozen=True)
class LeadChoice:
    """A worker who is lead professional for someone on the cohort the user may see."""

    pk: int
    name: str
    agency_id: int
    agency_name: str


def lead_professionals_of_cohort(user: User, *, generation: int | None = None) -> list[LeadChoice]:
    """The workers who lead someone on the cohort the user may see, by surname (a filter's choices;
    one query, cached by the cohort's generation)."""
    on = today()
    generation = cohort_generation() if generation is None else generation
    key = _cache_key(user, "leads", on, generation)
    choices: list[LeadChoice] | None = cache.get(key)
    if choices is None:
        leading = _current_assignments(on).filter(
            role=CaseAssignment.Role.LEAD_PROFESSIONAL,
            nominal__in=_on_cohort(user, on).values("pk"),
        )
        rows = (
            User.objects.filter(Exists(leading.filter(worker=OuterRef("pk"))))
            .order_by("last_name", "first_name", "pk")
            .values_list("pk", "first_name", "last_name", "username", "agency_id", "agency__name")
        )
        choices = [
            LeadChoice(pk=pk, name=f"{first} {last}".strip() or username, agency_id=agency_id, agency_name=agency)
            for pk, first, last, username, agency_id, agency in rows
        ]
        cache.set(key, choices, CACHE_SECONDS)
    return choices


# --- The page's rows: compiled SQL and the match count, cached by the cohort's generation ----------
# Building and compiling the rows query (a subquery a column, the sharing rule's agencies read from
# the agreements) costs about as much as running it at 20,000 people. Paging through a list, or
# coming back to it, runs the same query at another offset: its SQL is compiled once per agency,
# filters, sort and day, under the cohort's generation (which the agreements move too), and so is
# the number of people it matches.


# What a line of the list shows of the person's own record (cohort_rows, templatetags/cohort_rows.py).
SHOWN_FIELDS = ("first_name", "last_name", "date_of_birth", "custody_status", "licence_ends_on", "policing_area_id")


@dataclass(frozen=True)
class CohortQuery:
    """The rows query of one view of the cohort list, as SQL, with how many people it matches."""

    sql: str
    params: tuple[Any, ...]
    matching: int | None  # None: not counted (an unfiltered list takes the board's total)


def cohort_query(
    user: User, filters: CohortFilters, sort: str, *, generation: int | None = None, count: bool = True
) -> CohortQuery:
    """The rows query for this user, filters and sort (unknown sorts sort by name), compiled, and
    how many people it matches when count is asked (cached)."""
    on = today()
    generation = cohort_generation() if generation is None else generation
    key = _cache_key(user, f"rows:{sort}:{count}:{filters!r}", on, generation)
    query: CohortQuery | None = cache.get(key)
    if query is None:
        rows = _cohort_rows_query(user, filters, sort, on)
        # The person's own columns the page shows (the rest deferred): the rows' SQL sends fifty
        # people, not fifty whole records, and the page builds no more of them than it reads.
        # And the leads each line shows, as one JSON array a person, in the same query: fifty
        # lookups by the assignments' index once the page's fifty are chosen, rather than a second
        # round trip and a hundred assignments, workers and agencies built to be read once.
        shown = rows.only(*SHOWN_FIELDS).annotate(leads_shown=ArraySubquery(_leads_shown(on)))
        sql, params = shown.query.sql_with_params()
        query = CohortQuery(sql=sql, params=tuple(params), matching=rows.count() if count else None)
        cache.set(key, query, CACHE_SECONDS)
    return query


def cohort_page(
    query: CohortQuery, *, offset: int, limit: int, areas: dict[int, PolicingArea] | None = None
) -> list[Nominal]:
    """One page of the cohort list's rows, with their leads and areas (pass the areas when they are
    at hand): one query, or two without the areas."""
    nominals = _with_leads_shown(
        list(Nominal.objects.raw(f"{query.sql} LIMIT %s OFFSET %s", (*query.params, limit, offset)))
    )
    if areas is None:
        area_ids = {nominal.policing_area_id for nominal in nominals if nominal.policing_area_id}
        areas = PolicingArea.objects.in_bulk(area_ids) if area_ids else {}
    for nominal in nominals:
        nominal.policing_area = areas.get(nominal.policing_area_id) if nominal.policing_area_id else None
    return nominals


@dataclass(frozen=True)
class LeadShown:
    """A lead officer as a line of the list shows them: a name and an agency (read as values, not
    as a hundred assignments, workers and agencies built to be read once)."""

    role: str
    worker: str
    agency_name: str
    agency_short_name: str

    @property
    def agency(self) -> LeadShown:  # read as lead.agency.short_name or lead.agency.name
        return self

    @property
    def name(self) -> str:
        return self.agency_name

    @property
    def short_name(self) -> str:
        return self.agency_short_name


def _leads_shown(on: datetime.date) -> QuerySet[CaseAssignment, Any]:
    """A person's current lead professional and police lead as JSON, newest first (a subquery of
    the rows' SQL, one row a lead)."""
    return (
        _current_assignments(on)
        .filter(
            nominal=OuterRef("pk"),
            role__in=[CaseAssignment.Role.LEAD_PROFESSIONAL, CaseAssignment.Role.POLICE_LEAD],
        )
        .order_by("role", "-started_on", "-pk")
        .values(
            json=JSONObject(
                role="role",
                first="worker__first_name",
                last="worker__last_name",
                username="worker__username",
                agency="agency__name",
                short="agency__short_name",
            )
        )
    )


def _with_leads_shown(nominals: list[Nominal]) -> list[Nominal]:
    """Each person's leads as the rows' SQL returned them (a JSON text a lead), as LeadShown."""
    for nominal in nominals:
        leads = []
        for text in getattr(nominal, "leads_shown", None) or []:
            lead = json.loads(text) if isinstance(text, str) else text
            worker = f"{lead['first']} {lead['last']}".strip() or lead["username"]  # as User.__str__
            leads.append(LeadShown(lead["role"], worker, lead["agency"], lead["short"]))
        nominal.current_leads = leads  # type: ignore[attr-defined]
    return nominals


class CohortPages:
    """The cohort list as the paginator reads it: a count, and slices fetched a page at a time."""

    def __init__(self, query: CohortQuery, count: int, *, areas: dict[int, PolicingArea] | None = None) -> None:
        self.query, self._count, self.areas = query, count, areas

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, page: slice) -> list[Nominal]:
        start, stop = page.start or 0, page.stop if page.stop is not None else self._count
        return cohort_page(self.query, offset=start, limit=max(stop - start, 0), areas=self.areas)
