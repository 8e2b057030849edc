from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from sharing.models import Agency, SharingAgreement, SharingClause, User
from sharing.roles import Role


def agreements_visible_to(user: User) -> QuerySet[SharingAgreement]:
    """The agreements the user's agency is party to; system administrators see all."""
    agreements = SharingAgreement.objects.all()
    if not user.has_role(Role.SYSTEM_ADMIN):
        agreements = agreements.filter(parties=user.agency_id)
    return agreements.prefetch_related(
        Prefetch("parties", queryset=Agency.objects.order_by("name")),
        Prefetch("clauses", queryset=SharingClause.objects.select_related("category").order_by("number")),
    ).order_by("-starts_on", "reference")


def agreement_get_for_user(user: User, pk: int) -> SharingAgreement:
    """SharingAgreement.DoesNotExist unless the user's agency is a party (a 404 to the user)."""
    return agreements_visible_to(user).select_related("owner_agency", "created_by").get(pk=pk)


def user_may_manage_agreement(user: User, agreement: SharingAgreement) -> bool:
    if user.has_role(Role.SYSTEM_ADMIN):
        return True
    return user.has_role(Role.AGENCY_ADMIN) and any(party.pk == user.agency_id for party in agreement.parties.all())


def user_may_draft_agreements(user: User) -> bool:
    return user.has_role(Role.AGENCY_ADMIN) or user.has_role(Role.SYSTEM_ADMIN)


def users_with_roles(user_ids: Iterable[int]) -> dict[int, User]:
    """The users by id, each with their agency and roles loaded (User.role_names asks no query
    after), in two queries whatever their number."""
    users = {user.pk: user for user in User.objects.filter(pk__in=set(user_ids)).select_related("agency")}
    roles: dict[int, set[str]] = {pk: set() for pk in users}
    memberships = User.groups.through.objects.filter(user_id__in=list(users), group__name__in=Role.values)
    for user_id, name in memberships.values_list("user_id", "group__name"):
        roles[user_id].add(name)
    for pk, user in users.items():
        user._role_names = roles[pk]  # the cache User.role_names reads
    return users
