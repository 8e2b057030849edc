"""The cohort list through the API: the page's filters and rules, JSON rows, 400s with field errors."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cohorts.management.models import CaseAssignment, ManagementLevel, RagRating
from cohorts.models import AccessEvent
from cohorts.records.services import case_assign, cohort_membership_start, rag_assess
from sharing.roles import Role
from sharing.services import ClauseSpec
from tests.cohorts.factories import make_nominal
from tests.partnership import agreement_in_force, category
from tests.sharing.factories import UserFactory

URL = "/api/v1/cohort/"


@pytest.fixture
def api():
    return APIClient()


def on_cohort(partnership, last_name: str, rag: str = "red", **fields):
    nominal = make_nominal(partnership.officer, last_name=last_name, **fields)
    cohort_membership_start(nominal=nominal, strand="fixed", level=ManagementLevel.objects.get(code="enhanced"))
    rag_assess(nominal=nominal, rating=RagRating.objects.get(code=rag), rationale="Panel", by=partnership.officer)
    return nominal


def get(api, user, query: str = ""):
    api.force_authenticate(user)
    return api.get(URL + query)


def test_the_api_lists_the_cohort_with_what_the_page_shows(api, partnership):
    licence_end = timezone.localdate() + datetime.timedelta(days=40)
    person = on_cohort(partnership, "Apiperson", licence_ends_on=licence_end)
    case_assign(
        nominal=person,
        role=CaseAssignment.Role.LEAD_PROFESSIONAL,
        worker=partnership.probation_officer,
        by=partnership.officer,
    )

    response = get(api, partnership.probation_officer)

    assert response.status_code == 200
    assert reverse("api-cohort-list") == URL
    body = response.json()
    [row] = body["results"]
    assert row["id"] == person.pk
    assert row["last_name"] == "Apiperson"
    assert row["rag_rating"] == "red"
    assert row["strand"] == "fixed"
    assert row["level"] == "enhanced"
    assert row["lead_professional"]["worker_id"] == partnership.probation_officer.pk
    assert row["police_lead"] is None
    assert row["licence_shown"] is True
    assert row["licence_ends_on"] == licence_end.isoformat()
    assert row["transition_status"] == "due"
    assert body["counts"]["total"] == 1
    assert body["counts"]["by_level"]["enhanced"] == 1
    event = AccessEvent.objects.get(action=AccessEvent.Action.SEARCH, user=partnership.probation_officer)
    assert event.nominal_ids == [person.pk]
    assert "offending-risk" in event.categories


def test_the_licence_end_is_null_where_it_is_not_shared(api, partnership):
    on_cohort(partnership, "Notshared", licence_ends_on=timezone.localdate() + datetime.timedelta(days=40))

    [row] = get(api, partnership.drugs_worker).json()["results"]

    assert row["licence_shown"] is False
    assert row["licence_ends_on"] is None
    assert row["transition_status"] == "not_due"  # a plan due would tell of the licence end


def test_a_licence_end_shared_only_with_consent_never_recorded_is_not_told_by_a_plan_due(api, partnership):
    """With no consent recorded at all, "may see offending and risk" was NULL, not false, and the
    list hid a plan due only where it was false."""
    admin = UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN])
    agreement_in_force(
        by=admin,
        title="Partner referrals",
        purpose="Referring people to treatment",
        parties=[partnership.police, partnership.drugs],
        clauses=[ClauseSpec(category("offending-risk"), True)],
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    on_cohort(partnership, "Noconsent", licence_ends_on=timezone.localdate() + datetime.timedelta(days=40))

    [row] = get(api, partnership.drugs_worker).json()["results"]
    due = get(api, partnership.drugs_worker, "?transition=due").json()["results"]

    assert row["licence_shown"] is False
    assert row["licence_ends_on"] is None
    assert row["transition_status"] == "not_due"
    assert due == []


def test_the_api_filters_and_sorts_like_the_page(api, partnership):
    red = on_cohort(partnership, "Redperson", rag="red")
    green = on_cohort(partnership, "Greenperson", rag="green")

    filtered = get(api, partnership.officer, "?rag=green").json()["results"]
    by_rag = get(api, partnership.officer, "?sort=-rag").json()["results"]

    assert [row["id"] for row in filtered] == [green.pk]
    assert [row["id"] for row in by_rag] == [green.pk, red.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [("?rag=purple", "rag"), ("?sort=shoe-size", "sort"), ("?show=team", "show"), ("?lead=abc", "lead")],
)
def test_bad_filters_are_a_400_with_the_fields_error(api, partnership, query, field):
    on_cohort(partnership, "Anyone")

    response = get(api, partnership.officer, query)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_pagination_keeps_the_filters(api, partnership):
    for letter in "ABC":
        on_cohort(partnership, f"Pager{letter}")

    body = get(api, partnership.officer, "?rag=red&limit=2").json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert "rag=red" in body["next"]
