"""The access log's hash chain: proof that nobody, the tables' owner included, changed, removed or
moved an access event unnoticed (DESIGN.md, "The permission model" 8).

A trigger gives each new row its place and sha256 over the previous row's hash and its own content
(cohorts/migrations/0010_access_log_chain.py). Here the chain is walked again: the hashes are
recomputed in Python, from the content as the server spells it with built-in functions only, so a
replaced trigger function cannot vouch for itself. Every intact check is kept as a checkpoint, and
each later check compares the row at every checkpoint's head, so rows cut from the end of the log,
which leave a shorter chain that is still whole, show too.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import connection, transaction

from cohorts.models import AccessEvent, AccessLogCheckpoint
from sharing.models import User
from sharing.roles import Role

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
# As the trigger hashes a row (the migration's CONTENT, for the row called e).
CONTENT = """jsonb_build_array(
    e.chain_position, e.id,
    to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    e.user_id, e.agency_id, e.action, e.nominal_id,
    to_jsonb(e.nominal_ids), to_jsonb(e.categories),
    e.allowed_by, e.reason, e.query, e.path
)::text"""


@dataclass(frozen=True)
class ChainVerdict:
    rows: int
    head_position: int | None
    head_hash: str
    broken_at: int | None = None  # the chain position (or, with none, the id) of the first row that fails
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def chain_hash(previous: str, content: str) -> str:
    return hashlib.sha256((previous + content).encode()).hexdigest()


def access_log_verify() -> ChainVerdict:
    """Walk the whole chain in order and say where it first fails, if it does."""
    table = AccessEvent._meta.db_table
    checkpoints: dict[int, tuple[str, datetime.datetime]] = {
        head: (stored, at)
        for head, stored, at in AccessLogCheckpoint.objects.filter(intact=True, head_position__isnull=False)
        .order_by("head_position", "at")
        .values_list("head_position", "head_hash", "at")
        if head is not None
    }
    rows, position, previous = 0, 0, GENESIS

    def broken(at: int, problem: str) -> ChainVerdict:
        return ChainVerdict(rows, position or None, previous, broken_at=at, problem=problem)

    # A server-side cursor: the log holds millions of rows, read a few thousand at a time.
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(
            f"SELECT e.id, e.chain_position, e.chain_hash, {CONTENT} FROM {table} e "  # noqa: S608
            "ORDER BY e.chain_position NULLS FIRST, e.id"
        )
        for event_id, event_position, stored, content in cursor:
            rows += 1
            if event_position is None:
                return broken(
                    event_id,
                    f"The access event with id {event_id} has no place in the chain: it was written with the chain's "
                    "trigger switched off.",
                )
            if event_position != position + 1:
                return broken(
                    position + 1,
                    f"The access event at position {position + 1} is missing: the chain goes on at {event_position} "
                    f"(id {event_id}).",
                )
            if chain_hash(previous, content) != stored:
                return broken(
                    event_position,
                    f"The access event at position {event_position} (id {event_id}) does not match its hash: it was "
                    "changed, or moved from another place in the log.",
                )
            if event_position in checkpoints and checkpoints[event_position][0] != stored:
                return broken(
                    event_position,
                    f"The access event at position {event_position} (id {event_id}) is not the one the check of "
                    f"{checkpoints[event_position][1]:%d %B %Y %H:%M} found there: the log was rewritten from there.",
                )
            position, previous = event_position, stored
    beyond = [checkpoint for checkpoint in checkpoints if checkpoint > position]
    if beyond:
        return broken(
            position + 1,
            f"The log ends at position {position}, but the check of {checkpoints[max(beyond)][1]:%d %B %Y %H:%M} "
            f"reached position {max(beyond)}: access events were removed from its end.",
        )
    return ChainVerdict(rows, position or None, previous if position else "")


def system_admin_emails() -> list[str]:
    return sorted(
        set(
            User.objects.filter(groups__name=Role.SYSTEM_ADMIN, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


@transaction.atomic
def access_log_check() -> AccessLogCheckpoint:
    """Verify the chain and keep the verdict as a checkpoint; a broken chain is logged as an error and
    emailed to every system admin. Safe to run any number of times."""
    verdict = access_log_verify()
    checkpoint = AccessLogCheckpoint.objects.create(
        rows=verdict.rows,
        head_position=verdict.head_position,
        head_hash=verdict.head_hash,
        intact=verdict.intact,
        problem=verdict.problem,
    )
    if verdict.intact:
        # Logged too, so the head is also witnessed outside the database.
        logger.info(
            "Access log chain intact: %s events, head %s at position %s",
            verdict.rows,
            verdict.head_hash,
            verdict.head_position,
        )
        return checkpoint
    logger.error("Access log chain BROKEN at position %s: %s", verdict.broken_at, verdict.problem)
    recipients = system_admin_emails()
    if recipients:
        transaction.on_commit(
            lambda: send_mail(
                subject="IOM: the access log's hash chain is broken",
                message=(
                    "The nightly check of the access log found that it no longer matches its hash chain.\n\n"
                    f"{verdict.problem}\n\n"
                    f"Checked {verdict.rows} access events. Someone with the database owner's rights changed, "
                    "removed or moved access events: treat it as a security incident, keep the database as it is, "
                    "and run `manage.py audit_verify` to see the first broken row.\n"
                ),
                from_email=None,
                recipient_list=recipients,
            )
        )
    return checkpoint
