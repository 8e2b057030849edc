"""The management report: the living record of a person's plan. The plan by the seven
pathways (the need level and the actions, each identified, referred, engaged, met or declined),
interventions with their provider and dates, decisions with their rationale, contacts with their
outcome and the next contact, and enforcement actions (warning, breach, recall, arrest), with a
compliance summary.

Each entry is a RecordedItem owned by the recorder's agency, with a typed row hung off it, so the
sharing rules decide who reads it like any other item. Plan actions and interventions take the data
category of their pathway (PATHWAY_CATEGORY: an accommodation action is accommodation information);
an intervention without a pathway, contacts, decisions and enforcement are offending and risk.

Who records (may_record): practitioners, supervisors, panel chairs and partner workers of an agency
that sees the person (the caller has found the person through nominal_or_404). Only the agency that
recorded an entry changes it, and a save based on an older version is refused (item_update).

The report shows what the user's agency may read, and counts per section what it may not ("2 items
held by Compass Recovery are not shared with your agency"). Sensitive categories (health, ...) are
not shown here even when shared: they are counted, and shown on the person's record once the user
gives a reason, as the record asks.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from cohorts.access import agency_may_see_item, today
from cohorts.dates import add_months
from cohorts.records.models import PATHWAY_CATEGORY, Nominal, Pathway, PathwayNeed, RecordedItem
from cohorts.records.selectors import CohortPanel, Withheld, nominal_cohort_panel
from cohorts.records.services import item_record, item_update
from cohorts.report.models import Contact, EnforcementAction, Intervention, PlanAction
from cohorts.reviews.services import ReviewHistory, ReviewSchedule, review_schedule, reviews_for_user
from sharing.errors import NotAllowed
from sharing.models import DataCategory, User
from sharing.roles import Role

OTHER_CATEGORY = "offending-risk"
RECORDING_ROLES = frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.PARTNER_WORKER})
NOT_A_RECORDER = (
    "The management report is kept by practitioners, supervisors, panel chairs and partner workers of the "
    "agencies that see the person."
)
COMPLIANCE_MONTHS = 3

Kind = RecordedItem.Kind
# The report's sections, and the kinds of item each shows.
SECTIONS: dict[str, tuple[str, ...]] = {
    "plan": (Kind.PLAN_ACTION, Kind.NEED),
    "interventions": (Kind.INTERVENTION,),
    "decisions": (Kind.DECISION,),
    "contacts": (Kind.CONTACT,),
    "enforcement": (Kind.ENFORCEMENT,),
}
SECTION_OF_KIND = {kind: section for section, kinds in SECTIONS.items() for kind in kinds}
REPORT_KINDS = tuple(SECTION_OF_KIND)


def may_record(user: User) -> bool:
    """Practitioners, supervisors, panel chairs and partner workers keep the management report."""
    return any(user.has_role(role) for role in RECORDING_ROLES)


def check_recorder(user: User) -> None:
    """Raise NotAllowed unless the user keeps the management report."""
    if not may_record(user):
        raise NotAllowed(NOT_A_RECORDER)


def _category(code: str) -> DataCategory:
    return DataCategory.objects.get(code=code)


def pathway_category(pathway: str) -> str:
    """The data category of an entry on the pathway (offending and risk without one)."""
    return PATHWAY_CATEGORY[Pathway(pathway)] if pathway else OTHER_CATEGORY


def _required_text(errors: dict[str, list[str]], name: str, value: str, message: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(name, []).append(message)
    elif len(value) > limit:
        errors.setdefault(name, []).append(f"Enter no more than {limit} characters")
    return value


def _choice(errors: dict[str, list[str]], name: str, value: str, choices: Any, message: str) -> None:
    if value not in choices.values:
        errors.setdefault(name, []).append(message)


def _not_future(errors: dict[str, list[str]], name: str, day: datetime.date | None, what: str) -> None:
    if day is not None and day > today():
        errors.setdefault(name, []).append(f"The {what} must be today or in the past")


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- Plan actions ----------------------------------------------------------------------------------


def _plan_action_check(
    errors: dict[str, list[str]], *, status: str, owner: User | None, due_on: datetime.date | None, since: datetime.date
) -> None:
    _choice(errors, "status", status, PlanAction.Status, "Choose the action's status")
    if owner is not None and not owner.is_active:
        errors.setdefault("owner", []).append("Choose someone who can still sign in")
    if due_on is not None and due_on < since:
        errors.setdefault("due_on", []).append(f"The due date must be on or after {since:%-d %B %Y}")


@transaction.atomic
def plan_action_record(
    *,
    nominal: Nominal,
    by: User,
    pathway: str,
    action: str,
    status: str = PlanAction.Status.IDENTIFIED,
    owner: User | None = None,
    due_on: datetime.date | None = None,
    note: str = "",
    identified_on: datetime.date | None = None,
) -> PlanAction:
    """Add an action to the person's plan on a pathway, as an item of the pathway's category."""
    check_recorder(by)
    errors: dict[str, list[str]] = {}
    _choice(errors, "pathway", pathway, Pathway, "Choose the pathway")
    action = _required_text(errors, "action", action, "Enter the action")
    identified_on = identified_on or today()
    _not_future(errors, "identified_on", identified_on, "date the action was identified")
    _plan_action_check(errors, status=status, owner=owner, due_on=due_on, since=identified_on)
    _raise(errors)
    item = item_record(
        nominal=nominal,
        by=by,
        category=_category(pathway_category(pathway)),
        kind=Kind.PLAN_ACTION,
        summary=action,
        detail=note.strip(),
        occurred_on=identified_on,
    )
    return PlanAction.objects.create(item=item, pathway=pathway, status=status, owner=owner, due_on=due_on)


@transaction.atomic
def plan_action_update(
    *,
    plan_action: PlanAction,
    by: User,
    version: int,
    status: str,
    owner: User | None = None,
    due_on: datetime.date | None = None,
) -> PlanAction:
    """Change an action's status, owner or due date: only its agency, and not from an older version."""
    check_recorder(by)
    errors: dict[str, list[str]] = {}
    _plan_action_check(errors, status=status, owner=owner, due_on=due_on, since=plan_action.item.occurred_on)
    _raise(errors)
    item_update(item=plan_action.item, by=by, version=version)  # owner agency, version, and the version moves on
    plan_action = PlanAction.objects.select_for_update().get(pk=plan_action.pk)
    plan_action.status, plan_action.owner, plan_action.due_on = status, owner, due_on
    plan_action.save(update_fields=["status", "owner", "due_on"])
    return plan_action


# --- Interventions ---------------------------------------------------------------------------------


def _intervention_check(
    errors: dict[str, list[str]], *, status: str, starts_on: datetime.date, ends_on: datetime.date | None
) -> None:
    _choice(errors, "status", status, Intervention.Status, "Choose the intervention's status")
    if ends_on is not None and ends_on < starts_on:
        errors.setdefault("ends_on", []).append("The end date must be the same as or after the start date")
    under_way = (Intervention.Status.STARTED, Intervention.Status.COMPLETED, Intervention.Status.STOPPED)
    if status in under_way and starts_on > today():
        errors.setdefault("starts_on", []).append(
            "The start date must be today or in the past for an intervention that has started"
        )
    if status in (Intervention.Status.COMPLETED, Intervention.Status.STOPPED):
        if ends_on is None:
            errors.setdefault("ends_on", []).append("Enter the end date of an intervention that has ended")
        elif ends_on > today():
            errors.setdefault("ends_on", []).append("The end date must be today or in the past for one that has ended")


@transaction.atomic
def intervention_record(
    *,
    nominal: Nominal,
    by: User,
    name: str,
    provider: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    status: str = Intervention.Status.PLANNED,
    pathway: str = "",
    note: str = "",
) -> Intervention:
    """Record a programme, course or service the person takes part in, with its provider and dates.
    Its item is dated the day it starts, or today for one planned to start later."""
    check_recorder(by)
    errors: dict[str, list[str]] = {}
    if pathway:
        _choice(errors, "pathway", pathway, Pathway, "Choose a pathway from the list")
    name = _required_text(errors, "name", name, "Enter the intervention")
    provider = _required_text(errors, "provider", provider, "Enter the provider")
    _intervention_check(errors, status=status, starts_on=starts_on, ends_on=ends_on)
    _raise(errors)
    item = item_record(
        nominal=nominal,
        by=by,
        category=_category(pathway_category(pathway)),
        kind=Kind.INTERVENTION,
        summary=name,
        detail=note.strip(),
        occurred_on=min(starts_on, today()),
    )
    return Intervention.objects.create(
        item=item, pathway=pathway, provider=provider, starts_on=starts_on, ends_on=ends_on, status=status
    )


@transaction.atomic
def intervention_update(
    *,
    intervention: Intervention,
    by: User,
    version: int,
    status: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    provider: str | None = None,
) -> Intervention:
    """Change an intervention's status, dates or provider: only its agency, not from an older version."""
    check_recorder(by)
    errors: dict[str, list[str]] = {}
    if provider is not None:
        provider = _required_text(errors, "provider", provider, "Enter the provider")
    _intervention_check(errors, status=status, starts_on=starts_on, ends_on=ends_on)
    _raise(errors)
    item_update(item=intervention.item, by=by, version=version, occurred_on=min(starts_on, today()))
    intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
    intervention.status, intervention.starts_on, intervention.ends_on = status, starts_on, ends_on
    if provider is not None:
        intervention.provider = provider
    intervention.save(update_fields=["status", "starts_on", "ends_on", "provider"])
    return intervention


# --- Contacts, decisions and enforcement -----------------------------------------------------------


@transaction.atomic
def contact_record(
    *,
    nominal: Nominal,
    by: User,
    contact_type: str,
    occurred_on: datetime.date,
    outcome: str,
    next_contact_on: datetime.date | None = None,
    note: str = "",
) -> Contact:
    """Record a contact with the person by the user's agency, its outcome and the next contact."""
    check_recorder(by)
    errors: dict[str, list[str]] = {}
    _choice(errors, "contact_type", contact_type, Contact.Type, "Choose the type of contact")
    _choice(errors, "outcome", outcome, Contact.Outcome, "Choose the outcome of the contact")
    _not_future(errors, "occurred_on", occurred_on, "date of the contact")
    if next_contact_on is not None and next_contact_on <= occurred_on:
        errors.setdefault("next_contact_on", []).append("The next contact must be after this contact")
    _raise(errors)
    summary = f"{Contact.Type(contact_type).label}: {Contact.Outcome(outcome).label.lower()}"
    item = item_record(
        nominal=nominal,
        by=by,
        category=_category(OTHER_CATEGORY),
        kind=Kind.CONTACT,
        summary=summary,
        detail=note.strip(),
        occurred_on=occurred_on,
    )
    return Contact.objects.create(
        item=item, contact_type=contact_type, outcome=outcome, next_contact_on=next_contact_on
    )


@transaction.atomic
def decision_record(
    *, nominal: Nominal, by: User, decision: str, rationale: str, decided_on: datetime.date | None = None
) -> RecordedItem:
    """Record a decision about the person's management, with its rationale (both required)."""
    check_recorder(by)
    errors: dict[str, list[str]] = {}
    decision = _required_text(errors, "decision", decision, "Enter the decision")
    rationale = _required_text(errors, "rationale", rationale, "Enter the rationale for the decision", limit=4000)
    decided_on = decided_on or today()
    _not_future(errors, "decided_on", decided_on, "date of the decision")
    _raise(errors)
    return item_record(
        nominal=nominal,
        by=by,
        category=_category(OTHER_CATEGORY),
        kind=Kind.DECISION,
        summary=decision,
        detail=rationale,
        occurred_on=decided_on,
    )


@transaction.atomic
def enforcement_record(
    *,
    nominal: Nominal,
    by: User,
    kind: str,
    occurred_on: datetime.date,
    reason: str,
    outcome: str = "",
) -> EnforcementAction:
    """Record a warning, breach, recall or arrest taken to enforce the person's order or licence."""
    check_recorder(by)
    errors: dict[str, list[str]] = {}
    _choice(errors, "kind", kind, EnforcementAction.Kind, "Choose the enforcement action")
    _not_future(errors, "occurred_on", occurred_on, "date of the enforcement action")
    reason = _required_text(errors, "reason", reason, "Enter why the action was taken", limit=4000)
    outcome = (outcome or "").strip()
    if len(outcome) > 200:
        errors.setdefault("outcome", []).append("Enter no more than 200 characters")
    _raise(errors)
    item = item_record(
        nominal=nominal,
        by=by,
        category=_category(OTHER_CATEGORY),
        kind=Kind.ENFORCEMENT,
        summary=EnforcementAction.Kind(kind).label,
        detail=reason,
        occurred_on=occurred_on,
    )
    return EnforcementAction.objects.create(item=item, kind=kind, outcome=outcome)


# --- Reading one entry to change it ----------------------------------------------------------------


def plan_action_of_agency(user: User, nominal: Nominal, item_pk: int) -> PlanAction:
    """One of the person's plan actions that the user's agency recorded; DoesNotExist otherwise."""
    return PlanAction.objects.select_related("item", "owner").get(
        item__pk=item_pk, item__nominal=nominal, item__owning_agency_id=user.agency_id
    )


def intervention_of_agency(user: User, nominal: Nominal, item_pk: int) -> Intervention:
    """One of the person's interventions that the user's agency recorded; DoesNotExist otherwise."""
    return Intervention.objects.select_related("item").get(
        item__pk=item_pk, item__nominal=nominal, item__owning_agency_id=user.agency_id
    )


# --- The report ------------------------------------------------------------------------------------


@dataclass
class PathwayPlan:
    """One pathway of the plan: the latest need level the user may read, and the actions."""

    pathway: str
    label: str
    need: PathwayNeed | None
    actions: list[PlanAction]

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        counts = Counter(action.status for action in self.actions)
        return [(label, counts[value]) for value, label in PlanAction.Status.choices if counts[value]]


@dataclass
class SectionWithheld:
    """What a section does not show: items held by agencies that do not share them with the user's,
    and sensitive items shown only on the person's record, once a reason is given."""

    by_agency: list[Withheld] = field(default_factory=list)
    sensitive: int = 0

    def __bool__(self) -> bool:
        return bool(self.by_agency or self.sensitive)

    @property
    def total(self) -> int:
        return sum(withheld.count for withheld in self.by_agency) + self.sensitive


@dataclass
class Compliance:
    """Contacts kept and missed, and enforcement, in the last COMPLIANCE_MONTHS months."""

    since: datetime.date
    kept: int
    missed: int
    excused: int
    other: int
    enforcement: int

    @property
    def contacts(self) -> int:
        return self.kept + self.missed + self.excused + self.other

    @property
    def rate(self) -> int | None:
        """Kept as a percentage of the appointments kept or missed (None when there were none)."""
        expected = self.kept + self.missed
        return round(100 * self.kept / expected) if expected else None


@dataclass
class ManagementReport:
    nominal: Nominal
    cohort: CohortPanel
    schedule: ReviewSchedule
    reviews: ReviewHistory
    pathways: list[PathwayPlan]
    interventions: list[Intervention]
    decisions: list[RecordedItem]
    contacts: list[Contact]
    enforcement: list[EnforcementAction]
    compliance: Compliance
    next_contact: Contact | None
    withheld: dict[str, SectionWithheld]
    categories_shown: list[str]
    generated_on: datetime.date

    @property
    def plan_actions(self) -> list[PlanAction]:
        return [action for plan in self.pathways for action in plan.actions]

    @property
    def next_contact_overdue(self) -> bool:
        due = self.next_contact.next_contact_on if self.next_contact else None
        return due is not None and due < self.generated_on

    @property
    def open_actions(self) -> int:
        done = {PlanAction.Status.MET, PlanAction.Status.DECLINED}
        return sum(1 for action in self.plan_actions if action.status not in done)


def management_report_for_user(user: User, nominal: Nominal) -> ManagementReport:
    """The person's management report as the user's agency may read it, with what it may not counted
    per section; the caller holds the person already scoped to the user. A fixed number of queries
    whatever the number of entries."""
    on = today()
    visible = agency_may_see_item(user.agency_id)
    entries = RecordedItem.objects.filter(nominal=nominal, kind__in=REPORT_KINDS)
    shown = list(
        entries.filter(visible)
        .select_related(
            "category",
            "owning_agency",
            "recorded_by",
            "plan_action__owner__agency",
            "intervention",
            "contact",
            "enforcement",
            "pathway_need",
        )
        .order_by("-occurred_on", "-recorded_at", "-pk")
    )
    withheld: dict[str, SectionWithheld] = {section: SectionWithheld() for section in SECTIONS}
    for row in (
        entries.exclude(visible)
        .values("kind", "owning_agency__name")
        .annotate(count=Count("pk"))
        .order_by("kind", "owning_agency__name")
    ):
        withheld[SECTION_OF_KIND[row["kind"]]].by_agency.append(Withheld(row["owning_agency__name"], row["count"]))
    needs: dict[str, PathwayNeed] = {}
    actions: dict[str, list[PlanAction]] = defaultdict(list)
    interventions: list[Intervention] = []
    decisions: list[RecordedItem] = []
    contacts: list[Contact] = []
    enforcement: list[EnforcementAction] = []
    categories = {"identity"}
    for item in shown:  # newest first
        if item.category.is_sensitive:
            withheld[SECTION_OF_KIND[item.kind]].sensitive += 1
            continue
        need = getattr(item, "pathway_need", None)
        plan_action = getattr(item, "plan_action", None)
        intervention = getattr(item, "intervention", None)
        contact = getattr(item, "contact", None)
        enforcement_action = getattr(item, "enforcement", None)
        if item.kind == Kind.NEED and need is not None:
            needs.setdefault(need.pathway, need)
        elif item.kind == Kind.PLAN_ACTION and plan_action is not None:
            actions[plan_action.pathway].append(plan_action)
        elif item.kind == Kind.INTERVENTION and intervention is not None:
            interventions.append(intervention)
        elif item.kind == Kind.DECISION:
            decisions.append(item)
        elif item.kind == Kind.CONTACT and contact is not None:
            contacts.append(contact)
        elif item.kind == Kind.ENFORCEMENT and enforcement_action is not None:
            enforcement.append(enforcement_action)
        else:
            continue  # an item of the kind without its row (recorded some other way) is not an entry
        categories.add(item.category.code)
    pathways = [
        PathwayPlan(pathway=value, label=label, need=needs.get(value), actions=actions.get(value, []))
        for value, label in Pathway.choices
    ]
    since = add_months(on, -COMPLIANCE_MONTHS)
    recent = Counter(contact.outcome for contact in contacts if contact.item.occurred_on > since)
    kept = recent[Contact.Outcome.ATTENDED]
    missed = sum(recent[outcome] for outcome in Contact.NON_COMPLIANT)
    excused = recent[Contact.Outcome.ACCEPTABLE_ABSENCE]
    compliance = Compliance(
        since=since,
        kept=kept,
        missed=missed,
        excused=excused,
        other=sum(recent.values()) - kept - missed - excused,
        enforcement=sum(1 for action in enforcement if action.item.occurred_on > since),
    )
    cohort = nominal_cohort_panel(nominal)
    return ManagementReport(
        nominal=nominal,
        cohort=cohort,
        schedule=review_schedule(nominal, cohort),
        reviews=reviews_for_user(user, nominal),
        pathways=pathways,
        interventions=interventions,
        decisions=decisions,
        contacts=contacts,
        enforcement=enforcement,
        compliance=compliance,
        next_contact=next((contact for contact in contacts if contact.next_contact_on), None),
        withheld=withheld,
        categories_shown=sorted(categories),
        generated_on=on,
    )


@dataclass(frozen=True)
class PlanSummary:
    """The person page's panel: the plan in numbers (two queries)."""

    actions_by_status: list[tuple[str, int]]
    shown: int  # the actions the agency may read, open or not: the statuses add up to it
    open_actions: int
    withheld: int


def plan_summary_for_user(user: User, nominal: Nominal) -> PlanSummary:
    """How many plan actions the user's agency may read, by status, and how many it may not."""
    visible = agency_may_see_item(user.agency_id)
    actions = PlanAction.objects.filter(item__nominal=nominal)
    readable = actions.filter(item__in=RecordedItem.objects.filter(visible).exclude(category__is_sensitive=True))
    counts = {row["status"]: row["count"] for row in readable.values("status").annotate(count=Count("pk"))}
    shown = sum(counts.values())
    done = counts.get(PlanAction.Status.MET, 0) + counts.get(PlanAction.Status.DECLINED, 0)
    return PlanSummary(
        actions_by_status=[(label, counts[value]) for value, label in PlanAction.Status.choices if counts.get(value)],
        shown=shown,
        open_actions=shown - done,
        withheld=actions.count() - shown,
    )
