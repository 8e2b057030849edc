"""The IOM cohort list (/cohort/): who is on IOM now, as the sharing rules let each agency see them."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.management import views as cohort_views
from cohorts.management.models import CaseAssignment, ManagementLevel, RagRating
from cohorts.models import AccessEvent
from cohorts.records.services import (
    case_assign,
    cohort_membership_end,
    cohort_membership_start,
    nominal_update,
    rag_assess,
)
from referrals.models import ReferralDecision
from referrals.services import referral_decide
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.referrals.factories import accept_terms, accepted_referral, listed_referral
from tests.sharing.factories import UserFactory


@pytest.fixture
def team(partnership):
    """The IOM team: a screener and a panel chair at the police."""
    screener = UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER], first_name="Sam")
    chair = UserFactory.create(
        agency=partnership.police, roles=[Role.PANEL_CHAIR], first_name="Inspector", last_name="Vale"
    )
    return screener, chair


@pytest.fixture
def accepted(partnership, team):
    """A person the panel accepted: Enhanced, Red, a probation lead professional and a police lead."""
    screener, chair = team
    partnership.probation_officer.first_name, partnership.probation_officer.last_name = "Priya", "Lead"
    partnership.probation_officer.save()
    partnership.officer.first_name, partnership.officer.last_name = "Pat", "Constable"
    partnership.officer.save()
    nominal = make_nominal(partnership.officer, first_name="Aaron", last_name="Cohortson")
    accepted_referral(
        nominal,
        partnership.officer,
        screener,
        chair,
        lead=partnership.probation_officer,
        police_lead=partnership.officer,
    )
    return nominal


def cohort_page(client, user, query: str = ""):
    client.force_login(user)
    response = client.get(reverse("cohort-list") + query)
    return response, response.content.decode()


def listed(body: str, nominal) -> bool:
    return f'href="/people/{nominal.pk}/"' in body


@pytest.mark.parametrize("agency", ["police", "probation", "prison"])
def test_a_person_accepted_onto_iom_is_listed_with_rag_and_leads_for_agencies_in_the_isa(
    client, partnership, accepted, agency
):
    user = partnership.user_of(getattr(partnership, agency))

    response, body = cohort_page(client, user)

    assert response.status_code == 200
    assert listed(body, accepted)
    assert "COHORTSON, Aaron" in body
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in body
    assert "Priya Lead" in body
    assert "Probation Northmoor" in body
    assert "Pat Constable" in body
    assert "(police lead)" in body
    assert "Fixed" in body
    assert "Enhanced" in body
    assert timezone.localdate().strftime("%-d %b %Y") in body
    assert "In the community" in body


@pytest.mark.parametrize("agency", ["elsewhere", "housing"])
def test_an_agency_outside_any_agreement_in_force_sees_no_one(client, partnership, accepted, agency):
    response, body = cohort_page(client, partnership.user_of(getattr(partnership, agency)))

    assert response.status_code == 200
    assert not listed(body, accepted)
    assert "cohortson" not in body.lower()
    assert "0</strong> on the cohort" in body


def test_people_not_on_the_cohort_are_never_listed(client, partnership, accepted):
    recorded_only = make_nominal(partnership.officer, last_name="Notoniom")
    left = make_nominal(partnership.officer, last_name="Leftiom")
    cohort_membership_start(nominal=left, started_on=timezone.localdate() - datetime.timedelta(days=100))
    cohort_membership_end(nominal=left, ended_on=timezone.localdate() - datetime.timedelta(days=1))

    _, body = cohort_page(client, partnership.officer)

    assert listed(body, accepted)
    assert not listed(body, recorded_only)
    assert "NOTONIOM" not in body
    assert not listed(body, left)
    assert "LEFTIOM" not in body
    assert "1</strong> on the cohort" in body


def on_cohort(partnership, level_code: str, rag_code: str, *, last_name: str = "", started_on=None, **fields):
    """Put a person on the cohort through the services (quicker than a whole referral)."""
    nominal = make_nominal(partnership.officer, last_name=last_name or "Cohortperson", **fields)
    cohort_membership_start(
        nominal=nominal,
        strand="flex",
        level=ManagementLevel.objects.get(code=level_code),
        started_on=started_on,
    )
    rag_assess(nominal=nominal, rating=RagRating.objects.get(code=rag_code), rationale="Panel", by=partnership.officer)
    return nominal


def test_the_counts_are_in_a_board_reports_terms(client, partnership, accepted):
    on_cohort(partnership, "standard", "green")
    in_custody = on_cohort(partnership, "standard", "amber")
    nominal_update(nominal=in_custody, by=partnership.officer, custody_status="custody")
    unmanaged = make_nominal(partnership.officer)
    cohort_membership_start(nominal=unmanaged)  # put on the cohort before levels were recorded

    _, body = cohort_page(client, partnership.probation_officer)

    assert "<strong>4</strong> on the cohort, <strong>3</strong> in the community" in body
    assert "Standard 2, Enhanced 1, Priority 0, level not recorded 1" in body


def test_the_list_filters_by_rag_rating_and_level(client, partnership, accepted):
    green = on_cohort(partnership, "standard", "green", last_name="Greenfield")
    amber = on_cohort(partnership, "priority", "amber", last_name="Amberley")

    _, by_rag = cohort_page(client, partnership.officer, "?rag=red&rag=green")
    _, by_level = cohort_page(client, partnership.officer, "?level=priority")
    _, both = cohort_page(client, partnership.officer, "?rag=green&level=enhanced")

    assert listed(by_rag, accepted)
    assert listed(by_rag, green)
    assert not listed(by_rag, amber)
    assert re.search(r'name="rag"[^>]*value="red"[^>]*checked', by_rag)  # the choice is kept
    assert "Remove this filter</span> Red" in by_rag
    assert "2 people match the filters" in by_rag
    assert listed(by_level, amber)
    assert not listed(by_level, accepted)
    assert not listed(by_level, green)
    assert not any(listed(both, nominal) for nominal in (accepted, green, amber))
    assert "No one on the cohort matches the filters" in both
    # The headline counts stay the whole cohort's.
    assert "<strong>3</strong> on the cohort" in by_level


def test_an_unknown_filter_value_is_an_error_on_the_page(client, partnership, accepted):
    response, body = cohort_page(client, partnership.officer, "?rag=purple")

    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert listed(body, accepted)  # the unfiltered list, not nothing


def order_of(body: str, nominals: dict) -> list[str]:
    positions = {name: body.index(f'href="/people/{nominal.pk}/"') for name, nominal in nominals.items()}
    return sorted(positions, key=positions.__getitem__)


def test_the_list_sorts_by_name_rag_rating_and_date_on_iom(client, partnership):
    today = timezone.localdate()
    people = {
        "amber": on_cohort(partnership, "standard", "amber", last_name="Able", started_on=today),
        "green": on_cohort(
            partnership, "standard", "green", last_name="Baker", started_on=today - datetime.timedelta(days=30)
        ),
        "red": on_cohort(
            partnership, "standard", "red", last_name="Carter", started_on=today - datetime.timedelta(days=10)
        ),
    }

    assert order_of(cohort_page(client, partnership.officer)[1], people) == ["amber", "green", "red"]
    assert order_of(cohort_page(client, partnership.officer, "?sort=-name")[1], people) == ["red", "green", "amber"]
    rag_body = cohort_page(client, partnership.officer, "?sort=rag")[1]
    assert order_of(rag_body, people) == ["red", "amber", "green"]
    assert 'aria-sort="ascending"><a class="govuk-link" href="?sort=-rag">RAG rating' in rag_body
    assert order_of(cohort_page(client, partnership.officer, "?sort=-rag")[1], people) == ["green", "amber", "red"]
    assert order_of(cohort_page(client, partnership.officer, "?sort=since")[1], people) == ["green", "red", "amber"]
    assert order_of(cohort_page(client, partnership.officer, "?sort=-since")[1], people) == ["amber", "red", "green"]


def test_the_latest_rag_rating_is_shown_and_sorted_by(client, partnership, accepted):
    rag_assess(
        nominal=accepted, rating=RagRating.objects.get(code="green"), rationale="Engaging well", by=partnership.officer
    )

    _, body = cohort_page(client, partnership.officer, "?rag=green")

    assert listed(body, accepted)
    assert "govuk-tag--green" in body
    assert "govuk-tag--red" not in body


def test_the_list_is_paginated_keeping_filters_and_sort(client, partnership, monkeypatch):
    monkeypatch.setattr(cohort_views, "PAGE_SIZE", 2)
    people = [on_cohort(partnership, "standard", "red", last_name=f"Pager{letter}") for letter in "ABC"]

    _, first = cohort_page(client, partnership.officer, "?rag=red&sort=name")
    _, second = cohort_page(client, partnership.officer, "?rag=red&sort=name&page=2")

    assert listed(first, people[0])
    assert listed(first, people[1])
    assert not listed(first, people[2])
    assert listed(second, people[2])
    assert not listed(second, people[0])
    assert "govuk-pagination" in first
    assert 'href="?rag=red&amp;sort=name&amp;page=2"' in first
    assert "Page 2 of 2" in second


def test_the_mappa_combination_stays_off_the_list(client, partnership, team):
    screener, chair = team
    nominal = make_nominal(partnership.officer, last_name="Combined")
    referral = listed_referral(nominal, partnership.officer, screener)
    referral_decide(
        referral=referral,
        by=chair,
        outcome=ReferralDecision.Outcome.ACCEPTED,
        rationale="Combined with MAPPA",
        accept=accept_terms(partnership.probation_officer, partnership.officer, mappa_level="2"),
    )

    _, body = cohort_page(client, partnership.prison_officer)

    assert listed(body, nominal)
    assert "MAPPA" not in body
    assert "level 2" not in body


def test_the_people_listed_are_logged_as_a_search(client, partnership, accepted):
    cohort_page(client, partnership.probation_officer, "?rag=red")

    event = AccessEvent.objects.get(action=AccessEvent.Action.SEARCH)
    assert event.nominal_ids == [accepted.pk]
    assert event.user == partnership.probation_officer
    assert event.path == reverse("cohort-list")
    assert "rag=red" in event.query


def test_an_empty_cohort_logs_nothing(client, partnership):
    response, body = cohort_page(client, partnership.outsider)

    assert response.status_code == 200
    assert "No one on the IOM cohort is shared with your agency" in body
    assert not AccessEvent.objects.exists()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def cohort_of(partnership, size: int) -> None:
    levels = list(ManagementLevel.objects.all())
    ratings = list(RagRating.objects.all())
    for index in range(size):
        nominal = make_nominal(partnership.officer)
        cohort_membership_start(nominal=nominal, strand="fixed", level=levels[index % len(levels)])
        rag_assess(nominal=nominal, rating=ratings[index % len(ratings)], rationale="Panel", by=partnership.officer)
        case_assign(
            nominal=nominal,
            role=CaseAssignment.Role.LEAD_PROFESSIONAL,
            worker=partnership.probation_officer,
            by=partnership.officer,
        )
        case_assign(
            nominal=nominal, role=CaseAssignment.Role.POLICE_LEAD, worker=partnership.officer, by=partnership.officer
        )


@pytest.mark.parametrize("query", ["", "?sort=rag", "?rag=red&level=standard&sort=-since"])
def test_the_list_runs_the_same_queries_for_2_people_as_for_20(client, partnership, query):
    client.force_login(partnership.probation_officer)
    cohort_of(partnership, 2)
    small = count_queries(client, reverse("cohort-list") + query)

    cohort_of(partnership, 18)

    assert count_queries(client, reverse("cohort-list") + query) == small
