"""The two database roles on a developer's machine and in the tests: given one URL for a role that may
create roles (the embedded PostgreSQL's superuser, or the machine's), make the application's role and
use each for its part. Production creates its roles itself (README, "Production").

Imported by demo/local.py and the test plugin before Django is configured: no Django here.
"""

from __future__ import annotations

import contextlib
import os
from urllib.parse import urlsplit, urlunsplit

DEVELOPMENT_APP_ROLE = "iom_app"
DEVELOPMENT_APP_PASSWORD = "iom-app-development-only"  # noqa: S105 (a laptop's and the tests' role)


def app_url(owner_url: str, role: str = DEVELOPMENT_APP_ROLE, password: str = DEVELOPMENT_APP_PASSWORD) -> str:
    """The owner's URL with the application's role and password instead of the owner's."""
    parts = urlsplit(owner_url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{role}:{password}@{host}"))


def app_role_create(owner_url: str, role: str = DEVELOPMENT_APP_ROLE, password: str = DEVELOPMENT_APP_PASSWORD) -> bool:
    """Create the application's role if the server has none yet: a login with no other attribute (it
    owns nothing; migrate grants it what it needs). Safe when several processes do it at once; True
    if this one made it."""
    import psycopg2
    from psycopg2 import errors, sql

    # Roles belong to the server: ask its maintenance database, as the application's may not exist yet.
    connection = psycopg2.connect(urlunsplit(urlsplit(owner_url)._replace(path="/postgres")))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is not None:
                return False
            # Another process may make it first.
            with contextlib.suppress(errors.DuplicateObject, errors.UniqueViolation):
                cursor.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(role)), [password])
                return True
            return False
    finally:
        connection.close()


def split_roles_if_needed() -> bool:
    """With DATABASE_URL set and no DATABASE_OWNER_URL, take DATABASE_URL as the owner and point
    DATABASE_URL at the application's role, made if need be. True if it did."""
    if not os.environ.get("DATABASE_URL") or os.environ.get("DATABASE_OWNER_URL"):
        return False
    owner_url = os.environ["DATABASE_URL"]
    app_role_create(owner_url)
    os.environ["DATABASE_OWNER_URL"] = owner_url
    os.environ["DATABASE_URL"] = app_url(owner_url)
    return True
