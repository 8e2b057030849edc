"""Demo meetings: Northmoor's selection panel, weekly MAP meeting and youth-to-adult panel,
chaired by the IOM inspector (mark.reynolds), with the demo users of each agency attending.

- Last week's selection panel (a Thursday four to ten days ago): the police, probation, the prison
  and the drug service present (the youth justice service with apologies), the confidentiality
  statement read, three referrals decided (accepted, deferred, rejected with the drug service
  dissenting), a deregistration ratified, actions set, and its minutes approved and distributed, so
  that each attendee reads their agency's version (jo.evans of the drug service sees her own
  referral's item and the rest restricted).
- Next Thursday's selection panel (a weekly series), its agenda built: the referrals listed for it,
  the urgent decision to ratify, the deregistration proposed, the open actions of the last panel.
- Last week's MAP meeting, held, with actions (one done); this week's (a weekly series meeting on the
  day the demo is loaded) with its agenda built from the demo cohort: the top RAG rating, RAG changes,
  events, releases due, overdue reviews, transitions and last week's open actions.
- A case conference called at short notice two working days ago and recorded today, after it was
  held: run today, its pages saying "Held on ...; recorded on ...", its minutes in draft.
- Next quarter's youth-to-adult panel (quarterly), with young people of the youth justice services
  reaching 17 years 6 months on its agenda.

Everything goes through the meeting, referral and cohort services, as the chair would do it in the
pages. The panel and the MAP meeting stand for meetings run in the system on their day, so they are
scheduled for today, their date and times then set to the days they stand for (as
demo_deregistrations.py does) and their agendas rebuilt as of that date before they are run; the
recorded case conference is put in with its past date, as a chair would. The minutes are approved on the day the demo is
loaded (the access log cannot be back-dated). Idempotent: once the demo's MAP series exists, nothing
is added.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from cohorts.dates import is_working_day, working_days_before
from cohorts.deregistration.models import Deregistration
from cohorts.deregistration.services import deregistration_propose
from cohorts.management.models import CaseAssignment, ManagementLevel, RagRating
from cohorts.records.identifiers import pnc_check_letter
from cohorts.records.models import CaseInvolvement, Nominal
from cohorts.records.services import case_assign, consent_record, involvement_start, nominal_create
from demo.common import as_user
from demo.deregistrations import _someone_on_the_cohort_since
from demo.referrals import DemoReferral, Person, _record_person, _refer, next_panel_day
from meetings.access import items_for_agency
from meetings.actions.models import MeetingAction
from meetings.actions.services import action_complete, action_create
from meetings.agenda.models import AgendaItem
from meetings.agenda.services import agenda_item_add, agenda_refresh
from meetings.minutes.services import minutes_approve
from meetings.running.models import Attendance, Dissent
from meetings.running.services import (
    attendance_record,
    confidentiality_record,
    dissent_record,
    item_decide_cohort,
    item_decide_deregistration,
    item_decide_referral,
    item_notes_save,
    meeting_end,
    meeting_start,
)
from meetings.scheduling.models import Meeting, MeetingKind, MeetingSeries
from meetings.scheduling.services import add_months, meeting_create, series_create
from referrals.models import Referral, ReferralDecision
from referrals.services import AcceptTerms, referral_list_for_panel
from sharing.models import Agency, DataCategory, User

CHAIR = "mark.reynolds"
PANEL_TITLE = "Northmoor IOM selection panel"
MAP_TITLE = "Northmoor IOM MAP meeting"
Y2A_TITLE = "Youth to adult transfer panel"
PANEL_PLACE = "Northmoor Police HQ, Conference Room 2"
MAP_PLACE = "Northmoor Community Safety Hub, Room 4"
Y2A_PLACE = "Northmoor City Youth Justice Service, Castle Street"
PANEL_AGENCIES = ("police", "probation", "yot_city", "prison", "drugs", "housing")
MAP_AGENCIES = ("police", "probation", "prison", "drugs", "housing", "charity")
CONFERENCE_TITLE = "Case conference: accommodation on release"
CONFERENCE_AGENCIES = ("police", "probation", "housing")
RECORDED_CONFERENCE_TITLE = "Case conference: emergency accommodation (recorded after it was held)"
Y2A_AGENCIES = ("police", "probation", "yot_city", "yot_county")
PANEL_ATTENDANCE = (
    ("mark.reynolds", Attendance.Status.PRESENT),
    ("sam.carter", Attendance.Status.PRESENT),
    ("helen.morris", Attendance.Status.PRESENT),
    ("priya.shah", Attendance.Status.PRESENT),
    ("daniel.okafor", Attendance.Status.PRESENT),
    ("grace.mensah", Attendance.Status.PRESENT),
    ("jo.evans", Attendance.Status.PRESENT),
    ("aisha.khan", Attendance.Status.APOLOGIES),
    ("tom.byrne", Attendance.Status.ABSENT),
)
RECORDED_CONFERENCE_ATTENDANCE = (
    ("mark.reynolds", Attendance.Status.PRESENT),
    ("priya.shah", Attendance.Status.PRESENT),
    ("tom.byrne", Attendance.Status.PRESENT),
)
MAP_ATTENDANCE = (
    ("mark.reynolds", Attendance.Status.PRESENT),
    ("sam.carter", Attendance.Status.PRESENT),
    ("priya.shah", Attendance.Status.PRESENT),
    ("grace.mensah", Attendance.Status.PRESENT),
    ("jo.evans", Attendance.Status.PRESENT),
    ("tom.byrne", Attendance.Status.PRESENT),
    ("helen.morris", Attendance.Status.APOLOGIES),
)

# The referrals the panel before last decided: made for it, so next Thursday's list stays whole.
ACCEPTED_AT_PANEL = DemoReferral(
    Person("Callum", "Hirst", (26, 7, 2), "4426639", 1, crn="H771502", ogrs=84),
    "sam.carter",
    Referral.Status.SCREENED,
    "Three dwelling burglaries in Northmoor East in six weeks since his release on licence, the same "
    "method as his last conviction: rear doors forced at night.",
    ("reoffending", "harm"),
    "fixed",
    (
        ("burglary", 20, "Dwelling burglary at night, Holly Street"),
        ("burglary", 33, "Dwelling burglary, Holly Street"),
        ("burglary", 47, "Dwelling burglary at night, Moor Lane"),
    ),
    (("drugs_alcohol", "high", "Crack cocaine since release"), ("accommodation", "medium", "Approved premises")),
    level="priority",
)
DEFERRED_AT_PANEL = DemoReferral(
    Person("Jason", "Eccles", (33, 2, 20), "4427740", 2, crn="E330921", ogrs=67),
    "priya.shah",
    Referral.Status.SCREENED,
    "Two thefts from cars since his community order started and a caution for handling stolen goods; his "
    "probation officer is worried he is being drawn back into his brother's offending.",
    ("reoffending",),
    "fixed",
    (("vehicle", 28, "Theft from a vehicle, Riverside"), ("vehicle", 55, "Theft from a vehicle, Riverside")),
    (("family", "medium", "Brother offending; living at their mother's"),),
    level="enhanced",
)
REJECTED_AT_PANEL = DemoReferral(
    Person(
        "Nathan",
        "Quigley",
        (38, 5, 7),
        "4428851",
        0,
        statutory=Nominal.StatutoryStatus.NONE,
        ogrs=46,
        rosh="low",
        key_worker="jo.evans",
        consents=True,
    ),
    "jo.evans",
    Referral.Status.SCREENED,
    "Nathan is shoplifting to fund his alcohol use and has asked Compass Recovery for more help; we think "
    "joined-up support from IOM would stop the cycle.",
    ("reoffending",),
    "flex",
    (("shoplifting", 18, "Shoplifting, Northmoor city centre"), ("shoplifting", 40, "Shoplifting, Fenwick Vale")),
    (("drugs_alcohol", "high", "Alcohol dependent; in treatment with Compass Recovery"),),
    level="standard",
)


@dataclass(frozen=True)
class YoungPerson:
    first_name: str
    last_name: str
    months_at_panel: int  # age at the Y2A panel: 17 years and this many months
    pnc_serial: str
    yot: str
    probation_involved: bool = False


# Young people of the youth justice services, by their age on the day of next quarter's panel: those
# reaching 17 years 6 months before the panel after it are on its agenda with their youth offending
# team and probation details; Kieran Booth, younger, is not yet.
YOUNG_PEOPLE = [
    YoungPerson("Tyler", "Marsden", 4, "4429962", "yot_city", probation_involved=True),
    YoungPerson("Jayden", "Okoro", 8, "4430073", "yot_county"),
    YoungPerson("Kieran", "Booth", 2, "4431184", "yot_county"),
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))  # noqa: DTZ001


def past_panel_day(today: datetime.date | None = None) -> datetime.date:
    """Last week's selection panel: the Thursday before next Thursday's, or the one before that when
    it was less than four days ago (so the deregistration proposed three days ago waits for the next
    panel, as demo_deregistrations.py has it). Four to ten days ago."""
    today = today or timezone.localdate()
    last = next_panel_day(today) - datetime.timedelta(days=7)
    return last if (today - last).days >= 4 else last - datetime.timedelta(days=7)


def y2a_panel_day(today: datetime.date | None = None) -> datetime.date:
    """Next quarter's youth-to-adult panel: the second Wednesday of the quarter's first month."""
    today = today or timezone.localdate()
    first = add_months(today.replace(day=1), 3 - (today.month - 1) % 3)
    first_wednesday = first + datetime.timedelta(days=(2 - first.weekday()) % 7)
    return first_wednesday + datetime.timedelta(days=7)


def load_demo_panels(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    """The weekly selection panel from next Thursday, scheduled before the referrals are listed for
    it (a referral is listed for a scheduled panel only). Idempotent."""
    if MeetingSeries.objects.filter(title=PANEL_TITLE).exists():
        return
    chair = users[CHAIR]
    with as_user(chair):
        series_create(**_series(chair, agencies, MeetingKind.SELECTION_PANEL, PANEL_TITLE, next_panel_day()))


def load_demo_meetings(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    """Idempotent: safe to run on every start."""
    if MeetingSeries.objects.filter(title=MAP_TITLE).exists():
        return
    chair = users[CHAIR]
    _past_selection_panel(chair, users, agencies)
    _last_map_meeting(chair, users, agencies)
    with as_user(chair):
        series_create(**_series(chair, agencies, MeetingKind.MAP, MAP_TITLE, timezone.localdate()))
        # The chair refreshes next Thursday's agenda: referrals decided since they were listed for it
        # (urgent ones, or decided at today's panel) leave it.
        agenda_refresh(meeting=Meeting.objects.get(kind=MeetingKind.SELECTION_PANEL, date=next_panel_day()), by=chair)
    _case_conference(chair, users, agencies)
    _case_conference_recorded_after(chair, users, agencies)
    _young_people(users, agencies)
    with as_user(chair):
        series_create(**_series(chair, agencies, MeetingKind.Y2A_PANEL, Y2A_TITLE, y2a_panel_day()))


def _series(
    chair: User, agencies: dict[str, Agency], kind: str, title: str, first_date: datetime.date
) -> dict[str, Any]:
    settings: dict[str, tuple[tuple[str, ...], datetime.time, str, str]] = {
        MeetingKind.SELECTION_PANEL: (PANEL_AGENCIES, datetime.time(10, 0), PANEL_PLACE, "weekly"),
        MeetingKind.MAP: (MAP_AGENCIES, datetime.time(9, 30), MAP_PLACE, "weekly"),
        MeetingKind.Y2A_PANEL: (Y2A_AGENCIES, datetime.time(14, 0), Y2A_PLACE, "quarterly"),
        MeetingKind.CASE_CONFERENCE: (CONFERENCE_AGENCIES, datetime.time(11, 0), MAP_PLACE, "once"),
    }
    invited, starts_at, place, frequency = settings[kind]
    return {
        "by": chair,
        "kind": kind,
        "title": title,
        "frequency": frequency,
        "first_date": first_date,
        "starts_at": starts_at,
        "duration_minutes": 120,
        "location": place,
        "online_link": "https://meet.northmoor.example/iom",
        "chair": chair,
        "invited_agencies": [agencies[key] for key in invited],
        "invited_people": [],
    }


def _case_conference(chair: User, users: dict[str, User], agencies: dict[str, Agency]) -> Meeting:
    """A case conference on the next working day, with a probation and a housing worker invited by
    name: whatever the day the demo is loaded, the meetings sweep has a reminder with its pack to send
    (the weekly panels fall a week from today or on the next Thursday)."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    details = _series(chair, agencies, MeetingKind.CASE_CONFERENCE, CONFERENCE_TITLE, day)
    for key in ("frequency", "first_date"):
        details.pop(key)
    details["invited_people"] = [users["priya.shah"], users["tom.byrne"]]
    with as_user(chair):
        return meeting_create(date=day, **details)


def _case_conference_recorded_after(chair: User, users: dict[str, User], agencies: dict[str, Agency]) -> Meeting:
    """A case conference called at short notice two working days ago and put in today, after it was
    held: run through the services today, so its pages say "Held on ...; recorded on ..."; its
    minutes left in draft for the chair to approve."""
    day = working_days_before(timezone.localdate(), 2)
    details = _series(chair, agencies, MeetingKind.CASE_CONFERENCE, RECORDED_CONFERENCE_TITLE, day)
    for key in ("frequency", "first_date"):
        details.pop(key)
    details["invited_people"] = [users["priya.shah"], users["tom.byrne"]]
    with as_user(chair):
        meeting = meeting_create(date=day, **details)
        item = agenda_item_add(
            meeting=meeting,
            by=chair,
            title="Accommodation on release: emergency placement",
            summary="Called at short notice when the approved premises place fell through.",
        )
        meeting = meeting_start(meeting=meeting, by=chair)
        attendance_record(
            meeting=meeting,
            by=chair,
            entries=[(users[name], status) for name, status in RECORDED_CONFERENCE_ATTENDANCE],
        )
        meeting = confidentiality_record(meeting=meeting, by=chair)
        item_decide_cohort(
            item=item, by=chair, outcome="Emergency bed agreed with housing for two weeks; review at the next MAP."
        )
        return meeting_end(meeting=meeting, by=chair)


def _schedule_held(chair: User, agencies: dict[str, Agency], kind: str, title: str) -> Meeting:
    """A single meeting scheduled for today, to be moved back to the day it stands for."""
    details = _series(chair, agencies, kind, title, timezone.localdate())
    for key in ("frequency", "first_date"):
        details.pop(key)
    with as_user(chair):
        return meeting_create(date=timezone.localdate(), **details)


def _move_back(meeting: Meeting, day: datetime.date, chair: User) -> Meeting:
    """Set the meeting on the day it stands for and rebuild its agenda as of that day."""
    Meeting.objects.filter(pk=meeting.pk).update(date=day)
    meeting.refresh_from_db()
    with as_user(chair):
        agenda_refresh(meeting=meeting, by=chair)
    meeting.refresh_from_db()
    return meeting


def _open(meeting: Meeting, chair: User, users: dict[str, User], attendance: tuple[tuple[str, str], ...]) -> Meeting:
    with as_user(chair):
        meeting = meeting_start(meeting=meeting, by=chair)
        attendance_record(meeting=meeting, by=chair, entries=[(users[name], status) for name, status in attendance])
        return confidentiality_record(meeting=meeting, by=chair)


def _close(meeting: Meeting, chair: User, day: datetime.date, starts: tuple[int, int]) -> Meeting:
    """End the meeting, set its times to the day it was held, then approve its minutes (today)."""
    with as_user(chair):
        meeting = meeting_end(meeting=meeting, by=chair)
    start = _at(day, *starts)
    Meeting.objects.filter(pk=meeting.pk).update(
        started_at=start,
        confidentiality_read_at=start + datetime.timedelta(minutes=3),
        ended_at=start + datetime.timedelta(minutes=110),
    )
    decided = AgendaItem.objects.filter(meeting=meeting, decided_at__isnull=False).order_by("position", "pk")
    for minutes, item in enumerate(decided, start=1):
        moment = start + datetime.timedelta(minutes=5 + 10 * minutes)
        AgendaItem.objects.filter(pk=item.pk).update(decided_at=moment)
        if item.referral_decision_id:
            ReferralDecision.objects.filter(pk=item.referral_decision_id).update(decided_at=moment)
        if item.deregistration_id:
            Deregistration.objects.filter(pk=item.deregistration_id).update(decided_at=moment)
    Dissent.objects.filter(item__meeting=meeting).update(recorded_at=start + datetime.timedelta(minutes=60))
    MeetingAction.objects.filter(meeting=meeting).update(created_at=start + datetime.timedelta(minutes=100))
    meeting.refresh_from_db()
    with as_user(chair):
        return minutes_approve(meeting=meeting, by=chair, version=meeting.version)


# --- The selection panel before last ------------------------------------------------------------------


def _listed_for_today(demo: DemoReferral, users: dict[str, User], agencies: dict[str, Agency]) -> Referral:
    nominal = _record_person(demo.person, users, agencies)
    _refer(demo, nominal, users)
    referral = Referral.objects.get(nominal=nominal)
    screener = users[demo.screener]
    with as_user(screener):
        return referral_list_for_panel(referral=referral, by=screener, panel_date=timezone.localdate())


def _item_of(meeting: Meeting, **link: object) -> AgendaItem:
    return AgendaItem.objects.get(meeting=meeting, removed_at__isnull=True, dropped_at__isnull=True, **link)


def _past_selection_panel(chair: User, users: dict[str, User], agencies: dict[str, Agency]) -> None:
    day = past_panel_day()
    meeting = _schedule_held(chair, agencies, MeetingKind.SELECTION_PANEL, PANEL_TITLE)  # first: listed for it
    accepted, deferred, rejected = (
        _listed_for_today(demo, users, agencies) for demo in (ACCEPTED_AT_PANEL, DEFERRED_AT_PANEL, REJECTED_AT_PANEL)
    )
    leaving = _deregistration_proposed(users, before=day)
    Referral.objects.filter(pk__in=[accepted.pk, deferred.pk, rejected.pk]).update(panel_date=day)
    meeting = _move_back(meeting, day, chair)
    meeting = _open(meeting, chair, users, PANEL_ATTENDANCE)
    with as_user(chair):
        item = _item_of(meeting, referral=accepted)
        item_notes_save(
            item=item,
            by=chair,
            notes="DC Carter presented: three burglaries since release, same method. Probation confirmed the "
            "approved premises place and that the licence allows a curfew. Compass Recovery will offer an "
            "assessment on the first joint visit.",
            version=item.version,
        )
        item_decide_referral(
            item=_item_of(meeting, referral=accepted),
            by=chair,
            outcome=ReferralDecision.Outcome.ACCEPTED,
            rationale="Meets the Fixed criteria: dwelling burglary since release, on licence, OGRS 84%.",
            accept=AcceptTerms(
                strand="fixed",
                level=ManagementLevel.objects.get(code="priority"),
                rag=RagRating.objects.get(code="red"),
                rag_rationale="Burgling again within weeks of release; crack use resumed.",
                lead_professional=users["priya.shah"],
                police_lead=users["sam.carter"],
            ),
        )
        item_decide_referral(
            item=_item_of(meeting, referral=deferred),
            by=chair,
            outcome=ReferralDecision.Outcome.DEFERRED,
            rationale="Deferred for the updated OASys and the police intelligence on his brother's group; "
            "relist when both are in.",
        )
        item = _item_of(meeting, referral=rejected)
        item_decide_referral(
            item=item,
            by=chair,
            outcome=ReferralDecision.Outcome.REJECTED,
            rationale="Shoplifting only and OGRS 46%: below the threshold for IOM. Compass Recovery to continue "
            "treatment; refer again if his offending escalates.",
        )
        dissent_record(
            item=item,
            by=chair,
            person=users["jo.evans"],
            reason="Compass Recovery disagrees: his offending is rising with his drinking and IOM's joined-up "
            "support would come before it escalates.",
        )
        if leaving is not None:
            item_decide_deregistration(
                item=_item_of(meeting, deregistration=leaving),
                by=chair,
                ratify=True,
                ends_on=day,
                note="Ratified at the panel: sentenced to 6 years.",
            )
        in_four_weeks = timezone.localdate() + datetime.timedelta(weeks=4)
        action_create(
            meeting=meeting,
            by=chair,
            owner=users["sam.carter"],
            description="Arrange the first joint home visit with probation and Compass Recovery.",
            due_on=timezone.localdate() + datetime.timedelta(days=5),
            item=_item_of(meeting, referral=accepted),
        )
        action_create(
            meeting=meeting,
            by=chair,
            owner=users["priya.shah"],
            description="Send the updated OASys to the IOM team so the panel can decide.",
            due_on=next_panel_day(),
            item=_item_of(meeting, referral=deferred),
        )
        action_create(
            meeting=meeting,
            by=chair,
            owner=users["jo.evans"],
            description="Write to Nathan Quigley with the panel's decision and his treatment offer.",
            due_on=in_four_weeks,
            item=_item_of(meeting, referral=rejected),
        )
    _close(meeting, chair, day, (10, 0))


def _deregistration_proposed(users: dict[str, User], *, before: datetime.date) -> Deregistration | None:
    """A person in custody on a long sentence, proposed for deregistration before the panel."""
    membership = _someone_on_the_cohort_since(60, set())
    if membership is None:
        return None  # no generated cohort (a partial demo)
    proposer = users["sam.carter"]
    with as_user(proposer):
        proposal = deregistration_propose(
            nominal=membership.nominal,
            by=proposer,
            reason=Deregistration.Reason.LONG_CUSTODY,
            explanation="Sentenced to 6 years at Northmoor Crown Court for robbery; release beyond the IOM "
            "planning horizon.",
        )
    Deregistration.objects.filter(pk=proposal.pk).update(proposed_at=_at(before - datetime.timedelta(days=4), 15))
    proposal.refresh_from_db()
    return proposal


# --- MAP meetings -----------------------------------------------------------------------------------


def _last_map_meeting(chair: User, users: dict[str, User], agencies: dict[str, Agency]) -> None:
    """Last week's MAP: two items decided, three actions set (one done since), minutes approved."""
    day = timezone.localdate() - datetime.timedelta(days=7)
    meeting = _schedule_held(chair, agencies, MeetingKind.MAP, MAP_TITLE)
    meeting = _move_back(meeting, day, chair)
    meeting = _open(meeting, chair, users, MAP_ATTENDANCE)
    seen = [
        item for item in items_for_agency(meeting, chair.agency) if getattr(item, "visible", False) and item.nominal_id
    ]
    by_kind: dict[str, list[AgendaItem]] = {}
    for item in seen:
        by_kind.setdefault(item.kind, []).append(item)
    chosen = [items[0] for items in by_kind.values()][:3]
    owners = ["sam.carter", "priya.shah", "daniel.okafor"]
    descriptions = [
        "Joint home visit with the lead professional this week; check the curfew is kept.",
        "Bring forward the licence review and report back on compliance.",
        "Agree the transition plan's first steps with the lead professional.",
    ]
    actions = []
    with as_user(chair):
        for number, item in enumerate(chosen[:2]):
            item_decide_cohort(
                item=item,
                by=chair,
                outcome=["Stays at the top rating: joint visit this week.", "Noted; lead to review the plan."][number],
            )
        for item, owner, description in zip(chosen, owners, descriptions, strict=False):
            actions.append(
                action_create(
                    meeting=meeting,
                    by=chair,
                    owner=users[owner],
                    description=description,
                    due_on=timezone.localdate() + datetime.timedelta(days=2),
                    item=item,
                )
            )
    meeting = _close(meeting, chair, day, (9, 30))
    if actions:
        done = actions[0]
        with as_user(done.owner):
            action_complete(
                action=done, by=done.owner, note="Visited with probation on Tuesday; curfew kept.", version=done.version
            )


# --- Youth to adult ---------------------------------------------------------------------------------


def _young_people(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    """Young people the youth justice services work with, recorded by the police (who hold their PNC
    records), with the consent to share their offending with the partnership."""
    panel = y2a_panel_day()
    recorder, worker = users["sam.carter"], users["aisha.khan"]
    offending = DataCategory.objects.get(code="offending-risk")
    for young in YOUNG_PEOPLE:
        if Nominal.objects.filter(first_name=young.first_name, last_name=young.last_name).exists():
            continue
        born = add_months(panel, -(17 * 12 + young.months_at_panel)) - datetime.timedelta(days=9)
        pnc_year = str(born.year + 15)
        with as_user(recorder):
            nominal = nominal_create(
                by=recorder,
                first_name=young.first_name,
                last_name=young.last_name,
                date_of_birth=born,
                gender=Nominal.Gender.MALE,
                nationality="British",
                pnc_id=f"{pnc_year}/{young.pnc_serial}{pnc_check_letter(pnc_year, young.pnc_serial)}",
                statutory_status=Nominal.StatutoryStatus.COMMUNITY_ORDER,
                ogrs_percent=62,
                risk_of_serious_harm=Nominal.RiskOfSeriousHarm.MEDIUM,
            )
        yot = agencies[young.yot]
        involvement_start(
            nominal=nominal,
            agency=yot,
            reason=CaseInvolvement.Reason.TEAM,
            started_on=timezone.localdate() - datetime.timedelta(days=300),
        )
        if young.yot == "yot_city":
            with as_user(worker):
                case_assign(
                    nominal=nominal,
                    role=CaseAssignment.Role.KEY_WORKER,
                    worker=worker,
                    by=worker,
                    reason="Youth justice case manager",
                )
        if young.probation_involved:
            involvement_start(nominal=nominal, agency=agencies["probation"], reason=CaseInvolvement.Reason.TEAM)
        with as_user(recorder):
            consent_record(
                nominal=nominal,
                by=recorder,
                given=True,
                category=offending,
                recorded_on=timezone.localdate(),
                note="Agreed, with his parent, to the youth justice service sharing his case with the partnership",
            )
