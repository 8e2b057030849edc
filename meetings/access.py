"""Who may see a meeting, who may chair it, and which of its items an agency may see.

- A meeting is seen by its chair, the people invited, everyone in an invited agency, and the panel
  chairs of the agency that runs it. Anyone else gets 404 (DESIGN.md, permission model point 2).
- It is chaired (agenda edits, running it, approving the minutes) by its chair or, deputising, by
  another panel chair of the agency that runs it. A series is changed by the same: its chair, or a
  panel chair of the agency that runs it; it is seen by whoever may see one of its meetings.
- An item about a person shows its content to an agency only if the agency may see the person (its
  grants) and the item's content (the agency owns it, or an agreement in force shares the item's
  category between the two agencies, with the person's consent where the clause asks). Otherwise
  the item is "restricted" to that agency: shown as there, never what it is about. The rule is one
  SQL expression, so an agenda of any length is read in one query (items_for_agency).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404

from cohorts.access import clauses_allowing_row, grants_on_row, today
from cohorts.refusals import out_of_scope, refusal_mark
from meetings.actions.models import MeetingAction
from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting, MeetingSeries
from sharing.models import Agency, User


def may_chair_meetings(user: User) -> bool:
    """Panel chairs schedule meetings and chair them."""
    return user.has_perm("meetings.chair_meeting")


def may_chair(user: User, meeting: Meeting) -> bool:
    """The meeting's chair, or another panel chair of the agency that runs it."""
    if meeting.chair_id == user.pk:
        return True
    return meeting.agency_id == user.agency_id and may_chair_meetings(user)


def may_chair_series(user: User, series: MeetingSeries) -> bool:
    """The series' chair, or another panel chair of the agency that runs it (as may_chair)."""
    if series.chair_id == user.pk:
        return True
    return series.agency_id == user.agency_id and may_chair_meetings(user)


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    """The meetings the user may open: chaired, invited (in person or by agency), or run by their
    agency when they chair meetings."""
    invited_agency = Meeting.invited_agencies.through.objects.filter(meeting=OuterRef("pk"), agency_id=user.agency_id)
    invited_person = Meeting.invited_people.through.objects.filter(meeting=OuterRef("pk"), user_id=user.pk)
    visible = Q(chair_id=user.pk) | Q(Exists(invited_agency)) | Q(Exists(invited_person))
    if may_chair_meetings(user):
        visible |= Q(agency_id=user.agency_id)
    return Meeting.objects.filter(visible)


def readers_who_may_chair(readers: Iterable[User]) -> set[int]:
    """Of these users, those who may chair meetings (may_chair_meetings of each), in one query."""
    readers = list(readers)
    permission = Permission.objects.filter(content_type__app_label="meetings", codename="chair_meeting")
    granted = Q(is_superuser=True) | Q(groups__permissions__in=permission) | Q(user_permissions__in=permission)
    chairs = User.objects.filter(pk__in=[reader.pk for reader in readers], is_active=True).filter(granted)
    return set(chairs.values_list("pk", flat=True).distinct()) if readers else set()


def meetings_visible_to_each(readers: Iterable[User], meeting_ids: Iterable[int]) -> dict[tuple[int, int], Meeting]:
    """For many readers at once, which of these meetings each may open, as meetings_visible_to says
    of one (tests/meetings/test_access.py holds the two to the same answers). Four queries whatever
    the number of readers and meetings."""
    readers, ids = list(readers), set(meeting_ids)
    if not readers or not ids:
        return {}
    meetings = {meeting.pk: meeting for meeting in Meeting.objects.filter(pk__in=ids)}
    agencies: dict[int, set[int]] = {}
    for meeting_id, agency_id in Meeting.invited_agencies.through.objects.filter(meeting_id__in=ids).values_list(
        "meeting_id", "agency_id"
    ):
        agencies.setdefault(meeting_id, set()).add(agency_id)
    people: dict[int, set[int]] = {}
    for meeting_id, user_id in Meeting.invited_people.through.objects.filter(meeting_id__in=ids).values_list(
        "meeting_id", "user_id"
    ):
        people.setdefault(meeting_id, set()).add(user_id)
    chairs = readers_who_may_chair(readers)
    return {
        (reader.pk, pk): meeting
        for reader in readers
        for pk, meeting in meetings.items()
        if meeting.chair_id == reader.pk
        or reader.agency_id in agencies.get(pk, set())
        or reader.pk in people.get(pk, set())
        or (reader.pk in chairs and meeting.agency_id == reader.agency_id)
    }


def meeting_get_for_user(user: User, pk: int) -> Meeting:
    """The meeting if the user may see it, else 404 (never 403: its existence is not disclosed)."""
    meeting = (
        meetings_visible_to(user).select_related("chair", "chair__agency", "agency", "series").filter(pk=pk).first()
    )
    if meeting is None:
        not_found = Http404("No such meeting")
        if Meeting.objects.filter(pk=pk).exists():  # it exists: a refusal, about no one (cohorts/refusals.py)
            refusal_mark(not_found, nominal_id=None, reason=out_of_scope(f"meeting {pk}"))
        raise not_found
    return meeting


def meeting_get_to_chair(user: User, pk: int) -> Meeting:
    """The meeting if the user may chair it; 404 if they may not see it at all."""
    meeting = meeting_get_for_user(user, pk)
    if not may_chair(user, meeting):
        raise Http404("No such meeting")
    return meeting


def series_visible_to(user: User) -> QuerySet[MeetingSeries]:
    """The series the user may open: those with a meeting they may see (meetings_visible_to), and
    those they may change."""
    visible = Q(chair_id=user.pk) | Q(Exists(meetings_visible_to(user).filter(series_id=OuterRef("pk"))))
    if may_chair_meetings(user):
        visible |= Q(agency_id=user.agency_id)
    return MeetingSeries.objects.filter(visible)


def series_get_for_user(user: User, pk: int) -> MeetingSeries:
    """The series if the user may see it, else 404."""
    series = series_visible_to(user).select_related("chair", "chair__agency", "agency").filter(pk=pk).first()
    if series is None:
        raise Http404("No such meeting series")
    return series


def series_get_to_chair(user: User, pk: int) -> MeetingSeries:
    """The series if the user may change it; 404 otherwise, as for a meeting's chair pages."""
    series = series_get_for_user(user, pk)
    if not may_chair_series(user, series):
        raise Http404("No such meeting series")
    return series


def agency_may_see_agenda_content(agency: Agency, on: datetime.date | None = None) -> Q:
    """The rule above as a filter on AgendaItem (or MeetingAction: both have nominal,
    owning_agency and category)."""
    on = on or today()
    if agency.permission_group_id is None:
        return Q(nominal__isnull=True)
    granted = grants_on_row(agency.permission_group_id, nominal_ref="nominal")
    clauses = clauses_allowing_row(
        agency.pk, on, category=OuterRef("category"), owner_ref="owning_agency", nominal_ref="nominal"
    )
    content_shared = (
        Q(owning_agency__isnull=True) | Q(owning_agency_id=agency.pk) | Q(category__isnull=True) | Q(Exists(clauses))
    )
    return Q(nominal__isnull=True) | (Q(Exists(granted)) & content_shared)


def items_for_agency(meeting: Meeting, agency: Agency, *, include_off_agenda: bool = False) -> QuerySet[AgendaItem]:
    """The meeting's items in agenda order, each annotated `visible` (may this agency see what it
    is?). One query whatever the number of items."""
    items = meeting.items.all()
    if not include_off_agenda:
        items = items.filter(removed_at__isnull=True, dropped_at__isnull=True)
    return items.annotate(
        visible=ExpressionWrapper(agency_may_see_agenda_content(agency), output_field=BooleanField())
    ).select_related("nominal", "owning_agency", "category", "decided_by", "referral_decision")


def actions_visible_to_each(
    readers: Iterable[User], action_ids: Iterable[int], on: datetime.date | None = None
) -> dict[tuple[int, int], MeetingAction]:
    """For many readers at once, which of these actions each may read in full, as actions_visible_to
    says of one: their own, or one in a meeting they may see whose content their agency may see.
    Five queries, and one per readers' agency."""
    readers, ids = list(readers), set(action_ids)
    if not readers or not ids:
        return {}
    actions = {action.pk: action for action in MeetingAction.objects.filter(pk__in=ids).select_related("meeting")}
    meetings = meetings_visible_to_each(readers, {action.meeting_id for action in actions.values()})
    content: dict[int, set[int]] = {}
    for agency in {reader.agency for reader in readers}:
        shown = MeetingAction.objects.filter(pk__in=list(actions)).filter(agency_may_see_agenda_content(agency, on))
        content[agency.pk] = set(shown.values_list("pk", flat=True))
    return {
        (reader.pk, pk): action
        for reader in readers
        for pk, action in actions.items()
        if action.owner_id == reader.pk
        or ((reader.pk, action.meeting_id) in meetings and pk in content[reader.agency_id])
    }


def actions_visible_to(user: User) -> QuerySet[MeetingAction]:
    """Actions the user may read in full: their own, and those whose content their agency may see
    in meetings they may see."""
    return MeetingAction.objects.filter(
        Q(owner_id=user.pk) | (Q(meeting__in=meetings_visible_to(user)) & agency_may_see_agenda_content(user.agency))
    )
