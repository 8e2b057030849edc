"""Minutes, their approval and distribution, and the meeting pack.

The minutes are generated from the meeting record (attendance, the confidentiality statement, each
item's notes, outcome, decision, dissent and actions), each viewer's version filtered by the sharing
rules for their agency (meetings.access.items_for_agency): an item their agency may not see shows
as restricted, never what it is about. Drafts (the meeting held, the minutes not approved) are the
chair's; approval closes the record, sends each attendee (present or with apologies) and the chair
their version (MinutesDistribution) and logs each as a disclosure in the access log.

The meeting pack is each invited agency's version of the agenda with the case summaries it may see,
before the meeting.

Both read a fixed number of queries whatever the number of items (one per agency where several
agencies' versions are made at once).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from cohorts.access import today
from cohorts.models import AccessEvent
from meetings.access import items_for_agency, may_chair
from meetings.actions.models import MeetingAction
from meetings.agenda.models import AgendaItem
from meetings.minutes.models import MinutesDistribution
from meetings.running.models import Attendance, Dissent
from meetings.scheduling.models import Meeting
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.models import Agency, SharingAgreement, SharingClause, User

RESTRICTED = "restricted: not shared with your agency under the information sharing agreements"
NOT_A_CHAIR = "Only the meeting's chair, or another panel chair of the agency that runs it, can approve the minutes."
IDENTITY = "identity"

RECIPIENT_STATUSES = (Attendance.Status.PRESENT, Attendance.Status.APOLOGIES)


# --- What a viewer is shown -------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyAttendance:
    agency: str
    present: list[str]
    apologies: list[str]
    absent: list[str]


@dataclass(frozen=True)
class MinutesDissent:
    person: str
    agency: str
    reason: str


@dataclass(frozen=True)
class MinutesAction:
    pk: int
    description: str
    owner: str
    owner_agency: str
    due_on: datetime.date
    status: str
    status_label: str


@dataclass
class MinutesItem:
    """One agenda item as a viewer is shown it: everything when visible, only its number otherwise."""

    number: int
    visible: bool
    title: str = ""
    kind_label: str = ""
    person: str = ""
    person_url: str = ""
    notes: str = ""
    outcome: str = ""
    decision: str = ""
    decision_url: str = ""
    decided_by: str = ""
    dissents: list[MinutesDissent] = field(default_factory=list)
    actions: list[MinutesAction] = field(default_factory=list)


@dataclass
class Minutes:
    """A meeting's minutes as one viewer (their agency) may read them. `available` is False where
    there is nothing to read yet (not held, cancelled) or the viewer may not read a draft; `message`
    then says why."""

    meeting: Meeting
    agency: Agency
    state: str  # "not_held", "cancelled", "draft", "approved"
    available: bool
    message: str = ""
    attendance: list[AgencyAttendance] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    items: list[MinutesItem] = field(default_factory=list)
    other_actions: list[MinutesAction] = field(default_factory=list)
    nominal_ids: list[int] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    allowed_by: str = ""

    @property
    def items_shown(self) -> int:
        return sum(1 for item in self.items if item.visible)

    @property
    def items_restricted(self) -> int:
        return sum(1 for item in self.items if not item.visible)

    @property
    def is_draft(self) -> bool:
        return self.state == "draft"


def _minutes_state(meeting: Meeting) -> tuple[str, str]:
    if meeting.status == Meeting.Status.CANCELLED:
        reason = f" ({meeting.cancelled_reason})" if meeting.cancelled_reason else ""
        return "cancelled", f"This meeting was cancelled{reason}: it has no minutes."
    if meeting.status in (Meeting.Status.SCHEDULED, Meeting.Status.IN_PROGRESS):
        return "not_held", "No minutes yet: the meeting has not been held."
    if meeting.status == Meeting.Status.HELD:
        return "draft", "The minutes are in draft. You will receive your version when the chair approves them."
    return "approved", ""


def _action(action: MeetingAction) -> MinutesAction:
    return MinutesAction(
        pk=action.pk,
        description=action.description,
        owner=str(action.owner),
        owner_agency=action.owner.agency.name,
        due_on=action.due_on,
        status=action.status,
        status_label=action.get_status_display(),
    )


def _decision(item: AgendaItem) -> tuple[str, str]:
    """The decision in words and a link to where it is recorded (the referral, or the person)."""
    if item.referral_decision is not None:
        label = f"Referral: {item.referral_decision.get_outcome_display()}"
        return label, reverse("referral-detail", args=[item.referral_decision.referral_id])
    if item.rag_decision is not None:
        return f"RAG rating: {item.rag_decision.rating.label}", reverse("nominal-detail", args=[item.nominal_id])
    return "", ""


def _minutes_items(meeting: Meeting, agency: Agency) -> QuerySet[AgendaItem]:
    """The items with what the minutes show of them: three queries whatever their number."""
    return (
        items_for_agency(meeting, agency)
        .select_related("rag_decision__rating")
        .prefetch_related(
            Prefetch("dissents", queryset=Dissent.objects.select_related("person", "agency")),
            Prefetch(
                "actions",
                queryset=MeetingAction.objects.select_related("owner__agency").order_by("due_on", "pk"),
            ),
        )
    )


def _minutes_item(number: int, item: AgendaItem) -> MinutesItem:
    if not item.visible:  # type: ignore[attr-defined]
        return MinutesItem(number=number, visible=False)
    decision, decision_url = _decision(item)
    return MinutesItem(
        number=number,
        visible=True,
        title=item.title,
        kind_label=item.get_kind_display(),
        person=item.nominal.full_name if item.nominal else "",
        person_url=reverse("nominal-detail", args=[item.nominal_id]) if item.nominal_id else "",
        notes=item.notes,
        outcome=item.outcome,
        decision=decision,
        decision_url=decision_url,
        decided_by=str(item.decided_by) if item.decided_by else "",
        dissents=[MinutesDissent(str(d.person), d.agency.name, d.reason) for d in item.dissents.all()],
        actions=[_action(a) for a in item.actions.all()],
    )


def _shown(items: Iterable[AgendaItem]) -> tuple[list[int], list[str]]:
    """The people whose items were shown, and the categories of what was shown."""
    nominal_ids: set[int] = set()
    categories: set[str] = set()
    for item in items:
        if item.visible and item.nominal_id:  # type: ignore[attr-defined]
            nominal_ids.add(item.nominal_id)
            categories.add(IDENTITY)
            if item.category is not None:
                categories.add(item.category.code)
    return sorted(nominal_ids), sorted(categories)


def minutes_for(meeting: Meeting, viewer: User) -> Minutes:
    """The meeting's minutes as the viewer's agency may read them (the caller has checked the viewer
    may see the meeting). Drafts only for a chair. Seven queries whatever the number of items."""
    meeting = Meeting.objects.select_related(
        "chair__agency", "agency", "confidentiality_read_by", "minutes_approved_by"
    ).get(pk=meeting.pk)
    agency = viewer.agency
    state, message = _minutes_state(meeting)
    available = state == "approved" or (state == "draft" and may_chair(viewer, meeting))
    minutes = Minutes(meeting=meeting, agency=agency, state=state, available=available, message=message)
    if not available:
        return minutes

    by_agency: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for attendance in Attendance.objects.filter(meeting=meeting).select_related("person", "agency"):
        by_agency[attendance.agency.name][attendance.status].append(str(attendance.person))
        if attendance.acknowledged_confidentiality:
            minutes.acknowledged.append(str(attendance.person))
    minutes.attendance = [
        AgencyAttendance(
            agency=name,
            present=statuses[Attendance.Status.PRESENT],
            apologies=statuses[Attendance.Status.APOLOGIES],
            absent=statuses[Attendance.Status.ABSENT],
        )
        for name, statuses in sorted(by_agency.items())
    ]

    items = list(_minutes_items(meeting, agency))
    minutes.items = [_minutes_item(number, item) for number, item in enumerate(items, start=1)]
    minutes.nominal_ids, minutes.categories = _shown(items)
    minutes.allowed_by = _allowed_by(agency, items, today())
    minutes.other_actions = [
        _action(action)
        for action in MeetingAction.objects.filter(meeting=meeting, item__isnull=True)
        .select_related("owner__agency")
        .order_by("due_on", "pk")
    ]
    return minutes


# --- Approval and distribution ----------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyShare:
    """What one agency's recipients receive: "Probation: 5 of 7 items"."""

    agency: Agency
    recipients: list[User]
    items_shown: int
    items_total: int
    nominal_ids: list[int]
    categories: list[str]
    allowed_by: str

    @property
    def items_restricted(self) -> int:
        return self.items_total - self.items_shown


def minutes_recipients(meeting: Meeting) -> list[tuple[User, Agency]]:
    """The chair and each attendee recorded present or with apologies, with the agency they
    attended for (the chair's own). One query."""
    recipients: dict[int, tuple[User, Agency]] = {meeting.chair_id: (meeting.chair, meeting.chair.agency)}
    attendances = (
        Attendance.objects.filter(meeting=meeting, status__in=RECIPIENT_STATUSES)
        .select_related("person", "agency")
        .order_by("agency__name", "person__last_name", "person__first_name", "pk")
    )
    for attendance in attendances:
        recipients.setdefault(attendance.person_id, (attendance.person, attendance.agency))
    return list(recipients.values())


def _allowed_by(agency: Agency, items: Sequence[AgendaItem], on: datetime.date) -> str:
    """The agreements (and clauses) that let the agency see what it was shown. One query at most."""
    reasons: list[str] = []
    shared: set[tuple[int, int]] = set()
    for item in items:
        if not item.visible or not item.nominal_id:  # type: ignore[attr-defined]
            continue
        if item.owning_agency_id == agency.pk:
            reason = f"{agency.name}'s own items"
        elif item.owning_agency_id is None or item.category_id is None:
            reason = "The person's record, which the agency may see"
        else:
            shared.add((item.owning_agency_id, item.category_id))
            continue
        if reason not in reasons:
            reasons.append(reason)
    if shared:
        clauses = (
            SharingClause.objects.filter(
                agreement__in=SharingAgreement.objects.in_force(on).filter(parties=agency),
                category_id__in={category for _, category in shared},
                agreement__parties__in={owner for owner, _ in shared},
            )
            .values_list(
                "agreement__reference",
                "agreement__title",
                "number",
                "category__name",
                "category_id",
                "agreement__parties",
            )
            .order_by("agreement__reference", "number")
        )
        for reference, title, number, category_name, category_id, party in clauses:
            if (party, category_id) in shared:
                reason = f"{reference} {title}, clause {number} ({category_name.lower()})"
                if reason not in reasons:
                    reasons.append(reason)
    return "; ".join(reasons)


def minutes_shares(meeting: Meeting, recipients: list[tuple[User, Agency]] | None = None) -> list[AgencyShare]:
    """What each recipient agency receives, for the chair to check before approving and for the
    distribution. One query for the recipients and at most two per agency, whatever the items."""
    recipients = minutes_recipients(meeting) if recipients is None else recipients
    by_agency: dict[int, tuple[Agency, list[User]]] = {}
    for user, agency in recipients:
        by_agency.setdefault(agency.pk, (agency, []))[1].append(user)
    on = today()
    shares = []
    for agency, users in sorted(by_agency.values(), key=lambda pair: pair[0].name):
        items = list(items_for_agency(meeting, agency))
        nominal_ids, categories = _shown(items)
        shown = [item for item in items if item.visible]  # type: ignore[attr-defined]
        shares.append(
            AgencyShare(
                agency=agency,
                recipients=users,
                items_shown=len(shown),
                items_total=len(items),
                nominal_ids=nominal_ids,
                categories=categories,
                allowed_by=_allowed_by(agency, items, on),
            )
        )
    return shares


@transaction.atomic
def minutes_approve(*, meeting: Meeting, by: User, version: int) -> Meeting:
    """Approve a held meeting's minutes (a chair): the record closes, each recipient (the chair, and
    every attendee present or with apologies) receives their agency's version, and each receipt is
    logged as a disclosure of the people whose items they were shown."""
    meeting = Meeting.objects.select_for_update().select_related("chair__agency").get(pk=meeting.pk)
    if not may_chair(by, meeting):
        raise NotAllowed(NOT_A_CHAIR)
    if meeting.status == Meeting.Status.MINUTES_APPROVED:
        when = f" on {timezone.localtime(meeting.minutes_approved_at):%-d %B %Y}" if meeting.minutes_approved_at else ""
        raise StateError(f"These minutes were already approved by {meeting.minutes_approved_by}{when}.")
    if meeting.status != Meeting.Status.HELD:
        raise StateError(
            f"Only a held meeting's minutes can be approved; this meeting is {meeting.get_status_display().lower()}."
        )
    if meeting.version != version:
        raise StaleVersion("Someone else changed this meeting's record after you opened it. Check it and try again.")

    now = timezone.now()
    meeting.status = Meeting.Status.MINUTES_APPROVED
    meeting.minutes_approved_at, meeting.minutes_approved_by = now, by
    meeting.version += 1
    meeting.save(update_fields=["status", "minutes_approved_at", "minutes_approved_by", "version"])

    path = reverse("meeting-minutes", args=[meeting.pk])
    distributions, events = [], []
    for share in minutes_shares(meeting):
        for recipient in share.recipients:
            distributions.append(
                MinutesDistribution(
                    meeting=meeting,
                    recipient=recipient,
                    agency=share.agency,
                    items_shown=share.items_shown,
                    items_restricted=share.items_restricted,
                    nominal_ids=share.nominal_ids,
                )
            )
            events.append(
                AccessEvent(
                    user=recipient,
                    agency=share.agency,
                    action=AccessEvent.Action.DISCLOSURE,
                    nominal_ids=share.nominal_ids,
                    categories=share.categories,
                    allowed_by=share.allowed_by or "No person's items were shown",
                    reason=f"Minutes of {meeting} approved by {by} and sent to the attendee",
                    path=path,
                )
            )
    MinutesDistribution.objects.bulk_create(distributions)
    AccessEvent.objects.bulk_create(events)
    return meeting


def distributions_of(meeting: Meeting) -> QuerySet[MinutesDistribution]:
    return MinutesDistribution.objects.filter(meeting=meeting).select_related("recipient", "agency")


# --- The meeting pack -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackItem:
    number: int
    visible: bool
    kind_label: str = ""
    title: str = ""
    summary: str = ""
    person: str = ""
    # Seen by the agency whose version it is, but not by the viewer's own (the chair checking another
    # agency's version is never shown what their own agency may not see).
    hidden_from_viewer: bool = False


@dataclass
class Pack:
    meeting: Meeting
    agency: Agency
    items: list[PackItem]
    nominal_ids: list[int]
    categories: list[str]
    allowed_by: str

    @property
    def items_shown(self) -> int:
        return sum(1 for item in self.items if item.visible)

    @property
    def items_restricted(self) -> int:
        return sum(1 for item in self.items if not item.visible)


def pack_agencies(meeting: Meeting) -> list[Agency]:
    """The agencies a pack is made for: the one running the meeting and each invited. One query."""
    invited = {agency.pk: agency for agency in meeting.invited_agencies.all()}
    invited.setdefault(meeting.agency_id, meeting.agency)
    return sorted(invited.values(), key=lambda agency: agency.name)


def pack_for(meeting: Meeting, viewer: User, agency: Agency | None = None) -> Pack:
    """The agenda as `agency` (the viewer's own unless given) receives it, with the case summaries
    it may see; content is shown only where the viewer's own agency may see it too. Two queries,
    three for another agency's version."""
    agency = agency or viewer.agency
    items = list(items_for_agency(meeting, agency))
    if agency.pk != viewer.agency_id:
        viewer_sees = {item.pk for item in items_for_agency(meeting, viewer.agency) if item.visible}  # type: ignore[attr-defined]
    else:
        viewer_sees = {item.pk for item in items if item.visible}  # type: ignore[attr-defined]
    shown: list[AgendaItem] = []
    pack_items = []
    for number, item in enumerate(items, start=1):
        if not item.visible:  # type: ignore[attr-defined]
            pack_items.append(PackItem(number=number, visible=False))
        elif item.pk not in viewer_sees:
            pack_items.append(PackItem(number=number, visible=True, hidden_from_viewer=True))
        else:
            shown.append(item)
            pack_items.append(
                PackItem(
                    number=number,
                    visible=True,
                    kind_label=item.get_kind_display(),
                    title=item.title,
                    summary=item.summary,
                    person=item.nominal.full_name if item.nominal else "",
                )
            )
    nominal_ids, categories = _shown(shown)
    return Pack(
        meeting=meeting,
        agency=agency,
        items=pack_items,
        nominal_ids=nominal_ids,
        categories=categories,
        allowed_by=_allowed_by(viewer.agency, shown, today()),
    )
