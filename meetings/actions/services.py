"""Actions set in meetings: an owner in any agency, a due date, a status.

The chair sets them, on an agenda item or on the meeting as a whole; the owner (or a chair of the
meeting) marks them done; a chair cancels them. An action set on an item about a person carries the
item's person, owning agency and data category, so the sharing rules that hide the item hide the
action too (meetings.access.agency_may_see_agenda_content). Open actions show on the owner's home
page (shell/home.py), on the person's timeline (actions_timeline, registered in meetings/apps.py) and
on the next meeting's agenda (meetings/agenda/services.py reads them).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from cohorts.access import today
from cohorts.records.models import Nominal
from cohorts.timeline.selectors import MAX_PER_SOURCE, TimelineEntry, TimelineSourceResult
from meetings.access import actions_visible_to, agency_may_see_agenda_content, may_chair
from meetings.actions.models import MeetingAction
from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.models import User

NOT_A_CHAIR = "Only the meeting's chair, or another panel chair of the agency that runs it, can do this."
NOT_OWNER_OR_CHAIR = "Only the action's owner or a chair of its meeting can mark it done."
RESTRICTED = "Restricted: not shared with your agency under the information sharing agreements"

TIMELINE_KIND = "meeting_actions"
TIMELINE_LABEL = "Meeting actions"


# --- Writes -----------------------------------------------------------------------------------------


def _meeting_open(meeting: Meeting) -> None:
    if not meeting.is_open_for_edits:
        raise StateError(
            f"This meeting is {meeting.get_status_display().lower()}: its record is closed, so no action can be set."
        )


@transaction.atomic
def action_create(
    *,
    meeting: Meeting,
    by: User,
    owner: User,
    description: str,
    due_on: datetime.date,
    item: AgendaItem | None = None,
) -> MeetingAction:
    """Set an action in a meeting (its chair): an owner in any agency, a due date not in the past,
    on one of its agenda items (taking the item's person, owner and category) or the meeting."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not may_chair(by, meeting):
        raise NotAllowed(NOT_A_CHAIR)
    _meeting_open(meeting)
    errors: dict[str, str] = {}
    description = description.strip()
    if not description:
        errors["description"] = "Describe the action"
    if not owner.is_active:
        errors["owner"] = f"{owner} can no longer sign in: choose someone else"
    if due_on < today():
        errors["due_on"] = "The due date must be today or in the future"
    if item is not None and (item.meeting_id != meeting.pk or not item.is_on_agenda):
        errors["item"] = "That item is not on this meeting's agenda"
    if errors:
        raise ValidationError(errors)
    return MeetingAction.objects.create(
        meeting=meeting,
        item=item,
        nominal_id=item.nominal_id if item else None,
        owning_agency_id=(item.owning_agency_id or meeting.agency_id) if item else meeting.agency_id,
        category_id=item.category_id if item else None,
        description=description,
        owner=owner,
        due_on=due_on,
        created_by=by,
    )


def may_complete(user: User, action: MeetingAction) -> bool:
    return action.owner_id == user.pk or may_chair(user, action.meeting)


def _locked(action: MeetingAction, version: int) -> MeetingAction:
    locked = MeetingAction.objects.select_for_update().select_related("meeting").get(pk=action.pk)
    if locked.version != version:
        raise StaleVersion("Someone else changed this action after you opened it. Check it and try again.")
    if locked.status != MeetingAction.Status.OPEN:
        who = f" by {locked.completed_by}" if locked.completed_by else ""
        raise StateError(f"This action is already {locked.get_status_display().lower()}{who}.")
    return locked


@transaction.atomic
def action_complete(*, action: MeetingAction, by: User, note: str, version: int) -> MeetingAction:
    """Mark an open action done (its owner, or a chair of its meeting), with what was done."""
    if not may_complete(by, action):
        raise NotAllowed(NOT_OWNER_OR_CHAIR)
    return _close(action, version, status=MeetingAction.Status.DONE, by=by, note=note)


@transaction.atomic
def action_cancel(*, action: MeetingAction, by: User, note: str, version: int) -> MeetingAction:
    """Cancel an open action that is no longer needed (a chair of its meeting), saying why."""
    if not may_chair(by, action.meeting):
        raise NotAllowed(NOT_A_CHAIR)
    if not note.strip():
        raise ValidationError({"note": "Say why the action is cancelled"})
    return _close(action, version, status=MeetingAction.Status.CANCELLED, by=by, note=note)


def _close(action: MeetingAction, version: int, *, status: str, by: User, note: str) -> MeetingAction:
    """Lock an open action at the version the user saw, and close it as done or cancelled."""
    action = _locked(action, version)
    action.status = status
    action.completed_at, action.completed_by, action.completion_note = timezone.now(), by, note.strip()
    action.version += 1
    action.save(update_fields=["status", "completed_at", "completed_by", "completion_note", "version"])
    return action


# --- Reads ------------------------------------------------------------------------------------------


def with_content_flag(actions: QuerySet[MeetingAction], user: User) -> QuerySet[MeetingAction]:
    """Annotate `content_visible`: may the user's agency see what the action is about (the person)?"""
    return actions.annotate(
        content_visible=ExpressionWrapper(agency_may_see_agenda_content(user.agency), output_field=BooleanField())
    )


def action_get_for_user(user: User, pk: int) -> MeetingAction:
    """The action if the user owns it or may see it in its meeting; DoesNotExist otherwise."""
    return with_content_flag(
        actions_visible_to(user).select_related(
            "meeting", "meeting__agency", "item", "nominal", "owner__agency", "created_by", "completed_by"
        ),
        user,
    ).get(pk=pk)


def actions_of_owner(user: User) -> QuerySet[MeetingAction]:
    """The user's actions: open ones first (soonest due first), then done and cancelled, newest first."""
    open_first = Case(When(status=MeetingAction.Status.OPEN, then=Value(0)), default=Value(1))
    return with_content_flag(
        MeetingAction.objects.filter(owner=user).select_related("meeting", "nominal", "item"), user
    ).order_by(open_first, "due_on", "-completed_at", "pk")


def open_actions_counts(user: User) -> tuple[int, int]:
    """(open, of which overdue) actions owned by the user, in one query."""
    counts = MeetingAction.objects.filter(owner=user, status=MeetingAction.Status.OPEN).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today()))
    )
    return counts["open"], counts["overdue"]


def actions_timeline(user: User, nominal: Nominal) -> TimelineSourceResult:
    """The person's meeting actions on their timeline (cohorts/timeline/selectors.py): set, and done or
    cancelled. What an action says is shown only where the user's agency may see the item it came
    from (or the user owns it); otherwise the entry says it is restricted. Two queries."""
    actions = (
        with_content_flag(MeetingAction.objects.filter(nominal=nominal), user)
        .select_related("meeting", "owner__agency", "completed_by__agency", "category")
        .order_by("-created_at", "-pk")[:MAX_PER_SOURCE]
    )
    entries: list[TimelineEntry] = []
    categories: set[str] = set()
    for action in actions:
        readable = bool(action.content_visible) or action.owner_id == user.pk  # type: ignore[attr-defined]
        if not readable:
            entries.append(
                TimelineEntry(
                    kind=TIMELINE_KIND,
                    on=timezone.localtime(action.created_at).date(),
                    at=action.created_at,
                    title=f"Action from a meeting: {RESTRICTED}",
                    tag="Meeting action",
                    tag_colour="grey",
                )
            )
            continue
        if action.category is not None:
            categories.add(action.category.code)
        url = reverse("meeting-action-detail", args=[action.pk])
        due = f"Due {action.due_on:%-d %B %Y}."
        overdue = action.status == MeetingAction.Status.OPEN and action.due_on < today()
        entries.append(
            TimelineEntry(
                kind=TIMELINE_KIND,
                on=timezone.localtime(action.created_at).date(),
                at=action.created_at,
                title=f"Action set at {action.meeting}: {action.description}",
                detail=f"{due} Owner: {action.owner}, {action.owner.agency.name}.",
                by=str(action.owner),
                agency=action.owner.agency.name,
                url=url,
                tag="Overdue" if overdue else f"Action {action.get_status_display().lower()}",
                tag_colour="red" if overdue else ("blue" if action.status == MeetingAction.Status.OPEN else "grey"),
            )
        )
        if action.completed_at is not None and action.completed_by is not None:
            done = action.status == MeetingAction.Status.DONE
            entries.append(
                TimelineEntry(
                    kind=TIMELINE_KIND,
                    on=timezone.localtime(action.completed_at).date(),
                    at=action.completed_at,
                    title=f"Action {'done' if done else 'cancelled'}: {action.description}",
                    detail=action.completion_note,
                    by=str(action.completed_by),
                    agency=action.completed_by.agency.name,
                    url=url,
                    tag="Action done" if done else "Action cancelled",
                    tag_colour="green" if done else "grey",
                )
            )
    return TimelineSourceResult(entries=entries, categories_shown=categories)
