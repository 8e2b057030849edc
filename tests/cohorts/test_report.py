"""The management report's services and selector (cohorts/report/services.py): each entry is an item of the
right category owned by the recorder's agency, validated with field messages; who may record and
change; what other agencies see of it (withheld counted, not shown); the compliance summary; and a
fixed number of queries whatever the number of entries."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.records.models import RecordedItem
from cohorts.records.services import cohort_membership_start, pathway_need_record
from cohorts.report.models import Contact, EnforcementAction, Intervention, PlanAction
from cohorts.report.services import (
    contact_record,
    decision_record,
    enforcement_record,
    intervention_record,
    intervention_update,
    management_report_for_user,
    plan_action_record,
    plan_action_update,
    plan_summary_for_user,
)
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


@pytest.fixture
def nominal(partnership):
    person = make_nominal(partnership.officer, first_name="Liam", last_name="Reportson")
    cohort_membership_start(nominal=person, started_on=days_ago(100))
    return person


def field_errors(raised: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return raised.value.message_dict


# --- Recording -------------------------------------------------------------------------------------


def test_a_plan_action_is_an_item_of_its_pathways_category_owned_by_the_recorders_agency(partnership, nominal):
    action = plan_action_record(
        nominal=nominal,
        by=partnership.probation_officer,
        pathway="accommodation",
        action="Refer to the Tenancy Sustainment Team",
        status=PlanAction.Status.REFERRED,
        owner=partnership.probation_officer,
        due_on=today() + datetime.timedelta(days=14),
    )
    thinking = plan_action_record(
        nominal=nominal, by=partnership.officer, pathway="attitudes", action="Thinking Skills Programme"
    )

    assert (action.item.category.code, action.item.kind) == ("accommodation", RecordedItem.Kind.PLAN_ACTION)
    assert action.item.owning_agency == partnership.probation
    assert action.item.summary == "Refer to the Tenancy Sustainment Team"
    assert action.status == PlanAction.Status.REFERRED
    assert thinking.item.category.code == "offending-risk"
    assert thinking.status == PlanAction.Status.IDENTIFIED


def test_a_plan_action_needs_an_action_a_pathway_and_a_due_date_not_before_it_was_identified(partnership, nominal):
    with pytest.raises(ValidationError) as raised:
        plan_action_record(
            nominal=nominal,
            by=partnership.officer,
            pathway="nowhere",
            action="  ",
            due_on=days_ago(3),
            identified_on=days_ago(1),
        )

    errors = field_errors(raised)
    assert errors["pathway"] == ["Choose the pathway"]
    assert errors["action"] == ["Enter the action"]
    assert errors["due_on"][0].startswith("The due date must be on or after")
    assert not PlanAction.objects.exists()


def test_an_intervention_ends_after_it_starts_and_one_that_has_ended_has_an_end_date(partnership, nominal):
    with pytest.raises(ValidationError) as raised:
        intervention_record(
            nominal=nominal,
            by=partnership.probation_officer,
            name="Building Better Relationships",
            provider="Probation",
            starts_on=days_ago(10),
            ends_on=days_ago(20),
        )
    assert field_errors(raised)["ends_on"] == ["The end date must be the same as or after the start date"]

    with pytest.raises(ValidationError) as raised:
        intervention_record(
            nominal=nominal,
            by=partnership.probation_officer,
            name="Building Better Relationships",
            provider="",
            starts_on=days_ago(10),
            status=Intervention.Status.COMPLETED,
        )
    assert field_errors(raised)["ends_on"] == ["Enter the end date of an intervention that has ended"]
    assert field_errors(raised)["provider"] == ["Enter the provider"]
    assert not Intervention.objects.exists()


def test_a_planned_intervention_may_start_later_and_is_dated_today_until_it_does(partnership, nominal):
    starts = today() + datetime.timedelta(days=7)

    planned = intervention_record(
        nominal=nominal,
        by=partnership.drugs_worker,
        name="Recovery group",
        provider="Compass Recovery",
        starts_on=starts,
        pathway="drugs_alcohol",
    )

    assert (planned.starts_on, planned.item.occurred_on) == (starts, today())
    assert planned.item.category.code == "substance-misuse"
    with pytest.raises(ValidationError) as raised:
        intervention_record(
            nominal=nominal,
            by=partnership.drugs_worker,
            name="Recovery group",
            provider="Compass Recovery",
            starts_on=starts,
            status=Intervention.Status.STARTED,
        )
    assert "starts_on" in field_errors(raised)


def test_a_contact_is_not_in_the_future_and_the_next_contact_comes_after_it(partnership, nominal):
    with pytest.raises(ValidationError) as raised:
        contact_record(
            nominal=nominal,
            by=partnership.officer,
            contact_type=Contact.Type.HOME_VISIT,
            occurred_on=today() + datetime.timedelta(days=1),
            outcome=Contact.Outcome.ATTENDED,
        )
    assert field_errors(raised)["occurred_on"] == ["The date of the contact must be today or in the past"]

    with pytest.raises(ValidationError) as raised:
        contact_record(
            nominal=nominal,
            by=partnership.officer,
            contact_type=Contact.Type.HOME_VISIT,
            occurred_on=days_ago(2),
            outcome=Contact.Outcome.ATTENDED,
            next_contact_on=days_ago(2),
        )
    assert field_errors(raised)["next_contact_on"] == ["The next contact must be after this contact"]

    contact = contact_record(
        nominal=nominal,
        by=partnership.officer,
        contact_type=Contact.Type.HOME_VISIT,
        occurred_on=days_ago(2),
        outcome=Contact.Outcome.NOT_AT_HOME,
        next_contact_on=today(),
    )
    assert contact.item.summary == "Home visit: not at home"
    assert contact.item.category.code == "offending-risk"


def test_a_decision_needs_its_rationale(partnership, nominal):
    with pytest.raises(ValidationError) as raised:
        decision_record(nominal=nominal, by=partnership.officer, decision="Weekly contact", rationale=" ")
    assert field_errors(raised) == {"rationale": ["Enter the rationale for the decision"]}

    decision = decision_record(
        nominal=nominal, by=partnership.officer, decision="Weekly contact", rationale="Two missed appointments"
    )
    assert (decision.kind, decision.summary, decision.detail) == (
        RecordedItem.Kind.DECISION,
        "Weekly contact",
        "Two missed appointments",
    )


def test_an_enforcement_action_is_dated_today_or_before_and_says_why(partnership, nominal):
    with pytest.raises(ValidationError) as raised:
        enforcement_record(
            nominal=nominal,
            by=partnership.probation_officer,
            kind=EnforcementAction.Kind.RECALL,
            occurred_on=today() + datetime.timedelta(days=1),
            reason="",
        )
    errors = field_errors(raised)
    assert errors["occurred_on"] == ["The date of the enforcement action must be today or in the past"]
    assert errors["reason"] == ["Enter why the action was taken"]

    recall = enforcement_record(
        nominal=nominal,
        by=partnership.probation_officer,
        kind=EnforcementAction.Kind.RECALL,
        occurred_on=today(),
        reason="Licence conditions breached",
        outcome="Recalled to HMP Fenwick",
    )
    assert (recall.item.summary, recall.item.owning_agency) == ("Recall", partnership.probation)


# --- Who records and changes -----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN])
def test_roles_that_do_not_keep_the_report_may_not_add_to_it(partnership, nominal, role):
    user = UserFactory.create(agency=partnership.police, roles=[role])

    with pytest.raises(NotAllowed):
        decision_record(nominal=nominal, by=user, decision="Weekly contact", rationale="Missed appointments")
    assert not RecordedItem.objects.filter(kind=RecordedItem.Kind.DECISION).exists()


def test_a_panel_chair_records_a_decision(partnership, nominal):
    chair = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])

    decision = decision_record(nominal=nominal, by=chair, decision="Stay on IOM", rationale="Reoffending risk")

    assert decision.recorded_by == chair


def test_only_the_agency_that_recorded_an_action_changes_it_and_not_from_an_older_version(partnership, nominal):
    action = plan_action_record(nominal=nominal, by=partnership.officer, pathway="finance", action="Debt advice")

    with pytest.raises(StateError):
        plan_action_update(
            plan_action=action, by=partnership.probation_officer, version=1, status=PlanAction.Status.MET
        )
    colleague = UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER])
    changed = plan_action_update(
        plan_action=action,
        by=colleague,
        version=1,
        status=PlanAction.Status.ENGAGED,
        owner=colleague,
        due_on=today() + datetime.timedelta(days=30),
    )
    with pytest.raises(StaleVersion):
        plan_action_update(plan_action=action, by=partnership.officer, version=1, status=PlanAction.Status.MET)

    changed.refresh_from_db()
    assert (changed.status, changed.owner, changed.item.version) == (PlanAction.Status.ENGAGED, colleague, 2)


def test_an_intervention_is_completed_with_its_end_date(partnership, nominal):
    intervention = intervention_record(
        nominal=nominal, by=partnership.officer, name="Mentoring", provider="New Leaf", starts_on=days_ago(30)
    )

    with pytest.raises(ValidationError):
        intervention_update(
            intervention=intervention,
            by=partnership.officer,
            version=1,
            status=Intervention.Status.COMPLETED,
            starts_on=days_ago(30),
        )
    intervention_update(
        intervention=intervention,
        by=partnership.officer,
        version=1,
        status=Intervention.Status.COMPLETED,
        starts_on=days_ago(30),
        ends_on=days_ago(1),
    )

    intervention.refresh_from_db()
    assert (intervention.status, intervention.ends_on) == (Intervention.Status.COMPLETED, days_ago(1))


# --- The report ------------------------------------------------------------------------------------


def test_a_partner_without_the_category_sees_how_many_entries_are_withheld_not_their_content(partnership, nominal):
    plan_action_record(nominal=nominal, by=partnership.officer, pathway="accommodation", action="HOUSING-SECRET")
    plan_action_record(nominal=nominal, by=partnership.officer, pathway="attitudes", action="Thinking skills")
    decision_record(nominal=nominal, by=partnership.officer, decision="DECISION-SECRET", rationale="Because")

    drugs_view = management_report_for_user(partnership.drugs_worker, nominal)
    probation_view = management_report_for_user(partnership.probation_officer, nominal)

    assert drugs_view.plan_actions == []
    assert drugs_view.decisions == []
    assert [str(held) for held in drugs_view.withheld["plan"].by_agency] == [
        "2 items held by Northmoor Police are not shared with your agency"
    ]
    assert drugs_view.withheld["decisions"].total == 1
    # Probation shares offending and risk with the police, not accommodation.
    assert [action.item.summary for action in probation_view.plan_actions] == ["Thinking skills"]
    assert [item.summary for item in probation_view.decisions] == ["DECISION-SECRET"]
    assert probation_view.withheld["plan"].total == 1
    assert not probation_view.withheld["decisions"]


def test_sensitive_entries_are_counted_not_shown_even_to_their_own_agency(partnership, nominal):
    plan_action_record(nominal=nominal, by=partnership.officer, pathway="health", action="HEALTH-SECRET")

    report = management_report_for_user(partnership.officer, nominal)

    assert report.plan_actions == []
    assert report.withheld["plan"].sensitive == 1
    assert "health" not in report.categories_shown


def test_each_pathway_shows_its_latest_need_and_its_actions(partnership, nominal):
    pathway_need_record(
        nominal=nominal, by=partnership.officer, pathway="accommodation", level="high", assessed_on=days_ago(40)
    )
    pathway_need_record(
        nominal=nominal, by=partnership.officer, pathway="accommodation", level="low", assessed_on=days_ago(5)
    )
    plan_action_record(
        nominal=nominal,
        by=partnership.officer,
        pathway="accommodation",
        action="Move-on accommodation",
        status=PlanAction.Status.MET,
    )

    report = management_report_for_user(partnership.officer, nominal)
    accommodation = next(plan for plan in report.pathways if plan.pathway == "accommodation")

    assert len(report.pathways) == 7
    assert accommodation.need is not None
    assert accommodation.need.level == "low"
    assert [action.item.summary for action in accommodation.actions] == ["Move-on accommodation"]
    assert accommodation.status_counts == [("Met", 1)]
    assert report.open_actions == 0


def test_compliance_counts_contacts_kept_and_missed_and_enforcement_in_the_last_three_months(partnership, nominal):
    def contact(days: int, outcome: str, next_in: int | None = None) -> None:
        contact_record(
            nominal=nominal,
            by=partnership.officer,
            contact_type=Contact.Type.FACE_TO_FACE,
            occurred_on=days_ago(days),
            outcome=outcome,
            next_contact_on=days_ago(days - next_in) if next_in else None,
        )

    contact(200, Contact.Outcome.FAILED_TO_ATTEND)  # before the period
    contact(60, Contact.Outcome.ATTENDED)
    contact(30, Contact.Outcome.FAILED_TO_ATTEND)
    contact(20, Contact.Outcome.NOT_AT_HOME)
    contact(10, Contact.Outcome.ACCEPTABLE_ABSENCE)
    contact(3, Contact.Outcome.ATTENDED, next_in=7)
    enforcement_record(
        nominal=nominal, by=partnership.officer, kind="warning", occurred_on=days_ago(19), reason="Missed twice"
    )

    report = management_report_for_user(partnership.officer, nominal)

    compliance = report.compliance
    assert (compliance.kept, compliance.missed, compliance.excused, compliance.enforcement) == (2, 2, 1, 1)
    assert compliance.rate == 50
    assert report.next_contact is not None
    assert report.next_contact.next_contact_on == today() + datetime.timedelta(days=4)
    assert not report.next_contact_overdue


def fill(nominal, partnership, count: int) -> None:
    officer = partnership.officer
    for index in range(count):
        plan_action_record(
            nominal=nominal,
            by=officer,
            pathway=["accommodation", "attitudes", "finance"][index % 3],
            action=f"Action {index}",
            owner=officer,
        )
        intervention_record(nominal=nominal, by=officer, name=f"Course {index}", provider="P", starts_on=days_ago(9))
        contact_record(
            nominal=nominal, by=officer, contact_type="phone", occurred_on=days_ago(index % 80), outcome="attended"
        )
        decision_record(nominal=nominal, by=officer, decision=f"Decision {index}", rationale="Why")
        enforcement_record(nominal=nominal, by=officer, kind="warning", occurred_on=days_ago(1), reason="Why")
        plan_action_record(nominal=nominal, by=partnership.drugs_worker, pathway="drugs_alcohol", action="Withheld")


def test_the_report_takes_the_same_number_of_queries_for_3_entries_of_each_kind_as_for_30(partnership):
    small = make_nominal(partnership.officer)
    large = make_nominal(partnership.officer)
    for person in (small, large):
        cohort_membership_start(nominal=person, started_on=days_ago(100))
    fill(small, partnership, 3)
    fill(large, partnership, 30)
    viewer = partnership.probation_officer

    with CaptureQueriesContext(connection) as few:
        management_report_for_user(viewer, small)
    with CaptureQueriesContext(connection) as many:
        report = management_report_for_user(viewer, large)

    assert len(report.contacts) == 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_person_pages_plan_summary_counts_actions_by_status_and_those_withheld(partnership, nominal):
    plan_action_record(nominal=nominal, by=partnership.officer, pathway="attitudes", action="A", status="met")
    plan_action_record(nominal=nominal, by=partnership.officer, pathway="attitudes", action="B", status="engaged")
    plan_action_record(nominal=nominal, by=partnership.officer, pathway="accommodation", action="C")

    summary = plan_summary_for_user(partnership.probation_officer, nominal)

    assert summary.actions_by_status == [("Engaged", 1), ("Met", 1)]
    assert (summary.open_actions, summary.withheld) == (1, 1)
