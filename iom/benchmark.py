"""The benchmark behind `manage.py benchmark` (README, "Benchmark"): a large invented partnership,
and the timings of the pages and services that must stay fast as it grows.

Speed is measured here, never by timed tests. The dataset is for development only and is kept apart
from everything else: every row belongs to an agency whose name starts with "Benchmark ", and
`--clean` removes them all. Half a million rows through the per-row services would take hours, so
people, memberships, involvements, consents and items are bulk-inserted, and the grants are then
materialised by one call to grants_recompute(), as the nightly reconciliation would. The
change-history triggers are skipped for these rows: the people are invented, and history rows are
append-only, so they could never be cleaned away.

Pages are measured through the real views with Django's test client, each request inside a
transaction that is rolled back, so the access events the views write (append-only too) vanish.
"""

from __future__ import annotations

import datetime
import io
import itertools
import math
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import pghistory.trigger
import pgtrigger
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, reset_queries, transaction
from django.db.models import Count, Manager, Model, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from cohorts.access import grants_recompute
from cohorts.events import CSV_COLUMNS, events_import
from cohorts.identifiers import pnc_check_letter
from cohorts.models import (
    AccessEvent,
    CaseInvolvement,
    CohortMembership,
    Consent,
    Nominal,
    NominalAlias,
    NominalGroupObjectPermission,
    NominalUserObjectPermission,
    PathwayNeed,
    PolicingArea,
    RecordedItem,
)
from cohorts.names import name_key
from cohorts.selectors import NominalFilters, nominal_search, nominals_visible_to
from sharing.models import Agency, DataCategory, SharingAgreement, User
from sharing.roles import Role
from sharing.services import ClauseSpec, agreement_activate, agreement_create

PREFIX = "Benchmark "
AREA_PREFIX = "Benchmark area "
ADMIN_USERNAME = "benchmark-admin"
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

    def __str__(self) -> str:
        return f"{self.nominals:,} nominals, {self.items:,} items, {self.agencies:,} agencies"


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
        items=RecordedItem.objects.filter(nominal__owning_agency__name__startswith=PREFIX).count(),
        agencies=agencies,
    )


def _history_triggers() -> list[str]:
    return [
        f"{model._meta.label}:{trigger.name}"
        for model, trigger in pgtrigger.registered()
        if isinstance(trigger, pghistory.trigger.Event)
    ]


@contextmanager
def without_history() -> Iterator[None]:
    """Skip the change-history triggers (never the append-only guards) for invented rows."""
    with pgtrigger.ignore(*_history_triggers()):
        yield


def _batches(total: int) -> Iterator[int]:
    for start in range(0, total, BATCH_SIZE):
        yield min(BATCH_SIZE, total - start)


def _pnc_id(number: int) -> str:
    # Serials from 8,000,000 up: far from the demo's, and valid (cohorts.identifiers).
    year, serial = str(2000 + number % 20), f"{8_000_000 + number:07d}"
    return f"{year}/{serial}{pnc_check_letter(year, serial)}"


def _bulk_create(manager: Manager[M], objects: list[M]) -> None:
    for start in range(0, len(objects), BATCH_SIZE):
        manager.bulk_create(objects[start : start + BATCH_SIZE])
        reset_queries()  # DEBUG keeps every query, and these are large


@dataclass
class BuildReport:
    seconds: float
    grants_seconds: float
    grants: int


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
        say("Materialising the grants: grants_recompute() for every agency ...")
        grants_started = time.perf_counter()
        grants_recompute()
        grants_seconds = time.perf_counter() - grants_started
    with connection.cursor() as cursor:
        tables = [
            model._meta.db_table
            for model in (
                Nominal,
                NominalAlias,
                CohortMembership,
                CaseInvolvement,
                Consent,
                RecordedItem,
                NominalGroupObjectPermission,
            )
        ]
        # Measure the steady state, as autovacuum would leave it (it may lag, or be off): planner
        # statistics, and visibility maps for index-only scans. VACUUM cannot run in a transaction.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        cursor.execute(f"{command} {', '.join(tables)}")
    grants = NominalGroupObjectPermission.objects.filter(group__in=[a.permission_group_id for a in agencies]).count()
    return BuildReport(seconds=time.perf_counter() - started, grants_seconds=grants_seconds, grants=grants)


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
    _bulk_create(CohortMembership.objects, memberships)
    _bulk_create(CaseInvolvement.objects, involvements)
    _bulk_create(Consent.objects, consents)
    _bulk_create(NominalAlias.objects, aliases)
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
    statements = [
        (
            NominalGroupObjectPermission,
            f"content_object_id IN ({nominals}) OR group_id = ANY(%s)",
            [agency_ids, group_ids],
        ),
        (NominalUserObjectPermission, f"content_object_id IN ({nominals})", [agency_ids]),
        (PathwayNeed, f"item_id IN ({items})", [agency_ids]),
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


class _Page:
    """One signed-in user asking for one page, each time in a transaction rolled back afterwards."""

    def __init__(self, measurement: Measurement, client: Client, path: str) -> None:
        self.measurement, self.client, self.path = measurement, client, path

    def get(self) -> float:
        with transaction.atomic():
            started = time.perf_counter()
            response = self.client.get(self.path)
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        if response.status_code != 200:
            raise BenchmarkError(f"{self.measurement.label}: {self.path} answered {response.status_code}, not 200.")
        return elapsed

    def profile(self) -> None:
        """Queries and peak Python memory of one request, measured apart from the timings."""
        with CaptureQueriesContext(connection) as captured:
            self.get()
        self.measurement.queries = len(captured)
        tracemalloc.start()
        try:
            self.get()
            self.measurement.peak_bytes = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


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
    """Time the people list and a large record for a partner and a system admin, interleaved so
    that both see the same machine, and grants_recompute for one agency and for all."""
    layout = Layout.for_agencies(sizes.agencies)
    try:
        partner = User.objects.select_related("agency").get(username=partner_username(layout.measured_partner))
        admin = User.objects.select_related("agency").get(username=ADMIN_USERNAME)
    except User.DoesNotExist as error:
        raise BenchmarkError("The benchmark users are missing: run the benchmark with --rebuild.") from error
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
        for user in (partner, admin):
            clients[user.username] = Client()
            clients[user.username].force_login(user)
    list_partner = Measurement(f"People list {list_path}, partner")
    list_admin = Measurement(f"People list {list_path}, system admin")
    record_partner = Measurement(f"Record {record_path}, partner")
    record_admin = Measurement(f"Record {record_path}, system admin")
    pages = [
        _Page(list_partner, clients[partner.username], list_path),
        _Page(list_admin, clients[admin.username], list_path),
        _Page(record_partner, clients[partner.username], record_path),
        _Page(record_admin, clients[admin.username], record_path),
    ]
    grants_one = Measurement(f"grants_recompute(), one agency ({partner.agency.short_name})")
    grants_all = Measurement(f"grants_recompute(), all {Agency.objects.count()} agencies")
    import_rows = min(EVENT_IMPORT_ROWS, 10 * sizes.nominals)
    event_import = Measurement(f"events_import(), {import_rows:,}-row CSV, system admin (rolled back)")
    # The test client's host name, as the test runner allows it.
    try:
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            say(f"Timing the pages: {warmup} warm-up and {repeat} timed requests each, interleaved ...")
            for round_number in range(warmup + repeat):
                for page in pages:
                    reset_queries()  # DEBUG keeps every query; the log must not grow between runs
                    elapsed = page.get()
                    if round_number >= warmup:
                        page.measurement.seconds.append(elapsed)
            for page in pages:
                page.profile()
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
        debug=bool(settings.DEBUG),
        partner=partner,
        admin=admin,
        partner_sees=partner_sees,
        admin_sees=admin_sees,
        heavy_nominal_id=heavy_id,
        heavy_items=heavy_items,
        measurements=[list_partner, list_admin, record_partner, record_admin, grants_one, grants_all, event_import],
        list_ratio=list_partner.median_ms / list_admin.median_ms,
        max_rss_bytes=_max_rss_bytes(),
    )


def results_table(results: Results) -> list[str]:
    """The results as a Markdown table, readable in a terminal and pasteable into the README."""
    lines = [
        "| Measurement | Runs | Median ms | p95 ms | Queries | Peak Python memory | Note |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    for measurement in results.measurements:
        peak = f"{measurement.peak_bytes / 1024:,.0f} KiB" if measurement.peak_bytes is not None else ""
        queries = "" if measurement.queries is None else str(measurement.queries)
        lines.append(
            f"| {measurement.label} | {len(measurement.seconds)} | {measurement.median_ms:,.1f} | "
            f"{measurement.p95_ms:,.1f} | {queries} | {peak} | {measurement.note} |"
        )
    return lines
