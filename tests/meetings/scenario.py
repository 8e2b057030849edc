"""The meeting scenario of the permission matrix (tests/test_permission_matrix.py, MeetingData entries).

A selection panel run by the police (tests/partnership.py), chaired by a police panel chair, inviting
the police, probation and the drug service (not housing, not the other force), about one person on
the cohort. Three meetings of the same shape, so that each page finds a state it applies to:

- meeting_pk: held two days ago, its minutes in draft (the record still open for edits: notes,
  decisions, actions, attendance; the chair may approve the minutes);
- approved_meeting_pk: held a week ago, its minutes approved and distributed (the record closed);
- scheduled_meeting_pk: in two days' time, its agenda built, not started (the pack, starting it).

And a weekly series (series_pk) of the same shape, chaired by the same chair, with one meeting to come
(in nine days, no agenda items): the series' pages are seen by whoever may see its meetings.

Each meeting has one agenda item (item_pk, approved_item_pk, scheduled_item_pk) about the person,
owned by the police, of the offending-risk category: probation sees its content under the core
agreement, the drug service sees it restricted. Each held meeting has one open action on its item
(action_pk, approved_action_pk), owned by the probation officer. Attendance: the chair and the
probation officer present, the drug worker with apologies.

The item's title, summary, notes and the action's description carry markers (SECRETS) that must
never appear to a user who gets 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from meetings.agenda.models import AgendaItem
from meetings.running.models import Attendance
from meetings.scheduling.models import Meeting, MeetingKind, MeetingSeries
from sharing.models import User
from sharing.roles import Role
from tests.meetings.factories import MeetingFactory, category, make_action, make_attendance, make_item
from tests.partnership import Partnership
from tests.sharing.factories import UserFactory

SECRETS = ("MEETING-ITEM-TITLE-SECRET", "MEETING-PACK-SUMMARY-SECRET", "MEETING-NOTES-SECRET", "MEETING-ACTION-SECRET")
PERSON_NAMES = ("Meetingperson", "Panelcase")


@dataclass
class MeetingScenario:
    chair_pk: int
    nominal_pk: int
    meeting_pk: int
    item_pk: int
    action_pk: int
    approved_meeting_pk: int
    approved_item_pk: int
    approved_action_pk: int
    scheduled_meeting_pk: int
    scheduled_item_pk: int
    series_pk: int = 0
    secrets: tuple[str, ...] = field(default=SECRETS)

    @classmethod
    def missing(cls) -> MeetingScenario:
        """Every key pointing at nothing: each page must answer 404."""
        gone = 10**9
        return cls(gone, gone, gone, gone, gone, gone, gone, gone, gone, gone, series_pk=gone)


def _meeting(chair: User, p: Partnership, *, on: datetime.date, status: str) -> Meeting:
    meeting = MeetingFactory.create(
        chair=chair,
        kind=MeetingKind.SELECTION_PANEL,
        date=on,
        status=status,
        invited=[p.police, p.probation, p.drugs],
    )
    meeting.invited_people.set([p.probation_officer, p.drugs_worker])
    return meeting


def _hold(meeting: Meeting, p: Partnership) -> None:
    """What running the meeting leaves behind: attendance, the statement read, times."""
    chair = meeting.chair
    held_at = timezone.make_aware(datetime.datetime.combine(meeting.date, meeting.starts_at))
    Meeting.objects.filter(pk=meeting.pk).update(
        started_at=held_at,
        ended_at=held_at + datetime.timedelta(hours=2),
        confidentiality_statement="CONFIDENTIAL: shared under the partnership's agreements only.",
        confidentiality_read_at=held_at,
        confidentiality_read_by=chair,
    )
    for person, status in (
        (chair, Attendance.Status.PRESENT),
        (p.probation_officer, Attendance.Status.PRESENT),
        (p.drugs_worker, Attendance.Status.APOLOGIES),
    ):
        attendance = make_attendance(meeting, person, status)
        Attendance.objects.filter(pk=attendance.pk).update(
            acknowledged_confidentiality=status == Attendance.Status.PRESENT
        )


def _item(meeting: Meeting, nominal_pk: int, p: Partnership, *, discussed: bool) -> AgendaItem:
    return make_item(
        meeting,
        kind=AgendaItem.Kind.OTHER,
        title="MEETING-ITEM-TITLE-SECRET: Meetingperson Panelcase",
        summary="MEETING-PACK-SUMMARY-SECRET",
        nominal_id=nominal_pk,
        owning_agency=p.police,
        category=category("offending-risk"),
        notes="MEETING-NOTES-SECRET" if discussed else "",
        outcome="Stays on IOM" if discussed else "",
    )


def build_meeting_scenario(p: Partnership) -> MeetingScenario:
    """The scenario above, with its own person (recorded by the police and put on the cohort)."""
    from cohorts.records.services import cohort_membership_start
    from meetings.minutes.services import minutes_approve
    from tests.cohorts.factories import make_nominal

    today = timezone.localdate()
    chair = UserFactory.create(agency=p.police, roles=[Role.PANEL_CHAIR], first_name="Pat", last_name="Chair")
    nominal = make_nominal(p.officer, first_name=PERSON_NAMES[0], last_name=PERSON_NAMES[1])
    cohort_membership_start(nominal=nominal)

    held = _meeting(chair, p, on=today - datetime.timedelta(days=2), status=Meeting.Status.HELD)
    _hold(held, p)
    held_item = _item(held, nominal.pk, p, discussed=True)
    held_action = make_action(
        held,
        p.probation_officer,
        item=held_item,
        nominal_id=nominal.pk,
        owning_agency=p.police,
        category=category("offending-risk"),
        description="MEETING-ACTION-SECRET: arrange a joint home visit",
    )

    approved = _meeting(chair, p, on=today - datetime.timedelta(days=7), status=Meeting.Status.HELD)
    _hold(approved, p)
    approved_item = _item(approved, nominal.pk, p, discussed=True)
    approved_action = make_action(
        approved,
        p.probation_officer,
        item=approved_item,
        nominal_id=nominal.pk,
        owning_agency=p.police,
        category=category("offending-risk"),
        description="MEETING-ACTION-SECRET: check the licence conditions",
    )
    approved.refresh_from_db()
    minutes_approve(meeting=approved, by=chair, version=approved.version)

    scheduled = _meeting(chair, p, on=today + datetime.timedelta(days=2), status=Meeting.Status.SCHEDULED)
    Meeting.objects.filter(pk=scheduled.pk).update(agenda_built_at=timezone.now())
    scheduled_item = _item(scheduled, nominal.pk, p, discussed=False)

    series = MeetingSeries.objects.create(
        kind=MeetingKind.SELECTION_PANEL,
        title="Matrix selection panel",
        frequency=MeetingSeries.Frequency.WEEKLY,
        first_date=today + datetime.timedelta(days=9),
        starts_at=datetime.time(10, 0),
        location="Northmoor Police HQ, Conference Room 2",
        chair=chair,
        agency=chair.agency,
        created_by=chair,
    )
    series.invited_agencies.set([p.police, p.probation, p.drugs])
    series.invited_people.set([p.probation_officer, p.drugs_worker])
    series_meeting = _meeting(chair, p, on=series.first_date, status=Meeting.Status.SCHEDULED)
    Meeting.objects.filter(pk=series_meeting.pk).update(series=series, title=series.title)

    return MeetingScenario(
        chair_pk=chair.pk,
        nominal_pk=nominal.pk,
        meeting_pk=held.pk,
        item_pk=held_item.pk,
        action_pk=held_action.pk,
        approved_meeting_pk=approved.pk,
        approved_item_pk=approved_item.pk,
        approved_action_pk=approved_action.pk,
        scheduled_meeting_pk=scheduled.pk,
        scheduled_item_pk=scheduled_item.pk,
        series_pk=series.pk,
    )
