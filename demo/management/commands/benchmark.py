from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from demo.benchmark import (
    BenchmarkError,
    Results,
    Sizes,
    dataset_build,
    dataset_clean,
    dataset_extend,
    dataset_sizes,
    measure,
    results_table,
)
from demo.benchmark_sweeps import SweepMeasurement, measure_outbox, measure_sweeps, sweeps_table


class Command(BaseCommand):
    help = (
        "Measure the speed and memory of the people list, a large record, the cohort list and the grant "
        "recompute, and the duration of every reminder sweep, on a large invented partnership (development "
        "only). Fails if the partner's people list takes more than --max-ratio times the system admin's, or a "
        "supervisor's cohort list page more than --max-cohort-ratio times the raw SQL query of its rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--nominals", type=int, default=20_000, help="People in the dataset (20,000).")
        parser.add_argument("--items", type=int, default=500_000, help="Recorded items in the dataset (500,000).")
        parser.add_argument("--agencies", type=int, default=50, help="Agencies in the dataset (50).")
        parser.add_argument(
            "--workers", type=int, default=300, help="Case workers holding the cohort's cases, ten to a team (300)."
        )
        parser.add_argument("--repeat", type=int, default=20, help="Timed requests per page (20).")
        parser.add_argument("--warmup", type=int, default=3, help="Untimed requests per page first (3).")
        parser.add_argument(
            "--max-ratio",
            type=float,
            default=2.0,
            help="Fail if the partner's people list takes more than this many times the admin's (2.0).",
        )
        parser.add_argument(
            "--max-cohort-ratio",
            type=float,
            default=2.0,
            help="Fail if a supervisor's cohort list page takes more than this many times the raw SQL of its "
            "rows (2.0).",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Seed of the invented data.")
        parser.add_argument(
            "--only",
            choices=["sweeps"],
            help="Measure one section alone: 'sweeps' runs every reminder sweep over the dataset (rolled back).",
        )
        what = parser.add_mutually_exclusive_group()
        what.add_argument(
            "--keep",
            action="store_true",
            help="Measure the benchmark data already there, whatever its sizes (build only if there is none, "
            "and add the cohort's management if it has none).",
        )
        what.add_argument("--rebuild", action="store_true", help="Remove the benchmark data and build it afresh.")
        what.add_argument("--clean", action="store_true", help="Remove the benchmark data, and measure nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEVELOPMENT:
            raise CommandError(
                "The benchmark is for development only: it fills the database with invented people. "
                "Set IOM_DEVELOPMENT=1 on a development machine, ideally with a database of its own."
            )
        try:
            self._run(**options)
        except BenchmarkError as error:
            raise CommandError(str(error)) from error

    def _run(self, **options: Any) -> None:
        if options["clean"]:
            removed = dataset_clean()
            self.stdout.write(f"Removed the benchmark data ({removed} agencies and everything they held).")
            return
        if options["repeat"] < 1 or options["warmup"] < 0:
            raise CommandError("--repeat must be at least 1 and --warmup at least 0.")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1: the cohort list is measured for a supervisor.")
        wanted = Sizes(
            nominals=options["nominals"],
            items=options["items"],
            agencies=options["agencies"],
            workers=options["workers"],
        )
        found = dataset_sizes()
        built = ""
        keep = found is not None and (options["keep"] or found.without_cohort() == wanted.without_cohort())
        if found is not None and keep and not options["rebuild"] and not found.workers:
            # Built before the cohort had any management: its people and items are kept, the rest added.
            report = dataset_extend(wanted.workers, seed=options["seed"], say=self.say)
            sizes = replace(found, workers=wanted.workers)
            built = (
                f"Dataset: the people and items there reused, the cohort's management added in "
                f"{report.seconds:,.1f} s (grants_recompute() {report.grants_seconds:,.1f} s, "
                f"{report.grants:,} grants changed)."
            )
        elif found is not None and (options["keep"] or (found == wanted and not options["rebuild"])):
            sizes = found
            built = "Dataset: reused (already in the database; --rebuild builds it afresh)."
        else:
            if found is not None:
                self.say(f"Removing the benchmark data there ({found}) ...")
                dataset_clean()
            sizes = wanted
            report = dataset_build(sizes, seed=options["seed"], say=self.say)
            built = (
                f"Dataset: built in {report.seconds:,.1f} s, of which the cohort's management "
                f"{report.cohort_seconds:,.1f} s, and grants_recompute() from no grants "
                f"{report.grants_seconds:,.1f} s, making {report.grants:,} grants."
            )
        # The sweeps are slower than a page and less noisy: a few runs each are enough.
        sweep_repeat = max(3, options["repeat"] // 4)
        if options["only"] == "sweeps":
            self.stdout.write("")
            self.stdout.write(f"Benchmark, the sweeps alone: {sizes}; database {connection.settings_dict['NAME']}.")
            self.stdout.write(built)
            self.report_sweeps(measure_sweeps(repeat=sweep_repeat, say=self.say))
            self.stdout.write("")
            self.stdout.write(str(measure_outbox(say=self.say)))
            return
        results = measure(sizes, repeat=options["repeat"], warmup=options["warmup"], say=self.say)
        sweeps = measure_sweeps(repeat=sweep_repeat, say=self.say)
        outbox = measure_outbox(say=self.say)
        self.report(results, built)
        self.report_sweeps(sweeps)
        self.stdout.write("")
        self.stdout.write(str(outbox))
        failures = []
        limit = options["max_ratio"]
        verdicts = [(f"Partner/admin ratio, people list (median): {results.list_ratio:.2f}", results.list_ratio, limit)]
        if results.list_ratio > limit:
            failures.append(
                f"The partner's people list took {results.list_ratio:.2f} times the system admin's "
                f"(the limit is {limit:.2f})."
            )
        limit = options["max_cohort_ratio"]
        for comparison in results.cohort:
            label = f"Supervisor's cohort list/raw SQL ratio (median), ?{comparison.query}: {comparison.ratio:.2f}"
            verdicts.append((label, comparison.ratio, limit))
        if results.cohort_ratio > limit:
            failures.append(
                f"The supervisor's cohort list took {results.cohort_ratio:.2f} times the raw SQL query of its rows "
                f"(the limit is {limit:.2f})."
            )
        for label, ratio, bar in verdicts:
            if ratio > bar:
                self.stdout.write(self.style.ERROR(f"{label} (limit {bar:.2f}): TOO SLOW"))
            else:
                self.stdout.write(self.style.SUCCESS(f"{label} (limit {bar:.2f}): OK"))
        if failures:
            raise CommandError(" ".join(failures))

    def say(self, message: str) -> None:
        self.stderr.write(message)
        self.stderr.flush()

    def report_sweeps(self, sweeps: list[SweepMeasurement]) -> None:
        write = self.stdout.write
        write("")
        write(
            "Each reminder sweep for today, over the whole database: its finder and reminders_send in a "
            "transaction rolled back (nothing stored, no email queued); queries of one run, then the median "
            "and p95 of the timed runs with DEBUG off."
        )
        write("")
        for line in sweeps_table(sweeps):
            write(line)

    def report(self, results: Results, built: str) -> None:
        write = self.stdout.write
        write("")
        debug = "on" if results.debug else "off"
        write(f"Benchmark: {results.sizes}; database {results.database}; DEBUG {debug} (off while timing the pages).")
        write(built)
        write(
            f"The partner ({results.partner.username}, {results.partner.agency.name}) may see "
            f"{results.partner_sees:,} people; the system admin ({results.admin.username}) sees "
            f"{results.admin_sees:,}. Each page is the first of the people list (50 rows)."
        )
        write(f"The record measured is nominal {results.heavy_nominal_id}, with {results.heavy_items:,} items.")
        write(
            f"The supervisor ({results.supervisor.username}, {results.supervisor.agency.name}) may see "
            f"{results.supervisor_sees:,} people on the cohort, and supervises {len(results.team)} workers. "
            "Each cohort list page is the first (50 rows), timed against the raw SQL query that returns its "
            "rows (the same queryset, sliced, sent through a cursor)."
        )
        write("")
        for line in results_table(results):
            write(line)
        write("")
        write(f"Peak memory of this process (max RSS): {results.max_rss_bytes / 2**20:,.0f} MiB")
