"""Check the access log's hash chain and say where it first breaks (cohorts/audit_chain.py). Read
only: the nightly task keeps each verdict as a checkpoint and alerts the system admins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohorts.audit_chain import access_log_verify


class Command(BaseCommand):
    help = "Check the access log's hash chain; exit status 1, naming the first broken row, if it does not hold."

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = access_log_verify()
        if not verdict.intact:
            raise CommandError(f"The access log's chain is broken at position {verdict.broken_at}. {verdict.problem}")
        self.stdout.write(
            f"The access log's chain holds: {verdict.rows} events, head at position {verdict.head_position} "
            f"({verdict.head_hash or 'empty'})."
        )
