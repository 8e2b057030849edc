"""The meeting pack (meetings/minutes/services.py pack_for, /meetings/<pk>/pack/): each invited agency's
version of the agenda with the case summaries it may see, the chair's check of each version, the
access log, and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import AccessEvent
from cohorts.records.services import cohort_membership_start, consent_record
from meetings.minutes.services import pack_for
from meetings.scheduling.models import Meeting
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.meetings.factories import MeetingFactory, category, make_item
from tests.sharing.factories import UserFactory


@pytest.fixture
def chair(partnership):
    return UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])


@pytest.fixture
def person(partnership):
    nominal = make_nominal(partnership.officer, first_name="Jo", last_name="Packperson")
    cohort_membership_start(nominal=nominal)
    return nominal


def meeting_with(chair, partnership, person, size: int = 1) -> Meeting:
    """A meeting to come: `size` offending-risk items (the police's) and one substance-misuse item
    (the drug service's, shared with police and probation with the person's consent)."""
    meeting = MeetingFactory.create(chair=chair, invited=[partnership.probation, partnership.drugs])
    for n in range(size):
        make_item(
            meeting,
            title=f"OFFENDING-TITLE {n}",
            summary=f"OFFENDING-SUMMARY {n}",
            nominal=person,
            owning_agency=partnership.police,
            category=category("offending-risk"),
        )
    make_item(
        meeting,
        title="SUBSTANCE-TITLE",
        summary="SUBSTANCE-SUMMARY",
        nominal=person,
        owning_agency=partnership.drugs,
        category=category("substance-misuse"),
    )
    return meeting


@pytest.fixture
def meeting(chair, partnership, person):
    return meeting_with(chair, partnership, person)


def summaries(pack) -> list[str]:
    return [item.summary for item in pack.items if item.visible and not item.hidden_from_viewer]


def test_each_agency_receives_the_summaries_it_may_see(meeting, partnership, person):
    assert summaries(pack_for(meeting, partnership.probation_officer)) == ["OFFENDING-SUMMARY 0"]
    assert summaries(pack_for(meeting, partnership.drugs_worker)) == ["SUBSTANCE-SUMMARY"]

    consent_record(nominal=person, by=partnership.drugs_worker, given=True)

    assert summaries(pack_for(meeting, partnership.probation_officer)) == ["OFFENDING-SUMMARY 0", "SUBSTANCE-SUMMARY"]
    assert summaries(pack_for(meeting, partnership.drugs_worker)) == ["SUBSTANCE-SUMMARY"]


def test_the_chair_checking_another_agencys_version_sees_no_more_than_their_own_agency_may(
    meeting, chair, partnership, person
):
    # Consent to share with everyone, then withdrawn for the police only: probation receives the
    # substance misuse item, the police chair checking probation's version is not shown it.
    consent_record(nominal=person, by=partnership.drugs_worker, given=True)
    consent_record(nominal=person, by=partnership.drugs_worker, given=False, agency=partnership.police)

    pack = pack_for(meeting, chair, partnership.probation)

    assert summaries(pack) == ["OFFENDING-SUMMARY 0"]
    assert [(item.visible, item.hidden_from_viewer) for item in pack.items] == [(True, False), (True, True)]
    assert all(item.summary == "" for item in pack.items if item.hidden_from_viewer)


def test_the_pack_page_shows_restricted_items_as_restricted(client, meeting, partnership):
    client.force_login(partnership.drugs_worker)

    text = client.get(reverse("meeting-pack", args=[meeting.pk])).text

    assert "OFFENDING" not in text
    assert "SUBSTANCE-SUMMARY" in text
    assert text.count('data-testid="pack-item-restricted"') == 1
    assert "OFFICIAL-SENSITIVE" in text


def test_opening_the_pack_logs_the_people_shown(client, meeting, partnership, person):
    client.force_login(partnership.probation_officer)

    client.get(reverse("meeting-pack", args=[meeting.pk]))

    event = AccessEvent.objects.get(user=partnership.probation_officer)
    assert (event.action, event.nominal_ids) == (AccessEvent.Action.EXPORT, [person.pk])
    assert "offending-risk" in event.categories


def test_the_chair_picks_an_invited_agencys_version(client, meeting, chair, partnership):
    client.force_login(chair)
    url = reverse("meeting-pack", args=[meeting.pk])

    drugs = client.get(url, {"agency": partnership.drugs.pk})

    assert "Meeting pack: Compass Recovery's version" in drugs.text
    assert "OFFENDING-SUMMARY" not in drugs.text
    assert client.get(url, {"agency": partnership.housing.pk}).status_code == 404
    assert client.get(url, {"agency": "nonsense"}).status_code == 404


def test_others_may_read_only_their_own_agencys_version(client, meeting, partnership):
    client.force_login(partnership.drugs_worker)
    url = reverse("meeting-pack", args=[meeting.pk])

    assert client.get(url, {"agency": partnership.drugs.pk}).status_code == 200
    assert client.get(url, {"agency": partnership.probation.pk}).status_code == 403


def test_an_agency_not_invited_gets_not_found(client, meeting, partnership):
    client.force_login(partnership.housing_worker)

    assert client.get(reverse("meeting-pack", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("api-meeting-pack", args=[meeting.pk])).status_code == 404


def test_the_pack_takes_the_same_queries_for_5_items_as_for_60(client, chair, partnership, person):
    small, large = (meeting_with(chair, partnership, person, size) for size in (5, 60))
    client.force_login(chair)

    counts = []
    for meeting in (small, large):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("meeting-pack", args=[meeting.pk]), {"agency": partnership.probation.pk})
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_api_pack_is_the_callers_version(client, meeting, partnership):
    client.force_login(partnership.probation_officer)

    data = client.get(reverse("api-meeting-pack", args=[meeting.pk])).json()

    assert data["agency"]["name"] == "Probation Northmoor"
    assert [(i["restricted"], i["summary"]) for i in data["items"]] == [(False, "OFFENDING-SUMMARY 0"), (True, "")]
