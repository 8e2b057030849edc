"""Running a meeting through the API (meetings/running/api.py): the chair's only (others 404), the same
services as the pages, 400 with field errors, decisions per kind of item."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from meetings.agenda.models import AgendaItem
from meetings.running.models import Attendance
from meetings.scheduling.models import Meeting
from referrals.models import Referral
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


@pytest.fixture
def api():
    def as_user(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def base(meeting: Meeting) -> str:
    return f"/api/v1/meetings/{meeting.pk}/"


def test_the_chair_starts_and_ends_a_meeting(partnership, api):
    panel = panel_of(partnership)
    client = api(panel.chair)

    response = client.post(base(panel.meeting) + "start/")
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"

    again = client.post(base(panel.meeting) + "start/")
    assert again.status_code == 409
    assert "already been started" in again.json()["detail"]

    assert client.post(base(panel.meeting) + "end/").json()["status"] == "held"


@pytest.mark.parametrize("path", ["start/", "end/", "confidentiality/", "attendance/"])
def test_people_who_do_not_chair_get_404(partnership, api, path):
    panel = panel_of(partnership)

    assert api(partnership.probation_officer).post(base(panel.meeting) + path, {}, format="json").status_code == 404
    assert api(partnership.outsider).post(base(panel.meeting) + path, {}, format="json").status_code == 404


def test_attendance_is_read_and_recorded(partnership, api):
    panel = panel_of(partnership)
    client = api(panel.chair)

    response = client.post(
        base(panel.meeting) + "attendance/",
        {"entries": [{"person": partnership.probation_officer.pk, "status": "present"}]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()[0]["agency"] == "Probation Northmoor"
    listed = client.get(base(panel.meeting) + "attendance/").json()
    assert [(row["person"]["id"], row["status"]) for row in listed] == [(partnership.probation_officer.pk, "present")]
    # Read by those invited too (it was a 404 for everyone but the chair), never by an agency not invited.
    assert api(partnership.probation_officer).get(base(panel.meeting) + "attendance/").json() == listed
    assert api(partnership.outsider).get(base(panel.meeting) + "attendance/").status_code == 404


def test_attendance_of_someone_not_invited_or_with_a_bad_status_is_a_400(partnership, api):
    panel = panel_of(partnership)
    client = api(panel.chair)

    stranger = client.post(
        base(panel.meeting) + "attendance/",
        {"entries": [{"person": partnership.outsider.pk, "status": "present"}]},
        format="json",
    )
    bad_status = client.post(
        base(panel.meeting) + "attendance/",
        {"entries": [{"person": partnership.officer.pk, "status": "asleep"}]},
        format="json",
    )

    assert stranger.status_code == 400
    assert "not invited" in str(stranger.json()["errors"])
    assert bad_status.status_code == 400
    assert any(field.startswith("entries.") for field in bad_status.json()["errors"])
    assert not Attendance.objects.filter(meeting=panel.meeting).exists()


def test_the_statement_is_recorded_as_read(partnership, api):
    panel = panel_of(partnership)
    running(panel, read=False)

    response = api(panel.chair).post(base(panel.meeting) + "confidentiality/")

    assert response.status_code == 200
    assert response.json()["confidentiality_read_by"]["id"] == panel.chair.pk
    assert response.json()["confidentiality_statement"].startswith("The information shared")


def test_notes_are_saved_with_a_version_check(partnership, api):
    panel = panel_of(partnership)
    running(panel)
    item = make_item(panel.meeting, title="Any other business")
    client = api(panel.chair)
    url = f"{base(panel.meeting)}items/{item.pk}/"

    saved = client.patch(url, {"notes": "Agreed a visit", "version": item.version}, format="json")
    assert saved.status_code == 200
    assert saved.json()["notes"] == "Agreed a visit"

    stale = client.patch(url, {"notes": "Over it", "version": item.version}, format="json")
    assert stale.status_code == 409
    assert "Someone else changed this item" in stale.json()["detail"]
    assert client.get(url).json()["notes"] == "Agreed a visit"


def test_a_referral_is_decided_and_linked(partnership, api):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)

    response = api(panel.chair).post(
        f"{base(panel.meeting)}items/{item.pk}/decision/",
        {
            "outcome": "accepted",
            "rationale": "Meets the criteria",
            "strand": "fixed",
            "level": "enhanced",
            "rag": "red",
            "rag_rationale": "Escalating",
            "lead_professional": partnership.probation_officer.pk,
            "police_lead": partnership.officer.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["referral_decision"] is not None
    assert referral_status(item) == Referral.Status.ACCEPTED


def test_accepting_without_terms_gives_field_errors(partnership, api):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)

    response = api(panel.chair).post(
        f"{base(panel.meeting)}items/{item.pk}/decision/", {"outcome": "accepted", "rationale": "Yes"}, format="json"
    )

    assert response.status_code == 400
    assert "lead_professional" in response.json()["errors"]
    assert referral_status(item) == Referral.Status.LISTED


def test_a_second_decision_on_an_item_is_refused(partnership, api):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)
    client = api(panel.chair)
    url = f"{base(panel.meeting)}items/{item.pk}/decision/"
    client.post(url, {"outcome": "rejected", "rationale": "No"}, format="json")

    again = client.post(url, {"outcome": "deferred", "rationale": "Maybe"}, format="json")

    assert again.status_code == 409
    assert "already been decided" in again.json()["detail"]


def test_an_urgent_decision_deregistration_and_cohort_item_are_decided(partnership, api):
    panel = panel_of(partnership)
    running(panel)
    urgent, leaving, cohort = urgent_item(panel), deregistration_item(panel), cohort_item(panel)
    client = api(panel.chair)

    assert client.post(f"{base(panel.meeting)}items/{urgent.pk}/decision/", {}, format="json").status_code == 201
    assert (
        client.post(
            f"{base(panel.meeting)}items/{leaving.pk}/decision/",
            {"decision": "not_ratify", "note": "Still local"},
            format="json",
        ).status_code
        == 201
    )
    response = client.post(
        f"{base(panel.meeting)}items/{cohort.pk}/decision/",
        {"outcome": "Stays red", "rating": "red", "rationale": "Arrested again"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["rag_decision"] is not None
    decided = AgendaItem.objects.filter(pk__in=[urgent.pk, leaving.pk, cohort.pk], decided_at__isnull=False)
    assert decided.count() == 3


def test_a_rag_change_without_a_reason_is_a_field_error(partnership, api):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)

    response = api(panel.chair).post(
        f"{base(panel.meeting)}items/{item.pk}/decision/", {"outcome": "Noted", "rating": "amber"}, format="json"
    )

    assert response.status_code == 400
    assert "rationale" in response.json()["errors"]


def test_a_restricted_item_is_shown_restricted_and_takes_nothing(partnership, api):
    panel = panel_of(partnership)
    running(panel)
    item = restricted_item(panel)
    client = api(panel.chair)
    url = f"{base(panel.meeting)}items/{item.pk}/"

    read = client.get(url)
    assert read.json()["restricted"] is True
    assert "HIDDEN-ITEM-TITLE" not in read.content.decode()
    assert client.post(url + "decision/", {"outcome": "Decided"}, format="json").status_code == 403
    assert client.patch(url, {"notes": "x", "version": item.version}, format="json").status_code == 403


def test_a_dissent_is_recorded_for_an_attendee_present(partnership, api):
    panel = panel_of(partnership)
    meeting = running(panel)
    make_attendance(meeting, partnership.probation_officer)
    item = referral_item(panel)
    client = api(panel.chair)
    url = f"{base(panel.meeting)}items/{item.pk}/dissents/"

    response = client.post(url, {"person": partnership.probation_officer.pk, "reason": "Too risky"}, format="json")
    absent = client.post(url, {"person": partnership.drugs_worker.pk, "reason": "No"}, format="json")

    assert response.status_code == 201
    assert response.json()["agency"] == "Probation Northmoor"
    assert absent.status_code == 400
    assert "person" in absent.json()["errors"]
