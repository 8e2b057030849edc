"""The cohort list's filters beyond RAG and level, "my caseload" and "my team", and the columns that
follow the sharing rules (the licence end is offending and risk information)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import CaseAssignment, ManagementLevel, PriorityCohort, RagRating
from cohorts.records.models import PolicingArea
from cohorts.records.services import case_assign, cohort_membership_start, nominal_update, rag_assess
from cohorts.reviews.services import supervisor_review_record
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory


def today() -> datetime.date:
    return timezone.localdate()


def put_on_cohort(
    partnership, last_name: str, *, strand="flex", level="standard", cohorts=(), started_on=None, **fields
):
    nominal = make_nominal(partnership.officer, last_name=last_name, **fields)
    cohort_membership_start(
        nominal=nominal,
        strand=strand,
        level=ManagementLevel.objects.get(code=level),
        priority_cohorts=[PriorityCohort.objects.get(code=code) for code in cohorts],
        started_on=started_on,
    )
    return nominal


def page(client, user, query: str = "") -> str:
    client.force_login(user)
    response = client.get(reverse("cohort-list") + query)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def names_in(body: str, *nominals) -> set[str]:
    return {nominal.last_name for nominal in nominals if f'href="/people/{nominal.pk}/"' in body}


def test_the_list_filters_by_strand_priority_cohort_custody_and_area(client, partnership):
    areas = [PolicingArea.objects.create(name="Riverside"), PolicingArea.objects.create(name="Fenwick Vale")]
    fixed = put_on_cohort(partnership, "Fixedman", strand="fixed", policing_area=areas[0])
    knife = put_on_cohort(partnership, "Knifeman", cohorts=["knife-crime"], policing_area=areas[1])
    inside = put_on_cohort(partnership, "Insideman")
    nominal_update(nominal=inside, by=partnership.officer, custody_status="custody")
    everyone = (fixed, knife, inside)
    cohort_code = PriorityCohort.objects.get(code="knife-crime").code

    assert names_in(page(client, partnership.officer, "?strand=fixed"), *everyone) == {"Fixedman"}
    assert names_in(page(client, partnership.officer, f"?priority={cohort_code}"), *everyone) == {"Knifeman"}
    assert names_in(page(client, partnership.officer, "?custody=custody"), *everyone) == {"Insideman"}
    assert names_in(page(client, partnership.officer, f"?area={areas[0].pk}"), *everyone) == {"Fixedman"}
    assert names_in(page(client, partnership.officer, "?strand=flex&custody=community"), *everyone) == {"Knifeman"}


def test_the_list_filters_by_the_lead_professional_and_their_agency(client, partnership):
    by_probation = put_on_cohort(partnership, "Probationled")
    by_police = put_on_cohort(partnership, "Policeled")
    unled = put_on_cohort(partnership, "Unled")
    lead = CaseAssignment.Role.LEAD_PROFESSIONAL
    case_assign(nominal=by_probation, role=lead, worker=partnership.probation_officer, by=partnership.officer)
    case_assign(nominal=by_police, role=lead, worker=partnership.officer, by=partnership.officer)
    everyone = (by_probation, by_police, unled)

    by_agency = page(client, partnership.officer, f"?lead_agency={partnership.probation.pk}")
    by_worker = page(client, partnership.officer, f"?lead={partnership.officer.pk}")

    assert names_in(by_agency, *everyone) == {"Probationled"}
    assert names_in(by_worker, *everyone) == {"Policeled"}
    # The lead professional filter offers the workers leading someone on the cohort, and only them.
    lead_select = re.search(r'<select[^>]*name="lead".*?</select>', by_worker, re.S)
    assert lead_select is not None
    assert f'value="{partnership.probation_officer.pk}"' in lead_select.group(0)
    assert f'value="{partnership.prison_officer.pk}"' not in lead_select.group(0)


def test_my_caseload_and_my_team(client, partnership):
    supervisor = UserFactory.create(agency=partnership.probation, roles=[Role.SUPERVISOR])
    partnership.probation_officer.supervisor = supervisor
    partnership.probation_officer.save()
    mine = put_on_cohort(partnership, "Minecase")
    key_worked = put_on_cohort(partnership, "Keyworked")
    others = put_on_cohort(partnership, "Otherscase")
    case_assign(
        nominal=mine,
        role=CaseAssignment.Role.LEAD_PROFESSIONAL,
        worker=partnership.probation_officer,
        by=partnership.officer,
    )
    case_assign(
        nominal=key_worked, role=CaseAssignment.Role.KEY_WORKER, worker=partnership.probation_officer, by=supervisor
    )
    case_assign(nominal=others, role=CaseAssignment.Role.LEAD_PROFESSIONAL, worker=partnership.officer, by=supervisor)
    everyone = (mine, key_worked, others)

    caseload = page(client, partnership.probation_officer, "?show=mine")
    team = page(client, supervisor, "?show=team")

    assert names_in(caseload, *everyone) == {"Minecase", "Keyworked"}
    assert names_in(team, *everyone) == {"Minecase", "Keyworked"}
    assert names_in(page(client, supervisor, "?show=mine"), *everyone) == set()
    # "My team" is a supervisor's choice: a practitioner asking for it gets an error, not the list.
    client.force_login(partnership.probation_officer)
    refused = client.get(reverse("cohort-list") + "?show=team")
    assert refused.status_code == 400
    assert "govuk-error-summary" in refused.content.decode()


def test_an_overdue_review_is_shown_and_filtered(client, partnership):
    supervisor = UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR])
    overdue = put_on_cohort(partnership, "Overdueman", started_on=today() - datetime.timedelta(days=70))
    reviewed = put_on_cohort(partnership, "Reviewedman", started_on=today() - datetime.timedelta(days=70))
    rag_assess(nominal=reviewed, rating=RagRating.objects.get(code="amber"), rationale="Panel", by=partnership.officer)
    supervisor_review_record(
        nominal=reviewed,
        by=supervisor,
        commensurate=True,
        actions_set="Carry on",
        next_review_on=today() + datetime.timedelta(days=20),
    )

    everything = page(client, partnership.officer)
    filtered = page(client, partnership.officer, "?review_overdue=on")

    assert names_in(filtered, overdue, reviewed) == {"Overdueman"}
    row = everything[everything.index(f'href="/people/{overdue.pk}/"') :]
    assert 'data-testid="review-overdue"' in row[: row.index("</tr>")]
    sorted_body = page(client, partnership.officer, "?sort=review")
    assert sorted_body.index(f'href="/people/{overdue.pk}/"') < sorted_body.index(f'href="/people/{reviewed.pk}/"')


def test_the_licence_end_filters_and_shows_only_where_offending_and_risk_is_shared(client, partnership):
    ending = put_on_cohort(partnership, "Endingsoon", licence_ends_on=today() + datetime.timedelta(weeks=12))
    later = put_on_cohort(partnership, "Endinglater", licence_ends_on=today() + datetime.timedelta(weeks=12, days=1))
    ended = put_on_cohort(partnership, "Endedalready", licence_ends_on=today() - datetime.timedelta(days=1))
    everyone = (ending, later, ended)

    probation = page(client, partnership.probation_officer, "?licence_ending=on")
    # The drug service sees the cohort by agreement, but not the police's offending and risk information.
    drugs_all = page(client, partnership.drugs_worker)
    drugs_filtered = page(client, partnership.drugs_worker, "?licence_ending=on")

    assert names_in(probation, *everyone) == {"Endingsoon"}
    assert (today() + datetime.timedelta(weeks=12)).strftime("%-d %b %Y") in probation
    assert names_in(drugs_all, *everyone) == {"Endingsoon", "Endinglater", "Endedalready"}
    assert "Licence: not shared" in drugs_all
    assert "Licence ends" not in drugs_all.split("<tbody")[1]
    assert names_in(drugs_filtered, *everyone) == set()


def test_sorting_by_licence_end_keeps_unshared_dates_out_of_the_order(client, partnership):
    soon = put_on_cohort(partnership, "Bsoon", licence_ends_on=today() + datetime.timedelta(days=10))
    late = put_on_cohort(partnership, "Alate", licence_ends_on=today() + datetime.timedelta(days=300))

    probation = page(client, partnership.probation_officer, "?sort=licence")
    drugs = page(client, partnership.drugs_worker, "?sort=licence")

    assert probation.index(f'href="/people/{soon.pk}/"') < probation.index(f'href="/people/{late.pk}/"')
    # Not shared: the order falls back to the name, telling nothing of the dates.
    assert drugs.index(f'href="/people/{late.pk}/"') < drugs.index(f'href="/people/{soon.pk}/"')


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


EVERY_FILTER = (
    "?show=team&rag=red&rag=amber&level=standard&strand=flex&priority=knife-crime&custody=community"
    "&lead_agency={agency}&lead={lead}&review_overdue=on&licence_ending=on&transition=due&sort=-licence"
)


@pytest.mark.parametrize(
    "query", ["", "?sort=review", "?show=team&sort=-rag", EVERY_FILTER, "?review_overdue=on&licence_ending=on"]
)
def test_every_filter_combination_runs_the_same_queries_for_2_people_as_for_20(client, partnership, query):
    supervisor = UserFactory.create(agency=partnership.probation, roles=[Role.SUPERVISOR])
    partnership.probation_officer.supervisor = supervisor
    partnership.probation_officer.save()
    query = query.format(agency=partnership.probation.pk, lead=partnership.probation_officer.pk)
    client.force_login(supervisor)

    def add(count: int) -> None:
        for index in range(count):
            nominal = put_on_cohort(
                partnership,
                f"Person{index}",
                cohorts=["knife-crime"],
                started_on=today() - datetime.timedelta(days=60),
                licence_ends_on=today() + datetime.timedelta(days=30),
            )
            rag_assess(nominal=nominal, rating=RagRating.objects.get(code="red"), rationale="x", by=partnership.officer)
            case_assign(
                nominal=nominal,
                role=CaseAssignment.Role.LEAD_PROFESSIONAL,
                worker=partnership.probation_officer,
                by=partnership.officer,
            )
            case_assign(
                nominal=nominal, role=CaseAssignment.Role.POLICE_LEAD, worker=partnership.officer, by=supervisor
            )

    add(2)
    small = count_queries(client, reverse("cohort-list") + query)
    add(18)

    assert count_queries(client, reverse("cohort-list") + query) == small


def test_the_transition_plan_status_shows_and_filters_as_the_licence_end_is_shared(client, partnership):
    from cohorts.transitions.services import transition_plan_start

    due = put_on_cohort(partnership, "Duenoplan", licence_ends_on=today() + datetime.timedelta(weeks=6))
    planned = put_on_cohort(partnership, "Planned", licence_ends_on=today() + datetime.timedelta(weeks=8))
    not_yet = put_on_cohort(partnership, "Notyet", licence_ends_on=today() + datetime.timedelta(weeks=30))
    transition_plan_start(nominal=planned, by=partnership.officer)
    everyone = (due, planned, not_yet)

    probation = page(client, partnership.probation_officer, "?transition=due")
    in_progress = page(client, partnership.drugs_worker, "?transition=in_progress")
    drugs_due = page(client, partnership.drugs_worker, "?transition=due")

    assert names_in(probation, *everyone) == {"Duenoplan"}
    assert "Transition: due, no plan" in probation
    # The drug service does not see the licence end, so not that a plan is due either; a plan made
    # is the case's management, shared with everyone who sees the person.
    assert names_in(drugs_due, *everyone) == set()
    assert names_in(in_progress, *everyone) == {"Planned"}
    assert "Transition: in progress" in in_progress
