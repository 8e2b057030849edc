"""Every write to a referral. Each transition is one service: it locks the referral, checks the state
it starts from and who is asking, records the move on the referral's timeline and returns it.

    draft ──submit──► submitted ──screen──► screened ──list──► listed ──decide──► accepted
      ▲                  │  ▲                  │                 ▲  │           rejected
      └──── returned ◄───┘  └──── (resubmit) ──┘                 │  ├─────────► redirected
            (questions)                                deferred ─┘  └─────────► deferred
    any open state ──withdraw──► withdrawn
    an urgent referral: decide outside a meeting from submitted, screened, listed or deferred,
    "to be ratified" by the next panel.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import CaseAssignment, CohortMembership, ManagementLevel, PriorityCohort, RagRating
from cohorts.records.models import CaseInvolvement, Nominal
from cohorts.records.services import (
    case_assign,
    cohort_membership_start,
    involvement_start,
    pathway_need_record,
    rag_assess,
)
from referrals import eligibility, permissions, scoring
from referrals.models import (
    Referral,
    ReferralActivity,
    ReferralDecision,
    ReferralNeed,
    ReferralOffence,
    ReferralScore,
    SelectionCriterion,
    SelectionMatrixVersion,
)
from referrals.panel_dates import panel_listed, panel_on
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.models import Agency, SharingAgreement, User
from sharing.roles import is_iom_team, may_refer

Status = Referral.Status


# --- The task list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    y2a_only: bool = False


SECTIONS: tuple[Section, ...] = (
    Section("why", "Why now, and the criteria met"),
    Section("strand", "Proposed strand and priority cohorts"),
    Section("offending", "Offending history"),
    Section("risk", "Current risk information"),
    Section("needs", "Pathway needs"),
    Section("urgency", "Urgency"),
    Section("y2a", "Youth-to-adult transfer", y2a_only=True),
)
SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "why": ("why_now", "criteria"),
    "strand": ("strand", "proposed_level", "priority_cohorts"),
    "offending": ("offences",),
    "risk": (
        "statutory_status",
        "ogrs_percent",
        "risk_of_serious_harm",
        "mappa_category",
        "mappa_level",
        "release_expected_on",
    ),
    "needs": ("needs",),
    "urgency": ("urgent", "urgency_reason"),
    "y2a": ("management_passed_to_probation", "youth_order", "order_ends_on"),
}


def sections_for(referral: Referral) -> list[Section]:
    return [section for section in SECTIONS if not section.y2a_only or referral.is_y2a]


def sections_to_do(referral: Referral) -> list[Section]:
    return [section for section in sections_for(referral) if section.code not in referral.sections_done]


def _event(referral: Referral, action: str, by: User | None, from_status: str = "", note: str = "") -> ReferralActivity:
    return ReferralActivity.objects.create(
        referral=referral, action=action, from_status=from_status, to_status=referral.status, by=by, note=note
    )


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().select_related("nominal", "referring_agency").get(pk=referral.pk)


def _refuse_unless(referral: Referral, allowed: Sequence[str], doing: str) -> None:
    if referral.status not in allowed:
        raise StateError(f"{referral.reference} is {referral.get_status_display().lower()}: it cannot be {doing}.")


def open_referral_of(nominal: Nominal) -> Referral | None:
    return Referral.objects.in_progress().filter(nominal=nominal).first()


@transaction.atomic
def referral_start(*, nominal: Nominal, by: User, kind: str = Referral.Kind.ADULT) -> Referral:
    """Start a draft referral of a person. A draft of the same person by the same referrer is
    resumed rather than started twice; the risk information starts from the person's record."""
    if not may_refer(by):
        raise NotAllowed("Your role does not include making referrals.")
    nominal = Nominal.objects.select_for_update().get(pk=nominal.pk)
    existing = Referral.objects.filter(nominal=nominal, referred_by=by, status=Status.DRAFT).first()
    if existing is not None:
        return existing
    in_progress = open_referral_of(nominal)
    if in_progress is not None:
        raise StateError(f"{nominal.full_name} already has a referral in progress ({in_progress.reference}).")
    if CohortMembership.objects.filter(nominal=nominal, ended_on__isnull=True).exists():
        raise StateError(f"{nominal.full_name} is already on the IOM cohort.")
    referral = Referral.objects.create(
        reference=f"new-{uuid.uuid4().hex[:16]}",  # numbered below, once the row has its id
        nominal=nominal,
        kind=kind,
        referring_agency=by.agency,
        referred_by=by,
        statutory_status=nominal.statutory_status if nominal.owning_agency_id == by.agency_id else "",
        ogrs_percent=nominal.ogrs_percent if nominal.owning_agency_id == by.agency_id else None,
        risk_of_serious_harm=nominal.risk_of_serious_harm if nominal.owning_agency_id == by.agency_id else "",
    )
    referral.reference = f"REF-{referral.created_at:%Y}-{referral.pk:05d}"
    referral.save(update_fields=["reference"])
    _event(referral, ReferralActivity.Action.CREATED, by)
    return referral


def _check_section(referral: Referral, section: str, fields: dict[str, Any]) -> None:
    """What makes each section complete; field errors name the field, in the GOV.UK style."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if section == "why":
        if not (fields.get("why_now") or "").strip():
            errors["why_now"] = ["Enter why the person should be referred now"]
        if not fields.get("criteria"):
            errors["criteria"] = ["Select at least one criterion the person meets"]
    elif section == "strand":
        if not fields.get("strand"):
            errors["strand"] = ["Select the proposed strand"]
    elif section == "offending":
        offences = fields.get("offences") or []
        if not offences:
            errors["offences"] = ["Add at least one offence to the offending history"]
        for offence in offences:
            if offence["committed_on"] > today:
                errors["offences"] = ["An offence date must be today or in the past"]
            elif offence["committed_on"] < referral.nominal.date_of_birth:
                errors["offences"] = ["An offence date must be after the person's date of birth"]
    elif section == "risk":
        if not fields.get("statutory_status"):
            errors["statutory_status"] = ["Select the person's statutory supervision, or None"]
        if fields.get("mappa_level") and not fields.get("mappa_category"):
            errors["mappa_level"] = ["Choose a MAPPA category before a MAPPA level"]
        release = fields.get("release_expected_on")
        if release is not None and release < today:
            errors["release_expected_on"] = ["The expected release date must be today or in the future"]
    elif section == "urgency":
        if fields.get("urgent") is None:
            errors["urgent"] = ["Select whether the referral is urgent"]
        elif fields["urgent"] and not (fields.get("urgency_reason") or "").strip():
            errors["urgency_reason"] = ["Enter why the referral is urgent"]
    elif section == "y2a":
        if fields.get("management_passed_to_probation") is None:
            errors["management_passed_to_probation"] = ["Select whether management passes to probation"]
        if not fields.get("youth_order"):
            errors["youth_order"] = ["Select the young person's order"]
        if fields.get("order_ends_on") is None:
            errors["order_ends_on"] = ["Enter the date the order ends"]
    if errors:
        raise ValidationError(errors)


def _needs_replace(referral: Referral, needs: Sequence[dict[str, Any]]) -> None:
    """Keep a need already recorded on the person's record when it is unchanged; a changed need is
    recorded again on the next submit (the earlier item stays on the record as it was)."""
    existing = {need.pathway: need for need in referral.needs.all()}
    wanted = {need["pathway"]: need for need in needs}
    referral.needs.exclude(pathway__in=list(wanted)).delete()
    for pathway, fields in wanted.items():
        current = existing.get(pathway)
        if current is None:
            ReferralNeed.objects.create(referral=referral, **fields)
        elif (current.level, current.note) != (fields["level"], fields.get("note", "")):
            current.level, current.note, current.item = fields["level"], fields.get("note", ""), None
            current.save(update_fields=["level", "note", "item"])


@transaction.atomic
def referral_section_save(
    *, referral: Referral, by: User, section: str, fields: dict[str, Any], version: int | None = None
) -> Referral:
    """Save one section of the task list and mark it complete. All or nothing: a section with an
    error changes nothing that was saved before. `version` refuses a save over someone else's."""
    referral = _locked(referral)
    if section not in {item.code for item in sections_for(referral)}:
        raise ValidationError(f"This referral has no section {section!r}.")
    _refuse_unless(referral, (Status.DRAFT, Status.RETURNED), "changed")
    if not permissions.may_edit_referral(referral, by):
        raise NotAllowed("Only the referring agency can change this referral.")
    if version is not None and version != referral.version:
        raise StaleVersion(
            "Someone else changed this referral while you were editing it. Reload it to see their changes."
        )
    unknown = set(fields) - set(SECTION_FIELDS[section])
    if unknown:
        raise ValidationError(f"Unknown fields for this section: {', '.join(sorted(unknown))}")
    _check_section(referral, section, fields)
    for name, value in fields.items():
        if name == "priority_cohorts":
            referral.priority_cohorts.set(value)
        elif name == "offences":
            referral.offences.all().delete()
            ReferralOffence.objects.bulk_create([ReferralOffence(referral=referral, **offence) for offence in value])
        elif name == "needs":
            _needs_replace(referral, value)
        elif name == "urgency_reason" and not fields.get("urgent"):
            referral.urgency_reason = ""
        else:
            setattr(referral, name, value)
    if section not in referral.sections_done:
        referral.sections_done = [*referral.sections_done, section]
    referral.version += 1
    referral.save()
    return referral


# --- Eligibility and score ---------------------------------------------------------------------------


def referral_facts(
    referral: Referral, *, strand: str | None = None, level: ManagementLevel | None = None
) -> eligibility.ReferralFacts:
    """The facts the eligibility rules need, from the referral (or a decision's strand and level)."""
    level = level if level is not None else referral.proposed_level
    in_progress = Referral.objects.in_progress().filter(nominal_id=referral.nominal_id).exclude(pk=referral.pk).first()
    return eligibility.ReferralFacts(
        today=timezone.localdate(),
        date_of_birth=referral.nominal.date_of_birth,
        strand=strand if strand is not None else referral.strand,
        level=level.name if level is not None else "",
        level_adults_only=level.adults_only if level is not None else False,
        statutory_status=referral.statutory_status or Nominal.StatutoryStatus.NONE,
        offence_types=frozenset(referral.offences.values_list("offence_type", flat=True)),
        on_cohort=CohortMembership.objects.filter(nominal_id=referral.nominal_id, ended_on__isnull=True).exists(),
        referral_in_progress=in_progress.reference if in_progress else "",
        y2a=referral.is_y2a,
        management_passed_to_probation=referral.management_passed_to_probation,
        youth_order=referral.youth_order,
        order_ends_on=referral.order_ends_on,
    )


def score_inputs(referral: Referral, as_of: datetime.date | None = None) -> scoring.ScoreInputs:
    return scoring.ScoreInputs(
        as_of=(as_of or timezone.localdate()).isoformat(),
        ogrs_percent=referral.ogrs_percent,
        risk_of_serious_harm=referral.risk_of_serious_harm,
        offences=[
            (offence_type, committed_on.isoformat())
            for offence_type, committed_on in referral.offences.order_by("committed_on", "pk").values_list(
                "offence_type", "committed_on"
            )
        ],
        priority_cohorts=list(referral.priority_cohorts.order_by("code").values_list("code", "pcc_priority")),
        release_expected_on=referral.release_expected_on.isoformat() if referral.release_expected_on else None,
    )


def criteria_snapshot() -> list[dict[str, Any]]:
    return [
        {
            "name": criterion.name,
            "measure": criterion.measure,
            "weight": str(criterion.weight),
            "window_days": criterion.window_days,
            "cap": criterion.cap,
        }
        for criterion in SelectionCriterion.objects.filter(is_active=True).order_by("order", "pk")
    ]


def matrix_current() -> SelectionMatrixVersion:
    """The matrix in force: the latest version (the first is taken from the criteria on first use)."""
    latest = SelectionMatrixVersion.objects.order_by("-number").first()
    if latest is not None:
        return latest
    return SelectionMatrixVersion.objects.create(number=1, criteria=criteria_snapshot(), note="First version")


def score_preview(referral: Referral) -> scoring.Score:
    """The score a draft would get now (not stored)."""
    return scoring.compute(score_inputs(referral), scoring.criteria_from_json(matrix_current().criteria))


def referral_score(*, referral: Referral, matrix: SelectionMatrixVersion | None = None) -> ReferralScore:
    """Score the referral under the matrix in force and keep the previous score as history."""
    matrix = matrix or matrix_current()
    inputs = score_inputs(referral)
    result = scoring.compute(inputs, scoring.criteria_from_json(matrix.criteria))
    ReferralScore.objects.filter(referral=referral, is_current=True).update(is_current=False)
    score = ReferralScore.objects.create(
        referral=referral,
        matrix=matrix,
        total=result.total,
        inputs=inputs.to_json(),
        explanation=[line.to_json() for line in result.contributions],
    )
    Referral.objects.filter(pk=referral.pk).update(score=result.total)
    referral.score = result.total
    return score


# --- Transitions ------------------------------------------------------------------------------------


@transaction.atomic
def referral_submit(*, referral: Referral, by: User) -> Referral:
    """Send a complete, eligible draft (or a returned referral, answered) to the IOM team."""
    referral = _locked(referral)
    _refuse_unless(referral, (Status.DRAFT, Status.RETURNED), "submitted")
    if not permissions.may_edit_referral(referral, by):
        raise NotAllowed("Only the referring agency can submit this referral.")
    missing = sections_to_do(referral)
    if missing:
        raise ValidationError({section.code: [f"Complete the section: {section.title.lower()}"] for section in missing})
    problems = eligibility.eligibility_problems(referral_facts(referral))
    if problems:
        raise ValidationError({"eligibility": problems})
    from_status = referral.status
    referral.status = Status.SUBMITTED
    referral.submitted_at = timezone.now()
    try:
        with transaction.atomic():
            referral.save(update_fields=["status", "submitted_at", "updated_at"])
    except IntegrityError as error:  # another referral of the person was submitted just now
        raise StateError(f"{referral.nominal.full_name} already has a referral in progress.") from error
    for need in referral.needs.filter(item__isnull=True).order_by("pathway"):
        recorded = pathway_need_record(
            nominal=referral.nominal, by=by, pathway=need.pathway, level=need.level, note=need.note
        )
        need.item = recorded.item
        need.save(update_fields=["item"])
    involvement_start(
        nominal=referral.nominal, agency=referral.referring_agency, reason=CaseInvolvement.Reason.REFERRED
    )
    for agency in referral_recipients(referral):
        involvement_start(nominal=referral.nominal, agency=agency, reason=CaseInvolvement.Reason.REFERRAL_RECEIVED)
    referral_score(referral=referral)
    action = (
        ReferralActivity.Action.RESUBMITTED if from_status == Status.RETURNED else ReferralActivity.Action.SUBMITTED
    )
    _event(referral, action, by, from_status)
    return referral


def referral_recipients(referral: Referral) -> list[Agency]:
    """The IOM team a referral is sent to: the agencies of the IOM unit's kinds (police and probation
    by default) party to an agreement in force with the referring agency. Referring is the
    disclosure: they see the person and the referral from submit."""
    agreements = SharingAgreement.objects.in_force(timezone.localdate()).filter(parties=referral.referring_agency_id)
    return list(
        Agency.objects.filter(kind__in=settings.IOM_UNIT_AGENCY_KINDS, is_active=True)
        .filter(sharing_agreements__in=agreements.values("pk"))
        .exclude(pk=referral.referring_agency_id)
        .distinct()
        .order_by("pk")
    )


def _require_iom_team(by: User) -> None:
    if not is_iom_team(by):
        raise NotAllowed("Only the IOM team screens and lists referrals.")


@transaction.atomic
def referral_screen(*, referral: Referral, by: User, note: str = "") -> Referral:
    """The IOM team has checked the referral is complete."""
    _require_iom_team(by)
    referral = _locked(referral)
    _refuse_unless(referral, (Status.SUBMITTED,), "screened")
    referral.status = Status.SCREENED
    referral.save(update_fields=["status", "updated_at"])
    _event(referral, ReferralActivity.Action.SCREENED, by, Status.SUBMITTED, note)
    return referral


@transaction.atomic
def referral_return(*, referral: Referral, by: User, questions: str) -> Referral:
    """Send the referral back to the referrer with the IOM team's questions."""
    _require_iom_team(by)
    if not questions.strip():
        raise ValidationError({"questions": ["Enter the questions for the referrer"]})
    referral = _locked(referral)
    from_status = referral.status
    _refuse_unless(referral, (Status.SUBMITTED, Status.SCREENED), "returned to the referrer")
    referral.status, referral.questions = Status.RETURNED, questions.strip()
    referral.save(update_fields=["status", "questions", "updated_at"])
    _event(referral, ReferralActivity.Action.RETURNED, by, from_status, questions.strip())
    return referral


@transaction.atomic
def referral_list_for_panel(*, referral: Referral, by: User, panel_date: datetime.date) -> Referral:
    """List a screened (or deferred) referral for a selection panel: one scheduled on that date that
    the lister may see (referrals/panel_dates.py), never a date with no panel."""
    _require_iom_team(by)
    referral = _locked(referral)
    from_status = referral.status
    _refuse_unless(referral, (Status.SCREENED, Status.DEFERRED), "listed for a panel")
    if panel_date < timezone.localdate():
        raise ValidationError({"panel_date": ["The panel date must be today or in the future"]})
    if panel_on(by, panel_date) is None:
        raise ValidationError({"panel_date": [f"There is no selection panel on {panel_date:%-d %B %Y}: {NO_PANEL}"]})
    referral.status, referral.panel_date = Status.LISTED, panel_date
    referral.save(update_fields=["status", "panel_date", "updated_at"])
    _event(referral, ReferralActivity.Action.LISTED, by, from_status, f"Panel on {panel_date:%-d %B %Y}")
    panel_listed(by, panel_date)
    return referral


NO_PANEL = "choose one of the scheduled panels, or schedule one first"


@dataclass(frozen=True)
class AcceptTerms:
    """What a panel chair decides on accepting a referral."""

    strand: str
    level: ManagementLevel
    rag: RagRating
    rag_rationale: str
    lead_professional: User
    police_lead: User
    mappa_level: str = ""
    priority_cohorts: Sequence[PriorityCohort] | None = None  # None: those the referral proposed
    starts_on: datetime.date | None = None  # on IOM from (default today), e.g. the panel's date


ACCEPT_BACKDATE_LIMIT = datetime.timedelta(days=366)


def _check_accept_terms(referral: Referral, terms: AcceptTerms | None) -> AcceptTerms:
    if terms is None:
        raise ValidationError({"strand": ["Give the strand, level, RAG rating and leads to accept the referral"]})
    errors: dict[str, list[str]] = {}
    if not terms.rag_rationale.strip():
        errors["rag_rationale"] = ["Give the reason for the initial RAG rating"]
    if terms.police_lead.agency.kind != terms.police_lead.agency.Kind.POLICE:
        errors["police_lead"] = ["The IOM police lead officer must work for a police force"]
    for name, worker in (("lead_professional", terms.lead_professional), ("police_lead", terms.police_lead)):
        if not worker.is_active:
            errors[name] = ["This person can no longer sign in; choose someone else"]
    if terms.mappa_level not in ("", "2", "3"):
        errors["mappa_level"] = ["IOM combines only with MAPPA level 2 or 3"]
    if not terms.level.is_active:
        errors["level"] = ["This level is no longer in use; choose another"]
    today = timezone.localdate()
    if terms.starts_on is not None and not (today - ACCEPT_BACKDATE_LIMIT <= terms.starts_on <= today):
        errors["starts_on"] = ["The person joins IOM today, or on a day in the last year"]
    facts = referral_facts(referral, strand=terms.strand, level=terms.level)
    for outcome in eligibility.check_eligibility(facts):
        if outcome.problem and outcome.rule.code != "no-open-referral":
            field = "level" if outcome.rule.code == "priority-adults" else "strand"
            errors.setdefault(field, []).append(outcome.problem)
    if errors:
        raise ValidationError(errors)
    return terms


@transaction.atomic
def referral_decide(
    *,
    referral: Referral,
    by: User,
    outcome: str,
    rationale: str,
    accept: AcceptTerms | None = None,
    outside_meeting: bool = False,
) -> ReferralDecision:
    """Record the panel's decision. Accepting puts the person on the cohort with their strand,
    level, RAG rating and leads, and the sharing grants follow. An urgent referral can be decided
    by a panel chair outside a meeting; that decision is to be ratified by the next panel.
    Two chairs deciding at once: the second waits for the first's lock, then is refused."""
    if not permissions.may_decide(by):
        raise NotAllowed("Only a panel chair decides referrals.")
    outcome = ReferralDecision.Outcome(outcome)
    referral = _locked(referral)
    if referral.status in Referral.FINAL_STATUSES:
        decision = referral.decisions.filter(outcome__in=ReferralDecision.FINAL_OUTCOMES).first()
        who = (
            f" by {decision.decided_by} at {timezone.localtime(decision.decided_at):%-d %B %Y %H:%M}"
            if decision
            else ""
        )
        raise StateError(f"{referral.reference} has already been decided{who}: {referral.get_status_display()}.")
    if outside_meeting:
        if not referral.urgent:
            raise StateError("Only an urgent referral can be decided outside a panel meeting.")
        _refuse_unless(referral, (Status.SUBMITTED, Status.SCREENED, Status.LISTED, Status.DEFERRED), "decided")
    else:
        _refuse_unless(referral, (Status.LISTED,), "decided until it is listed for a panel")
    if not rationale.strip():
        raise ValidationError({"rationale": ["Give the reason for the decision"]})
    terms = _check_accept_terms(referral, accept) if outcome == ReferralDecision.Outcome.ACCEPTED else None
    from_status = referral.status
    decision = ReferralDecision(
        referral=referral,
        outcome=outcome,
        rationale=rationale.strip(),
        decided_by=by,
        ratification=ReferralDecision.Ratification.TO_BE_RATIFIED if outside_meeting else "",
    )
    if terms is not None:
        cohorts = (
            list(terms.priority_cohorts)
            if terms.priority_cohorts is not None
            else list(referral.priority_cohorts.all())
        )
        starts_on = terms.starts_on or timezone.localdate()
        decision.membership = cohort_membership_start(
            nominal=referral.nominal,
            started_on=starts_on,
            strand=terms.strand,
            level=terms.level,
            priority_cohorts=cohorts,
            mappa_level=terms.mappa_level,
        )
        rag_assess(nominal=referral.nominal, rating=terms.rag, rationale=terms.rag_rationale, by=by)
        for role, worker in (
            (CaseAssignment.Role.LEAD_PROFESSIONAL, terms.lead_professional),
            (CaseAssignment.Role.POLICE_LEAD, terms.police_lead),
        ):
            case_assign(
                nominal=referral.nominal,
                role=role,
                worker=worker,
                by=by,
                reason=f"Accepted: {referral}",
                started_on=starts_on,
            )
        decision.strand, decision.level, decision.rag = terms.strand, terms.level, terms.rag
        decision.rag_rationale = terms.rag_rationale.strip()
        decision.lead_professional, decision.police_lead = terms.lead_professional, terms.police_lead
        decision.mappa_level = terms.mappa_level
    decision.save()
    referral.status = Status(outcome.value)
    referral.to_be_ratified = outside_meeting
    referral.save(update_fields=["status", "to_be_ratified", "updated_at"])
    note = decision.get_outcome_display() + (" (outside a meeting, to be ratified)" if outside_meeting else "")
    _event(referral, ReferralActivity.Action.DECIDED, by, from_status, f"{note}: {decision.rationale}")
    from referrals.tasks import referral_decision_notify_task

    # robust: the decision stands if the broker is down; the notification is logged as failed.
    transaction.on_commit(lambda: referral_decision_notify_task.delay(decision_id=decision.pk), robust=True)
    return decision


@transaction.atomic
def referral_ratify(*, referral: Referral, by: User, note: str = "") -> ReferralDecision:
    """The panel ratifies an urgent decision taken outside a meeting."""
    if not permissions.may_decide(by):
        raise NotAllowed("Only a panel chair ratifies decisions.")
    referral = _locked(referral)
    decision = (
        ReferralDecision.objects.select_for_update()
        .filter(referral=referral, ratification=ReferralDecision.Ratification.TO_BE_RATIFIED)
        .order_by("-decided_at")
        .first()
    )
    if decision is None:
        raise StateError(f"{referral.reference} has no decision waiting to be ratified.")
    decision.ratification = ReferralDecision.Ratification.RATIFIED
    decision.ratified_by, decision.ratified_at = by, timezone.now()
    decision.save(update_fields=["ratification", "ratified_by", "ratified_at"])
    referral.to_be_ratified = False
    referral.save(update_fields=["to_be_ratified", "updated_at"])
    _event(referral, ReferralActivity.Action.RATIFIED, by, referral.status, note)
    return decision


@transaction.atomic
def referral_withdraw(*, referral: Referral, by: User, reason: str) -> Referral:
    """Withdraw an open referral: the referring agency, or the IOM team."""
    if not reason.strip():
        raise ValidationError({"reason": ["Enter why the referral is withdrawn"]})
    referral = _locked(referral)
    if not permissions.may_withdraw_referral(referral, by):
        raise NotAllowed("Only the referring agency or the IOM team can withdraw a referral.")
    from_status = referral.status
    _refuse_unless(referral, Referral.OPEN_STATUSES, "withdrawn")
    referral.status = Status.WITHDRAWN
    referral.save(update_fields=["status", "updated_at"])
    _event(referral, ReferralActivity.Action.WITHDRAWN, by, from_status, reason.strip())
    return referral


# --- The selection matrix -----------------------------------------------------------------------------


@transaction.atomic
def selection_matrix_publish(*, by: User | None, note: str = "") -> SelectionMatrixVersion:
    """Take a new version of the matrix from the criteria and re-score every referral in progress
    (their previous scores stay as history)."""
    latest = SelectionMatrixVersion.objects.select_for_update().aggregate(number=Max("number"))["number"] or 0
    version = SelectionMatrixVersion.objects.create(
        number=latest + 1, criteria=criteria_snapshot(), created_by=by, note=note
    )
    for referral in Referral.objects.in_progress().select_for_update().order_by("pk"):
        previous = referral.score
        referral_score(referral=referral, matrix=version)
        _event(referral, ReferralActivity.Action.RESCORED, by, referral.status, f"Score {previous} → {referral.score}")
    return version


def _check_criterion(fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if fields.get("weight") is not None and fields["weight"] < 0:
        errors["weight"] = ["The weight must be 0 or more"]
    if fields.get("measure") and fields["measure"] not in scoring.MEASURES:
        errors["measure"] = ["Choose a measure from the list"]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def selection_criterion_create(*, by: User, **fields: Any) -> SelectionCriterion:
    """Add a criterion to the matrix; open referrals are re-scored."""
    if not permissions.may_change_selection_matrix(by):
        raise NotAllowed("Only a system administrator changes the selection matrix.")
    _check_criterion(fields)
    criterion = SelectionCriterion.objects.create(**fields)
    selection_matrix_publish(by=by, note=f"Added {criterion.name}")
    return criterion


@transaction.atomic
def selection_criterion_update(*, criterion: SelectionCriterion, by: User, **fields: Any) -> SelectionCriterion:
    """Change a criterion (its weight, window, cap, or whether it counts); open referrals are re-scored."""
    if not permissions.may_change_selection_matrix(by):
        raise NotAllowed("Only a system administrator changes the selection matrix.")
    _check_criterion(fields)
    criterion = SelectionCriterion.objects.select_for_update().get(pk=criterion.pk)
    changed = [name for name, value in fields.items() if getattr(criterion, name) != value]
    for name, value in fields.items():
        setattr(criterion, name, value)
    criterion.save()
    if changed:
        selection_matrix_publish(by=by, note=f"Changed {criterion.name}: {', '.join(changed)}")
    return criterion


def referral_decision_notify(*, decision_id: int) -> int:
    """Email the referrer and their supervisor that the referral was decided: the reference, the
    outcome and a link, never the person's name or the reasons (they are read after sign-in).
    Returns how many emails went; a decision that no longer exists sends none."""
    decision = (
        ReferralDecision.objects.select_related("referral__referred_by__supervisor").filter(pk=decision_id).first()
    )
    if decision is None:
        return 0
    referral = decision.referral
    recipients = [
        user.email
        for user in (referral.referred_by, referral.referred_by.supervisor)
        if user is not None and user.email and user.is_active
    ]
    if not recipients:
        return 0
    link = f"{settings.IOM_BASE_URL}{reverse('referral-detail', args=[referral.pk])}"
    body = (
        f"The referral {referral.reference} has been decided: {decision.get_outcome_display().lower()}.\n\n"
        f"Sign in to read the decision and its reasons:\n{link}\n"
    )
    return send_mail(
        subject=f"Referral {referral.reference}: {decision.get_outcome_display().lower()}",
        message=body,
        from_email=None,
        recipient_list=sorted(set(recipients)),
    )
