"""Agendas built from the data, and their editing by the chair.

A rule is one function: given a meeting (and the facts every rule shares: its date, when the last
meeting of its kind was), it returns the candidate items the database state puts on that meeting's
agenda, each keyed by the row it comes from (source_key). Rules read the data as of the meeting's
date, in a fixed number of queries whatever the number of rows. The build is ordered by the kind's
place in the meeting (KIND_ORDER), then the rule's own order (score, name, date), then the row's
key, so an agenda built for the same data is the same twice.

agenda_refresh applies the build to the meeting's items, by key: it adds what has newly become due
(after the existing positions), marks built items whose data no longer qualifies as dropped (kept
for the record, never deleted) unless they were discussed or decided, puts back dropped items that
qualify again, and never re-adds an item the chair removed. The chair adds other business, removes,
restores and moves items; only a chair of the meeting (meetings.access.may_chair) edits.

Who sees what an item says is not decided here: each item about a person carries the agency that
owns its content and the content's data category (meetings.access.items_for_agency).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cohorts.access import current_involvements, current_memberships, today
from cohorts.deregistration.models import Deregistration
from cohorts.events.models import CustodyEvent
from cohorts.management.models import CaseAssignment, CohortMembership, RagAssessment, RagRating
from cohorts.records.models import CaseInvolvement, Nominal, RecordedItem
from cohorts.records.selectors import nominals_visible_to
from cohorts.reviews.services import with_review_due
from cohorts.transitions.models import TransitionPlan
from cohorts.transitions.services import TransitionStatus, transition_weeks, with_transition_status
from meetings.access import may_chair
from meetings.actions.models import MeetingAction
from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting, MeetingKind
from referrals.dates import add_months, y2a_milestones
from referrals.models import Referral, ReferralDecision
from sharing.errors import NotAllowed, StateError
from sharing.models import Agency, DataCategory, User

Kind = AgendaItem.Kind
CONTENT_CATEGORY = "offending-risk"  # referrals, RAG, events, reviews, transitions, deregistrations
RELEASE_WINDOW_DAYS = 14
LOOKBACK_WITHOUT_LAST_MEETING_DAYS = 7
REFRESH_AHEAD_DAYS = 14  # the scheduled refresh keeps the agendas of the next two weeks' meetings fresh
EDITABLE_STATUSES = (Meeting.Status.SCHEDULED, Meeting.Status.IN_PROGRESS)
NEW_EVENT_KINDS = (
    CustodyEvent.Kind.ARREST,
    CustodyEvent.Kind.CHARGE,
    CustodyEvent.Kind.REMAND,
    CustodyEvent.Kind.RECALL,
    CustodyEvent.Kind.COURT_OUTCOME,
    CustodyEvent.Kind.SENTENCE,
)
NOT_A_CHAIR = "Only the meeting's chair, or a panel chair of the agency that runs it, changes its agenda."

# The sections of each kind of meeting, in agenda order. Other business closes every agenda.
KIND_ORDER: dict[str, tuple[str, ...]] = {
    MeetingKind.SELECTION_PANEL: (Kind.REFERRAL, Kind.URGENT_RATIFICATION, Kind.DEREGISTRATION, Kind.OPEN_ACTION),
    MeetingKind.MAP: (
        Kind.TOP_RAG,
        Kind.RAG_CHANGE,
        Kind.NEW_EVENT,
        Kind.RELEASE_DUE,
        Kind.OVERDUE_REVIEW,
        Kind.TRANSITION_STARTING,
        Kind.OPEN_ACTION,
    ),
    MeetingKind.Y2A_PANEL: (Kind.Y2A_CANDIDATE, Kind.OPEN_ACTION),
    MeetingKind.CASE_CONFERENCE: (Kind.OPEN_ACTION,),
}


def sections_of(meeting: Meeting) -> tuple[str, ...]:
    """The item kinds of the meeting's agenda, in order, other business last."""
    return (*KIND_ORDER.get(meeting.kind, ()), Kind.OTHER)


@dataclass(frozen=True)
class Candidate:
    """An item the data puts on an agenda. `link` names the row it comes from: (field, pk)."""

    source_key: str
    kind: str
    title: str
    summary: str
    nominal_id: int | None
    owning_agency_id: int | None
    category_id: int | None
    link: tuple[str, int] | None = None
    rank: tuple[Any, ...] = ()


LINK_FIELDS = ("referral", "deregistration", "rag_assessment", "event", "review_item", "transition_plan", "action")
CONTENT_FIELDS = (
    "title",
    "summary",
    "nominal_id",
    "owning_agency_id",
    "category_id",
    *(f"{f}_id" for f in LINK_FIELDS),
)


@dataclass
class BuildContext:
    """What every rule of one meeting's build shares, each looked up once."""

    meeting: Meeting
    on: datetime.date
    _cache: dict[str, Any] = field(default_factory=dict)

    def _once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def content_category_id(self) -> int | None:
        return self._once(
            "category",
            lambda: DataCategory.objects.filter(code=CONTENT_CATEGORY).values_list("pk", flat=True).first(),
        )

    @property
    def last_meeting(self) -> Meeting | None:
        return self._once("last", lambda: last_meeting_before(self.meeting))

    @property
    def since_date(self) -> datetime.date:
        """The date of the last meeting of its kind, else a week before this one."""
        last = self.last_meeting
        return last.date if last else self.on - datetime.timedelta(days=LOOKBACK_WITHOUT_LAST_MEETING_DAYS)

    @property
    def since_at(self) -> datetime.datetime:
        """When the last meeting of its kind started, else the start of the day a week before."""
        last = self.last_meeting
        moment = datetime.datetime.combine(self.since_date, last.starts_at if last else datetime.time.min)
        return timezone.make_aware(moment)


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def _excerpt(text: str, length: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _on_cohort(on: datetime.date, nominal_ref: str = "pk") -> Exists:
    return Exists(current_memberships(on).filter(nominal=OuterRef(nominal_ref)))


def _meeting_lineage(meeting: Meeting, prefix: str = "") -> Q:
    """Meetings that follow one another: the same series, or the same kind run by the same agency."""
    lineage = Q(**{f"{prefix}kind": meeting.kind, f"{prefix}agency_id": meeting.agency_id})
    if meeting.series_id is not None:
        lineage |= Q(**{f"{prefix}series_id": meeting.series_id})
    return lineage


def last_meeting_before(meeting: Meeting) -> Meeting | None:
    """The previous meeting held (or past) of the same series, else of the same kind run by the same
    agency; None when there is none."""
    earlier = (
        Meeting.objects.filter(date__lt=meeting.date)
        .exclude(pk=meeting.pk)
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(Q(status__in=(Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED)) | Q(date__lt=today()))
        .order_by("-date", "-starts_at", "-pk")
    )
    if meeting.series_id is not None:
        in_series = earlier.filter(series_id=meeting.series_id).first()
        if in_series is not None:
            return in_series
    return earlier.filter(kind=meeting.kind, agency_id=meeting.agency_id).first()


def next_meeting_date(meeting: Meeting) -> datetime.date:
    """The series' next meeting after this one, else this date plus three months."""
    if meeting.series_id is not None:
        following = (
            Meeting.objects.filter(series_id=meeting.series_id, date__gt=meeting.date)
            .exclude(status=Meeting.Status.CANCELLED)
            .order_by("date")
            .values_list("date", flat=True)
            .first()
        )
        if following is not None:
            return following
    return add_months(meeting.date, 3)


# --- Selection panel --------------------------------------------------------------------------------


def rule_referrals_listed(ctx: BuildContext) -> list[Candidate]:
    """Referrals listed for a panel on or before the meeting's date and not decided, highest score first."""
    referrals = (
        Referral.objects.filter(status=Referral.Status.LISTED, panel_date__lte=ctx.on)
        .select_related("nominal")
        .order_by(F("score").desc(nulls_last=True), "panel_date", "pk")
    )
    candidates = []
    for rank, referral in enumerate(referrals):
        score = f"score {referral.score}" if referral.score is not None else "not scored"
        strand = referral.get_strand_display() or "no strand proposed"
        candidates.append(
            Candidate(
                source_key=f"referral:{referral.pk}",
                kind=Kind.REFERRAL,
                title=f"{referral.nominal.full_name}: referral {referral.reference} ({score})",
                summary=_excerpt(f"{strand} strand. Why now: {referral.why_now or 'not given'}"),
                nominal_id=referral.nominal_id,
                owning_agency_id=referral.referring_agency_id,
                category_id=ctx.content_category_id,
                link=("referral", referral.pk),
                rank=(rank,),
            )
        )
    return candidates


def rule_urgent_decisions_to_ratify(ctx: BuildContext) -> list[Candidate]:
    """Urgent decisions a panel chair took outside a meeting before the meeting's day, waiting for a
    panel to ratify them."""
    pending = ReferralDecision.objects.filter(
        ratification=ReferralDecision.Ratification.TO_BE_RATIFIED, decided_at__date__lte=ctx.on
    ).order_by("-decided_at", "-pk")
    taken_by_then = ReferralDecision.objects.filter(
        referral=OuterRef("pk"), ratification=ReferralDecision.Ratification.TO_BE_RATIFIED, decided_at__date__lte=ctx.on
    )
    referrals = (
        Referral.objects.filter(Q(to_be_ratified=True), Exists(taken_by_then))
        .select_related("nominal")
        .prefetch_related(Prefetch("decisions", queryset=pending, to_attr="pending_decisions"))
        .order_by("submitted_at", "pk")
    )
    candidates = []
    for rank, referral in enumerate(referrals):
        decision = referral.pending_decisions[0] if referral.pending_decisions else None
        said = (
            f"{decision.get_outcome_display()} on {decision.decided_at:%-d %B %Y}: {decision.rationale}"
            if decision
            else referral.get_status_display()
        )
        candidates.append(
            Candidate(
                source_key=f"ratify:{referral.pk}",
                kind=Kind.URGENT_RATIFICATION,
                title=f"{referral.nominal.full_name}: urgent decision on {referral.reference} to ratify",
                summary=_excerpt(said),
                nominal_id=referral.nominal_id,
                owning_agency_id=referral.referring_agency_id,
                category_id=ctx.content_category_id,
                link=("referral", referral.pk),
                rank=(rank,),
            )
        )
    return candidates


def rule_deregistrations_proposed(ctx: BuildContext) -> list[Candidate]:
    """Proposals that a person leave IOM, waiting for a panel to ratify them, oldest first."""
    proposals = (
        Deregistration.objects.filter(status=Deregistration.Status.PROPOSED, proposed_at__date__lte=ctx.on)
        .select_related("nominal", "proposed_by")
        .order_by("proposed_at", "pk")
    )
    return [
        Candidate(
            source_key=f"deregistration:{proposal.pk}",
            kind=Kind.DEREGISTRATION,
            title=f"{proposal.nominal.full_name}: deregistration to ratify ({proposal.get_reason_display().lower()})",
            summary=_excerpt(
                f"Proposed by {proposal.proposed_by} on {proposal.proposed_at:%-d %B %Y}: {proposal.explanation}"
            ),
            nominal_id=proposal.nominal_id,
            owning_agency_id=proposal.proposed_by.agency_id,
            category_id=ctx.content_category_id,
            link=("deregistration", proposal.pk),
            rank=(rank,),
        )
        for rank, proposal in enumerate(proposals)
    ]


# --- MAP meeting ------------------------------------------------------------------------------------


def _latest_assessment(on: datetime.date, nominal_ref: str = "pk") -> QuerySet[RagAssessment]:
    return RagAssessment.objects.filter(nominal=OuterRef(nominal_ref), assessed_at__date__lte=on).order_by(
        "-assessed_at", "-pk"
    )


def _current_assessments(on: datetime.date) -> QuerySet[RagAssessment]:
    """The latest RAG assessment (as of `on`) of each person on the cohort on `on`."""
    latest_ids = (
        Nominal.objects.filter(_on_cohort(on))
        .annotate(latest_id=Subquery(_latest_assessment(on).values("pk")[:1]))
        .filter(latest_id__isnull=False)
        .values("latest_id")
    )
    return RagAssessment.objects.filter(pk__in=latest_ids).select_related("nominal", "rating", "assessed_by")


def rule_top_rag(ctx: BuildContext) -> list[Candidate]:
    """Everyone on the cohort whose latest RAG rating is the top one (first in the scheme's order)."""
    top = RagRating.objects.filter(is_active=True).order_by("order", "label").first()
    if top is None:
        return []
    assessments = (
        _current_assessments(ctx.on)
        .filter(rating=top)
        .order_by("nominal__last_name", "nominal__first_name", "nominal_id", "pk")
    )
    return [
        Candidate(
            source_key=f"top_rag:{assessment.nominal_id}",
            kind=Kind.TOP_RAG,
            title=f"{assessment.nominal.full_name}: rated {assessment.rating.label}",
            summary=_excerpt(
                f"Rated {assessment.rating.label} by {assessment.assessed_by} on "
                f"{assessment.assessed_at:%-d %B %Y}: {assessment.rationale}"
            ),
            nominal_id=assessment.nominal_id,
            owning_agency_id=assessment.assessed_by.agency_id,
            category_id=ctx.content_category_id,
            link=("rag_assessment", assessment.pk),
            rank=(rank,),
        )
        for rank, assessment in enumerate(assessments)
    ]


def rule_rag_changes(ctx: BuildContext) -> list[Candidate]:
    """People on the cohort whose RAG rating changed since the last MAP (their latest rating, given
    since then, differs from the one before it, or is their first)."""
    before = RagAssessment.objects.filter(nominal=OuterRef("nominal")).filter(
        Q(assessed_at__lt=OuterRef("assessed_at")) | Q(assessed_at=OuterRef("assessed_at"), pk__lt=OuterRef("pk"))
    )
    before = before.order_by("-assessed_at", "-pk")
    assessments = (
        _current_assessments(ctx.on)
        .filter(assessed_at__gte=ctx.since_at)
        .annotate(
            previous_rating_id=Subquery(before.values("rating_id")[:1]),
            previous_label=Subquery(before.values("rating__label")[:1]),
        )
        .filter(Q(previous_rating_id__isnull=True) | ~Q(previous_rating_id=F("rating_id")))
        .order_by("rating__order", "assessed_at", "pk")
    )
    candidates = []
    for rank, assessment in enumerate(assessments):
        previous = getattr(assessment, "previous_label", None)
        change = (
            f"from {previous} to {assessment.rating.label}" if previous else f"first rated {assessment.rating.label}"
        )
        candidates.append(
            Candidate(
                source_key=f"rag_change:{assessment.pk}",
                kind=Kind.RAG_CHANGE,
                title=f"{assessment.nominal.full_name}: RAG rating {change}",
                summary=_excerpt(
                    f"By {assessment.assessed_by} on {assessment.assessed_at:%-d %B %Y}: {assessment.rationale}"
                ),
                nominal_id=assessment.nominal_id,
                owning_agency_id=assessment.assessed_by.agency_id,
                category_id=ctx.content_category_id,
                link=("rag_assessment", assessment.pk),
                rank=(rank,),
            )
        )
    return candidates


def _event_candidate(event: CustodyEvent, kind: str, key: str, title: str, rank: int) -> Candidate:
    item = event.item
    return Candidate(
        source_key=key,
        kind=kind,
        title=title,
        summary=_excerpt(f"{item.summary}. {item.detail}" if item.detail else item.summary),
        nominal_id=item.nominal_id,
        owning_agency_id=item.owning_agency_id,
        category_id=item.category_id,
        link=("event", event.pk),
        rank=(rank,),
    )


def rule_new_events(ctx: BuildContext) -> list[Candidate]:
    """Arrests, charges, remands, recalls, court outcomes and sentences of people on the cohort,
    dated after the last MAP (up to the meeting's date)."""
    events = (
        CustodyEvent.objects.filter(
            kind__in=NEW_EVENT_KINDS, item__occurred_on__gt=ctx.since_date, item__occurred_on__lte=ctx.on
        )
        .filter(_on_cohort(ctx.on, "item__nominal"))
        .select_related("item__nominal")
        .order_by("item__occurred_on", "pk")
    )
    return [
        _event_candidate(
            event,
            Kind.NEW_EVENT,
            f"event:{event.pk}",
            f"{event.item.nominal.full_name}: {event.get_kind_display().lower()} on {_day(event.item.occurred_on)}",
            rank,
        )
        for rank, event in enumerate(events)
    ]


def rule_releases_due(ctx: BuildContext) -> list[Candidate]:
    """Releases from custody due within two weeks of the meeting's date, for people on IOM or on it
    before. Two sources: a release event dated in that window (the person's latest release; events
    are recorded when the release happens, so this serves a meeting held on the day or run late),
    and, for someone in custody now, the expected release date of their latest referral."""
    window_end = ctx.on + datetime.timedelta(days=RELEASE_WINDOW_DAYS)
    latest_release = CustodyEvent.objects.filter(
        kind=CustodyEvent.Kind.RELEASE, item__nominal=OuterRef("item__nominal")
    ).order_by("-item__occurred_on", "-item__recorded_at", "-pk")
    events = (
        CustodyEvent.objects.filter(kind=CustodyEvent.Kind.RELEASE, release_on__gte=ctx.on, release_on__lte=window_end)
        .filter(pk=Subquery(latest_release.values("pk")[:1]))
        .filter(Exists(CohortMembership.objects.filter(nominal=OuterRef("item__nominal"), started_on__lte=ctx.on)))
        .select_related("item__nominal")
        .order_by("release_on", "pk")
    )
    released = [
        (
            event.release_on,
            _event_candidate(
                event,
                Kind.RELEASE_DUE,
                f"release:{event.pk}",
                f"{event.item.nominal.full_name}: release due on {_day(event.release_on)}",  # type: ignore[arg-type]
                0,
            ),
        )
        for event in events
    ]
    latest_referral = (
        Referral.objects.filter(nominal=OuterRef("nominal"))
        .exclude(status=Referral.Status.DRAFT)
        .order_by("-created_at", "-pk")
    )
    expected = (
        Referral.objects.filter(
            nominal__custody_status=Nominal.CustodyStatus.CUSTODY,
            release_expected_on__gte=ctx.on,
            release_expected_on__lte=window_end,
        )
        .filter(pk=Subquery(latest_referral.values("pk")[:1]))
        .filter(Exists(CohortMembership.objects.filter(nominal=OuterRef("nominal"), started_on__lte=ctx.on)))
        .select_related("nominal")
        .order_by("release_expected_on", "pk")
    )
    released += [
        (
            referral.release_expected_on,
            Candidate(
                source_key=f"expected_release:{referral.pk}:{referral.release_expected_on:%Y-%m-%d}",
                kind=Kind.RELEASE_DUE,
                title=f"{referral.nominal.full_name}: release expected on {_day(referral.release_expected_on)}",  # type: ignore[arg-type]
                summary=f"In custody. Expected release date from referral {referral.reference}.",
                nominal_id=referral.nominal_id,
                owning_agency_id=referral.referring_agency_id,
                category_id=ctx.content_category_id,
                link=("referral", referral.pk),
            ),
        )
        for referral in expected
    ]
    released.sort(key=lambda pair: (pair[0], pair[1].source_key))
    return [replace(candidate, rank=(rank,)) for rank, (_, candidate) in enumerate(released)]


def rule_overdue_reviews(ctx: BuildContext) -> list[Candidate]:
    """People on the cohort whose supervisor review is overdue on the meeting's date (cohorts/reviews/services.py)."""
    last_review = RecordedItem.objects.filter(
        nominal=OuterRef("pk"), kind=RecordedItem.Kind.REVIEW, occurred_on__gte=OuterRef("review_period_from")
    ).order_by("-occurred_on", "-recorded_at", "-pk")
    people = list(
        with_review_due(Nominal.objects.all(), ctx.on)
        .filter(Q(is_overdue=True))
        .annotate(last_review_id=Subquery(last_review.values("pk")[:1]))
        .order_by(F("review_due_on").asc(), "pk")
    )
    reviews = {
        review.pk: review
        for review in RecordedItem.objects.filter(pk__in=[p.last_review_id for p in people if p.last_review_id])
    }
    candidates = []
    for rank, person in enumerate(people):
        due: datetime.date = person.review_due_on  # type: ignore[attr-defined]
        review = reviews.get(person.last_review_id)
        last = f"Last review on {_day(review.occurred_on)}." if review else "No review yet in this period on IOM."
        candidates.append(
            Candidate(
                source_key=f"overdue_review:{person.pk}:{due:%Y-%m-%d}",
                kind=Kind.OVERDUE_REVIEW,
                title=f"{person.full_name}: supervisor review overdue since {_day(due)}",
                summary=last,
                nominal_id=person.pk,
                owning_agency_id=review.owning_agency_id if review else person.owning_agency_id,
                category_id=review.category_id if review else ctx.content_category_id,
                link=("review_item", review.pk) if review else None,
                rank=(rank,),
            )
        )
    return candidates


def rule_transitions_starting(ctx: BuildContext) -> list[Candidate]:
    """People on the cohort whose licence ends within IOM_TRANSITION_WEEKS with no transition plan
    yet (cohorts/transitions/services.py: due), and plans started since the last MAP and not complete."""
    plan = TransitionPlan.objects.filter(membership_id=OuterRef("transition_membership_id"))
    people = (
        with_transition_status(Nominal.objects.all(), ctx.on)
        .annotate(plan_id=Subquery(plan.values("pk")[:1]), plan_started_at=Subquery(plan.values("created_at")[:1]))
        .filter(
            Q(transition_status=TransitionStatus.DUE.value)
            | Q(
                transition_status__in=(TransitionStatus.IN_PROGRESS.value, TransitionStatus.STEPS_OVERDUE.value),
                plan_started_at__gte=ctx.since_at,
            )
        )
        .order_by(F("licence_ends_on").asc(nulls_last=True), "pk")
    )
    candidates = []
    for rank, person in enumerate(people):
        ends = f"licence ends on {_day(person.licence_ends_on)}" if person.licence_ends_on else "licence ending"
        plan_id = person.plan_id
        state = "transition plan started" if plan_id else f"no transition plan yet ({transition_weeks()} weeks before)"
        candidates.append(
            Candidate(
                source_key=f"transition:{person.pk}:{person.licence_ends_on or ''}",
                kind=Kind.TRANSITION_STARTING,
                title=f"{person.full_name}: {ends}",
                summary=f"{state[0].upper()}{state[1:]}.",
                nominal_id=person.pk,
                owning_agency_id=person.owning_agency_id,
                category_id=ctx.content_category_id,
                link=("transition_plan", plan_id) if plan_id else None,
                rank=(rank,),
            )
        )
    return candidates


def rule_open_actions(ctx: BuildContext) -> list[Candidate]:
    """Actions still open from the earlier meetings of the same series (or kind and agency)."""
    meeting = ctx.meeting
    actions = (
        MeetingAction.objects.filter(status=MeetingAction.Status.OPEN, meeting__date__lte=meeting.date)
        .filter(_meeting_lineage(meeting, "meeting__"))
        .exclude(meeting_id=meeting.pk)
        .select_related("owner", "meeting", "nominal")
        .order_by("due_on", "pk")
    )
    candidates = []
    for rank, action in enumerate(actions):
        about = f"{action.nominal.full_name}: " if action.nominal else ""
        candidates.append(
            Candidate(
                source_key=f"action:{action.pk}",
                kind=Kind.OPEN_ACTION,
                title=_excerpt(f"{about}action for {action.owner}, due {_day(action.due_on)}", 200),
                summary=_excerpt(f"{action.description} (set at the meeting of {_day(action.meeting.date)})"),
                nominal_id=action.nominal_id,
                owning_agency_id=action.owning_agency_id,
                category_id=action.category_id,
                link=("action", action.pk),
                rank=(rank,),
            )
        )
    return candidates


# --- Y2A panel --------------------------------------------------------------------------------------

Y2A_REFERRAL_STATUSES = (*Referral.IN_PROGRESS_STATUSES, Referral.Status.ACCEPTED)


def _worker_line(agency: Agency, assignments: Sequence[CaseAssignment], involvements: Sequence[CaseInvolvement]) -> str:
    roles = [f"{a.get_role_display().lower()} {a.worker}" for a in assignments if a.agency_id == agency.pk]
    if not roles:
        roles = [i.get_reason_display().lower() for i in involvements if i.agency_id == agency.pk]
    return f"{agency.name} ({', '.join(roles)})" if roles else agency.name


def rule_y2a_candidates(ctx: BuildContext) -> list[Candidate]:
    """Young people (a youth offending team involved, or a youth-to-adult referral) who reach 17 years
    6 months before the next Y2A panel and are not yet 18 on this one's date, with their youth
    offending team and probation details. Dates as referrals/dates.py counts them (a 29 February
    birthday falls on 1 March in a common year), so the agenda and the referral page agree."""
    on, next_panel = ctx.on, next_meeting_date(ctx.meeting)
    yot = Agency.Kind.YOUTH_OFFENDING_TEAM
    yot_involved = current_involvements(on).filter(nominal=OuterRef("pk"), agency__kind=yot)
    y2a_referral = Referral.objects.filter(
        nominal=OuterRef("pk"), kind=Referral.Kind.Y2A, status__in=Y2A_REFERRAL_STATUSES
    )
    # A generous date-of-birth window in SQL; the exact milestones are checked below.
    born_after = add_months(on, -18 * 12) - datetime.timedelta(days=2)
    born_before = add_months(next_panel, -(17 * 12 + 6)) + datetime.timedelta(days=3)
    current_assignments = (
        CaseAssignment.objects.filter(started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .select_related("worker", "agency")
        .order_by("role", "pk")
    )
    people = (
        Nominal.objects.filter(date_of_birth__gt=born_after, date_of_birth__lt=born_before)
        .filter(Q(Exists(yot_involved)) | Q(Exists(y2a_referral)))
        .prefetch_related(
            Prefetch("assignments", queryset=current_assignments, to_attr="current_assignments"),
            Prefetch(
                "involvements",
                queryset=current_involvements(on).select_related("agency").order_by("pk"),
                to_attr="current_involvements",
            ),
            Prefetch(
                "referrals",
                queryset=Referral.objects.filter(kind=Referral.Kind.Y2A, status__in=Y2A_REFERRAL_STATUSES).order_by(
                    "-created_at", "-pk"
                ),
                to_attr="y2a_referrals",
            ),
        )
        .order_by("date_of_birth", "pk")
    )
    due = []
    for person in people:
        milestones = y2a_milestones(person.date_of_birth)
        if milestones.consider_transfer < next_panel and on < milestones.eighteenth_birthday:
            due.append((milestones, person))
    due.sort(key=lambda pair: (pair[0].consider_transfer, pair[1].pk))
    candidates = []
    for rank, (milestones, person) in enumerate(due):
        assignments: list[CaseAssignment] = person.current_assignments
        involvements: list[CaseInvolvement] = person.current_involvements
        referrals: list[Referral] = person.y2a_referrals
        agencies = {i.agency_id: i.agency for i in involvements} | {a.agency_id: a.agency for a in assignments}
        yots = [a for a in agencies.values() if a.kind == yot]
        probation = [a for a in agencies.values() if a.kind == Agency.Kind.PROBATION]
        lines = [
            f"Born {_day(person.date_of_birth)}: 17 years 6 months on {_day(milestones.consider_transfer)}, "
            f"18 on {_day(milestones.eighteenth_birthday)}.",
            "Youth offending team: "
            + ("; ".join(_worker_line(a, assignments, involvements) for a in yots) or "none recorded")
            + ".",
            "Probation: "
            + ("; ".join(_worker_line(a, assignments, involvements) for a in probation) or "none recorded")
            + ".",
        ]
        if referrals:
            lines.append(f"Youth-to-adult referral {referrals[0].reference}: {referrals[0].get_status_display()}.")
        owner = referrals[0].referring_agency_id if referrals else (yots[0].pk if yots else person.owning_agency_id)
        candidates.append(
            Candidate(
                source_key=f"y2a:{person.pk}",
                kind=Kind.Y2A_CANDIDATE,
                title=f"{person.full_name}: 17 years 6 months on {_day(milestones.consider_transfer)}",
                summary=" ".join(lines),
                nominal_id=person.pk,
                owning_agency_id=owner,
                category_id=ctx.content_category_id,
                link=("referral", referrals[0].pk) if referrals else None,
                rank=(rank,),
            )
        )
    return candidates


RULES: dict[str, Callable[[BuildContext], list[Candidate]]] = {
    Kind.REFERRAL: rule_referrals_listed,
    Kind.URGENT_RATIFICATION: rule_urgent_decisions_to_ratify,
    Kind.DEREGISTRATION: rule_deregistrations_proposed,
    Kind.TOP_RAG: rule_top_rag,
    Kind.RAG_CHANGE: rule_rag_changes,
    Kind.NEW_EVENT: rule_new_events,
    Kind.RELEASE_DUE: rule_releases_due,
    Kind.OVERDUE_REVIEW: rule_overdue_reviews,
    Kind.TRANSITION_STARTING: rule_transitions_starting,
    Kind.OPEN_ACTION: rule_open_actions,
    Kind.Y2A_CANDIDATE: rule_y2a_candidates,
}


def agenda_candidates(meeting: Meeting) -> list[Candidate]:
    """Every item the data puts on the meeting's agenda, in agenda order (kind, the rule's order, key)."""
    ctx = BuildContext(meeting=meeting, on=meeting.date)
    candidates: list[Candidate] = []
    for index, kind in enumerate(KIND_ORDER.get(meeting.kind, ())):
        rule_candidates = RULES[kind](ctx)
        candidates.extend(
            sorted(rule_candidates, key=lambda c, i=index: (i, c.rank, c.source_key))  # type: ignore[misc]
        )
    return candidates


# --- Services ---------------------------------------------------------------------------------------


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _refuse_unless_editable(meeting: Meeting) -> None:
    if meeting.status not in EDITABLE_STATUSES:
        raise StateError(
            f"The agenda can only change while the meeting is scheduled or in progress; it is "
            f"{meeting.get_status_display().lower()}."
        )


def _check_chair(meeting: Meeting, by: User) -> None:
    if not may_chair(by, meeting):
        raise NotAllowed(NOT_A_CHAIR)


def _discussed(item: AgendaItem) -> bool:
    return bool(item.notes.strip()) or item.decided_at is not None


def _content_of(candidate: Candidate) -> dict[str, Any]:
    links: dict[str, int | None] = {f"{name}_id": None for name in LINK_FIELDS}
    if candidate.link is not None:
        links[f"{candidate.link[0]}_id"] = candidate.link[1]
    return {
        "title": candidate.title[:200],
        "summary": candidate.summary,
        "nominal_id": candidate.nominal_id,
        "owning_agency_id": candidate.owning_agency_id,
        "category_id": candidate.category_id,
        **links,
    }


@dataclass(frozen=True)
class RefreshOutcome:
    meeting: Meeting
    added: int
    dropped: int
    back: int


@transaction.atomic
def agenda_refresh(*, meeting: Meeting, by: User | None = None) -> RefreshOutcome:
    """Bring the meeting's agenda up to date with the data (idempotent). `by`: the chair pressing
    "Refresh from the data"; None for the scheduled refresh and on creating the meeting."""
    meeting = _locked_meeting(meeting)
    if by is not None:
        _check_chair(meeting, by)
    _refuse_unless_editable(meeting)
    candidates = agenda_candidates(meeting)
    existing = {item.source_key: item for item in meeting.items.all()}
    now = timezone.now()
    position = max((item.position for item in existing.values()), default=0)
    due_keys = {candidate.source_key for candidate in candidates}
    to_create: list[AgendaItem] = []
    changed: dict[int, AgendaItem] = {}
    back = 0
    for candidate in candidates:
        item = existing.get(candidate.source_key)
        if item is None:
            position += 1
            to_create.append(
                AgendaItem(
                    meeting=meeting,
                    kind=candidate.kind,
                    source=AgendaItem.Source.BUILT,
                    source_key=candidate.source_key,
                    position=position,
                    **_content_of(candidate),
                )
            )
            continue
        if item.removed_at is not None:
            continue  # the chair took it off: it stays off
        if item.dropped_at is not None:
            item.dropped_at = None
            changed[item.pk] = item
            back += 1
        if not _discussed(item):
            for name, value in _content_of(candidate).items():
                if getattr(item, name) != value:
                    setattr(item, name, value)
                    changed[item.pk] = item
    dropped = 0
    for item in existing.values():
        if (
            item.source == AgendaItem.Source.BUILT
            and item.source_key not in due_keys
            and item.removed_at is None
            and item.dropped_at is None
            and not _discussed(item)
        ):
            item.dropped_at = now
            changed[item.pk] = item
            dropped += 1
    if to_create:
        AgendaItem.objects.bulk_create(to_create)
    if changed:
        for item in changed.values():
            item.version += 1
        AgendaItem.objects.bulk_update(
            sorted(changed.values(), key=lambda i: i.pk), ["dropped_at", "version", *CONTENT_FIELDS], batch_size=200
        )
    meeting.agenda_built_at = now
    meeting.save(update_fields=["agenda_built_at"])
    return RefreshOutcome(meeting=meeting, added=len(to_create), dropped=dropped, back=back)


def meetings_to_refresh(on: datetime.date | None = None) -> QuerySet[Meeting]:
    """Meetings scheduled or in progress in the next REFRESH_AHEAD_DAYS days, for the scheduled refresh.
    A meeting dated before today is left alone, including one recorded after it was held: its agenda
    was built as of its date when it was put in, and what it discussed must not shift while the chair
    records it (the chair may still refresh it by hand)."""
    on = on or today()
    return Meeting.objects.filter(
        status__in=EDITABLE_STATUSES, date__gte=on, date__lte=on + datetime.timedelta(days=REFRESH_AHEAD_DAYS)
    ).order_by("date", "pk")


def nominal_for_chair(user: User, nominal_id: int) -> Nominal | None:
    """The person if the chair's agency may see them (an agenda item about them is theirs to add)."""
    return nominals_visible_to(user).filter(pk=nominal_id).first()


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    by: User,
    title: str,
    summary: str = "",
    nominal: Nominal | None = None,
    category: DataCategory | None = None,
) -> AgendaItem:
    """Add other business to the agenda, at its end. About a person: one the chair's agency may
    see; the content is then the chair's agency's, under the data category chosen."""
    meeting = _locked_meeting(meeting)
    _check_chair(meeting, by)
    _refuse_unless_editable(meeting)
    title, summary = title.strip(), summary.strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["Enter what the item is about"]
    elif len(title) > 200:
        errors["title"] = ["The title must be 200 characters or fewer"]
    if nominal is not None:
        if nominal_for_chair(by, nominal.pk) is None:
            errors["nominal"] = ["No such person, or not one your agency may see"]
        if category is None:
            errors["category"] = ["Select what kind of information the item is about"]
    if errors:
        raise ValidationError(errors)
    last = meeting.items.order_by("-position").values_list("position", flat=True).first() or 0
    return AgendaItem.objects.create(
        meeting=meeting,
        kind=Kind.OTHER,
        source=AgendaItem.Source.ADDED,
        source_key=f"added:{uuid.uuid4().hex}",
        position=last + 1,
        title=title,
        summary=summary,
        nominal=nominal,
        owning_agency=by.agency if nominal is not None else None,
        category=category if nominal is not None else None,
    )


def _locked_item(meeting: Meeting, item: AgendaItem) -> AgendaItem:
    try:
        return AgendaItem.objects.select_for_update().get(pk=item.pk, meeting_id=meeting.pk)
    except AgendaItem.DoesNotExist as error:
        raise StateError("This item is not on this meeting's agenda.") from error


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by: User) -> AgendaItem:
    """Take an item off the agenda; a refresh never puts it back (the chair may restore it)."""
    meeting = _locked_meeting(item.meeting)
    _check_chair(meeting, by)
    _refuse_unless_editable(meeting)
    item = _locked_item(meeting, item)
    if item.removed_at is not None:
        return item
    if item.decided_at is not None:
        raise StateError("A decided item stays on the agenda: its decision is part of the minutes.")
    item.removed_at, item.removed_by = timezone.now(), by
    item.version += 1
    item.save(update_fields=["removed_at", "removed_by", "version"])
    return item


@transaction.atomic
def agenda_item_restore(*, item: AgendaItem, by: User) -> AgendaItem:
    """Put back an item the chair took off."""
    meeting = _locked_meeting(item.meeting)
    _check_chair(meeting, by)
    _refuse_unless_editable(meeting)
    item = _locked_item(meeting, item)
    if item.removed_at is None:
        return item
    item.removed_at, item.removed_by = None, None
    item.version += 1
    item.save(update_fields=["removed_at", "removed_by", "version"])
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, by: User, direction: str) -> AgendaItem:
    """Move an item up or down within its section, past the next item on the agenda."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": ["Choose up or down"]})
    meeting = _locked_meeting(item.meeting)
    _check_chair(meeting, by)
    _refuse_unless_editable(meeting)
    item = _locked_item(meeting, item)
    if not item.is_on_agenda:
        raise StateError("Only an item on the agenda can be moved.")
    section = list(
        meeting.items.select_for_update()
        .filter(kind=item.kind, removed_at__isnull=True, dropped_at__isnull=True)
        .order_by("position", "pk")
    )
    index = next(i for i, other in enumerate(section) if other.pk == item.pk)
    neighbour_index = index - 1 if direction == "up" else index + 1
    if not 0 <= neighbour_index < len(section):
        raise StateError(f"This item is already {'first' if direction == 'up' else 'last'} in its section.")
    item, neighbour = section[index], section[neighbour_index]
    if neighbour.position == item.position:  # equal positions: number the section first
        for offset, other in enumerate(section):
            other.position = section[0].position + offset
    item.position, neighbour.position = neighbour.position, item.position
    for moved in section:
        moved.version += 1
    AgendaItem.objects.bulk_update(section, ["position", "version"])
    return item


def agenda_sections(meeting: Meeting, items: Iterable[AgendaItem]) -> list[tuple[str, str, list[AgendaItem]]]:
    """The items on the agenda grouped by section (kind, label, items in position order)."""
    labels = dict(Kind.choices)
    grouped: dict[str, list[AgendaItem]] = {kind: [] for kind in sections_of(meeting)}
    for item in items:
        grouped.setdefault(item.kind, []).append(item)
    return [
        (kind, labels.get(kind, kind), sorted(found, key=lambda i: (i.position, i.pk)))
        for kind, found in grouped.items()
        if found
    ]


def kind_colour(kind: str) -> str:
    """The GOV.UK tag colour of an item's kind."""
    colours: dict[str, str] = {
        Kind.REFERRAL: "blue",
        Kind.URGENT_RATIFICATION: "orange",
        Kind.DEREGISTRATION: "purple",
        Kind.TOP_RAG: "red",
        Kind.RAG_CHANGE: "yellow",
        Kind.NEW_EVENT: "pink",
        Kind.RELEASE_DUE: "turquoise",
        Kind.OVERDUE_REVIEW: "orange",
        Kind.TRANSITION_STARTING: "green",
        Kind.OPEN_ACTION: "light-blue",
        Kind.Y2A_CANDIDATE: "purple",
    }
    return colours.get(kind, "grey")
