"""Least privilege in the database (shell/database.py): connected as the application's role, as the tests
are, nothing changes or removes a row of an audit table: not UPDATE, DELETE or TRUNCATE, not DDL, not
switching its triggers off, and not a session setting first (`session_replication_role`, which
switches every trigger off, or `pgtrigger.ignore`, which skips pgtrigger's). Each attempt runs in a
savepoint of the one test connection and must fail."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from cohorts.models import AccessEvent
from cohorts.records.services import access_event_record
from referrals.models import ReferralScore
from referrals.services import referral_score
from shell.database import AuditTable, audit_tables, owner_credentials
from tests.cohorts.factories import make_nominal
from tests.referrals.factories import submitted_referral

AUDIT_TABLES = audit_tables()
OLD_CONTEXT = uuid.uuid4()


def test_every_audit_table_is_covered():
    tables = {audit.table for audit in AUDIT_TABLES}

    assert {
        "cohorts_accessevent",
        "cohorts_accesslogcheckpoint",
        "meetings_minutesdistribution",
        "referrals_referralactivity",
        "referrals_referralscore",
        "pghistory_context",
        "cohorts_nominalevent",
    } <= tables
    assert len(tables) > 20  # every change-history event table


def test_the_tests_run_as_the_application_role(db):
    assert owner_credentials() is not None, "the tests must run with two roles (tests/database_roles.py)"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (settings.DATABASE_APP_ROLE, False)


@pytest.fixture(scope="module")
def old_context(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """A change's context from an earlier request (pghistory amends a context only while its request
    runs), committed by the owner with the triggers off, which alone can date it, and removed after."""
    owner = owner_credentials() or {}
    database = psycopg2.connect(
        dbname=connection.settings_dict["NAME"],
        user=owner["USER"],
        password=owner["PASSWORD"] or None,
        host=owner["HOST"] or None,
        port=owner["PORT"] or None,
    )
    database.autocommit = True
    with database.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "INSERT INTO pghistory_context (id, metadata, created_at, updated_at) "
            "VALUES (%s, '{\"user\": 1}', now() - interval '2 hours', now() - interval '2 hours')",
            [str(OLD_CONTEXT)],
        )
    try:
        yield
    finally:
        with database.cursor() as cursor:
            cursor.execute("DELETE FROM pghistory_context WHERE id = %s", [str(OLD_CONTEXT)])
        database.close()


def _delete(audit: AuditTable) -> str:
    return f'DELETE FROM "{audit.table}"'  # noqa: S608


def _update(audit: AuditTable) -> str:
    if audit.table == "pghistory_context":
        return f"UPDATE pghistory_context SET metadata = '{{\"user\": 2}}' WHERE id = '{OLD_CONTEXT}'"  # noqa: S608
    with connection.cursor() as cursor:
        key = connection.introspection.get_primary_key_column(cursor, audit.table)
    return f'UPDATE "{audit.table}" SET "{key}" = "{key}"'  # noqa: S608


def _triggers(audit: AuditTable) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [audit.table])
        return "{" + ",".join(row[0] for row in cursor.fetchall()) + "}"


ATTEMPTS = {
    "update": lambda audit: [_update(audit)],
    "delete": lambda audit: [_delete(audit)],
    "truncate": lambda audit: [f'TRUNCATE "{audit.table}"'],
    "alter table": lambda audit: [f'ALTER TABLE "{audit.table}" ADD COLUMN tampered integer'],
    "disable trigger": lambda audit: [f'ALTER TABLE "{audit.table}" DISABLE TRIGGER USER'],
    "replica then update": lambda audit: ["SET LOCAL session_replication_role = replica", _update(audit)],
    "replica then delete": lambda audit: [
        "SET LOCAL session_replication_role = replica",
        _delete(audit),
    ],
    "pgtrigger.ignore then update": lambda audit: [
        f"SET LOCAL pgtrigger.ignore = '{_triggers(audit)}'",
        _update(audit),
    ],
    "pgtrigger.ignore then delete": lambda audit: [
        f"SET LOCAL pgtrigger.ignore = '{_triggers(audit)}'",
        _delete(audit),
    ],
}


@pytest.mark.parametrize("attempt", ATTEMPTS)
@pytest.mark.parametrize("audit", AUDIT_TABLES, ids=[audit.table for audit in AUDIT_TABLES])
def test_the_application_role_cannot_change_an_audit_table(old_context, db, audit, attempt):
    statements = ATTEMPTS[attempt](audit)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(";".join(statements))  # one statement list: the first to fail ends it


def test_the_old_context_is_there_to_be_refused(old_context, db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT metadata FROM pghistory_context WHERE id = %s", [str(OLD_CONTEXT)])
        assert cursor.fetchone() is not None


def test_a_context_is_dated_by_the_database_not_by_its_writer(db):
    context = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO pghistory_context (id, metadata, created_at, updated_at) "
            "VALUES (%s, '{}', '2099-01-01', '2099-01-01') RETURNING created_at = now()",
            [str(context)],
        )
        assert cursor.fetchone() == (True,)


def test_a_score_may_only_stop_being_current(partnership):
    referral = submitted_referral(make_nominal(partnership.officer), partnership.officer)
    first = ReferralScore.objects.get(referral=referral, is_current=True)

    referral_score(referral=referral)  # a re-score retires the current one

    first.refresh_from_db()
    assert first.is_current is False
    with pytest.raises(DatabaseError), transaction.atomic():
        ReferralScore.objects.filter(pk=first.pk).update(is_current=True)
    with pytest.raises(DatabaseError), transaction.atomic():
        ReferralScore.objects.filter(pk=first.pk).update(total=0)


def test_the_application_role_still_adds_to_the_access_log(partnership):
    nominal = make_nominal(partnership.officer)

    event = access_event_record(user=partnership.officer, action=AccessEvent.Action.VIEW, nominal=nominal)

    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_the_application_role_cannot_switch_the_change_history_off(partnership):
    """`pgtrigger.ignore` names pghistory's triggers; set by the application's role it changes nothing:
    the change is in the history (before, it went unrecorded)."""
    from cohorts.records.models import Nominal

    nominal = make_nominal(partnership.officer, last_name="Recorded")
    history = Nominal.pgh_event_model.objects.filter(pgh_obj=nominal)  # type: ignore[attr-defined]
    before = history.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'cohorts_nominal'::regclass AND NOT tgisinternal")
        triggers = ",".join(name for (name,) in cursor.fetchall())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL pgtrigger.ignore = '{{{triggers}}}'")
        cursor.execute("UPDATE cohorts_nominal SET middle_names = 'Unrecorded' WHERE id = %s", [nominal.pk])

    assert history.count() == before + 1


def test_the_application_role_gives_the_planner_statistics_of_rows_not_yet_committed(partnership):
    """The demo and the benchmark load rows in bulk and ANALYZE them in the same transaction: the
    tables' owner's alone, so the application's role asks the owner's function (shell/database.py).
    Without statistics the planner chose plans that ran for minutes on the embedded PostgreSQL."""
    from shell.database import analyze

    for n in range(30):
        make_nominal(partnership.officer, last_name=f"Counted{n}")
    analyze(["cohorts_nominal"])

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'cohorts_nominal'")
        assert cursor.fetchone()[0] >= 30
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_APP_ROLE
