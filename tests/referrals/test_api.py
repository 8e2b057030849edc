"""The referrals API applies the same services, sharing rules and refusals as the pages
(referrals/api.py): the workflow end to end, each refusal's answer, content withheld from an agency
without the offending and risk agreement, 404 out of scope, and a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cohorts.management.models import CaseAssignment, CohortMembership, RagAssessment
from cohorts.models import AccessEvent
from cohorts.records.models import Nominal
from cohorts.records.services import cohort_membership_start
from referrals.models import Referral, ReferralDecision, ReferralScore, SelectionCriterion, SelectionMatrixVersion
from referrals.services import (
    referral_decide,
    referral_return,
    referral_screen,
    referral_submit,
)
from sharing.models import DataCategory, User
from sharing.roles import Role
from sharing.services import ClauseSpec
from tests.cohorts.factories import make_nominal
from tests.partnership import Partnership, agreement_in_force
from tests.referrals.factories import draft_referral, listed_referral, selection_panel_on, submitted_referral
from tests.sharing.factories import UserFactory

TODAY = timezone.localdate
SECRET = "WHY-NOW-ONLY-FOR-THE-CORE-AGREEMENT"


def client_for(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def url(name: str, row: models.Model | int, *extra: Any) -> str:
    pk = row if isinstance(row, int) else row.pk
    return reverse(name, args=[pk, *extra])


def section_url(referral: Referral | int, code: str) -> str:
    return url("api-referral-section", referral, code)


@pytest.fixture
def chair(partnership: Partnership) -> User:
    return UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])


@pytest.fixture
def person(partnership: Partnership) -> Nominal:
    """A person recorded by probation, not on the cohort."""
    return make_nominal(partnership.probation_officer, first_name="Dale", last_name="Ashworth")


def police_referral(partnership: Partnership, **overrides: Any) -> Referral:
    """A submitted referral by the police of a person the core agreement shares with probation and
    the prison (the person is on the cohort, so the partners' agreements cover them)."""
    nominal = make_nominal(partnership.officer, first_name="Casey", last_name="Holloway")
    referral = submitted_referral(nominal, partnership.officer, why={"why_now": SECRET}, **overrides)
    cohort_membership_start(nominal=nominal)
    return referral


# --- The whole workflow -----------------------------------------------------------------------------


def test_a_referral_goes_from_draft_to_the_cohort_through_the_api(partnership, chair):
    # The police refer a person they recorded; the police IOM team screens it (a referral by
    # another agency of a person not yet on the cohort is not visible to the police: see the report).
    person = make_nominal(partnership.officer, first_name="Dale", last_name="Ashworth")
    referrer = client_for(partnership.officer)
    screener = client_for(UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER]))
    today = TODAY()

    started = referrer.post(reverse("api-referral-list"), {"person": person.pk}, format="json")
    assert started.status_code == 201, started.json()
    referral = started.json()
    assert referral["status"] == "draft"
    assert referral["person"] == {"id": person.pk, "name": "Dale Ashworth"}
    assert started["Location"] == url("api-referral-detail", referral["id"])
    assert [section["done"] for section in referral["sections"]] == [False] * 6
    assert referral["score"]["preview"] is True

    sections: dict[str, dict[str, Any]] = {
        "why": {"why_now": "Four burglaries in two months since release.", "criteria": ["reoffending", "harm"]},
        "strand": {"strand": "fixed", "proposed_level": "enhanced", "priority_cohorts": ["young-adults"]},
        "offending": {
            "offences": [
                {"offence_type": "burglary", "committed_on": str(today - datetime.timedelta(days=12))},
                {
                    "offence_type": "vehicle",
                    "committed_on": str(today - datetime.timedelta(days=40)),
                    "description": "TWOC",
                },
            ]
        },
        "risk": {"statutory_status": "licence", "ogrs_percent": 91, "risk_of_serious_harm": "high"},
        "needs": {"needs": [{"pathway": "accommodation", "level": "high", "note": "Sofa surfing"}]},
        "urgency": {"urgent": False},
    }
    version = referral["version"]
    for code, fields in sections.items():
        saved = referrer.put(section_url(referral["id"], code), {**fields, "version": version}, format="json")
        assert saved.status_code == 200, (code, saved.json())
        version = saved.json()["version"]
    shown = saved.json()
    assert all(section["done"] for section in shown["sections"])
    assert shown["proposed_level"] == "enhanced"
    assert shown["priority_cohorts"] == ["young-adults"]
    assert [offence["offence_type"] for offence in shown["offences"]] == ["burglary", "vehicle"]
    assert all(outcome["met"] for outcome in shown["eligibility"])

    submitted = referrer.post(url("api-referral-submit", referral["id"]), format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    score = submitted.json()["score"]
    assert score["preview"] is False
    assert Decimal(score["total"]) == sum(Decimal(line["contribution"]) for line in score["explanation"])

    screened = screener.post(url("api-referral-screen", referral["id"]), {"note": "Complete"}, format="json")
    assert screened.json()["status"] == "screened"
    no_panel = screener.post(
        url("api-referral-list-for-panel", referral["id"]), {"panel_date": str(today + datetime.timedelta(days=6))}
    )
    assert no_panel.status_code == 400
    assert "There is no selection panel on" in no_panel.json()["errors"]["panel_date"][0]
    panel_date = selection_panel_on(today + datetime.timedelta(days=7), partnership.officer)
    listed = screener.post(url("api-referral-list-for-panel", referral["id"]), {"panel_date": str(panel_date)})
    assert listed.status_code == 200, listed.json()
    assert listed.json()["panel_date"] == str(panel_date)
    on_the_list = screener.get(reverse("api-referral-list"), {"status": "listed"}).json()["results"]
    assert [item["reference"] for item in on_the_list] == [referral["reference"]]

    decided = client_for(chair).post(
        url("api-referral-decide", referral["id"]),
        {
            "outcome": "accepted",
            "rationale": "Meets the Fixed criteria.",
            "strand": "fixed",
            "level": "enhanced",
            "rag": "red",
            "rag_rationale": "Offending escalating.",
            "lead_professional": partnership.probation_officer.pk,
            "police_lead": partnership.officer.pk,
            "mappa_level": "",
        },
        format="json",
    )

    assert decided.status_code == 201, decided.json()
    body = decided.json()
    assert body["status"] == "accepted"
    decision = body["decisions"][0]
    assert (decision["outcome"], decision["level"], decision["rag"]) == ("accepted", "enhanced", "red")
    assert decision["lead_professional"]["id"] == partnership.probation_officer.pk
    assert [activity["action"] for activity in body["activities"]] == [
        "created",
        "submitted",
        "screened",
        "listed",
        "decided",
    ]
    membership = CohortMembership.objects.get(nominal=person, ended_on__isnull=True)
    assert membership.management.level.code == "enhanced"
    assert RagAssessment.objects.get(nominal=person).rating.code == "red"
    leads = CaseAssignment.objects.filter(nominal=person, ended_on__isnull=True)
    assert {(lead.role, lead.worker_id) for lead in leads} == {
        ("lead_professional", partnership.probation_officer.pk),
        ("police_lead", partnership.officer.pk),
    }
    # On the cohort, the person is seen by the agencies of the agreements in force, not by others.
    assert (
        client_for(partnership.prison_officer).get(reverse("api-nominal-detail", args=[person.pk])).status_code == 200
    )
    assert client_for(partnership.outsider).get(url("api-referral-detail", referral["id"])).status_code == 404


def test_your_own_draft_of_the_same_person_is_resumed_not_started_twice(partnership, person):
    referrer = client_for(partnership.probation_officer)

    first = referrer.post(reverse("api-referral-list"), {"person": person.pk}, format="json")
    again = referrer.post(reverse("api-referral-list"), {"person": person.pk}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


def test_a_y2a_referral_shows_the_countdown_to_the_18th_birthday(partnership):
    born = TODAY().replace(year=TODAY().year - 17) - datetime.timedelta(days=30)
    young = make_nominal(partnership.probation_officer, date_of_birth=born)

    started = client_for(partnership.probation_officer).post(
        reverse("api-referral-list"), {"person": young.pk, "kind": "y2a"}, format="json"
    )

    body = started.json()
    assert body["kind"] == "y2a"
    assert body["sections"][-1]["code"] == "y2a"
    assert body["y2a_milestones"]["eighteenth_birthday"] == str(born.replace(year=born.year + 18))


# --- Refusals, each with its answer -------------------------------------------------------------------


def test_a_person_out_of_scope_is_no_person_found_when_starting(partnership):
    stranger = make_nominal(partnership.outsider, last_name="Unseen")
    referrer = client_for(partnership.probation_officer)

    hidden = referrer.post(reverse("api-referral-list"), {"person": stranger.pk}, format="json")
    missing = referrer.post(reverse("api-referral-list"), {"person": 10**9}, format="json")

    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json()
    assert missing.json()["errors"] == {"person": ["No person found with that id"]}
    assert not Referral.objects.exists()


def test_a_person_with_a_referral_in_progress_is_refused_with_its_reference(partnership):
    referral = police_referral(partnership)
    CohortMembership.objects.filter(nominal=referral.nominal).delete()

    refused = client_for(partnership.probation_officer).post(
        reverse("api-referral-list"), {"person": referral.nominal_id}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json()["errors"]["person"] == [
        f"This person already has a referral in progress ({referral.reference})."
    ]
    assert refused.json()["existing_referral"]["reference"] == referral.reference
    assert Referral.objects.count() == 1


def test_a_person_on_the_cohort_is_refused(partnership, person):
    cohort_membership_start(nominal=person)

    refused = client_for(partnership.probation_officer).post(
        reverse("api-referral-list"), {"person": person.pk}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json()["errors"] == {"person": ["This person is already on the IOM cohort."]}
    assert refused.json()["existing_referral"] is None


def test_a_role_that_does_not_refer_is_403(partnership, person):
    analyst = UserFactory.create(agency=partnership.probation, roles=[Role.ANALYST])

    refused = client_for(analyst).post(reverse("api-referral-list"), {"person": person.pk}, format="json")

    assert refused.status_code == 403


def test_a_section_with_errors_is_400_on_its_fields_and_saves_nothing(partnership, person):
    referral = draft_referral(person, partnership.probation_officer)
    api = client_for(partnership.probation_officer)

    empty = api.put(section_url(referral, "why"), {"why_now": " ", "version": referral.version}, format="json")
    bad_date = api.put(
        section_url(referral, "offending"),
        {"offences": [{"offence_type": "burglary", "committed_on": "2024-02-30"}], "version": referral.version},
        format="json",
    )
    future = api.put(
        section_url(referral, "offending"),
        {
            "offences": [{"offence_type": "burglary", "committed_on": str(TODAY() + datetime.timedelta(days=1))}],
            "version": referral.version,
        },
        format="json",
    )
    twice = api.put(
        section_url(referral, "needs"),
        {"needs": [{"pathway": "health", "level": "low"}] * 2, "version": referral.version},
        format="json",
    )

    assert empty.status_code == 400
    assert set(empty.json()["errors"]) == {"why_now", "criteria"}
    assert bad_date.status_code == 400
    assert "real date" in str(bad_date.json()["errors"])
    assert future.status_code == 400
    assert future.json()["errors"] == {"offences": ["An offence date must be today or in the past"]}
    assert twice.json()["errors"] == {"needs": ["Give each pathway once"]}
    referral.refresh_from_db()
    assert referral.why_now == "Three burglaries since release in the last two months."
    assert referral.offences.count() == 2


def test_a_save_over_someone_elses_newer_one_is_409(partnership, person):
    referral = draft_referral(person, partnership.probation_officer)
    api = client_for(partnership.probation_officer)
    fields = {"why_now": "Updated", "criteria": ["harm"]}

    first = api.put(section_url(referral, "why"), {**fields, "version": referral.version}, format="json")
    stale = api.put(section_url(referral, "why"), {**fields, "version": referral.version}, format="json")

    assert first.status_code == 200
    assert stale.status_code == 409
    assert "Someone else changed this referral" in stale.json()["detail"]


def test_a_section_the_referral_does_not_have_is_404(partnership, person):
    referral = draft_referral(person, partnership.probation_officer)

    response = client_for(partnership.probation_officer).put(
        section_url(referral, "y2a"), {"version": referral.version}, format="json"
    )

    assert response.status_code == 404


def test_a_submitted_referral_cannot_be_changed_and_says_why(partnership):
    referral = police_referral(partnership)

    refused = client_for(partnership.officer).put(
        section_url(referral, "why"), {"why_now": "x", "criteria": ["harm"], "version": referral.version}, format="json"
    )

    assert refused.status_code == 409
    assert refused.json()["detail"] == f"{referral.reference} is submitted: it cannot be changed."


def test_only_the_referring_agency_changes_a_returned_referral(partnership):
    referral = police_referral(partnership)
    referral_return(referral=referral, by=partnership.officer, questions="Which licence conditions?")
    referral.refresh_from_db()

    refused = client_for(partnership.probation_officer).put(
        section_url(referral, "why"), {"why_now": "x", "criteria": ["harm"], "version": referral.version}, format="json"
    )

    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the referring agency can change this referral."


def test_an_incomplete_or_ineligible_referral_is_not_submitted(partnership, person):
    api = client_for(partnership.probation_officer)
    started = api.post(reverse("api-referral-list"), {"person": person.pk}, format="json").json()
    shoplifter = make_nominal(partnership.probation_officer)
    ineligible = draft_referral(
        shoplifter,
        partnership.probation_officer,
        offending={"offences": [{"offence_type": "shoplifting", "committed_on": TODAY(), "description": ""}]},
    )

    incomplete = api.post(url("api-referral-submit", started["id"]))
    shoplifting = api.post(url("api-referral-submit", ineligible))

    assert incomplete.status_code == 400
    assert set(incomplete.json()["errors"]) == {"why", "strand", "offending", "risk", "needs", "urgency"}
    assert shoplifting.status_code == 400
    assert "Shoplifting alone does not qualify" in str(shoplifting.json()["errors"])
    assert Referral.objects.filter(status=Referral.Status.DRAFT).count() == 2


def test_only_the_iom_team_screens_returns_and_lists(partnership):
    referral = police_referral(partnership)
    partner = client_for(partnership.prison_officer)

    responses = [
        partner.post(url("api-referral-screen", referral), {"note": ""}, format="json"),
        partner.post(url("api-referral-return", referral), {"questions": "Why?"}, format="json"),
        partner.post(url("api-referral-list-for-panel", referral), {"panel_date": str(TODAY())}, format="json"),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED


def test_workflow_input_errors_are_400_on_their_fields(partnership):
    referral = police_referral(partnership)
    screener = client_for(partnership.officer)

    no_questions = screener.post(url("api-referral-return", referral), {"questions": ""}, format="json")
    referral_screen(referral=referral, by=partnership.officer)
    past = screener.post(
        url("api-referral-list-for-panel", referral),
        {"panel_date": str(TODAY() - datetime.timedelta(days=1))},
        format="json",
    )
    no_date = screener.post(url("api-referral-list-for-panel", referral), {}, format="json")
    no_reason = screener.post(url("api-referral-withdraw", referral), {"reason": ""}, format="json")

    assert no_questions.json()["errors"] == {"questions": ["Enter the questions for the referrer"]}
    assert past.json()["errors"] == {"panel_date": ["The panel date must be today or in the future"]}
    assert no_date.json()["errors"] == {"panel_date": ["Enter the panel date"]}
    assert no_reason.json()["errors"] == {"reason": ["Enter why the referral is withdrawn"]}


def test_only_a_panel_chair_decides(partnership, chair):
    referral = listed_referral(make_nominal(partnership.officer), partnership.officer, partnership.officer)

    refused = client_for(partnership.officer).post(
        url("api-referral-decide", referral), {"outcome": "rejected", "rationale": "No"}, format="json"
    )

    assert refused.status_code == 403
    assert not ReferralDecision.objects.exists()


def test_a_referral_not_yet_listed_cannot_be_decided(partnership, chair):
    referral = police_referral(partnership)

    refused = client_for(chair).post(
        url("api-referral-decide", referral), {"outcome": "rejected", "rationale": "No"}, format="json"
    )

    assert refused.status_code == 409
    assert "cannot be decided until it is listed for a panel" in refused.json()["detail"]


def test_accepting_needs_the_terms_and_real_users_as_leads(partnership, chair):
    referral = listed_referral(make_nominal(partnership.officer), partnership.officer, partnership.officer)
    api = client_for(chair)
    accept = {
        "outcome": "accepted",
        "rationale": "Meets the criteria",
        "strand": "fixed",
        "level": "enhanced",
        "rag": "amber",
        "rag_rationale": "Engaging",
    }

    missing = api.post(url("api-referral-decide", referral), {"outcome": "accepted", "rationale": "Yes"}, format="json")
    unknown = api.post(
        url("api-referral-decide", referral),
        {**accept, "lead_professional": 10**9, "police_lead": partnership.officer.pk},
        format="json",
    )
    not_police = api.post(
        url("api-referral-decide", referral),
        {**accept, "lead_professional": partnership.officer.pk, "police_lead": partnership.probation_officer.pk},
        format="json",
    )
    bad_mappa = api.post(
        url("api-referral-decide", referral),
        {
            **accept,
            "lead_professional": partnership.officer.pk,
            "police_lead": partnership.officer.pk,
            "mappa_level": "1",
        },
        format="json",
    )

    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"strand", "level", "rag", "lead_professional", "police_lead"}
    assert unknown.json()["errors"] == {"lead_professional": ["No user found with that id"]}
    assert not_police.json()["errors"] == {"police_lead": ["The IOM police lead officer must work for a police force"]}
    assert bad_mappa.json()["errors"] == {"mappa_level": ["IOM combines only with MAPPA level 2 or 3"]}
    assert not ReferralDecision.objects.exists()


def test_a_second_decision_is_refused_with_who_decided_first(partnership, chair):
    referral = listed_referral(make_nominal(partnership.officer), partnership.officer, partnership.officer)
    other_chair = UserFactory.create(agency=partnership.probation, roles=[Role.PANEL_CHAIR])
    referral_decide(referral=referral, by=other_chair, outcome="rejected", rationale="Not now")

    refused = client_for(chair).post(
        url("api-referral-decide", referral), {"outcome": "rejected", "rationale": "No"}, format="json"
    )

    assert refused.status_code == 409
    assert f"has already been decided by {other_chair}" in refused.json()["detail"]


def test_an_urgent_decision_outside_a_meeting_is_ratified_by_a_panel(partnership, chair):
    referral = police_referral(partnership, urgency={"urgent": True, "urgency_reason": "Released tomorrow"})
    CohortMembership.objects.filter(nominal=referral.nominal).delete()
    api = client_for(chair)

    decided = api.post(
        url("api-referral-decide", referral),
        {"outcome": "rejected", "rationale": "Not IOM", "outside_meeting": True},
        format="json",
    )
    waiting = api.get(reverse("api-referral-list"), {"to_be_ratified": "true"}).json()["results"]
    ratified = api.post(url("api-referral-ratify", referral), {"note": "Agreed"}, format="json")
    again = api.post(url("api-referral-ratify", referral), {}, format="json")

    assert decided.status_code == 201
    assert decided.json()["to_be_ratified"] is True
    assert decided.json()["decisions"][0]["outside_meeting"] is True
    assert [item["id"] for item in waiting] == [referral.pk]
    assert ratified.status_code == 200
    assert ratified.json()["to_be_ratified"] is False
    assert ratified.json()["decisions"][0]["ratification"] == "ratified"
    assert again.status_code == 409
    assert "no decision waiting to be ratified" in again.json()["detail"]


def test_the_referrer_withdraws_an_open_referral(partnership):
    referral = police_referral(partnership)

    withdrawn = client_for(partnership.officer).post(
        url("api-referral-withdraw", referral), {"reason": "Moved away"}, format="json"
    )
    again = client_for(partnership.officer).post(
        url("api-referral-withdraw", referral), {"reason": "Moved away"}, format="json"
    )

    assert withdrawn.json()["status"] == "withdrawn"
    assert again.status_code == 409
    assert again.json()["detail"] == f"{referral.reference} is withdrawn: it cannot be withdrawn."


def test_an_agency_outside_the_referring_agency_and_the_iom_team_cannot_withdraw(partnership):
    referral = police_referral(partnership)

    refused = client_for(partnership.prison_officer).post(
        url("api-referral-withdraw", referral), {"reason": "No"}, format="json"
    )

    assert refused.status_code == 403


# --- Who sees what ---------------------------------------------------------------------------------


def test_a_referral_out_of_scope_is_404_everywhere(partnership, chair):
    referral = police_referral(partnership)
    outsider = UserFactory.create(agency=partnership.elsewhere, roles=[Role.PANEL_CHAIR, Role.PRACTITIONER])
    api = client_for(outsider)

    responses = [
        api.get(url("api-referral-detail", referral)),
        api.put(section_url(referral, "why"), {"version": 1}, format="json"),
        *(
            api.post(url(name, referral), {}, format="json")
            for name in (
                "api-referral-submit",
                "api-referral-screen",
                "api-referral-return",
                "api-referral-list-for-panel",
                "api-referral-decide",
                "api-referral-ratify",
                "api-referral-withdraw",
            )
        ),
    ]

    assert [response.status_code for response in responses] == [404] * 9
    for response in responses:
        assert "Holloway" not in response.content.decode()
        assert SECRET not in response.content.decode()
    # Nothing seen; each request refused, and logged as such against the person.
    events = AccessEvent.objects.filter(user=outsider)
    assert set(events.values_list("action", "nominal_id")) == {(AccessEvent.Action.REFUSED, referral.nominal_id)}
    assert events.count() == 9
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED


def test_someone_elses_draft_is_404(partnership, person):
    referral = draft_referral(person, partnership.probation_officer)
    colleague = UserFactory.create(agency=partnership.probation, roles=[Role.PRACTITIONER])

    assert client_for(colleague).get(url("api-referral-detail", referral)).status_code == 404


def test_the_list_never_shows_a_referral_of_a_person_out_of_scope(partnership):
    referral = police_referral(partnership)
    iom_team_elsewhere = UserFactory.create(agency=partnership.elsewhere, roles=[Role.PRACTITIONER])
    iom_team_in_scope = UserFactory.create(agency=partnership.probation, roles=[Role.PRACTITIONER])

    for query in ({}, {"q": "Holloway"}, {"q": referral.reference}, {"status": "submitted"}, {"sort": "newest"}):
        hidden = client_for(iom_team_elsewhere).get(reverse("api-referral-list"), query)
        shown = client_for(iom_team_in_scope).get(reverse("api-referral-list"), query)

        assert hidden.status_code == 200
        assert hidden.json()["results"] == [], query
        assert "Holloway" not in hidden.content.decode()
        assert [item["id"] for item in shown.json()["results"]] == [referral.pk], query
    assert not AccessEvent.objects.filter(user=iom_team_elsewhere).exists()
    searches = AccessEvent.objects.filter(user=iom_team_in_scope, action=AccessEvent.Action.SEARCH)
    assert [event.nominal_ids for event in searches] == [[referral.nominal_id]] * 5


def test_the_list_shows_others_only_their_own_and_their_teams_referrals(partnership):
    police_referral(partnership)
    supervisor = UserFactory.create(agency=partnership.drugs, roles=[Role.SUPERVISOR])
    worker = UserFactory.create(agency=partnership.drugs, roles=[Role.PARTNER_WORKER], supervisor=supervisor)
    own = draft_referral(make_nominal(worker), worker)

    listed = client_for(supervisor).get(reverse("api-referral-list")).json()["results"]

    assert [item["id"] for item in listed] == [own.pk]


def test_an_agency_without_the_offending_and_risk_agreement_sees_the_workflow_not_the_content(partnership):
    referral = police_referral(partnership)
    drugs = client_for(partnership.drugs_worker)  # party to the substance misuse agreement only

    detail = drugs.get(url("api-referral-detail", referral))
    core = client_for(partnership.probation_officer).get(url("api-referral-detail", referral))

    assert detail.status_code == 200
    body = detail.json()
    assert body["content_restricted"] is True
    assert body["status"] == "submitted"
    assert body["person"]["name"] == "Casey Holloway"
    for hidden in ("why_now", "criteria", "strand", "offences", "ogrs_percent", "needs", "score", "eligibility"):
        assert hidden not in body
    assert all("note" not in activity for activity in body["activities"])
    assert SECRET not in detail.content.decode()
    assert core.json()["content_restricted"] is False
    assert core.json()["why_now"] == SECRET
    event = AccessEvent.objects.filter(user=partnership.drugs_worker).get()
    assert event.categories == ["identity"]
    assert AccessEvent.objects.filter(user=partnership.probation_officer).get().categories == [
        "identity",
        "offending-risk",
    ]


def test_the_list_gives_the_iom_team_strand_and_score_and_filters_by_score(partnership):
    referral = police_referral(partnership)
    assert referral.score is not None
    team = client_for(partnership.probation_officer)

    shown = team.get(reverse("api-referral-list")).json()["results"]
    above = team.get(reverse("api-referral-list"), {"min_score": str(referral.score)}).json()["results"]
    beyond = team.get(reverse("api-referral-list"), {"min_score": str(referral.score + 1)}).json()["results"]
    bad = team.get(reverse("api-referral-list"), {"status": "pending"})

    assert (shown[0]["strand"], Decimal(shown[0]["score"])) == ("fixed", referral.score)
    assert shown[0]["content_restricted"] is False
    assert [item["id"] for item in above] == [referral.pk]
    assert beyond == []
    assert bad.status_code == 400
    assert "status" in bad.json()


def test_a_sysadmin_elsewhere_sees_the_referral_but_not_its_content(partnership):
    referral = police_referral(partnership)
    admin = UserFactory.create(agency=partnership.elsewhere, roles=[Role.SYSTEM_ADMIN])

    detail = client_for(admin).get(url("api-referral-detail", referral))

    assert detail.status_code == 200
    assert detail.json()["content_restricted"] is True
    assert SECRET not in detail.content.decode()


def test_list_items_of_restricted_referrals_have_null_strand_and_score(partnership):
    referral = police_referral(partnership)
    # The IOM team of another force, which finds the person through an agreement that shares
    # identity but not offending and risk.
    admin = UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN])
    agreement_in_force(
        by=admin,
        title="Identity only",
        purpose="Knowing who is on IOM next door",
        parties=[partnership.elsewhere],
        clauses=[ClauseSpec(DataCategory.objects.get(code="identity"))],
        starts_on=TODAY() - datetime.timedelta(days=1),
    )
    neighbour = UserFactory.create(agency=partnership.elsewhere, roles=[Role.PRACTITIONER])

    listed = client_for(neighbour).get(reverse("api-referral-list")).json()["results"]
    strand_filtered = client_for(neighbour).get(reverse("api-referral-list"), {"strand": "fixed"}).json()["results"]

    assert [item["id"] for item in listed] == [referral.pk]
    assert listed[0]["content_restricted"] is True
    assert (listed[0]["strand"], listed[0]["score"]) == (None, None)
    assert strand_filtered == []


# --- Cost ------------------------------------------------------------------------------------------


def count_queries(api: APIClient, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    return len(queries)


def test_the_list_and_the_referral_run_a_fixed_number_of_queries(partnership, chair):
    team = client_for(partnership.probation_officer)
    small = police_referral(partnership)
    count_queries(team, reverse("api-referral-list"))  # warm caches (content types, the matrix)
    list_small = count_queries(team, reverse("api-referral-list"))
    detail_small = count_queries(team, url("api-referral-detail", small))

    today = TODAY()
    many_offences = {
        "offences": [
            {"offence_type": "burglary", "committed_on": today - datetime.timedelta(days=day), "description": ""}
            for day in range(1, 15)
        ]
    }
    many_needs = {
        "needs": [
            {"pathway": pathway, "level": "medium", "note": ""}
            for pathway in ("accommodation", "ete", "health", "drugs_alcohol", "finance", "family", "attitudes")
        ]
    }
    for _ in range(8):
        big = police_referral(partnership, offending=many_offences, needs=many_needs)
    returned = submitted_referral(make_nominal(partnership.officer), partnership.officer, offending=many_offences)
    referral_return(referral=returned, by=partnership.officer, questions="More detail?")
    referral_submit(referral=returned, by=partnership.officer)
    referral_screen(referral=returned, by=partnership.officer)
    cohort_membership_start(nominal=returned.nominal)
    other = listed_referral(make_nominal(partnership.officer), partnership.officer, partnership.officer)
    referral_decide(referral=other, by=chair, outcome="deferred", rationale="More information")
    cohort_membership_start(nominal=other.nominal)

    assert count_queries(team, reverse("api-referral-list")) == list_small
    assert count_queries(team, url("api-referral-detail", big)) == detail_small
    assert count_queries(team, url("api-referral-detail", returned)) == detail_small
    assert count_queries(team, url("api-referral-detail", other)) == detail_small


# --- The selection matrix ---------------------------------------------------------------------------


def test_the_iom_team_and_chairs_read_the_matrix_and_partners_do_not(partnership, chair):
    partner = UserFactory.create(agency=partnership.drugs, roles=[Role.PARTNER_WORKER])

    read = client_for(partnership.officer).get(reverse("api-selection-criteria"))

    assert read.status_code == 200
    assert read.json()["version"]["number"] >= 1
    assert "OGRS band" in [criterion["name"] for criterion in read.json()["criteria"]]
    assert client_for(chair).get(reverse("api-selection-criteria")).status_code == 200
    assert client_for(partner).get(reverse("api-selection-criteria")).status_code == 403


def test_changing_a_weight_rescores_open_referrals_and_keeps_the_old_score(partnership):
    referral = police_referral(partnership)
    before = referral.score
    assert before is not None
    admin = UserFactory.create(agency=partnership.police, roles=[Role.SYSTEM_ADMIN])
    ogrs = SelectionCriterion.objects.get(measure="ogrs_band")
    versions = SelectionMatrixVersion.objects.count()

    changed = client_for(admin).patch(
        url("api-selection-criterion", ogrs), {"weight": str(ogrs.weight + 2)}, format="json"
    )

    assert changed.status_code == 200, changed.json()
    assert Decimal(changed.json()["weight"]) == ogrs.weight + 2
    assert SelectionMatrixVersion.objects.count() == versions + 1
    referral.refresh_from_db()
    assert referral.score == before + 2 * 2  # OGRS 82%: the high band, 2 points
    scores = ReferralScore.objects.filter(referral=referral)
    assert [(score.total, score.is_current) for score in scores.order_by("pk")] == [
        (before, False),
        (referral.score, True),
    ]
    shown = client_for(partnership.officer).get(url("api-referral-detail", referral)).json()["score"]
    assert shown["matrix_version"] == SelectionMatrixVersion.objects.latest("number").number


def test_only_a_system_administrator_changes_the_matrix_and_bad_values_are_400(partnership):
    ogrs = SelectionCriterion.objects.get(measure="ogrs_band")
    other = SelectionCriterion.objects.exclude(pk=ogrs.pk).earliest("pk")
    admin = client_for(UserFactory.create(agency=partnership.police, roles=[Role.SYSTEM_ADMIN]))

    forbidden = client_for(partnership.officer).patch(
        url("api-selection-criterion", ogrs), {"weight": "9"}, format="json"
    )
    negative = admin.patch(url("api-selection-criterion", ogrs), {"weight": "-1"}, format="json")
    taken = admin.patch(url("api-selection-criterion", ogrs), {"name": other.name}, format="json")
    missing = admin.patch(url("api-selection-criterion", 10**9), {"weight": "1"}, format="json")

    assert forbidden.status_code == 403
    assert negative.json()["errors"] == {"weight": ["The weight must be 0 or more"]}
    assert taken.status_code == 400
    assert "name" in taken.json()["errors"]
    assert missing.status_code == 404
    ogrs.refresh_from_db()
    assert ogrs.weight == Decimal("3.00")


# --- Schema ------------------------------------------------------------------------------------------


def test_the_referral_endpoints_are_in_the_openapi_schema(partnership):
    api = client_for(partnership.officer)

    schema = api.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert {
        "/api/v1/referrals/",
        "/api/v1/referrals/{id}/",
        "/api/v1/referrals/{id}/sections/{code}/",
        "/api/v1/referrals/{id}/decide/",
        "/api/v1/selection-criteria/",
        "/api/v1/selection-criteria/{id}/",
    } <= set(schema["paths"])
    referral = schema["components"]["schemas"]["Referral"]
    assert "why_now" not in referral["required"], "absent where the content is restricted"
    assert {"status", "content_restricted", "decisions"} <= set(referral["required"])
