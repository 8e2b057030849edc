"""Assigning and transferring a person's lead professional, IOM police lead officer and key workers
(/people/<pk>/assignments/<role>/, the end of a key worker's assignment, and the same through
/api/v1/people/<pk>/assignments/): the IOM team and the lead professional do it, the sharing grants
follow at once, and every change keeps who, when and why."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import CaseAssignment
from cohorts.models import AccessEvent
from cohorts.records.models import CaseInvolvement
from cohorts.records.selectors import nominals_visible_to
from cohorts.records.services import case_assign, case_assignment_end, cohort_membership_start
from sharing.errors import StateError
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory

TODAY = timezone.localdate
CaseAssignmentEvent = CaseAssignment.pgh_event_model  # type: ignore[attr-defined]


def days_ago(days: int) -> datetime.date:
    return TODAY() - datetime.timedelta(days=days)


@pytest.fixture
def housing_lead(partnership):
    partnership.housing_worker.first_name, partnership.housing_worker.last_name = "Hana", "Housing"
    partnership.housing_worker.save()
    return partnership.housing_worker


@pytest.fixture
def police_lead(partnership):
    return UserFactory.create(
        agency=partnership.police, roles=[Role.PRACTITIONER], first_name="Pat", last_name="Constable"
    )


@pytest.fixture
def nominal(partnership, housing_lead, police_lead):
    """On the cohort for two months; the housing provider (whose agreement has ended) leads the case,
    so its only reason to see the person is the assignment."""
    person = make_nominal(partnership.officer, first_name="Lee", last_name="Assignson")
    cohort_membership_start(nominal=person, started_on=days_ago(60))
    case_assign(
        nominal=person, role="lead_professional", worker=housing_lead, by=partnership.officer, started_on=days_ago(60)
    )
    case_assign(nominal=person, role="police_lead", worker=police_lead, by=partnership.officer, started_on=days_ago(60))
    return person


def page_url(nominal, role: str) -> str:
    return reverse("nominal-assignment", args=[nominal.pk, role])


def transfer(client, nominal, role: str, to, **fields):
    data = {
        "worker": str(to.pk),
        "started_on_0": str(TODAY().day),
        "started_on_1": str(TODAY().month),
        "started_on_2": str(TODAY().year),
        "reason": "Released to probation supervision",
    }
    data.update(fields)
    return client.post(page_url(nominal, role), data)


def user_of(partnership, agency: str, role: Role, **fields):
    return UserFactory.create(agency=getattr(partnership, agency), roles=[role], **fields)


# --- The page --------------------------------------------------------------------------------------


def test_the_page_shows_the_current_holder_and_the_history(client, partnership, nominal, housing_lead):
    client.force_login(partnership.officer)

    response = client.get(page_url(nominal, "lead_professional"))

    body = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Transfer the lead professional</h1>' in body
    current = body[body.index('data-testid="current-holders"') :]
    assert "Hana Housing, Northmoor Housing" in current
    history = body[body.index('data-testid="assignment-history"') :]
    assert history.count('data-testid="assignment-history-row"') == 1
    assert "Hana Housing" in history
    assert f"{days_ago(60):%-d %b %Y}" in history
    assert ">Now<" in history
    assert f'value="{TODAY().day}"' in body  # the start date is today unless changed
    assert AccessEvent.objects.filter(user=partnership.officer, path=page_url(nominal, "lead_professional")).exists()


def test_the_lead_professional_can_come_from_any_agency_grouped_by_agency(client, partnership, nominal):
    analyst = user_of(partnership, "probation", Role.ANALYST, first_name="Ana", last_name="Lyst")
    gone = user_of(partnership, "probation", Role.PRACTITIONER, first_name="Gone", last_name="Away", is_active=False)
    supervisor = user_of(partnership, "drugs", Role.SUPERVISOR, first_name="Sue", last_name="Pervisor")
    client.force_login(partnership.officer)

    body = client.get(page_url(nominal, "lead_professional")).content.decode()

    for agency in ("Northmoor Police", "Probation Northmoor", "HMP Fenwick", "Compass Recovery", "Northmoor Housing"):
        assert f'<optgroup label="{agency}">' in body
    assert f'<option value="{partnership.probation_officer.pk}"' in body
    assert f'<option value="{partnership.drugs_worker.pk}"' in body  # a partner worker
    assert f'<option value="{supervisor.pk}"' in body
    assert f'<option value="{analyst.pk}"' not in body
    assert f'<option value="{gone.pk}"' not in body


def test_the_police_lead_comes_from_a_police_force(client, partnership, nominal):
    client.force_login(partnership.officer)

    body = client.get(page_url(nominal, "police_lead")).content.decode()

    assert '<optgroup label="Northmoor Police">' in body
    assert '<optgroup label="Southdale Police">' in body
    assert f'<option value="{partnership.probation_officer.pk}"' not in body
    assert "Probation Northmoor</optgroup>" not in body
    assert 'label="Probation Northmoor"' not in body

    response = transfer(client, nominal, "police_lead", partnership.probation_officer)
    assert response.status_code == 400
    assert "Choose the IOM police lead officer from the list" in response.content.decode()


def test_key_workers_are_practitioners_and_partner_workers(client, partnership, nominal):
    supervisor = user_of(partnership, "drugs", Role.SUPERVISOR)
    client.force_login(partnership.officer)

    body = client.get(page_url(nominal, "key_worker")).content.decode()

    assert '<h1 class="govuk-heading-l">Key workers</h1>' in body
    assert f'<option value="{partnership.drugs_worker.pk}"' in body
    assert f'<option value="{partnership.probation_officer.pk}"' in body
    assert f'<option value="{supervisor.pk}"' not in body
    assert "No key workers are assigned." in body


def test_an_unknown_role_is_not_found(client, partnership, nominal):
    client.force_login(partnership.officer)

    assert client.get(page_url(nominal, "chief_constable")).status_code == 404


def test_a_transfer_ends_the_previous_lead_and_moves_the_access(client, partnership, nominal, housing_lead):
    client.force_login(partnership.officer)
    assert nominal in nominals_visible_to(housing_lead)

    response = transfer(client, nominal, "lead_professional", partnership.probation_officer)

    assert response.status_code == 302
    assert response["Location"] == reverse("nominal-detail", args=[nominal.pk]) + "#on-iom"
    previous, new = CaseAssignment.objects.filter(nominal=nominal, role="lead_professional").order_by("pk")
    assert (previous.worker, previous.ended_on) == (housing_lead, days_ago(1))
    assert (new.worker, new.started_on, new.ended_on) == (partnership.probation_officer, TODAY(), None)
    assert (new.reason, new.assigned_by) == ("Released to probation supervision", partnership.officer)
    assert nominal not in nominals_visible_to(housing_lead)
    page = client.get(response["Location"]).content.decode()
    assert "is now the lead professional" in page
    assert f"{partnership.probation_officer}, Probation Northmoor" in page
    client.force_login(housing_lead)
    assert client.get(reverse("nominal-detail", args=[nominal.pk])).status_code == 404


def test_the_assignment_is_in_the_change_history_with_who_made_it(client, partnership, nominal):
    client.force_login(partnership.officer)

    transfer(client, nominal, "lead_professional", partnership.probation_officer)

    new = CaseAssignment.objects.get(nominal=nominal, role="lead_professional", ended_on__isnull=True)
    event = CaseAssignmentEvent.objects.filter(pgh_obj=new).get()
    assert event.reason == "Released to probation supervision"
    assert event.pgh_context.metadata["user"] == partnership.officer.pk


def test_a_backdated_transfer_ends_the_previous_lead_the_day_before(client, partnership, nominal, housing_lead):
    client.force_login(partnership.officer)
    start = days_ago(10)

    response = transfer(
        client,
        nominal,
        "lead_professional",
        partnership.probation_officer,
        started_on_0=str(start.day),
        started_on_1=str(start.month),
        started_on_2=str(start.year),
    )

    assert response.status_code == 302
    previous = CaseAssignment.objects.get(nominal=nominal, worker=housing_lead)
    assert previous.ended_on == days_ago(11)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": "  "}, "Give the reason for the transfer from Hana Housing"),
        ({"worker": ""}, "Choose the lead professional"),
        ({"started_on_0": "31", "started_on_1": "2"}, "The start date must be a real date"),
        ({"started_on_0": "", "started_on_1": "", "started_on_2": ""}, "Enter the start date"),
        ({"started_on_2": str(TODAY().year + 1)}, "The start date must be today or in the past"),
        ({"started_on_2": str(TODAY().year - 1)}, "The start date must be on or after"),
    ],
)
def test_bad_input_is_explained_keeps_what_was_typed_and_changes_nothing(client, partnership, nominal, fields, message):
    client.force_login(partnership.officer)
    before = list(CaseAssignment.objects.values_list("pk", "ended_on"))

    response = transfer(client, nominal, "lead_professional", partnership.probation_officer, **fields)

    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert message in body
    assert list(CaseAssignment.objects.values_list("pk", "ended_on")) == before
    if fields.get("worker", "x"):
        assert f'<option value="{partnership.probation_officer.pk}" selected' in body


def test_assigning_the_current_holder_again_is_explained(client, partnership, nominal, housing_lead):
    client.force_login(partnership.officer)

    response = transfer(client, nominal, "lead_professional", housing_lead)

    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "Hana Housing is already the lead professional." in body
    assert "Released to probation supervision" in body  # kept
    assert CaseAssignment.objects.filter(nominal=nominal, role="lead_professional").count() == 1


def test_a_first_key_worker_needs_no_reason_but_replacing_one_does(client, partnership, nominal):
    colleague = user_of(partnership, "drugs", Role.PARTNER_WORKER, first_name="Kit", last_name="Colleague")
    client.force_login(partnership.officer)

    assert transfer(client, nominal, "key_worker", partnership.drugs_worker, reason="").status_code == 302
    assert transfer(client, nominal, "key_worker", partnership.prison_officer, reason="").status_code == 302
    refused = transfer(client, nominal, "key_worker", colleague, reason="")
    assert refused.status_code == 400
    assert f"Give the reason for the transfer from {partnership.drugs_worker}" in refused.content.decode()

    assert transfer(client, nominal, "key_worker", colleague, reason="Caseload rebalanced").status_code == 302
    current = CaseAssignment.objects.filter(nominal=nominal, role="key_worker", ended_on__isnull=True)
    assert {assignment.worker for assignment in current} == {colleague, partnership.prison_officer}


def test_a_person_not_on_the_cohort_has_no_form(client, partnership):
    person = make_nominal(partnership.officer)
    client.force_login(partnership.officer)

    response = client.get(page_url(person, "lead_professional"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "is not on the IOM cohort" in body
    assert 'name="worker"' not in body
    assert transfer(client, person, "lead_professional", partnership.probation_officer).status_code == 400
    assert not CaseAssignment.objects.filter(nominal=person).exists()


# --- Ending a key worker's assignment ----------------------------------------------------------------


def end_url(nominal, assignment) -> str:
    return reverse("nominal-assignment-end", args=[nominal.pk, assignment.pk])


def test_ending_a_key_worker_ends_their_agencys_access(client, partnership, nominal):
    keyworker = case_assign(
        nominal=nominal, role="key_worker", worker=partnership.outsider, by=partnership.officer, started_on=days_ago(9)
    )
    assert nominal in nominals_visible_to(partnership.outsider)
    client.force_login(partnership.officer)
    body = client.get(page_url(nominal, "key_worker")).content.decode()
    assert f'action="{end_url(nominal, keyworker)}"' in body

    response = client.post(end_url(nominal, keyworker))

    assert response.status_code == 302
    assert response["Location"] == page_url(nominal, "key_worker")
    keyworker.refresh_from_db()
    assert keyworker.ended_on == days_ago(1)
    assert nominal not in nominals_visible_to(partnership.outsider)
    page = client.get(response["Location"]).content.decode()
    assert "is no longer a key worker" in page
    assert "No key workers are assigned." in page


@pytest.mark.parametrize("who", ["prison_officer", "drugs_worker"])
def test_only_the_iom_team_and_the_lead_professional_end_a_key_worker(client, partnership, nominal, who):
    keyworker = case_assign(nominal=nominal, role="key_worker", worker=partnership.drugs_worker, by=partnership.officer)
    client.force_login(getattr(partnership, who))

    assert client.post(end_url(nominal, keyworker)).status_code == 403
    keyworker.refresh_from_db()
    assert keyworker.ended_on is None


def test_the_lead_professional_ends_a_key_worker(client, partnership, nominal, housing_lead):
    keyworker = case_assign(nominal=nominal, role="key_worker", worker=partnership.drugs_worker, by=partnership.officer)
    client.force_login(housing_lead)

    assert client.post(end_url(nominal, keyworker)).status_code == 302


def test_a_lead_is_transferred_not_ended(client, partnership, nominal, housing_lead):
    lead = CaseAssignment.objects.get(nominal=nominal, worker=housing_lead)
    client.force_login(partnership.officer)

    response = client.post(end_url(nominal, lead))

    assert response.status_code == 400
    assert "The lead professional is transferred, not ended." in response.content.decode()
    lead.refresh_from_db()
    assert lead.ended_on is None


def test_an_assignment_of_someone_else_or_out_of_scope_is_not_found(client, partnership, nominal):
    other = make_nominal(partnership.officer)
    cohort_membership_start(nominal=other)
    elsewhere = case_assign(nominal=other, role="key_worker", worker=partnership.drugs_worker, by=partnership.officer)
    client.force_login(partnership.officer)

    assert client.post(end_url(nominal, elsewhere)).status_code == 404
    client.force_login(partnership.outsider)
    assert client.post(end_url(other, elsewhere)).status_code == 404


# --- The service: ending a key worker's assignment ------------------------------------------------


def test_the_service_keeps_the_agency_involved_while_it_has_another_reason(partnership):
    person = make_nominal(partnership.officer)
    lead = case_assign(nominal=person, role="lead_professional", worker=partnership.outsider, by=partnership.officer)
    colleague = UserFactory.create(agency=partnership.elsewhere, roles=[Role.PRACTITIONER])
    keyworker = case_assign(nominal=person, role="key_worker", worker=colleague, by=partnership.officer)

    case_assignment_end(assignment=keyworker, by=partnership.officer)

    assert person in nominals_visible_to(partnership.outsider)  # still the lead professional's agency
    assert not CaseInvolvement.objects.filter(
        nominal=person, agency=partnership.elsewhere, reason="key_worker", ended_on__isnull=True
    ).exists()
    assert lead.ended_on is None


def test_the_service_refuses_what_cannot_end(partnership):
    person = make_nominal(partnership.officer)
    lead = case_assign(nominal=person, role="police_lead", worker=partnership.officer, by=partnership.officer)
    keyworker = case_assign(nominal=person, role="key_worker", worker=partnership.drugs_worker, by=partnership.officer)

    with pytest.raises(StateError, match="transferred, not ended"):
        case_assignment_end(assignment=lead, by=partnership.officer)
    with pytest.raises(ValidationError):
        case_assignment_end(assignment=keyworker, by=partnership.officer, last_day=TODAY() + datetime.timedelta(1))
    case_assignment_end(assignment=keyworker, by=partnership.officer)
    with pytest.raises(StateError, match="already ended"):
        case_assignment_end(assignment=keyworker, by=partnership.officer)


def test_an_assignment_started_today_ends_today(partnership):
    person = make_nominal(partnership.officer)
    keyworker = case_assign(nominal=person, role="key_worker", worker=partnership.outsider, by=partnership.officer)

    ended = case_assignment_end(assignment=keyworker, by=partnership.officer)

    assert ended.ended_on == TODAY()  # never before it started
    assert person not in nominals_visible_to(partnership.outsider)  # the agency's reason ended yesterday


# --- Who may assign: role x agency -------------------------------------------------------------------

ASSIGNERS = [
    ("police", Role.PRACTITIONER, 200),
    ("police", Role.SUPERVISOR, 200),
    ("police", Role.PANEL_CHAIR, 200),
    ("police", Role.ANALYST, 403),
    ("police", Role.PARTNER_WORKER, 403),
    ("police", Role.AGENCY_ADMIN, 403),
    ("police", Role.SYSTEM_ADMIN, 403),
    ("probation", Role.PRACTITIONER, 200),
    ("probation", Role.PANEL_CHAIR, 200),
    ("prison", Role.PRACTITIONER, 403),
    ("prison", Role.SUPERVISOR, 403),
    ("drugs", Role.PARTNER_WORKER, 403),
    ("housing", Role.PARTNER_WORKER, 403),  # the lead professional's colleague
    ("elsewhere", Role.PRACTITIONER, 404),
]


@pytest.mark.parametrize("role_path", ["lead_professional", "police_lead", "key_worker"])
@pytest.mark.parametrize(("agency", "role", "status"), ASSIGNERS)
def test_who_may_assign(client, partnership, nominal, agency, role, status, role_path):
    client.force_login(user_of(partnership, agency, role))

    assert client.get(page_url(nominal, role_path)).status_code == status


def test_the_lead_professional_assigns_whatever_their_role(client, partnership, nominal, housing_lead):
    client.force_login(housing_lead)

    assert client.get(page_url(nominal, "key_worker")).status_code == 200
    response = transfer(client, nominal, "lead_professional", partnership.probation_officer)
    assert response.status_code == 302
    # No longer the lead professional, nor involved: the person is out of their agency's sight.
    assert client.get(page_url(nominal, "key_worker")).status_code == 404


def test_who_may_assign_posting(client, partnership, nominal):
    client.force_login(partnership.prison_officer)
    assert transfer(client, nominal, "lead_professional", partnership.probation_officer).status_code == 403
    client.force_login(partnership.outsider)
    assert transfer(client, nominal, "lead_professional", partnership.probation_officer).status_code == 404
    assert CaseAssignment.objects.filter(nominal=nominal, role="lead_professional").count() == 1


@pytest.mark.parametrize(
    ("who", "offered"), [("officer", True), ("probation_officer", True), ("prison_officer", False)]
)
def test_the_person_page_offers_transfers_only_to_those_who_may(client, partnership, nominal, who, offered):
    client.force_login(getattr(partnership, who))

    body = client.get(reverse("nominal-detail", args=[nominal.pk])).content.decode()

    assert (f'href="{page_url(nominal, "lead_professional")}">Transfer' in body) is offered
    assert (f'href="{page_url(nominal, "police_lead")}">Transfer' in body) is offered
    assert (f'href="{page_url(nominal, "key_worker")}">Assign a key worker' in body) is offered


# --- Query counts ----------------------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["lead_professional", "key_worker"])
def test_the_page_runs_the_same_queries_however_many_workers_and_transfers(client, partnership, nominal, role):
    client.force_login(partnership.officer)
    before = count_queries(client, page_url(nominal, role))

    for agency in ("probation", "prison", "drugs", "elsewhere"):
        for _ in range(3):
            user_of(partnership, agency, Role.PRACTITIONER)
            user_of(partnership, agency, Role.PARTNER_WORKER)
    for worker in (partnership.probation_officer, partnership.drugs_worker, partnership.prison_officer):
        case_assign(nominal=nominal, role=role, worker=worker, by=partnership.officer, reason="Moved")

    assert count_queries(client, page_url(nominal, role)) == before


# --- The API ---------------------------------------------------------------------------------------


def api_url(nominal_pk: int) -> str:
    return reverse("api-nominal-assignments", args=[nominal_pk])


def test_the_api_lists_current_and_past_assignments(client, partnership, nominal, housing_lead):
    case_assign(
        nominal=nominal,
        role="lead_professional",
        worker=partnership.probation_officer,
        by=partnership.officer,
        reason="Released",
    )
    client.force_login(partnership.prison_officer)  # reads, as on the person page

    data = client.get(api_url(nominal.pk)).json()

    assert data["on_cohort"] is True
    assert {(entry["role"], entry["worker"]["id"]) for entry in data["current"]} == {
        ("lead_professional", partnership.probation_officer.pk),
        ("police_lead", CaseAssignment.objects.get(nominal=nominal, role="police_lead").worker_id),
    }
    [past] = data["past"]
    assert (past["worker"]["name"], past["agency"]["name"]) == ("Hana Housing", "Northmoor Housing")
    assert past["ended_on"] == days_ago(1).isoformat()
    assert data["current"][0]["role_name"] in ("Lead professional", "IOM police lead officer")


def test_the_api_transfers_a_lead(client, partnership, nominal, housing_lead):
    client.force_login(partnership.officer)

    response = client.post(
        api_url(nominal.pk),
        {"role": "lead_professional", "worker": partnership.probation_officer.pk, "reason": "Released"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["worker"]["id"], data["agency"]["name"], data["started_on"]) == (
        partnership.probation_officer.pk,
        "Probation Northmoor",
        TODAY().isoformat(),
    )
    assert data["assigned_by"]["id"] == partnership.officer.pk
    assert nominal not in nominals_visible_to(housing_lead)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": "lead_professional", "worker": "probation"}, "reason"),
        ({"role": "police_lead", "worker": "probation", "reason": "Why"}, "worker"),
        ({"role": "lead_professional", "worker": 10**9, "reason": "Why"}, "worker"),
        (
            {"role": "lead_professional", "worker": "probation", "reason": "Why", "started_on": "2099-01-01"},
            "started_on",
        ),
        (
            {"role": "lead_professional", "worker": "probation", "reason": "Why", "started_on": "31/02/2024"},
            "started_on",
        ),
        ({"role": "boss", "worker": "probation", "reason": "Why"}, "role"),
    ],
)
def test_the_api_explains_bad_input_field_by_field(client, partnership, nominal, data, field):
    if data["worker"] == "probation":
        data = {**data, "worker": partnership.probation_officer.pk}
    client.force_login(partnership.officer)
    before = list(CaseAssignment.objects.values_list("pk", "ended_on"))

    response = client.post(api_url(nominal.pk), data, content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert list(CaseAssignment.objects.values_list("pk", "ended_on")) == before


def test_the_api_refuses_the_same_holder_and_those_who_may_not(client, partnership, nominal, housing_lead):
    body = {"role": "lead_professional", "worker": housing_lead.pk, "reason": "Again"}
    client.force_login(partnership.officer)
    refused = client.post(api_url(nominal.pk), body, content_type="application/json")
    assert refused.status_code == 409
    assert "already the lead professional" in refused.json()["detail"]

    client.force_login(partnership.prison_officer)
    assert client.post(api_url(nominal.pk), body, content_type="application/json").status_code == 403
    client.force_login(partnership.outsider)
    assert client.get(api_url(nominal.pk)).status_code == 404
    assert client.post(api_url(nominal.pk), body, content_type="application/json").status_code == 404


def test_the_api_ends_a_key_worker(client, partnership, nominal):
    keyworker = case_assign(
        nominal=nominal, role="key_worker", worker=partnership.outsider, by=partnership.officer, started_on=days_ago(5)
    )
    url = reverse("api-assignment-end", args=[nominal.pk, keyworker.pk])
    client.force_login(partnership.prison_officer)
    assert client.post(url, content_type="application/json").status_code == 403
    client.force_login(partnership.officer)

    response = client.post(url, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["ended_on"] == days_ago(1).isoformat()
    assert nominal not in nominals_visible_to(partnership.outsider)
    again = client.post(url, content_type="application/json")
    assert again.status_code == 409
    assert "already ended" in again.json()["detail"]
    assert client.post(reverse("api-assignment-end", args=[nominal.pk, 10**9])).status_code == 404


def test_the_api_runs_the_same_queries_however_many_assignments(client, partnership, nominal):
    client.force_login(partnership.prison_officer)
    before = count_queries(client, api_url(nominal.pk))

    for worker in (partnership.probation_officer, partnership.drugs_worker, partnership.prison_officer):
        case_assign(nominal=nominal, role="key_worker", worker=worker, by=partnership.officer)
    case_assign(
        nominal=nominal,
        role="lead_professional",
        worker=partnership.probation_officer,
        by=partnership.officer,
        reason="Supervision moved to probation",
    )

    assert count_queries(client, api_url(nominal.pk)) == before
