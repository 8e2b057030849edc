"""Who may manage a person on the cohort (function level): change their RAG rating, assign and
transfer their leads and key workers. Which people a user may see at all is the sharing rules'
business (cohorts/access.py); these checks come after it, so a person out of scope is a 404 and a
person in scope whom the user may not manage is a 403.

The checks take the person's current assignments (cohorts.records.selectors.current_assignments_of, or the
On IOM panel's, already loaded), so they cost no query of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cohorts.management.models import CaseAssignment
from sharing.errors import NotAllowed
from sharing.models import User
from sharing.roles import has_case_role, is_iom_team

if TYPE_CHECKING:
    from cohorts.records.selectors import CohortPanel


def case_holders(cohort: CohortPanel) -> list[CaseAssignment]:
    """The person's current leads and key workers, from the On IOM panel already loaded. One ended
    today (its last day, when it also started today) no longer counts."""
    leads = [assignment for assignment in (cohort.lead_professional, cohort.police_lead) if assignment]
    return [assignment for assignment in leads + cohort.key_workers if assignment.ended_on is None]


def is_lead_professional(user: User, assignments: Iterable[CaseAssignment]) -> bool:
    return any(
        assignment.role == CaseAssignment.Role.LEAD_PROFESSIONAL and assignment.worker_id == user.pk
        for assignment in assignments
    )


def may_change_rag(user: User, assignments: Iterable[CaseAssignment]) -> bool:
    """The IOM team, and practitioners, supervisors and panel chairs of an agency holding a role in
    the case now (lead professional, police lead or key worker), and the lead professional
    themselves whatever their role. A partner who sees the person only through an agreement may not."""
    assignments = list(assignments)
    if is_lead_professional(user, assignments):
        return True
    if not has_case_role(user):
        return False
    return is_iom_team(user) or any(assignment.agency_id == user.agency_id for assignment in assignments)


def may_assign(user: User, assignments: Iterable[CaseAssignment]) -> bool:
    """The IOM team and the current lead professional assign and transfer the case's leads and key
    workers, and end a key worker's assignment."""
    return is_iom_team(user) or is_lead_professional(user, assignments)


NOT_A_RAG_ASSESSOR = "Only the IOM team and the agencies working the case change a RAG rating."
NOT_AN_ASSIGNER = "Only the IOM team and the lead professional assign people to the case."
NOT_AN_ASSIGNMENT_ENDER = "Only the IOM team and the lead professional change who works on the case."


def check_rag_change(user: User, assignments: Iterable[CaseAssignment]) -> None:
    """Raise NotAllowed unless the user may give the person a RAG rating (may_change_rag)."""
    if not may_change_rag(user, assignments):
        raise NotAllowed(NOT_A_RAG_ASSESSOR)


def check_assigner(user: User, assignments: Iterable[CaseAssignment], *, ending: bool = False) -> None:
    """Raise NotAllowed unless the user may assign or transfer a role in the case, or end a key
    worker's assignment (may_assign)."""
    if not may_assign(user, assignments):
        raise NotAllowed(NOT_AN_ASSIGNMENT_ENDER if ending else NOT_AN_ASSIGNER)
