"""What the demo data modules share: the accounts' details, the role groups, dates counted back from
today, and history recorded as a user."""

from __future__ import annotations

import datetime
from typing import Protocol

import pghistory
from django.contrib.auth.models import Group
from django.utils import timezone

from sharing.models import Agency, User
from sharing.roles import Role


class DemoAccount(Protocol):
    @property
    def username(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def job_title(self) -> str: ...


def account_details(person: DemoAccount, agency: Agency) -> dict[str, object]:
    """A demo account's names, e-mail address, agency and job title; active."""
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": f"{person.username}@northmoor.example",
        "agency": agency,
        "job_title": person.job_title,
        "is_active": True,
    }


def role_groups() -> dict[str, Group]:
    """Each role's group, by the role's name."""
    return {group.name: group for group in Group.objects.filter(name__in=[role.value for role in Role])}


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def as_user(user: User) -> pghistory.context:
    """Record history as done by `user`, from the demo data."""
    return pghistory.context(user=user.pk, url="demo data")
