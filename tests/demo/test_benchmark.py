"""`manage.py benchmark` at a tiny size: it builds its own partnership, with the cohort's management,
measures the real pages without leaving an access event behind, prints the table and the ratios, and
cleans up after itself."""

import datetime
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from cohorts.access import current_involvements, current_memberships
from cohorts.events.models import CustodyEvent
from cohorts.management.models import CaseAssignment, CohortManagement, RagAssessment
from cohorts.management.selectors import CohortFilters, cohort_list
from cohorts.models import AccessEvent
from cohorts.records.models import Nominal, RecordedItem
from cohorts.reviews.models import SupervisorReview
from demo.benchmark import (
    PREFIX,
    SUPERVISOR_USERNAME,
    TEAM_SIZE,
    WORKER_PREFIX,
    Sizes,
    dataset_build,
    dataset_clean,
    dataset_sizes,
)
from meetings.scheduling.models import Meeting
from notifications.models import Notification
from notifications.sweeps import SWEEPS
from sharing.models import Agency, SharingAgreement, User
from sharing.roles import Role

SIZES = ["--nominals", "30", "--items", "200", "--agencies", "4", "--workers", "12"]
TINY = [*SIZES, "--repeat", "3", "--warmup", "1"]
ONCE = [*SIZES, "--repeat", "1", "--warmup", "0"]  # where the timings do not matter
SWEEP_HEADER = (
    "| Sweep | Runs | Median ms | p95 ms | of which finding, median ms | Run again, median ms | Queries | Found "
    "| Stored |"
)
NO_LIMITS = ["--max-ratio", "1000", "--max-cohort-ratio", "1000"]


def run_benchmark(*args: str) -> str:
    out = StringIO()
    call_command("benchmark", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_benchmark_prints_the_table_and_the_partner_admin_ratio(db):
    printed = run_benchmark(*TINY, *NO_LIMITS)

    assert "Benchmark: 30 nominals, 200 items, 4 agencies, 12 workers" in printed
    assert "| Measurement | Runs | Median ms | p95 ms | Queries | Peak Python memory | Note |" in printed
    for row in ("People list /people/, partner | 3 |", "People list /people/, system admin | 3 |"):
        assert row in printed
    assert "grants_recompute(), one agency" in printed
    assert "Peak memory of this process (max RSS)" in printed
    assert "Partner/admin ratio, people list (median): " in printed
    for query in ("", "?show=team", "?rag=red&review_overdue=on", "?sort=-rag"):
        assert f"| Cohort list /cohort/{query}, supervisor | 3 |" in printed
        assert f"Supervisor's cohort list/raw SQL ratio (median), ?{query.lstrip('?')}: " in printed
    assert printed.count("|   the raw SQL of its rows (cursor, fetchall) | 3 |") == 5
    assert SWEEP_HEADER in printed
    assert printed.rstrip().endswith("OK")
    assert Agency.objects.filter(name__startswith="Benchmark ").count() == 4
    assert Nominal.objects.count() == 30
    assert RecordedItem.objects.filter(supervisor_review__isnull=True).count() == 200, "and the reviews besides"
    assert not AccessEvent.objects.exists(), "the measured requests were rolled back"


def test_the_benchmark_reports_every_sweep_alone_with_work_due_and_leaves_nothing_behind(db):
    # Twenty agencies: a youth offending team among the core agencies, and two partner agreements.
    sizes = ["--nominals", "100", "--items", "100", "--agencies", "20", "--workers", "12"]
    printed = run_benchmark(*sizes, "--repeat", "1", "--warmup", "0", "--only", "sweeps")

    assert "Benchmark, the sweeps alone: 100 nominals, 100 items, 20 agencies, 12 workers" in printed
    assert SWEEP_HEADER in printed
    rows = {
        line.split(" | ")[0].removeprefix("| "): line.strip("| ").split(" | ")
        for line in printed.splitlines()
        if line.startswith("| ") and ": " in line.split(" | ")[0]
    }
    assert set(rows) == {f"{name}: {sweep.label}" for name, sweep in SWEEPS.items()}
    for label, (_, runs, median_ms, _p95, finding_ms, again_ms, queries, found, stored) in rows.items():
        assert int(runs) == 3, label
        assert float(median_ms.replace(",", "")) >= float(finding_ms.replace(",", "")) > 0, label
        assert float(again_ms.replace(",", "")) > 0, label
        # A fixed number each, and the sharing rules read for the recipients' agencies as the
        # reminders are told (up to two queries an agency; here a few agencies' users are told); the
        # agreements sweep also recomputes the grants of each party to the agreement that ended.
        assert 0 < int(queries) < (40 if label.startswith("agreements") else 20), label
        assert int(stored.replace(",", "")) == int(found.replace(",", "")), f"{label}: nothing was stored before"
        assert int(found.replace(",", "")) > 0, f"{label}: the dataset has work due for every sweep"
    assert "People list" not in printed
    outbox = re.search(
        r"The outbox: ([\d,]+) reminders the reviews sweep stored owed an email at once, .* One email each: "
        r"([\d,]+) emails in [\d.,]+ s: [\d,]+ emails a second.* As configured .*: ([\d,]+) emails in",
        printed,
    )
    assert outbox is not None, printed
    owed, each, grouped = (int(group.replace(",", "")) for group in outbox.groups())
    assert owed > 0
    assert each == owed
    assert 0 < grouped <= owed
    assert not Notification.objects.exists(), "each sweep was rolled back"
    assert not Meeting.objects.exists(), "what was made due was rolled back"
    assert not CustodyEvent.objects.exists()
    assert not SharingAgreement.objects.filter(review_on__isnull=False).exists()
    assert not User.objects.filter(groups__name=Role.AGENCY_ADMIN).exists()


def test_the_benchmark_reuses_a_dataset_of_the_same_size(db):
    run_benchmark(*ONCE, *NO_LIMITS)
    first_people = set(Nominal.objects.values_list("pk", flat=True))

    printed = run_benchmark(*ONCE, *NO_LIMITS)

    assert "Dataset: reused" in printed
    assert set(Nominal.objects.values_list("pk", flat=True)) == first_people


def test_the_benchmark_fails_when_the_partner_list_is_too_slow(db):
    with pytest.raises(CommandError, match="partner's people list took"):
        run_benchmark(*ONCE, "--max-ratio", "0", "--max-cohort-ratio", "1000")


def test_the_benchmark_fails_when_the_supervisors_cohort_list_is_too_slow_against_its_raw_sql(db):
    with pytest.raises(CommandError, match=r"supervisor's cohort list took .* times the raw SQL query of its rows"):
        run_benchmark(*ONCE, "--max-ratio", "1000", "--max-cohort-ratio", "0")


def test_the_benchmark_builds_what_the_cohort_list_shows_and_filters_on(db):
    today = timezone.localdate()
    sizes = Sizes(nominals=60, items=100, agencies=4, workers=30)  # two teams in the police force

    dataset_build(sizes, seed=2026, say=lambda message: None)

    assert dataset_sizes() == sizes, "reviews are items, but not counted among the invented ones"
    on_cohort = set(current_memberships(today).values_list("nominal_id", flat=True))
    managed = CohortManagement.objects.filter(membership__ended_on__isnull=True)
    assert set(managed.values_list("membership__nominal_id", flat=True)) == on_cohort
    assert len(set(managed.values_list("strand", flat=True))) == 3
    assert len(set(managed.values_list("level__code", flat=True))) > 1
    assert managed.filter(priority_cohorts__isnull=False).exists()
    current = CaseAssignment.objects.filter(ended_on__isnull=True)
    for role in (CaseAssignment.Role.LEAD_PROFESSIONAL, CaseAssignment.Role.POLICE_LEAD):
        holders = Counter(current.filter(role=role).values_list("nominal_id", flat=True))
        assert set(holders) == on_cohort, role
        assert set(holders.values()) == {1}, role
    assert {a.agency.kind for a in current.filter(role=CaseAssignment.Role.POLICE_LEAD)} == {Agency.Kind.POLICE}
    assert current.filter(role=CaseAssignment.Role.KEY_WORKER).exists()
    involved = set(current_involvements(today).values_list("nominal_id", "agency_id", "reason"))
    assert set(current.values_list("nominal_id", "agency_id", "role")) <= involved, "as case_assign leaves them"
    ratings = Counter(RagAssessment.objects.values_list("nominal_id", flat=True))
    assert set(ratings) == on_cohort
    assert set(ratings.values()) <= {1, 2, 3, 4}
    assert max(ratings.values()) > 1

    workers = User.objects.filter(username__startswith=WORKER_PREFIX)
    assert workers.count() == 30
    assert not workers.filter(supervisor__isnull=True).exists()
    for supervisor in User.objects.filter(supervisees__isnull=False).distinct():
        assert supervisor.has_role(Role.SUPERVISOR)
        assert 1 <= supervisor.supervisees.count() <= TEAM_SIZE
        assert set(supervisor.supervisees.values_list("agency", flat=True)) == {supervisor.agency_id}
    reviews = SupervisorReview.objects.select_related("item")
    assert reviews.exists()
    assert {review.item.nominal_id for review in reviews} <= on_cohort
    assert {review.item.kind for review in reviews} == {RecordedItem.Kind.REVIEW}

    supervisor = User.objects.get(username=SUPERVISOR_USERNAME)
    assert supervisor.agency.kind == Agency.Kind.POLICE
    assert supervisor.agency.name == f"{PREFIX}Agency 01"
    cohort = cohort_list(supervisor)
    assert cohort.count() == len(on_cohort)
    assert 0 < cohort_list(supervisor, CohortFilters(review_overdue=True)).count() < len(on_cohort)
    assert 0 < cohort_list(supervisor, CohortFilters(team_of=supervisor.pk)).count() < len(on_cohort)
    on_licence = Nominal.objects.filter(statutory_status=Nominal.StatutoryStatus.LICENCE)
    assert on_licence.exists()
    assert not on_licence.filter(licence_ends_on__isnull=True).exists()
    ends = {end for end in on_licence.values_list("licence_ends_on", flat=True) if end is not None}
    assert min(ends) > today
    assert max(ends) <= today + datetime.timedelta(days=730)
    assert len(ends) > 1


def _licence_ends(today: datetime.date) -> list[tuple[str, str, int | None]]:
    on_licence = Nominal.objects.filter(statutory_status=Nominal.StatutoryStatus.LICENCE).order_by("pk")
    return [
        (first, last, None if end is None else (end - today).days)
        for first, last, end in on_licence.values_list("first_name", "last_name", "licence_ends_on")
    ]


def test_a_seed_builds_the_same_licence_ends_whatever_ids_the_table_handed_out_before(db):
    # Earlier tests advance the people's id sequence (a rollback does not give ids back); the licence
    # ends, and so the transition reminders a sweep finds, must not follow it.
    today = timezone.localdate()
    sizes = Sizes(nominals=30, items=50, agencies=4, workers=12)
    dataset_build(sizes, seed=2026, say=lambda message: None)
    first = _licence_ends(today)
    dataset_clean()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), 5001)", [Nominal._meta.db_table])

    dataset_build(sizes, seed=2026, say=lambda message: None)

    assert _licence_ends(today) == first
    assert first


def test_a_dataset_built_before_the_cohort_had_management_is_extended_not_rebuilt(db):
    dataset_build(Sizes(nominals=30, items=200, agencies=4, workers=0), seed=2026, say=lambda message: None)
    people = set(Nominal.objects.values_list("pk", flat=True))

    printed = run_benchmark(*ONCE, *NO_LIMITS)

    assert "the cohort's management added" in printed
    assert set(Nominal.objects.values_list("pk", flat=True)) == people
    assert CohortManagement.objects.exists()
    assert "Dataset: reused" in run_benchmark(*ONCE, *NO_LIMITS)


def test_clean_removes_every_benchmark_row(db):
    run_benchmark(*ONCE, *NO_LIMITS)

    printed = run_benchmark("--clean")

    assert "Removed the benchmark data (4 agencies" in printed
    assert not Agency.objects.filter(name__startswith="Benchmark ").exists()
    assert not User.objects.filter(username__startswith="benchmark-").exists()
    assert not Nominal.objects.exists()
    assert not RecordedItem.objects.exists()
    for model in (CohortManagement, RagAssessment, CaseAssignment, SupervisorReview):
        assert not model.objects.exists(), model


def test_the_benchmark_refuses_to_run_outside_development(db, settings):
    settings.DEVELOPMENT = False

    with pytest.raises(CommandError, match="development only"):
        run_benchmark(*ONCE)
    assert not Agency.objects.exists()
