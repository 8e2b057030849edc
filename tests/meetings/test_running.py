"""Running a meeting (meetings/running/services.py): start and end, attendance, the confidentiality statement,
notes, decisions recorded by the owning apps' services and linked from the item, and dissent."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

import meetings.running.services as running_services
from cohorts.deregistration.models import Deregistration
from cohorts.management.models import CohortMembership, RagAssessment, RagRating
from meetings.agenda.models import AgendaItem
from meetings.running.models import Attendance, Dissent
from meetings.running.services import (
    STATEMENT_FIRST,
    attendance_record,
    attendance_roster,
    attendees_addable,
    confidentiality_record,
    dissent_record,
    item_decide_cohort,
    item_decide_deregistration,
    item_decide_referral,
    item_notes_save,
    item_ratify_urgent,
    meeting_end,
    meeting_start,
)
from meetings.scheduling.models import DEFAULT_CONFIDENTIALITY_STATEMENT, Meeting
from referrals.models import Referral, ReferralDecision
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.roles import Role
from tests.meetings.factories import make_attendance, make_item
from tests.meetings.test_running_support import (
    cohort_item,
    deregistration_item,
    panel_of,
    referral_item,
    referral_status,
    restricted_item,
    running,
    urgent_item,
)
from tests.referrals.factories import accept_terms
from tests.sharing.factories import UserFactory


def red() -> RagRating:
    return RagRating.objects.get(code="red")


# --- Starting and ending -----------------------------------------------------------------------------


def test_the_chair_starts_a_scheduled_meeting_and_ends_it(partnership):
    panel = panel_of(partnership)

    started = meeting_start(meeting=panel.meeting, by=panel.chair)
    assert started.status == Meeting.Status.IN_PROGRESS
    assert started.started_at is not None

    ended = meeting_end(meeting=started, by=panel.chair)
    assert ended.status == Meeting.Status.HELD
    assert ended.ended_at is not None
    assert Meeting.objects.get(pk=panel.meeting.pk).status == Meeting.Status.HELD


def test_a_deputy_panel_chair_of_the_running_agency_may_start_it(partnership):
    panel = panel_of(partnership)
    deputy = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])

    assert meeting_start(meeting=panel.meeting, by=deputy).status == Meeting.Status.IN_PROGRESS


@pytest.mark.parametrize("who", ["probation_officer", "officer"])
def test_someone_who_does_not_chair_cannot_start_it(partnership, who):
    panel = panel_of(partnership)

    with pytest.raises(NotAllowed):
        meeting_start(meeting=panel.meeting, by=getattr(partnership, who))
    assert Meeting.objects.get(pk=panel.meeting.pk).status == Meeting.Status.SCHEDULED


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Meeting.Status.CANCELLED, "cancelled"),
        (Meeting.Status.IN_PROGRESS, "already been started"),
        (Meeting.Status.HELD, "already been started"),
    ],
)
def test_a_cancelled_or_already_held_meeting_cannot_be_started(partnership, status, message):
    panel = panel_of(partnership, status=status)

    with pytest.raises(StateError, match=message):
        meeting_start(meeting=panel.meeting, by=panel.chair)


def test_only_a_meeting_in_progress_can_be_ended(partnership):
    panel = panel_of(partnership)

    with pytest.raises(StateError, match="Only a meeting in progress"):
        meeting_end(meeting=panel.meeting, by=panel.chair)


# --- Attendance ----------------------------------------------------------------------------------------


def test_attendance_is_recorded_then_corrected_with_the_persons_agency(partnership):
    panel = panel_of(partnership)
    p = partnership

    attendance_record(
        meeting=panel.meeting,
        by=panel.chair,
        entries=[(p.officer, "present"), (p.probation_officer, "apologies"), (p.drugs_worker, "absent")],
    )
    attendance_record(meeting=panel.meeting, by=panel.chair, entries=[(p.probation_officer, "present")])

    rows = {a.person_id: a for a in Attendance.objects.filter(meeting=panel.meeting)}
    assert len(rows) == 3
    assert rows[p.officer.pk].status == "present"
    assert rows[p.probation_officer.pk].status == "present"
    assert rows[p.probation_officer.pk].agency == p.probation
    assert rows[p.drugs_worker.pk].agency == p.drugs
    assert rows[p.drugs_worker.pk].recorded_by == panel.chair


def test_someone_from_an_agency_not_invited_cannot_be_recorded(partnership):
    panel = panel_of(partnership)

    with pytest.raises(ValidationError) as raised:
        attendance_record(
            meeting=panel.meeting,
            by=panel.chair,
            entries=[(partnership.officer, "present"), (partnership.outsider, "present")],
        )

    assert "not invited" in raised.value.message_dict["person"][0]
    assert not Attendance.objects.filter(meeting=panel.meeting).exists()  # one transaction: nothing kept


def test_a_person_invited_on_their_own_can_be_recorded(partnership):
    panel = panel_of(partnership)
    panel.meeting.invited_people.add(partnership.housing_worker)

    attendance_record(meeting=panel.meeting, by=panel.chair, entries=[(partnership.housing_worker, "present")])

    assert Attendance.objects.get(meeting=panel.meeting).agency == partnership.housing


def test_an_unknown_status_is_refused(partnership):
    panel = panel_of(partnership)

    with pytest.raises(ValidationError) as raised:
        attendance_record(meeting=panel.meeting, by=panel.chair, entries=[(partnership.officer, "asleep")])

    assert "status" in raised.value.message_dict


def test_attendance_cannot_change_after_the_minutes_are_approved(partnership):
    panel = panel_of(partnership, status=Meeting.Status.MINUTES_APPROVED, minutes_approved_at=timezone.now())

    with pytest.raises(StateError, match="minutes of this meeting have been approved"):
        attendance_record(meeting=panel.meeting, by=panel.chair, entries=[(partnership.officer, "present")])


def test_attendance_can_still_be_corrected_while_the_meeting_is_held(partnership):
    panel = panel_of(partnership, status=Meeting.Status.HELD)

    attendance_record(meeting=panel.meeting, by=panel.chair, entries=[(partnership.officer, "present")])

    assert Attendance.objects.filter(meeting=panel.meeting, person=partnership.officer).exists()


def test_the_roster_groups_people_by_agency_and_shows_agencies_not_represented(partnership):
    panel = panel_of(partnership)
    make_attendance(panel.meeting, partnership.probation_officer, Attendance.Status.APOLOGIES)
    make_attendance(panel.meeting, partnership.officer)

    roster = {group.agency.name: group for group in attendance_roster(panel.meeting)}

    assert set(roster) == {"Northmoor Police", "Probation Northmoor", "Compass Recovery"}
    assert roster["Northmoor Police"].represented
    assert not roster["Probation Northmoor"].represented  # apologies only
    assert not roster["Compass Recovery"].represented
    police_people = [person for person, _ in roster["Northmoor Police"].rows]
    assert panel.chair in police_people
    assert partnership.officer in police_people


def test_the_people_who_can_be_added_are_of_invited_agencies_in_one_query(partnership, django_assert_num_queries):
    panel = panel_of(partnership)
    make_attendance(panel.meeting, partnership.officer)
    UserFactory.create(agency=partnership.elsewhere)  # not invited

    with django_assert_num_queries(1):
        addable = attendees_addable(panel.meeting)

    assert partnership.officer not in addable  # already recorded
    assert partnership.probation_officer in addable
    assert partnership.drugs_worker in addable
    assert partnership.outsider not in addable


def test_the_people_who_can_be_added_are_bounded_per_agency(partnership, monkeypatch):
    panel = panel_of(partnership)
    UserFactory.create_batch(3, agency=partnership.probation)
    monkeypatch.setattr(running_services, "MAX_ADDABLE_PER_AGENCY", 2)

    addable = attendees_addable(panel.meeting)

    per_agency = {agency: sum(1 for user in addable if user.agency == agency) for agency in {u.agency for u in addable}}
    assert per_agency[partnership.probation] == 2
    assert all(count <= 2 for count in per_agency.values())


# --- The confidentiality statement -------------------------------------------------------------------


def test_reading_the_statement_is_recorded_and_those_present_acknowledge_it(partnership):
    panel = panel_of(partnership)
    meeting = running(panel, read=False)
    make_attendance(meeting, partnership.probation_officer)
    make_attendance(meeting, partnership.drugs_worker, Attendance.Status.APOLOGIES)

    meeting = confidentiality_record(meeting=meeting, by=panel.chair)

    assert meeting.confidentiality_statement == DEFAULT_CONFIDENTIALITY_STATEMENT
    assert meeting.confidentiality_read_by == panel.chair
    assert meeting.confidentiality_read_at is not None
    acknowledged = dict(
        Attendance.objects.filter(meeting=meeting).values_list("person_id", "acknowledged_confidentiality")
    )
    assert acknowledged == {
        panel.chair.pk: True,
        partnership.probation_officer.pk: True,
        partnership.drugs_worker.pk: False,
    }


def test_an_attendee_marked_present_after_the_statement_acknowledges_it(partnership):
    panel = panel_of(partnership)
    meeting = running(panel, read=False)
    make_attendance(meeting, partnership.drugs_worker, Attendance.Status.APOLOGIES)
    confidentiality_record(meeting=meeting, by=panel.chair)

    attendance_record(
        meeting=meeting,
        by=panel.chair,
        entries=[(partnership.officer, "present"), (partnership.drugs_worker, "present")],
    )

    rows = Attendance.objects.filter(meeting=meeting, person__in=[partnership.officer, partnership.drugs_worker])
    assert all(row.acknowledged_confidentiality for row in rows)


def test_the_meetings_own_statement_is_the_one_kept(partnership):
    panel = panel_of(partnership, confidentiality_statement="Our own words about confidentiality.")
    meeting = running(panel, read=False)

    assert confidentiality_record(meeting=meeting, by=panel.chair).confidentiality_statement == (
        "Our own words about confidentiality."
    )


def test_the_statement_is_recorded_once_and_only_in_a_started_meeting(partnership):
    panel = panel_of(partnership)
    with pytest.raises(StateError, match="Start the meeting"):
        confidentiality_record(meeting=panel.meeting, by=panel.chair)

    meeting = running(panel, read=False)
    confidentiality_record(meeting=meeting, by=panel.chair)
    with pytest.raises(StateError, match="already recorded as read"):
        confidentiality_record(meeting=meeting, by=panel.chair)


# --- Notes ---------------------------------------------------------------------------------------------


def test_notes_are_saved_and_a_stale_save_is_refused(partnership):
    panel = panel_of(partnership)
    meeting = running(panel)
    item = make_item(meeting, title="Any other business")

    saved = item_notes_save(item=item, by=panel.chair, notes="First notes", version=item.version)
    assert saved.notes == "First notes"
    assert saved.version == item.version + 1

    with pytest.raises(StaleVersion, match="your text is kept below"):
        item_notes_save(item=item, by=panel.chair, notes="Written over", version=item.version)
    assert AgendaItem.objects.get(pk=item.pk).notes == "First notes"


def test_notes_cannot_change_once_the_minutes_are_approved(partnership):
    panel = panel_of(partnership)
    item = make_item(panel.meeting)
    Meeting.objects.filter(pk=panel.meeting.pk).update(status="approved", minutes_approved_at=timezone.now())

    with pytest.raises(StateError, match="approved"):
        item_notes_save(item=item, by=panel.chair, notes="Late", version=item.version)


def test_notes_of_a_restricted_item_are_refused(partnership):
    panel = panel_of(partnership)
    running(panel)
    item = restricted_item(panel)

    with pytest.raises(NotAllowed, match="restricted"):
        item_notes_save(item=item, by=panel.chair, notes="Something", version=item.version)


# --- Decisions: referrals ------------------------------------------------------------------------------


def test_accepting_a_referral_in_the_meeting_is_the_referrals_decision_linked_from_the_item(partnership):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)

    decision = item_decide_referral(
        item=item,
        by=panel.chair,
        outcome="accepted",
        rationale="Meets the Fixed criteria",
        accept=accept_terms(partnership.probation_officer, partnership.officer),
    )

    item.refresh_from_db()
    assert item.referral_decision == decision
    assert item.decided_by == panel.chair
    assert item.decided_at is not None
    assert item.outcome.startswith("Accepted onto IOM")
    assert decision.outcome == "accepted"
    assert decision.ratification == ""
    assert referral_status(item) == Referral.Status.ACCEPTED
    assert CohortMembership.objects.filter(nominal=item.nominal, ended_on__isnull=True).exists()


def test_a_referral_accepted_at_a_past_meeting_starts_on_the_meetings_date(partnership):
    panel = panel_of(partnership, date=timezone.localdate() - datetime.timedelta(days=3), status=Meeting.Status.HELD)
    panel.meeting.confidentiality_read_at = timezone.now()
    panel.meeting.confidentiality_read_by = panel.chair
    panel.meeting.save()
    item = referral_item(panel)

    decision = item_decide_referral(
        item=item,
        by=panel.chair,
        outcome="accepted",
        rationale="Meets the Fixed criteria",
        accept=accept_terms(partnership.probation_officer, partnership.officer),
    )

    assert decision.membership is not None
    assert decision.membership.started_on == panel.meeting.date


@pytest.mark.parametrize("outcome", ["rejected", "deferred", "redirected"])
def test_other_referral_outcomes_land_on_the_referral(partnership, outcome):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)

    decision = item_decide_referral(item=item, by=panel.chair, outcome=outcome, rationale="The panel's reasons")

    assert referral_status(item) == outcome
    assert AgendaItem.objects.get(pk=item.pk).referral_decision == decision


def test_accepting_without_the_terms_gives_field_errors_and_decides_nothing(partnership):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)

    with pytest.raises(ValidationError):
        item_decide_referral(item=item, by=panel.chair, outcome="accepted", rationale="Yes")

    assert AgendaItem.objects.get(pk=item.pk).decided_at is None
    assert referral_status(item) == Referral.Status.LISTED


def test_an_item_cannot_be_decided_twice(partnership):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)
    item_decide_referral(item=item, by=panel.chair, outcome="rejected", rationale="No")

    with pytest.raises(StateError, match="already been decided by Chris Chair"):
        item_decide_referral(item=item, by=panel.chair, outcome="deferred", rationale="Changed our minds")
    assert ReferralDecision.objects.filter(referral=item.referral).count() == 1


def test_nothing_is_decided_before_the_confidentiality_statement_is_read(partnership):
    panel = panel_of(partnership)
    running(panel, read=False)
    item = referral_item(panel)

    with pytest.raises(StateError) as raised:
        item_decide_referral(item=item, by=panel.chair, outcome="rejected", rationale="No")

    assert str(raised.value) == STATEMENT_FIRST
    assert referral_status(item) == Referral.Status.LISTED


def test_nothing_is_decided_before_the_meeting_starts(partnership):
    panel = panel_of(partnership)
    item = referral_item(panel)

    with pytest.raises(StateError, match="Start the meeting"):
        item_decide_referral(item=item, by=panel.chair, outcome="rejected", rationale="No")


def test_a_held_meeting_can_still_decide_open_items(partnership):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)
    meeting_end(meeting=panel.meeting, by=panel.chair)

    item_decide_referral(item=item, by=panel.chair, outcome="deferred", rationale="More information")

    assert referral_status(item) == Referral.Status.DEFERRED


def test_nothing_is_decided_once_the_minutes_are_approved(partnership):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)
    Meeting.objects.filter(pk=panel.meeting.pk).update(status="approved", minutes_approved_at=timezone.now())

    with pytest.raises(StateError, match="approved"):
        item_decide_referral(item=item, by=panel.chair, outcome="rejected", rationale="No")


def test_a_chair_whose_agency_may_not_see_the_item_cannot_decide_it(partnership):
    panel = panel_of(partnership)
    running(panel)
    item = restricted_item(panel)

    with pytest.raises(NotAllowed, match="restricted"):
        item_decide_cohort(item=item, by=panel.chair, outcome="Discussed")
    assert AgendaItem.objects.get(pk=item.pk).decided_at is None


def test_a_decision_of_another_kind_is_refused(partnership):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)

    with pytest.raises(StateError, match="not one for an item"):
        item_decide_cohort(item=item, by=panel.chair, outcome="Noted")


def test_an_urgent_decision_is_ratified_by_the_referrals_service(partnership):
    panel = panel_of(partnership)
    running(panel)
    item = urgent_item(panel)

    decision = item_ratify_urgent(item=item, by=panel.chair)

    assert decision.ratification == ReferralDecision.Ratification.RATIFIED
    assert decision.ratified_by == panel.chair
    item.refresh_from_db()
    assert item.referral_decision == decision
    assert item.outcome == "Urgent decision ratified: Rejected"
    assert not Referral.objects.get(pk=decision.referral_id).to_be_ratified


# --- Decisions: deregistrations ------------------------------------------------------------------------


def test_ratifying_a_deregistration_ends_the_period_on_iom(partnership):
    panel = panel_of(partnership)
    running(panel)
    item = deregistration_item(panel)
    last_day = timezone.localdate() - datetime.timedelta(days=1)

    deregistration = item_decide_deregistration(item=item, by=panel.chair, ratify=True, ends_on=last_day)

    assert deregistration.status == Deregistration.Status.RATIFIED
    membership = CohortMembership.objects.get(pk=deregistration.membership_id)
    assert membership.ended_on == last_day
    item.refresh_from_db()
    assert item.decided_at is not None
    assert f"leaves IOM on {last_day:%-d %B %Y}" in item.outcome


def test_not_ratifying_a_deregistration_needs_a_reason_and_keeps_the_person_on_iom(partnership):
    panel = panel_of(partnership)
    running(panel)
    item = deregistration_item(panel)

    with pytest.raises(ValidationError):
        item_decide_deregistration(item=item, by=panel.chair, ratify=False, note="")
    assert AgendaItem.objects.get(pk=item.pk).decided_at is None

    deregistration = item_decide_deregistration(item=item, by=panel.chair, ratify=False, note="Still local")
    assert deregistration.status == Deregistration.Status.NOT_RATIFIED
    assert CohortMembership.objects.filter(nominal=item.nominal, ended_on__isnull=True).exists()


def test_a_last_day_ahead_is_a_field_error(partnership):
    panel = panel_of(partnership)
    running(panel)
    item = deregistration_item(panel)

    with pytest.raises(ValidationError) as raised:
        item_decide_deregistration(
            item=item, by=panel.chair, ratify=True, ends_on=timezone.localdate() + datetime.timedelta(days=5)
        )

    assert "ends_on" in raised.value.message_dict


# --- Decisions: cohort items ---------------------------------------------------------------------------


def test_a_rag_change_is_recorded_with_its_rationale_and_linked(partnership):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)

    decided = item_decide_cohort(
        item=item, by=panel.chair, outcome="Stays red; joint visit", rating=red(), rationale="Arrested again"
    )

    assert decided.rag_decision is not None
    assessment = RagAssessment.objects.get(pk=decided.rag_decision.pk)
    assert assessment.nominal == item.nominal
    assert assessment.rating.code == "red"
    assert assessment.rationale == "Arrested again"
    assert assessment.assessed_by == panel.chair
    assert decided.outcome == "Stays red; joint visit"


def test_an_outcome_line_alone_decides_a_cohort_item(partnership):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)
    before = RagAssessment.objects.filter(nominal=item.nominal).count()

    decided = item_decide_cohort(item=item, by=panel.chair, outcome="Noted: no change")

    assert decided.rag_decision is None
    assert RagAssessment.objects.filter(nominal=item.nominal).count() == before


def test_a_rag_change_without_a_rationale_or_outcome_is_refused(partnership):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)

    with pytest.raises(ValidationError) as raised:
        item_decide_cohort(item=item, by=panel.chair, outcome="", rating=red(), rationale="")

    assert set(raised.value.message_dict) == {"outcome", "rationale"}


# --- Dissent -------------------------------------------------------------------------------------------


def test_dissent_of_an_attendee_present_is_recorded_with_why(partnership):
    panel = panel_of(partnership)
    meeting = running(panel)
    make_attendance(meeting, partnership.probation_officer)
    item = referral_item(panel)

    dissent = dissent_record(
        item=item, by=panel.chair, person=partnership.probation_officer, reason="Risk is underestimated"
    )

    assert dissent.agency == partnership.probation
    assert Dissent.objects.get(item=item).reason == "Risk is underestimated"


def test_dissent_of_someone_not_present_or_without_a_reason_is_refused(partnership):
    panel = panel_of(partnership)
    meeting = running(panel)
    make_attendance(meeting, partnership.drugs_worker, Attendance.Status.APOLOGIES)
    item = referral_item(panel)

    with pytest.raises(ValidationError) as raised:
        dissent_record(item=item, by=panel.chair, person=partnership.drugs_worker, reason=" ")

    assert set(raised.value.message_dict) == {"person", "reason"}
    assert not Dissent.objects.exists()
