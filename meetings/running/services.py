"""Running a meeting: starting and ending it, attendance, the confidentiality statement, and
per item the discussion notes, the decision and any dissent.

A decision is recorded by the service of the app that owns the row (referrals.services for a
referral or an urgent decision to ratify, cohorts.deregistration.services for a deregistration,
cohorts.records.services.rag_assess for a RAG change), so a decision taken in a meeting is the same
as one taken elsewhere; the item links to what was recorded. The item's row is locked first and a
decided item is refused, so two chairs deciding the same item at once give one decision and a clear
message to the second (the owning services lock and refuse on their own rows too).

Nothing changes once the minutes are approved (Meeting.is_open_for_edits). Items cannot be decided
before the confidentiality statement is read, nor by a chair whose agency may not see the item.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from cohorts.deregistration.models import Deregistration
from cohorts.deregistration.services import deregistration_not_ratify, deregistration_ratify
from cohorts.management.models import RagRating
from cohorts.records.services import rag_assess
from meetings.access import items_for_agency, may_chair
from meetings.agenda.models import AgendaItem
from meetings.running.models import Attendance, Dissent
from meetings.scheduling.models import DEFAULT_CONFIDENTIALITY_STATEMENT, Meeting
from referrals.models import ReferralDecision
from referrals.services import AcceptTerms, referral_decide, referral_ratify
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.models import Agency, User

NOT_A_CHAIR = "Only the meeting's chair, or another panel chair of the agency running it, runs the meeting."
RESTRICTED = (
    "This item is restricted: it is not shared with your agency under the information sharing agreements, "
    "so it is discussed and decided by the agency that owns it."
)
STATEMENT_FIRST = "Read the confidentiality statement to the meeting and record it as read before deciding any item."
STALE_NOTES = "Someone else changed this item; your text is kept below. Check theirs, then save yours again."
COHORT_KINDS = (
    AgendaItem.Kind.TOP_RAG,
    AgendaItem.Kind.RAG_CHANGE,
    AgendaItem.Kind.NEW_EVENT,
    AgendaItem.Kind.RELEASE_DUE,
    AgendaItem.Kind.OVERDUE_REVIEW,
    AgendaItem.Kind.TRANSITION_STARTING,
    AgendaItem.Kind.OPEN_ACTION,
    AgendaItem.Kind.Y2A_CANDIDATE,
    AgendaItem.Kind.OTHER,
)
MAX_ADDABLE_PER_AGENCY = 200  # the attendee select of one agency: bounded, ordered by name


# --- Checks ----------------------------------------------------------------------------------------


def _require_chair(by: User, meeting: Meeting) -> None:
    if not may_chair(by, meeting):
        raise NotAllowed(NOT_A_CHAIR)


def _refuse_unless_open(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise StateError("This meeting was cancelled: nothing can be recorded in it.")
    if not meeting.is_open_for_edits:
        raise StateError("The minutes of this meeting have been approved: nothing in it can change.")


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("agency", "chair").get(pk=meeting.pk)


def _locked_item(item: AgendaItem) -> AgendaItem:
    """The item's lock, then the item read afresh with its meeting (unlocked: decisions on different
    items go on at once). Read after the lock is held, so a decision committed meanwhile is seen whole."""
    AgendaItem.objects.select_for_update().only("pk").get(pk=item.pk)
    return AgendaItem.objects.select_related(
        "meeting", "meeting__agency", "decided_by", "referral", "deregistration", "nominal"
    ).get(pk=item.pk)


def item_visible_to(item: AgendaItem, agency: Agency) -> bool:
    """May the agency see what the item is about? One query."""
    return bool(
        items_for_agency(item.meeting, agency, include_off_agenda=True)
        .filter(pk=item.pk)
        .values_list("visible", flat=True)  # type: ignore[misc]
        .first()
    )


def _refuse_unless_item_workable(item: AgendaItem, by: User) -> None:
    meeting = item.meeting
    _require_chair(by, meeting)
    _refuse_unless_open(meeting)
    if not item.is_on_agenda:
        raise StateError("This item is no longer on the agenda.")
    if not item_visible_to(item, by.agency):
        raise NotAllowed(RESTRICTED)


def _refuse_unless_decidable(item: AgendaItem, by: User, kinds: Sequence[str]) -> None:
    _refuse_unless_item_workable(item, by)
    meeting = item.meeting
    if meeting.status == Meeting.Status.SCHEDULED:
        raise StateError("Start the meeting before recording decisions.")
    if meeting.confidentiality_read_at is None:
        raise StateError(STATEMENT_FIRST)
    if item.decided_at is not None:
        who = f" by {item.decided_by}" if item.decided_by else ""
        raise StateError(
            f"This item has already been decided{who} at {timezone.localtime(item.decided_at):%-d %B %Y %H:%M}"
            + (f": {item.outcome}" if item.outcome else ".")
        )
    if item.kind not in kinds:
        raise StateError(f"This decision is not one for an item of the kind “{item.get_kind_display()}”.")


def _mark_decided(item: AgendaItem, by: User, outcome: str, *fields: str) -> AgendaItem:
    item.outcome = outcome[:300]
    item.decided_at, item.decided_by = timezone.now(), by
    item.version += 1
    item.save(update_fields=["outcome", "decided_at", "decided_by", "version", *fields])
    return item


# --- The meeting -----------------------------------------------------------------------------------


@transaction.atomic
def meeting_start(*, meeting: Meeting, by: User) -> Meeting:
    """The chair opens a scheduled meeting: it is in progress from now."""
    meeting = _locked_meeting(meeting)
    _require_chair(by, meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise StateError("This meeting was cancelled; it cannot be started.")
    if meeting.status != Meeting.Status.SCHEDULED:
        started = f" at {timezone.localtime(meeting.started_at):%-d %B %Y %H:%M}" if meeting.started_at else ""
        raise StateError(f"This meeting has already been started{started}: {meeting.get_status_display().lower()}.")
    meeting.status, meeting.started_at = Meeting.Status.IN_PROGRESS, timezone.now()
    meeting.version += 1
    meeting.save(update_fields=["status", "started_at", "version"])
    return meeting


@transaction.atomic
def meeting_end(*, meeting: Meeting, by: User) -> Meeting:
    """The chair closes a meeting in progress: it is held, its minutes in draft. Open items can still be
    edited until the minutes are approved."""
    meeting = _locked_meeting(meeting)
    _require_chair(by, meeting)
    if meeting.status != Meeting.Status.IN_PROGRESS:
        raise StateError(
            f"Only a meeting in progress can be ended; this one is {meeting.get_status_display().lower()}."
        )
    meeting.status, meeting.ended_at = Meeting.Status.HELD, timezone.now()
    meeting.version += 1
    meeting.save(update_fields=["status", "ended_at", "version"])
    return meeting


# --- Attendance ------------------------------------------------------------------------------------


def attendance_agencies(meeting: Meeting) -> QuerySet[Agency]:
    """The agencies whose people may attend: those invited, and the agency running the meeting."""
    invited = Meeting.invited_agencies.through.objects.filter(meeting_id=meeting.pk).values("agency_id")
    return Agency.objects.filter(Q(pk__in=invited) | Q(pk=meeting.agency_id))


def may_attend(meeting: Meeting) -> Q:
    """Who may be recorded as attending, as a filter on User: the chair, the people invited, and the
    active users of the invited agencies and of the agency running the meeting."""
    invited_people = Meeting.invited_people.through.objects.filter(meeting_id=meeting.pk).values("user_id")
    agencies = attendance_agencies(meeting).values("pk")
    return Q(pk=meeting.chair_id) | Q(pk__in=invited_people) | Q(is_active=True, agency_id__in=agencies)


def attendees_addable(meeting: Meeting) -> list[User]:
    """The people who could be added, per agency at most MAX_ADDABLE_PER_AGENCY by name. One query."""
    agencies = attendance_agencies(meeting).values("pk")
    ranked = (
        User.objects.filter(is_active=True, agency_id__in=agencies)
        .exclude(attendances__meeting=meeting)
        .annotate(rank=Window(RowNumber(), partition_by="agency_id", order_by=["last_name", "first_name", "pk"]))
        .filter(rank__lte=MAX_ADDABLE_PER_AGENCY)
        .select_related("agency")
        .order_by("agency__name", "agency_id", "last_name", "first_name", "pk")
    )
    return list(ranked)


@transaction.atomic
def attendance_record(*, meeting: Meeting, by: User, entries: Sequence[tuple[User, str]]) -> list[Attendance]:
    """Record (or correct) whether each person is present, sent apologies or is absent; the agency is the
    person's. A person marked present after the confidentiality statement was read acknowledges it on
    being added. One transaction."""
    meeting = _locked_meeting(meeting)
    _require_chair(by, meeting)
    _refuse_unless_open(meeting)
    errors: dict[str, list[str]] = {}
    if any(status not in Attendance.Status.values for _, status in entries):
        errors["status"] = ["Choose present, apologies or absent for each person"]
    people_ids = {person.pk for person, _ in entries}
    allowed = set(User.objects.filter(may_attend(meeting), pk__in=people_ids).values_list("pk", flat=True))
    strangers = [person for person, _ in entries if person.pk not in allowed]
    if strangers:
        errors["person"] = [
            f"{strangers[0]} is not invited to this meeting: choose someone invited or from an invited agency"
        ]
    if errors:
        raise ValidationError(errors)
    existing = {a.person_id: a for a in meeting.attendances.select_for_update().order_by("pk")}
    read = meeting.confidentiality_read_at is not None
    recorded: list[Attendance] = []
    for person, status in entries:
        attendance = existing.get(person.pk)
        acknowledged = read and status == Attendance.Status.PRESENT
        if attendance is None:
            attendance = Attendance.objects.create(
                meeting=meeting,
                person=person,
                agency_id=person.agency_id,
                status=status,
                acknowledged_confidentiality=acknowledged,
                recorded_by=by,
            )
            existing[person.pk] = attendance
        else:
            attendance.status, attendance.recorded_by = status, by
            attendance.acknowledged_confidentiality = attendance.acknowledged_confidentiality or acknowledged
            attendance.save(update_fields=["status", "recorded_by", "acknowledged_confidentiality", "recorded_at"])
        recorded.append(attendance)
    return recorded


@dataclass
class AgencyAttendance:
    """One agency's rows on the attendance page."""

    agency: Agency
    invited: bool
    rows: list[tuple[User, Attendance | None]]

    @property
    def represented(self) -> bool:
        return any(a is not None and a.status == Attendance.Status.PRESENT for _, a in self.rows)


def attendance_roster(meeting: Meeting) -> list[AgencyAttendance]:
    """Grouped by agency (invited agencies and the running one first by name, then the agencies of
    people invited on their own): the people invited and those already recorded. Three queries."""
    invited_people = Meeting.invited_people.through.objects.filter(meeting_id=meeting.pk).values("user_id")
    attendances = {
        a.person_id: a for a in meeting.attendances.select_related("person", "person__agency", "agency", "recorded_by")
    }
    people = {a.person_id: a.person for a in attendances.values()}
    for person in User.objects.filter(Q(pk__in=invited_people) | Q(pk=meeting.chair_id)).select_related("agency"):
        people.setdefault(person.pk, person)
    groups: dict[int, AgencyAttendance] = {
        agency.pk: AgencyAttendance(agency=agency, invited=True, rows=[]) for agency in attendance_agencies(meeting)
    }
    for person in sorted(people.values(), key=lambda p: (p.last_name, p.first_name, p.pk)):
        attendance = attendances.get(person.pk)
        agency = attendance.agency if attendance else person.agency
        group = groups.setdefault(agency.pk, AgencyAttendance(agency=agency, invited=False, rows=[]))
        group.rows.append((person, attendance))
    return sorted(groups.values(), key=lambda g: (not g.invited, g.agency.name, g.agency.pk))


# --- The confidentiality statement -----------------------------------------------------------------


def statement_of(meeting: Meeting) -> str:
    return meeting.confidentiality_statement or DEFAULT_CONFIDENTIALITY_STATEMENT


@transaction.atomic
def confidentiality_record(*, meeting: Meeting, by: User) -> Meeting:
    """The chair has read the confidentiality statement to the meeting: the text read is kept with who
    read it and when, and everyone present acknowledges it (those marked present later, on being added)."""
    meeting = _locked_meeting(meeting)
    _require_chair(by, meeting)
    _refuse_unless_open(meeting)
    if meeting.status == Meeting.Status.SCHEDULED:
        raise StateError("Start the meeting before recording the confidentiality statement as read.")
    if meeting.confidentiality_read_at is not None:
        raise StateError(
            f"The confidentiality statement was already recorded as read at "
            f"{timezone.localtime(meeting.confidentiality_read_at):%-d %B %Y %H:%M}."
        )
    meeting.confidentiality_statement = statement_of(meeting)
    meeting.confidentiality_read_at, meeting.confidentiality_read_by = timezone.now(), by
    meeting.version += 1
    meeting.save(
        update_fields=["confidentiality_statement", "confidentiality_read_at", "confidentiality_read_by", "version"]
    )
    meeting.attendances.filter(status=Attendance.Status.PRESENT).update(acknowledged_confidentiality=True)
    return meeting


# --- Items: notes, decisions, dissent ----------------------------------------------------------------


@transaction.atomic
def item_notes_save(*, item: AgendaItem, by: User, notes: str, version: int) -> AgendaItem:
    """Save the discussion notes of an item, refusing a save made over someone else's newer one."""
    item = _locked_item(item)
    _refuse_unless_item_workable(item, by)
    if item.version != version:
        raise StaleVersion(STALE_NOTES)
    item.notes = notes.strip()
    item.version += 1
    item.save(update_fields=["notes", "version"])
    return item


def _accept_terms_on_meeting_date(meeting: Meeting, accept: AcceptTerms | None) -> AcceptTerms | None:
    """On IOM from the meeting's date when it has happened (a decision typed up later); today otherwise."""
    if accept is None or accept.starts_on is not None or meeting.date > timezone.localdate():
        return accept
    return replace(accept, starts_on=meeting.date)


def _referral_outcome(decision: ReferralDecision) -> str:
    line = decision.get_outcome_display()
    if decision.outcome == ReferralDecision.Outcome.ACCEPTED and decision.level and decision.rag:
        line += f": {decision.get_strand_display()} strand, {decision.level.name}, {decision.rag.label}"
    return line


@transaction.atomic
def item_decide_referral(
    *, item: AgendaItem, by: User, outcome: str, rationale: str, accept: AcceptTerms | None = None
) -> ReferralDecision:
    """The panel's decision on a referral for decision (accept, reject, defer, redirect to MAPPA), as
    referrals.services.referral_decide records it; the item links to it."""
    item = _locked_item(item)
    _refuse_unless_decidable(item, by, [AgendaItem.Kind.REFERRAL])
    if item.referral is None:
        raise StateError("This item has no referral to decide.")
    decision = referral_decide(
        referral=item.referral,
        by=by,
        outcome=outcome,
        rationale=rationale,
        accept=_accept_terms_on_meeting_date(item.meeting, accept),
    )
    item.referral_decision = decision
    _mark_decided(item, by, _referral_outcome(decision), "referral_decision")
    return decision


@transaction.atomic
def item_ratify_urgent(*, item: AgendaItem, by: User, note: str = "") -> ReferralDecision:
    """The panel ratifies an urgent decision taken outside a meeting (referrals.services.referral_ratify)."""
    item = _locked_item(item)
    _refuse_unless_decidable(item, by, [AgendaItem.Kind.URGENT_RATIFICATION])
    if item.referral is None:
        raise StateError("This item has no referral whose decision is to be ratified.")
    decision = referral_ratify(referral=item.referral, by=by, note=note.strip() or f"Ratified at {item.meeting}")
    item.referral_decision = decision
    _mark_decided(item, by, f"Urgent decision ratified: {decision.get_outcome_display()}", "referral_decision")
    return decision


@transaction.atomic
def item_decide_deregistration(
    *, item: AgendaItem, by: User, ratify: bool, ends_on: datetime.date | None = None, note: str = ""
) -> Deregistration:
    """Ratify a deregistration (the period on IOM ends on ends_on, today unless given) or not (saying why),
    as cohorts.deregistration.services records it."""
    item = _locked_item(item)
    _refuse_unless_decidable(item, by, [AgendaItem.Kind.DEREGISTRATION])
    if item.deregistration is None:
        raise StateError("This item has no deregistration to ratify.")
    if ratify:
        deregistration = deregistration_ratify(deregistration=item.deregistration, by=by, ends_on=ends_on, note=note)
        line = f"Deregistration ratified: leaves IOM on {deregistration.ends_on:%-d %B %Y}"
    else:
        deregistration = deregistration_not_ratify(deregistration=item.deregistration, by=by, note=note)
        line = "Deregistration not ratified: stays on IOM"
    _mark_decided(item, by, line)
    return deregistration


@transaction.atomic
def item_decide_cohort(
    *, item: AgendaItem, by: User, outcome: str, rating: RagRating | None = None, rationale: str = ""
) -> AgendaItem:
    """The outcome of a cohort item in a line and, optionally, a new RAG rating with its rationale
    (cohorts.records.services.rag_assess); the item links to the rating."""
    item = _locked_item(item)
    _refuse_unless_decidable(item, by, COHORT_KINDS)
    errors: dict[str, list[str]] = {}
    if not outcome.strip():
        errors["outcome"] = ["Enter the outcome in a line"]
    elif len(outcome.strip()) > 300:
        errors["outcome"] = ["The outcome must be 300 characters or fewer"]
    if rating is not None and item.nominal is None:
        errors["rating"] = ["This item is not about a person: there is no one to rate"]
    elif rating is not None and not rationale.strip():
        errors["rationale"] = ["Give the reason for the RAG rating"]
    if errors:
        raise ValidationError(errors)
    fields: list[str] = []
    if rating is not None and item.nominal is not None:
        item.rag_decision = rag_assess(nominal=item.nominal, rating=rating, rationale=rationale, by=by)
        fields.append("rag_decision")
    return _mark_decided(item, by, outcome.strip(), *fields)


@transaction.atomic
def dissent_record(*, item: AgendaItem, by: User, person: User, reason: str) -> Dissent:
    """An attendee present disagreed with the item's decision; who and why go in the minutes."""
    item = _locked_item(item)
    _refuse_unless_item_workable(item, by)
    errors: dict[str, list[str]] = {}
    attendance = Attendance.objects.filter(meeting_id=item.meeting_id, person=person).first()
    if attendance is None or attendance.status != Attendance.Status.PRESENT:
        errors["person"] = [f"{person} is not recorded as present: only an attendee present can dissent"]
    if not reason.strip():
        errors["reason"] = ["Say why they disagree"]
    if errors:
        raise ValidationError(errors)
    assert attendance is not None  # noqa: S101 (checked above)
    return Dissent.objects.create(
        item=item, person=person, agency_id=attendance.agency_id, reason=reason.strip(), recorded_by=by
    )


# --- Reads for the pages -----------------------------------------------------------------------------


def run_items(meeting: Meeting, agency: Agency) -> list[AgendaItem]:
    """The agenda for the run page, each item annotated `visible` for the agency. One query."""
    return list(items_for_agency(meeting, agency).select_related("rag_decision__rating"))


def run_item_get(meeting: Meeting, agency: Agency, item_pk: int) -> AgendaItem | None:
    """One item on the agenda, annotated `visible`, with what its page shows."""
    return (
        items_for_agency(meeting, agency)
        .select_related(
            "referral",
            "referral__nominal",
            "deregistration",
            "deregistration__membership",
            "rag_decision__rating",
            "referral_decision__level",
            "referral_decision__rag",
        )
        .filter(pk=item_pk)
        .first()
    )


def present_attendees(meeting: Meeting) -> list[Attendance]:
    return list(
        meeting.attendances.filter(status=Attendance.Status.PRESENT)
        .select_related("person", "agency")
        .order_by("agency__name", "person__last_name", "person__first_name", "pk")
    )


def dissents_of(item: AgendaItem) -> list[Dissent]:
    return list(item.dissents.select_related("person", "agency", "recorded_by"))
