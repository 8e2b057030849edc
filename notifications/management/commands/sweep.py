"""Run reminder sweeps now, as beat runs them (for an operator catching up after an outage, or to
see what a sweep finds). Safe to run at any time: each reminder is stored once. It never waits on
the broker: the emails owed at once are the outbox's, which the workers run every minute (or this
command, with --send-emails)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from notifications.outbox import outbox_backlog, outbox_kick, outbox_send
from notifications.sweeps import SWEEPS, sweep_run


class Command(BaseCommand):
    help = "Run reminder sweeps now (all of them, or those named) and say what each found and stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", metavar="SWEEP", help=f"Sweeps to run: {', '.join(SWEEPS)} (all).")
        parser.add_argument(
            "--on", type=datetime.date.fromisoformat, help="The day to sweep for, as YYYY-MM-DD (today)."
        )
        parser.add_argument(
            "--send-emails",
            action="store_true",
            help="Send the emails owed at once here, now, rather than leaving them to the workers' outbox.",
        )

    def handle(
        self, *args: Any, names: list[str], on: datetime.date | None = None, send_emails: bool = False, **_: Any
    ) -> None:
        unknown = [name for name in names if name not in SWEEPS]
        if unknown:
            raise CommandError(f"No sweep called {', '.join(unknown)}. The sweeps are: {', '.join(SWEEPS)}.")
        if on is not None and on != timezone.localdate():
            self.stdout.write(f"Sweeping for {on:%-d %B %Y}, not today.")
        for name in names or list(SWEEPS):
            run = sweep_run(name=name, on=on, kick=False)
            seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
            self.stdout.write(f"{name}: found {run.found}, stored {run.stored} new, in {seconds:.2f} s")
        if send_emails:
            sent = outbox_send()
            self.stdout.write(f"Emails sent: {sent.emails} (telling {sent.notifications} reminders).")
        backlog = outbox_backlog()
        if backlog.owed and not send_emails:
            queued = outbox_kick()
            where = (
                "the workers are sending them"
                if queued
                else "the broker is not answering: the outbox sends them when the workers run again"
            )
            self.stdout.write(f"Emails owed at once: {backlog.owed}; {where}.")
