"""The permission matrix: every URL pattern of the application, and who may reach it.

DESIGN.md ("The permission model", point 2): a nominal is visible to an agency only with a reason,
and everyone else gets 404 in pages and API alike. Every URL pattern must have an entry here, and
tests/test_permission_matrix.py fails for a pattern that has none, so no page or endpoint can be
added without saying who may see it.

Kinds of entry:
- Public: anyone, signed in or not (sign-in, health check).
- SignedIn: any signed-in user, any role; it shows no nominal data (home, who-am-I, API schema).
- RolesOnly: signed-in users holding one of the roles; others get 403 (function-level permission).
- NominalData: shows a nominal's data. Checked for each role against a nominal in scope of the
  user's agency, one known only to another agency, one outside any ISA, and one that does not
  exist: the last three must be 404. (The nominal and its scopes arrive with issue 3; an endpoint
  of this kind declares how to build its URL from a scenario's nominal.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from sharing.roles import Role


@dataclass(frozen=True)
class Public:
    url: str


@dataclass(frozen=True)
class SignedIn:
    url: str
    api: bool = False


@dataclass(frozen=True)
class RolesOnly:
    url: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class Exempt:
    """A pattern that is not a page of its own, with the reason (e.g. a POST-only action)."""

    reason: str
    covered_by: str = ""


@dataclass(frozen=True)
class NominalData:
    """A page of one person's record. url_for builds its address from the scenario (its person,
    its items); method is how it is called; roles may reach it when the person is in scope."""

    url_for: Callable[[Any], str]  # the scenario has nominal_pk, item_pk and referral_pk
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)
    api: bool = False
    roles: frozenset[Role] = field(default_factory=lambda: frozenset(Role))
    ok_status: int = 200
    needs_item: bool = False  # the page is about one item, which must itself be visible
    owner_only: bool = False  # only the agency that owns the person or item (the police) reaches the page
    content_type: str | None = None  # how data is sent, e.g. "application/json"; None: a form


@dataclass(frozen=True)
class NominalList:
    """A page that lists or searches people: each scope's person is listed or absent, never leaked."""

    url: str
    api: bool = False


Entry = Public | SignedIn | RolesOnly | Exempt | NominalData | NominalList

ADMIN = frozenset({Role.SYSTEM_ADMIN})

# URL name (with namespace) or, for a whole namespace such as Django admin, "namespace:*".
MATRIX: dict[str, Entry] = {
    "login": Public("/sign-in/"),
    "healthz": Public("/healthz"),
    "logout": Exempt("POST-only; signing out needs no permission", covered_by="tests/iom/test_sign_in.py"),
    "home": SignedIn("/"),
    "api-me": SignedIn("/api/v1/me/", api=True),
    "api-schema": SignedIn("/api/v1/schema/", api=True),
    "api-docs": SignedIn("/api/v1/docs/"),
    "admin:*": RolesOnly("/admin/", ADMIN),
    # Information sharing agreements (sharing/urls.py): not nominal data; party agencies only.
    "agreement-list": SignedIn("/sharing/agreements/"),
    "agreement-new": RolesOnly("/sharing/agreements/new/", frozenset({Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN})),
    "agreement-detail": Exempt("party agencies only, others 404", covered_by="tests/sharing/test_agreement_pages.py"),
    "agreement-document": Exempt("party agencies only, others 404", covered_by="tests/sharing/test_agreement_pages.py"),
    "agreement-edit": Exempt("agency admins of a party only", covered_by="tests/sharing/test_agreement_pages.py"),
    "agreement-upload": Exempt("agency admins of a party only", covered_by="tests/sharing/test_agreement_pages.py"),
    "agreement-action": Exempt("agency admins of a party only", covered_by="tests/sharing/test_agreement_pages.py"),
    # The same through the API (sharing/api.py).
    "api-agreement-list": SignedIn("/api/v1/agreements/", api=True),
    "api-agreement-detail": Exempt("party agencies only, others 404", covered_by="tests/sharing/test_agreement_api.py"),
    "api-agreement-activate": Exempt("agency admins of a party only", covered_by="tests/sharing/test_agreement_api.py"),
    "api-agreement-suspend": Exempt("agency admins of a party only", covered_by="tests/sharing/test_agreement_api.py"),
    "api-agreement-end": Exempt("agency admins of a party only", covered_by="tests/sharing/test_agreement_api.py"),
    # People's records (cohorts/urls.py).
    "nominal-list": NominalList("/people/"),
    "nominal-new": SignedIn("/people/new/"),
    "access-log": RolesOnly("/people/access-log/", frozenset({Role.SUPERVISOR, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN})),
    "nominal-edit": NominalData(lambda s: f"/people/{s.nominal_pk}/edit/", owner_only=True),
    "nominal-consent": NominalData(lambda s: f"/people/{s.nominal_pk}/consent/"),
    "nominal-history": NominalData(lambda s: f"/people/{s.nominal_pk}/history/"),
    "nominal-detail": NominalData(lambda s: f"/people/{s.nominal_pk}/"),
    "nominal-sensitive-reason": NominalData(
        lambda s: f"/people/{s.nominal_pk}/sensitive/", method="post", data={"reason": "Risk assessment"}, ok_status=302
    ),
    "item-new": NominalData(lambda s: f"/people/{s.nominal_pk}/items/new/"),
    "need-new": NominalData(lambda s: f"/people/{s.nominal_pk}/needs/new/"),
    "item-why": NominalData(lambda s: f"/people/{s.nominal_pk}/items/{s.item_pk}/why/", needs_item=True),
    "item-edit": NominalData(
        lambda s: f"/people/{s.nominal_pk}/items/{s.item_pk}/edit/", needs_item=True, owner_only=True
    ),
    # People's records through the API (cohorts/api.py): the same rules, the same 404s.
    "api-nominal-list": NominalList("/api/v1/people/", api=True),
    "api-nominal-detail": NominalData(lambda s: f"/api/v1/people/{s.nominal_pk}/", api=True),
    "api-item-create": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/items/",
        method="post",
        data={
            "kind": "note",
            "category": "accommodation",
            "summary": "Added through the API",
            "occurred_on": "2024-01-15",
        },
        content_type="application/json",
        api=True,
        ok_status=201,
    ),
    "api-nominal-sensitive": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/sensitive/",
        method="post",
        data={"reason": "Preparing the MAP meeting"},
        content_type="application/json",
        api=True,
    ),
    "api-item-why": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/items/{s.item_pk}/why/", api=True, needs_item=True
    ),
    "api-nominal-consent": NominalData(lambda s: f"/api/v1/people/{s.nominal_pk}/consent/", api=True),
    # --- Referral pages: list, intake and the referral page (referrals/urls.py, referrals/views.py) ---
    # --- Referral workflow pages (referrals/workflow_urls.py) ---
    # --- Selection matrix pages (referrals/matrix_urls.py) ---
    # --- Referrals through the API (referrals/api_urls.py) ---
    # --- The cohort and the nominal page's cohort panels (cohorts/cohort_urls.py) ---
}


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or the route where a pattern has no name
    namespace: str
    route: str


def url_patterns(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "") -> Iterator[Pattern]:
    """Every URL pattern the application serves, with its full route and namespaced name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from url_patterns(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else route
            yield Pattern(name=name, namespace=namespace, route=route)


def entry_for(pattern: Pattern, matrix: dict[str, Entry] = MATRIX) -> Entry | None:
    if pattern.name in matrix:
        return matrix[pattern.name]
    top_namespace = pattern.namespace.split(":")[0]
    return matrix.get(f"{top_namespace}:*") if top_namespace else None


def missing_entries(patterns: list[Pattern], matrix: dict[str, Entry] = MATRIX) -> list[Pattern]:
    return [pattern for pattern in patterns if entry_for(pattern, matrix) is None]
