"""The benchmark behind `manage.py benchmark` (README, "Benchmark"): a large invented partnership,
and the timings of the pages and services that must stay fast as it grows.

Speed is measured here, never by timed tests. The dataset is for development only and is kept apart
from everything else: every row belongs to an agency whose name starts with "Benchmark ", and
`--clean` removes them all. Half a million rows through the per-row services would take hours, so
people, memberships, involvements, consents and items are bulk-inserted, and so is the cohort's
management (strand and level, RAG history, case workers in supervised teams and their assignments,
supervisor reviews, licence ends); the grants are then materialised by one call to
grants_recompute(), as the nightly reconciliation would. The
change-history triggers are skipped for these rows: the people are invented, and history rows are
append-only, so they could never be cleaned away.

Pages are measured through the real views with Django's test client, each request inside a
transaction that is rolled back, so the access events the views write (append-only too) vanish. A
supervisor's cohort list pages are each set against the raw SQL query that returns the same rows
(the selector's queryset, sliced to the page, sent through a cursor), the bar the cohort list is held to.

Each reminder sweep (notifications/sweeps.py) is run over the whole dataset with work due on the day, by
demo/benchmark_sweeps.py.
"""

from __future__ import annotations

import datetime
import io
import itertools
import math
import random
import re
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

import pghistory.trigger
import pgtrigger
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, reset_queries, transaction
from django.db.models import Count, DateTimeField, Manager, Model, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from cohorts.access import grants_recompute
from cohorts.events.services import CSV_COLUMNS, events_import
from cohorts.management.models import (
    CaseAssignment,
    CohortManagement,
    CohortMembership,
    ManagementLevel,
    PriorityCohort,
    RagAssessment,
    RagRating,
    Strand,
)
from cohorts.management.selectors import CohortFilters, cohort_list, cohort_query
from cohorts.models import AccessEvent
from cohorts.records.identifiers import pnc_check_letter
from cohorts.records.models import (
    CaseInvolvement,
    Consent,
    Nominal,
    NominalAlias,
    NominalGroupObjectPermission,
    NominalUserObjectPermission,
    PathwayNeed,
    PolicingArea,
    RecordedItem,
)
from cohorts.records.names import name_key
from cohorts.records.selectors import NominalFilters, nominal_search, nominals_visible_to
from cohorts.records.services import ASSIGNMENT_INVOLVEMENT
from cohorts.reviews.models import SupervisorReview
from cohorts.reviews.services import REVIEW_CATEGORY, SUMMARY_COMMENSURATE, SUMMARY_NOT_COMMENSURATE, cadence_after
from sharing.models import Agency, DataCategory, SharingAgreement, User
from sharing.roles import Role
from sharing.services import ClauseSpec, agreement_activate, agreement_create
from shell.database import analyze

PREFIX = "Benchmark "
AREA_PREFIX = "Benchmark area "
ADMIN_USERNAME = "benchmark-admin"
WORKER_PREFIX = "benchmark-worker-"
SUPERVISOR_PREFIX = "benchmark-supervisor-"
# The supervisor measured: the first team's, in the core IOM police force (agency 01).
SUPERVISOR_USERNAME = f"{SUPERVISOR_PREFIX}001"
TEAM_SIZE = 10
BATCH_SIZE = 5_000
ON_COHORT_SHARE = 0.85
LEFT_COHORT_SHARE = 0.05

Say = Callable[[str], None]
M = TypeVar("M", bound=Model)


class BenchmarkError(Exception):
    """The benchmark cannot run, or a page it measures did not answer as it should."""


@dataclass(frozen=True)
class Sizes:
    nominals: int
    items: int
    agencies: int
    workers: int  # case workers holding the cohort's cases (each team of ten has a supervisor besides)

    def __str__(self) -> str:
        return f"{self.nominals:,} nominals, {self.items:,} items, {self.agencies:,} agencies, {self.workers:,} workers"

    def without_cohort(self) -> Sizes:
        """The sizes of the people and items alone (a dataset built before the cohort's management)."""
        return replace(self, workers=0)


# --- The dataset ------------------------------------------------------------------------------------

# fmt: off
FIRST_NAMES = (
    "Aaron", "Abdul", "Adam", "Aisha", "Alan", "Alex", "Amir", "Amy", "Andrew", "Anthony", "Ben", "Billy", "Bradley",
    "Callum", "Carl", "Chloe", "Chris", "Craig", "Dale", "Daniel", "Darren", "Dean", "Declan", "Dylan", "Ellie",
    "Emma", "Ethan", "Gary", "Grace", "Harry", "Hassan", "Imran", "Jack", "Jade", "Jake", "Jamal", "James", "Jamie",
    "Jason", "Jordan", "Joseph", "Josh", "Kai", "Karen", "Kelly", "Kieran", "Kyle", "Lee", "Leon", "Liam", "Lewis",
    "Luke", "Marcus", "Mark", "Mason", "Megan", "Michael", "Mohammed", "Nathan", "Neil", "Owen", "Paul", "Reece",
    "Rhys", "Ricky", "Robert", "Ryan", "Sam", "Scott", "Sean", "Shane", "Simon", "Sophie", "Stacey", "Steven",
    "Stuart", "Terry", "Thomas", "Tom", "Tyler", "Wayne", "Zak"
)
LAST_NAMES = (
    "Adams", "Ahmed", "Ali", "Allen", "Anderson", "Bailey", "Baker", "Barnes", "Bell", "Bennett", "Brown", "Butler",
    "Campbell", "Carter", "Clarke", "Collins", "Cook", "Cooper", "Cox", "Davies", "Davis", "Doherty", "Edwards",
    "Evans", "Fisher", "Foster", "Green", "Griffiths", "Hall", "Harris", "Harrison", "Hill", "Hughes", "Hussain",
    "Jackson", "James", "Johnson", "Jones", "Kelly", "Khan", "King", "Lee", "Lewis", "Lloyd", "Marshall", "Martin",
    "Mason", "Mitchell", "Moore", "Morgan", "Morris", "Murphy", "Murray", "O'Brien", "O'Neill", "Owen", "Palmer",
    "Parker", "Patel", "Phillips", "Price", "Richards", "Roberts", "Robinson", "Rogers", "Russell", "Scott", "Shaw",
    "Simpson", "Smith", "Stevens", "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Walsh", "Ward", "Watson",
    "White", "Williams", "Wilson", "Wood", "Wright", "Young"
)
# fmt: on
SUMMARIES = (
    "Home visit: compliant",
    "Missed appointment; rebooked",
    "Drug test negative",
    "Drug test positive for opiates",
    "Referred to housing options",
    "Arrested on suspicion of shoplifting",
    "Licence conditions reviewed",
    "Attended recovery group",
    "Benefit claim supported",
    "Family contact arranged",
    "Intelligence report submitted",
    "Risk assessment reviewed",
)
CORE_KINDS = (Agency.Kind.POLICE, Agency.Kind.PROBATION, Agency.Kind.PRISON, Agency.Kind.YOUTH_OFFENDING_TEAM)
PARTNER_KINDS = (
    Agency.Kind.DRUG_AND_ALCOHOL,
    Agency.Kind.ACCOMMODATION,
    Agency.Kind.LOCAL_AUTHORITY,
    Agency.Kind.HEALTH,
    Agency.Kind.VOLUNTARY_SECTOR,
    Agency.Kind.OTHER,
)
CORE_CATEGORIES = ("offending-risk", "intelligence", "accommodation", "substance-misuse", "family", "finance", "victim")
PARTNER_CATEGORIES = ("offending-risk", "accommodation", "substance-misuse", "finance", "family")
CONSENT_CATEGORIES = ("health", "mental-health")
ITEM_KINDS = [kind for kind in RecordedItem.Kind if kind != RecordedItem.Kind.NEED]


@dataclass(frozen=True)
class Layout:
    """Which of the agencies (by position) are core, partners in an agreement, or outside any."""

    core: range
    partner_groups: list[range]
    outside: range

    @classmethod
    def for_agencies(cls, count: int) -> Layout:
        core_count = max(2, count // 5)
        outside_count = count // 10
        partners = range(core_count, count - outside_count)
        groups = [partners[start : start + 8] for start in range(0, len(partners), 8)]
        return cls(core=range(core_count), partner_groups=groups, outside=range(count - outside_count, count))

    @property
    def measured_partner(self) -> int:
        """The partner agency measured: party to an agreement, so it sees the whole cohort."""
        return self.partner_groups[0][0]


def agency_name(position: int) -> str:
    return f"{PREFIX}Agency {position + 1:02d}"


def partner_username(position: int) -> str:
    return f"benchmark-{position + 1:02d}"


def benchmark_nominals() -> Q:
    return Q(owning_agency__name__startswith=PREFIX)


def dataset_sizes() -> Sizes | None:
    """The sizes of the benchmark dataset in the database, or None if there is none."""
    agencies = Agency.objects.filter(name__startswith=PREFIX).count()
    if not agencies:
        return None
    return Sizes(
        nominals=Nominal.objects.filter(benchmark_nominals()).count(),
        # The items invented as such; supervisor reviews are items too, but part of the cohort's management.
        items=RecordedItem.objects.filter(
            nominal__owning_agency__name__startswith=PREFIX, supervisor_review__isnull=True
        ).count(),
        agencies=agencies,
        workers=User.objects.filter(agency__name__startswith=PREFIX, username__startswith=WORKER_PREFIX).count(),
    )


def _history_triggers() -> list[str]:
    return [
        f"{model._meta.label}:{trigger.name}"
        for model, trigger in pgtrigger.registered()
        if isinstance(trigger, pghistory.trigger.Event)
    ]


@contextmanager
def without_history() -> Iterator[None]:
    """Skip the change-history triggers (never the append-only guards) for invented rows: honoured for
    the tables' owner only (shell/database.py), as `make benchmark` runs; as the application's role (the
    tests) the history is written, which costs time, not correctness."""
    with pgtrigger.ignore(*_history_triggers()):
        yield


def _batches(total: int) -> Iterator[int]:
    for start in range(0, total, BATCH_SIZE):
        yield min(BATCH_SIZE, total - start)


def _pnc_id(number: int) -> str:
    # Serials from 8,000,000 up: far from the demo's, and valid (cohorts.records.identifiers).
    year, serial = str(2000 + number % 20), f"{8_000_000 + number:07d}"
    return f"{year}/{serial}{pnc_check_letter(year, serial)}"


def bulk_create_batched(manager: Manager[M], objects: list[M]) -> None:
    for start in range(0, len(objects), BATCH_SIZE):
        manager.bulk_create(objects[start : start + BATCH_SIZE])
        reset_queries()  # DEBUG keeps every query, and these are large


@dataclass
class BuildReport:
    seconds: float
    grants_seconds: float
    grants: int
    cohort_seconds: float = 0.0


ANALYZED = (
    Nominal,
    NominalAlias,
    CohortMembership,
    CaseInvolvement,
    Consent,
    RecordedItem,
    NominalGroupObjectPermission,
    User,
    CohortManagement,
    CohortManagement.priority_cohorts.through,
    RagAssessment,
    CaseAssignment,
    SupervisorReview,
)


def dataset_build(sizes: Sizes, *, seed: int, say: Say) -> BuildReport:
    """Create the benchmark partnership in one transaction: all of it or nothing."""
    if sizes.agencies < 3:
        raise BenchmarkError("The benchmark needs at least 3 agencies (core agencies and a partner).")
    if sizes.nominals < 1:
        raise BenchmarkError("The benchmark needs at least one nominal.")
    rng = random.Random(seed)  # noqa: S311  (invented data, reproducible; not for secrets)
    started = time.perf_counter()
    with transaction.atomic(), without_history():
        agencies, users = _build_partnership(sizes, say)
        heavy_first = _build_people(sizes, rng, agencies, users, say)
        _build_items(sizes, rng, agencies, users, heavy_first, say)
        cohort_started = time.perf_counter()
        _build_cohort(sizes, seed, agencies, say)
        cohort_seconds = time.perf_counter() - cohort_started
        say("Materialising the grants: grants_recompute() for every agency ...")
        grants_started = time.perf_counter()
        grants_recompute()
        grants_seconds = time.perf_counter() - grants_started
    _analyze()
    grants = NominalGroupObjectPermission.objects.filter(group__in=[a.permission_group_id for a in agencies]).count()
    return BuildReport(
        seconds=time.perf_counter() - started,
        grants_seconds=grants_seconds,
        grants=grants,
        cohort_seconds=cohort_seconds,
    )


def dataset_extend(workers: int, *, seed: int, say: Say) -> BuildReport:
    """Add the cohort's management to a dataset built before it had any (its people and items
    kept), then bring the grants up to date (the new involvements change none: every worker's
    agency is party to an agreement in force, so it sees the cohort already)."""
    agencies = list(Agency.objects.filter(name__startswith=PREFIX).order_by("pk"))
    found = dataset_sizes()
    if found is None or found.workers:
        raise BenchmarkError("There is no benchmark dataset without the cohort's management to extend.")
    started = time.perf_counter()
    with transaction.atomic(), without_history():
        _build_cohort(replace(found, workers=workers), seed, agencies, say)
        cohort_seconds = time.perf_counter() - started
        grants_started = time.perf_counter()
        changes = grants_recompute()
        grants_seconds = time.perf_counter() - grants_started
    _analyze()
    return BuildReport(
        seconds=time.perf_counter() - started,
        grants_seconds=grants_seconds,
        grants=changes.total,
        cohort_seconds=cohort_seconds,
    )


def _analyze() -> None:
    # Measure the steady state, as autovacuum would leave it (it may lag, or be off): planner
    # statistics, and visibility maps for index-only scans. VACUUM cannot run in a transaction.
    tables = [model._meta.db_table for model in ANALYZED]
    if connection.in_atomic_block:  # the tests' rolled-back data, as the application's role
        analyze(tables)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def _build_partnership(sizes: Sizes, say: Say) -> tuple[list[Agency], list[User]]:
    say(f"Creating {sizes.agencies} agencies, their users and the sharing agreements ...")
    layout = Layout.for_agencies(sizes.agencies)
    roles = {group.name: group for group in Group.objects.filter(name__in=[Role.PARTNER_WORKER, Role.SYSTEM_ADMIN])}
    agencies: list[Agency] = []
    users: list[User] = []
    for position in range(sizes.agencies):
        kinds = CORE_KINDS if position in layout.core else PARTNER_KINDS
        agency = Agency.objects.create(
            name=agency_name(position), short_name=f"BA{position + 1:02d}", kind=kinds[position % len(kinds)]
        )
        user = User(
            username=partner_username(position),
            first_name="Partner",
            last_name=f"Agency {position + 1:02d}",
            email=f"{partner_username(position)}@benchmark.invalid",
            agency=agency,
            job_title="Partner worker",
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(roles[Role.PARTNER_WORKER])
        agencies.append(agency)
        users.append(user)
    admin = User(
        username=ADMIN_USERNAME,
        first_name="System",
        last_name="Administrator",
        email=f"{ADMIN_USERNAME}@benchmark.invalid",
        agency=agencies[0],
        job_title="Systems administrator",
    )
    admin.set_unusable_password()
    admin.save()
    admin.groups.add(roles[Role.SYSTEM_ADMIN])

    categories = {category.code: category for category in DataCategory.objects.all()}

    def clauses(codes: Sequence[str], *, consent: Sequence[str] = ()) -> list[ClauseSpec]:
        specs = [ClauseSpec(categories[code]) for code in codes if code in categories]
        return specs + [ClauseSpec(categories[code], consent_required=True) for code in consent if code in categories]

    starts_on = timezone.localdate() - datetime.timedelta(days=730)
    core = [agencies[position] for position in layout.core]
    in_force: list[tuple[str, list[Agency], list[ClauseSpec]]] = [
        ("core IOM agreement", core, clauses(CORE_CATEGORIES)),
        *(
            (
                f"partner agreement {number}",
                [*core[:2], *(agencies[position] for position in group)],
                clauses(PARTNER_CATEGORIES[number % 2 :], consent=CONSENT_CATEGORIES),
            )
            for number, group in enumerate(layout.partner_groups, start=1)
        ),
    ]
    for title, parties, specs in in_force:
        agreement = agreement_create(
            by=admin,
            title=f"{PREFIX}{title}",
            purpose="Invented for the benchmark.",
            legal_basis=SharingAgreement.LegalBasis.CRIME_AND_DISORDER,
            parties=parties,
            clauses=specs,
            starts_on=starts_on,
        )
        agreement_activate(agreement=agreement, by=admin)
    if layout.outside:  # a draft allows nothing: the agencies outside stay outside
        agreement_create(
            by=admin,
            title=f"{PREFIX}draft agreement",
            purpose="Invented for the benchmark; never activated.",
            legal_basis=SharingAgreement.LegalBasis.CRIME_AND_DISORDER,
            parties=[core[0], *(agencies[position] for position in layout.outside)],
            clauses=clauses(PARTNER_CATEGORIES),
            starts_on=starts_on,
        )
    return agencies, users


def _build_people(sizes: Sizes, rng: random.Random, agencies: list[Agency], users: list[User], say: Say) -> int:
    """Nominals and what hangs off them; returns the one who will have the most items."""
    say(f"Creating {sizes.nominals:,} nominals with memberships, involvements, consents and aliases ...")
    layout = Layout.for_agencies(sizes.agencies)
    today = timezone.localdate()
    areas = [PolicingArea.objects.get_or_create(name=f"{AREA_PREFIX}{number}")[0] for number in range(1, 6)]
    keys = {name: name_key(name) for name in (*FIRST_NAMES, *LAST_NAMES)}
    recorders = [agencies[position] for position in layout.core]
    recorder_weights = [6, 4, *([1] * (len(recorders) - 2))]
    partners = [agencies[position] for position in range(layout.core.stop, sizes.agencies)]
    user_of = {user.agency_id: user for user in users}
    status = Nominal.CustodyStatus
    custody = [status.COMMUNITY] * 17 + [status.CUSTODY] * 2 + [status.UNLAWFULLY_AT_LARGE]

    rows: list[tuple[int, int, datetime.date]] = []  # id, owning agency, recorded on
    made = 0
    for size in _batches(sizes.nominals):
        batch = []
        for _ in range(size):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            owner = rng.choices(recorders, weights=recorder_weights)[0]
            batch.append(
                Nominal(
                    first_name=first,
                    last_name=last,
                    first_name_key=keys[first],
                    last_name_key=keys[last],
                    date_of_birth=datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(46 * 365)),
                    gender=rng.choice(Nominal.Gender.values),
                    pnc_id=_pnc_id(made),
                    policing_area=rng.choice(areas),
                    custody_status=rng.choice(custody),
                    statutory_status=rng.choice(Nominal.StatutoryStatus.values),
                    ogrs_percent=rng.randrange(20, 100),
                    risk_of_serious_harm=rng.choice(Nominal.RiskOfSeriousHarm.values),
                    owning_agency=owner,
                    created_by=user_of[owner.pk],
                )
            )
            made += 1
        Nominal.objects.bulk_create(batch)
        rows.extend(
            (nominal.pk, nominal.owning_agency_id, today - datetime.timedelta(days=rng.randrange(1, 1500)))
            for nominal in batch
        )
        reset_queries()

    memberships: list[CohortMembership] = []
    involvements: list[CaseInvolvement] = []
    consents: list[Consent] = []
    aliases: list[NominalAlias] = []
    on_cohort: list[int] = []
    reason = CaseInvolvement.Reason
    for nominal_id, owner_id, recorded_on in rows:
        draw = rng.random()
        if draw < ON_COHORT_SHARE:
            memberships.append(CohortMembership(nominal_id=nominal_id, started_on=recorded_on))
            on_cohort.append(nominal_id)
        elif draw < ON_COHORT_SHARE + LEFT_COHORT_SHARE:
            ended_on = today - datetime.timedelta(days=1)
            memberships.append(CohortMembership(nominal_id=nominal_id, started_on=recorded_on, ended_on=ended_on))
        involvements.append(
            CaseInvolvement(nominal_id=nominal_id, agency_id=owner_id, reason=reason.RECORDED, started_on=recorded_on)
        )
        if rng.random() < 0.5:
            lead = rng.choice(recorders)
            involvements.append(
                CaseInvolvement(
                    nominal_id=nominal_id, agency=lead, reason=reason.LEAD_PROFESSIONAL, started_on=recorded_on
                )
            )
        if partners and rng.random() < 0.3:
            key_worker = rng.choice(partners)
            involvements.append(
                CaseInvolvement(
                    nominal_id=nominal_id, agency=key_worker, reason=reason.KEY_WORKER, started_on=recorded_on
                )
            )
        draw = rng.random()
        if draw < 0.45:  # mostly given, some withdrawn: clauses that ask for consent follow it
            consents.append(
                Consent(nominal_id=nominal_id, given=draw < 0.40, recorded_on=recorded_on, recorded_by_id=users[0].pk)
            )
        if rng.random() < 0.1:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            aliases.append(
                NominalAlias(
                    nominal_id=nominal_id,
                    first_name=first,
                    last_name=last,
                    first_name_key=keys[first],
                    last_name_key=keys[last],
                )
            )
    bulk_create_batched(CohortMembership.objects, memberships)
    bulk_create_batched(CaseInvolvement.objects, involvements)
    bulk_create_batched(Consent.objects, consents)
    bulk_create_batched(NominalAlias.objects, aliases)
    return on_cohort[0] if on_cohort else rows[0][0]


def _build_items(
    sizes: Sizes, rng: random.Random, agencies: list[Agency], users: list[User], heavy_first: int, say: Say
) -> None:
    """Items spread over people with a long tail: most have a few dozen, some have many hundreds."""
    if not sizes.items:
        return
    say(f"Creating {sizes.items:,} items ...")
    layout = Layout.for_agencies(sizes.agencies)
    today = timezone.localdate()
    nominal_ids = list(Nominal.objects.filter(owning_agency__in=agencies).order_by("pk").values_list("pk", flat=True))
    rng.shuffle(nominal_ids)
    nominal_ids.remove(heavy_first)
    ranked = [heavy_first, *nominal_ids]
    cumulative = list(itertools.accumulate(1 / math.sqrt(rank) for rank in range(1, len(ranked) + 1)))
    owners = [agency.pk for agency in agencies]
    owner_weights = [3 if position in layout.core else 1 for position in range(len(agencies))]
    user_of = {user.agency_id: user.pk for user in users}
    categories = list(DataCategory.objects.exclude(code="identity").values_list("pk", flat=True))
    made = 0
    for size in _batches(sizes.items):
        chosen = rng.choices(ranked, cum_weights=cumulative, k=size)
        owned_by = rng.choices(owners, weights=owner_weights, k=size)
        RecordedItem.objects.bulk_create(
            RecordedItem(
                nominal_id=nominal_id,
                owning_agency_id=owner,
                category_id=rng.choice(categories),
                kind=rng.choice(ITEM_KINDS),
                summary=rng.choice(SUMMARIES),
                occurred_on=today - datetime.timedelta(days=rng.randrange(1100)),
                recorded_by_id=user_of[owner],
            )
            for nominal_id, owner in zip(chosen, owned_by, strict=True)
        )
        reset_queries()
        made += size
        if made % 100_000 < BATCH_SIZE or made == sizes.items:
            say(f"  {made:,} items")


# --- The cohort's management: strand and level, RAG history, case workers and their supervisors,
# supervisor reviews and licence ends, for everyone on the cohort now ------------------------------

STRAND_WEIGHTS = {Strand.FIXED: 3, Strand.FLEX: 5, Strand.FREE: 2}
LEVEL_WEIGHTS = (6, 3, 1)  # the default Standard / Enhanced / Priority; any further level 1
RAG_WEIGHTS = (2, 4.5, 3.5)  # the default Red / Amber / Green; any further rating 1
RATIONALES = (
    "Reoffending risk reviewed at the MAP meeting",
    "Engaging well with the plan",
    "Missed appointments and new intelligence",
    "Recently released; risk raised until settled",
)


@contextmanager
def _dated_as_given(*stamps: tuple[type[Model], str]) -> Iterator[None]:
    """Let invented history keep its own dates: auto_now_add would stamp every row with now."""
    fields = [cast(DateTimeField, model._meta.get_field(name)) for model, name in stamps]
    for stamp in fields:
        stamp.auto_now_add = False
    try:
        yield
    finally:
        for stamp in fields:
            stamp.auto_now_add = True


@dataclass
class _Workforce:
    workers: list[User]
    supervisors: list[User]
    of_agency: dict[int, list[User]]  # agency id -> its workers
    core: list[User]  # lead professionals
    police: list[User]  # police leads
    partners: list[User]  # key workers


def _build_workforce(sizes: Sizes, rng: random.Random, agencies: list[Agency]) -> _Workforce:
    """Case workers, four in five in the core agencies (weighted as the recorders are, the first police
    force and probation service busiest) and the rest in the partner agencies party to an agreement,
    in teams of ten by agency, each team with a supervisor."""
    layout = Layout.for_agencies(len(agencies))
    core = [agencies[position] for position in layout.core]
    partners = [agencies[position] for group in layout.partner_groups for position in group]
    core_count = sizes.workers if not partners else max(min(2, sizes.workers), round(sizes.workers * 0.8))
    weights = [6, 4, *([1] * (len(core) - 2))]
    agency_of = [*core[: min(2, core_count)], *rng.choices(core, weights=weights, k=max(0, core_count - 2))]
    agency_of += [partners[number % len(partners)] for number in range(sizes.workers - core_count)]
    position_of = {agency.pk: position for position, agency in enumerate(agencies)}
    agency_of.sort(key=lambda agency: position_of[agency.pk])
    supervisors: list[User] = []
    workers: list[User] = []
    team_of: list[int] = []  # each worker's supervisor, by position
    for _, same in itertools.groupby(agency_of, key=lambda agency: agency.pk):
        members = list(same)
        for start in range(0, len(members), TEAM_SIZE):
            agency = members[start]
            supervisors.append(
                _invented_user(rng, f"{SUPERVISOR_PREFIX}{len(supervisors) + 1:03d}", agency, "Supervisor")
            )
            for _ in members[start : start + TEAM_SIZE]:
                workers.append(_invented_user(rng, f"{WORKER_PREFIX}{len(workers) + 1:04d}", agency, "Case worker"))
                team_of.append(len(supervisors) - 1)
    User.objects.bulk_create(supervisors)
    for worker, supervisor in zip(workers, team_of, strict=True):
        worker.supervisor = supervisors[supervisor]
    User.objects.bulk_create(workers)
    roles = dict(Group.objects.filter(name__in=Role.values).values_list("name", "pk"))
    partner_ids = {agency.pk for agency in partners}
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=user.pk, group_id=roles[Role.SUPERVISOR]) for user in supervisors]
        + [
            Membership(
                user_id=user.pk,
                group_id=roles[Role.PARTNER_WORKER if user.agency_id in partner_ids else Role.PRACTITIONER],
            )
            for user in workers
        ]
    )
    of_agency: dict[int, list[User]] = {}
    for worker in workers:
        of_agency.setdefault(worker.agency_id, []).append(worker)
    kind_of = {agency.pk: agency.kind for agency in agencies}
    core_workers = [worker for worker in workers if worker.agency_id not in partner_ids]
    return _Workforce(
        workers=workers,
        supervisors=supervisors,
        of_agency=of_agency,
        core=core_workers,
        police=[worker for worker in core_workers if kind_of[worker.agency_id] == Agency.Kind.POLICE],
        partners=[worker for worker in workers if worker.agency_id in partner_ids],
    )


def _invented_user(rng: random.Random, username: str, agency: Agency, job_title: str) -> User:
    user = User(
        username=username,
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        email=f"{username}@benchmark.invalid",
        agency=agency,
        job_title=job_title,
    )
    user.set_unusable_password()
    return user


def _build_cohort(sizes: Sizes, seed: int, agencies: list[Agency], say: Say) -> None:
    """What the cohort list shows and filters on, for everyone on the cohort now: the management of
    their period (strand, level, priority cohorts), one to four RAG ratings, a lead professional and
    a police lead (some transferred once) and key workers for some, supervisor reviews for most,
    and licence ends over the next two years for those on licence."""
    if not sizes.workers:
        return
    rng = random.Random(seed + 1)  # noqa: S311  (its own stream: the people and items stay as they were)
    say(f"Creating the cohort's management: {sizes.workers:,} case workers in teams, assignments, RAG, reviews ...")
    today, now = timezone.localdate(), timezone.now()
    levels = list(ManagementLevel.objects.filter(is_active=True).order_by("order", "name"))
    ratings = list(RagRating.objects.filter(is_active=True).order_by("order", "label"))
    priority_cohorts = list(PriorityCohort.objects.filter(is_active=True).order_by("pk"))
    if not levels or not ratings:
        raise BenchmarkError("The benchmark needs management levels and RAG ratings (cohorts migration 0004).")
    level_weights = [LEVEL_WEIGHTS[n] if n < len(LEVEL_WEIGHTS) else 1 for n in range(len(levels))]
    rag_weights = [RAG_WEIGHTS[n] if n < len(RAG_WEIGHTS) else 1 for n in range(len(ratings))]
    staff = _build_workforce(sizes, rng, agencies)
    if not staff.police:
        raise BenchmarkError("The benchmark's first agency must be a police force, for the police leads.")
    supervisor_of = {worker.pk: worker.supervisor for worker in staff.workers}
    memberships = list(
        CohortMembership.objects.filter(nominal__owning_agency__in=agencies, ended_on__isnull=True)
        .order_by("pk")
        .values_list("pk", "nominal_id", "started_on")
    )
    # The busiest record is measured as it was: no reviews are added to it.
    busiest = (
        RecordedItem.objects.filter(nominal__owning_agency__in=agencies)
        .values("nominal")
        .annotate(count=Count("pk"))
        .order_by("-count", "nominal")
        .values_list("nominal", flat=True)
        .first()
    )
    Reason = CaseInvolvement.Reason
    roles = CaseAssignment.Role
    involved = set(
        CaseInvolvement.objects.filter(
            nominal__owning_agency__in=agencies,
            reason__in=[Reason.LEAD_PROFESSIONAL, Reason.POLICE_LEAD, Reason.KEY_WORKER],
            ended_on__isnull=True,
        ).values_list("nominal_id", "agency_id", "reason")
    )
    lead_agency_of = {nominal: agency for nominal, agency, reason in involved if reason == Reason.LEAD_PROFESSIONAL}
    key_agencies = sorted({worker.agency_id for worker in staff.partners})
    admin = User.objects.get(username=ADMIN_USERNAME)
    review_category = DataCategory.objects.get(code=REVIEW_CATEGORY)

    managements: list[CohortManagement] = []
    chosen_cohorts: list[list[PriorityCohort]] = []
    assignments: list[CaseAssignment] = []
    involvements: list[CaseInvolvement] = []
    assessments: list[RagAssessment] = []
    reviews: list[tuple[RecordedItem, SupervisorReview]] = []
    for _membership_id, nominal_id, started_on in memberships:
        managements.append(
            CohortManagement(
                membership_id=_membership_id,
                strand=rng.choices(list(STRAND_WEIGHTS), weights=list(STRAND_WEIGHTS.values()))[0],
                level=rng.choices(levels, weights=level_weights)[0],
                mappa_level=rng.choices(["", "2", "3"], weights=[95, 4, 1])[0],
            )
        )
        draw = rng.random()
        chosen_cohorts.append(
            rng.sample(priority_cohorts, k=min(len(priority_cohorts), 1 if draw < 0.2 else 2)) if draw < 0.3 else []
        )

        start = min(today, started_on + datetime.timedelta(days=rng.randrange(30)))
        held = (today - start).days

        def assign(
            role: CaseAssignment.Role,
            worker: User,
            from_day: datetime.date,
            *,
            until: datetime.date | None = None,
            reason: str = "",
            nominal_id: int = nominal_id,
        ) -> None:
            """The assignment, and its agency's involvement as case_assign makes it (if not there)."""
            assignments.append(
                CaseAssignment(
                    nominal_id=nominal_id,
                    role=role,
                    worker=worker,
                    agency_id=worker.agency_id,
                    started_on=from_day,
                    ended_on=until,
                    reason=reason,
                    assigned_by=admin,
                )
            )
            key = (nominal_id, worker.agency_id, ASSIGNMENT_INVOLVEMENT[role])
            if until is None and key not in involved:
                involved.add(key)
                involvements.append(
                    CaseInvolvement(nominal_id=nominal_id, agency_id=key[1], reason=key[2], started_on=from_day)
                )

        lead_agency = lead_agency_of.get(nominal_id)
        lead = rng.choice(staff.of_agency.get(lead_agency, staff.core) if lead_agency else staff.core)
        if held > 60 and rng.random() < 0.15:  # transferred once
            moved_on = start + datetime.timedelta(days=rng.randrange(30, held))
            previous = rng.choice(staff.core)
            assign(roles.LEAD_PROFESSIONAL, previous, start, until=moved_on - datetime.timedelta(days=1))
            assign(roles.LEAD_PROFESSIONAL, lead, moved_on, reason="Caseload rebalanced")
        else:
            assign(roles.LEAD_PROFESSIONAL, lead, start)
        police_lead = rng.choice(staff.police)
        assign(roles.POLICE_LEAD, police_lead, start)
        if key_agencies and rng.random() < 0.3:
            for agency in rng.sample(key_agencies, k=min(len(key_agencies), rng.choice([1, 1, 1, 2]))):
                assign(roles.KEY_WORKER, rng.choice(staff.of_agency[agency]), start)

        # One to four ratings over the period, the latest current.
        count = rng.choices([1, 2, 3, 4], weights=[4, 3, 2, 1])[0]
        period = max(1, (today - started_on).days)
        rating = ratings[0]
        for days_ago in sorted((rng.randrange(period) for _ in range(count)), reverse=True):
            rating = rng.choices(ratings, weights=rag_weights)[0]
            assessments.append(
                RagAssessment(
                    nominal_id=nominal_id,
                    rating=rating,
                    rationale=rng.choice(RATIONALES),
                    assessed_by=rng.choice([lead, police_lead]),
                    assessed_at=now - datetime.timedelta(days=days_ago, minutes=rng.randrange(600)),
                )
            )

        # Reviews of this period by the lead's supervisor, most recently up to four months ago: with
        # a fortnightly or monthly cadence, some are overdue.
        reviewer = supervisor_of[lead.pk]
        if reviewer is None or nominal_id == busiest or rng.random() >= 0.6:
            continue
        occurred = today - datetime.timedelta(days=rng.randrange(120))
        for _ in range(rng.choice([1, 2, 3])):
            if occurred < started_on:
                break
            commensurate = rng.random() < 0.85
            reviews.append(
                (
                    RecordedItem(
                        nominal_id=nominal_id,
                        owning_agency_id=reviewer.agency_id,
                        category=review_category,
                        kind=RecordedItem.Kind.REVIEW,
                        summary=SUMMARY_COMMENSURATE if commensurate else SUMMARY_NOT_COMMENSURATE,
                        occurred_on=occurred,
                        recorded_by=reviewer,
                        recorded_at=timezone.make_aware(datetime.datetime.combine(occurred, datetime.time(15))),
                    ),
                    SupervisorReview(
                        rating=rating,
                        commensurate=commensurate,
                        actions_set="" if commensurate else "Increase contact; refer to the drug service",
                        next_review_on=cadence_after(occurred, rating),
                    ),
                )
            )
            occurred -= datetime.timedelta(days=rng.randrange(30, 90))

    bulk_create_batched(CohortManagement.objects, managements)
    Through = CohortManagement.priority_cohorts.through
    bulk_create_batched(
        Through.objects,
        [
            Through(cohortmanagement_id=management.pk, prioritycohort_id=cohort.pk)
            for management, cohorts in zip(managements, chosen_cohorts, strict=True)
            for cohort in cohorts
        ],
    )
    bulk_create_batched(CaseAssignment.objects, assignments)
    bulk_create_batched(CaseInvolvement.objects, involvements)
    with _dated_as_given((RagAssessment, "assessed_at"), (RecordedItem, "recorded_at")):
        bulk_create_batched(RagAssessment.objects, assessments)
        bulk_create_batched(RecordedItem.objects, [item for item, _ in reviews])
    for item, review in reviews:
        review.item = item
    bulk_create_batched(SupervisorReview.objects, [review for _, review in reviews])
    # Licence ends over the next two years, for everyone on licence, spread by each one's rank among
    # them (no rows to fetch). The rank, unlike the id, does not depend on what the table's sequence
    # handed out before, so a seed builds the same ends, relative to today, every time.
    table = Nominal._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET licence_ends_on = %s::date + (1 + (ranked.n * 7919) %% 730)::integer "  # noqa: S608
            f"FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM {table} "
            "WHERE owning_agency_id = ANY(%s) AND statutory_status = %s) AS ranked "
            f"WHERE {table}.id = ranked.id",
            [today, [agency.pk for agency in agencies], Nominal.StatutoryStatus.LICENCE],
        )
    say(
        f"  {len(managements):,} managed on the cohort, {len(staff.supervisors):,} supervisors, "
        f"{len(assignments):,} assignments, {len(assessments):,} RAG ratings, {len(reviews):,} reviews"
    )


@transaction.atomic
def dataset_clean() -> int:
    """Remove every benchmark row; returns how many agencies went. History rows cannot be removed
    (append-only), nor can people or users an access event names: then nothing is removed."""
    agencies = list(Agency.objects.filter(name__startswith=PREFIX))
    if not agencies:
        PolicingArea.objects.filter(name__startswith=AREA_PREFIX, nominal__isnull=True).delete()
        return 0
    agency_ids = [agency.pk for agency in agencies]
    group_ids = [agency.permission_group_id for agency in agencies if agency.permission_group_id]
    logged = AccessEvent.objects.filter(
        Q(agency_id__in=agency_ids) | Q(nominal__owning_agency_id__in=agency_ids) | Q(user__agency_id__in=agency_ids)
    )
    if logged.exists():
        raise BenchmarkError(
            f"{logged.count()} access events name benchmark people or users, and the access log is append-only, "
            "so the benchmark rows cannot be removed from this database. Use a database of its own."
        )
    nominals = f"SELECT id FROM {Nominal._meta.db_table} WHERE owning_agency_id = ANY(%s)"  # noqa: S608
    items = f"SELECT id FROM {RecordedItem._meta.db_table} WHERE nominal_id IN ({nominals})"  # noqa: S608
    users = f"SELECT id FROM {User._meta.db_table} WHERE agency_id = ANY(%s)"  # noqa: S608
    memberships = f"SELECT id FROM {CohortMembership._meta.db_table} WHERE nominal_id IN ({nominals})"  # noqa: S608
    managements = f"SELECT id FROM {CohortManagement._meta.db_table} WHERE membership_id IN ({memberships})"  # noqa: S608
    statements: list[tuple[type[Model], str, list[Any]]] = [
        (
            NominalGroupObjectPermission,
            f"content_object_id IN ({nominals}) OR group_id = ANY(%s)",
            [agency_ids, group_ids],
        ),
        (NominalUserObjectPermission, f"content_object_id IN ({nominals})", [agency_ids]),
        (PathwayNeed, f"item_id IN ({items})", [agency_ids]),
        (SupervisorReview, f"item_id IN ({items})", [agency_ids]),
        (CohortManagement.priority_cohorts.through, f"cohortmanagement_id IN ({managements})", [agency_ids]),
        (CohortManagement, f"membership_id IN ({memberships})", [agency_ids]),
        (RagAssessment, f"nominal_id IN ({nominals}) OR assessed_by_id IN ({users})", [agency_ids, agency_ids]),
        (
            CaseAssignment,
            f"nominal_id IN ({nominals}) OR agency_id = ANY(%s) OR worker_id IN ({users}) "
            f"OR assigned_by_id IN ({users})",
            [agency_ids, agency_ids, agency_ids, agency_ids],
        ),
        (RecordedItem, f"nominal_id IN ({nominals}) OR owning_agency_id = ANY(%s)", [agency_ids, agency_ids]),
        (Consent, f"nominal_id IN ({nominals}) OR agency_id = ANY(%s)", [agency_ids, agency_ids]),
        (CaseInvolvement, f"nominal_id IN ({nominals}) OR agency_id = ANY(%s)", [agency_ids, agency_ids]),
        (CohortMembership, f"nominal_id IN ({nominals})", [agency_ids]),
        (NominalAlias, f"nominal_id IN ({nominals})", [agency_ids]),
        (Nominal, "owning_agency_id = ANY(%s)", [agency_ids]),
    ]
    with connection.cursor() as cursor:
        for model, condition, params in statements:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {condition}", params)  # noqa: S608
    agreements = SharingAgreement.objects.filter(Q(owner_agency_id__in=agency_ids) | Q(parties__in=agency_ids))
    SharingAgreement.objects.filter(pk__in=agreements.values("pk")).delete()
    User.objects.filter(agency_id__in=agency_ids).delete()
    Agency.objects.filter(pk__in=agency_ids).delete()
    Group.objects.filter(pk__in=group_ids).delete()
    PolicingArea.objects.filter(name__startswith=AREA_PREFIX).delete()
    return len(agency_ids)


# --- Measuring ------------------------------------------------------------------------------------


@dataclass
class Measurement:
    label: str
    seconds: list[float] = field(default_factory=list)
    queries: int | None = None
    peak_bytes: int | None = None
    note: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000


@dataclass
class Results:
    sizes: Sizes
    database: str
    debug: bool
    partner: User
    admin: User
    partner_sees: int
    admin_sees: int
    heavy_nominal_id: int
    heavy_items: int
    measurements: list[Measurement]
    list_ratio: float
    max_rss_bytes: int
    supervisor: User
    supervisor_sees: int  # on the cohort
    team: list[User]
    cohort: list[CohortComparison]

    @property
    def cohort_ratio(self) -> float:
        """The slowest of the supervisor's cohort list pages against the raw SQL of its rows."""
        return max(comparison.ratio for comparison in self.cohort)


@dataclass
class CohortComparison:
    """One supervisor's cohort list page against the raw SQL query that returns the same rows."""

    query: str
    page: Measurement
    raw: Measurement
    first: Measurement  # the same page with nothing cached: the first view of these filters
    matching: int  # people on the cohort the filters keep, whom the supervisor may see

    @property
    def ratio(self) -> float:
        return self.page.median_ms / self.raw.median_ms


class _Page:
    """One signed-in user asking for one page, each time in a transaction rolled back afterwards."""

    def __init__(self, measurement: Measurement, client: Client, path: str) -> None:
        self.measurement, self.client, self.path = measurement, client, path

    def get(self) -> float:
        return self._request()[0]

    def content(self) -> str:
        return self._request()[1]

    def _request(self) -> tuple[float, str]:
        with transaction.atomic():
            started = time.perf_counter()
            response = self.client.get(self.path)
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        if response.status_code != 200:
            raise BenchmarkError(f"{self.measurement.label}: {self.path} answered {response.status_code}, not 200.")
        return elapsed, response.content.decode()

    def profile(self) -> None:
        """Queries and peak Python memory of one request, measured apart from the timings (after one
        more request, so that what the page caches for a minute is cached, as it was when timed)."""
        self.get()
        with CaptureQueriesContext(connection) as captured:
            self.get()
        self.measurement.queries = len(captured)
        tracemalloc.start()
        try:
            self.get()
            self.measurement.peak_bytes = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


class _RawQuery:
    """The SQL of the rows a page shows, sent through a raw cursor and fetched whole, timed as the
    page is (inside a transaction rolled back afterwards)."""

    def __init__(self, measurement: Measurement, sql: str, params: Any) -> None:
        self.measurement, self.sql, self.params = measurement, sql, params
        self.rows: list[tuple[object, ...]] = []

    def get(self) -> float:
        with transaction.atomic():
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(self.sql, self.params)
                self.rows = cursor.fetchall()
                elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed

    def profile(self) -> None:
        with CaptureQueriesContext(connection) as captured:
            self.get()
        control = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK")  # the transaction around it, as logged
        self.measurement.queries = sum(not query["sql"].startswith(control) for query in captured.captured_queries)
        tracemalloc.start()
        try:
            self.get()
            self.measurement.peak_bytes = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


COHORT_PAGE_ROWS = 50  # the cohort list's page size


@dataclass(frozen=True)
class _CohortVariant:
    query: str  # the page's query string
    filters: CohortFilters  # the same, as cohort_list takes them
    sort: str


def _cohort_variants(supervisor: User) -> list[_CohortVariant]:
    """The supervisor's cohort list: the first page as it opens, and filtered and sorted ways a
    supervisor works from it, each with the filters the page's form makes of its query string."""
    ratings = list(RagRating.objects.filter(is_active=True).order_by("order", "label"))
    levels = list(ManagementLevel.objects.filter(is_active=True).order_by("order", "name"))
    area = PolicingArea.objects.filter(name__startswith=AREA_PREFIX).order_by("name").first()
    if not ratings or not levels or area is None:
        raise BenchmarkError("The cohort's ratings, levels or benchmark areas are missing: run with --rebuild.")
    highest, level = ratings[0], levels[min(1, len(levels) - 1)]
    community = Nominal.CustodyStatus.COMMUNITY
    return [
        _CohortVariant("", CohortFilters(), "name"),
        _CohortVariant(
            f"rag={highest.code}&review_overdue=on",
            CohortFilters(rag_rating_ids=(highest.pk,), review_overdue=True),
            "name",
        ),
        _CohortVariant("show=team", CohortFilters(team_of=supervisor.pk), "name"),
        _CohortVariant("sort=-rag", CohortFilters(), "-rag"),
        _CohortVariant(
            f"strand={Strand.FLEX}&level={level.code}&custody={community}&area={area.pk}&sort=review",
            CohortFilters(
                strands=(Strand.FLEX,), level_ids=(level.pk,), custody_statuses=(community,), area_ids=(area.pk,)
            ),
            "review",
        ),
    ]


def _same_rows(page: _Page, raw: _RawQuery) -> None:
    """The page lists the people the raw SQL returns, in its order (their record links, in order)."""
    marker = 987654321
    pattern = re.escape(reverse("nominal-detail", args=[marker])).replace(str(marker), r"(\d+)")
    shown = list(dict.fromkeys(int(pk) for pk in re.findall(f'href="{pattern}"', page.content())))
    returned = [row[0] for row in raw.rows]
    if shown != returned:
        raise BenchmarkError(
            f"{page.path} lists people {shown[:5]}..., but the raw SQL returns {returned[:5]}...: "
            "the benchmark's filters are not the page's."
        )


def _time_service(measurement: Measurement, run: Callable[[], object], repeat: int) -> None:
    def once() -> object:
        with transaction.atomic():
            result = run()
            transaction.set_rollback(True)
        return result

    with CaptureQueriesContext(connection) as captured:
        result = once()
    measurement.queries = len(captured)
    measurement.note = f"changed {getattr(result, 'total', 0):,} grants"
    for _ in range(repeat):
        started = time.perf_counter()
        once()
        measurement.seconds.append(time.perf_counter() - started)


EVENT_IMPORT_ROWS = 10_000  # fewer for a dataset of under 1,000 people: ten events a person


def _time_event_import(measurement: Measurement, importer: User, rows: int, repeat: int) -> None:
    """A CSV file of custody and court events about benchmark people, imported (and rolled back)
    whole: its time, queries and peak Python memory, the file itself made beforehand."""
    pnc_ids = list(Nominal.objects.filter(benchmark_nominals()).order_by("pk").values_list("pnc_id", flat=True)[:5_000])
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    events = (f"arrest,{day},burglary,,,,,,,", f"remand,{day},,,,,,,,", f"release,{day},,,,{day},,,,")
    lines = [",".join(CSV_COLUMNS)]
    lines += [f"{pnc_ids[number % len(pnc_ids)]},{events[number % len(events)]}" for number in range(rows)]
    file = io.BytesIO(("\n".join(lines) + "\n").encode())
    del lines

    def once() -> float:
        with transaction.atomic():
            started = time.perf_counter()
            outcome = events_import(by=importer, file=file, file_name="benchmark-events.csv")
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        if outcome.event_import is None:
            raise BenchmarkError(f"The benchmark's events were rejected: {outcome.rejected[:3]}")
        return elapsed

    with CaptureQueriesContext(connection) as captured:
        once()
    measurement.queries = len(captured)
    tracemalloc.start()
    try:
        once()
        measurement.peak_bytes = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    measurement.note = f"file of {file.getbuffer().nbytes / 1024:,.0f} KiB, made beforehand"
    for _ in range(repeat):
        reset_queries()
        measurement.seconds.append(once())


def _max_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # kilobytes on Linux, bytes on macOS


def measure(sizes: Sizes, *, repeat: int, warmup: int, say: Say) -> Results:
    """Time the people list and a large record for a partner and a system admin, and a supervisor's
    cohort list pages against the raw SQL of their rows, interleaved so that all see the same
    machine; then grants_recompute for one agency and for all, and an import of custody events."""
    layout = Layout.for_agencies(sizes.agencies)
    try:
        partner = User.objects.select_related("agency").get(username=partner_username(layout.measured_partner))
        admin = User.objects.select_related("agency").get(username=ADMIN_USERNAME)
    except User.DoesNotExist as error:
        raise BenchmarkError("The benchmark users are missing: run the benchmark with --rebuild.") from error
    supervisor = User.objects.select_related("agency").filter(username=SUPERVISOR_USERNAME).first()
    if supervisor is None:
        raise BenchmarkError("The benchmark has no cohort management (no supervisor): run it with --rebuild.")
    # The busiest record both may open (the partner's agency sees the cohort, not everyone).
    partner_may_see = nominals_visible_to(partner).filter(benchmark_nominals()).values("pk")
    heaviest = (
        RecordedItem.objects.filter(nominal__in=partner_may_see)
        .values("nominal")
        .annotate(count=Count("pk"))
        .order_by("-count", "nominal")
        .first()
    )
    if heaviest is None:
        heavy_id = partner_may_see.order_by("pk").values_list("pk", flat=True).first()
        heavy_items = 0
    else:
        heavy_id, heavy_items = heaviest["nominal"], heaviest["count"]
    if heavy_id is None:
        raise BenchmarkError("There are no benchmark nominals: run the benchmark with --rebuild.")

    list_path, record_path = reverse("nominal-list"), reverse("nominal-detail", args=[heavy_id])
    clients: dict[str, Client] = {}
    with without_history():  # signing in updates last_login
        for user in (partner, admin, supervisor):
            clients[user.username] = Client()
            clients[user.username].force_login(user)
    list_partner = Measurement(f"People list {list_path}, partner")
    list_admin = Measurement(f"People list {list_path}, system admin")
    record_partner = Measurement(f"Record {record_path}, partner")
    record_admin = Measurement(f"Record {record_path}, system admin")
    pages: list[_Page | _RawQuery] = [
        _Page(list_partner, clients[partner.username], list_path),
        _Page(list_admin, clients[admin.username], list_path),
        _Page(record_partner, clients[partner.username], record_path),
        _Page(record_admin, clients[admin.username], record_path),
    ]
    cohort_path = reverse("cohort-list")
    cohort: list[CohortComparison] = []
    raw_queries: list[tuple[_Page, _RawQuery]] = []
    for variant in _cohort_variants(supervisor):
        path = f"{cohort_path}?{variant.query}" if variant.query else cohort_path
        nominals = cohort_list(supervisor, variant.filters, variant.sort)
        # The page's own rows query, as it sends it (cohort_query: compiled once, then cached).
        compiled = cohort_query(supervisor, variant.filters, variant.sort, count=False)
        sql, params = f"{compiled.sql} LIMIT %s OFFSET %s", (*compiled.params, COHORT_PAGE_ROWS, 0)
        comparison = CohortComparison(
            query=variant.query,
            page=Measurement(f"Cohort list {path}, supervisor"),
            raw=Measurement("  the raw SQL of its rows (cursor, fetchall)"),
            first=Measurement("  the page's first view, nothing cached"),
            matching=nominals.count(),
        )
        comparison.raw.note = f"{min(comparison.matching, COHORT_PAGE_ROWS)} of {comparison.matching:,} rows"
        cohort.append(comparison)
        raw_queries.append(
            (_Page(comparison.page, clients[supervisor.username], path), _RawQuery(comparison.raw, sql, params))
        )
        pages.extend(raw_queries[-1])
    grants_one = Measurement(f"grants_recompute(), one agency ({partner.agency.short_name})")
    grants_all = Measurement(f"grants_recompute(), all {Agency.objects.count()} agencies")
    import_rows = min(EVENT_IMPORT_ROWS, 10 * sizes.nominals)
    event_import = Measurement(f"events_import(), {import_rows:,}-row CSV, system admin (rolled back)")
    try:
        # The pages timed as production runs (DEBUG off: no query log, no debug cursor), with the test client's
        # host name allowed as the test runner allows it.
        with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            # The cohort list caches its compiled query, counts and filter choices by the cohort's
            # generation: each view's first request, with nothing cached, is timed apart.
            for comparison, (first_view, _raw) in zip(cohort, raw_queries, strict=True):
                cache.clear()
                comparison.first.seconds.append(first_view.get())
            say(f"Timing the pages: {warmup} warm-up and {repeat} timed requests each, interleaved ...")
            for round_number in range(warmup + repeat):
                for page in pages:
                    reset_queries()  # DEBUG keeps every query; the log must not grow between runs
                    elapsed = page.get()
                    if round_number >= warmup:
                        page.measurement.seconds.append(elapsed)
            for page in pages:
                page.profile()
            for page, raw in raw_queries:
                _same_rows(page, raw)
                page.measurement.note = (
                    f"ratio to the raw SQL {page.measurement.median_ms / raw.measurement.median_ms:.2f}"
                )
        say("Timing grants_recompute ...")
        _time_service(grants_one, lambda: grants_recompute(agency_ids=[partner.agency_id]), max(1, repeat // 4))
        _time_service(grants_all, grants_recompute, max(1, repeat // 7))
        say(f"Timing an import of {import_rows:,} custody events from a CSV file ...")
        _time_event_import(event_import, admin, import_rows, max(1, repeat // 10))
    finally:
        for client in clients.values():
            client.logout()
    partner_sees = nominal_search(partner, NominalFilters()).count()
    admin_sees = nominal_search(admin, NominalFilters()).count()
    return Results(
        sizes=sizes,
        database=str(connection.settings_dict["NAME"]),
        debug=bool(settings.DEBUG),  # for the services; the pages are timed with DEBUG off
        partner=partner,
        admin=admin,
        partner_sees=partner_sees,
        admin_sees=admin_sees,
        heavy_nominal_id=heavy_id,
        heavy_items=heavy_items,
        measurements=[list_partner, list_admin, record_partner, record_admin, grants_one, grants_all, event_import],
        list_ratio=list_partner.median_ms / list_admin.median_ms,
        max_rss_bytes=_max_rss_bytes(),
        supervisor=supervisor,
        supervisor_sees=cohort_list(supervisor).count(),
        team=list(User.objects.filter(supervisor=supervisor).order_by("pk")),
        cohort=cohort,
    )


def results_table(results: Results) -> list[str]:
    """The results as a Markdown table, readable in a terminal and pasteable into the README."""
    lines = [
        "| Measurement | Runs | Median ms | p95 ms | Queries | Peak Python memory | Note |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    cohort = [
        measurement
        for comparison in results.cohort
        for measurement in (comparison.page, comparison.raw, comparison.first)
    ]
    for measurement in [*results.measurements[:4], *cohort, *results.measurements[4:]]:
        peak = f"{measurement.peak_bytes / 1024:,.0f} KiB" if measurement.peak_bytes is not None else ""
        queries = "" if measurement.queries is None else str(measurement.queries)
        lines.append(
            f"| {measurement.label} | {len(measurement.seconds)} | {measurement.median_ms:,.1f} | "
            f"{measurement.p95_ms:,.1f} | {queries} | {peak} | {measurement.note} |"
        )
    return lines
