"""Minutes (meetings/minutes/services.py): each attendee's version as the agreements say, approval and its
distribution, the access log, drafts, and a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.models import AccessEvent
from cohorts.records.services import cohort_membership_start, consent_record
from meetings.minutes.models import MinutesDistribution
from meetings.minutes.services import minutes_approve, minutes_for, minutes_shares
from meetings.running.models import Attendance, Dissent
from meetings.scheduling.models import Meeting
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.meetings.factories import MeetingFactory, category, make_action, make_attendance, make_item
from tests.sharing.factories import UserFactory


@pytest.fixture
def chair(partnership):
    return UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])


@pytest.fixture
def person(partnership):
    nominal = make_nominal(partnership.officer, first_name="Casey", last_name="Minutesperson")
    cohort_membership_start(nominal=nominal)
    return nominal


def held_meeting(chair, partnership, **fields) -> Meeting:
    meeting = MeetingFactory.create(
        chair=chair,
        date=timezone.localdate() - datetime.timedelta(days=1),
        status=Meeting.Status.HELD,
        invited=[partnership.police, partnership.probation, partnership.drugs],
        **fields,
    )
    return meeting


@pytest.fixture
def meeting(chair, partnership, person):
    """A held selection panel: an offending-risk item and a substance-misuse item about the person
    (both the police's), and an item about no one; probation and the drug service present."""
    meeting = held_meeting(chair, partnership)
    make_item(
        meeting,
        title="Offending review for Casey Minutesperson",
        nominal=person,
        owning_agency=partnership.police,
        category=category("offending-risk"),
        notes="OFFENDING-NOTES: three burglaries since March",
        outcome="Accepted onto IOM",
    )
    make_item(
        meeting,
        title="Treatment for Casey Minutesperson",
        nominal=person,
        owning_agency=partnership.police,
        category=category("substance-misuse"),
        notes="SUBSTANCE-NOTES: missed two script appointments",
    )
    make_item(meeting, title="Date of the next panel", notes="GENERAL-NOTES: moved to Thursdays")
    make_attendance(meeting, chair)
    make_attendance(meeting, partnership.probation_officer)
    make_attendance(meeting, partnership.drugs_worker)
    return meeting


def visible_notes(minutes) -> set[str]:
    return {item.notes.split(":")[0] for item in minutes.items if item.visible}


# --- Each attendee's version, as the agreements say --------------------------------------------------


def test_attendees_of_different_agencies_receive_different_minutes_as_the_agreements_say(meeting, partnership, chair):
    minutes_approve(meeting=meeting, by=chair, version=meeting.version)

    probation = minutes_for(meeting, partnership.probation_officer)
    drugs = minutes_for(meeting, partnership.drugs_worker)

    # The core agreement shares offending and risk with probation, not with the drug service; no
    # consent is recorded, so substance misuse (shared with consent) reaches neither.
    assert visible_notes(probation) == {"OFFENDING-NOTES", "GENERAL-NOTES"}
    assert visible_notes(drugs) == {"GENERAL-NOTES"}
    assert [item.visible for item in drugs.items] == [False, False, True]
    assert drugs.items[0].title == ""
    assert drugs.items[0].notes == ""


def test_a_substance_misuse_item_reaches_the_drug_service_only_with_consent(meeting, partnership, person, chair):
    consent_record(nominal=person, by=partnership.drugs_worker, given=True)
    minutes_approve(meeting=meeting, by=chair, version=meeting.version)

    assert visible_notes(minutes_for(meeting, partnership.drugs_worker)) == {"SUBSTANCE-NOTES", "GENERAL-NOTES"}
    assert visible_notes(minutes_for(meeting, partnership.probation_officer)) == {
        "OFFENDING-NOTES",
        "SUBSTANCE-NOTES",
        "GENERAL-NOTES",
    }

    consent_record(nominal=person, by=partnership.drugs_worker, given=False)

    assert visible_notes(minutes_for(meeting, partnership.drugs_worker)) == {"GENERAL-NOTES"}


def test_minutes_carry_attendance_statement_dissent_and_actions(meeting, partnership, chair):
    first = meeting.items.order_by("position").first()
    Attendance.objects.filter(meeting=meeting, person=partnership.drugs_worker).update(
        status=Attendance.Status.APOLOGIES
    )
    Attendance.objects.filter(meeting=meeting, person=partnership.probation_officer).update(
        acknowledged_confidentiality=True
    )
    Meeting.objects.filter(pk=meeting.pk).update(confidentiality_read_at=timezone.now(), confidentiality_read_by=chair)
    Dissent.objects.create(
        item=first,
        person=partnership.probation_officer,
        agency=partnership.probation,
        reason="Wants a further month on licence first",
        recorded_by=chair,
    )
    make_action(meeting, partnership.probation_officer, item=first, description="Book a three-way meeting")
    make_action(meeting, partnership.officer, description="Circulate the new dates")
    meeting.refresh_from_db()

    minutes = minutes_for(meeting, chair)

    assert minutes.state == "draft"
    assert minutes.available
    by_agency = {row.agency: row for row in minutes.attendance}
    assert by_agency["Compass Recovery"].apologies == [str(partnership.drugs_worker)]
    assert str(partnership.probation_officer) in by_agency["Probation Northmoor"].present
    assert minutes.acknowledged == [str(partnership.probation_officer)]
    item = minutes.items[0]
    assert [(d.person, d.agency) for d in item.dissents] == [
        (str(partnership.probation_officer), "Probation Northmoor")
    ]
    assert [a.description for a in item.actions] == ["Book a three-way meeting"]
    assert [a.description for a in minutes.other_actions] == ["Circulate the new dates"]
    assert item.person == "Casey Minutesperson"


# --- Drafts and meetings not held ---------------------------------------------------------------------


def test_a_draft_is_seen_only_by_a_chair(meeting, partnership, chair):
    deputy = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])

    assert minutes_for(meeting, chair).available
    assert minutes_for(meeting, deputy).available  # another panel chair of the agency running it
    refused = minutes_for(meeting, partnership.probation_officer)
    assert not refused.available
    assert refused.items == []
    assert "draft" in refused.message


def test_a_meeting_not_yet_held_has_no_minutes(chair, partnership):
    meeting = MeetingFactory.create(chair=chair, invited=[partnership.probation])

    minutes = minutes_for(meeting, chair)

    assert not minutes.available
    assert minutes.message == "No minutes yet: the meeting has not been held."


# --- Approval ----------------------------------------------------------------------------------------


def test_approving_closes_the_record_and_sends_each_recipient_their_version(meeting, partnership, chair):
    Attendance.objects.filter(meeting=meeting, person=partnership.drugs_worker).update(
        status=Attendance.Status.APOLOGIES
    )
    absent = UserFactory.create(agency=partnership.probation, roles=[Role.PRACTITIONER])
    make_attendance(meeting, absent, Attendance.Status.ABSENT)

    approved = minutes_approve(meeting=meeting, by=chair, version=meeting.version)

    assert approved.status == Meeting.Status.MINUTES_APPROVED
    assert approved.minutes_approved_by == chair
    assert approved.minutes_approved_at is not None
    assert not approved.is_open_for_edits
    sent = {d.recipient_id: d for d in MinutesDistribution.objects.filter(meeting=meeting)}
    assert set(sent) == {chair.pk, partnership.probation_officer.pk, partnership.drugs_worker.pk}
    assert (
        sent[partnership.probation_officer.pk].items_shown,
        sent[partnership.probation_officer.pk].items_restricted,
    ) == (2, 1)
    assert (sent[partnership.drugs_worker.pk].items_shown, sent[partnership.drugs_worker.pk].items_restricted) == (1, 2)
    assert sent[partnership.probation_officer.pk].nominal_ids == [meeting.items.first().nominal_id]
    assert sent[partnership.drugs_worker.pk].nominal_ids == []


def test_approval_logs_one_disclosure_per_recipient_with_the_people_shown(meeting, partnership, chair, person):
    minutes_approve(meeting=meeting, by=chair, version=meeting.version)

    events = {e.user_id: e for e in AccessEvent.objects.filter(action=AccessEvent.Action.DISCLOSURE)}
    assert set(events) == {chair.pk, partnership.probation_officer.pk, partnership.drugs_worker.pk}
    probation = events[partnership.probation_officer.pk]
    assert probation.nominal_ids == [person.pk]
    assert probation.agency_id == partnership.probation.pk
    assert probation.categories == ["identity", "offending-risk"]
    assert "Core IOM agreement" in probation.allowed_by
    assert "clause" in probation.allowed_by
    assert probation.path == f"/meetings/{meeting.pk}/minutes/"
    assert events[partnership.drugs_worker.pk].nominal_ids == []


def test_approving_twice_is_refused(meeting, chair):
    minutes_approve(meeting=meeting, by=chair, version=meeting.version)
    meeting.refresh_from_db()

    with pytest.raises(StateError, match="already approved"):
        minutes_approve(meeting=meeting, by=chair, version=meeting.version)
    assert MinutesDistribution.objects.filter(meeting=meeting).count() == 3


def test_only_a_held_meeting_can_be_approved(chair, partnership):
    meeting = MeetingFactory.create(chair=chair)

    with pytest.raises(StateError, match="Only a held meeting"):
        minutes_approve(meeting=meeting, by=chair, version=meeting.version)


def test_only_a_chair_approves(meeting, partnership):
    with pytest.raises(NotAllowed):
        minutes_approve(meeting=meeting, by=partnership.probation_officer, version=meeting.version)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_a_stale_version_is_refused(meeting, chair):
    with pytest.raises(StaleVersion):
        minutes_approve(meeting=meeting, by=chair, version=meeting.version + 1)


def test_the_chair_sees_who_will_receive_what_before_approving(meeting, partnership):
    shares = {share.agency.name: share for share in minutes_shares(meeting)}

    assert (shares["Probation Northmoor"].items_shown, shares["Probation Northmoor"].items_total) == (2, 3)
    assert (shares["Compass Recovery"].items_shown, shares["Compass Recovery"].items_total) == (1, 3)
    assert shares["Compass Recovery"].recipients == [partnership.drugs_worker]


# --- Queries ------------------------------------------------------------------------------------------


def meeting_of(size: int, chair, partnership, person) -> Meeting:
    meeting = held_meeting(chair, partnership)
    for n in range(size):
        item = make_item(
            meeting,
            nominal=person,
            owning_agency=partnership.police if n % 2 else partnership.probation,
            category=category("offending-risk" if n % 3 else "substance-misuse"),
            notes=f"Notes {n}",
        )
        Dissent.objects.create(
            item=item, person=partnership.officer, agency=partnership.police, reason="Disagrees", recorded_by=chair
        )
        make_action(meeting, partnership.probation_officer, item=item)
    make_attendance(meeting, partnership.probation_officer)
    make_attendance(meeting, partnership.drugs_worker)
    return meeting


def queries_of(run) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries)


def test_minutes_take_the_same_queries_for_5_items_as_for_60(chair, partnership, person):
    small, large = (meeting_of(size, chair, partnership, person) for size in (5, 60))

    def read(meeting):
        return lambda: minutes_for(meeting, chair)

    assert len(minutes_for(large, chair).items) == 60
    assert queries_of(read(small)) == queries_of(read(large)) <= 8


def test_approval_takes_the_same_queries_for_5_items_as_for_60(chair, partnership, person):
    small, large = (meeting_of(size, chair, partnership, person) for size in (5, 60))

    assert queries_of(lambda: minutes_approve(meeting=small, by=chair, version=small.version)) == queries_of(
        lambda: minutes_approve(meeting=large, by=chair, version=large.version)
    )
