"""Meetings on the person's timeline (cohorts/timeline/selectors.py), registered from MeetingsConfig.ready(): the
items about the person on the agenda of a meeting (not cancelled), as "on the agenda", "discussed" or
"decided" with the outcome. An entry is listed only where the viewer may see the meeting or the item's
content (meetings.access.agency_may_see_agenda_content); what the item says (its title, its outcome)
only where they may see its content; the link to the meeting only where they may see the meeting.
A fixed number of queries whatever the number of items (the items, and the viewer's
agency and permissions once)."""

from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from cohorts.records.models import Nominal
from cohorts.timeline.selectors import MAX_PER_SOURCE, TimelineEntry, TimelineSourceResult
from meetings.access import agency_may_see_agenda_content, meetings_visible_to
from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting
from sharing.models import User

KIND = "meetings"
LABEL = "Meetings"
RESTRICTED = "Restricted: not shared with your agency under the information sharing agreements"


def _items(user: User, nominal: Nominal) -> list[AgendaItem]:
    meeting_visible = Exists(meetings_visible_to(user).filter(pk=OuterRef("meeting_id")))
    content_visible = ExpressionWrapper(agency_may_see_agenda_content(user.agency), output_field=BooleanField())
    return list(
        AgendaItem.objects.filter(nominal=nominal, removed_at__isnull=True, dropped_at__isnull=True)
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .annotate(meeting_visible=meeting_visible, content_visible=content_visible)
        .filter(Q(meeting_visible=True) | Q(content_visible=True))
        .select_related("meeting", "decided_by__agency", "category")
        .order_by("-meeting__date", "-pk")[:MAX_PER_SOURCE]
    )


def meetings_timeline(user: User, nominal: Nominal) -> TimelineSourceResult:
    entries: list[TimelineEntry] = []
    categories: set[str] = set()
    for item in _items(user, nominal):
        meeting = item.meeting
        readable = bool(item.content_visible)  # type: ignore[attr-defined]
        if readable and item.category is not None:
            categories.add(item.category.code)
        url = reverse("meeting-detail", args=[meeting.pk]) if item.meeting_visible else ""  # type: ignore[attr-defined]
        what = item.title if readable else RESTRICTED
        if item.decided_at is not None:
            entries.append(
                TimelineEntry(
                    kind=KIND,
                    on=timezone.localtime(item.decided_at).date(),
                    at=item.decided_at,
                    title=f"Decided at {meeting}: {item.outcome}" if readable else f"Decided at {meeting}",
                    detail=what,
                    by=str(item.decided_by) if item.decided_by else "",
                    agency=item.decided_by.agency.name if item.decided_by else "",
                    url=url,
                    tag="Meeting decision",
                    tag_colour="purple",
                )
            )
            continue
        held = meeting.status != Meeting.Status.SCHEDULED
        entries.append(
            TimelineEntry(
                kind=KIND,
                on=meeting.date,
                title=f"{'Discussed at' if held else 'On the agenda of'} {meeting}",
                detail=what,
                url=url,
                tag="Meeting",
                tag_colour="purple",
            )
        )
    return TimelineSourceResult(entries=entries, categories_shown=categories)
