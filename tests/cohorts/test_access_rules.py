"""The sharing rules at the service level: who may see a person, and which items of their record."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cohorts.access import grants_recompute
from cohorts.records.models import CaseInvolvement, Nominal
from cohorts.records.selectors import nominal_get_for_user, nominal_record_for_user, nominals_visible_to
from cohorts.records.services import (
    cohort_membership_end,
    cohort_membership_start,
    consent_record,
    involvement_end,
    involvement_start,
)
from sharing.models import SharingAgreement
from sharing.roles import Role
from sharing.services import agreement_activate, agreement_end, agreement_suspend
from tests.cohorts.factories import make_item, make_nominal
from tests.partnership import category
from tests.sharing.factories import UserFactory


def can_see(user, nominal) -> bool:
    try:
        nominal_get_for_user(user, nominal.pk)
    except Nominal.DoesNotExist:
        return False
    return True


def test_the_agency_that_records_a_person_sees_them_and_no_one_else_does(partnership):
    nominal = make_nominal(partnership.officer)

    assert can_see(partnership.officer, nominal)
    for user in (partnership.probation_officer, partnership.drugs_worker, partnership.outsider):
        assert not can_see(user, nominal)


def test_parties_to_an_agreement_in_force_see_everyone_on_the_cohort(partnership):
    nominal = make_nominal(partnership.officer)

    cohort_membership_start(nominal=nominal)

    for user in (partnership.probation_officer, partnership.prison_officer, partnership.drugs_worker):
        assert can_see(user, nominal)
    assert not can_see(partnership.housing_worker, nominal), "the housing agreement has ended"
    assert not can_see(partnership.outsider, nominal), "no agreement at all"


def test_leaving_the_cohort_ends_access_under_agreements_but_not_the_recorders(partnership):
    nominal = make_nominal(partnership.officer)
    cohort_membership_start(nominal=nominal, started_on=timezone.localdate() - datetime.timedelta(days=30))

    cohort_membership_end(nominal=nominal, ended_on=timezone.localdate() - datetime.timedelta(days=1))

    assert not can_see(partnership.probation_officer, nominal)
    assert can_see(partnership.officer, nominal)


def test_an_involved_agency_sees_the_person_without_an_agreement(partnership):
    nominal = make_nominal(partnership.officer)

    involvement = involvement_start(
        nominal=nominal, agency=partnership.housing, reason=CaseInvolvement.Reason.KEY_WORKER
    )
    assert can_see(partnership.housing_worker, nominal)

    involvement_end(involvement=involvement, ended_on=timezone.localdate() - datetime.timedelta(days=0))
    grants_recompute(nominal_ids=[nominal.pk])  # ended today: still current today
    assert can_see(partnership.housing_worker, nominal)


def test_ending_an_agreement_removes_access_at_once(partnership):
    nominal = make_nominal(partnership.officer)
    cohort_membership_start(nominal=nominal)
    assert can_see(partnership.drugs_worker, nominal)

    agreement_end(agreement=partnership.substance, by=UserFactory.create(roles=[Role.SYSTEM_ADMIN]))

    assert not can_see(partnership.drugs_worker, nominal)
    assert can_see(partnership.probation_officer, nominal), "the core agreement still stands"


def test_suspending_an_agreement_removes_access_and_reactivating_restores_it(partnership):
    admin = UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN])
    nominal = make_nominal(partnership.officer)
    cohort_membership_start(nominal=nominal)

    agreement_suspend(agreement=partnership.substance, by=admin)
    assert not can_see(partnership.drugs_worker, nominal)

    agreement_activate(agreement=partnership.substance, by=admin)
    assert can_see(partnership.drugs_worker, nominal)


def test_lists_hold_only_the_people_an_agency_may_see(partnership):
    on_cohort = make_nominal(partnership.officer, last_name="Cohort")
    cohort_membership_start(nominal=on_cohort)
    police_only = make_nominal(partnership.officer, last_name="Policeonly")

    assert set(nominals_visible_to(partnership.drugs_worker)) == {on_cohort}
    assert set(nominals_visible_to(partnership.officer)) == {on_cohort, police_only}
    assert list(nominals_visible_to(partnership.outsider)) == []


def test_system_administrators_find_anyone(partnership):
    nominal = make_nominal(partnership.officer)
    admin = UserFactory.create(agency=partnership.elsewhere, roles=[Role.SYSTEM_ADMIN])

    assert can_see(admin, nominal)


# --- items ------------------------------------------------------------------------------------------


@pytest.fixture
def shared_person(partnership):
    nominal = make_nominal(partnership.officer)
    cohort_membership_start(nominal=nominal)
    return nominal


def summaries(record) -> set[str]:
    return {item.summary for item in record.items}


def test_an_agency_sees_its_own_items_and_those_a_clause_shares(partnership, shared_person):
    make_item(shared_person, partnership.officer, "offending-risk", "Arrested for burglary")
    make_item(shared_person, partnership.officer, "accommodation", "Sofa surfing")

    record = nominal_record_for_user(partnership.probation_officer, shared_person)

    assert summaries(record) == {"Arrested for burglary"}
    assert [str(withheld) for withheld in record.withheld] == [
        "1 item held by Northmoor Police is not shared with your agency"
    ]


def test_consent_decides_items_under_a_clause_that_asks_for_it(partnership, shared_person):
    make_item(shared_person, partnership.drugs_worker, "substance-misuse", "Started methadone script")
    substance = category("substance-misuse")

    assert summaries(nominal_record_for_user(partnership.officer, shared_person)) == set()

    consent_record(nominal=shared_person, by=partnership.drugs_worker, given=True, category=substance)
    assert summaries(nominal_record_for_user(partnership.officer, shared_person)) == {"Started methadone script"}

    consent_record(nominal=shared_person, by=partnership.drugs_worker, given=False)
    record = nominal_record_for_user(partnership.officer, shared_person)
    assert summaries(record) == set()
    assert [str(withheld) for withheld in record.withheld] == [
        "1 item held by Compass Recovery is not shared with your agency"
    ]


def test_consent_for_one_agency_does_not_share_with_another(partnership, shared_person):
    make_item(shared_person, partnership.drugs_worker, "substance-misuse", "Missed appointment")

    consent_record(nominal=shared_person, by=partnership.drugs_worker, given=True, agency=partnership.probation)

    assert summaries(nominal_record_for_user(partnership.probation_officer, shared_person)) == {"Missed appointment"}
    assert summaries(nominal_record_for_user(partnership.officer, shared_person)) == set()


def test_an_agreement_past_its_end_date_shares_nothing_though_no_one_ended_it(partnership, shared_person):
    make_item(shared_person, partnership.officer, "offending-risk", "Arrested for burglary")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    # The core agreement's last day was yesterday; it is still marked active, as no one pressed End.
    SharingAgreement.objects.filter(pk=partnership.core.pk).update(ends_on=yesterday)
    grants_recompute()  # as the agreements sweep and the nightly reconciliation do the day after

    assert not can_see(partnership.prison_officer, shared_person), "the prison was party to the core agreement only"
    assert can_see(partnership.probation_officer, shared_person), "the substance misuse agreement still stands"
    assert summaries(nominal_record_for_user(partnership.probation_officer, shared_person)) == set()


def test_a_suspended_agreement_shares_no_items_with_an_agency_that_still_sees_the_person(partnership, shared_person):
    make_item(shared_person, partnership.drugs_worker, "substance-misuse", "Started methadone script")
    consent_record(
        nominal=shared_person, by=partnership.drugs_worker, given=True, category=category("substance-misuse")
    )
    assert summaries(nominal_record_for_user(partnership.officer, shared_person)) == {"Started methadone script"}

    agreement_suspend(agreement=partnership.substance, by=UserFactory.create(roles=[Role.SYSTEM_ADMIN]))

    # The police recorded the person and still see them; the drug service's item is no longer shared.
    assert can_see(partnership.officer, shared_person)
    record = nominal_record_for_user(partnership.officer, shared_person)
    assert summaries(record) == set()
    assert [str(withheld) for withheld in record.withheld] == [
        "1 item held by Compass Recovery is not shared with your agency"
    ]


def test_items_shared_under_an_ended_agreement_are_withheld(partnership, shared_person):
    involvement_start(nominal=shared_person, agency=partnership.housing, reason=CaseInvolvement.Reason.KEY_WORKER)
    make_item(shared_person, partnership.housing_worker, "accommodation", "Tenancy signed")

    assert summaries(nominal_record_for_user(partnership.officer, shared_person)) == set()
    assert summaries(nominal_record_for_user(partnership.housing_worker, shared_person)) == {"Tenancy signed"}


def test_sensitive_items_wait_for_a_reason(partnership, shared_person):
    make_item(shared_person, partnership.officer, "intelligence", "Associating with known dealers")

    locked = nominal_record_for_user(partnership.probation_officer, shared_person)
    unlocked = nominal_record_for_user(partnership.probation_officer, shared_person, sensitive_unlocked=True)

    assert summaries(locked) == set()
    assert [(entry.category.code, entry.count) for entry in locked.locked] == [("intelligence", 1)]
    assert summaries(unlocked) == {"Associating with known dealers"}


def test_offending_and_risk_fields_follow_the_clauses(partnership, shared_person):
    assert nominal_record_for_user(partnership.probation_officer, shared_person).offending_and_risk_shown
    assert not nominal_record_for_user(partnership.drugs_worker, shared_person).offending_and_risk_shown
    assert nominal_record_for_user(partnership.officer, shared_person).offending_and_risk_shown


def test_why_can_i_see_this_names_the_agreement_or_the_involvement(partnership, shared_person):
    police_reasons = nominal_record_for_user(partnership.officer, shared_person).reasons
    drugs_reasons = nominal_record_for_user(partnership.drugs_worker, shared_person).reasons

    assert police_reasons[0].startswith("Your agency: recorded the person")
    assert any(
        reason.startswith(f"{partnership.substance.reference} Substance misuse treatment") for reason in drugs_reasons
    )
    assert not any(partnership.housing_agreement.reference in reason for reason in police_reasons)


def test_the_offending_and_risk_filter_for_lists_agrees_with_the_rule_for_one_person(partnership):
    """agency_may_see_offending_and_risk (lists) says what offending_and_risk_shared (one person)
    says, for each viewer and each state of consent under a clause that asks for it."""
    from cohorts.access import agency_may_see_offending_and_risk, offending_and_risk_shared
    from sharing.services import ClauseSpec, agreement_create

    admin = UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN])
    agreement_activate(
        agreement=agreement_create(
            by=admin,
            title="Drug service offending information, with consent",
            purpose="Treatment planning",
            legal_basis="crime_and_disorder",
            parties=[partnership.police, partnership.drugs],
            clauses=[ClauseSpec(category("offending-risk"), True)],
            starts_on=timezone.localdate() - datetime.timedelta(days=30),
        ),
        by=admin,
    )
    no_consent = make_nominal(partnership.officer, last_name="Noconsent")
    given = make_nominal(partnership.officer, last_name="Given")
    consent_record(nominal=given, by=partnership.drugs_worker, given=True, category=category("offending-risk"))
    withdrawn = make_nominal(partnership.officer, last_name="Withdrawn")
    consent_record(
        nominal=withdrawn,
        by=partnership.drugs_worker,
        given=True,
        recorded_on=timezone.localdate() - datetime.timedelta(days=5),
    )
    consent_record(nominal=withdrawn, by=partnership.drugs_worker, given=False)
    by_probation = make_nominal(partnership.probation_officer, last_name="Byprobation")
    people = [no_consent, given, withdrawn, by_probation]

    for viewer in (partnership.officer, partnership.probation_officer, partnership.drugs_worker, partnership.outsider):
        listed = set(
            Nominal.objects.filter(pk__in=[p.pk for p in people])
            .filter(agency_may_see_offending_and_risk(viewer.agency_id))
            .values_list("last_name", flat=True)
        )
        one_by_one = {p.last_name for p in people if offending_and_risk_shared(viewer.agency, p)}
        assert listed == one_by_one, viewer.agency.name
    drugs = set(
        Nominal.objects.filter(pk__in=[p.pk for p in people])
        .filter(agency_may_see_offending_and_risk(partnership.drugs.pk))
        .values_list("last_name", flat=True)
    )
    assert drugs == {"Given"}
