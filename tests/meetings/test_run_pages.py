"""Run mode pages (meetings/running/views.py): for the chair only (others 404), errors shown with what was
typed kept, decisions recorded through the owning apps, restricted items shown restricted with no form,
and a fixed number of queries whatever the length of the agenda."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.management.models import ManagementLevel, RagRating
from cohorts.models import AccessEvent
from meetings.agenda.models import AgendaItem
from meetings.running.models import Attendance
from meetings.scheduling.models import Meeting
from referrals.models import Referral
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
)
from tests.sharing.factories import UserFactory


def run_url(meeting: Meeting, tail: str = "") -> str:
    return f"/meetings/{meeting.pk}/run/{tail}"


# --- Who reaches run mode --------------------------------------------------------------------------------


@pytest.mark.parametrize("tail", ["", "attendance/", "confidentiality/"])
def test_invited_people_who_do_not_chair_get_404(partnership, signed_in, tail):
    panel = panel_of(partnership)

    assert signed_in(partnership.probation_officer).get(run_url(panel.meeting, tail)).status_code == 404
    assert signed_in(partnership.officer).get(run_url(panel.meeting, tail)).status_code == 404
    assert signed_in(panel.chair).get(run_url(panel.meeting, tail)).status_code == 200


def test_a_deputy_panel_chair_of_the_running_agency_reaches_run_mode(partnership, signed_in):
    panel = panel_of(partnership)
    deputy = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])

    assert signed_in(deputy).get(run_url(panel.meeting)).status_code == 200


def test_the_chair_starts_and_ends_the_meeting_from_run_mode(partnership, signed_in):
    panel = panel_of(partnership)
    client = signed_in(panel.chair)

    response = client.post(run_url(panel.meeting, "start/"), follow=True)
    assert "The meeting has started" in response.content.decode()
    assert Meeting.objects.get(pk=panel.meeting.pk).status == Meeting.Status.IN_PROGRESS

    response = client.post(run_url(panel.meeting, "start/"), follow=True)
    assert "already been started" in response.content.decode()

    client.post(run_url(panel.meeting, "end/"))
    assert Meeting.objects.get(pk=panel.meeting.pk).status == Meeting.Status.HELD


def test_someone_else_cannot_start_the_meeting(partnership, signed_in):
    panel = panel_of(partnership)

    assert signed_in(partnership.probation_officer).post(run_url(panel.meeting, "start/")).status_code == 404
    assert Meeting.objects.get(pk=panel.meeting.pk).status == Meeting.Status.SCHEDULED


# --- The run page ----------------------------------------------------------------------------------------


def test_the_run_page_lists_items_with_their_state_and_restricted_ones_as_restricted(partnership, signed_in):
    panel = panel_of(partnership)
    meeting = running(panel)
    decided = make_item(
        meeting, title="Decided business", outcome="Agreed", decided_at=timezone.now(), decided_by=panel.chair
    )
    hidden = restricted_item(panel)

    body = signed_in(panel.chair).get(run_url(meeting)).content.decode()

    assert "Decided business" in body
    assert "Agreed" in body
    assert f'href="/meetings/{meeting.pk}/run/items/{decided.pk}/"' in body
    assert "HIDDEN-ITEM-TITLE" not in body
    assert "Southdaleperson" not in body
    assert "Restricted: not shared with your agency" in body
    assert f"/run/items/{hidden.pk}/" not in body


def agenda_of(panel, size: int) -> None:
    p = panel.partnership
    for position in range(size):
        make_item(
            panel.meeting,
            kind=AgendaItem.Kind.OTHER,
            source_key=f"bulk:{position}",
            title=f"Bulk item {position}",
            position=position + 10,
            outcome="Noted" if position % 2 else "",
            decided_at=timezone.now() if position % 2 else None,
            decided_by=panel.chair if position % 2 else None,
            owning_agency=p.police if position % 3 else None,
        )


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_run_page_runs_the_same_queries_for_5_or_60_items(partnership, signed_in):
    small, large = panel_of(partnership), panel_of(partnership)
    agenda_of(small, 5)
    agenda_of(large, 60)
    for panel in (small, large):
        running(panel)
        restricted_item(panel)
        referral_item(panel)
    small.meeting.chair = large.chair
    small.meeting.save()
    client = signed_in(large.chair)
    queries_for(client, run_url(small.meeting))  # warm the session and content types

    assert queries_for(client, run_url(small.meeting)) == queries_for(client, run_url(large.meeting))


def test_the_run_page_logs_whose_items_were_shown(partnership, signed_in):
    panel = panel_of(partnership)
    item = referral_item(panel)

    signed_in(panel.chair).get(run_url(panel.meeting))

    event = AccessEvent.objects.filter(user=panel.chair, path=run_url(panel.meeting)).get()
    assert event.nominal_ids == [item.nominal_id]


# --- Attendance ------------------------------------------------------------------------------------------


def test_attendance_is_recorded_by_agency_with_not_represented_agencies(partnership, signed_in):
    panel = panel_of(partnership)
    p = partnership
    client = signed_in(panel.chair)
    make_attendance(panel.meeting, p.probation_officer, Attendance.Status.APOLOGIES)

    body = client.get(run_url(panel.meeting, "attendance/")).content.decode()
    assert "Compass Recovery" in body
    assert "Probation Northmoor" in body
    assert body.count('data-testid="not-represented"') == 3  # nobody present anywhere yet

    response = client.post(
        run_url(panel.meeting, "attendance/"),
        {f"status_{panel.chair.pk}": "present", f"status_{p.probation_officer.pk}": "present", "save": ""},
        follow=True,
    )

    assert "Attendance recorded" in response.content.decode()
    statuses = dict(Attendance.objects.filter(meeting=panel.meeting).values_list("person_id", "status"))
    assert statuses == {panel.chair.pk: "present", p.probation_officer.pk: "present"}
    assert response.content.decode().count('data-testid="not-represented"') == 1  # the drug service


def test_an_attendee_is_added_from_an_invited_agency(partnership, signed_in):
    panel = panel_of(partnership)
    client = signed_in(panel.chair)

    body = client.get(run_url(panel.meeting, "attendance/")).content.decode()
    assert f'value="{partnership.drugs_worker.pk}"' in body
    assert f'value="{partnership.outsider.pk}"' not in body

    client.post(
        run_url(panel.meeting, "attendance/"), {"person": partnership.drugs_worker.pk, "status": "present", "add": ""}
    )
    assert Attendance.objects.get(meeting=panel.meeting, person=partnership.drugs_worker).agency == partnership.drugs


def test_adding_someone_not_invited_is_an_error_on_the_page(partnership, signed_in):
    panel = panel_of(partnership)

    response = signed_in(panel.chair).post(
        run_url(panel.meeting, "attendance/"), {"person": partnership.outsider.pk, "status": "present", "add": ""}
    )

    assert response.status_code == 400
    assert "Choose a person of an invited agency" in response.content.decode()
    assert not Attendance.objects.filter(meeting=panel.meeting).exists()


def test_an_invalid_status_keeps_the_other_choices(partnership, signed_in):
    panel = panel_of(partnership)
    panel.meeting.invited_people.add(partnership.housing_worker)

    response = signed_in(panel.chair).post(
        run_url(panel.meeting, "attendance/"),
        {f"status_{panel.chair.pk}": "apologies", f"status_{partnership.housing_worker.pk}": "asleep", "save": ""},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert f'name="status_{panel.chair.pk}" type="radio" value="apologies" checked' in body
    assert not Attendance.objects.filter(meeting=panel.meeting).exists()


# --- The confidentiality statement -----------------------------------------------------------------------


def test_the_statement_is_shown_and_recorded_as_read(partnership, signed_in):
    panel = panel_of(partnership)
    meeting = running(panel, read=False)
    client = signed_in(panel.chair)

    body = client.get(run_url(meeting, "confidentiality/")).content.decode()
    assert "The information shared in this meeting is confidential" in body

    client.post(run_url(meeting, "confidentiality/"))

    meeting.refresh_from_db()
    assert meeting.confidentiality_read_by == panel.chair
    assert Attendance.objects.get(meeting=meeting, person=panel.chair).acknowledged_confidentiality


def test_recording_the_statement_before_the_meeting_starts_is_refused_on_the_page(partnership, signed_in):
    panel = panel_of(partnership)

    response = signed_in(panel.chair).post(run_url(panel.meeting, "confidentiality/"))

    assert response.status_code == 400
    assert "Start the meeting before recording the confidentiality statement" in response.content.decode()


# --- An item -----------------------------------------------------------------------------------------------


def item_url(item: AgendaItem) -> str:
    return f"/meetings/{item.meeting_id}/run/items/{item.pk}/"


def test_an_item_cannot_be_decided_until_the_statement_is_read(partnership, signed_in):
    panel = panel_of(partnership)
    running(panel, read=False)
    item = referral_item(panel)
    client = signed_in(panel.chair)

    assert 'data-testid="statement-first"' in client.get(item_url(item)).content.decode()
    response = client.post(item_url(item), {"outcome": "rejected", "rationale": "No", "decide": ""})

    assert response.status_code == 400
    assert "Read the confidentiality statement" in response.content.decode()
    assert referral_status(item) == Referral.Status.LISTED


def test_the_chair_accepts_a_referral_with_every_field_of_the_decision(partnership, signed_in):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)
    client = signed_in(panel.chair)
    assert 'name="police_lead"' in client.get(item_url(item)).content.decode()

    response = client.post(
        item_url(item),
        {
            "outcome": "accepted",
            "rationale": "Meets the Fixed criteria",
            "strand": "fixed",
            "level": ManagementLevel.objects.get(code="enhanced").pk,
            "rag": RagRating.objects.get(code="red").pk,
            "rag_rationale": "Escalating",
            "lead_professional": partnership.probation_officer.pk,
            "police_lead": partnership.officer.pk,
            "mappa_level": "",
            "decide": "",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert referral_status(item) == Referral.Status.ACCEPTED
    item.refresh_from_db()
    assert item.referral_decision is not None
    assert item.outcome in response.content.decode()


def test_accepting_without_the_terms_shows_errors_and_keeps_what_was_typed(partnership, signed_in):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)

    response = signed_in(panel.chair).post(
        item_url(item), {"outcome": "accepted", "rationale": "MY-TYPED-REASONS", "decide": ""}
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "Select the lead professional" in body
    assert "MY-TYPED-REASONS" in body
    assert referral_status(item) == Referral.Status.LISTED


def test_a_decided_item_offers_no_second_decision(partnership, signed_in):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)
    client = signed_in(panel.chair)
    client.post(item_url(item), {"outcome": "rejected", "rationale": "Not enough", "decide": ""})

    body = client.get(item_url(item)).content.decode()
    assert 'data-testid="decision-form"' not in body
    assert "Rejected" in body
    response = client.post(item_url(item), {"outcome": "deferred", "rationale": "Again", "decide": ""})
    assert response.status_code == 400
    assert referral_status(item) == Referral.Status.REJECTED


def test_a_deregistration_is_ratified_from_its_item(partnership, signed_in):
    panel = panel_of(partnership)
    running(panel)
    item = deregistration_item(panel)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    signed_in(panel.chair).post(
        item_url(item),
        {
            "decision": "ratify",
            "ends_on_0": yesterday.day,
            "ends_on_1": yesterday.month,
            "ends_on_2": yesterday.year,
            "note": "",
            "decide": "",
        },
    )

    item.refresh_from_db()
    assert item.decided_at is not None
    assert item.deregistration is not None
    assert item.deregistration.status == "ratified"
    assert item.deregistration.ends_on == yesterday


def test_a_cohort_item_records_an_outcome_and_a_rag_change(partnership, signed_in):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)
    amber = RagRating.objects.get(code="amber")

    signed_in(panel.chair).post(
        item_url(item), {"outcome": "Down to amber", "rating": amber.pk, "rationale": "Engaging well", "decide": ""}
    )

    item.refresh_from_db()
    assert item.outcome == "Down to amber"
    assert item.rag_decision is not None
    assert item.rag_decision.rating == amber
    assert item.rag_decision.rationale == "Engaging well"


def test_a_rag_change_without_a_reason_is_an_error_on_the_page(partnership, signed_in):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)

    response = signed_in(panel.chair).post(
        item_url(item),
        {"outcome": "KEPT-OUTCOME", "rating": RagRating.objects.get(code="amber").pk, "rationale": "", "decide": ""},
    )

    assert response.status_code == 400
    assert "Give the reason for the RAG rating" in response.content.decode()
    assert "KEPT-OUTCOME" in response.content.decode()


def test_a_stale_notes_save_keeps_the_text_and_shows_the_other(partnership, signed_in):
    panel = panel_of(partnership)
    running(panel)
    item = make_item(panel.meeting, title="Any other business")
    stale_version = item.version
    AgendaItem.objects.filter(pk=item.pk).update(notes="THEIR-NOTES", version=stale_version + 1)

    response = signed_in(panel.chair).post(
        item_url(item), {"notes": "MY-NOTES", "version": stale_version, "save_notes": ""}
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "Someone else changed this item; your text is kept below" in body
    assert "MY-NOTES" in body
    assert "THEIR-NOTES" in body
    assert f'name="version" value="{stale_version + 1}"' in body
    assert AgendaItem.objects.get(pk=item.pk).notes == "THEIR-NOTES"


def test_the_notes_typed_with_a_decision_are_saved_with_it(partnership, signed_in):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)

    response = signed_in(panel.chair).post(
        item_url(item),
        {
            "notes": "NOTES-TYPED-BEFORE-DECIDING",
            "version": item.version,
            "outcome": "Kept",
            "rationale": "",
            "decide": "",
        },
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.outcome, item.notes) == ("Kept", "NOTES-TYPED-BEFORE-DECIDING")


def test_a_refused_decision_keeps_the_notes_unsaved_and_on_the_page(partnership, signed_in):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)
    amber = RagRating.objects.get(code="amber")

    response = signed_in(panel.chair).post(
        item_url(item),
        {
            "notes": "MY-NOTES",
            "version": item.version,
            "outcome": "Down",
            "rating": amber.pk,
            "rationale": "",
            "decide": "",
        },
    )

    assert response.status_code == 400
    assert "MY-NOTES" in response.content.decode()
    item.refresh_from_db()
    assert (item.decided_at, item.notes) == (None, "")


def test_a_decision_over_notes_someone_else_changed_saves_neither_and_keeps_both(partnership, signed_in):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)
    stale_version = item.version
    AgendaItem.objects.filter(pk=item.pk).update(notes="THEIR-NOTES", version=stale_version + 1)

    response = signed_in(panel.chair).post(
        item_url(item), {"notes": "MY-NOTES", "version": stale_version, "outcome": "MY-OUTCOME", "decide": ""}
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert all(typed in body for typed in ("MY-NOTES", "MY-OUTCOME", "THEIR-NOTES"))
    item.refresh_from_db()
    assert (item.decided_at, item.notes) == (None, "THEIR-NOTES")


def test_saving_the_notes_keeps_a_decision_being_typed(partnership, signed_in):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)

    response = signed_in(panel.chair).post(
        item_url(item), {"notes": "SAVED-NOTES", "version": item.version, "outcome": "HALF-TYPED", "save_notes": ""}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "HALF-TYPED" in body
    assert "The decision is not recorded yet" in body
    assert "There is a problem" not in body
    item.refresh_from_db()
    assert (item.decided_at, item.notes) == (None, "SAVED-NOTES")
    assert f'name="version" value="{item.version}"' in body


@pytest.mark.parametrize("version", ["abc", "", "-1", "99999999999999999999"])
def test_a_tampered_notes_version_is_refused_as_stale(partnership, signed_in, version):
    panel = panel_of(partnership)
    running(panel)
    item = make_item(panel.meeting, title="Any other business")
    AgendaItem.objects.filter(pk=item.pk).update(notes="SAVED")

    response = signed_in(panel.chair).post(item_url(item), {"notes": "OVERWRITE", "version": version, "save_notes": ""})

    assert response.status_code == 400
    assert "Someone else changed this item" in response.content.decode()
    assert AgendaItem.objects.get(pk=item.pk).notes == "SAVED"


def test_a_dissent_is_recorded_and_listed(partnership, signed_in):
    panel = panel_of(partnership)
    meeting = running(panel)
    make_attendance(meeting, partnership.probation_officer)
    item = referral_item(panel)
    client = signed_in(panel.chair)

    response = client.post(
        item_url(item),
        {"person": partnership.probation_officer.pk, "reason": "Risk is higher", "dissent": ""},
        follow=True,
    )

    assert "Risk is higher" in response.content.decode()
    assert item.dissents.get().person == partnership.probation_officer


def test_a_restricted_item_shows_no_content_and_takes_no_decision(partnership, signed_in):
    panel = panel_of(partnership)
    running(panel)
    item = restricted_item(panel)
    client = signed_in(panel.chair)

    body = client.get(item_url(item)).content.decode()
    assert "HIDDEN-ITEM-TITLE" not in body
    assert "Southdaleperson" not in body
    assert 'data-testid="decision-form"' not in body
    assert "Restricted: not shared with your agency" in body
    assert client.post(item_url(item), {"outcome": "Decided", "decide": ""}).status_code == 403
    assert AgendaItem.objects.get(pk=item.pk).decided_at is None


def test_an_item_of_another_meeting_is_404(partnership, signed_in):
    panel, other = panel_of(partnership), panel_of(partnership)
    item = make_item(other.meeting)

    assert signed_in(panel.chair).get(f"/meetings/{panel.meeting.pk}/run/items/{item.pk}/").status_code == 404
