"""Who may reach each page and endpoint (tests/permission_matrix.py)."""

from __future__ import annotations

from typing import Any

import pytest

from sharing.roles import Role
from tests.permission_matrix import (
    MATRIX,
    Exempt,
    NominalData,
    Pattern,
    Public,
    RolesOnly,
    SignedIn,
    missing_entries,
    url_patterns,
)


def test_every_url_pattern_has_a_matrix_entry():
    missing = missing_entries(list(url_patterns()))

    assert not missing, "Add these URL patterns to tests/permission_matrix.py: " + ", ".join(
        f"{pattern.name} ({pattern.route})" for pattern in missing
    )


def test_a_pattern_without_an_entry_is_reported():
    patterns = [
        Pattern(name="home", namespace="", route=""),
        Pattern(name="nominal-detail", namespace="", route="people/<int:pk>/"),
        Pattern(name="admin:index", namespace="admin", route="admin/"),
    ]

    assert [pattern.name for pattern in missing_entries(patterns)] == ["nominal-detail"]


def test_every_entry_names_a_pattern_that_exists():
    names = {pattern.name for pattern in url_patterns()}
    namespaces = {pattern.namespace.split(":")[0] for pattern in url_patterns()}
    stale = [key for key in MATRIX if key not in names and key.removesuffix(":*") not in namespaces]

    assert not stale, f"Entries for patterns that no longer exist: {stale}"


def entries_of(kind: type) -> list[tuple[str, Any]]:
    return [(name, entry) for name, entry in MATRIX.items() if isinstance(entry, kind)]


@pytest.mark.parametrize(("name", "entry"), entries_of(Public))
def test_public_pages_answer_without_sign_in(client, db, name, entry):
    assert client.get(entry.url).status_code == 200


@pytest.mark.parametrize(("name", "entry"), entries_of(SignedIn))
def test_signed_in_pages_refuse_the_signed_out(client, db, name, entry):
    response = client.get(entry.url)

    if entry.api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("name", "entry"), entries_of(SignedIn))
def test_signed_in_pages_open_to_every_role(make_user, signed_in, name, entry, role):
    assert signed_in(make_user(role)).get(entry.url).status_code == 200


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("name", "entry"), entries_of(RolesOnly))
def test_role_only_pages_open_to_their_roles_and_refuse_the_rest(make_user, signed_in, client, name, entry, role):
    response = signed_in(make_user(role)).get(entry.url)

    assert response.status_code == (200 if role in entry.roles else 403)


@pytest.mark.parametrize(("name", "entry"), entries_of(RolesOnly))
def test_role_only_pages_send_the_signed_out_to_sign_in(client, db, name, entry):
    response = client.get(entry.url, follow=True)

    assert response.redirect_chain[-1][0].startswith("/sign-in/")


def test_exempt_entries_give_a_reason():
    for name, entry in entries_of(Exempt):
        assert entry.reason, name


def test_nominal_data_endpoints_are_checked_against_every_scope():
    """Until the nominal exists (issue 3) no endpoint may claim to show nominal data unchecked."""
    assert entries_of(NominalData) == [], (
        "A NominalData entry needs the role x scope cases (in scope, other agency, outside ISA, missing) "
        "added to this module with the nominal factories."
    )
