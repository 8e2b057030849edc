"""Least privilege in the database (DESIGN.md, "The permission model" 8).

Two roles. The tables' owner (DATABASE_OWNER_URL) runs migrations; the application (DATABASE_URL: the
web server, the Celery worker and beat) connects as a role that owns nothing, so it can run no DDL,
no TRUNCATE and cannot switch a trigger off, and that may only read and add to the audit tables.
After every migrate the owner grants the application's role what it needs, on tables a migration
has just made too, and installs plain triggers that keep the audit tables append-only. The triggers
do not consult `pgtrigger.ignore`, as pgtrigger's own do, so no session setting turns them off; only
disabling them does, which needs the owner.

The audit tables: the access log and its checkpoints, minutes distributions, referral activity and
scores, and the change history (pghistory's context, who made each change, and its event tables).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from psycopg2 import sql

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")

# How long a change-history context may still be amended: pghistory adds to a context's metadata while
# the request or command that opened it runs (an upsert); after that, who made a change is fixed.
CONTEXT_AMENDABLE_FOR = "1 hour"


class DatabaseRolesError(Exception):
    """The database's roles are not as least privilege needs them."""


@dataclass(frozen=True)
class AuditTable:
    table: str
    # The one change allowed to a row: a referral score stops being the current one (a re-score adds a
    # row), and a history context gains metadata while its request runs. Everything else is refused.
    updatable_columns: tuple[str, ...] = ()
    guard: str = "iom_audit_refuse"


def audit_tables() -> list[AuditTable]:
    """Every append-only table, the change history's event tables included (a model tracked later is
    covered by the next migrate)."""
    import pghistory.models

    named = [
        AuditTable(apps.get_model("cohorts", "AccessEvent")._meta.db_table),
        AuditTable(apps.get_model("cohorts", "AccessLogCheckpoint")._meta.db_table),
        AuditTable(apps.get_model("meetings", "MinutesDistribution")._meta.db_table),
        AuditTable(apps.get_model("referrals", "ReferralActivity")._meta.db_table),
        AuditTable(
            apps.get_model("referrals", "ReferralScore")._meta.db_table,
            updatable_columns=("is_current",),
            guard="iom_audit_score_retire",
        ),
        AuditTable(
            pghistory.models.Context._meta.db_table,
            updatable_columns=("metadata", "updated_at"),
            guard="iom_audit_context_amend",
        ),
    ]
    events = [
        AuditTable(model._meta.db_table)
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and not model._meta.proxy and model._meta.managed
    ]
    return named + sorted(events, key=lambda audit: audit.table)


def _credentials(url: str) -> dict[str, Any]:
    parsed = dj_database_url.parse(url)
    return {key: parsed.get(key, "") for key in CREDENTIALS}


def owner_credentials() -> dict[str, Any] | None:
    """The owner's credentials when DATABASE_OWNER_URL names another role than DATABASE_URL."""
    if not settings.DATABASE_OWNER_URL:
        return None
    owner = _credentials(settings.DATABASE_OWNER_URL)
    return owner if owner["USER"] != settings.DATABASE_APP_ROLE else None


@contextmanager
def credentials_used(credentials: dict[str, Any], using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Connect `using` with other credentials (same database) until the block ends."""
    connection = connections[using]
    kept = {key: connection.settings_dict[key] for key in CREDENTIALS}
    connection.close()
    connection.settings_dict.update(credentials)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(kept)


@contextmanager
def connected_as_owner(using: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Connect as the tables' owner for the block (yields False, and changes nothing, with one role)."""
    owner = owner_credentials()
    if owner is None:
        yield False
        return
    with credentials_used(owner, using):
        yield True


def _execute(cursor: Any, statement: sql.Composable) -> None:
    # As text: pghistory's execute wrapper, when a context is open, reads the statement as a string.
    cursor.execute(statement.as_string(cursor.cursor))


GUARD_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION iom_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION iom_audit_score_retire() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.is_current AND NOT NEW.is_current
            AND to_jsonb(NEW) - 'is_current' = to_jsonb(OLD) - 'is_current' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit table % is append-only: only a current score may be retired', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION iom_audit_context_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A context is dated by the database, so none is made to look fresh, and amendable, for longer.
    NEW.created_at := now();
    NEW.updated_at := now();
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION iom_audit_context_amend() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.created_at = OLD.created_at
            AND OLD.created_at > now() - interval '{CONTEXT_AMENDABLE_FOR}' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit table % is append-only: a change''s context is fixed once its request is over',
        TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
"""


# pgtrigger's switch (`SET pgtrigger.ignore = ...`) skips its triggers, and so pghistory's, which write
# the change history: honoured here only for a role that may act as the function's owner, the tables'
# owner, who could drop the triggers anyway. The application's role setting it changes nothing, so
# every change it makes is in the history. pgtrigger writes its own version of this function each time
# a migration installs a trigger; migrate puts this one back after (audit_guards_install).
IGNORE_FOR_OWNER_ONLY = """
CREATE OR REPLACE FUNCTION public._pgtrigger_should_ignore(trigger_name NAME) RETURNS BOOLEAN AS $$
    DECLARE
        _pgtrigger_ignore TEXT[];
    BEGIN
        IF NOT pg_has_role(
            current_user,
            (SELECT proowner FROM pg_proc WHERE oid = 'public._pgtrigger_should_ignore(name)'::regprocedure),
            'USAGE'
        ) THEN
            RETURN FALSE;
        END IF;
        BEGIN
            SELECT INTO _pgtrigger_ignore CURRENT_SETTING('pgtrigger.ignore');
            EXCEPTION WHEN OTHERS THEN
        END;
        RETURN _pgtrigger_ignore IS NOT NULL AND trigger_name = ANY(_pgtrigger_ignore);
    END;
$$ LANGUAGE plpgsql;
"""


# Planner statistics for rows just loaded in bulk (the demo, the benchmark): ANALYZE is the tables'
# owner's, so the application's role asks the owner's function for it. It runs in the caller's
# transaction, so it counts rows not yet committed; it changes nothing but the statistics.
ANALYZE_FOR_THE_APPLICATION = """
CREATE OR REPLACE FUNCTION public.iom_analyze(tables TEXT[] DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        _table TEXT;
    BEGIN
        IF tables IS NULL THEN
            ANALYZE;
        ELSE
            FOREACH _table IN ARRAY tables LOOP
                EXECUTE format('ANALYZE %I', _table);
            END LOOP;
        END IF;
    END;
$$;
REVOKE ALL ON FUNCTION public.iom_analyze(TEXT[]) FROM PUBLIC;
"""


def analyze(tables: Sequence[str] | None = None, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """ANALYZE these tables (default: all) for whichever role is connected, through the owner's
    function (in the caller's transaction, so rows not yet committed are counted)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT public.iom_analyze(%s)", [list(tables) if tables is not None else None])


def audit_guards_install(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Make every audit table append-only with plain triggers, and let only the owner switch the change
    history's triggers off (idempotent; run as the owner)."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(GUARD_FUNCTIONS)
        cursor.execute(IGNORE_FOR_OWNER_ONLY)
        cursor.execute(ANALYZE_FOR_THE_APPLICATION)
        for audit in audit_tables():
            table = sql.Identifier(audit.table)
            _execute(
                cursor,
                sql.SQL(
                    "CREATE OR REPLACE TRIGGER iom_append_only BEFORE UPDATE OR DELETE ON {} "
                    "FOR EACH ROW EXECUTE FUNCTION {}()"
                ).format(table, sql.Identifier(audit.guard)),
            )
            if audit.guard == "iom_audit_context_amend":
                _execute(
                    cursor,
                    sql.SQL(
                        "CREATE OR REPLACE TRIGGER iom_dated BEFORE INSERT ON {} "
                        "FOR EACH ROW EXECUTE FUNCTION iom_audit_context_stamp()"
                    ).format(table),
                )
            _execute(
                cursor,
                sql.SQL(
                    "CREATE OR REPLACE TRIGGER iom_no_truncate BEFORE TRUNCATE ON {} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION iom_audit_refuse()"
                ).format(table),
            )


def app_role_check(*, using: str, app_role: str) -> None:
    """Refuse to grant to a role that could undo the grants: a superuser, one that makes roles or
    databases, one that bypasses row security, or one that owns anything here."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolreplication "
            "FROM pg_roles WHERE rolname = %s",
            [app_role],
        )
        row = cursor.fetchone()
        if row is None:
            raise DatabaseRolesError(f"DATABASE_URL's role {app_role!r} does not exist: create it first (README).")
        if row[0]:
            raise DatabaseRolesError(
                f"DATABASE_URL's role {app_role!r} is a superuser or may create roles or databases, bypass row "
                "security or replicate: the application's role must be an ordinary login role (README)."
            )
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)",
            [app_role],
        )
        owned = cursor.fetchone()
        if owned and owned[0]:
            raise DatabaseRolesError(
                f"DATABASE_URL's role {app_role!r} owns {owned[0]} tables or sequences: the tables must belong to "
                "the owner (DATABASE_OWNER_URL), who runs migrate (REASSIGN OWNED BY ... TO ...)."
            )


def privileges_grant(*, using: str, app_role: str) -> None:
    """Grant the application's role what it needs and nothing else, for every table there is and, by
    default privileges, every table the owner makes from now on (run as the owner, after migrate)."""
    app_role_check(using=using, app_role=app_role)
    role = sql.Identifier(app_role)
    audit = audit_tables()
    statements = [
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role),
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(role),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(role),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(role),
        sql.SQL("GRANT EXECUTE ON FUNCTION public.iom_analyze(TEXT[]) TO {}").format(role),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(role),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {}").format(
            role
        ),
    ]
    for table in audit:
        statements += [
            sql.SQL("REVOKE ALL ON {} FROM PUBLIC, {}").format(sql.Identifier(table.table), role),
            sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(sql.Identifier(table.table), role),
        ]
        if table.updatable_columns:
            columns = sql.SQL(", ").join(sql.Identifier(column) for column in table.updatable_columns)
            statements.append(
                sql.SQL("GRANT UPDATE ({}) ON {} TO {}").format(columns, sql.Identifier(table.table), role)
            )
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for statement in statements:
            _execute(cursor, statement)
