"""Management report pages and API: /people/<pk>/report/ (and its printable version), the pages adding
and changing its entries, /api/v1/people/<pk>/report/ and its endpoints, the person page's panel and
the review page's link. Who reaches each page by role and scope is in tests/permission_matrix.py;
here: what they show and withhold, bad input, changing another agency's entry, and query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import AccessEvent
from cohorts.records.models import RecordedItem
from cohorts.records.services import cohort_membership_start
from cohorts.report.models import Contact, EnforcementAction, Intervention, PlanAction
from cohorts.report.services import (
    contact_record,
    decision_record,
    enforcement_record,
    intervention_record,
    plan_action_record,
    plan_action_update,
)
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def date_fields(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


@pytest.fixture
def nominal(partnership):
    person = make_nominal(partnership.officer, first_name="Liam", last_name="Reportson")
    cohort_membership_start(nominal=person, started_on=days_ago(100))
    return person


@pytest.fixture
def entries(partnership, nominal):
    officer = partnership.officer
    plan_action_record(nominal=nominal, by=officer, pathway="attitudes", action="SHARED-THINKING-SKILLS")
    plan_action_record(nominal=nominal, by=officer, pathway="accommodation", action="POLICE-ONLY-HOUSING")
    plan_action_record(nominal=nominal, by=officer, pathway="health", action="SENSITIVE-GP-REGISTRATION")
    intervention_record(
        nominal=nominal, by=officer, name="SHARED-MENTORING", provider="New Leaf", starts_on=days_ago(9)
    )
    contact_record(
        nominal=nominal,
        by=officer,
        contact_type=Contact.Type.HOME_VISIT,
        occurred_on=days_ago(4),
        outcome=Contact.Outcome.FAILED_TO_ATTEND,
        next_contact_on=today() + datetime.timedelta(days=3),
    )
    decision_record(nominal=nominal, by=officer, decision="SHARED-DECISION", rationale="SHARED-RATIONALE")
    enforcement_record(nominal=nominal, by=officer, kind="breach", occurred_on=days_ago(2), reason="SHARED-BREACH")


# --- The report ------------------------------------------------------------------------------------


def test_the_report_shows_each_section_and_counts_what_the_agency_may_not_read(client, partnership, nominal, entries):
    client.force_login(partnership.probation_officer)

    response = client.get(reverse("management-report", args=[nominal.pk]))
    body = response.content.decode()

    assert response.status_code == 200
    for shown in ("SHARED-THINKING-SKILLS", "SHARED-MENTORING", "SHARED-DECISION", "SHARED-RATIONALE", "SHARED-BREACH"):
        assert shown in body
    assert "Failed to attend" in body
    assert "POLICE-ONLY-HOUSING" not in body
    assert "SENSITIVE-GP-REGISTRATION" not in body
    # Probation is not shared accommodation or health by the police.
    assert "2 items held by Northmoor Police are not shared with your agency" in body
    assert "0 contacts kept, 1 missed" in body
    event = AccessEvent.objects.filter(path=f"/people/{nominal.pk}/report/").get()
    assert event.user == partnership.probation_officer
    assert "offending-risk" in event.categories


def test_sensitive_entries_are_counted_even_for_their_own_agency(client, partnership, nominal, entries):
    client.force_login(partnership.officer)

    body = client.get(reverse("management-report", args=[nominal.pk])).content.decode()

    assert "POLICE-ONLY-HOUSING" in body
    assert "SENSITIVE-GP-REGISTRATION" not in body
    assert "1 sensitive item is shown on the person's record when you give a reason" in body


def test_the_report_page_takes_the_same_number_of_queries_whatever_the_number_of_entries(client, partnership):
    small, large = make_nominal(partnership.officer), make_nominal(partnership.officer)
    for person, count in ((small, 2), (large, 20)):
        cohort_membership_start(nominal=person, started_on=days_ago(100))
        for index in range(count):
            plan_action_record(
                nominal=person,
                by=partnership.officer,
                pathway="attitudes",
                action=f"A{index}",
                owner=partnership.officer,
            )
            contact_record(
                nominal=person,
                by=partnership.officer,
                contact_type="phone",
                occurred_on=days_ago(1),
                outcome="attended",
            )
            enforcement_record(nominal=person, by=partnership.officer, kind="warning", occurred_on=today(), reason="R")
            plan_action_record(nominal=person, by=partnership.drugs_worker, pathway="drugs_alcohol", action="W")
    client.force_login(partnership.officer)
    client.get(reverse("management-report", args=[small.pk]))  # warm caches (sessions, content types)

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("management-report", args=[small.pk]))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("management-report", args=[large.pk]))

    assert response.content.decode().count('data-testid="plan-action"') == 20
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_printable_report_has_no_navigation_and_no_links_to_change_it(client, partnership, nominal, entries):
    client.force_login(partnership.officer)

    response = client.get(reverse("management-report-print", args=[nominal.pk]))
    body = response.content.decode()

    assert response.status_code == 200
    assert "POLICE-ONLY-HOUSING" in body
    assert "moj-header" not in body
    assert "govuk-service-navigation" not in body
    assert "Add an action" not in body
    assert 'media="print"' in body
    assert f"Printed by {partnership.officer}" in body
    assert AccessEvent.objects.filter(path=f"/people/{nominal.pk}/report/print/").exists()


def test_a_supervisor_of_the_iom_team_is_offered_to_record_a_review_and_a_practitioner_is_not(
    client, partnership, nominal
):
    supervisor = UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR])
    url = reverse("management-report", args=[nominal.pk])
    review = reverse("review-new", args=[nominal.pk])

    client.force_login(supervisor)
    assert f'href="{review}"' in client.get(url).content.decode()
    client.force_login(partnership.officer)
    body = client.get(url).content.decode()
    assert f'href="{review}"' not in body
    assert "Add an action" in body


def test_an_analyst_reads_the_report_but_is_not_offered_to_add_to_it(client, partnership, nominal, entries):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.ANALYST]))

    body = client.get(reverse("management-report", args=[nominal.pk])).content.decode()

    assert "SHARED-DECISION" in body
    assert "Add an action" not in body
    assert client.get(reverse("plan-action-new", args=[nominal.pk])).status_code == 403


def test_the_person_page_links_to_the_report_with_the_plan_in_numbers(client, partnership, nominal, entries):
    client.force_login(partnership.probation_officer)

    body = client.get(reverse("nominal-detail", args=[nominal.pk])).content.decode()

    assert reverse("management-report", args=[nominal.pk]) in body
    assert "1 action on the plan, 1 open. By status: 1 identified." in body
    assert "2 actions not shown here" in body


def test_the_plan_in_numbers_adds_up_with_closed_actions_among_them(client, partnership, nominal):
    """The panel once said "6 open actions" above a breakdown adding up to 7 (a met one among them)."""
    for status in ("identified", "engaged", "met"):
        action = plan_action_record(nominal=nominal, by=partnership.officer, pathway="attitudes", action=status)
        plan_action_update(plan_action=action, by=partnership.officer, status=status, version=action.item.version)
    client.force_login(partnership.officer)

    body = client.get(reverse("nominal-detail", args=[nominal.pk])).content.decode()

    assert "3 actions on the plan, 2 open. By status: 1 identified, 1 engaged, 1 met." in body


def test_the_review_page_links_to_the_full_report(client, partnership, nominal):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR]))

    body = client.get(reverse("review-new", args=[nominal.pk])).content.decode()

    assert reverse("management-report", args=[nominal.pk]) in body


# --- Adding entries --------------------------------------------------------------------------------


def test_a_plan_action_with_mistakes_is_refused_keeping_what_was_typed(client, partnership, nominal):
    client.force_login(partnership.officer)
    identified = today()

    response = client.post(
        reverse("plan-action-new", args=[nominal.pk]),
        {
            "pathway": "",
            "action": "Refer to the housing options team",
            "status": "referred",
            **date_fields("due_on", identified - datetime.timedelta(days=1)),
        },
    )
    body = response.content.decode()

    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Choose the pathway" in body
    assert 'value="Refer to the housing options team"' in body
    assert not PlanAction.objects.exists()

    response = client.post(
        reverse("plan-action-new", args=[nominal.pk]),
        {
            "pathway": "accommodation",
            "action": "Refer to the housing options team",
            "status": "referred",
            **date_fields("due_on", identified - datetime.timedelta(days=1)),
        },
    )
    assert response.status_code == 400
    assert "The due date must be on or after" in response.content.decode()

    response = client.post(
        reverse("plan-action-new", args=[nominal.pk]),
        {
            "pathway": "accommodation",
            "action": "Refer to the housing options team",
            "status": "referred",
            "owner": str(partnership.officer.pk),
            **date_fields("due_on", identified + datetime.timedelta(days=14)),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("management-report", args=[nominal.pk]) + "#plan"
    action = PlanAction.objects.select_related("item").get()
    assert (action.pathway, action.status, action.owner, action.item.owning_agency) == (
        "accommodation",
        "referred",
        partnership.officer,
        partnership.police,
    )


@pytest.mark.parametrize(
    ("url_name", "data", "model"),
    [
        (
            "intervention-new",
            {
                "name": "Thinking Skills Programme",
                "provider": "Probation",
                "status": "started",
                **date_fields("starts_on", datetime.date(2025, 1, 6)),
            },
            Intervention,
        ),
        (
            "contact-new",
            {
                "contact_type": "face_to_face",
                "outcome": "attended",
                **date_fields("occurred_on", datetime.date(2025, 1, 6)),
            },
            Contact,
        ),
        (
            "enforcement-new",
            {
                "kind": "breach",
                "reason": "Missed three appointments",
                **date_fields("occurred_on", datetime.date(2025, 1, 6)),
            },
            EnforcementAction,
        ),
    ],
)
def test_each_kind_of_entry_is_added_from_its_page(client, partnership, nominal, url_name, data, model):
    client.force_login(partnership.probation_officer)
    url = reverse(url_name, args=[nominal.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert model.objects.get().item.owning_agency == partnership.probation


def test_a_decision_without_its_rationale_is_refused_keeping_the_decision(client, partnership, nominal):
    client.force_login(partnership.officer)
    url = reverse("decision-new", args=[nominal.pk])

    response = client.post(url, {"decision": "Weekly contact", "rationale": "", **date_fields("decided_on", today())})

    assert response.status_code == 400
    assert "Enter the rationale for the decision" in response.content.decode()
    assert 'value="Weekly contact"' in response.content.decode()
    response = client.post(
        url, {"decision": "Weekly contact", "rationale": "Missed twice", **date_fields("decided_on", today())}
    )
    assert response.status_code == 302
    assert RecordedItem.objects.get(kind=RecordedItem.Kind.DECISION).detail == "Missed twice"


def test_a_contact_whose_next_contact_is_before_it_is_refused(client, partnership, nominal):
    client.force_login(partnership.officer)

    response = client.post(
        reverse("contact-new", args=[nominal.pk]),
        {
            "contact_type": "phone",
            "outcome": "attended",
            "note": "Spoke about work",
            **date_fields("occurred_on", days_ago(1)),
            **date_fields("next_contact_on", days_ago(3)),
        },
    )

    assert response.status_code == 400
    assert "The next contact must be after this contact" in response.content.decode()
    assert "Spoke about work" in response.content.decode()


# --- Changing entries ------------------------------------------------------------------------------


def test_the_agency_that_recorded_an_action_changes_its_status_and_others_get_404(client, partnership, nominal):
    action = plan_action_record(nominal=nominal, by=partnership.officer, pathway="attitudes", action="Thinking skills")
    url = reverse("plan-action-edit", args=[nominal.pk, action.item.pk])

    client.force_login(partnership.probation_officer)
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "met", "version": "1"}).status_code == 404

    client.force_login(partnership.officer)
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "engaged", "version": "1"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "engaged"

    stale = client.post(url, {"status": "met", "version": "1"})
    assert stale.status_code == 400
    assert "Someone else changed this item" in stale.content.decode()
    action.refresh_from_db()
    assert action.status == "engaged"


@pytest.mark.parametrize("version", ["abc", "", "0", "1.0"])
def test_an_action_change_from_a_tampered_version_is_refused_as_stale(client, partnership, nominal, version):
    action = plan_action_record(nominal=nominal, by=partnership.officer, pathway="attitudes", action="Thinking skills")
    url = reverse("plan-action-edit", args=[nominal.pk, action.item.pk])
    client.force_login(partnership.officer)

    response = client.post(url, {"status": "declined", "version": version})

    assert response.status_code == 400
    assert "Someone else changed this item" in response.content.decode()
    action.refresh_from_db()
    assert action.status != "declined"


def test_an_intervention_is_changed_by_its_agency(client, partnership, nominal):
    intervention = intervention_record(
        nominal=nominal, by=partnership.officer, name="Mentoring", provider="New Leaf", starts_on=days_ago(30)
    )
    url = reverse("intervention-edit", args=[nominal.pk, intervention.item.pk])
    client.force_login(partnership.officer)

    refused = client.post(
        url, {"provider": "New Leaf", "status": "completed", "version": "1", **date_fields("starts_on", days_ago(30))}
    )
    assert refused.status_code == 400
    assert "Enter the end date of an intervention that has ended" in refused.content.decode()
    response = client.post(
        url,
        {
            "provider": "New Leaf",
            "status": "completed",
            "version": "1",
            **date_fields("starts_on", days_ago(30)),
            **date_fields("ends_on", days_ago(1)),
        },
    )

    assert response.status_code == 302
    intervention.refresh_from_db()
    assert (intervention.status, intervention.ends_on) == ("completed", days_ago(1))
    client.force_login(partnership.probation_officer)
    assert client.get(url).status_code == 404


# --- The API ---------------------------------------------------------------------------------------


def test_the_api_report_shows_what_the_agency_may_read_and_counts_the_rest(client, partnership, nominal, entries):
    client.force_login(partnership.probation_officer)

    response = client.get(reverse("api-management-report", args=[nominal.pk]))
    report = response.json()

    assert response.status_code == 200
    attitudes = next(plan for plan in report["pathways"] if plan["pathway"] == "attitudes")
    assert [action["summary"] for action in attitudes["actions"]] == ["SHARED-THINKING-SKILLS"]
    assert report["withheld"]["plan"] == {
        "by_agency": ["2 items held by Northmoor Police are not shared with your agency"],
        "sensitive": 0,
    }
    assert report["decisions"][0]["rationale"] == "SHARED-RATIONALE"
    assert report["compliance"]["missed"] == 1
    assert report["next_contact_on"] == (today() + datetime.timedelta(days=3)).isoformat()
    assert "POLICE-ONLY-HOUSING" not in response.content.decode()
    assert AccessEvent.objects.filter(path=f"/api/v1/people/{nominal.pk}/report/").exists()


def test_the_api_adds_entries_and_answers_bad_input_with_field_errors(client, partnership, nominal):
    client.force_login(partnership.officer)
    base = f"/api/v1/people/{nominal.pk}/report/"

    bad = client.post(
        base + "contacts/",
        {"contact_type": "phone", "occurred_on": "2024-01-15", "outcome": "attended", "next_contact_on": "2024-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"next_contact_on": ["The next contact must be after this contact"]}
    bad = client.post(base + "decisions/", {"decision": "Weekly", "rationale": ""}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["rationale"] == ["Enter the rationale for the decision"]

    made = client.post(
        base + "actions/",
        {"pathway": "finance", "action": "Debt advice", "status": "referred"},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert (made.json()["category"], made.json()["status"]) == ("finance", "referred")
    made = client.post(
        base + "interventions/",
        {"name": "Mentoring", "provider": "New Leaf", "starts_on": "2025-01-01", "ends_on": "2024-12-01"},
        content_type="application/json",
    )
    assert made.status_code == 400
    assert "ends_on" in made.json()["errors"]


def test_the_api_changes_a_plan_actions_status_for_its_agency_only(client, partnership, nominal):
    action = plan_action_record(nominal=nominal, by=partnership.officer, pathway="attitudes", action="Thinking skills")
    url = f"/api/v1/people/{nominal.pk}/report/actions/{action.item.pk}/"

    client.force_login(partnership.probation_officer)
    assert client.patch(url, {"status": "met", "version": 1}, content_type="application/json").status_code == 404
    client.force_login(partnership.officer)
    changed = client.patch(url, {"status": "met", "version": 1}, content_type="application/json")
    assert changed.status_code == 200
    assert (changed.json()["status"], changed.json()["version"]) == ("met", 2)
    stale = client.patch(url, {"status": "declined", "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    bad = client.patch(url, {"status": "finished", "version": 2}, content_type="application/json")
    assert bad.status_code == 400
    assert "status" in bad.json()["errors"]
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.ANALYST]))
    assert client.patch(url, {"status": "met", "version": 2}, content_type="application/json").status_code == 403
    client.force_login(partnership.outsider)
    assert client.patch(url, {"status": "met", "version": 2}, content_type="application/json").status_code == 404


def test_the_schema_describes_the_report_endpoints(client, practitioner):
    client.force_login(practitioner)

    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").content.decode()

    for path in ("report/", "report/actions/", "report/interventions/", "report/contacts/", "report/decisions/"):
        assert f"/api/v1/people/{{id}}/{path}" in schema
    assert "/api/v1/people/{id}/report/actions/{item_pk}/" in schema
