"""The IOM team's and panel chairs' action pages on a referral (referrals/workflow_views.py): each
allowed, refused by role (403), out of scope (404), with bad input and in the wrong state."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import (
    CaseAssignment,
    CohortMembership,
    ManagementLevel,
    PriorityCohort,
    RagAssessment,
    RagRating,
)
from cohorts.models import AccessEvent
from cohorts.records.services import cohort_membership_start
from referrals.models import Referral, ReferralActivity, ReferralDecision
from referrals.services import referral_decide
from sharing.models import User
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.referrals.factories import (
    LISTING_PANEL_TITLE,
    listed_referral,
    screened_referral,
    selection_panel_on,
    submitted_referral,
)
from tests.sharing.factories import UserFactory

URGENT = {"urgency": {"urgent": True, "urgency_reason": "Released tomorrow with nowhere to live."}}


@dataclass
class Team:
    referrer: User  # a police practitioner: the referring agency, and on the IOM team
    screener: User  # another police practitioner
    chair: User  # a police panel chair
    lead: User  # a probation practitioner, the lead professional on accept
    police_lead: User


@pytest.fixture
def team(partnership) -> Team:
    return Team(
        referrer=partnership.officer,
        screener=UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER]),
        chair=UserFactory.create(
            agency=partnership.police, roles=[Role.PANEL_CHAIR], first_name="Alex", last_name="Chair"
        ),
        lead=partnership.probation_officer,
        police_lead=UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR]),
    )


@pytest.fixture
def person(partnership):
    return make_nominal(partnership.officer, first_name="Robin", last_name="Hartley")


def page(name: str, referral: Referral) -> str:
    return reverse(name, args=[referral.pk])


def fresh(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


def signed_in_as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def banner(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def accept_data(team: Team, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "outcome": "accepted",
        "rationale": "Meets the Fixed criteria; offending escalating.",
        "strand": "fixed",
        "level": str(ManagementLevel.objects.get(code="enhanced").pk),
        "rag": str(RagRating.objects.get(code="red").pk),
        "rag_rationale": "Three burglaries in two months.",
        "lead_professional": str(team.lead.pk),
        "police_lead": str(team.police_lead.pk),
        "mappa_level": "",
        "priority_cohorts": [str(PriorityCohort.objects.get(code="knife-crime").pk)],
    }
    data.update(overrides)
    return data


# --- Screen ------------------------------------------------------------------------------------------


def test_the_iom_team_screens_a_submitted_referral(client, team, person):
    referral = submitted_referral(person, team.referrer)
    signed_in_as(client, team.screener)

    shown = client.get(page("referral-screen", referral))
    body = shown.content.decode()
    assert shown.status_code == 200
    assert f"{referral.reference}: Robin Hartley (submitted)" in body
    assert "checked the referral is complete" in body
    assert AccessEvent.objects.filter(
        user=team.screener, nominal=person, path=page("referral-screen", referral)
    ).exists()

    response = client.post(page("referral-screen", referral), {"note": "All sections complete."})

    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert banner(response) == [f"{referral.reference} has been screened. It can now be listed for a panel."]
    assert fresh(referral).status == Referral.Status.SCREENED
    assert referral.activities.filter(action=ReferralActivity.Action.SCREENED, note="All sections complete.").exists()


def test_a_note_too_long_is_refused_and_kept(client, team, person):
    referral = submitted_referral(person, team.referrer)
    signed_in_as(client, team.screener)

    response = client.post(page("referral-screen", referral), {"note": "x" * 2001})

    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert "x" * 2001 in response.content.decode()
    assert fresh(referral).status == Referral.Status.SUBMITTED


def test_a_screened_referral_cannot_be_screened_again(client, team, person):
    referral = screened_referral(person, team.referrer, team.screener)
    signed_in_as(client, team.screener)

    shown = client.get(page("referral-screen", referral))
    assert shown.status_code == 200
    assert f"{referral.reference} is screened: it cannot be screened." in shown.content.decode()
    assert 'name="note"' not in shown.content.decode()

    response = client.post(page("referral-screen", referral), {"note": ""})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert f"{referral.reference} is screened: it cannot be screened." in response.content.decode()
    assert referral.activities.filter(action=ReferralActivity.Action.SCREENED).count() == 1


# --- Return ------------------------------------------------------------------------------------------


def test_the_iom_team_returns_a_referral_with_questions(client, team, person):
    referral = submitted_referral(person, team.referrer)
    signed_in_as(client, team.screener)

    response = client.post(page("referral-return", referral), {"questions": "Which licence conditions apply?"})

    assert response.status_code == 302
    referral = fresh(referral)
    assert referral.status == Referral.Status.RETURNED
    assert referral.questions == "Which licence conditions apply?"
    assert "returned to the referrer" in banner(response)[0]


def test_returning_needs_the_questions(client, team, person):
    referral = submitted_referral(person, team.referrer)
    signed_in_as(client, team.screener)

    response = client.post(page("referral-return", referral), {"questions": "  "})

    assert response.status_code == 400
    assert "Enter the questions for the referrer" in response.content.decode()
    assert fresh(referral).status == Referral.Status.SUBMITTED


def test_a_listed_referral_cannot_be_returned(client, team, person):
    referral = listed_referral(person, team.referrer, team.screener)
    signed_in_as(client, team.screener)

    response = client.post(page("referral-return", referral), {"questions": "Anything else?"})

    assert response.status_code == 200
    assert "is listed for panel: it cannot be returned to the referrer." in response.content.decode()
    assert fresh(referral).status == Referral.Status.LISTED


# --- List for a panel --------------------------------------------------------------------------------


def test_the_iom_team_lists_a_screened_referral_for_a_scheduled_panel(client, team, person):
    """The panels offered are the scheduled ones: never a typed date (a Monday with no panel put the
    referral on no agenda)."""
    referral = screened_referral(person, team.referrer, team.screener)
    next_week = selection_panel_on(timezone.localdate() + datetime.timedelta(days=7), team.screener)
    signed_in_as(client, team.screener)

    shown = client.get(page("referral-list-for-panel", referral)).content.decode()
    assert f'value="{next_week.isoformat()}"' in shown
    assert f"{next_week:%A %-d %B %Y}, 10:00: {LISTING_PANEL_TITLE}" in shown
    assert "panel_date_0" not in shown

    response = client.post(page("referral-list-for-panel", referral), {"panel_date": next_week.isoformat()})

    assert response.status_code == 302
    referral = fresh(referral)
    assert (referral.status, referral.panel_date) == (Referral.Status.LISTED, next_week)
    assert banner(response) == [f"{referral.reference} has been listed for the panel on {next_week:%-d %B %Y}."]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ({"panel_date": "2030-02-31"}, "Choose one of the scheduled selection panels"),
        ({"list": ""}, "Choose the selection panel"),
        ({"panel_date": "2020-01-01"}, "Choose one of the scheduled selection panels"),
        ({"panel_date": "+1"}, "Choose one of the scheduled selection panels"),  # a day with no panel
    ],
)
def test_a_panel_not_offered_is_explained(client, team, person, day, message):
    referral = screened_referral(person, team.referrer, team.screener)
    selection_panel_on(timezone.localdate() + datetime.timedelta(days=7), team.screener)
    if day.get("panel_date") == "+1":
        day = {"panel_date": (timezone.localdate() + datetime.timedelta(days=8)).isoformat()}
    signed_in_as(client, team.screener)

    response = client.post(page("referral-list-for-panel", referral), day)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'href="#id_panel_date_1"' in response.content.decode()
    assert fresh(referral).status == Referral.Status.SCREENED


def test_with_no_panel_scheduled_the_page_says_how_to_get_one(client, team, person):
    referral = screened_referral(person, team.referrer, team.screener)
    signed_in_as(client, team.screener)

    shown = client.get(page("referral-list-for-panel", referral)).content.decode()

    assert 'data-testid="no-panel"' in shown
    assert "No selection panel is scheduled that you can see" in shown


def test_a_submitted_referral_is_screened_before_it_is_listed(client, team, person):
    referral = submitted_referral(person, team.referrer)
    signed_in_as(client, team.screener)

    response = client.get(page("referral-list-for-panel", referral))

    assert response.status_code == 200
    assert "is submitted: it cannot be listed for a panel." in response.content.decode()
    assert "panel_date_0" not in response.content.decode()


# --- Decide ------------------------------------------------------------------------------------------


def test_the_decision_page_offers_the_terms_of_acceptance(client, team, person):
    referral = listed_referral(person, team.referrer, team.screener)
    signed_in_as(client, team.chair)

    response = client.get(page("referral-decide", referral))
    body = response.content.decode()

    assert response.status_code == 200
    assert f"{referral.reference}: Robin Hartley (listed for panel)" in body
    assert 'govuk-tag govuk-tag--red">Red</strong>' in body
    assert "Supervisor reviews every 2 weeks." in body
    assert "Priority (adults only: 18 or over)" in body
    assert '<optgroup label="Probation Northmoor">' in body
    assert '<optgroup label="Northmoor Police">' in body
    assert re.search(r'value="fixed"\s+checked="checked"', body), "the proposed strand is the default"
    assert "urgent decision outside a panel meeting" not in body


def test_a_panel_chair_accepts_a_listed_referral_onto_the_cohort(client, team, person):
    referral = listed_referral(person, team.referrer, team.screener)
    signed_in_as(client, team.chair)

    response = client.post(page("referral-decide", referral), accept_data(team))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert banner(response) == [f"{referral.reference}: accepted onto iom. Robin Hartley is now on the IOM cohort."]
    assert fresh(referral).status == Referral.Status.ACCEPTED
    membership = CohortMembership.objects.get(nominal=person, ended_on__isnull=True)
    assert membership.management.strand == "fixed"
    assert membership.management.level.code == "enhanced"
    assert [cohort.code for cohort in membership.management.priority_cohorts.all()] == ["knife-crime"]
    rag = RagAssessment.objects.get(nominal=person)
    assert (rag.rating.code, rag.rationale, rag.assessed_by) == ("red", "Three burglaries in two months.", team.chair)
    leads = {
        assignment.role: assignment.worker
        for assignment in CaseAssignment.objects.filter(nominal=person, ended_on=None)
    }
    assert leads == {
        CaseAssignment.Role.LEAD_PROFESSIONAL: team.lead,
        CaseAssignment.Role.POLICE_LEAD: team.police_lead,
    }
    decision = ReferralDecision.objects.get(referral=referral)
    assert decision.ratification == ""
    assert decision.membership == membership


def test_accepting_needs_the_terms_and_keeps_what_was_typed(client, team, person):
    referral = listed_referral(person, team.referrer, team.screener)
    signed_in_as(client, team.chair)

    response = client.post(
        page("referral-decide", referral),
        accept_data(team, strand="", level="", rag="", rag_rationale="", lead_professional="", police_lead=""),
    )
    body = response.content.decode()

    assert response.status_code == 400
    for message in (
        "Select the strand",
        "Select the level or team",
        "Select the initial RAG rating",
        "Give the reason for the initial RAG rating",
        "Select the lead professional",
        "Select the IOM police lead officer",
    ):
        assert message in body
    assert "Meets the Fixed criteria; offending escalating." in body
    assert 'href="#id_strand_1">Select the strand' in body  # the summary links to the first radio
    assert fresh(referral).status == Referral.Status.LISTED
    assert not CohortMembership.objects.filter(nominal=person).exists()


def test_a_decision_needs_its_reasons(client, team, person):
    referral = listed_referral(person, team.referrer, team.screener)
    signed_in_as(client, team.chair)

    response = client.post(page("referral-decide", referral), {"outcome": "rejected", "rationale": ""})

    assert response.status_code == 400
    assert "Give the reason for the decision" in response.content.decode()
    assert not ReferralDecision.objects.filter(referral=referral).exists()


def test_eligibility_refuses_priority_level_for_a_young_person_on_the_level(client, team, partnership):
    sixteen = timezone.localdate() - datetime.timedelta(days=16 * 365)
    young = make_nominal(partnership.officer, first_name="Sam", last_name="Young", date_of_birth=sixteen)
    referral = listed_referral(young, team.referrer, team.screener)
    signed_in_as(client, team.chair)

    response = client.post(
        page("referral-decide", referral),
        accept_data(team, level=str(ManagementLevel.objects.get(code="priority").pk)),
    )

    assert response.status_code == 400
    assert "Priority management is for adults (18 and over)." in response.content.decode()
    assert fresh(referral).status == Referral.Status.LISTED


def test_a_rejection_needs_no_terms(client, team, person):
    referral = listed_referral(person, team.referrer, team.screener)
    signed_in_as(client, team.chair)

    response = client.post(
        page("referral-decide", referral), {"outcome": "rejected", "rationale": "Does not meet the criteria."}
    )

    assert response.status_code == 302
    assert fresh(referral).status == Referral.Status.REJECTED
    assert ReferralDecision.objects.get(referral=referral).rationale == "Does not meet the criteria."
    assert not CohortMembership.objects.filter(nominal=person).exists()


def test_an_urgent_referral_is_decided_outside_a_meeting_to_be_ratified(client, team, person):
    referral = submitted_referral(person, team.referrer, **URGENT)
    signed_in_as(client, team.chair)

    shown = client.get(page("referral-decide", referral))
    assert "This is an urgent decision outside a panel meeting" in shown.content.decode()
    assert 'name="outside_meeting" value="True"' in shown.content.decode()

    response = client.post(page("referral-decide", referral), accept_data(team, outside_meeting="True"))

    assert response.status_code == 302, response.content.decode()[:2000]
    referral = fresh(referral)
    assert (referral.status, referral.to_be_ratified) == (Referral.Status.ACCEPTED, True)
    decision = ReferralDecision.objects.get(referral=referral)
    assert decision.ratification == ReferralDecision.Ratification.TO_BE_RATIFIED
    assert "to be ratified by the next panel" in banner(response)[0]
    assert CohortMembership.objects.filter(nominal=person, ended_on__isnull=True).exists()


def test_a_submitted_referral_that_is_not_urgent_cannot_be_decided_yet(client, team, person):
    referral = submitted_referral(person, team.referrer)
    signed_in_as(client, team.chair)

    response = client.get(page("referral-decide", referral))
    body = response.content.decode()

    assert response.status_code == 200
    assert "it can be decided once the IOM team has screened it and listed it" in body
    assert 'name="outcome"' not in body


def test_the_second_decision_is_told_the_referral_was_already_decided(client, team, person, partnership):
    referral = listed_referral(person, team.referrer, team.screener)
    other_chair = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])
    first = Client()
    first.force_login(team.chair)
    signed_in_as(client, other_chair)

    assert first.post(page("referral-decide", referral), {"outcome": "rejected", "rationale": "No."}).status_code == 302
    response = client.post(page("referral-decide", referral), accept_data(team))
    body = response.content.decode()

    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert f"{referral.reference} has already been decided by Alex Chair on" in body
    assert ReferralDecision.objects.filter(referral=referral).count() == 1
    assert fresh(referral).status == Referral.Status.REJECTED


def test_the_service_refusal_of_a_decision_already_taken_is_shown(client, team, person, monkeypatch):
    """Two chairs at once: the page saw the referral listed, the service finds it decided."""
    from referrals import workflow_views

    referral = listed_referral(person, team.referrer, team.screener)
    signed_in_as(client, team.chair)
    monkeypatch.setattr(workflow_views, "decision_state", lambda referral: ("", False))
    referral_decide(referral=referral, by=team.chair, outcome="rejected", rationale="Decided first.")

    response = client.post(page("referral-decide", referral), accept_data(team))

    assert response.status_code == 200
    assert "has already been decided by Alex Chair at" in response.content.decode()
    assert ReferralDecision.objects.filter(referral=referral).count() == 1


def test_the_decision_page_takes_the_same_queries_however_many_users(
    client, team, person, partnership, django_assert_num_queries
):
    referral = listed_referral(person, team.referrer, team.screener)
    signed_in_as(client, team.chair)
    client.get(page("referral-decide", referral))  # warm up the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(page("referral-decide", referral)).status_code == 200

    for agency in (partnership.police, partnership.probation, partnership.prison, partnership.drugs):
        for role in (Role.PRACTITIONER, Role.PARTNER_WORKER, Role.SUPERVISOR):
            UserFactory.create_batch(3, agency=agency, roles=[role])

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(page("referral-decide", referral))
    assert response.content.decode().count("<option") > 30


# --- Ratify ------------------------------------------------------------------------------------------


def test_a_panel_chair_ratifies_an_urgent_decision(client, team, person):
    referral = submitted_referral(person, team.referrer, **URGENT)
    referral_decide(
        referral=referral, by=team.chair, outcome="rejected", rationale="Not IOM: refer to MARAC.", outside_meeting=True
    )
    signed_in_as(client, team.chair)

    shown = client.get(page("referral-ratify", referral))
    assert shown.status_code == 200
    assert "The decision to ratify" in shown.content.decode()
    assert "Not IOM: refer to MARAC." in shown.content.decode()

    response = client.post(page("referral-ratify", referral), {"note": "Panel of 3 March"})

    assert response.status_code == 302
    assert fresh(referral).to_be_ratified is False
    decision = ReferralDecision.objects.get(referral=referral)
    assert (decision.ratification, decision.ratified_by) == (ReferralDecision.Ratification.RATIFIED, team.chair)


def test_there_is_nothing_to_ratify_on_a_referral_decided_in_a_panel(client, team, person):
    referral = listed_referral(person, team.referrer, team.screener)
    referral_decide(referral=referral, by=team.chair, outcome="rejected", rationale="No.")
    signed_in_as(client, team.chair)

    assert "has no decision waiting to be ratified" in client.get(page("referral-ratify", referral)).content.decode()
    response = client.post(page("referral-ratify", referral), {"note": ""})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert ReferralDecision.objects.get(referral=referral).ratification == ""


def test_a_ratification_note_too_long_is_refused(client, team, person):
    referral = submitted_referral(person, team.referrer, **URGENT)
    referral_decide(referral=referral, by=team.chair, outcome="rejected", rationale="No.", outside_meeting=True)
    signed_in_as(client, team.chair)

    response = client.post(page("referral-ratify", referral), {"note": "x" * 2001})

    assert response.status_code == 400
    assert fresh(referral).to_be_ratified is True


# --- Withdraw ----------------------------------------------------------------------------------------


def test_the_referrer_withdraws_their_referral(client, team, person):
    referral = submitted_referral(person, team.referrer)
    signed_in_as(client, team.referrer)

    response = client.post(page("referral-withdraw", referral), {"reason": "Recalled to prison."})

    assert response.status_code == 302
    assert fresh(referral).status == Referral.Status.WITHDRAWN
    assert referral.activities.filter(action=ReferralActivity.Action.WITHDRAWN, note="Recalled to prison.").exists()


@pytest.mark.parametrize(
    ("agency", "role", "allowed"),
    [
        ("police", Role.PARTNER_WORKER, True),  # the referring agency: any role that refers
        ("police", Role.SUPERVISOR, True),
        ("police", Role.ANALYST, False),
        ("probation", Role.PRACTITIONER, True),  # the IOM team
        ("probation", Role.PANEL_CHAIR, True),
        ("probation", Role.PARTNER_WORKER, False),
        ("prison", Role.PARTNER_WORKER, False),  # sees the person under the core agreement
        ("prison", Role.PANEL_CHAIR, False),
    ],
)
def test_who_may_withdraw_depends_on_agency_and_role(client, team, person, partnership, agency, role, allowed):
    referral = submitted_referral(person, team.referrer)
    cohort_membership_start(nominal=person)  # the core agreement shares the cohort with probation and prison
    signed_in_as(client, UserFactory.create(agency=getattr(partnership, agency), roles=[role]))

    shown = client.get(page("referral-withdraw", referral))
    response = client.post(page("referral-withdraw", referral), {"reason": "No longer needed."})

    assert shown.status_code == (200 if allowed else 403)
    assert response.status_code == (302 if allowed else 403)
    assert fresh(referral).status == (Referral.Status.WITHDRAWN if allowed else Referral.Status.SUBMITTED)


def test_withdrawing_needs_a_reason(client, team, person):
    referral = submitted_referral(person, team.referrer)
    signed_in_as(client, team.referrer)

    response = client.post(page("referral-withdraw", referral), {"reason": ""})

    assert response.status_code == 400
    assert "Enter why the referral is withdrawn" in response.content.decode()
    assert fresh(referral).status == Referral.Status.SUBMITTED


def test_a_decided_referral_cannot_be_withdrawn(client, team, person):
    referral = listed_referral(person, team.referrer, team.screener)
    referral_decide(referral=referral, by=team.chair, outcome="rejected", rationale="No.")
    signed_in_as(client, team.referrer)

    assert "it cannot be withdrawn" in client.get(page("referral-withdraw", referral)).content.decode()
    response = client.post(page("referral-withdraw", referral), {"reason": "Changed my mind."})

    assert response.status_code == 200
    assert "is rejected: it cannot be withdrawn." in response.content.decode()
    assert fresh(referral).status == Referral.Status.REJECTED


# --- Every page: role and scope ----------------------------------------------------------------------

PAGES = ["referral-screen", "referral-return", "referral-list-for-panel", "referral-decide", "referral-ratify"]
POSTS = {
    "referral-screen": {"note": ""},
    "referral-return": {"questions": "Why?"},
    "referral-list-for-panel": {"panel_date_0": "1", "panel_date_1": "1", "panel_date_2": "2099"},
    "referral-decide": {"outcome": "rejected", "rationale": "No."},
    "referral-ratify": {"note": ""},
    "referral-withdraw": {"reason": "No longer needed."},
}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", [Role.ANALYST, Role.AGENCY_ADMIN, Role.PARTNER_WORKER])
def test_roles_that_may_not_act_are_refused(client, team, person, partnership, name, role):
    referral = submitted_referral(person, team.referrer, **URGENT)
    signed_in_as(client, UserFactory.create(agency=partnership.police, roles=[role]))

    assert client.get(page(name, referral)).status_code == 403
    assert client.post(page(name, referral), POSTS[name]).status_code == 403
    assert fresh(referral).status == Referral.Status.SUBMITTED


@pytest.mark.parametrize("name", ["referral-screen", "referral-return", "referral-list-for-panel"])
def test_partners_outside_the_iom_team_may_not_screen_or_list(client, team, person, partnership, name):
    referral = submitted_referral(person, team.referrer)
    cohort_membership_start(nominal=person)  # the core agreement shares the cohort with the prison
    signed_in_as(client, UserFactory.create(agency=partnership.prison, roles=[Role.PRACTITIONER]))

    assert client.get(page(name, referral)).status_code == 403


@pytest.mark.parametrize("name", ["referral-decide", "referral-ratify"])
def test_only_panel_chairs_decide_and_ratify(client, team, person, name):
    referral = submitted_referral(person, team.referrer, **URGENT)
    signed_in_as(client, team.screener)

    assert client.get(page(name, referral)).status_code == 403
    assert client.post(page(name, referral), POSTS[name]).status_code == 403
    assert not ReferralDecision.objects.filter(referral=referral).exists()


@pytest.mark.parametrize("name", [*PAGES, "referral-withdraw"])
def test_a_referral_out_of_scope_is_not_found(client, team, person, partnership, name):
    referral = submitted_referral(person, team.referrer, **URGENT)
    outsider = UserFactory.create(agency=partnership.elsewhere, roles=[Role.PANEL_CHAIR])
    signed_in_as(client, outsider)

    shown = client.get(page(name, referral))
    posted = client.post(page(name, referral), POSTS[name])

    assert (shown.status_code, posted.status_code) == (404, 404)
    assert "Hartley" not in shown.content.decode()
    assert fresh(referral).status == Referral.Status.SUBMITTED
    assert (
        client.get(f"/referrals/{10**9}/{name.removeprefix('referral-').replace('-for-panel', '')}/").status_code == 404
    )
