"""The test database's state as the migrations leave it (roles, data categories, levels, RAG ratings,
the selection matrix ...), kept aside once and put back after every transactional test.

A transactional test commits, so its rows are removed when it ends. Django's flush would empty every
table, the migrations' rows included, and recreate only content types and permissions: the tests
after it in the same process (and, with --reuse-db, the next run) would find no roles or categories.
Instead every table is emptied and the migrated rows are copied back from a schema of
their own (test_migrated) with triggers off, so they come back with their ids, and no audit or history
row is written for them: the database is as the migrations left it, whatever ran before.

The tables' owner does it (the tests run as the application's role, which may neither switch
triggers off nor remove an audit row): over a connection of its own, kept for the process.

With --reuse-db the database is kept between runs (only new migrations run, a few seconds instead of
a fresh build). A database built before a migration was added or changed holds rows that no longer
match it, so it is built afresh then: the migrations it was built from are recorded beside the
snapshot and compared with those on disk.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dj_database_url
from django.db import DatabaseError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

from shell.database import CREDENTIALS, credentials_used, owner_credentials

SNAPSHOT_SCHEMA = "test_migrated"
MIGRATIONS_TABLE = "built_from"


def migrations_on_disk() -> str:
    """A digest of every migration file's app, name and content: what the database is built from."""
    digest = hashlib.sha256()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key in sorted(loader.disk_migrations):
        digest.update(f"{key[0]}.{key[1]}\n".encode())
        source = sys.modules[type(loader.disk_migrations[key]).__module__].__file__ or ""
        with open(source, "rb") as migration_file:
            digest.update(hashlib.sha256(migration_file.read()).digest())
    return digest.hexdigest()


def kept_database_is_current(digest: str) -> bool:
    """Whether the test database kept from an earlier run (--reuse-db) was built from the migrations
    as they are on disk, with its snapshot; False when there is none (it will be built)."""
    kept: Any = connection.copy()
    creation: Any = connection.creation
    kept.settings_dict["NAME"] = creation._get_test_db_name()
    try:
        with kept.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [f"{SNAPSHOT_SCHEMA}.{MIGRATIONS_TABLE}"])
            if cursor.fetchone()[0] is None:
                return False
            cursor.execute(f"SELECT digest FROM {SNAPSHOT_SCHEMA}.{MIGRATIONS_TABLE}")  # noqa: S608
            row = cursor.fetchone()
    except DatabaseError:
        return False  # no such database yet
    finally:
        kept.close()
    return row is not None and row[0] == digest


@contextmanager
def application_credentials_used() -> Iterator[None]:
    """Connect as the application's role (DATABASE_URL) for the block, when the owner is another."""
    if owner_credentials() is None:
        yield
        return
    application = dj_database_url.parse(os.environ["DATABASE_URL"])
    with credentials_used({key: application.get(key, "") for key in CREDENTIALS}):
        yield


_owner_connection: BaseDatabaseWrapper | None = None


@contextmanager
def owner_transaction() -> Iterator[Any]:
    """A cursor in a transaction of the tables' owner, on the test database."""
    global _owner_connection  # one connection for the process
    owner = owner_credentials()
    if owner is None:
        with transaction.atomic(), connection.cursor() as cursor:
            yield cursor
        return
    if _owner_connection is None or _owner_connection.settings_dict["NAME"] != connection.settings_dict["NAME"]:
        _owner_connection = connection.copy()
        _owner_connection.settings_dict.update(owner)
    with _owner_connection.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")


def owner_connection_close() -> None:
    """Let the test database go: it cannot be dropped while the owner's connection is open."""
    global _owner_connection
    if _owner_connection is not None:
        _owner_connection.close()
        _owner_connection = None


def snapshot_exists() -> bool:
    with owner_transaction() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{SNAPSHOT_SCHEMA}.{MIGRATIONS_TABLE}"])
        return cursor.fetchone()[0] is not None


def snapshot_take(digest: str) -> None:
    """Keep a copy of every table the migrations put rows in (call on a database just built)."""
    quote = connection.ops.quote_name
    with owner_transaction() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SNAPSHOT_SCHEMA}")
        for table in _tables():
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608
            if cursor.fetchone()[0]:
                cursor.execute(f"CREATE TABLE {SNAPSHOT_SCHEMA}.{quote(table)} AS TABLE {quote(table)}")
        cursor.execute(f"CREATE TABLE {SNAPSHOT_SCHEMA}.{MIGRATIONS_TABLE} (digest text NOT NULL)")
        cursor.execute(f"INSERT INTO {SNAPSHOT_SCHEMA}.{MIGRATIONS_TABLE} VALUES (%s)", [digest])  # noqa: S608


def snapshot_restore() -> None:
    """Empty every table and put the migrated rows back: the database as the migrations left it."""
    quote = connection.ops.quote_name
    with owner_transaction() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_name <> %s",
            [SNAPSHOT_SCHEMA, MIGRATIONS_TABLE],
        )
        kept = [row[0] for row in cursor.fetchall()]
        # Triggers (foreign keys, history, the append-only audit) are off while every row goes and
        # the migrated ones come back as they were: nothing about them is new. DELETE rather than
        # TRUNCATE: a test leaves a few rows in a few of the hundred tables, and TRUNCATE makes every
        # table's files anew (0.3 s against a few milliseconds).
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table in _tables():
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
        for table in kept:
            cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {SNAPSHOT_SCHEMA}.{quote(table)}")  # noqa: S608
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
