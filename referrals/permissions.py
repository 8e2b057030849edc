"""Who may do what with referrals (function level). Which referrals a user may see at all is the
sharing rules' business (referrals/selectors.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sharing.models import User
from sharing.roles import Role, is_iom_team, may_refer

if TYPE_CHECKING:
    from referrals.models import Referral


def may_edit_referral(referral: Referral, user: User) -> bool:
    """The referrer, or a referrer of the same agency (covering a colleague), changes and submits it."""
    return referral.referred_by_id == user.pk or (referral.referring_agency_id == user.agency_id and may_refer(user))


def may_withdraw_referral(referral: Referral, user: User) -> bool:
    return may_edit_referral(referral, user) or is_iom_team(user)


def may_decide(user: User) -> bool:
    """Panel chairs decide referrals, in a panel or, when urgent, outside one."""
    return user.has_perm("referrals.decide_referral")


def may_change_selection_matrix(user: User) -> bool:
    return user.has_perm("referrals.change_selectioncriterion_weights")


def may_read_selection_matrix(user: User) -> bool:
    """The IOM team, panel chairs and system administrators read the criteria and weights."""
    return (
        is_iom_team(user) or may_decide(user) or may_change_selection_matrix(user) or user.has_role(Role.SYSTEM_ADMIN)
    )
