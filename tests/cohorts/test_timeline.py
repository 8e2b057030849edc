"""The nominal's timeline: every kind of entry, newest first, as the viewer's rights allow (sensitive
items counted, never shown; items not shared counted by their agency; a referral's content only where
it is shared), filtered by kind, in a fixed number of queries."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.deregistration.services import deregistration_not_ratify, deregistration_ratify
from cohorts.management.models import CaseAssignment, RagRating
from cohorts.models import AccessEvent
from cohorts.records.models import RecordedItem
from cohorts.records.services import case_assign, rag_assess
from cohorts.timeline.selectors import nominal_timeline
from referrals.models import ReferralDecision
from referrals.services import referral_decide
from sharing.roles import Role
from tests.cohorts.factories import make_item
from tests.cohorts.test_deregistration import accepted_onto_iom, chair_of, propose
from tests.referrals.factories import accept_terms, listed_referral
from tests.sharing.factories import UserFactory


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def chair(partnership):
    return chair_of(partnership)


@pytest.fixture
def person(partnership, chair):
    """On IOM for 60 days, with one item of each kind of sharing."""
    nominal = accepted_onto_iom(partnership, chair)
    make_item(nominal, partnership.officer, "offending-risk", "SHARED-CONTACT", kind=RecordedItem.Kind.CONTACT)
    make_item(nominal, partnership.officer, "accommodation", "POLICE-ONLY-HOUSING")
    make_item(nominal, partnership.officer, "intelligence", "SENSITIVE-INTEL", kind=RecordedItem.Kind.INTELLIGENCE)
    make_item(nominal, partnership.drugs_worker, "substance-misuse", "DRUGS-WITHOUT-CONSENT")
    return nominal


def timeline_page(client, user, nominal, query: str = "") -> str:
    client.force_login(user)
    response = client.get(f"/people/{nominal.pk}/timeline/{query}")
    assert response.status_code == 200
    return response.content.decode()


def titles(body: str) -> list[str]:
    """The entries' titles as a reader sees them (an O'Brien is escaped in the markup)."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", title).strip())
        for title in re.findall(r'<h2 class="moj-timeline__title">(.*?)</h2>', body, re.S)
    ]


def test_the_owning_agency_sees_every_kind_of_entry(client, partnership, person):
    body = timeline_page(client, partnership.officer, person)
    shown = titles(body)

    assert "Joined IOM" in shown
    assert "RAG rating: Red" in shown
    assert "Offending escalating since release." in body  # the rating's rationale
    assert f"Lead professional: assigned {partnership.probation_officer}, {partnership.probation.name}" in shown
    assert f"Key worker: assigned {partnership.drugs_worker}, {partnership.drugs.name}" in shown
    assert "Contact: SHARED-CONTACT" in shown
    assert "Note: POLICE-ONLY-HOUSING" in shown
    assert any(title.startswith("Referral ") and title.endswith("decided: Accepted") for title in shown)
    assert any(title.endswith(": Submitted") for title in shown)
    assert 'class="moj-timeline"' in body


def test_sensitive_items_are_counted_never_shown(client, partnership, person):
    body = timeline_page(client, partnership.officer, person)

    assert "SENSITIVE-INTEL" not in body
    assert "1 intelligence item shown when you give a reason" in body


def test_items_not_shared_are_counted_by_their_agency(client, partnership, person):
    body = timeline_page(client, partnership.officer, person)

    assert "DRUGS-WITHOUT-CONSENT" not in body
    assert "1 item held by Compass Recovery is not shared with your agency" in body


def test_an_agency_sharing_by_agreement_sees_the_shared_and_not_the_rest(client, partnership, person):
    body = timeline_page(client, partnership.probation_officer, person)

    assert "SHARED-CONTACT" in body
    assert "POLICE-ONLY-HOUSING" not in body
    assert "held by Northmoor Police" in body


def test_a_partner_without_the_category_sees_what_happened_but_no_content(client, partnership, person):
    body = timeline_page(client, partnership.drugs_worker, person)
    shown = titles(body)

    assert "Joined IOM" in shown
    assert any(title.endswith("decided: Accepted") for title in shown)
    assert "Meets the Fixed criteria." not in body  # the decision's rationale: the referral's content
    assert "SHARED-CONTACT" not in body
    assert "POLICE-ONLY-HOUSING" not in body
    assert "SENSITIVE-INTEL" not in body
    assert "DRUGS-WITHOUT-CONSENT" in body  # their own


def test_a_partner_with_the_category_reads_the_decisions_rationale(client, partnership, person):
    body = timeline_page(client, partnership.prison_officer, person)

    assert "Meets the Fixed criteria." in body


def test_someone_out_of_scope_gets_404(client, partnership, person):
    client.force_login(partnership.outsider)

    assert client.get(f"/people/{person.pk}/timeline/").status_code == 404
    assert client.get(f"/api/v1/people/{person.pk}/timeline/").status_code == 404


def test_each_view_is_logged_with_what_it_showed(client, partnership, person):
    timeline_page(client, partnership.probation_officer, person)

    event = AccessEvent.objects.get(user=partnership.probation_officer, nominal=person)
    assert "offending-risk" in event.categories
    assert "intelligence" not in event.categories
    assert event.path == f"/people/{person.pk}/timeline/"


def test_periods_on_iom_show_why_they_left_and_the_return(client, partnership, person, chair):
    deregistration_ratify(
        deregistration=propose(person, partnership.officer), by=chair, ends_on=today() - datetime.timedelta(days=1)
    )
    referral_decide(
        referral=listed_referral(person, partnership.officer, partnership.officer),
        by=chair,
        outcome=ReferralDecision.Outcome.ACCEPTED,
        rationale="Back and reoffending.",
        accept=accept_terms(partnership.probation_officer, partnership.officer),
    )

    shown = titles(timeline_page(client, partnership.officer, person, "?kind=periods"))

    assert shown == ["Joined IOM", "Left IOM: Moved out of area", "Joined IOM"]


def test_deregistrations_are_on_the_timeline_with_their_explanation_and_decision(client, partnership, person, chair):
    deregistration_not_ratify(deregistration=propose(person, partnership.officer), by=chair, note="Still offending")

    body = timeline_page(client, partnership.prison_officer, person, "?kind=deregistrations")

    assert titles(body) == ["Deregistration not ratified", "Deregistration proposed: Moved out of area"]
    assert "Moved to Southdale to live with family." in body
    assert "Still offending" in body


def test_a_transfer_is_named_as_one(client, partnership, person):
    case_assign(
        nominal=person,
        role=CaseAssignment.Role.LEAD_PROFESSIONAL,
        worker=partnership.housing_worker,
        by=partnership.officer,
        reason="Housing leads now",
    )

    body = timeline_page(client, partnership.officer, person, "?kind=assignments")

    housing, police = partnership.housing_worker.agency.name, partnership.officer.agency.name
    assert f"Lead professional: transferred to {partnership.housing_worker}, {housing}" in titles(body)
    assert "Housing leads now" in body
    # The byline is who transferred the case and their own agency, not the new lead's.
    assert f"by {partnership.officer}, {police}" in body


def test_the_filter_shows_only_the_kinds_chosen_newest_first(client, partnership, person):
    rag_assess(nominal=person, rating=RagRating.objects.get(code="green"), rationale="Stable", by=partnership.officer)

    body = timeline_page(client, partnership.officer, person, "?kind=rag")

    assert titles(body) == ["RAG rating: Green", "RAG rating: Red"]


def test_an_unknown_kind_is_an_error_not_a_crash(client, partnership, person):
    client.force_login(partnership.officer)

    assert client.get(f"/people/{person.pk}/timeline/?kind=nonsense").status_code == 400
    assert client.get(f"/api/v1/people/{person.pk}/timeline/?kind=nonsense").status_code == 400


def test_the_api_gives_the_same_entries_with_what_is_withheld(client, partnership, person):
    client.force_login(partnership.officer)

    response = client.get(f"/api/v1/people/{person.pk}/timeline/?kind=rag&kind=contact")

    data = response.json()
    assert response.status_code == 200
    assert [entry["title"] for entry in data["results"]] == ["Contact: SHARED-CONTACT", "RAG rating: Red"]
    assert data["locked"] == []  # neither kind has anything withheld
    assert data["withheld"] == []
    everything = client.get(f"/api/v1/people/{person.pk}/timeline/").json()
    assert everything["locked"] == [{"category": "intelligence", "name": "Intelligence", "count": 1}]
    assert everything["withheld"] == [{"agency": "Compass Recovery", "count": 1}]
    assert "SENSITIVE-INTEL" not in str(everything)


def test_the_timeline_takes_the_same_queries_however_long_it_is(partnership, person, chair):
    viewer = UserFactory.create(agency=partnership.probation, roles=[Role.PRACTITIONER])
    nominal_timeline(viewer, person)  # the viewer's roles, read once and kept
    with CaptureQueriesContext(connection) as few:
        short = nominal_timeline(viewer, person)

    for number in range(5):
        make_item(person, partnership.officer, "offending-risk", f"More {number}", kind=RecordedItem.Kind.CONTACT)
        make_item(person, partnership.officer, "intelligence", f"Intel {number}")
        make_item(person, partnership.officer, "accommodation", f"Housing {number}")
        rag_assess(nominal=person, rating=RagRating.objects.get(code="amber"), rationale="x", by=partnership.officer)
    deregistration_not_ratify(deregistration=propose(person, partnership.officer), by=chair, note="Stays")
    with CaptureQueriesContext(connection) as many:
        long = nominal_timeline(viewer, person)

    assert len(long.entries) >= len(short.entries) + 12
    assert len(many.captured_queries) == len(few.captured_queries) <= 12
