"""Fixtures shared by every test: users by role, signed-in clients and a real Celery worker.

The suite runs against a real PostgreSQL (DATABASE_URL; `make test` starts an embedded one when it
is not set) and a real Celery worker consuming from the configured broker (Redis when REDIS_URL
is set, otherwise kombu's filesystem transport).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.test import Client, TransactionTestCase

from iom.celery import app as celery_app
from iom.celery import ensure_filesystem_broker_folders
from sharing.models import User
from sharing.roles import Role
from shell.database import owner_credentials
from tests.migrated_state import (
    application_credentials_used,
    kept_database_is_current,
    migrations_on_disk,
    owner_connection_close,
    snapshot_exists,
    snapshot_restore,
    snapshot_take,
)
from tests.partnership import Partnership, build_partnership
from tests.sharing.factories import AgencyFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 is slow by design; tests that do not test hashing itself use a fast hasher."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def session_renewed_on_every_request(settings: Any) -> None:
    """Sessions are renewed at most once a minute (a database write); tests that count a page's
    queries compare requests made within the minute, so here every request renews, as the first
    does. tests/shell/test_sign_in.py tests the minute itself."""
    settings.SESSION_RENEW_EVERY_SECONDS = 0


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(*roles: Role, **fields: object) -> User:
        return UserFactory.create(roles=list(roles), **fields)

    return make


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    return make_user(Role.PRACTITIONER)


@pytest.fixture
def system_admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.SYSTEM_ADMIN)


@pytest.fixture
def signed_in(client: Client) -> Callable[[User], Client]:
    """Sign a user in through the real authentication backends, as the sign-in page does."""

    def sign_in(user: User) -> Client:
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def partnership(db: None) -> Partnership:
    """Police, probation, prison, a drug service, a housing provider and another force, with three
    agreements (tests/partnership.py)."""
    return build_partnership()


@pytest.fixture
def other_agency(db: None) -> object:
    return AgencyFactory()


@pytest.fixture(scope="session")
def django_db_createdb(
    request: pytest.FixtureRequest, django_db_modify_db_settings: None, django_db_blocker: Any
) -> bool:
    """Build the test database afresh when asked (--create-db), and when the one kept from an earlier
    run (--reuse-db, as `make test` runs on a laptop) was built from other migrations than today's."""
    if request.config.getvalue("create_db"):
        return True
    if not request.config.getvalue("reuse_db"):
        return False  # built afresh anyway
    with django_db_blocker.unblock():
        return not kept_database_is_current(migrations_on_disk())


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """The tables' owner builds, migrates and drops the test databases (tests/database_roles.py);
    django_db_setup switches to the application's role for the tests themselves."""
    owner = owner_credentials()
    if owner is not None:
        connection.close()
        connection.settings_dict.update(owner)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The test database, its migrated state kept aside when just built, or put back when kept from
    an earlier run, and put back after every transactional test (tests/migrated_state.py); the tests
    connected as the application's role, as the application is."""
    with django_db_blocker.unblock():
        if snapshot_exists():
            snapshot_restore()
        else:
            snapshot_take(migrations_on_disk())
    with pytest.MonkeyPatch.context() as patch, application_credentials_used():
        patch.setattr(TransactionTestCase, "_fixture_teardown", lambda test_case: snapshot_restore())
        yield
    owner_connection_close()


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """A transactional database, for tests that commit: other connections (a live server, a Celery
    worker, a second thread) see what they write. The rows the migrations create are there, and are
    all that is there, when each such test starts (tests/migrated_state.py)."""


@pytest.fixture
def celery_worker(reference_data: None) -> Iterator[object]:
    """A real Celery worker, in a thread of the test process, consuming from the real broker.

    Tasks it runs see committed rows only, hence the transactional database.
    """
    ensure_filesystem_broker_folders()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
