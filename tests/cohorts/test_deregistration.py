"""Deregistration: proposed by the lead professional or the IOM team with a reason, ratified (or not)
by a panel chair, withdrawn by the proposer or the IOM team. Ratifying ends the period on IOM and the
case's assignments, and the sharing grants follow; the record stays, and the person can come back."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.utils import timezone

from cohorts.deregistration.models import Deregistration
from cohorts.deregistration.services import (
    deregistration_not_ratify,
    deregistration_propose,
    deregistration_ratify,
    deregistration_withdraw,
    deregistrations_of,
    deregistrations_waiting,
)
from cohorts.management.models import CaseAssignment, CohortMembership
from cohorts.records.models import CaseInvolvement, Nominal
from cohorts.records.selectors import nominals_visible_to
from cohorts.records.services import case_assign, cohort_membership_start, grants_reconcile
from referrals.models import Referral, ReferralDecision
from referrals.services import referral_decide
from sharing.errors import NotAllowed, StateError
from sharing.models import User
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.partnership import Partnership, build_partnership
from tests.referrals.factories import accept_terms, listed_referral
from tests.referrals.test_concurrency import waiting_for_a_lock
from tests.sharing.factories import UserFactory

STARTED_DAYS_AGO = 60


def today() -> datetime.date:
    return timezone.localdate()


def chair_of(partnership: Partnership) -> User:
    return UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])


def accepted_onto_iom(partnership: Partnership, chair: User, nominal: Nominal | None = None) -> Nominal:
    """A person the police recorded and referred, accepted by the panel 60 days ago: the probation
    officer leads, the police officer is police lead, and the drug service's worker is key worker."""
    nominal = nominal or make_nominal(partnership.officer)
    referral = listed_referral(nominal, partnership.officer, partnership.officer)
    referral_decide(
        referral=referral,
        by=chair,
        outcome=ReferralDecision.Outcome.ACCEPTED,
        rationale="Meets the Fixed criteria.",
        accept=accept_terms(
            partnership.probation_officer,
            partnership.officer,
            starts_on=today() - datetime.timedelta(days=STARTED_DAYS_AGO),
        ),
    )
    case_assign(
        nominal=nominal,
        role=CaseAssignment.Role.KEY_WORKER,
        worker=partnership.drugs_worker,
        by=partnership.officer,
        started_on=today() - datetime.timedelta(days=30),
    )
    return nominal


def propose(nominal: Nominal, by: User, reason: str = "moved_out_of_area") -> Deregistration:
    return deregistration_propose(
        nominal=nominal, by=by, reason=reason, explanation="Moved to Southdale to live with family."
    )


@pytest.fixture
def chair(partnership: Partnership) -> User:
    return chair_of(partnership)


@pytest.fixture
def on_iom(partnership: Partnership, chair: User) -> Nominal:
    return accepted_onto_iom(partnership, chair)


# --- Proposing -------------------------------------------------------------------------------------


def test_the_lead_professional_proposes_with_a_reason_and_explanation(partnership, on_iom):
    proposal = propose(on_iom, partnership.probation_officer)

    assert proposal.status == Deregistration.Status.PROPOSED
    assert proposal.membership == on_iom.memberships.get()
    assert proposal.explanation == "Moved to Southdale to live with family."
    assert proposal.proposed_by == partnership.probation_officer


def test_a_partner_lead_professional_proposes(partnership, on_iom, chair):
    case_assign(
        nominal=on_iom,
        role=CaseAssignment.Role.LEAD_PROFESSIONAL,
        worker=partnership.housing_worker,
        by=partnership.officer,
        reason="Housing leads the case now",
    )

    assert propose(on_iom, partnership.housing_worker).status == Deregistration.Status.PROPOSED


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR])
def test_the_iom_team_proposes(partnership, on_iom, role):
    member = UserFactory.create(agency=partnership.police, roles=[role])

    assert propose(on_iom, member).proposed_by == member


@pytest.mark.parametrize("who", ["drugs_worker", "prison_officer"])
def test_a_key_worker_or_partner_who_does_not_lead_may_not_propose(partnership, on_iom, who):
    with pytest.raises(NotAllowed):
        propose(on_iom, getattr(partnership, who))

    assert not Deregistration.objects.exists()


def test_a_police_analyst_may_not_propose(partnership, on_iom):
    analyst = UserFactory.create(agency=partnership.police, roles=[Role.ANALYST])

    with pytest.raises(NotAllowed):
        propose(on_iom, analyst)


def test_someone_not_on_the_cohort_cannot_be_proposed(partnership):
    nominal = make_nominal(partnership.officer)

    with pytest.raises(StateError, match="not on the IOM cohort"):
        propose(nominal, partnership.officer)


def test_the_explanation_and_a_known_reason_are_required(partnership, on_iom):
    with pytest.raises(ValidationError) as error:
        deregistration_propose(nominal=on_iom, by=partnership.officer, reason="bored", explanation="   ")

    assert set(error.value.message_dict) == {"reason", "explanation"}


def test_one_open_proposal_per_period(partnership, on_iom):
    propose(on_iom, partnership.officer)

    with pytest.raises(StateError, match="already proposed"):
        propose(on_iom, partnership.probation_officer, reason="risk_reduced")

    assert Deregistration.objects.count() == 1


def test_after_a_withdrawal_a_new_proposal_can_be_made(partnership, on_iom):
    deregistration_withdraw(deregistration=propose(on_iom, partnership.officer), by=partnership.officer)

    assert propose(on_iom, partnership.officer).status == Deregistration.Status.PROPOSED


# --- Ratifying -------------------------------------------------------------------------------------


def test_ratifying_ends_the_period_the_assignments_and_their_involvements_on_the_last_day(partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.probation_officer)
    last_day = today() - datetime.timedelta(days=1)

    ratified = deregistration_ratify(deregistration=proposal, by=chair, ends_on=last_day, note="Agreed at panel")

    assert ratified.status == Deregistration.Status.RATIFIED
    assert (ratified.decided_by, ratified.ends_on, ratified.decision_note) == (chair, last_day, "Agreed at panel")
    assert on_iom.memberships.get().ended_on == last_day
    assert not CaseAssignment.objects.filter(nominal=on_iom, ended_on__isnull=True).exists()
    assert set(CaseAssignment.objects.filter(nominal=on_iom).values_list("ended_on", flat=True)) == {last_day}
    role_reasons = ("lead_professional", "police_lead", "key_worker")
    assert not CaseInvolvement.objects.filter(nominal=on_iom, reason__in=role_reasons, ended_on__isnull=True).exists()
    # The record stays, with the agency that recorded it.
    assert CaseInvolvement.objects.get(nominal=on_iom, reason="recorded").ended_on is None


def test_the_last_day_defaults_to_today(partnership, on_iom, chair):
    ratified = deregistration_ratify(deregistration=propose(on_iom, partnership.officer), by=chair)

    assert ratified.ends_on == today()
    assert on_iom.memberships.get().ended_on == today()


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "today or in the past"), (STARTED_DAYS_AGO + 1, "on or after")],
)
def test_the_last_day_is_not_ahead_nor_before_the_period_started(partnership, on_iom, chair, days, message):
    proposal = propose(on_iom, partnership.officer)

    with pytest.raises(ValidationError, match=message) as error:
        deregistration_ratify(deregistration=proposal, by=chair, ends_on=today() - datetime.timedelta(days=days))

    assert "ends_on" in error.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == Deregistration.Status.PROPOSED
    assert on_iom.memberships.get().ended_on is None


def test_the_last_day_may_be_the_day_the_period_started(partnership, on_iom, chair):
    started = on_iom.memberships.get().started_on

    ratified = deregistration_ratify(deregistration=propose(on_iom, partnership.officer), by=chair, ends_on=started)

    assert ratified.ends_on == started


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SUPERVISOR, Role.PARTNER_WORKER])
def test_only_a_panel_chair_ratifies_or_not(partnership, on_iom, role):
    proposal = propose(on_iom, partnership.officer)
    someone = UserFactory.create(agency=partnership.police, roles=[role])

    with pytest.raises(NotAllowed):
        deregistration_ratify(deregistration=proposal, by=someone)
    with pytest.raises(NotAllowed):
        deregistration_not_ratify(deregistration=proposal, by=someone, note="No")

    proposal.refresh_from_db()
    assert proposal.status == Deregistration.Status.PROPOSED


def test_a_partner_seeing_the_person_only_through_the_cohort_agreement_loses_them_at_once(
    partnership, on_iom, chair, client
):
    assert on_iom in nominals_visible_to(partnership.prison_officer)
    assert on_iom in nominals_visible_to(partnership.drugs_worker)

    deregistration_ratify(
        deregistration=propose(on_iom, partnership.officer), by=chair, ends_on=today() - datetime.timedelta(days=1)
    )

    client.force_login(partnership.prison_officer)
    assert client.get(f"/people/{on_iom.pk}/").status_code == 404
    # The key worker's agency sees them by the substance misuse agreement only while on the cohort.
    client.force_login(partnership.drugs_worker)
    assert client.get(f"/people/{on_iom.pk}/").status_code == 404
    client.force_login(partnership.officer)
    assert client.get(f"/people/{on_iom.pk}/").status_code == 200


def test_with_today_as_the_last_day_partners_see_the_person_until_the_day_ends(partnership, on_iom, chair):
    deregistration_ratify(deregistration=propose(on_iom, partnership.officer), by=chair)

    # The last day on IOM is a day on IOM (every period's end is inclusive).
    assert on_iom in nominals_visible_to(partnership.prison_officer)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        grants_reconcile()  # the nightly reconciliation
        assert on_iom not in nominals_visible_to(partnership.prison_officer)
        assert on_iom in nominals_visible_to(partnership.officer)


def test_the_change_history_holds_the_deregistration_with_its_explanation(partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)
    deregistration_ratify(deregistration=proposal, by=chair, note="Confirmed with Southdale IOM")

    events = apps.get_model("cohorts", "DeregistrationEvent").objects.filter(pgh_obj_id=proposal.pk)
    snapshots = list(events.order_by("pgh_id").values("pgh_label", "status", "explanation", "decision_note"))
    assert [snapshot["status"] for snapshot in snapshots] == ["proposed", "ratified"]
    assert {snapshot["explanation"] for snapshot in snapshots} == {"Moved to Southdale to live with family."}
    assert snapshots[-1]["decision_note"] == "Confirmed with Southdale IOM"
    membership_events = apps.get_model("cohorts", "CohortMembershipEvent").objects.filter(
        pgh_obj_id=on_iom.memberships.get().pk
    )
    assert membership_events.filter(ended_on=today()).exists()


def test_a_ratified_proposal_cannot_be_decided_or_withdrawn_again(partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)
    deregistration_ratify(deregistration=proposal, by=chair)

    with pytest.raises(StateError, match=f"already been decided by {chair}"):
        deregistration_ratify(deregistration=proposal, by=chair_of(partnership))
    with pytest.raises(StateError, match="already been decided"):
        deregistration_not_ratify(deregistration=proposal, by=chair, note="Changed my mind")
    with pytest.raises(StateError, match="already been decided"):
        deregistration_withdraw(deregistration=proposal, by=partnership.officer)


# --- Not ratifying and withdrawing -----------------------------------------------------------------


def test_not_ratifying_needs_a_note_and_keeps_the_person_on_iom(partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)

    with pytest.raises(ValidationError) as error:
        deregistration_not_ratify(deregistration=proposal, by=chair, note=" ")
    assert "note" in error.value.message_dict

    decided = deregistration_not_ratify(deregistration=proposal, by=chair, note="Still offending; stays on IOM")

    assert decided.status == Deregistration.Status.NOT_RATIFIED
    assert decided.ends_on is None
    assert on_iom.memberships.get().ended_on is None
    assert CaseAssignment.objects.filter(nominal=on_iom, ended_on__isnull=True).count() == 3
    with pytest.raises(StateError, match="not ratified"):
        deregistration_ratify(deregistration=proposal, by=chair)


@pytest.mark.parametrize("who", ["proposer", "iom_team"])
def test_the_proposer_or_the_iom_team_withdraws(partnership, on_iom, who):
    proposal = propose(on_iom, partnership.probation_officer)
    by = partnership.probation_officer if who == "proposer" else partnership.officer

    withdrawn = deregistration_withdraw(deregistration=proposal, by=by, note="Not moving after all")

    assert withdrawn.status == Deregistration.Status.WITHDRAWN
    assert withdrawn.decided_by == by
    assert on_iom.memberships.get().ended_on is None


def test_a_partner_who_did_not_propose_may_not_withdraw(partnership, on_iom):
    proposal = propose(on_iom, partnership.probation_officer)

    with pytest.raises(NotAllowed):
        deregistration_withdraw(deregistration=proposal, by=partnership.drugs_worker)


def test_a_withdrawn_proposal_cannot_be_ratified_or_withdrawn_again(partnership, on_iom, chair):
    proposal = propose(on_iom, partnership.officer)
    deregistration_withdraw(deregistration=proposal, by=partnership.officer)

    with pytest.raises(StateError, match="already been withdrawn"):
        deregistration_ratify(deregistration=proposal, by=chair)
    with pytest.raises(StateError, match="already been withdrawn"):
        deregistration_withdraw(deregistration=proposal, by=partnership.officer)


# --- Selectors -------------------------------------------------------------------------------------


def test_proposals_waiting_are_those_of_people_the_chair_may_see(partnership, on_iom, chair):
    waiting = propose(on_iom, partnership.officer)
    elsewhere_chair = UserFactory.create(agency=partnership.elsewhere, roles=[Role.PANEL_CHAIR])

    assert list(deregistrations_waiting(chair)) == [waiting]
    assert list(deregistrations_waiting(elsewhere_chair)) == []

    deregistration_ratify(deregistration=waiting, by=chair)
    assert list(deregistrations_waiting(chair)) == []
    assert deregistrations_of(on_iom) == [waiting]


# --- Coming back -----------------------------------------------------------------------------------


def test_a_deregistered_person_can_be_referred_and_accepted_again_for_a_second_period(partnership, on_iom, chair):
    deregistration_ratify(
        deregistration=propose(on_iom, partnership.officer), by=chair, ends_on=today() - datetime.timedelta(days=1)
    )

    again = listed_referral(on_iom, partnership.officer, partnership.officer)
    referral_decide(
        referral=again,
        by=chair,
        outcome=ReferralDecision.Outcome.ACCEPTED,
        rationale="Back in the area and reoffending.",
        accept=accept_terms(partnership.probation_officer, partnership.officer),
    )

    assert Referral.objects.get(pk=again.pk).status == Referral.Status.ACCEPTED
    periods = list(on_iom.memberships.order_by("started_on"))
    assert len(periods) == 2
    assert periods[0].ended_on == today() - datetime.timedelta(days=1)
    assert (periods[1].started_on, periods[1].ended_on) == (today(), None)
    assert on_iom in nominals_visible_to(partnership.prison_officer)


def test_a_period_started_without_a_referral_is_deregistered_the_same_way(partnership, chair):
    nominal = make_nominal(partnership.officer)
    cohort_membership_start(nominal=nominal, started_on=today() - datetime.timedelta(days=10))

    ratified = deregistration_ratify(deregistration=propose(nominal, partnership.officer), by=chair)

    assert ratified.membership.pk == CohortMembership.objects.get(nominal=nominal).pk


# --- Two chairs at once ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
@pytest.mark.parametrize("second", ["ratify", "not_ratify"])
def test_two_chairs_deciding_at_once_make_one_decision(second):
    partnership = build_partnership()
    chairs = [chair_of(partnership) for _ in range(2)]
    nominal = accepted_onto_iom(partnership, chairs[0])
    proposal = propose(nominal, partnership.officer)
    first_has_locked, let_first_commit = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def decide(name: str, chair: User, action: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                if action == "ratify":
                    results[name] = deregistration_ratify(deregistration=proposal, by=chair)
                else:
                    results[name] = deregistration_not_ratify(deregistration=proposal, by=chair, note="Stays")
                if hold:
                    first_has_locked.set()
                    let_first_commit.wait(timeout=30)
        except Exception as error:
            results[name] = error
        finally:
            connections.close_all()

    one = threading.Thread(target=decide, args=("first", chairs[0], "ratify", True))
    two = threading.Thread(target=decide, args=("second", chairs[1], second, False))
    one.start()
    assert first_has_locked.wait(timeout=30)
    two.start()
    assert waiting_for_a_lock(), "the second chair should wait for the first chair's lock"
    let_first_commit.set()
    one.join(timeout=30)
    two.join(timeout=30)

    assert isinstance(results["first"], Deregistration)
    assert isinstance(results["second"], StateError)
    assert f"already been decided by {chairs[0]}" in str(results["second"])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (Deregistration.Status.RATIFIED, chairs[0])
    assert nominal.memberships.get().ended_on == today()
