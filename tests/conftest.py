"""Fixtures shared by every test: users by role, signed-in clients and a real Celery worker.

The suite runs against a real PostgreSQL (DATABASE_URL; `make test` starts an embedded one when it
is not set) and a real Celery worker consuming from the configured broker (Redis when REDIS_URL
is set, otherwise kombu's filesystem transport).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client

from iom.celery import app as celery_app
from iom.celery import ensure_filesystem_broker_folders
from sharing.models import User
from sharing.roles import Role
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
    does. tests/iom/test_sign_in.py tests the minute itself."""
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


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """Rows that data migrations create (roles, data categories). A transactional test empties
    every table when it ends, so tests that commit put these back first."""
    load_reference_data()


def load_reference_data() -> None:
    """Put back what the data migrations create, leaving rows that are already there as they are."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    roles = importlib.import_module("sharing.migrations.0002_roles")
    for name in roles.ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in roles.ROLE_PERMISSIONS.get(name, []):
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    lists = importlib.import_module("sharing.migrations.0005_system_admin_manages_lists")
    admins = Group.objects.get(name="System admin")
    for app_label, model in lists.LISTS:
        for action in ("add", "change", "delete", "view"):
            admins.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
            )
    categories = importlib.import_module("sharing.migrations.0004_data_categories_and_agency_groups")
    categories.create_categories(apps, None)
    # Levels, RAG ratings, priority cohorts, referral permissions and the selection matrix.
    importlib.import_module("cohorts.migrations.0004_default_lists").seed(apps, None)
    importlib.import_module("referrals.migrations.0002_roles_and_selection_matrix").seed(apps, None)
    importlib.import_module("meetings.migrations.0002_panel_chairs_chair_meetings").grant(apps, None)


@pytest.fixture
def celery_worker(reference_data: None) -> Iterator[object]:
    """A real Celery worker, in a thread of the test process, consuming from the real broker.

    Tasks it runs see committed rows only, hence the transactional database.
    """
    ensure_filesystem_broker_folders()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
