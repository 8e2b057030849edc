"""Run reminder sweeps now, as beat runs them (for an operator catching up after an outage, or to
see what a sweep finds). Safe to run at any time: each reminder is stored and emailed once."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from notifications.sweeps import SWEEPS, sweep_run


class Command(BaseCommand):
    help = "Run reminder sweeps now (all of them, or those named) and say what each found and sent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", metavar="SWEEP", help=f"Sweeps to run: {', '.join(SWEEPS)} (all).")
        parser.add_argument(
            "--on", type=datetime.date.fromisoformat, help="The day to sweep for, as YYYY-MM-DD (today)."
        )

    def handle(self, *args: Any, names: list[str], on: datetime.date | None = None, **options: Any) -> None:
        unknown = [name for name in names if name not in SWEEPS]
        if unknown:
            raise CommandError(f"No sweep called {', '.join(unknown)}. The sweeps are: {', '.join(SWEEPS)}.")
        for name in names or list(SWEEPS):
            run = sweep_run(name=name, on=on)
            seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
            self.stdout.write(f"{name}: found {run.found}, sent {run.sent} new, in {seconds:.2f} s")
