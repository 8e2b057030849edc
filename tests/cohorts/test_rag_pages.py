"""Changing a person's RAG rating (/people/<pk>/rag/ and /api/v1/people/<pk>/rag/): the IOM team and
the agencies working the case rate a person on the cohort, with a reason kept in the RAG history and
the change history; partners who see the person only through an agreement may not (403), and
agencies that do not see them get 404."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import CaseAssignment, RagAssessment, RagRating
from cohorts.models import AccessEvent
from cohorts.records.services import case_assign, cohort_membership_start, rag_assess
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory

RagAssessmentEvent = RagAssessment.pgh_event_model  # type: ignore[attr-defined]


@pytest.fixture
def nominal(partnership):
    """Recorded by the police, on the cohort for two months, rated Amber."""
    person = make_nominal(partnership.officer, first_name="Dana", last_name="Ratingson")
    cohort_membership_start(nominal=person, started_on=timezone.localdate() - datetime.timedelta(days=60))
    rag_assess(
        nominal=person,
        rating=RagRating.objects.get(code="amber"),
        rationale="Engagement mixed since release",
        by=partnership.officer,
    )
    return person


def rag_url(nominal) -> str:
    return reverse("nominal-rag", args=[nominal.pk])


def user_of(partnership, agency: str, role: Role, **fields):
    return UserFactory.create(agency=getattr(partnership, agency), roles=[role], **fields)


# --- The page --------------------------------------------------------------------------------------


def test_the_page_offers_each_active_rating_with_its_tag_and_review_cadence(client, partnership, nominal):
    RagRating.objects.create(code="retired", label="Retired", colour="purple", is_active=False)
    client.force_login(partnership.officer)

    response = client.get(rag_url(nominal))

    body = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Change the RAG rating</h1>' in body
    for code, label, colour, cadence in (
        ("red", "Red", "red", "every 2 weeks"),
        ("amber", "Amber", "orange", "every month"),
        ("green", "Green", "green", "every 3 months"),
    ):
        assert f'value="{code}"' in body
        assert f'<strong class="govuk-tag govuk-tag--{colour}">{label}</strong>' in body
        assert f"Supervisor reviews {cadence}." in body
    assert 'value="retired"' not in body
    current = body[body.index('data-testid="current-rag"') :]
    assert "govuk-tag--orange" in current
    assert "Engagement mixed since release" in current
    assert 'name="rationale"' in body


def test_opening_the_page_is_logged(client, partnership, nominal):
    client.force_login(partnership.probation_officer)

    client.get(rag_url(nominal))

    event = AccessEvent.objects.filter(user=partnership.probation_officer, nominal=nominal).get()
    assert event.path == rag_url(nominal)
    assert event.categories == ["identity"]


def test_a_new_rating_is_recorded_with_who_and_why_and_shown_on_the_person_page(client, partnership, nominal):
    client.force_login(partnership.officer)

    response = client.post(rag_url(nominal), {"rating": "red", "rationale": "  Arrested twice this week  "})

    assert response.status_code == 302
    assert response["Location"] == reverse("nominal-detail", args=[nominal.pk]) + "#on-iom"
    latest = RagAssessment.objects.filter(nominal=nominal).first()
    assert latest is not None
    assert (latest.rating.code, latest.rationale, latest.assessed_by) == (
        "red",
        "Arrested twice this week",
        partnership.officer,
    )
    page = client.get(response["Location"]).content.decode()
    assert f"{nominal.full_name}&#x27;s RAG rating is now Red." in page
    panel = page[page.index('data-testid="current-rag"') : page.index('data-testid="rag-history"')]
    assert "govuk-tag--red" in panel
    assert "Arrested twice this week" in panel
    assert "RAG history (2 ratings)" in page


def test_the_change_is_in_the_change_history_with_the_user_who_made_it(client, partnership, nominal):
    client.force_login(partnership.probation_officer)

    client.post(rag_url(nominal), {"rating": "green", "rationale": "Stable housing, engaging"})

    assessment = RagAssessment.objects.filter(nominal=nominal).first()
    event = RagAssessmentEvent.objects.filter(pgh_obj=assessment).get()
    assert event.pgh_label == "insert"
    assert event.rationale == "Stable housing, engaging"
    assert event.rating_id == RagRating.objects.get(code="green").pk
    assert event.pgh_context.metadata["user"] == partnership.probation_officer.pk
    assert event.pgh_context.metadata["url"] == rag_url(nominal)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"rating": "red", "rationale": "   "}, "rationale", "Give the reason for the rating"),
        ({"rationale": "Arrested"}, "rating", "Select the RAG rating"),
        ({"rating": "purple", "rationale": "Arrested"}, "rating", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(client, partnership, nominal, data, field, message):
    client.force_login(partnership.officer)
    before = RagAssessment.objects.count()

    response = client.post(rag_url(nominal), data)

    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert message in body
    assert "<title>Error: " in body
    assert RagAssessment.objects.count() == before
    if data.get("rationale", "").strip():
        assert data["rationale"] in body  # what was typed is kept


def test_a_retired_rating_cannot_be_given(client, partnership, nominal):
    RagRating.objects.filter(code="green").update(is_active=False)
    client.force_login(partnership.officer)

    response = client.post(rag_url(nominal), {"rating": "green", "rationale": "Doing well"})

    assert response.status_code == 400
    assert not RagAssessment.objects.filter(nominal=nominal, rating__code="green").exists()


def test_a_person_not_on_the_cohort_has_no_form(client, partnership):
    person = make_nominal(partnership.officer)
    client.force_login(partnership.officer)

    response = client.get(rag_url(person))

    body = response.content.decode()
    assert response.status_code == 200
    assert "is not on the IOM cohort" in body
    assert 'name="rationale"' not in body

    refused = client.post(rag_url(person), {"rating": "red", "rationale": "Arrested"})
    assert refused.status_code == 400
    assert "govuk-error-summary" in refused.content.decode()
    assert not RagAssessment.objects.filter(nominal=person).exists()


# --- Who may change it: role x agency ----------------------------------------------------------------

# (the user's agency, role, how their agency is involved in the case) -> status
RATERS = [
    ("police", Role.PRACTITIONER, "", 200),
    ("police", Role.SUPERVISOR, "", 200),
    ("police", Role.PANEL_CHAIR, "", 200),
    ("police", Role.ANALYST, "", 403),
    ("police", Role.AGENCY_ADMIN, "", 403),
    ("police", Role.PARTNER_WORKER, "", 403),
    ("police", Role.SYSTEM_ADMIN, "", 403),
    ("probation", Role.PRACTITIONER, "", 200),
    ("probation", Role.SUPERVISOR, "", 200),
    ("probation", Role.ANALYST, "", 403),
    # Partners who see the person through an agreement only.
    ("prison", Role.PRACTITIONER, "", 403),
    ("prison", Role.PARTNER_WORKER, "", 403),
    ("drugs", Role.PRACTITIONER, "", 403),
    ("drugs", Role.SUPERVISOR, "", 403),
    # Partners working the case: their practitioners, supervisors and panel chairs rate.
    ("prison", Role.PRACTITIONER, "key_worker", 200),
    ("prison", Role.SUPERVISOR, "key_worker", 200),
    ("prison", Role.PARTNER_WORKER, "key_worker", 403),
    ("drugs", Role.PRACTITIONER, "lead_professional", 200),
    ("drugs", Role.PARTNER_WORKER, "lead_professional", 403),  # a colleague of the lead professional
    # Agencies that do not see the person at all.
    ("housing", Role.PRACTITIONER, "", 404),
    ("elsewhere", Role.PRACTITIONER, "", 404),
    ("elsewhere", Role.PANEL_CHAIR, "", 404),
]


def involve(partnership, nominal, agency: str, role: str) -> None:
    """Give the agency a role in the case, held by one of its partner workers."""
    worker = user_of(partnership, agency, Role.PARTNER_WORKER)
    case_assign(nominal=nominal, role=role, worker=worker, by=partnership.officer)


@pytest.mark.parametrize(("agency", "role", "involvement", "status"), RATERS)
def test_who_may_change_the_rating(client, partnership, nominal, agency, role, involvement, status):
    if involvement:
        involve(partnership, nominal, agency, involvement)
    client.force_login(user_of(partnership, agency, role))
    before = RagAssessment.objects.count()

    shown = client.get(rag_url(nominal))
    posted = client.post(rag_url(nominal), {"rating": "red", "rationale": "Arrested"})

    assert shown.status_code == status
    assert posted.status_code == (302 if status == 200 else status)
    assert RagAssessment.objects.count() == before + (1 if status == 200 else 0)
    if status == 404:
        assert "Ratingson" not in shown.content.decode()


def test_the_lead_professional_rates_whatever_their_role(client, partnership, nominal):
    case_assign(
        nominal=nominal, role="lead_professional", worker=partnership.drugs_worker, by=partnership.officer
    )  # a partner worker
    client.force_login(partnership.drugs_worker)

    assert client.post(rag_url(nominal), {"rating": "red", "rationale": "Relapsed"}).status_code == 302


def test_a_person_who_does_not_exist_is_not_found(client, partnership):
    client.force_login(partnership.officer)

    assert client.get(reverse("nominal-rag", args=[10**9])).status_code == 404


@pytest.mark.parametrize(
    ("who", "offered"),
    [("officer", True), ("probation_officer", True), ("prison_officer", False), ("drugs_worker", False)],
)
def test_the_person_page_offers_the_change_only_to_those_who_may(client, partnership, nominal, who, offered):
    client.force_login(getattr(partnership, who))

    body = client.get(reverse("nominal-detail", args=[nominal.pk])).content.decode()

    assert (f'href="{rag_url(nominal)}">Change RAG rating' in body) is offered


# --- Query counts ----------------------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_runs_the_same_queries_however_long_the_history(
    client, partnership, nominal, django_assert_num_queries
):
    client.force_login(partnership.officer)
    before = count_queries(client, rag_url(nominal))

    for code in ("red", "green", "amber", "red", "green"):
        rag_assess(nominal=nominal, rating=RagRating.objects.get(code=code), rationale="Review", by=partnership.officer)
    for worker in (partnership.drugs_worker, partnership.prison_officer, partnership.probation_officer):
        case_assign(nominal=nominal, role=CaseAssignment.Role.KEY_WORKER, worker=worker, by=partnership.officer)

    with django_assert_num_queries(before):
        response = client.get(rag_url(nominal))
    assert response.content.decode().count('data-testid="rag-history-row"') == 6


# --- The API ---------------------------------------------------------------------------------------


def api_url(nominal_pk: int) -> str:
    return reverse("api-nominal-rag", args=[nominal_pk])


def test_the_api_gives_the_current_rating_and_its_history(client, partnership, nominal):
    rag_assess(nominal=nominal, rating=RagRating.objects.get(code="red"), rationale="Arrested", by=partnership.officer)
    client.force_login(partnership.prison_officer)  # reads, as on the person page

    data = client.get(api_url(nominal.pk)).json()

    assert data["on_cohort"] is True
    assert data["current"]["rating"]["code"] == "red"
    assert data["current"]["rationale"] == "Arrested"
    assert data["current"]["assessed_by"]["id"] == partnership.officer.pk
    assert data["current"]["assessed_by"]["agency"]["name"] == "Northmoor Police"
    assert [entry["rating"]["code"] for entry in data["history"]] == ["red", "amber"]
    assert [rating["code"] for rating in data["ratings"]] == ["red", "amber", "green"]
    assert data["ratings"][0]["review_cadence"] == "every 2 weeks"
    assert AccessEvent.objects.filter(user=partnership.prison_officer, path=api_url(nominal.pk)).exists()


def test_the_api_records_a_new_rating(client, partnership, nominal):
    client.force_login(partnership.probation_officer)

    response = client.post(
        api_url(nominal.pk), {"rating": "green", "rationale": "Engaging well"}, content_type="application/json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["rating"]["code"] == "green"
    assert response.json()["assessed_by"]["id"] == partnership.probation_officer.pk
    latest = RagAssessment.objects.filter(nominal=nominal).first()
    assert latest is not None
    assert (latest.rating.code, latest.rationale) == ("green", "Engaging well")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rating": "green", "rationale": " "}, "rationale"),
        ({"rating": "green"}, "rationale"),
        ({"rating": "purple", "rationale": "Why"}, "rating"),
        ({"rationale": "Why"}, "rating"),
    ],
)
def test_the_api_explains_bad_input_field_by_field(client, partnership, nominal, data, field):
    client.force_login(partnership.officer)
    before = RagAssessment.objects.count()

    response = client.post(api_url(nominal.pk), data, content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert RagAssessment.objects.count() == before


def test_the_api_refuses_partners_without_a_role_in_the_case_and_hides_the_out_of_scope(client, partnership, nominal):
    body = {"rating": "red", "rationale": "Arrested"}
    client.force_login(partnership.prison_officer)
    assert client.post(api_url(nominal.pk), body, content_type="application/json").status_code == 403
    client.force_login(partnership.outsider)
    assert client.get(api_url(nominal.pk)).status_code == 404
    assert client.post(api_url(nominal.pk), body, content_type="application/json").status_code == 404
    client.force_login(partnership.officer)
    assert client.get(api_url(10**9)).status_code == 404
    assert RagAssessment.objects.filter(nominal=nominal).count() == 1


def test_the_api_refuses_a_rating_for_someone_not_on_the_cohort(client, partnership):
    person = make_nominal(partnership.officer)
    client.force_login(partnership.officer)

    response = client.post(api_url(person.pk), {"rating": "red", "rationale": "Why"}, content_type="application/json")

    assert response.status_code == 409
    assert "not on the IOM cohort" in response.json()["detail"]
    state = client.get(api_url(person.pk)).json()
    assert (state["on_cohort"], state["current"], state["history"]) == (False, None, [])


def test_the_api_runs_the_same_queries_however_long_the_history(client, partnership, nominal):
    client.force_login(partnership.prison_officer)
    before = count_queries(client, api_url(nominal.pk))

    for code in ("red", "green", "amber", "red"):
        rag_assess(nominal=nominal, rating=RagRating.objects.get(code=code), rationale="Review", by=partnership.officer)

    assert count_queries(client, api_url(nominal.pk)) == before
