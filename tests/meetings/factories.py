"""Meetings for tests. Meetings, items and actions hold no sharing grants of their own, so plain
factories are enough; the people they are about are made through the services (tests/cohorts)."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from meetings.actions.models import MeetingAction
from meetings.agenda.models import AgendaItem
from meetings.running.models import Attendance
from meetings.scheduling.models import Meeting, MeetingKind
from sharing.models import Agency, DataCategory, User


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    """A meeting run by the chair's agency; pass chair=..., and invited=[agencies] to invite."""

    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    kind = MeetingKind.SELECTION_PANEL
    title = factory.LazyAttribute(lambda o: dict(MeetingKind.choices)[o.kind])
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=2))
    starts_at = datetime.time(10, 0)
    location = "Northmoor Police HQ, Conference Room 2"
    agency = factory.LazyAttribute(lambda o: o.chair.agency)
    created_by = factory.LazyAttribute(lambda o: o.chair)

    @factory.post_generation
    def invited(meeting: Meeting, create: bool, extracted: list[Agency] | None, **kwargs: Any) -> None:
        if create and extracted:
            meeting.invited_agencies.set(extracted)


def category(code: str) -> DataCategory:
    return DataCategory.objects.get(code=code)


def make_item(meeting: Meeting, **fields: Any) -> AgendaItem:
    """An agenda item; about a person, pass nominal=, owning_agency= and category= (a DataCategory)."""
    position = fields.pop("position", meeting.items.count() + 1)
    defaults: dict[str, Any] = {
        "kind": AgendaItem.Kind.OTHER,
        "source": AgendaItem.Source.ADDED,
        "source_key": f"test:{position}",
        "title": f"Item {position}",
    }
    defaults.update(fields)
    return AgendaItem.objects.create(meeting=meeting, position=position, **defaults)


def make_attendance(meeting: Meeting, person: User, status: str = Attendance.Status.PRESENT) -> Attendance:
    return Attendance.objects.create(
        meeting=meeting, person=person, agency=person.agency, status=status, recorded_by=meeting.chair
    )


def make_action(meeting: Meeting, owner: User, **fields: Any) -> MeetingAction:
    defaults: dict[str, Any] = {
        "description": "Arrange a joint home visit",
        "due_on": timezone.localdate() + datetime.timedelta(days=7),
        "owning_agency": meeting.agency,
        "created_by": meeting.chair,
    }
    defaults.update(fields)
    return MeetingAction.objects.create(meeting=meeting, owner=owner, **defaults)
