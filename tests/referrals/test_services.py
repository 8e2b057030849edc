"""The referral workflow: every transition is a service, allowed from some states and refused from
the rest; each move is on the referral's timeline with who and when."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts.access import current_involvements
from cohorts.management.models import CaseAssignment, CohortMembership, ManagementLevel, RagAssessment
from cohorts.records.models import PathwayNeed
from cohorts.records.selectors import nominals_visible_to
from referrals.models import Referral, ReferralActivity, ReferralDecision
from referrals.services import (
    referral_decide,
    referral_decision_notify,
    referral_list_for_panel,
    referral_ratify,
    referral_return,
    referral_screen,
    referral_section_save,
    referral_start,
    referral_submit,
    referral_withdraw,
)
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.partnership import Partnership
from tests.referrals.factories import accept_terms, complete_sections, draft_referral, selection_panel_on
from tests.sharing.factories import AgencyFactory, UserFactory

Status = Referral.Status
Outcome = ReferralDecision.Outcome
NEXT_WEEK = datetime.timedelta(days=7)


@dataclass
class Cast:
    """Who does what: a probation practitioner refers, a police practitioner screens, a police
    inspector chairs the panel."""

    partnership: Partnership
    referrer: Any
    screener: Any
    chair: Any

    def make(self, status: str, *, urgent: bool = False) -> Referral:
        """A referral in the given state, reached through the services."""
        nominal = make_nominal(self.partnership.officer)
        overrides: dict[str, Any] = (
            {"urgency": {"urgent": True, "urgency_reason": "Released tomorrow"}} if urgent else {}
        )
        referral = draft_referral(nominal, self.referrer, **overrides)
        if status == Status.DRAFT:
            return referral
        if status == Status.WITHDRAWN:
            return referral_withdraw(referral=referral, by=self.referrer, reason="Moved out of the area")
        referral = referral_submit(referral=referral, by=self.referrer)
        if status == Status.SUBMITTED:
            return referral
        if status == Status.RETURNED:
            return referral_return(referral=referral, by=self.screener, questions="Which licence conditions?")
        referral = referral_screen(referral=referral, by=self.screener)
        if status == Status.SCREENED:
            return referral
        referral = referral_list_for_panel(
            referral=referral,
            by=self.screener,
            panel_date=selection_panel_on(timezone.localdate() + NEXT_WEEK, self.screener),
        )
        if status == Status.LISTED:
            return referral
        self.decide(referral, status)
        return Referral.objects.get(pk=referral.pk)

    def decide(self, referral: Referral, outcome: str, **kwargs: Any) -> ReferralDecision:
        accept = self.terms() if outcome == Outcome.ACCEPTED else None
        return referral_decide(
            referral=referral, by=self.chair, outcome=outcome, rationale="Panel discussion", accept=accept, **kwargs
        )

    def terms(self, **overrides: Any) -> Any:
        leads = {"lead": self.partnership.probation_officer, "police_lead": self.partnership.officer}
        leads.update({name: overrides.pop(name) for name in ("lead", "police_lead") if name in overrides})
        return accept_terms(leads["lead"], leads["police_lead"], **overrides)


@pytest.fixture
def cast(partnership) -> Cast:
    return Cast(
        partnership=partnership,
        referrer=partnership.probation_officer,
        screener=UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER]),
        chair=UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR]),
    )


# --- Every transition from every state ---------------------------------------------------------------

TRANSITIONS: dict[str, tuple[Callable[[Cast, Referral], Any], set[str]]] = {
    "submit": (lambda c, r: referral_submit(referral=r, by=c.referrer), {Status.DRAFT, Status.RETURNED}),
    "screen": (lambda c, r: referral_screen(referral=r, by=c.screener), {Status.SUBMITTED}),
    "return": (
        lambda c, r: referral_return(referral=r, by=c.screener, questions="Is the licence in force?"),
        {Status.SUBMITTED, Status.SCREENED},
    ),
    "list": (
        lambda c, r: referral_list_for_panel(
            referral=r, by=c.screener, panel_date=selection_panel_on(timezone.localdate() + NEXT_WEEK, c.screener)
        ),
        {Status.SCREENED, Status.DEFERRED},
    ),
    "decide": (lambda c, r: c.decide(r, Outcome.REJECTED), {Status.LISTED}),
    "withdraw": (
        lambda c, r: referral_withdraw(referral=r, by=c.referrer, reason="No longer needed"),
        set(Referral.OPEN_STATUSES),
    ),
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("transition", list(TRANSITIONS))
def test_each_transition_is_allowed_only_from_its_states(cast, transition, status):
    move, allowed_from = TRANSITIONS[transition]
    referral = cast.make(status)
    before = referral.activities.count()

    if status in allowed_from:
        move(cast, referral)
        referral.refresh_from_db()
        assert referral.activities.count() == before + 1
        latest = referral.activities.order_by("-pk").first()
        assert latest.from_status == status
        assert latest.to_status == referral.status
        assert latest.by is not None
    else:
        with pytest.raises(StateError) as refused:
            move(cast, referral)
        assert referral.reference in str(refused.value)
        referral.refresh_from_db()
        assert referral.status == status
        assert referral.activities.count() == before


@pytest.mark.parametrize("status", list(Status))
def test_an_urgent_referral_can_be_decided_outside_a_meeting_from_open_states(cast, status):
    referral = cast.make(status, urgent=True)
    allowed = {Status.SUBMITTED, Status.SCREENED, Status.LISTED, Status.DEFERRED}

    if status in allowed:
        decision = cast.decide(referral, Outcome.ACCEPTED, outside_meeting=True)
        referral.refresh_from_db()
        assert referral.status == Status.ACCEPTED
        assert referral.to_be_ratified is True
        assert decision.ratification == ReferralDecision.Ratification.TO_BE_RATIFIED
    else:
        with pytest.raises(StateError):
            cast.decide(referral, Outcome.ACCEPTED, outside_meeting=True)
        referral.refresh_from_db()
        assert referral.status == status


def test_a_referral_that_is_not_urgent_waits_for_the_panel(cast):
    referral = cast.make(Status.SCREENED)

    with pytest.raises(StateError, match="Only an urgent referral"):
        cast.decide(referral, Outcome.ACCEPTED, outside_meeting=True)


def test_the_next_panel_ratifies_an_urgent_decision_once(cast):
    referral = cast.make(Status.SUBMITTED, urgent=True)
    cast.decide(referral, Outcome.ACCEPTED, outside_meeting=True)

    decision = referral_ratify(referral=referral, by=cast.chair, note="Ratified at the selection panel")

    referral.refresh_from_db()
    assert referral.to_be_ratified is False
    assert decision.ratification == ReferralDecision.Ratification.RATIFIED
    assert decision.ratified_by == cast.chair
    assert referral.activities.filter(action=ReferralActivity.Action.RATIFIED).exists()
    with pytest.raises(StateError, match="no decision waiting"):
        referral_ratify(referral=referral, by=cast.chair)


def test_a_decision_taken_in_a_meeting_needs_no_ratification(cast):
    referral = cast.make(Status.LISTED)
    cast.decide(referral, Outcome.REJECTED)

    with pytest.raises(StateError, match="no decision waiting"):
        referral_ratify(referral=referral, by=cast.chair)


# --- Who may move a referral -----------------------------------------------------------------------


def test_only_the_iom_team_screens_returns_and_lists(cast):
    referral = cast.make(Status.SUBMITTED)
    partner = cast.partnership.drugs_worker
    yot_practitioner = UserFactory.create(
        agency=AgencyFactory.create(name="Northmoor YOT", kind="yot"), roles=[Role.PRACTITIONER]
    )

    for outsider in (partner, yot_practitioner):
        with pytest.raises(NotAllowed):
            referral_screen(referral=referral, by=outsider)
        with pytest.raises(NotAllowed):
            referral_return(referral=referral, by=outsider, questions="?")


def test_the_iom_team_that_screens_is_its_roles_not_a_superuser_of_the_police(cast):
    referral = cast.make(Status.SUBMITTED)
    superuser = UserFactory.create(agency=cast.partnership.police, is_superuser=True)

    with pytest.raises(NotAllowed):
        referral_screen(referral=referral, by=superuser)
    assert referral_screen(referral=referral, by=cast.screener).status == Status.SCREENED


def test_only_a_panel_chair_decides_and_ratifies(cast):
    referral = cast.make(Status.LISTED)

    with pytest.raises(NotAllowed):
        referral_decide(referral=referral, by=cast.screener, outcome=Outcome.REJECTED, rationale="No")
    with pytest.raises(NotAllowed):
        referral_ratify(referral=referral, by=cast.screener)


def test_another_agency_cannot_change_or_submit_the_referral(cast):
    referral = referral_start(nominal=make_nominal(cast.partnership.officer), by=cast.referrer)

    with pytest.raises(NotAllowed):
        referral_section_save(
            referral=referral, by=cast.screener, section="why", fields={"why_now": "x", "criteria": ["harm"]}
        )
    with pytest.raises(NotAllowed):
        referral_submit(referral=referral, by=cast.screener)


def test_an_analyst_cannot_refer(cast):
    analyst = UserFactory.create(agency=cast.partnership.police, roles=[Role.ANALYST])

    with pytest.raises(NotAllowed):
        referral_start(nominal=make_nominal(cast.partnership.officer), by=analyst)


def test_the_referring_agency_or_the_iom_team_withdraws(cast):
    referral = cast.make(Status.SUBMITTED)

    with pytest.raises(NotAllowed):
        referral_withdraw(referral=referral, by=cast.partnership.drugs_worker, reason="Not ours")
    referral_withdraw(referral=referral, by=cast.screener, reason="Duplicate of another referral")

    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN


# --- The task list: drafts lose nothing ----------------------------------------------------------------


def test_a_section_with_an_error_changes_nothing_saved(cast):
    referral = draft_referral(make_nominal(cast.partnership.officer), cast.referrer)
    offences_before = list(referral.offences.values_list("offence_type", "committed_on"))

    with pytest.raises(ValidationError) as error:
        referral_section_save(
            referral=referral,
            by=cast.referrer,
            section="offending",
            fields={
                "offences": [
                    {"offence_type": "robbery", "committed_on": timezone.localdate() + datetime.timedelta(days=1)}
                ]
            },
        )

    assert "offences" in error.value.message_dict
    assert list(referral.offences.values_list("offence_type", "committed_on")) == offences_before


@pytest.mark.parametrize(
    ("section", "fields", "field"),
    [
        ("why", {"why_now": " ", "criteria": ["harm"]}, "why_now"),
        ("why", {"why_now": "Escalating", "criteria": []}, "criteria"),
        ("strand", {"strand": ""}, "strand"),
        ("offending", {"offences": []}, "offences"),
        ("risk", {"statutory_status": ""}, "statutory_status"),
        ("risk", {"statutory_status": "licence", "mappa_level": "2", "mappa_category": ""}, "mappa_level"),
        ("urgency", {"urgent": None}, "urgent"),
        ("urgency", {"urgent": True, "urgency_reason": ""}, "urgency_reason"),
    ],
)
def test_each_section_says_what_is_missing(cast, section, fields, field):
    referral = referral_start(nominal=make_nominal(cast.partnership.officer), by=cast.referrer)

    with pytest.raises(ValidationError) as error:
        referral_section_save(referral=referral, by=cast.referrer, section=section, fields=fields)

    assert field in error.value.message_dict
    referral.refresh_from_db()
    assert section not in referral.sections_done


def test_a_save_over_someone_elses_change_is_refused(cast):
    referral = referral_start(nominal=make_nominal(cast.partnership.officer), by=cast.referrer)
    seen_version = referral.version
    referral_section_save(
        referral=referral, by=cast.referrer, section="why", fields={"why_now": "First", "criteria": ["harm"]}
    )

    with pytest.raises(StaleVersion):
        referral_section_save(
            referral=referral,
            by=cast.referrer,
            section="why",
            fields={"why_now": "Second", "criteria": ["harm"]},
            version=seen_version,
        )
    referral.refresh_from_db()
    assert referral.why_now == "First"


def test_submit_needs_every_section(cast):
    referral = referral_start(nominal=make_nominal(cast.partnership.officer), by=cast.referrer)
    referral_section_save(
        referral=referral, by=cast.referrer, section="why", fields={"why_now": "Escalating", "criteria": ["harm"]}
    )

    with pytest.raises(ValidationError) as error:
        referral_submit(referral=referral, by=cast.referrer)

    assert set(error.value.message_dict) == {"strand", "offending", "risk", "needs", "urgency"}
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    assert referral.why_now == "Escalating"


def test_starting_twice_resumes_the_same_draft(cast):
    nominal = make_nominal(cast.partnership.officer)

    first = referral_start(nominal=nominal, by=cast.referrer)

    assert referral_start(nominal=nominal, by=cast.referrer) == first
    assert first.reference == f"REF-{first.created_at:%Y}-{first.pk:05d}"


# --- Eligibility on submit ---------------------------------------------------------------------------------


def test_shoplifting_alone_does_not_qualify_for_fixed(cast):
    referral = draft_referral(
        make_nominal(cast.partnership.officer),
        cast.referrer,
        offending={"offences": [{"offence_type": "shoplifting", "committed_on": timezone.localdate()}]},
    )

    with pytest.raises(ValidationError) as error:
        referral_submit(referral=referral, by=cast.referrer)

    assert any("Shoplifting alone" in problem for problem in error.value.message_dict["eligibility"])
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT


def test_a_person_with_a_referral_in_progress_cannot_be_referred_again(cast):
    nominal = make_nominal(cast.partnership.officer)
    second = draft_referral(nominal, cast.screener)  # started while the first was still a draft
    first = referral_submit(referral=draft_referral(nominal, cast.referrer), by=cast.referrer)

    with pytest.raises(ValidationError) as error:
        referral_submit(referral=second, by=cast.screener)

    assert any(first.reference in problem for problem in error.value.message_dict["eligibility"])
    with pytest.raises(StateError, match=first.reference):
        referral_start(nominal=nominal, by=cast.partnership.officer)


def test_the_database_holds_one_referral_in_progress_per_person(cast, settings):
    settings.IOM_ELIGIBILITY_RULES_OFF = ["no-open-referral"]
    nominal = make_nominal(cast.partnership.officer)
    second = draft_referral(nominal, cast.screener)
    referral_submit(referral=draft_referral(nominal, cast.referrer), by=cast.referrer)

    with pytest.raises(StateError, match="already has a referral in progress"):
        referral_submit(referral=second, by=cast.screener)


def test_a_person_on_the_cohort_cannot_be_referred(cast):
    nominal = make_nominal(cast.partnership.officer)
    again = draft_referral(nominal, cast.screener)  # started before the first was submitted
    listed = referral_submit(referral=draft_referral(nominal, cast.referrer), by=cast.referrer)
    listed = referral_screen(referral=listed, by=cast.screener)
    listed = referral_list_for_panel(
        referral=listed,
        by=cast.screener,
        panel_date=selection_panel_on(timezone.localdate() + NEXT_WEEK, cast.screener),
    )
    cast.decide(listed, Outcome.ACCEPTED)

    with pytest.raises(ValidationError) as error:
        referral_submit(referral=again, by=cast.screener)

    assert "This person is already on the IOM cohort." in error.value.message_dict["eligibility"]
    with pytest.raises(StateError, match="already on the IOM cohort"):
        referral_start(nominal=listed.nominal, by=cast.partnership.officer)


def test_an_adults_only_level_refuses_a_young_person_on_accept(cast):
    today = timezone.localdate()
    young = make_nominal(cast.partnership.officer, date_of_birth=today.replace(year=today.year - 17))
    referral = draft_referral(young, cast.referrer)
    referral = referral_submit(referral=referral, by=cast.referrer)
    referral = referral_screen(referral=referral, by=cast.screener)
    referral = referral_list_for_panel(
        referral=referral, by=cast.screener, panel_date=selection_panel_on(today + NEXT_WEEK, cast.screener)
    )

    with pytest.raises(ValidationError) as error:
        referral_decide(
            referral=referral,
            by=cast.chair,
            outcome=Outcome.ACCEPTED,
            rationale="Escalating",
            accept=cast.terms(level=ManagementLevel.objects.get(code="priority")),
        )

    assert "level" in error.value.message_dict
    assert not CohortMembership.objects.filter(nominal=young).exists()
    referral.refresh_from_db()
    assert referral.status == Status.LISTED


# --- What each decision does ----------------------------------------------------------------------------


def test_accepting_puts_the_person_on_the_cohort_with_rag_and_leads(cast):
    referral = cast.make(Status.LISTED)
    nominal = referral.nominal
    assert nominal not in nominals_visible_to(cast.partnership.drugs_worker)

    decision = cast.decide(referral, Outcome.ACCEPTED)

    membership = CohortMembership.objects.get(nominal=nominal, ended_on__isnull=True)
    assert decision.membership == membership
    assert membership.management.strand == "fixed"
    assert membership.management.level.code == "enhanced"
    rag = RagAssessment.objects.get(nominal=nominal)
    assert (rag.rating.code, rag.assessed_by) == ("red", cast.chair)
    leads = {a.role: a.worker for a in CaseAssignment.objects.filter(nominal=nominal, ended_on__isnull=True)}
    assert leads == {"lead_professional": cast.partnership.probation_officer, "police_lead": cast.partnership.officer}
    # The sharing grants follow: the drug service is party to an agreement covering the cohort.
    assert nominal in nominals_visible_to(cast.partnership.drugs_worker)
    assert nominal not in nominals_visible_to(cast.partnership.outsider)


def test_the_police_lead_must_be_a_police_officer(cast):
    referral = cast.make(Status.LISTED)

    with pytest.raises(ValidationError) as error:
        referral_decide(
            referral=referral,
            by=cast.chair,
            outcome=Outcome.ACCEPTED,
            rationale="Escalating",
            accept=cast.terms(police_lead=cast.partnership.probation_officer),
        )

    assert "police_lead" in error.value.message_dict
    assert not CohortMembership.objects.filter(nominal=referral.nominal).exists()


@pytest.mark.parametrize(
    ("outcome", "status"),
    [(Outcome.REJECTED, Status.REJECTED), (Outcome.REDIRECTED, Status.REDIRECTED), (Outcome.DEFERRED, Status.DEFERRED)],
)
def test_other_decisions_leave_the_person_off_the_cohort(cast, outcome, status):
    referral = cast.make(Status.LISTED)

    cast.decide(referral, outcome)

    referral.refresh_from_db()
    assert referral.status == status
    assert not CohortMembership.objects.filter(nominal=referral.nominal).exists()


def test_a_decision_needs_a_rationale(cast):
    referral = cast.make(Status.LISTED)

    with pytest.raises(ValidationError) as error:
        referral_decide(referral=referral, by=cast.chair, outcome=Outcome.REJECTED, rationale=" ")

    assert "rationale" in error.value.message_dict


def test_a_second_decision_names_the_first(cast):
    referral = cast.make(Status.LISTED)
    cast.decide(referral, Outcome.REJECTED)

    with pytest.raises(StateError) as error:
        cast.decide(referral, Outcome.ACCEPTED)

    assert "already been decided by" in str(error.value)
    assert str(cast.chair) in str(error.value)


def test_submitting_records_the_needs_on_the_persons_record_and_involves_the_referrer(cast):
    referral = cast.make(Status.SUBMITTED)

    need = referral.needs.get()
    assert need.item is not None
    assert PathwayNeed.objects.get(item=need.item).level == "high"
    assert need.item.owning_agency == cast.partnership.probation
    assert (
        current_involvements(timezone.localdate())
        .filter(nominal=referral.nominal, agency=cast.partnership.probation, reason="referred")
        .exists()
    )


def test_a_returned_referral_answered_goes_back_to_the_iom_team(cast):
    referral = cast.make(Status.RETURNED)
    assert referral.questions == "Which licence conditions?"

    referral = complete_sections(referral, cast.referrer, why={"why_now": "Licence conditions: curfew, exclusion zone"})
    referral = referral_submit(referral=referral, by=cast.referrer)

    assert referral.status == Status.SUBMITTED
    latest = referral.activities.order_by("-pk").first()
    assert latest is not None
    assert latest.action == ReferralActivity.Action.RESUBMITTED
    # The needs were recorded once, on the first submit.
    assert PathwayNeed.objects.filter(item__nominal=referral.nominal).count() == 1


# --- Telling the referrer ------------------------------------------------------------------------------


def test_the_referrer_and_their_supervisor_are_told_without_sensitive_detail(cast, mailoutbox):
    supervisor = UserFactory.create(agency=cast.partnership.probation, roles=[Role.SUPERVISOR])
    cast.referrer.supervisor = supervisor
    cast.referrer.save()
    referral = cast.make(Status.LISTED)
    decision = cast.decide(referral, Outcome.REJECTED)
    mail.outbox.clear()

    sent = referral_decision_notify(decision_id=decision.pk)

    assert sent == 1
    message = mail.outbox[0]
    assert set(message.to) == {cast.referrer.email, supervisor.email}
    assert referral.reference in message.subject
    assert "rejected" in message.body
    assert f"/referrals/{referral.pk}/" in message.body
    assert referral.nominal.last_name not in f"{message.body} {message.subject}"
    assert "Panel discussion" not in message.body


def test_a_decision_queues_the_notification_after_commit(cast, django_capture_on_commit_callbacks, mailoutbox):
    referral = cast.make(Status.LISTED)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cast.decide(referral, Outcome.REJECTED)

    assert len(callbacks) == 1


# --- Who receives a referral ---------------------------------------------------------------------------


def test_a_submitted_referral_reaches_the_iom_team_party_to_an_agreement_with_the_referrer(cast):
    from referrals.selectors import referral_content_visible, referrals_visible_to

    nominal = make_nominal(cast.referrer)  # known to probation only
    assert nominal not in nominals_visible_to(cast.screener)
    referral = draft_referral(nominal, cast.referrer)
    assert not referrals_visible_to(cast.screener).filter(pk=referral.pk).exists()  # a draft is the referrer's

    referral_submit(referral=referral, by=cast.referrer)

    seen: Any = referrals_visible_to(cast.screener).get(pk=referral.pk)
    assert seen.content_visible is True
    assert referral_content_visible(cast.screener, referral)
    assert nominal in nominals_visible_to(cast.chair)
    # Another force, with no agreement with probation, receives nothing.
    assert not referrals_visible_to(cast.partnership.outsider).filter(pk=referral.pk).exists()
    # The prison is party to the agreement but is not the IOM team: it sees nothing of a person not on the cohort.
    assert not referrals_visible_to(cast.partnership.prison_officer).filter(pk=referral.pk).exists()


def test_a_partners_referral_content_reaches_the_iom_team_only(cast):
    from referrals.selectors import referrals_visible_to

    drugs_worker = cast.partnership.drugs_worker
    nominal = make_nominal(drugs_worker)
    referral = referral_submit(
        referral=draft_referral(nominal, drugs_worker, strand={"strand": "free"}), by=drugs_worker
    )

    for iom_team in (cast.screener, cast.partnership.probation_officer):
        seen: Any = referrals_visible_to(iom_team).get(pk=referral.pk)
        assert seen.content_visible is True
