"""The roles a user can hold. Each is a Django group (created by a data migration) whose name is
the role's value; roles give function-level permissions, sharing rules give object-level ones.

The role predicates every app asks (may_refer, is_iom_team ...) are defined here, once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from sharing.models import Agency, User


class Role(models.TextChoices):
    PRACTITIONER = "Practitioner", "Practitioner"
    SUPERVISOR = "Supervisor", "Supervisor"
    PANEL_CHAIR = "Panel chair", "Panel chair"
    PARTNER_WORKER = "Partner worker", "Partner worker"
    AGENCY_ADMIN = "Agency admin", "Agency admin"
    ANALYST = "Analyst", "Analyst"
    SYSTEM_ADMIN = "System admin", "System admin"


ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.PRACTITIONER: "Police officers and probation practitioners who refer people, keep the record "
    "and work the plan.",
    Role.SUPERVISOR: "Supervisors who review each case's management report and their team's caseload.",
    Role.PANEL_CHAIR: "Chairs of the selection panel, the MAP meeting and the youth-to-adult transfer panel.",
    Role.PARTNER_WORKER: "Workers of partner agencies who see and add what an information sharing agreement allows.",
    Role.AGENCY_ADMIN: "Administrators of one agency's users and information sharing agreements.",
    Role.ANALYST: "Analysts who read cohort and performance reports.",
    Role.SYSTEM_ADMIN: "Administrators of the whole system: agencies, users and configuration.",
}


# --- Role predicates: each defined once, here, for every app ---------------------------------------

# The roles that refer people onto IOM.
REFERRER_ROLES = frozenset({Role.PRACTITIONER, Role.PARTNER_WORKER, Role.SUPERVISOR, Role.PANEL_CHAIR})
# The roles that work cases: the IOM team's, and a case worker's in any agency.
CASE_ROLES = frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR})


def may_refer(user: User) -> bool:
    """Any practitioner (police, probation, youth offending team, partner) refers."""
    return any(user.has_role(role) for role in REFERRER_ROLES)


def has_case_role(user: User) -> bool:
    return any(user.has_role(role) for role in CASE_ROLES)


def is_iom_unit_agency(agency: Agency) -> bool:
    """The agency is of the IOM unit's kinds (police and probation by default, IOM_UNIT_AGENCY_KINDS)."""
    return agency.kind in settings.IOM_UNIT_AGENCY_KINDS


def is_iom_team(user: User) -> bool:
    """The IOM team: practitioners, supervisors and panel chairs of the IOM unit's agencies. Asked
    of the roles (cached on the user), so that a check costs no query of its own; a superuser or a
    permission given to one user does not make someone a member."""
    return is_iom_unit_agency(user.agency) and has_case_role(user)
