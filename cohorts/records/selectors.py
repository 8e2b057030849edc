"""Every read of nominal data that leaves the app, already scoped to the user: an out-of-scope
person is "not found", never "forbidden"."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404

from cohorts.access import (
    agency_may_see_item,
    current_involvements,
    current_memberships,
    granted_nominals,
    offending_and_risk_shared,
    reasons_to_see_nominal,
    today,
    view_nominal_permission_id,
)
from cohorts.management.models import CaseAssignment, CohortManagement, CohortMembership, RagAssessment, RagRating
from cohorts.models import AccessEvent
from cohorts.records.identifiers import normalise_crn, normalise_pnc_id, normalise_prison_number
from cohorts.records.models import Consent, Nominal, NominalAlias, NominalGroupObjectPermission, Pathway, RecordedItem
from cohorts.records.names import name_key
from cohorts.refusals import out_of_scope, refusal_mark
from sharing.models import Agency, DataCategory, User
from sharing.roles import Role

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y")


def nominals_visible_to(user: User) -> QuerySet[Nominal]:
    """Everyone the user's agency may see; system administrators find anyone (to fix records) but a
    record merged into another, which no agency sees: its rows are the survivor's."""
    if user.has_role(Role.SYSTEM_ADMIN):
        return Nominal.objects.filter(merged_into__isnull=True)
    return granted_nominals(user.agency)


@dataclass(frozen=True)
class Person:
    """A person as a derived output names them (a notification, a count's list)."""

    pk: int
    first_name: str
    last_name: str

    @property
    def name(self) -> str:
        return f"{self.last_name.upper()}, {self.first_name}"


def people_visible_to_each(readers: Iterable[User], nominal_ids: Iterable[int]) -> dict[tuple[int, int], Person]:
    """For many readers at once, the people each may see (keyed by reader and person), as
    nominals_visible_to says of one: their agency's grants (rule 1), or anyone for a system
    administrator. Two queries whatever the number of readers and people."""
    ids = set(nominal_ids)
    readers = list(readers)
    if not ids or not readers:
        return {}
    people = {
        pk: Person(pk, first_name, last_name)
        for pk, first_name, last_name in Nominal.objects.filter(pk__in=ids).values_list("pk", "first_name", "last_name")
    }
    groups = {reader.agency.permission_group_id for reader in readers if reader.agency.permission_group_id}
    granted: dict[int, set[int]] = {}
    grants = NominalGroupObjectPermission.objects.filter(
        group_id__in=groups, content_object_id__in=list(people), permission_id=view_nominal_permission_id()
    )
    for group_id, nominal_id in grants.values_list("group_id", "content_object_id") if groups and people else []:
        granted.setdefault(group_id, set()).add(nominal_id)
    seen: dict[tuple[int, int], Person] = {}
    for reader in readers:
        anyone = reader.has_role(Role.SYSTEM_ADMIN)
        reach = people.keys() if anyone else granted.get(reader.agency.permission_group_id or 0, set())
        for pk in reach:
            seen[(reader.pk, pk)] = people[pk]
    return seen


def _parse_date(text: str) -> datetime.date | None:
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()  # noqa: DTZ007  (a date, no time)
        except ValueError:
            continue
    return None


def _identifier_filter(text: str) -> Q | None:
    for normalise, field_name in (
        (normalise_pnc_id, "pnc_id"),
        (normalise_crn, "crn"),
        (normalise_prison_number, "prison_number"),
    ):
        try:
            return Q(**{field_name: normalise(text)})
        except ValidationError:
            continue
    return None


def _name_filter(words: list[str]) -> Q:
    """Every word must match a first or last name, by sound or by its start, or an alias."""
    condition = Q()
    for word in words:
        key = name_key(word)
        by_name = Q(last_name__istartswith=word) | Q(first_name__istartswith=word)
        if key:
            by_name |= Q(last_name_key=key) | Q(first_name_key=key)
        alias_match = NominalAlias.objects.filter(nominal=OuterRef("pk")).filter(
            Q(last_name__istartswith=word)
            | Q(first_name__istartswith=word)
            | (Q(last_name_key=key) if key else Q(pk=None))
        )
        condition &= by_name | Q(Exists(alias_match))
    return condition


@dataclass(frozen=True)
class NominalFilters:
    query: str = ""
    policing_area_id: int | None = None
    custody_status: str = ""
    on_cohort: bool | None = None
    agency_id: int | None = None


def nominal_search(user: User, filters: NominalFilters) -> QuerySet[Nominal]:
    """Search by name (tolerant of spelling, aliases included), PNC ID, CRN, prison number or date
    of birth, within what the user may see, then filter."""
    nominals = nominals_visible_to(user)
    text = filters.query.strip()
    if text:
        identifier = _identifier_filter(text)
        date = _parse_date(text)
        if identifier is not None:
            nominals = nominals.filter(identifier)
        elif date is not None:
            nominals = nominals.filter(
                Q(date_of_birth=date) | Exists(NominalAlias.objects.filter(nominal=OuterRef("pk"), date_of_birth=date))
            )
        else:
            words = [word for word in re.split(r"[\s,]+", text) if word]
            nominals = nominals.filter(_name_filter(words))
    if filters.policing_area_id:
        nominals = nominals.filter(policing_area_id=filters.policing_area_id)
    if filters.custody_status:
        nominals = nominals.filter(custody_status=filters.custody_status)
    if filters.on_cohort is not None:
        on_cohort = Exists(current_memberships(today()).filter(nominal=OuterRef("pk")))
        nominals = nominals.filter(on_cohort) if filters.on_cohort else nominals.exclude(on_cohort)
    if filters.agency_id:
        nominals = nominals.filter(
            Exists(current_involvements(today()).filter(nominal=OuterRef("pk"), agency_id=filters.agency_id))
        )
    return (
        nominals.select_related("policing_area")
        .annotate(is_on_cohort=Exists(current_memberships(today()).filter(nominal=OuterRef("pk"))))
        .order_by("last_name", "first_name", "date_of_birth", "pk")
    )


def nominal_get_for_user(user: User, pk: int) -> Nominal:
    """The person, if the user may see them; Nominal.DoesNotExist otherwise (a 404 to the user),
    marked as a refusal where the person exists (cohorts/refusals.py)."""
    try:
        return (
            nominals_visible_to(user)
            .select_related("owning_agency", "policing_area", "community_safety_partnership")
            .get(pk=pk)
        )
    except Nominal.DoesNotExist as missing:
        if Nominal.objects.filter(pk=pk).exists():
            refusal_mark(missing, nominal_id=pk, reason=out_of_scope("the person"))
        raise


@dataclass(frozen=True)
class Withheld:
    agency_name: str
    count: int

    def __str__(self) -> str:
        items = "item" if self.count == 1 else "items"
        verb = "is" if self.count == 1 else "are"
        return f"{self.count} {items} held by {self.agency_name} {verb} not shared with your agency"


@dataclass(frozen=True)
class LockedCategory:
    category: DataCategory
    count: int


@dataclass
class NominalRecord:
    """What one user may see of one person's record, with what is withheld said out loud."""

    nominal: Nominal
    offending_and_risk_shown: bool
    items: list[RecordedItem]
    withheld: list[Withheld]
    locked: list[LockedCategory]
    aliases: list[NominalAlias]
    reasons: list[str]
    on_cohort_since: datetime.date | None
    categories_shown: list[str] = field(default_factory=list)
    needs: list[tuple[str, str | None, datetime.date | None]] = field(default_factory=list)


def nominal_record_for_user(user: User, nominal: Nominal, *, sensitive_unlocked: bool = False) -> NominalRecord:
    """The record as this user may see it, in a fixed number of queries whatever its size."""
    agency = user.agency
    visible = agency_may_see_item(agency.pk)
    items_of_nominal = RecordedItem.objects.filter(nominal=nominal)
    shown_items = list(
        items_of_nominal.filter(visible)
        .select_related("category", "owning_agency", "recorded_by", "pathway_need")
        .order_by("-occurred_on", "-recorded_at")
    )
    withheld = [
        Withheld(row["owning_agency__name"], row["count"])
        for row in items_of_nominal.exclude(visible)
        .values("owning_agency__name")
        .annotate(count=Count("pk"))
        .order_by("owning_agency__name")
    ]
    locked_counts: dict[int, LockedCategory] = {}
    items: list[RecordedItem] = []
    for item in shown_items:
        if item.category.is_sensitive and not sensitive_unlocked:
            current = locked_counts.get(item.category_id)
            locked_counts[item.category_id] = LockedCategory(item.category, (current.count if current else 0) + 1)
        else:
            items.append(item)
    offending_shown = offending_and_risk_shared(agency, nominal)
    membership = current_memberships(today()).filter(nominal=nominal).first()
    categories = {"identity"} | {item.category.code for item in items}
    if offending_shown:
        categories.add(Nominal.OFFENDING_AND_RISK_CATEGORY)
    latest_need: dict[str, RecordedItem] = {}
    for item in items:  # newest first
        need = getattr(item, "pathway_need", None)
        if need is not None and need.pathway not in latest_need:
            latest_need[need.pathway] = item
    needs = [
        (
            label,
            latest_need[value].pathway_need.get_level_display() if value in latest_need else None,
            latest_need[value].occurred_on if value in latest_need else None,
        )
        for value, label in Pathway.choices
    ]
    return NominalRecord(
        nominal=nominal,
        needs=needs,
        offending_and_risk_shown=offending_shown,
        items=items,
        withheld=withheld,
        locked=sorted(locked_counts.values(), key=lambda locked: locked.category.position),
        aliases=list(nominal.aliases.all()),
        reasons=reasons_to_see_nominal(agency, nominal),
        on_cohort_since=membership.started_on if membership else None,
        categories_shown=sorted(categories),
    )


def item_get_for_user(user: User, nominal: Nominal, pk: int) -> RecordedItem:
    """An item of a person the user may see, if rule 2 lets their agency see it; DoesNotExist
    otherwise, marked as a refusal where the item exists (of this person or another)."""
    try:
        return (
            RecordedItem.objects.filter(nominal=nominal)
            .filter(agency_may_see_item(user.agency_id))
            .select_related("category", "owning_agency", "recorded_by", "nominal")
            .get(pk=pk)
        )
    except RecordedItem.DoesNotExist as missing:
        held_for = RecordedItem.objects.filter(pk=pk).values_list("nominal_id", flat=True).first()
        if held_for is not None:
            refusal_mark(missing, nominal_id=held_for, reason=out_of_scope(f"item {pk}"))
        raise


def nominal_possible_matches(
    user: User, *, first_name: str, last_name: str, date_of_birth: datetime.date | None, identifiers: dict[str, str]
) -> list[Nominal]:
    """People the user may see who may be the person about to be recorded: the same-sounding
    surname with the same date of birth or first name, or one of the same identifiers."""
    last_key, first_key = name_key(last_name), name_key(first_name)
    same_person = Q(last_name_key=last_key) & (Q(date_of_birth=date_of_birth) | Q(first_name_key=first_key))
    same_person |= Q(
        Exists(NominalAlias.objects.filter(nominal=OuterRef("pk"), last_name_key=last_key, first_name_key=first_key))
    )
    for field_name, value in identifiers.items():
        if value:
            same_person |= Q(**{field_name: value})
    return list(nominals_visible_to(user).filter(same_person).order_by("last_name", "first_name")[:10])


@dataclass(frozen=True)
class AccessLogFilters:
    username: str = ""
    user_id: int | None = None
    nominal_id: int | None = None
    action: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def user_may_read_access_log(user: User) -> bool:
    return any(user.has_role(role) for role in (Role.SUPERVISOR, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN))


def access_log_for_user(user: User, filters: AccessLogFilters) -> QuerySet[AccessEvent]:
    """Access events of the user's agency (all agencies for system administrators), newest first."""
    events = AccessEvent.objects.select_related("user", "agency", "nominal")
    if not user.has_role(Role.SYSTEM_ADMIN):
        events = events.filter(agency_id=user.agency_id)
    if filters.username:
        events = events.filter(user__username__iexact=filters.username.strip())
    if filters.user_id:
        events = events.filter(user_id=filters.user_id)
    if filters.nominal_id:
        events = events.filter(Q(nominal_id=filters.nominal_id) | Q(nominal_ids__contains=[filters.nominal_id]))
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.date_from:
        events = events.filter(at__date__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(at__date__lte=filters.date_to)
    return events.order_by("-at", "-pk")


def visible_nominal_ids(user: User, ids: set[int]) -> set[int]:
    """Which of these people the user may see now (one query), so a log never names anyone else."""
    if not ids:
        return set()
    return set(nominals_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def consents_for_user(user: User, nominal: Nominal) -> QuerySet[Consent]:
    """Consent records the user's agency made, or that concern it: a record of consent to share with
    a treatment service says the person is in treatment, so others' records are not shown."""
    return (
        Consent.objects.filter(nominal=nominal)
        .filter(Q(recorded_by__agency_id=user.agency_id) | Q(agency_id=user.agency_id) | Q(agency__isnull=True))
        .select_related("agency", "category", "recorded_by")
        .order_by("-recorded_on", "-recorded_at")
    )


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    label: str
    by: str
    changes: list[tuple[str, str, str]]


def nominal_history_for_user(user: User, nominal: Nominal, *, offending_and_risk_shown: bool) -> list[HistoryEntry]:
    """The record's change history, limited to the fields the user may see, newest first; with the
    history of any record merged into it, which is the same person's."""
    import pghistory.models

    fields = [name for name in Nominal.IDENTITY_FIELDS if name not in ("policing_area", "community_safety_partnership")]
    if offending_and_risk_shown:
        fields += list(Nominal.OFFENDING_AND_RISK_FIELDS)
    labels = {
        field_name: getattr(Nominal._meta.get_field(field_name), "verbose_name", field_name) for field_name in fields
    }
    events = (
        pghistory.models.MiddlewareEvents.objects.tracks([nominal, *Nominal.objects.filter(merged_into=nominal)])
        .select_related("user")
        .order_by("-pgh_created_at", "-pgh_id")[:100]
    )
    entries = []
    for event in events:
        if event.pgh_label == "insert":
            changes: list[tuple[str, str, str]] = []
        else:
            diff = event.pgh_diff or {}
            changes = [
                (str(labels[name])[:1].upper() + str(labels[name])[1:], str(old or "none"), str(new or "none"))
                for name, (old, new) in diff.items()
                if name in labels
            ]
            if not changes:
                continue
        by = str(event.user) if event.user else "the system"
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                label="Recorded" if event.pgh_label == "insert" else "Changed",
                by=by,
                changes=changes,
            )
        )
    return entries


# --- The cohort: everyone on IOM now, and one person's time on it ------------------------------------


def _current_assignments() -> QuerySet[CaseAssignment]:
    on = today()
    return CaseAssignment.objects.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))


@dataclass
class CohortPanel:
    """A person's time on IOM, as the person page shows it."""

    membership: CohortMembership | None
    management: CohortManagement | None
    rag_history: list[RagAssessment]
    lead_professional: CaseAssignment | None
    police_lead: CaseAssignment | None
    key_workers: list[CaseAssignment]
    past_memberships: list[CohortMembership]

    @property
    def current_rag(self) -> RagAssessment | None:
        return self.rag_history[0] if self.rag_history else None

    @property
    def leads(self) -> list[tuple[str, CaseAssignment | None]]:
        return [("Lead professional", self.lead_professional), ("IOM police lead", self.police_lead)]


def nominal_cohort_panel(nominal: Nominal) -> CohortPanel:
    """The person's current period on IOM (strand, level, priority cohorts), RAG history, leads and
    key workers, and their past periods, in four queries whatever their length. The caller holds
    the person already scoped to the user (nominal_get_for_user)."""
    on = today()
    memberships = list(
        CohortMembership.objects.filter(nominal=nominal)
        .select_related("management__level")
        .prefetch_related("management__priority_cohorts")
        .order_by("-started_on", "-pk")
    )
    current = next((m for m in memberships if m.started_on <= on and (m.ended_on is None or m.ended_on >= on)), None)
    assignments = list(
        _current_assignments()
        .filter(nominal=nominal)
        .select_related("worker", "agency")
        .order_by("role", "agency__name", "-started_on", "-pk")
    )
    # On the day of a same-day transfer both holders are current (the previous one's last day is
    # today): the one not ended, and the newest, is the lead.
    leads = {
        a.role: a
        for a in sorted(assignments, key=lambda a: (a.ended_on is None, a.started_on, a.pk))
        if a.role != CaseAssignment.Role.KEY_WORKER
    }
    return CohortPanel(
        membership=current,
        management=getattr(current, "management", None) if current else None,
        rag_history=list(
            RagAssessment.objects.filter(nominal=nominal)
            .select_related("rating", "assessed_by__agency")
            .order_by("-assessed_at", "-pk")
        ),
        lead_professional=leads.get(CaseAssignment.Role.LEAD_PROFESSIONAL),
        police_lead=leads.get(CaseAssignment.Role.POLICE_LEAD),
        key_workers=[a for a in assignments if a.role == CaseAssignment.Role.KEY_WORKER],
        past_memberships=[m for m in memberships if m.ended_on is not None and m.ended_on < on],
    )


# --- Managing the cohort: RAG ratings, assignments and caseloads -------------------------------------


def current_assignments_of(nominal: Nominal) -> list[CaseAssignment]:
    """The person's leads and key workers today (one query), for the permission checks."""
    return list(_current_assignments().filter(nominal=nominal).select_related("worker", "agency").order_by("pk"))


def assignment_history(nominal: Nominal, role: str) -> list[CaseAssignment]:
    """Everyone who has held the role in the person's case, newest first (one query)."""
    return list(
        CaseAssignment.objects.filter(nominal=nominal, role=role)
        .select_related("worker", "agency", "assigned_by")
        .order_by("-started_on", "-pk")
    )


def assignments_of(nominal: Nominal) -> list[CaseAssignment]:
    """Every assignment in the person's case, current and past, by role then newest first (one query)."""
    return list(
        CaseAssignment.objects.filter(nominal=nominal)
        .select_related("worker__agency", "agency", "assigned_by__agency")
        .order_by("role", "-started_on", "-pk")
    )


def assignment_of(nominal: Nominal, pk: int) -> CaseAssignment | None:
    """One assignment in the case of a person already scoped to the user; None if not theirs."""
    return CaseAssignment.objects.filter(nominal=nominal, pk=pk).select_related("worker", "agency").first()


# Who may hold each role: the lead professional from any agency, the police lead from a police
# force, key workers from any agency's practitioners and partner workers.
ASSIGNABLE_ROLES: dict[str, tuple[Role, ...]] = {
    CaseAssignment.Role.LEAD_PROFESSIONAL: (Role.PRACTITIONER, Role.PARTNER_WORKER, Role.SUPERVISOR),
    CaseAssignment.Role.POLICE_LEAD: (Role.PRACTITIONER, Role.SUPERVISOR),
    CaseAssignment.Role.KEY_WORKER: (Role.PRACTITIONER, Role.PARTNER_WORKER),
}


def assignment_eligible_workers(role: str) -> QuerySet[User]:
    """The active users who may be given the role, ordered by agency then name (for an <optgroup>
    per agency)."""
    holders = User.groups.through.objects.filter(group__name__in=[r.value for r in ASSIGNABLE_ROLES[role]]).values(
        "user_id"
    )
    workers = User.objects.filter(is_active=True, agency__is_active=True, pk__in=holders)
    if role == CaseAssignment.Role.POLICE_LEAD:
        workers = workers.filter(agency__kind=Agency.Kind.POLICE)
    return workers.select_related("agency").order_by("agency__name", "agency_id", "last_name", "first_name", "pk")


@dataclass(frozen=True)
class WorkloadFilters:
    agency_id: int | None = None
    supervisor_id: int | None = None  # only the workers this user supervises


@dataclass
class WorkloadRow:
    """One worker's caseload: the people they lead (as lead professional or police lead, each person
    once) by their current RAG rating, and the people they are key worker for."""

    worker: User
    by_rating: list[int]
    not_rated: int
    key_worker: int
    in_team: bool = False

    @property
    def total(self) -> int:
        return sum(self.by_rating) + self.not_rated


@dataclass
class Workload:
    ratings: list[RagRating]  # the columns: active ratings, and retired ones someone still holds
    rows: list[WorkloadRow]


LEAD_ROLES = (CaseAssignment.Role.LEAD_PROFESSIONAL, CaseAssignment.Role.POLICE_LEAD)


def workload(user: User, filters: WorkloadFilters = WorkloadFilters()) -> Workload:
    """Each worker's current caseload of people on the cohort whom the user may see, by RAG rating:
    one aggregate query and one for the workers, however many workers and people (plus the ratings).
    The user's own team (the workers they supervise) comes first."""
    on = today()
    on_cohort_and_visible = nominals_visible_to(user).filter(
        Exists(current_memberships(on).filter(nominal=OuterRef("pk")))
    )
    latest_rating = (
        RagAssessment.objects.filter(nominal=OuterRef("nominal_id")).order_by("-assessed_at", "-pk").values("rating_id")
    )
    # Current as the services see it (not ended): on the day of a same-day transfer the previous
    # holder's last day is today, and they no longer hold the case.
    assignments = CaseAssignment.objects.filter(
        started_on__lte=on, ended_on__isnull=True, nominal__in=on_cohort_and_visible
    )
    if filters.agency_id:
        assignments = assignments.filter(worker__agency_id=filters.agency_id)
    if filters.supervisor_id:
        assignments = assignments.filter(worker__supervisor_id=filters.supervisor_id)
    counts = (
        assignments.annotate(
            leads=Case(When(role__in=LEAD_ROLES, then=Value(True)), default=Value(False)),
            rating_id=Subquery(latest_rating[:1]),
        )
        .values("worker_id", "leads", "rating_id")
        .annotate(people=Count("nominal_id", distinct=True))
        .order_by()
    )
    ratings = list(RagRating.objects.order_by("order", "label"))
    caseloads: dict[int, dict[tuple[bool, int | None], int]] = {}
    for row in counts:
        caseloads.setdefault(row["worker_id"], {})[(row["leads"], row["rating_id"])] = row["people"]
    held = {rating_id for caseload in caseloads.values() for (leads, rating_id) in caseload if leads}
    columns = [rating for rating in ratings if rating.is_active or rating.pk in held]
    workers = User.objects.filter(pk__in=list(caseloads)).select_related("agency") if caseloads else []
    rows = []
    for worker in workers:
        caseload = caseloads[worker.pk]
        rows.append(
            WorkloadRow(
                worker=worker,
                by_rating=[caseload.get((True, rating.pk), 0) for rating in columns],
                not_rated=caseload.get((True, None), 0),
                key_worker=sum(people for (leads, _), people in caseload.items() if not leads),
                in_team=worker.supervisor_id == user.pk,
            )
        )
    rows.sort(key=lambda row: (not row.in_team, row.worker.agency.name, row.worker.last_name, row.worker.first_name))
    return Workload(ratings=columns, rows=rows)


class RecordMoved(Http404):
    """A record merged into another that the user may see: its pages lead there
    (shell.middleware.RecordMovedMiddleware redirects a GET); anything else is a 404, as it was."""

    def __init__(self, old_pk: int, new_pk: int) -> None:
        super().__init__("This record was merged into another")
        self.old_pk, self.new_pk = old_pk, new_pk


def moved_to_for_user(user: User, pk: int) -> int | None:
    """The record a merged record's rows went to, if the user may see it; else None."""
    from cohorts.duplicates.services import survivor_of

    if not Nominal.objects.filter(pk=pk, merged_into__isnull=False).exists():
        return None
    survivor = survivor_of(pk)
    return survivor if nominals_visible_to(user).filter(pk=survivor).exists() else None


def nominal_or_404(user: User, pk: int) -> Nominal:
    """The person, if the user may see them; a merged record they may see the survivor of leads
    there (RecordMoved); otherwise 404, as if they did not exist."""
    try:
        return nominal_get_for_user(user, pk)
    except Nominal.DoesNotExist as error:
        moved_to = moved_to_for_user(user, pk)
        if moved_to is not None:
            raise RecordMoved(pk, moved_to) from None  # not a refusal: the user may see where it went
        raise Http404("No such person") from error
