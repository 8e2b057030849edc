"""`manage.py benchmark` at a tiny size: it builds its own partnership, measures the real pages
without leaving an access event behind, prints the table and the ratio, and cleans up after itself."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cohorts.models import AccessEvent, Nominal, RecordedItem
from sharing.models import Agency, User

TINY = ["--nominals", "30", "--items", "200", "--agencies", "4", "--repeat", "3", "--warmup", "1"]


def run_benchmark(*args: str) -> str:
    out = StringIO()
    call_command("benchmark", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_benchmark_prints_the_table_and_the_partner_admin_ratio(db):
    printed = run_benchmark(*TINY, "--max-ratio", "1000")

    assert "Benchmark: 30 nominals, 200 items, 4 agencies" in printed
    assert "| Measurement | Runs | Median ms | p95 ms | Queries | Peak Python memory | Note |" in printed
    for row in ("People list /people/, partner | 3 |", "People list /people/, system admin | 3 |"):
        assert row in printed
    assert "grants_recompute(), one agency" in printed
    assert "Peak memory of this process (max RSS)" in printed
    assert "Partner/admin ratio, people list (median): " in printed
    assert printed.rstrip().endswith("OK")
    assert Agency.objects.filter(name__startswith="Benchmark ").count() == 4
    assert Nominal.objects.count() == 30
    assert RecordedItem.objects.count() == 200
    assert not AccessEvent.objects.exists(), "the measured requests were rolled back"


def test_the_benchmark_reuses_a_dataset_of_the_same_size(db):
    run_benchmark(*TINY, "--max-ratio", "1000")
    first_people = set(Nominal.objects.values_list("pk", flat=True))

    printed = run_benchmark(*TINY, "--max-ratio", "1000")

    assert "Dataset: reused" in printed
    assert set(Nominal.objects.values_list("pk", flat=True)) == first_people


def test_the_benchmark_fails_when_the_partner_list_is_too_slow(db):
    with pytest.raises(CommandError, match="partner's people list took"):
        run_benchmark(*TINY, "--max-ratio", "0")


def test_clean_removes_every_benchmark_row(db):
    run_benchmark(*TINY, "--max-ratio", "1000")

    printed = run_benchmark("--clean")

    assert "Removed the benchmark data (4 agencies" in printed
    assert not Agency.objects.filter(name__startswith="Benchmark ").exists()
    assert not User.objects.filter(username__startswith="benchmark-").exists()
    assert not Nominal.objects.exists()
    assert not RecordedItem.objects.exists()


def test_the_benchmark_refuses_to_run_outside_development(db, settings):
    settings.DEVELOPMENT = False

    with pytest.raises(CommandError, match="development only"):
        run_benchmark(*TINY)
    assert not Agency.objects.exists()
