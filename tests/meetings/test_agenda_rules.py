"""The agenda rules (meetings/agenda/services.py): for each, the item enters when its data qualifies and is
dropped when the data changes; the same data gives the same agenda; the chair's removals stick and
discussed items stay. The data is made through the owning apps' services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.deregistration.models import Deregistration
from cohorts.deregistration.services import deregistration_propose, deregistration_withdraw
from cohorts.events.models import CustodyEvent
from cohorts.events.services import custody_event_record
from cohorts.management.models import RagAssessment, RagRating
from cohorts.records.models import CaseInvolvement, Nominal
from cohorts.records.services import (
    cohort_membership_end,
    cohort_membership_start,
    involvement_end,
    involvement_start,
    nominal_update,
    rag_assess,
)
from cohorts.reviews.services import supervisor_review_record
from cohorts.transitions.services import transition_plan_start
from meetings.actions.services import action_complete
from meetings.agenda.models import AgendaItem
from meetings.agenda.services import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_restore,
    agenda_refresh,
)
from meetings.scheduling.models import Meeting, MeetingKind
from referrals.dates import add_months
from referrals.models import Referral, ReferralDecision
from referrals.services import (
    referral_decide,
    referral_ratify,
    referral_return,
    referral_section_save,
    referral_withdraw,
)
from sharing.errors import NotAllowed, StateError
from sharing.models import Agency, User
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.meetings.factories import MeetingFactory, category, make_action, make_item
from tests.partnership import Partnership
from tests.referrals.factories import listed_referral, submitted_referral
from tests.sharing.factories import AgencyFactory, UserFactory

DAY = datetime.timedelta(days=1)
RISK = {
    "statutory_status": "licence",
    "ogrs_percent": 82,
    "risk_of_serious_harm": "medium",
    "mappa_category": "",
    "mappa_level": "",
    "release_expected_on": None,
}


@dataclass
class World:
    p: Partnership
    chair: User
    supervisor: User

    @property
    def officer(self) -> User:
        return self.p.officer


@pytest.fixture
def world(partnership: Partnership) -> World:
    return World(
        p=partnership,
        chair=UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR]),
        supervisor=UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR]),
    )


def today() -> datetime.date:
    return timezone.localdate()


def meeting_on(world: World, kind: str, date: datetime.date, **fields: object) -> Meeting:
    return MeetingFactory.create(chair=world.chair, kind=kind, date=date, **fields)


def on_cohort(world: World, started_on: datetime.date | None = None, **fields: object) -> Nominal:
    nominal = make_nominal(world.officer, **fields)
    cohort_membership_start(nominal=nominal, started_on=started_on or today() - 60 * DAY)
    return nominal


def code_of(item: AgendaItem) -> str:
    return item.category.code if item.category else ""


def rate(nominal: Nominal, code: str, by: User, days_ago: int = 0) -> RagAssessment:
    rating = RagRating.objects.get(code=code)
    if not days_ago:
        return rag_assess(nominal=nominal, rating=rating, rationale=f"{rating.label} now", by=by)
    with time_machine.travel(timezone.now() - days_ago * DAY, tick=False):
        return rag_assess(nominal=nominal, rating=rating, rationale=f"{rating.label} then", by=by)


def item(meeting: Meeting, key: str) -> AgendaItem:
    return meeting.items.get(source_key=key)


def on_agenda(meeting: Meeting) -> list[str]:
    return list(
        meeting.items.filter(removed_at__isnull=True, dropped_at__isnull=True)
        .order_by("position", "pk")
        .values_list("source_key", flat=True)
    )


# --- Selection panel --------------------------------------------------------------------------------


def test_a_listed_referral_enters_the_panel_agenda_and_is_dropped_once_decided(world):
    nominal = make_nominal(world.officer)
    referral = listed_referral(nominal, world.officer, world.officer)  # listed for today + 7 days
    panel = meeting_on(world, MeetingKind.SELECTION_PANEL, today() + 7 * DAY)

    agenda_refresh(meeting=panel)

    entered = item(panel, f"referral:{referral.pk}")
    assert entered.kind == AgendaItem.Kind.REFERRAL
    assert entered.is_on_agenda
    assert (entered.referral, entered.nominal) == (referral, nominal)
    assert entered.owning_agency == world.p.police
    assert code_of(entered) == "offending-risk"
    assert nominal.full_name in entered.title
    assert referral.reference in entered.title

    referral_decide(referral=referral, by=world.chair, outcome="rejected", rationale="Does not meet the criteria")
    agenda_refresh(meeting=panel)

    entered.refresh_from_db()
    assert entered.dropped_at is not None
    assert entered.removed_at is None


def test_a_referral_listed_for_a_later_panel_is_not_on_an_earlier_one_and_a_withdrawn_one_leaves(world):
    referral = listed_referral(make_nominal(world.officer), world.officer, world.officer)
    earlier = meeting_on(world, MeetingKind.SELECTION_PANEL, today() + 3 * DAY)
    later = meeting_on(world, MeetingKind.SELECTION_PANEL, today() + 8 * DAY)
    agenda_refresh(meeting=earlier)
    agenda_refresh(meeting=later)
    assert on_agenda(earlier) == []
    assert on_agenda(later) == [f"referral:{referral.pk}"]

    referral_withdraw(referral=referral, by=world.officer, reason="Moved out of the area")
    agenda_refresh(meeting=later)

    assert item(later, f"referral:{referral.pk}").dropped_at is not None


def test_referrals_are_listed_highest_score_first(world):
    low = listed_referral(make_nominal(world.officer), world.officer, world.officer, risk={"ogrs_percent": 15})
    high = listed_referral(make_nominal(world.officer), world.officer, world.officer, risk={"ogrs_percent": 95})
    assert (high.score or 0) > (low.score or 0)
    panel = meeting_on(world, MeetingKind.SELECTION_PANEL, today() + 7 * DAY)

    agenda_refresh(meeting=panel)

    assert on_agenda(panel) == [f"referral:{high.pk}", f"referral:{low.pk}"]


def test_an_urgent_decision_waits_on_the_agenda_until_ratified(world):
    referral = submitted_referral(
        make_nominal(world.officer), world.officer, urgency={"urgent": True, "urgency_reason": "Released tomorrow"}
    )
    referral_decide(
        referral=referral, by=world.chair, outcome="rejected", rationale="Not IOM material", outside_meeting=True
    )
    panel = meeting_on(world, MeetingKind.SELECTION_PANEL, today() + 2 * DAY)

    agenda_refresh(meeting=panel)
    ratify = item(panel, f"ratify:{referral.pk}")
    assert ratify.kind == AgendaItem.Kind.URGENT_RATIFICATION
    assert ratify.is_on_agenda
    assert "Not IOM material" in ratify.summary

    referral_ratify(referral=referral, by=world.chair)
    agenda_refresh(meeting=panel)

    ratify.refresh_from_db()
    assert ratify.dropped_at is not None
    assert ReferralDecision.objects.get(referral=referral).ratification == "ratified"


def test_a_proposed_deregistration_is_on_the_panel_agenda_until_withdrawn(world):
    nominal = on_cohort(world)
    proposal = deregistration_propose(
        nominal=nominal, by=world.p.probation_officer, reason=Deregistration.Reason.RISK_REDUCED, explanation="Stable"
    )
    panel = meeting_on(world, MeetingKind.SELECTION_PANEL, today() + 2 * DAY)

    agenda_refresh(meeting=panel)
    entered = item(panel, f"deregistration:{proposal.pk}")
    assert entered.deregistration == proposal
    assert entered.owning_agency == world.p.probation

    deregistration_withdraw(deregistration=proposal, by=world.p.probation_officer)
    agenda_refresh(meeting=panel)

    entered.refresh_from_db()
    assert entered.dropped_at is not None


# --- MAP meeting ------------------------------------------------------------------------------------


def test_a_person_at_the_top_rag_rating_is_on_the_map_agenda_until_rated_lower(world):
    nominal = on_cohort(world)
    red = rate(nominal, "red", world.p.probation_officer, days_ago=20)
    amber_person = on_cohort(world)
    rate(amber_person, "amber", world.officer, days_ago=20)
    map_meeting = meeting_on(world, MeetingKind.MAP, today() + 2 * DAY)

    agenda_refresh(meeting=map_meeting)
    top = item(map_meeting, f"top_rag:{nominal.pk}")
    assert top.rag_assessment == red
    assert top.owning_agency == world.p.probation
    assert not map_meeting.items.filter(source_key=f"top_rag:{amber_person.pk}").exists()

    rate(nominal, "amber", world.officer)
    agenda_refresh(meeting=map_meeting)

    top.refresh_from_db()
    assert top.dropped_at is not None


def test_rag_changes_since_the_last_map_come_and_go_with_the_ratings(world):
    meeting_on(world, MeetingKind.MAP, today() - 7 * DAY, status=Meeting.Status.HELD)
    changed, before_last, unchanged = on_cohort(world), on_cohort(world), on_cohort(world)
    rate(changed, "amber", world.officer, days_ago=30)
    raised = rate(changed, "red", world.officer)
    rate(before_last, "red", world.officer, days_ago=10)  # before the last MAP: discussed there
    rate(unchanged, "green", world.officer, days_ago=30)
    rate(unchanged, "green", world.officer)  # rated again, no change
    map_meeting = meeting_on(world, MeetingKind.MAP, today() + 2 * DAY)

    agenda_refresh(meeting=map_meeting)
    change = item(map_meeting, f"rag_change:{raised.pk}")
    assert "from Amber to Red" in change.title
    assert [key for key in on_agenda(map_meeting) if key.startswith("rag_change:")] == [f"rag_change:{raised.pk}"]

    lowered = rate(changed, "amber", world.officer)
    agenda_refresh(meeting=map_meeting)

    change.refresh_from_db()
    assert change.dropped_at is not None
    assert item(map_meeting, f"rag_change:{lowered.pk}").is_on_agenda


def test_new_events_since_the_last_map_are_on_the_agenda_while_the_person_is_on_the_cohort(world):
    meeting_on(world, MeetingKind.MAP, today() - 7 * DAY, status=Meeting.Status.HELD)
    nominal = on_cohort(world)
    new = custody_event_record(
        nominal=nominal, by=world.officer, kind=CustodyEvent.Kind.ARREST, occurred_on=today() - 3 * DAY
    ).event
    old = custody_event_record(
        nominal=nominal, by=world.officer, kind=CustodyEvent.Kind.ARREST, occurred_on=today() - 10 * DAY
    ).event
    map_meeting = meeting_on(world, MeetingKind.MAP, today() + 2 * DAY)

    agenda_refresh(meeting=map_meeting)
    entered = item(map_meeting, f"event:{new.pk}")
    assert entered.event == new
    assert entered.owning_agency == world.p.police
    assert code_of(entered) == "offending-risk"
    assert not map_meeting.items.filter(source_key=f"event:{old.pk}").exists()

    cohort_membership_end(nominal=nominal, ended_on=today())
    agenda_refresh(meeting=map_meeting)

    entered.refresh_from_db()
    assert entered.dropped_at is not None


def test_a_release_expected_within_two_weeks_is_on_the_agenda_until_the_date_moves_beyond(world):
    nominal = make_nominal(world.officer)
    referral = submitted_referral(nominal, world.officer, risk={"release_expected_on": today() + 10 * DAY})
    cohort_membership_start(nominal=nominal, started_on=today() - 30 * DAY)
    custody_event_record(nominal=nominal, by=world.officer, kind=CustodyEvent.Kind.REMAND, occurred_on=today())
    map_meeting = meeting_on(world, MeetingKind.MAP, today() + 2 * DAY)

    agenda_refresh(meeting=map_meeting)
    due = [key for key in on_agenda(map_meeting) if key.startswith("expected_release:")]
    assert due == [f"expected_release:{referral.pk}:{today() + 10 * DAY:%Y-%m-%d}"]
    entered = item(map_meeting, due[0])
    assert entered.kind == AgendaItem.Kind.RELEASE_DUE
    assert entered.referral == referral

    referral = referral_return(referral=referral, by=world.officer, questions="Is the release date confirmed?")
    referral_section_save(
        referral=referral,
        by=world.officer,
        section="risk",
        fields={**RISK, "release_expected_on": today() + 30 * DAY},
    )
    agenda_refresh(meeting=map_meeting)

    entered.refresh_from_db()
    assert entered.dropped_at is not None
    assert not [key for key in on_agenda(map_meeting) if key.startswith("expected_release:")]


def test_a_release_event_in_the_window_is_due_for_someone_on_iom_and_leaves_when_the_person_is_released_later(
    world,
):
    on_iom = on_cohort(world)
    never_on_iom = make_nominal(world.officer)
    release = custody_event_record(
        nominal=on_iom, by=world.officer, kind="release", occurred_on=today(), release_on=today()
    ).event
    custody_event_record(
        nominal=never_on_iom, by=world.officer, kind="release", occurred_on=today(), release_on=today()
    )
    map_today = meeting_on(world, MeetingKind.MAP, today())
    map_in_three_weeks = meeting_on(world, MeetingKind.MAP, today() + 21 * DAY)

    agenda_refresh(meeting=map_today)
    agenda_refresh(meeting=map_in_three_weeks)

    assert [key for key in on_agenda(map_today) if key.startswith("release:")] == [f"release:{release.pk}"]
    assert not [key for key in on_agenda(map_in_three_weeks) if key.startswith("release:")]


def test_an_overdue_supervisor_review_is_on_the_agenda_until_a_review_is_recorded(world):
    nominal = on_cohort(world, started_on=today() - 90 * DAY)  # no rating: due a month after starting
    map_meeting = meeting_on(world, MeetingKind.MAP, today() + 2 * DAY)

    agenda_refresh(meeting=map_meeting)
    [key] = [key for key in on_agenda(map_meeting) if key.startswith("overdue_review:")]
    overdue = item(map_meeting, key)
    assert overdue.nominal == nominal
    assert overdue.review_item is None
    assert overdue.owning_agency == world.p.police

    review = supervisor_review_record(
        nominal=nominal,
        by=world.supervisor,
        commensurate=True,
        actions_set="Weekly contact",
        next_review_on=today() + 20 * DAY,
    )
    agenda_refresh(meeting=map_meeting)

    overdue.refresh_from_db()
    assert overdue.dropped_at is not None
    assert review.item.owning_agency == world.p.police


def test_a_transition_plan_starting_is_on_the_agenda_until_the_licence_end_moves_away(world):
    nominal = on_cohort(world, statutory_status="licence", licence_ends_on=today() + 30 * DAY)
    map_meeting = meeting_on(world, MeetingKind.MAP, today() + 2 * DAY)

    agenda_refresh(meeting=map_meeting)
    key = f"transition:{nominal.pk}:{today() + 30 * DAY}"
    starting = item(map_meeting, key)
    assert starting.transition_plan is None
    assert "no transition plan yet" in starting.summary.lower()

    plan = transition_plan_start(nominal=nominal, by=world.officer)
    agenda_refresh(meeting=map_meeting)
    starting.refresh_from_db()
    assert starting.is_on_agenda
    assert starting.transition_plan == plan

    nominal_update(nominal=nominal, by=world.officer, licence_ends_on=today() + 300 * DAY)
    other = on_cohort(world, statutory_status="licence", licence_ends_on=today() + 300 * DAY)
    agenda_refresh(meeting=map_meeting)

    starting.refresh_from_db()
    assert starting.dropped_at is not None  # the licence end it was about has moved
    moved = item(map_meeting, f"transition:{nominal.pk}:{today() + 300 * DAY}")
    assert moved.is_on_agenda  # the plan started since the last MAP: still starting
    assert moved.transition_plan == plan
    assert not map_meeting.items.filter(source_key__startswith=f"transition:{other.pk}:").exists()


def test_a_person_due_a_transition_plan_leaves_when_their_licence_end_moves_away(world):
    nominal = on_cohort(world, statutory_status="licence", licence_ends_on=today() + 30 * DAY)
    map_meeting = meeting_on(world, MeetingKind.MAP, today() + 2 * DAY)
    agenda_refresh(meeting=map_meeting)
    starting = item(map_meeting, f"transition:{nominal.pk}:{today() + 30 * DAY}")

    nominal_update(nominal=nominal, by=world.officer, licence_ends_on=today() + 300 * DAY)
    agenda_refresh(meeting=map_meeting)

    starting.refresh_from_db()
    assert starting.dropped_at is not None


def test_an_open_action_from_the_last_map_is_on_the_next_agenda_until_done(world):
    nominal = on_cohort(world)
    last = meeting_on(world, MeetingKind.MAP, today() - 7 * DAY, status=Meeting.Status.HELD)
    earlier = meeting_on(world, MeetingKind.MAP, today() - 14 * DAY, status=Meeting.Status.HELD)
    action = make_action(
        last,
        world.p.probation_officer,
        nominal=nominal,
        owning_agency=world.p.probation,
        category=category("offending-risk"),
    )
    older = make_action(earlier, world.officer, description="Check the address")
    map_meeting = meeting_on(world, MeetingKind.MAP, today() + 2 * DAY)

    agenda_refresh(meeting=map_meeting)
    entered = item(map_meeting, f"action:{action.pk}")
    assert entered.action == action
    assert entered.owning_agency == world.p.probation
    assert code_of(entered) == "offending-risk"
    assert entered.nominal == nominal
    assert item(map_meeting, f"action:{older.pk}").is_on_agenda

    action_complete(action=action, by=world.p.probation_officer, note="Visited", version=action.version)
    agenda_refresh(meeting=map_meeting)

    entered.refresh_from_db()
    assert entered.dropped_at is not None


# --- Y2A panel --------------------------------------------------------------------------------------


@pytest.fixture
def yot(world: World) -> Agency:
    return AgencyFactory.create(name="Northmoor Youth Offending Team", kind=Agency.Kind.YOUTH_OFFENDING_TEAM)


def young_person(world: World, yot: Agency, born: datetime.date, since: datetime.date) -> Nominal:
    nominal = make_nominal(world.officer, date_of_birth=born)
    involvement_start(nominal=nominal, agency=yot, reason=CaseInvolvement.Reason.TEAM, started_on=since)
    involvement_start(
        nominal=nominal, agency=world.p.probation, reason=CaseInvolvement.Reason.KEY_WORKER, started_on=since
    )
    return nominal


def test_a_young_person_reaching_17_and_a_half_before_the_next_panel_is_on_the_y2a_agenda(world, yot):
    panel_date = today() + 10 * DAY
    due = young_person(world, yot, add_months(panel_date, -(17 * 12 + 5)), today() - 400 * DAY)
    too_young = young_person(world, yot, add_months(panel_date, -(17 * 12 + 1)) - 10 * DAY, today() - 400 * DAY)
    already_18 = young_person(world, yot, add_months(panel_date, -18 * 12) - DAY, today() - 400 * DAY)
    not_a_yot_case = make_nominal(world.officer, date_of_birth=add_months(panel_date, -(17 * 12 + 5)))
    panel = meeting_on(world, MeetingKind.Y2A_PANEL, panel_date)  # next panel: 3 months later

    agenda_refresh(meeting=panel)

    assert on_agenda(panel) == [f"y2a:{due.pk}"]
    entered = item(panel, f"y2a:{due.pk}")
    assert yot.name in entered.summary
    assert world.p.probation.name in entered.summary
    assert entered.owning_agency == yot
    assert code_of(entered) == "offending-risk"
    for other in (too_young, already_18, not_a_yot_case):
        assert not panel.items.filter(nominal=other).exists()

    involvement_end(involvement=CaseInvolvement.objects.get(nominal=due, agency=yot), ended_on=today())
    agenda_refresh(meeting=panel)

    entered.refresh_from_db()
    assert entered.dropped_at is not None


def test_the_next_panel_of_the_series_bounds_the_y2a_window(world, yot):
    from meetings.scheduling.models import MeetingSeries

    panel_date = today() + 10 * DAY
    series = MeetingSeries.objects.create(
        kind=MeetingKind.Y2A_PANEL,
        title="Y2A panel",
        frequency=MeetingSeries.Frequency.QUARTERLY,
        first_date=panel_date,
        starts_at=datetime.time(10),
        chair=world.chair,
        agency=world.chair.agency,
        created_by=world.chair,
    )
    reaching_in_five_weeks = young_person(world, yot, add_months(panel_date + 35 * DAY, -(17 * 12 + 6)), today())
    in_series = meeting_on(world, MeetingKind.Y2A_PANEL, panel_date, series=series)
    meeting_on(world, MeetingKind.Y2A_PANEL, panel_date + 28 * DAY, series=series)
    standalone = meeting_on(world, MeetingKind.Y2A_PANEL, panel_date)

    agenda_refresh(meeting=in_series)
    agenda_refresh(meeting=standalone)

    assert on_agenda(in_series) == []  # the series' next panel, in four weeks, considers them
    assert on_agenda(standalone) == [f"y2a:{reaching_in_five_weeks.pk}"]  # the next is three months on


@pytest.mark.parametrize(
    ("panel_date", "on_the_agenda"),
    [
        # 17 years 6 months of 29 February 2008: 1 September 2025 (the 17th birthday falls on
        # 1 March 2025, as referrals/dates.py counts it); the next panel is three months later.
        (datetime.date(2025, 6, 1), False),  # next panel 1 September 2025: reached on that day, not before
        (datetime.date(2025, 6, 2), True),
        (datetime.date(2026, 2, 28), True),  # still 17
        (datetime.date(2026, 3, 1), False),  # 18 on 1 March 2026
    ],
)
def test_a_29_february_birthday_counts_from_1_march_in_a_common_year(world, yot, panel_date, on_the_agenda):
    leapling = young_person(world, yot, datetime.date(2008, 2, 29), datetime.date(2024, 1, 1))
    panel = meeting_on(world, MeetingKind.Y2A_PANEL, panel_date)

    agenda_refresh(meeting=panel)

    assert (on_agenda(panel) == [f"y2a:{leapling.pk}"]) is on_the_agenda


# --- The agenda as a whole --------------------------------------------------------------------------


def busy_map(world: World) -> Meeting:
    meeting_on(world, MeetingKind.MAP, today() - 7 * DAY, status=Meeting.Status.HELD)
    for code in ("red", "red", "amber"):
        person = on_cohort(world)
        rate(person, "green", world.officer, days_ago=30)
        rate(person, code, world.p.probation_officer)
    custody_event_record(
        nominal=on_cohort(world), by=world.officer, kind=CustodyEvent.Kind.ARREST, occurred_on=today() - DAY
    )
    return meeting_on(world, MeetingKind.MAP, today() + 2 * DAY)


def snapshot(meeting: Meeting) -> list[tuple[object, ...]]:
    return list(
        meeting.items.order_by("position", "pk").values_list(
            "kind", "source_key", "title", "summary", "position", "nominal_id", "owning_agency_id", "category_id"
        )
    )


def test_an_agenda_built_for_the_same_data_is_the_same_twice(world):
    first = busy_map(world)
    second = meeting_on(world, MeetingKind.MAP, first.date, location="Elsewhere")

    agenda_refresh(meeting=first)
    agenda_refresh(meeting=second)
    built = snapshot(first)
    versions = list(first.items.order_by("pk").values_list("version", flat=True))
    agenda_refresh(meeting=first)

    # Two at the top rating, three rating changes, the arrest, and four reviews overdue (a month on IOM).
    assert len(built) == 2 + 3 + 1 + 4
    assert built == snapshot(second) == snapshot(first)
    assert list(first.items.order_by("pk").values_list("version", flat=True)) == versions
    kinds = [row[0] for row in built]
    order = {"top_rag": 0, "rag_change": 1, "new_event": 2, "overdue_review": 3}
    assert kinds == sorted(kinds, key=lambda kind: order[str(kind)])


def test_an_item_the_chair_removed_stays_removed_and_a_discussed_item_is_not_dropped(world):
    red_person, discussed_person = on_cohort(world), on_cohort(world)
    rate(red_person, "red", world.officer, days_ago=20)
    rate(discussed_person, "red", world.officer, days_ago=20)
    map_meeting = meeting_on(world, MeetingKind.MAP, today() + 2 * DAY)
    agenda_refresh(meeting=map_meeting)
    removed = agenda_item_remove(item=item(map_meeting, f"top_rag:{red_person.pk}"), by=world.chair)
    discussed = item(map_meeting, f"top_rag:{discussed_person.pk}")
    AgendaItem.objects.filter(pk=discussed.pk).update(notes="Discussed: stays red until the trial.")

    agenda_refresh(meeting=map_meeting)
    removed.refresh_from_db()
    assert removed.removed_at is not None
    assert removed.removed_by == world.chair
    assert map_meeting.items.filter(source_key=f"top_rag:{red_person.pk}").count() == 1

    rate(red_person, "green", world.officer)
    rate(discussed_person, "green", world.officer)
    agenda_refresh(meeting=map_meeting)

    discussed.refresh_from_db()
    removed.refresh_from_db()
    assert discussed.dropped_at is None
    assert discussed.is_on_agenda
    assert removed.dropped_at is None
    assert removed.removed_at is not None

    agenda_item_restore(item=removed, by=world.chair)
    removed.refresh_from_db()
    assert removed.removed_at is None


def test_a_dropped_item_comes_back_when_its_data_qualifies_again(world):
    referral = listed_referral(make_nominal(world.officer), world.officer, world.officer)
    panel = meeting_on(world, MeetingKind.SELECTION_PANEL, today() + 7 * DAY)
    agenda_refresh(meeting=panel)
    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.DEFERRED)
    agenda_refresh(meeting=panel)
    assert item(panel, f"referral:{referral.pk}").dropped_at is not None

    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.LISTED)
    agenda_refresh(meeting=panel)

    assert item(panel, f"referral:{referral.pk}").is_on_agenda
    assert panel.items.count() == 1


def test_new_items_go_after_the_existing_ones(world):
    first = listed_referral(make_nominal(world.officer), world.officer, world.officer, risk={"ogrs_percent": 20})
    panel = meeting_on(world, MeetingKind.SELECTION_PANEL, today() + 7 * DAY)
    agenda_refresh(meeting=panel)
    agenda_item_add(meeting=panel, by=world.chair, title="Date of the next panel")
    higher = listed_referral(make_nominal(world.officer), world.officer, world.officer, risk={"ogrs_percent": 95})

    agenda_refresh(meeting=panel)

    keys = list(panel.items.order_by("position").values_list("source_key", flat=True))
    assert keys[0] == f"referral:{first.pk}"
    assert keys[-1] == f"referral:{higher.pk}"


def test_the_agenda_changes_only_while_the_meeting_is_scheduled_or_in_progress_and_only_by_a_chair(world):
    panel = meeting_on(world, MeetingKind.SELECTION_PANEL, today() + 7 * DAY)
    with pytest.raises(NotAllowed):
        agenda_refresh(meeting=panel, by=world.officer)
    with pytest.raises(NotAllowed):
        agenda_item_add(meeting=panel, by=world.p.probation_officer, title="Mine")
    Meeting.objects.filter(pk=panel.pk).update(status=Meeting.Status.HELD)
    with pytest.raises(StateError):
        agenda_refresh(meeting=panel)
    assert Meeting.objects.get(pk=panel.pk).agenda_built_at is None


def test_the_chair_adds_other_business_about_a_person_their_agency_may_see(world):
    panel = meeting_on(world, MeetingKind.SELECTION_PANEL, today() + 7 * DAY)
    seen = on_cohort(world)
    unseen = make_nominal(world.p.outsider)

    added = agenda_item_add(
        meeting=panel, by=world.chair, title="Housing", nominal=seen, category=category("accommodation")
    )
    assert (added.kind, added.source, added.owning_agency, code_of(added)) == (
        "other",
        "added",
        world.p.police,
        "accommodation",
    )
    with pytest.raises(ValidationError) as refused:
        agenda_item_add(meeting=panel, by=world.chair, title="Secret", nominal=unseen, category=category("identity"))
    assert "nominal" in refused.value.message_dict
    with pytest.raises(ValidationError) as no_category:
        agenda_item_add(meeting=panel, by=world.chair, title="Housing", nominal=seen)
    assert "category" in no_category.value.message_dict


def test_the_chair_moves_items_within_their_section(world):
    low = listed_referral(make_nominal(world.officer), world.officer, world.officer, risk={"ogrs_percent": 20})
    high = listed_referral(make_nominal(world.officer), world.officer, world.officer, risk={"ogrs_percent": 95})
    panel = meeting_on(world, MeetingKind.SELECTION_PANEL, today() + 7 * DAY)
    agenda_refresh(meeting=panel)
    other = agenda_item_add(meeting=panel, by=world.chair, title="Any other business")

    agenda_item_move(item=item(panel, f"referral:{low.pk}"), by=world.chair, direction="up")

    assert on_agenda(panel) == [f"referral:{low.pk}", f"referral:{high.pk}", other.source_key]
    with pytest.raises(StateError):
        agenda_item_move(item=item(panel, f"referral:{high.pk}"), by=world.chair, direction="down")
    agenda_refresh(meeting=panel)
    assert on_agenda(panel) == [f"referral:{low.pk}", f"referral:{high.pk}", other.source_key]


def test_a_decided_item_cannot_be_removed(world):
    panel = meeting_on(world, MeetingKind.SELECTION_PANEL, today() + 7 * DAY)
    decided = make_item(panel, decided_at=timezone.now(), decided_by=world.chair, outcome="Agreed")
    with pytest.raises(StateError):
        agenda_item_remove(item=decided, by=world.chair)


def test_a_refresh_runs_the_same_number_of_queries_for_5_and_60_items(world):
    counts = []
    for people in (5, 55):
        for _ in range(people):
            rate(on_cohort(world), "red", world.officer, days_ago=20)
        map_meeting = meeting_on(world, MeetingKind.MAP, today() + (2 + people) * DAY)
        with CaptureQueriesContext(connection) as build:
            agenda_refresh(meeting=map_meeting)
        for person in Nominal.objects.order_by("-pk")[:2]:
            rate(person, "amber", world.officer)  # two drop, two changes come in
        with CaptureQueriesContext(connection) as again:
            agenda_refresh(meeting=map_meeting)
        assert map_meeting.items.filter(kind="top_rag", dropped_at__isnull=True).count() in (3, 56)
        counts.append((len(build.captured_queries), len(again.captured_queries)))
    assert counts[0] == counts[1]


def test_an_urgent_decision_taken_after_a_panels_day_is_not_on_that_panels_agenda(world):
    referral = submitted_referral(
        make_nominal(world.officer), world.officer, urgency={"urgent": True, "urgency_reason": "Released tomorrow"}
    )
    referral_decide(
        referral=referral, by=world.chair, outcome="rejected", rationale="Not IOM material", outside_meeting=True
    )
    yesterdays = meeting_on(world, MeetingKind.SELECTION_PANEL, today() - DAY)
    todays = meeting_on(world, MeetingKind.SELECTION_PANEL, today())

    agenda_refresh(meeting=yesterdays)
    agenda_refresh(meeting=todays)

    assert f"ratify:{referral.pk}" not in on_agenda(yesterdays)
    assert f"ratify:{referral.pk}" in on_agenda(todays)
