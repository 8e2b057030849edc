"""Supervisor reviews: the supervisor of a case's lead reviews the person's management
report on the cadence of their RAG rating, and records whether the interventions are commensurate
with the risk, the actions set and the next review date. A review is an offending-and-risk item
owned by the reviewer's agency (with a SupervisorReview hung off it), so the sharing rules decide
who reads it, like any other item.

When a review is due, for a person on the cohort now:
- on the next review date set by the latest review of their current period on IOM;
- with no review yet in this period, on the day the period started plus the cadence of their
  current RAG rating (every N weeks, or every N months: the same day of the month, or the month's
  last day where that day does not exist, as cohorts.dates.add_months counts);
- with no RAG rating, on the day the period started plus one month.
It is overdue from the day after: due today is not overdue.

The clock runs from the start of the period and from each review, not from when the RAG rating was
given: rating someone again (with the same or another rating) must not put their review off, and a
review's next date was chosen by the supervisor within the cadence of the rating at the time. A
review from an earlier period on IOM does not count: someone back on the cohort is reviewed afresh.
The due date is the case's, whoever recorded the reviews, so it counts reviews the user's agency
may not read (their content stays withheld).

Who may record a review (may_review): a supervisor (the Supervisor role) who supervises the
person's current lead professional or IOM police lead (User.supervisor), in any agency; or any
supervisor of the IOM unit's agencies (police and probation, IOM_UNIT_AGENCY_KINDS), who cover for
one another and review cases whose leads have no supervisor recorded. Never a supervisor who is the
case's lead professional or police lead themselves: a review is of someone else's work.

The due dates are computed in SQL (interval arithmetic in PostgreSQL), so lists filter and sort by
them in a fixed number of queries whatever the number of people.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from cohorts.access import agency_may_see_item, current_memberships, today
from cohorts.dates import add_months
from cohorts.management.models import CaseAssignment, RagAssessment, RagRating
from cohorts.models import AccessEvent
from cohorts.records.models import Nominal, RecordedItem
from cohorts.records.selectors import CohortPanel, nominal_cohort_panel, nominals_visible_to
from cohorts.records.services import access_event_record, item_record
from cohorts.reviews.models import SupervisorReview
from sharing.errors import NotAllowed, StateError
from sharing.models import DataCategory, User
from sharing.roles import Role, is_iom_unit_agency

REVIEW_CATEGORY = "offending-risk"
SUMMARY_COMMENSURATE = "Supervisor review: interventions commensurate with the risk"
SUMMARY_NOT_COMMENSURATE = "Supervisor review: interventions not commensurate with the risk"
# A person with no RAG rating is reviewed monthly, as the default scheme's middle rating is (the SQL
# in with_review_due counts this default in months).
DEFAULT_REVIEW_EVERY, DEFAULT_REVIEW_UNIT = 1, RagRating.Unit.MONTHS
LEAD_ROLES = (CaseAssignment.Role.LEAD_PROFESSIONAL, CaseAssignment.Role.POLICE_LEAD)
RECENT_ITEMS = 10


# --- The cadence -----------------------------------------------------------------------------------


def cadence_after(day: datetime.date, rating: RagRating | None) -> datetime.date:
    """The day one review interval of the rating (one month without a rating) after `day`."""
    every, unit = (rating.review_every, rating.review_unit) if rating else (DEFAULT_REVIEW_EVERY, DEFAULT_REVIEW_UNIT)
    if unit == RagRating.Unit.WEEKS:
        return day + datetime.timedelta(weeks=every)
    return add_months(day, every)


def cadence_words(rating: RagRating | None) -> str:
    """The cadence in words, as in "reviewed every 2 weeks"; every month without a rating."""
    return rating.review_cadence if rating else "every month"


class _MakeInterval(Func):
    """PostgreSQL's make_interval(weeks => w, months => m). Added to a date, months keep the day of
    the month or fall back to the month's last day (31 January + 1 month is 28 or 29 February)."""

    template = "make_interval(weeks => %(expressions)s)"
    arg_joiner = ", months => "
    arity = 2
    output_field = DurationField()


def _latest_rating_of_row() -> QuerySet[RagAssessment]:
    return RagAssessment.objects.filter(nominal=OuterRef("pk")).order_by("-assessed_at", "-pk")


def with_review_due(nominals: QuerySet[Nominal], on: datetime.date | None = None) -> QuerySet[Nominal]:
    """Annotate people on the cohort with when their next supervisor review is due (review_due_on),
    whether it is overdue on `on` (is_overdue), the start of their current period (review_period_from)
    and their current RAG rating (review_rating_id), each a subquery of the row: one query for any
    number of people. People not on the cohort get no due date."""
    on = on or today()
    membership = current_memberships(on).filter(nominal=OuterRef("pk")).order_by("-started_on", "-pk")
    latest_rating = _latest_rating_of_row()
    every = F("rating__review_every")
    cadence = latest_rating.annotate(
        weeks=Case(When(rating__review_unit=RagRating.Unit.WEEKS, then=every), default=Value(0)),
        months=Case(When(rating__review_unit=RagRating.Unit.MONTHS, then=every), default=Value(0)),
    )
    latest_review = (
        SupervisorReview.objects.filter(
            item__nominal=OuterRef("pk"),
            item__kind=RecordedItem.Kind.REVIEW,  # every review is; said so that the partial index serves
            item__occurred_on__gte=OuterRef("review_period_from"),
        )
        .order_by("-item__occurred_on", "-item__recorded_at", "-pk")
        .values("next_review_on")[:1]
    )
    # No rating: no row in the subqueries, so the default cadence (DEFAULT_REVIEW_EVERY months).
    weeks = Coalesce(Subquery(cadence.values("weeks")[:1]), Value(0), output_field=IntegerField())
    months = Coalesce(Subquery(cadence.values("months")[:1]), Value(DEFAULT_REVIEW_EVERY), output_field=IntegerField())
    first_due = Cast(
        ExpressionWrapper(F("review_period_from") + _MakeInterval(weeks, months), output_field=DateTimeField()),
        DateField(),
    )
    return nominals.annotate(
        review_period_from=Subquery(membership.values("started_on")[:1]),
        review_rating_id=Subquery(latest_rating.values("rating_id")[:1]),
    ).annotate(
        # Not on the cohort: no period, so no review of it and no first due date either (NULL).
        review_due_on=Coalesce(Subquery(latest_review), first_due, output_field=DateField()),
        is_overdue=ExpressionWrapper(Q(review_due_on__lt=on), output_field=BooleanField()),
    )


def current_leads(on: datetime.date) -> QuerySet[CaseAssignment]:
    """Lead professionals and police leads holding the case now, as the services see it (not ended:
    on the day of a same-day transfer the previous holder's last day is today)."""
    return CaseAssignment.objects.filter(role__in=LEAD_ROLES, started_on__lte=on, ended_on__isnull=True)


def reviews_due(user: User, supervisor: User | None = None) -> QuerySet[Nominal]:
    """The people on the cohort now whom the user may see, with review_due_on and is_overdue, and
    in_team: their lead professional or police lead is supervised by `supervisor` (always False
    without one). Ordered: the team's first, then overdue, then by due date; leads prefetched
    (current_leads). A fixed number of queries whatever the number of people."""
    on = today()
    on_cohort = current_memberships(on).filter(nominal=OuterRef("pk"))
    in_team: Any = Value(False)
    # Team first, then overdue, then by due date (a constant cannot be an ORDER BY term).
    ordering: list[Any] = [F("is_overdue").desc(), F("review_due_on").asc(), "last_name", "first_name", "pk"]
    if supervisor is not None:
        in_team = Exists(current_leads(on).filter(nominal=OuterRef("pk"), worker__supervisor_id=supervisor.pk))
        ordering.insert(0, F("in_team").desc())
    leads = current_leads(on).select_related("worker", "agency").order_by("role", "-started_on", "-pk")
    return (
        with_review_due(nominals_visible_to(user).filter(Exists(on_cohort)), on)
        .annotate(in_team=ExpressionWrapper(in_team, output_field=BooleanField()))
        .prefetch_related(Prefetch("assignments", queryset=leads, to_attr="current_leads"))
        .order_by(*ordering)
    )


def overdue_in_team_count(supervisor: User) -> int:
    """How many people whose lead the supervisor supervises are overdue a review (two queries).

    The team's people are read first, from their leads' assignments, and only they are then checked
    against the sharing rules and their due dates, by primary key. Asked in one query, the planner
    may check every person on the cohort and, on tables with no statistics yet (just loaded), chose
    plans that grew with the square of the cohort; this way the work grows with the team alone."""
    team = set(current_leads(today()).filter(worker__supervisor_id=supervisor.pk).values_list("nominal_id", flat=True))
    if not team:
        return 0
    return reviews_due(supervisor).filter(Q(pk__in=sorted(team)), Q(is_overdue=True)).count()


@dataclass(frozen=True)
class DueRow:
    """One line of the reviews due list."""

    nominal: Nominal
    rating: RagRating | None
    lead_professional: CaseAssignment | None
    police_lead: CaseAssignment | None

    @property
    def due_on(self) -> datetime.date | None:
        return getattr(self.nominal, "review_due_on", None)

    @property
    def overdue(self) -> bool:
        return bool(getattr(self.nominal, "is_overdue", False))

    @property
    def in_team(self) -> bool:
        return bool(getattr(self.nominal, "in_team", False))


def due_rows(nominals: Iterable[Nominal], ratings: dict[int, RagRating]) -> list[DueRow]:
    """The list's lines from a page of reviews_due and the RAG scheme (no queries)."""
    rows = []
    for nominal in nominals:
        leads: dict[str, CaseAssignment] = {}
        # Newest first per role; on a same-day transfer the not-ended holder is the lead.
        for assignment in getattr(nominal, "current_leads", []):
            leads.setdefault(assignment.role, assignment)
        rating_id = getattr(nominal, "review_rating_id", None)
        rows.append(
            DueRow(
                nominal=nominal,
                rating=ratings.get(rating_id) if rating_id else None,
                lead_professional=leads.get(CaseAssignment.Role.LEAD_PROFESSIONAL),
                police_lead=leads.get(CaseAssignment.Role.POLICE_LEAD),
            )
        )
    return rows


def due_rows_shown(user: User, nominals: Iterable[Nominal], *, query: str, path: str) -> list[DueRow]:
    """A page of reviews_due as the list's lines, logged as a search that showed those people's
    identity (one query for the RAG scheme, one for the log; none when the page is empty)."""
    rows = due_rows(nominals, {rating.pk: rating for rating in RagRating.objects.all()})
    if rows:
        access_event_record(
            user=user,
            action=AccessEvent.Action.SEARCH,
            nominal_ids=[row.nominal.pk for row in rows],
            categories=["identity"],
            query=query,
            path=path,
        )
    return rows


# --- Who may review --------------------------------------------------------------------------------


def may_review(user: User, assignments: Iterable[CaseAssignment]) -> bool:
    """A supervisor of the person's current lead professional or IOM police lead, or any supervisor
    of the IOM unit's agencies. `assignments`: the person's current ones, workers loaded (no query)."""
    if not user.has_role(Role.SUPERVISOR):
        return False
    leads = [a for a in assignments if a.role in LEAD_ROLES and a.ended_on is None]
    if any(lead.worker_id == user.pk for lead in leads):
        return False  # a supervisor who leads the case themselves does not review their own work
    if is_iom_unit_agency(user.agency):
        return True
    return any(lead.worker.supervisor_id == user.pk for lead in leads)


def case_leads(cohort: CohortPanel) -> list[CaseAssignment]:
    """The person's current lead professional and police lead, from the On IOM panel already loaded."""
    return [a for a in (cohort.lead_professional, cohort.police_lead) if a is not None and a.ended_on is None]


# --- Recording a review ----------------------------------------------------------------------------


def review_next_date_check(*, next_review_on: datetime.date, rating: RagRating | None) -> None:
    """The next review is after today and no later than one interval of the rating from today."""
    on = today()
    latest = cadence_after(on, rating)
    if next_review_on <= on:
        raise ValidationError({"next_review_on": ["The next review date must be in the future"]})
    if next_review_on > latest:
        reviewed = (
            f"{rating.label} is reviewed {rating.review_cadence}" if rating else "not rated: reviewed every month"
        )
        raise ValidationError(
            {"next_review_on": [f"The next review must be on or before {latest:%-d %B %Y} ({reviewed})"]}
        )


@transaction.atomic
def supervisor_review_record(
    *,
    nominal: Nominal,
    by: User,
    commensurate: bool,
    actions_set: str,
    next_review_on: datetime.date,
    note: str = "",
) -> SupervisorReview:
    """Record a supervisor's review of a person on the cohort: an offending-and-risk item owned by
    the reviewer's agency, with the RAG rating reviewed. The next review is due on the date set."""
    nominal = Nominal.objects.select_for_update().get(pk=nominal.pk)
    on = today()
    if not current_memberships(on).filter(nominal=nominal).exists():
        raise StateError(f"{nominal.full_name} is not on the IOM cohort: only people on the cohort are reviewed.")
    leads = list(current_leads(on).filter(nominal=nominal).select_related("worker"))
    if not may_review(by, leads):
        raise NotAllowed(
            "Only a supervisor of the lead professional or IOM police lead, or a supervisor of the IOM team, "
            "reviews the case."
        )
    assessment = (
        RagAssessment.objects.filter(nominal=nominal).select_related("rating").order_by("-assessed_at", "-pk").first()
    )
    rating = assessment.rating if assessment else None
    actions_set, note = actions_set.strip(), note.strip()
    errors: dict[str, list[str]] = {}
    if not commensurate and not actions_set:
        errors["actions_set"] = ["Enter the actions set: the interventions are not commensurate with the risk"]
    try:
        review_next_date_check(next_review_on=next_review_on, rating=rating)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    item = item_record(
        nominal=nominal,
        by=by,
        category=DataCategory.objects.get(code=REVIEW_CATEGORY),
        kind=RecordedItem.Kind.REVIEW,
        summary=SUMMARY_COMMENSURATE if commensurate else SUMMARY_NOT_COMMENSURATE,
        detail=note,
        occurred_on=on,
    )
    return SupervisorReview.objects.create(
        item=item, rating=rating, commensurate=commensurate, actions_set=actions_set, next_review_on=next_review_on
    )


# --- Reading reviews -------------------------------------------------------------------------------


@dataclass
class ReviewHistory:
    """The person's reviews the user's agency may read, newest first, and how many it may not."""

    reviews: list[SupervisorReview]
    withheld: int

    @property
    def latest(self) -> SupervisorReview | None:
        return self.reviews[0] if self.reviews else None


def reviews_for_user(user: User, nominal: Nominal) -> ReviewHistory:
    """The person's supervisor reviews, as the sharing rules let the user's agency read them (two
    queries whatever their number)."""
    visible = agency_may_see_item(user.agency_id)
    items = RecordedItem.objects.filter(nominal=nominal, kind=RecordedItem.Kind.REVIEW, supervisor_review__isnull=False)
    shown = (
        items.filter(visible)
        .select_related("supervisor_review__rating", "recorded_by__agency", "owning_agency")
        .order_by("-occurred_on", "-recorded_at", "-pk")
    )
    return ReviewHistory(
        reviews=[item.supervisor_review for item in shown],
        withheld=items.exclude(visible).count(),
    )


@dataclass
class ReviewSchedule:
    """When the person's next review is due, under which rating's cadence."""

    on_cohort: bool
    due_on: datetime.date | None
    overdue: bool
    rating: RagRating | None

    @property
    def cadence(self) -> str:
        return cadence_words(self.rating)

    @property
    def latest_allowed(self) -> datetime.date:
        """The latest next review date a review recorded today may set."""
        return cadence_after(today(), self.rating)


def review_schedule(nominal: Nominal, cohort: CohortPanel) -> ReviewSchedule:
    """The person's next review (one query); `cohort` is their On IOM panel, already loaded."""
    row = (
        with_review_due(Nominal.objects.filter(pk=nominal.pk))
        .values(due_on=F("review_due_on"), overdue=F("is_overdue"))
        .first()
    )
    rag = cohort.current_rag
    return ReviewSchedule(
        on_cohort=cohort.membership is not None,
        due_on=row["due_on"] if row else None,
        overdue=bool(row and row["overdue"] and cohort.membership is not None),
        rating=rag.rating if rag else None,
    )


@dataclass
class ManagementReportSummary:
    """What a supervisor reviews: the person's time on IOM (RAG, leads), the review schedule, the last
    review and the recent items their agency may see."""

    cohort: CohortPanel
    schedule: ReviewSchedule
    history: ReviewHistory
    recent_items: list[RecordedItem]
    withheld_items: int
    categories_shown: list[str] = field(default_factory=list)


def management_report_summary(user: User, nominal: Nominal) -> ManagementReportSummary:
    """The review page's summary of the management report, in a fixed number of queries. The caller
    holds the person already scoped to the user. Sensitive categories stay on the person's record,
    behind the reason they ask for."""
    cohort = nominal_cohort_panel(nominal)
    visible = agency_may_see_item(user.agency_id)
    items = RecordedItem.objects.filter(nominal=nominal)
    recent = list(
        items.filter(visible)
        .exclude(category__is_sensitive=True)
        .select_related("category", "owning_agency", "recorded_by")
        .order_by("-occurred_on", "-recorded_at", "-pk")[:RECENT_ITEMS]
    )
    history = reviews_for_user(user, nominal)
    categories = {"identity"} | {item.category.code for item in recent}
    if history.reviews:
        categories.add(REVIEW_CATEGORY)
    return ManagementReportSummary(
        cohort=cohort,
        schedule=review_schedule(nominal, cohort),
        history=history,
        recent_items=recent,
        withheld_items=items.exclude(visible).aggregate(count=Count("pk"))["count"],
        categories_shown=sorted(categories),
    )
