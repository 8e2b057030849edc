"""Assigning and transferring a case's lead professional, police lead and key workers: dated, with
a reason, and the sharing grants follow at once. RAG ratings need a rationale."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts.management.models import CaseAssignment, RagAssessment, RagRating
from cohorts.records.selectors import nominals_visible_to
from cohorts.records.services import case_assign, rag_assess
from sharing.errors import StateError
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory


def test_the_lead_professionals_agency_sees_the_person_from_the_assignment(partnership):
    nominal = make_nominal(partnership.officer)  # not on the cohort: no agreement reaches them
    assert nominal not in nominals_visible_to(partnership.housing_worker)

    assignment = case_assign(
        nominal=nominal, role="lead_professional", worker=partnership.housing_worker, by=partnership.officer
    )

    assert assignment.agency == partnership.housing
    assert nominal in nominals_visible_to(partnership.housing_worker)


def test_a_transfer_ends_the_previous_lead_and_their_agencys_reason(partnership):
    nominal = make_nominal(partnership.officer)
    started = timezone.localdate() - datetime.timedelta(days=30)
    first = case_assign(
        nominal=nominal,
        role="lead_professional",
        worker=partnership.housing_worker,
        by=partnership.officer,
        started_on=started,
    )

    second = case_assign(
        nominal=nominal,
        role="lead_professional",
        worker=partnership.probation_officer,
        by=partnership.officer,
        reason="Moved to probation supervision on release",
    )

    first.refresh_from_db()
    assert first.ended_on == timezone.localdate() - datetime.timedelta(days=1)
    assert second.reason == "Moved to probation supervision on release"
    assert (
        CaseAssignment.objects.filter(nominal=nominal, role="lead_professional", ended_on__isnull=True).get() == second
    )
    assert nominal not in nominals_visible_to(partnership.housing_worker)
    assert nominal in nominals_visible_to(partnership.probation_officer)


def test_a_transfer_within_the_agency_keeps_the_agency_involved(partnership):
    nominal = make_nominal(partnership.officer)
    colleague = UserFactory.create(agency=partnership.housing, roles=[Role.PARTNER_WORKER])
    case_assign(nominal=nominal, role="lead_professional", worker=partnership.housing_worker, by=partnership.officer)

    case_assign(nominal=nominal, role="lead_professional", worker=colleague, by=partnership.officer, reason="Leave")

    assert nominal in nominals_visible_to(colleague)


def test_a_transfer_without_a_reason_is_refused_by_the_service_itself(partnership):
    nominal = make_nominal(partnership.officer)
    case_assign(nominal=nominal, role="lead_professional", worker=partnership.housing_worker, by=partnership.officer)

    with pytest.raises(ValidationError) as error:
        case_assign(nominal=nominal, role="lead_professional", worker=partnership.drugs_worker, by=partnership.officer)

    assert "reason" in error.value.message_dict
    assert CaseAssignment.objects.get(nominal=nominal, ended_on__isnull=True).worker == partnership.housing_worker


def test_key_workers_are_one_per_agency(partnership):
    nominal = make_nominal(partnership.officer)
    case_assign(nominal=nominal, role="key_worker", worker=partnership.housing_worker, by=partnership.officer)
    case_assign(nominal=nominal, role="key_worker", worker=partnership.drugs_worker, by=partnership.officer)

    current = CaseAssignment.objects.filter(nominal=nominal, role="key_worker", ended_on__isnull=True)

    assert {assignment.agency for assignment in current} == {partnership.housing, partnership.drugs}


def test_the_police_lead_must_work_for_the_police(partnership):
    nominal = make_nominal(partnership.officer)

    with pytest.raises(ValidationError) as error:
        case_assign(nominal=nominal, role="police_lead", worker=partnership.probation_officer, by=partnership.officer)

    assert "police force" in error.value.message_dict["worker"][0]


def test_assigning_the_same_worker_again_is_refused(partnership):
    nominal = make_nominal(partnership.officer)
    case_assign(nominal=nominal, role="police_lead", worker=partnership.officer, by=partnership.officer)

    with pytest.raises(StateError, match="already the IOM police lead officer"):
        case_assign(nominal=nominal, role="police_lead", worker=partnership.officer, by=partnership.officer)


def test_a_rag_rating_needs_a_rationale_and_keeps_its_history(partnership):
    nominal = make_nominal(partnership.officer)
    red, green = RagRating.objects.get(code="red"), RagRating.objects.get(code="green")

    with pytest.raises(ValidationError):
        rag_assess(nominal=nominal, rating=red, rationale="  ", by=partnership.officer)
    rag_assess(nominal=nominal, rating=red, rationale="Arrested twice this month", by=partnership.officer)
    rag_assess(nominal=nominal, rating=green, rationale="Engaging with treatment", by=partnership.probation_officer)

    history = list(RagAssessment.objects.filter(nominal=nominal))
    assert [(entry.rating.code, entry.assessed_by) for entry in history] == [
        ("green", partnership.probation_officer),
        ("red", partnership.officer),
    ]


def test_the_default_rag_scheme_sets_review_cadences(db):
    ratings = {rating.code: rating.review_cadence for rating in RagRating.objects.all()}

    assert ratings == {"red": "every 2 weeks", "amber": "every month", "green": "every 3 months"}
