"""What the home page offers each role: the next things that role can do.

Each feature adds its actions here as it is built; an action whose page does not exist yet is not
offered (its URL name does not resolve), so the home page never links to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from sharing.roles import ROLE_DESCRIPTIONS, Role


@dataclass(frozen=True)
class HomeAction:
    title: str
    url_name: str
    description: str


FIND_A_PERSON = HomeAction(
    "Find a person", "nominal-list", "Search by name, PNC ID, CRN, prison number or date of birth."
)
RECORD_A_PERSON = HomeAction(
    "Record a person", "nominal-new", "Add someone new, after checking they are not already recorded."
)

ACCESS_LOG = HomeAction(
    "Search the access log", "access-log", "Who in your agency viewed which records, when, and why."
)

ROLE_ACTIONS: dict[Role, list[HomeAction]] = {
    Role.PRACTITIONER: [FIND_A_PERSON, RECORD_A_PERSON],
    Role.SUPERVISOR: [FIND_A_PERSON, ACCESS_LOG],
    Role.PANEL_CHAIR: [FIND_A_PERSON],
    Role.PARTNER_WORKER: [FIND_A_PERSON, RECORD_A_PERSON],
    Role.AGENCY_ADMIN: [
        ACCESS_LOG,
        HomeAction(
            "Manage information sharing agreements",
            "agreement-list",
            "Draft, activate, suspend and end the agreements your agency is party to.",
        ),
    ],
    Role.ANALYST: [FIND_A_PERSON],
    Role.SYSTEM_ADMIN: [
        HomeAction("Manage agencies and users", "admin:index", "Add agencies, create accounts and give roles."),
    ],
}
EVERYONE_ACTIONS = [
    HomeAction(
        "Connect a partner system",
        "api-docs",
        "Read the API documentation. Your system administrator issues each partner system its token.",
    ),
]


@dataclass(frozen=True)
class RoleSection:
    role: Role
    description: str
    actions: list[tuple[HomeAction, str]]


def _resolved(actions: list[HomeAction]) -> list[tuple[HomeAction, str]]:
    resolved = []
    for action in actions:
        try:
            resolved.append((action, reverse(action.url_name)))
        except NoReverseMatch:
            continue
    return resolved


def home_sections(roles: list[Role]) -> list[RoleSection]:
    return [RoleSection(role, ROLE_DESCRIPTIONS[role], _resolved(ROLE_ACTIONS[role])) for role in roles]


def everyone_actions() -> list[tuple[HomeAction, str]]:
    return _resolved(EVERYONE_ACTIONS)
