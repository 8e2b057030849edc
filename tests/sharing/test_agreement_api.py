"""The agreements API (sharing/api.py): every role of a party agency reads an agreement; only its
agency administrators (and system administrators) change it; everyone else gets 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cohorts.records.services import cohort_membership_start
from sharing.models import Agency, SharingAgreement
from sharing.roles import Role
from sharing.services import agreement_suspend
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import AgencyFactory, UserFactory

ACTIONS = ["activate", "suspend", "end"]


@pytest.fixture
def api():
    return APIClient()


def list_url():
    return reverse("api-agreement-list")


def detail_url(agreement):
    return reverse("api-agreement-detail", args=[agreement.pk])


def action_url(agreement, action):
    return reverse(f"api-agreement-{action}", args=[agreement.pk])


def new_agreement(partnership, **overrides):
    return {
        "title": "Youth to adult transfer sharing",
        "purpose": "Planning transfers at 18",
        "legal_basis": SharingAgreement.LegalBasis.CRIME_AND_DISORDER,
        "parties": [partnership.probation.pk],
        "clauses": [{"category": "identity"}, {"category": "family", "consent_required": True}],
        "starts_on": timezone.localdate().isoformat(),
        **overrides,
    }


def agency_admin(agency):
    return UserFactory.create(agency=agency, roles=[Role.AGENCY_ADMIN])


# --- Reading ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_every_role_of_a_party_reads_an_agreement_and_outsiders_get_404(api, partnership, role):
    core = partnership.core
    api.force_login(UserFactory.create(agency=partnership.probation, roles=[role]))
    assert api.get(detail_url(core)).status_code == 200
    listed = [found["reference"] for found in api.get(list_url()).json()["results"]]
    assert core.reference in listed

    api.force_login(UserFactory.create(agency=partnership.elsewhere, roles=[role]))
    response = api.get(detail_url(core))
    listed = [found["reference"] for found in api.get(list_url()).json()["results"]]

    if role == Role.SYSTEM_ADMIN:
        assert response.status_code == 200
        assert core.reference in listed
    else:
        assert response.status_code == 404
        assert core.title not in response.content.decode()
        assert core.reference not in listed


def test_an_agreement_that_does_not_exist_is_404_the_same(api, partnership):
    api.force_login(partnership.officer)

    assert api.get(reverse("api-agreement-detail", args=[10**9])).status_code == 404


def test_the_list_holds_only_the_agencys_agreements(api, partnership):
    api.force_login(partnership.drugs_worker)

    body = api.get(list_url()).json()

    assert [found["reference"] for found in body["results"]] == [partnership.substance.reference]
    assert body["count"] == 1


def test_an_agreement_shows_its_parties_clauses_dates_and_legal_basis(api, partnership):
    substance = partnership.substance
    api.force_login(partnership.drugs_worker)

    body = api.get(detail_url(substance)).json()

    assert body["reference"] == substance.reference
    assert (body["title"], body["status"], body["in_force"]) == ("Substance misuse treatment", "active", True)
    assert (body["legal_basis"], body["legal_basis_name"]) == (
        "cda_s115",
        "Crime and Disorder Act 1998, section 115",
    )
    assert [party["name"] for party in body["parties"]] == [
        "Compass Recovery",
        "Northmoor Police",
        "Probation Northmoor",
    ]
    assert body["clauses"] == [
        {"number": 1, "category": {"code": "substance-misuse", "name": "Substance misuse"}, "consent_required": True}
    ]
    assert (body["starts_on"], body["review_on"], body["ends_on"]) == (substance.starts_on.isoformat(), None, None)
    assert (body["has_document"], body["may_manage"]) == (False, False)


def test_an_ended_agreement_shows_its_end(api, partnership):
    api.force_login(partnership.housing_worker)

    body = api.get(detail_url(partnership.housing_agreement)).json()

    assert (body["status"], body["in_force"], body["ends_on"]) == ("ended", False, timezone.localdate().isoformat())


# --- Activating, suspending, ending -----------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_only_agency_admins_of_a_party_change_an_agreement(api, partnership, role):
    api.force_login(UserFactory.create(agency=partnership.probation, roles=[role]))

    response = api.post(action_url(partnership.core, "suspend"))

    may = role in (Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN)
    assert response.status_code == (200 if may else 403)
    partnership.core.refresh_from_db()
    assert (partnership.core.status == SharingAgreement.Status.SUSPENDED) is may
    if may:
        assert response.json()["status"] == "suspended"
    else:
        assert response.json()["detail"] == "Only an agency administrator of a party can change an agreement."


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", list(Role))
def test_a_user_of_another_agency_gets_404_for_every_action_unless_system_admin(api, partnership, role, action):
    # Something each action could change: a suspended agreement to activate, an active one otherwise.
    target = partnership.substance if action == "activate" else partnership.core
    if action == "activate":
        agreement_suspend(agreement=target, by=agency_admin(partnership.police))
    status_before = SharingAgreement.objects.get(pk=target.pk).status
    api.force_login(UserFactory.create(agency=partnership.elsewhere, roles=[role]))

    response = api.post(action_url(target, action))

    target.refresh_from_db()
    if role == Role.SYSTEM_ADMIN:
        assert response.status_code == 200
        assert target.status != status_before
    else:
        assert response.status_code == 404
        assert target.title not in response.content.decode()
        assert target.status == status_before


def test_activating_an_active_agreement_is_a_409_that_says_why(api, partnership):
    api.force_login(agency_admin(partnership.probation))

    response = api.post(action_url(partnership.core, "activate"))

    assert response.status_code == 409
    assert response.json()["detail"] == "Only a draft or suspended agreement can be activated; this one is active."


def test_ending_an_ended_agreement_is_a_409_that_says_why(api, partnership):
    api.force_login(agency_admin(partnership.housing))

    response = api.post(action_url(partnership.housing_agreement, "end"))

    assert response.status_code == 409
    assert response.json()["detail"] == "This agreement has already ended."


def test_suspending_and_activating_again_through_the_api(api, partnership):
    api.force_login(agency_admin(partnership.prison))

    suspended = api.post(action_url(partnership.core, "suspend")).json()
    activated = api.post(action_url(partnership.core, "activate")).json()

    assert (suspended["status"], suspended["in_force"]) == ("suspended", False)
    assert (activated["status"], activated["in_force"]) == ("active", True)


def test_ending_an_agreement_through_the_api_ends_access_on_the_next_request(api, partnership):
    nominal = make_nominal(partnership.officer)
    cohort_membership_start(nominal=nominal)
    person_url = reverse("api-nominal-detail", args=[nominal.pk])
    api.force_login(partnership.drugs_worker)
    assert api.get(person_url).status_code == 200

    api.force_login(agency_admin(partnership.drugs))
    ended = api.post(action_url(partnership.substance, "end"))
    assert ended.status_code == 200
    assert (ended.json()["status"], ended.json()["in_force"]) == ("ended", False)

    api.force_login(partnership.drugs_worker)
    response = api.get(person_url)
    assert response.status_code == 404
    assert nominal.last_name not in response.content.decode()
    listed = [found["id"] for found in api.get(reverse("api-nominal-list")).json()["results"]]
    assert nominal.pk not in listed


# --- Drafting ---------------------------------------------------------------------------------------


def test_an_agency_admin_drafts_an_agreement(api, partnership):
    api.force_login(agency_admin(partnership.police))

    response = api.post(list_url(), new_agreement(partnership), format="json")

    assert response.status_code == 201, response.json()
    agreement = SharingAgreement.objects.get(title="Youth to adult transfer sharing")
    assert response["Location"] == detail_url(agreement)
    assert agreement.status == SharingAgreement.Status.DRAFT
    assert set(agreement.parties.all()) == {partnership.police, partnership.probation}
    assert [(c.number, c.category.code, c.consent_required) for c in agreement.clauses.all()] == [
        (1, "identity", False),
        (2, "family", True),
    ]
    body = response.json()
    assert (body["reference"], body["status"], body["in_force"], body["may_manage"]) == (
        agreement.reference,
        "draft",
        False,
        True,
    )
    assert [clause["category"]["code"] for clause in body["clauses"]] == ["identity", "family"]


def test_clauses_are_numbered_in_the_order_given(api, partnership):
    api.force_login(agency_admin(partnership.police))
    clauses = [{"category": "family"}, {"category": "identity"}]

    api.post(list_url(), new_agreement(partnership, clauses=clauses), format="json")

    agreement = SharingAgreement.objects.get(title="Youth to adult transfer sharing")
    assert [(c.number, c.category.code) for c in agreement.clauses.all()] == [(1, "family"), (2, "identity")]


def test_a_draft_shares_nothing_until_it_is_activated_through_the_api(api, partnership):
    api.force_login(agency_admin(partnership.police))
    created = api.post(list_url(), new_agreement(partnership), format="json").json()

    response = api.post(reverse("api-agreement-activate", args=[created["id"]]))

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["in_force"]) == ("active", True)


@pytest.mark.parametrize("role", list(Role))
def test_only_agency_and_system_admins_draft_an_agreement(api, partnership, role):
    api.force_login(UserFactory.create(agency=partnership.police, roles=[role]))

    response = api.post(list_url(), new_agreement(partnership), format="json")

    may = role in (Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN)
    assert response.status_code == (201 if may else 403)
    assert SharingAgreement.objects.filter(title="Youth to adult transfer sharing").exists() is may


def test_a_user_who_may_not_draft_gets_403_before_their_input_is_read(api, partnership):
    api.force_login(partnership.officer)

    response = api.post(list_url(), {"title": ""}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only an agency administrator can draft an agreement."


def test_naming_your_own_agency_as_a_party_is_allowed(api, partnership):
    api.force_login(agency_admin(partnership.police))

    parties = [partnership.police.pk, partnership.probation.pk]
    response = api.post(list_url(), new_agreement(partnership, parties=parties), format="json")

    assert response.status_code == 201, response.json()
    assert {party["name"] for party in response.json()["parties"]} == {"Northmoor Police", "Probation Northmoor"}


def test_dates_out_of_order_are_a_400_on_the_fields(api, partnership):
    api.force_login(agency_admin(partnership.police))
    earlier = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()

    response = api.post(list_url(), new_agreement(partnership, ends_on=earlier, review_on=earlier), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "review_on": ["The review date must be on or after the start date"],
        "ends_on": ["The end date must be on or after the start date"],
    }
    assert not SharingAgreement.objects.filter(title="Youth to adult transfer sharing").exists()


def test_malformed_agreement_input_is_a_400_on_the_fields(api, partnership):
    api.force_login(agency_admin(partnership.police))

    response = api.post(
        list_url(),
        new_agreement(
            partnership,
            title="",
            legal_basis="because",
            clauses=[{"category": "no-such-category"}],
            starts_on="2025-02-31",
        ),
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"title", "legal_basis", "clauses.0.category", "starts_on"}
    assert errors["starts_on"] == ["The start date must be a real date, in the format YYYY-MM-DD"]
    assert not SharingAgreement.objects.filter(purpose="Planning transfers at 18").exists()


def test_an_agreement_needs_another_party_and_a_clause(api, partnership):
    api.force_login(agency_admin(partnership.police))

    response = api.post(
        list_url(), new_agreement(partnership, parties=[partnership.police.pk], clauses=[]), format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "parties": ["Choose at least one other agency"],
        "clauses": ["Choose at least one data category"],
    }


def test_a_party_must_be_an_active_agency(api, partnership):
    closed = AgencyFactory.create(name="Closed Service", kind=Agency.Kind.OTHER, is_active=False)
    api.force_login(agency_admin(partnership.police))

    response = api.post(list_url(), new_agreement(partnership, parties=[closed.pk]), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "parties": [f"Select a valid choice. {closed.pk} is not one of the available choices."]
    }


def test_a_category_can_have_only_one_clause(api, partnership):
    api.force_login(agency_admin(partnership.police))
    clauses = [{"category": "family"}, {"category": "family", "consent_required": True}]

    response = api.post(list_url(), new_agreement(partnership, clauses=clauses), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "clauses": ["Each data category can have only one clause (family is named more than once)"]
    }
    assert not SharingAgreement.objects.filter(title="Youth to adult transfer sharing").exists()


# --- Schema -----------------------------------------------------------------------------------------


def test_the_agreement_endpoints_are_in_the_openapi_schema(api, partnership):
    api.force_login(partnership.officer)

    schema = api.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert {
        "/api/v1/agreements/",
        "/api/v1/agreements/{id}/",
        "/api/v1/agreements/{id}/activate/",
        "/api/v1/agreements/{id}/suspend/",
        "/api/v1/agreements/{id}/end/",
    } <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/agreements/"]) >= {"get", "post"}
    assert "The API takes no document" in schema["paths"]["/api/v1/agreements/"]["post"]["description"]
    assert "document" not in schema["components"]["schemas"]["AgreementCreate"]["properties"]
