"""The workload page (/cohort/workload/): each worker's caseload of people on the cohort by RAG
rating, counting only the people the viewer may see, in a fixed number of queries; supervisors see
their team first."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.management.models import RagRating
from cohorts.records.selectors import WorkloadFilters, workload
from cohorts.records.services import case_assign, cohort_membership_end, cohort_membership_start, rag_assess
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory

URL = "/cohort/workload/"


def on_cohort(by, rating: str | None = None, **fields):
    person = make_nominal(by, **fields)
    cohort_membership_start(nominal=person, started_on=timezone.localdate() - datetime.timedelta(days=30))
    if rating:
        rag_assess(nominal=person, rating=RagRating.objects.get(code=rating), rationale="Panel", by=by)
    return person


def assign(person, role: str, worker, by):
    return case_assign(nominal=person, role=role, worker=worker, by=by)


@pytest.fixture
def caseloads(partnership):
    """Priya (probation) leads three people, Red, Red and Amber; Pat (police) is their police lead and
    also leads a fourth, not rated; Kim (drug service) is key worker for two of them."""
    officer = partnership.officer
    priya = partnership.probation_officer
    priya.first_name, priya.last_name = "Priya", "Lead"
    priya.save()
    pat = UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER], first_name="Pat", last_name="Cop")
    kim = partnership.drugs_worker
    kim.first_name, kim.last_name = "Kim", "Keyworker"
    kim.save()
    people = [on_cohort(officer, rating) for rating in ("red", "red", "amber")]
    for person in people:
        assign(person, "lead_professional", priya, officer)
        assign(person, "police_lead", pat, officer)
    unrated = on_cohort(officer)
    assign(unrated, "lead_professional", pat, officer)
    assign(unrated, "police_lead", pat, officer)  # both roles: one person in Pat's caseload
    assign(people[0], "key_worker", kim, officer)
    assign(unrated, "key_worker", kim, officer)
    return {"priya": priya, "pat": pat, "kim": kim, "people": people, "unrated": unrated}


def row_of(result, user):
    return next(row for row in result.rows if row.worker == user)


def test_each_workers_caseload_is_counted_by_rag_rating(partnership, caseloads):
    result = workload(partnership.officer)

    assert [rating.code for rating in result.ratings] == ["red", "amber", "green"]
    priya, pat, kim = (row_of(result, caseloads[name]) for name in ("priya", "pat", "kim"))
    assert (priya.by_rating, priya.not_rated, priya.total, priya.key_worker) == ([2, 1, 0], 0, 3, 0)
    assert (pat.by_rating, pat.not_rated, pat.total, pat.key_worker) == ([2, 1, 0], 1, 4, 0)
    assert (kim.by_rating, kim.not_rated, kim.total, kim.key_worker) == ([0, 0, 0], 0, 0, 2)
    assert len(result.rows) == 3


def test_the_latest_rating_counts(partnership, caseloads):
    rag_assess(
        nominal=caseloads["people"][0],
        rating=RagRating.objects.get(code="green"),
        rationale="Better",
        by=partnership.officer,
    )

    assert row_of(workload(partnership.officer), caseloads["priya"]).by_rating == [1, 1, 1]


def test_ended_assignments_and_people_off_the_cohort_are_not_counted(partnership, caseloads):
    colleague = UserFactory.create(agency=partnership.probation, roles=[Role.PRACTITIONER])
    case_assign(
        nominal=caseloads["people"][2],
        role="lead_professional",
        worker=colleague,
        by=partnership.officer,
        reason="Rebalanced",
    )
    cohort_membership_end(nominal=caseloads["people"][1], ended_on=timezone.localdate() - datetime.timedelta(days=1))

    result = workload(partnership.officer)

    assert row_of(result, caseloads["priya"]).by_rating == [1, 0, 0]
    assert row_of(result, colleague).by_rating == [0, 1, 0]
    assert row_of(result, caseloads["pat"]).total == 3


def test_only_people_the_viewer_may_see_are_counted(partnership, caseloads):
    # The housing provider's agreement has ended: it sees only the person it works with.
    assign(caseloads["people"][1], "key_worker", partnership.housing_worker, partnership.officer)

    result = workload(partnership.housing_worker)

    assert row_of(result, caseloads["priya"]).by_rating == [1, 0, 0]
    assert row_of(result, caseloads["pat"]).total == 1
    assert row_of(result, partnership.housing_worker).key_worker == 1
    assert caseloads["kim"] not in [row.worker for row in result.rows]  # Kim's people are not shared
    assert workload(partnership.outsider).rows == []


def test_a_retired_rating_still_held_keeps_its_column(partnership, caseloads):
    RagRating.objects.filter(code="amber").update(is_active=False)
    RagRating.objects.filter(code="green").update(is_active=False)

    result = workload(partnership.officer)

    assert [rating.code for rating in result.ratings] == ["red", "amber"]
    assert row_of(result, caseloads["priya"]).by_rating == [2, 1]


def test_filters_by_agency_and_team(partnership, caseloads):
    supervisor = UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR])
    caseloads["pat"].supervisor = supervisor
    caseloads["pat"].save()

    by_agency = workload(partnership.officer, WorkloadFilters(agency_id=partnership.probation.pk))
    team = workload(supervisor, WorkloadFilters(supervisor_id=supervisor.pk))

    assert [row.worker for row in by_agency.rows] == [caseloads["priya"]]
    assert [row.worker for row in team.rows] == [caseloads["pat"]]
    assert team.rows[0].in_team


# --- The page --------------------------------------------------------------------------------------


def test_the_page_shows_the_caseloads(client, partnership, caseloads):
    client.force_login(partnership.officer)

    response = client.get(URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Caseloads by RAG rating</h1>' in body
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in body
    row = body[body.index(f'data-worker="{caseloads["pat"].pk}"') :]
    row = row[: row.index("</tr>")]
    cells = [cell.split(">", 1)[1].split("<")[0] for cell in row.split('govuk-table__cell--numeric"')[1:]]
    assert cells == ["2", "1", "0", "1", "", "0"]  # Red, Amber, Green, Not rated, (Total, bold), Key worker
    assert "<strong>4</strong>" in row
    assert "Northmoor Police" in row
    assert body.count('data-testid="workload-row"') == 3


def test_the_agency_filter(client, partnership, caseloads):
    client.force_login(partnership.officer)

    body = client.get(URL, {"filtered": "1", "agency": partnership.probation.pk}).content.decode()

    assert body.count('data-testid="workload-row"') == 1
    assert f'data-worker="{caseloads["priya"].pk}"' in body


def test_a_bad_filter_is_explained(client, partnership, caseloads):
    client.force_login(partnership.officer)

    response = client.get(URL, {"filtered": "1", "agency": "abc"})

    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


def test_a_supervisor_sees_their_team_first(client, partnership, caseloads):
    supervisor = UserFactory.create(agency=partnership.probation, roles=[Role.SUPERVISOR])
    caseloads["pat"].supervisor = supervisor
    caseloads["pat"].save()
    client.force_login(supervisor)

    first_visit = client.get(URL).content.decode()
    everyone = client.get(URL, {"filtered": "1"}).content.decode()

    assert 'name="team"' in first_visit
    assert "checked" in first_visit[first_visit.index('name="team"') - 200 : first_visit.index('name="team"') + 200]
    assert first_visit.count('data-testid="workload-row"') == 1
    assert f'data-worker="{caseloads["pat"].pk}"' in first_visit
    assert everyone.count('data-testid="workload-row"') == 3
    assert everyone.index(f'data-worker="{caseloads["pat"].pk}"') < everyone.index(
        f'data-worker="{caseloads["priya"].pk}"'
    )  # the team first, though Northmoor Police and Probation Northmoor sort the other way
    assert "My team" in everyone


def test_practitioners_have_no_team_filter(client, partnership, caseloads):
    client.force_login(partnership.officer)

    assert 'name="team"' not in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PRACTITIONER, 200),
        (Role.PARTNER_WORKER, 200),
        (Role.SUPERVISOR, 200),
        (Role.PANEL_CHAIR, 200),
        (Role.ANALYST, 200),
        (Role.AGENCY_ADMIN, 403),
        (Role.SYSTEM_ADMIN, 403),
    ],
)
def test_who_may_read_caseloads(client, partnership, role, status):
    client.force_login(UserFactory.create(agency=partnership.prison, roles=[role]))

    assert client.get(URL).status_code == status


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"filtered": "1", "team": "on"}).status_code == 200
    return len(queries)


def test_the_page_runs_the_same_queries_however_many_workers_and_people(client, partnership, caseloads):
    supervisor = UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR])
    caseloads["pat"].supervisor = supervisor
    caseloads["pat"].save()
    client.force_login(supervisor)
    before = count_queries(client)

    for agency in (partnership.police, partnership.probation, partnership.prison):
        for rating in ("red", "amber", "green", None):
            worker = UserFactory.create(agency=agency, roles=[Role.PRACTITIONER], supervisor=supervisor)
            for _ in range(2):
                person = on_cohort(partnership.officer, rating)
                assign(person, "lead_professional", worker, partnership.officer)
                assign(person, "key_worker", worker, partnership.officer)

    assert count_queries(client) == before
    assert client.get(URL, {"filtered": "1", "team": "on"}).content.decode().count('data-testid="workload-row"') == 13
