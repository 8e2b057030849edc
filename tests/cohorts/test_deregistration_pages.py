"""Deregistration pages and API: who reaches them (404 out of scope, 403 in scope without the right),
GOV.UK errors keeping what was typed, 400s with field errors, and the person page after."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from cohorts.deregistration.models import Deregistration
from cohorts.deregistration.services import deregistration_ratify
from cohorts.models import AccessEvent
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.cohorts.test_deregistration import accepted_onto_iom, chair_of, propose
from tests.sharing.factories import UserFactory


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def chair(partnership):
    return chair_of(partnership)


@pytest.fixture
def on_iom(partnership, chair):
    return accepted_onto_iom(partnership, chair)


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


# --- The person page -------------------------------------------------------------------------------


def test_the_person_page_offers_the_iom_team_to_propose_and_links_the_timeline(client, partnership, on_iom):
    client.force_login(partnership.officer)
    body = client.get(f"/people/{on_iom.pk}/").content.decode()

    assert f'href="/people/{on_iom.pk}/deregistration/new/"' in body
    assert f'href="/people/{on_iom.pk}/timeline/"' in body


def test_the_person_page_does_not_offer_a_key_worker_to_propose(client, partnership, on_iom):
    client.force_login(partnership.drugs_worker)
    body = client.get(f"/people/{on_iom.pk}/").content.decode()

    assert "deregistration/new/" not in body
    assert f'href="/people/{on_iom.pk}/timeline/"' in body


def test_after_ratification_the_person_page_says_why_they_left_and_keeps_the_past_period(
    client, partnership, on_iom, chair
):
    last_day = today() - datetime.timedelta(days=1)
    deregistration_ratify(deregistration=propose(on_iom, partnership.officer), by=chair, ends_on=last_day)

    client.force_login(partnership.officer)
    body = client.get(f"/people/{on_iom.pk}/").content.decode()

    assert 'data-testid="past-memberships"' in body
    assert 'data-testid="deregistrations-ratified"' in body
    assert "Moved out of area" in body
    assert "deregistration/new/" not in body  # not on the cohort now
    assert "Refer this person" in body or "referrals/new/" in body  # they can be referred again


# --- Proposing -------------------------------------------------------------------------------------


def test_proposing_from_the_page(client, partnership, on_iom):
    client.force_login(partnership.probation_officer)
    url = f"/people/{on_iom.pk}/deregistration/new/"
    assert client.get(url).status_code == 200
    assert AccessEvent.objects.filter(user=partnership.probation_officer, nominal=on_iom, path=url).exists()

    response = client.post(url, {"reason": "long_custody", "explanation": "Sentenced to 8 years."})

    proposal = Deregistration.objects.get()
    assert response.status_code == 302
    assert response.url == f"/deregistrations/{proposal.pk}/"
    assert (proposal.reason, proposal.proposed_by) == ("long_custody", partnership.probation_officer)


def test_a_proposal_without_a_reason_or_explanation_shows_the_errors_and_keeps_what_was_typed(
    client, partnership, on_iom
):
    client.force_login(partnership.officer)
    response = client.post(f"/people/{on_iom.pk}/deregistration/new/", {"explanation": "Half-typed note"})
    body = response.content.decode()

    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "Select why the person should leave IOM" in body
    assert "Half-typed note" in body
    assert not Deregistration.objects.exists()


def test_proposing_someone_not_on_the_cohort_is_an_error_on_the_page(client, partnership):
    nominal = make_nominal(partnership.officer)
    client.force_login(partnership.officer)

    response = client.post(f"/people/{nominal.pk}/deregistration/new/", {"reason": "other", "explanation": "x"})

    assert response.status_code == 400
    assert "is not on the IOM cohort" in response.content.decode()
    page = client.get(f"/people/{nominal.pk}/deregistration/new/").content.decode()
    assert 'data-testid="not-on-cohort"' in page
    assert 'name="explanation"' not in page


def test_a_second_proposal_is_an_error_on_the_page(client, partnership, on_iom):
    propose(on_iom, partnership.probation_officer)
    client.force_login(partnership.officer)

    response = client.post(f"/people/{on_iom.pk}/deregistration/new/", {"reason": "other", "explanation": "x"})

    assert response.status_code == 400
    assert "already proposed" in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("drugs_worker", 403), ("prison_officer", 403), ("outsider", 404)])
def test_who_may_not_propose(client, partnership, on_iom, who, status):
    client.force_login(getattr(partnership, who))

    assert client.get(f"/people/{on_iom.pk}/deregistration/new/").status_code == status
    response = client.post(f"/people/{on_iom.pk}/deregistration/new/", {"reason": "other", "explanation": "x"})
    assert response.status_code == status
    assert not Deregistration.objects.exists()


# --- Waiting for a panel chair ---------------------------------------------------------------------


def test_panel_chairs_see_the_proposals_waiting(client, partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)
    client.force_login(chair)

    body = client.get("/deregistrations/").content.decode()

    assert f'href="/deregistrations/{proposal.pk}/"' in body
    assert AccessEvent.objects.filter(user=chair, action="search", nominal_ids__contains=[on_iom.pk]).exists()


def test_a_chair_of_an_agency_that_does_not_see_the_person_is_not_shown_the_proposal(client, partnership, on_iom):
    propose(on_iom, partnership.officer)
    client.force_login(UserFactory.create(agency=partnership.elsewhere, roles=[Role.PANEL_CHAIR]))

    body = client.get("/deregistrations/").content.decode()

    assert on_iom.last_name not in body
    assert 'data-testid="deregistrations-waiting-empty"' in body


# --- A proposal's page -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agency", "status"),
    [("police", 200), ("probation", 200), ("prison", 200), ("drugs", 200), ("elsewhere", 404), ("housing", 404)],
)
@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.PARTNER_WORKER, Role.PANEL_CHAIR, Role.ANALYST])
def test_a_proposal_is_seen_by_every_agency_that_sees_the_person(client, partnership, on_iom, agency, status, role):
    proposal = propose(on_iom, partnership.officer)
    client.force_login(UserFactory.create(agency=getattr(partnership, agency), roles=[role]))

    response = client.get(f"/deregistrations/{proposal.pk}/")

    assert response.status_code == status
    body = response.content.decode()
    if status == 404:
        assert on_iom.last_name not in body
    else:
        assert ('data-testid="decision-form"' in body) is (role == Role.PANEL_CHAIR)
    api = client.get(f"/api/v1/deregistrations/{proposal.pk}/")
    assert api.status_code == status


def test_a_chair_ratifies_from_the_page(client, partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)
    client.force_login(chair)
    last_day = today() - datetime.timedelta(days=2)

    response = client.post(
        f"/deregistrations/{proposal.pk}/", {"decision": "ratify", **date_fields("ends_on", last_day)}
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.ends_on) == (Deregistration.Status.RATIFIED, last_day)
    page = client.get(response.url).content.decode()
    assert "leaves IOM" in page


def test_a_last_day_ahead_is_an_error_beside_the_date(client, partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)
    client.force_login(chair)

    response = client.post(
        f"/deregistrations/{proposal.pk}/",
        {"decision": "ratify", **date_fields("ends_on", today() + datetime.timedelta(days=3))},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "The last day on IOM must be today or in the past" in body
    assert 'href="#id_ends_on' in body
    assert Deregistration.objects.get().status == Deregistration.Status.PROPOSED


def test_a_nonsense_date_is_an_error_not_a_crash(client, partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)
    client.force_login(chair)

    response = client.post(
        f"/deregistrations/{proposal.pk}/",
        {"decision": "ratify", "ends_on_0": "31", "ends_on_1": "2", "ends_on_2": "2026"},
    )

    assert response.status_code == 400
    assert "must be a real date" in response.content.decode()


def test_not_ratifying_without_a_note_is_an_error_then_with_one_it_is_recorded(client, partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)
    client.force_login(chair)

    response = client.post(f"/deregistrations/{proposal.pk}/", {"decision": "not_ratify"})
    assert response.status_code == 400
    assert "Say why the proposal is not ratified" in response.content.decode()

    response = client.post(f"/deregistrations/{proposal.pk}/", {"decision": "not_ratify", "note": "Still high risk"})
    assert response.status_code == 302
    assert Deregistration.objects.get().status == Deregistration.Status.NOT_RATIFIED


def test_a_decision_already_taken_is_told_on_the_page(client, partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)
    other_chair = chair_of(partnership)
    client.force_login(other_chair)
    page_loaded = client.get(f"/deregistrations/{proposal.pk}/")
    assert page_loaded.status_code == 200
    deregistration_ratify(deregistration=proposal, by=chair)  # meanwhile, another chair decides

    response = client.post(f"/deregistrations/{proposal.pk}/", {"decision": "not_ratify", "note": "No"})

    assert response.status_code == 400
    assert f"already been decided by {chair}" in response.content.decode()


def test_only_a_chair_posts_a_decision(client, partnership, on_iom):
    proposal = propose(on_iom, partnership.officer)
    client.force_login(partnership.officer)

    assert client.post(f"/deregistrations/{proposal.pk}/", {"decision": "ratify"}).status_code == 403
    assert Deregistration.objects.get().status == Deregistration.Status.PROPOSED


def test_withdrawing_asks_first_then_withdraws(client, partnership, on_iom):
    proposal = propose(on_iom, partnership.probation_officer)
    client.force_login(partnership.probation_officer)

    confirm = client.get(f"/deregistrations/{proposal.pk}/withdraw/")
    assert confirm.status_code == 200
    assert "Are you sure you want to withdraw the proposal?" in confirm.content.decode()
    assert Deregistration.objects.get().status == Deregistration.Status.PROPOSED

    response = client.post(f"/deregistrations/{proposal.pk}/withdraw/", {"note": "Staying in the area"})
    assert response.status_code == 302
    withdrawn = Deregistration.objects.get()
    assert (withdrawn.status, withdrawn.decision_note) == (Deregistration.Status.WITHDRAWN, "Staying in the area")


@pytest.mark.parametrize(("who", "status"), [("drugs_worker", 403), ("outsider", 404)])
def test_who_may_not_withdraw(client, partnership, on_iom, who, status):
    proposal = propose(on_iom, partnership.probation_officer)
    client.force_login(getattr(partnership, who))

    assert client.get(f"/deregistrations/{proposal.pk}/withdraw/").status_code == status
    assert client.post(f"/deregistrations/{proposal.pk}/withdraw/").status_code == status
    assert client.post(f"/api/v1/deregistrations/{proposal.pk}/withdraw/").status_code == status
    assert Deregistration.objects.get().status == Deregistration.Status.PROPOSED


# --- The API ---------------------------------------------------------------------------------------


def post_json(client, url: str, data: dict) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_api_reads_a_persons_deregistrations_as_far_as_they_are_seen(client, partnership, on_iom):
    propose(on_iom, partnership.officer)

    client.force_login(partnership.prison_officer)
    response = client.get(f"/api/v1/people/{on_iom.pk}/deregistrations/")
    assert response.status_code == 200
    assert [row["reason"] for row in response.json()] == ["moved_out_of_area"]
    assert AccessEvent.objects.filter(user=partnership.prison_officer, nominal=on_iom).exists()

    client.force_login(partnership.outsider)
    assert client.get(f"/api/v1/people/{on_iom.pk}/deregistrations/").status_code == 404


def test_the_api_proposes_and_answers_bad_input_with_field_errors(client, partnership, on_iom):
    client.force_login(partnership.probation_officer)
    url = f"/api/v1/people/{on_iom.pk}/deregistrations/"

    bad = post_json(client, url, {"reason": "bored", "explanation": ""})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"reason", "explanation"}

    made = post_json(client, url, {"reason": "risk_reduced", "explanation": "No offending for a year."})
    assert made.status_code == 201
    assert made.json()["status"] == "proposed"

    again = post_json(client, url, {"reason": "other", "explanation": "Again"})
    assert again.status_code == 409
    assert "already proposed" in again.json()["detail"]


def test_the_api_refuses_a_key_worker_proposing(client, partnership, on_iom):
    client.force_login(partnership.drugs_worker)

    response = post_json(
        client, f"/api/v1/people/{on_iom.pk}/deregistrations/", {"reason": "other", "explanation": "x"}
    )

    assert response.status_code == 403


def test_the_api_ratifies_with_the_last_day_and_refuses_a_bad_one(client, partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)
    client.force_login(chair)
    url = f"/api/v1/deregistrations/{proposal.pk}/ratify/"

    assert post_json(client, url, {"ends_on": "not a date"}).status_code == 400
    ahead = post_json(client, url, {"ends_on": (today() + datetime.timedelta(days=1)).isoformat()})
    assert ahead.status_code == 400
    assert "ends_on" in ahead.json()["errors"]

    done = post_json(client, url, {"ends_on": (today() - datetime.timedelta(days=1)).isoformat(), "note": "Agreed"})
    assert done.status_code == 200
    assert done.json()["status"] == "ratified"
    assert done.json()["decided_by"]["id"] == chair.pk

    twice = post_json(client, url, {})
    assert twice.status_code == 409
    assert "already been decided" in twice.json()["detail"]


def test_the_api_does_not_ratify_without_a_note(client, partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)
    client.force_login(chair)
    url = f"/api/v1/deregistrations/{proposal.pk}/not-ratify/"

    assert "note" in post_json(client, url, {}).json()["errors"]
    done = post_json(client, url, {"note": "Stays on IOM"})
    assert done.status_code == 200
    assert done.json()["status"] == "not_ratified"


@pytest.mark.parametrize("endpoint", ["ratify", "not-ratify"])
def test_the_api_lets_only_chairs_decide(client, partnership, on_iom, endpoint):
    proposal = propose(on_iom, partnership.officer)
    client.force_login(partnership.officer)

    assert post_json(client, f"/api/v1/deregistrations/{proposal.pk}/{endpoint}/", {"note": "x"}).status_code == 403
    client.force_login(partnership.outsider)
    assert post_json(client, f"/api/v1/deregistrations/{proposal.pk}/{endpoint}/", {"note": "x"}).status_code == 404


def test_the_api_withdraws_for_the_proposer(client, partnership, on_iom):
    proposal = propose(on_iom, partnership.probation_officer)
    client.force_login(partnership.probation_officer)

    response = post_json(client, f"/api/v1/deregistrations/{proposal.pk}/withdraw/", {"note": "Not moving"})

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_the_api_lists_proposals_waiting_for_chairs_only(client, partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)

    client.force_login(partnership.officer)
    assert client.get("/api/v1/deregistrations/").status_code == 403
    client.force_login(chair)
    response = client.get("/api/v1/deregistrations/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [proposal.pk]


def test_the_schema_describes_the_deregistration_and_timeline_endpoints(client, practitioner):
    client.force_login(practitioner)

    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()

    for path in (
        "/api/v1/people/{id}/deregistrations/",
        "/api/v1/deregistrations/",
        "/api/v1/deregistrations/{id}/ratify/",
        "/api/v1/deregistrations/{id}/not-ratify/",
        "/api/v1/deregistrations/{id}/withdraw/",
        "/api/v1/people/{id}/timeline/",
    ):
        assert path in schema
