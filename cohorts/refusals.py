"""Refused access is recorded (DESIGN.md rule 7): the user still sees 404 or a neutral
message, and the log sees the probe.

A selector that finds a record outside the user's scope marks the not-found error it raises with a
Refusal (refusal_mark): the person it was about and the reason in words. It knows what was refused
but not the request; the error, passed up as the cause of the 404 the view raises, reaches one hook
for pages and one for the API (cohorts/refusal_hooks.py), which know who asked and where, and log
it. A record that does not exist is not marked, so mistyped ids do not flood the log but a probe of
real ones shows. Logging at the edge, after the view's transaction has ended, also keeps the event
when a view's atomic block is rolled back by the error (HEAD alone is rolled back on purpose:
shell/middleware.py).

A burst of refusals by one user (IOM_REFUSAL_BURST_COUNT within IOM_REFUSAL_BURST_MINUTES) tells
their agency's admins, once a day: a notification of kind REFUSAL_BURST about "user:<pk>", told by
refusal_bursts_told only to the admins of that user's agency and to system admins.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cohorts.models import AccessEvent
from notifications.models import Notification
from notifications.services import Notice, Reminder, reminders_send
from sharing.models import User
from sharing.roles import Role

_MARK = "iom_refusal"
Error = TypeVar("Error", bound=BaseException)


@dataclass(frozen=True)
class Refusal:
    """What a selector refused: the person the record is about, and why, in words naming no one."""

    nominal_id: int | None
    reason: str


def refusal_mark(error: Error, *, nominal_id: int | None, reason: str) -> Error:
    """Mark a not-found error as the refusal of a record that exists; returns the error to raise."""
    setattr(error, _MARK, Refusal(nominal_id=nominal_id, reason=reason))
    return error


def refusal_of(error: BaseException) -> Refusal | None:
    """The refusal an error carries, itself or through the errors it was raised from (a view turns
    the selector's DoesNotExist into its own 404 with `raise ... from`)."""
    seen: BaseException | None = error
    while seen is not None:
        refusal = getattr(seen, _MARK, None)
        if isinstance(refusal, Refusal):
            return refusal
        seen = seen.__cause__
    return None


def out_of_scope(what: str) -> str:
    """The reason a record in the user's way was refused ("the person", "referral 12")."""
    return f"Out of scope: {what} is not shared with the user's agency"


# --- A burst of refusals by one user ------------------------------------------------------------------


def refusal_burst_check(*, user: User) -> None:
    """After a refusal is written: where the user has been refused IOM_REFUSAL_BURST_COUNT times in
    the last IOM_REFUSAL_BURST_MINUTES (one count on an index of refusals by user), tell their
    agency's admins, but not the user themselves; where there is no one else, the system admins.
    Told once a day: the notification's key is (recipient, kind, user, today)."""
    since = timezone.now() - datetime.timedelta(minutes=settings.IOM_REFUSAL_BURST_MINUTES)
    refused = AccessEvent.objects.filter(user=user, action=AccessEvent.Action.REFUSED, at__gte=since).count()
    if refused < settings.IOM_REFUSAL_BURST_COUNT:
        return
    admins = User.objects.filter(is_active=True).exclude(pk=user.pk)
    recipients = list(
        admins.filter(agency_id=user.agency_id, groups__name=Role.AGENCY_ADMIN).values_list("pk", flat=True).distinct()
    ) or list(admins.filter(groups__name=Role.SYSTEM_ADMIN).values_list("pk", flat=True).distinct())
    link = f"{reverse('access-log')}?user={user.pk}&action={AccessEvent.Action.REFUSED}"
    today = timezone.localdate()
    reminders_send(
        [Reminder(pk, Notification.Kind.REFUSAL_BURST, f"user:{user.pk}", today, link) for pk in sorted(recipients)]
    )


def _told_to(reader: User, user: User) -> bool:
    if reader.pk == user.pk:
        return False
    if reader.has_role(Role.SYSTEM_ADMIN):
        return True
    return reader.has_role(Role.AGENCY_ADMIN) and reader.agency_id == user.agency_id


def refusal_bursts_told(notices: Sequence[Notice], on: datetime.date) -> list[str | None]:
    """A user's burst of refusals, told to the admins of that user's agency and to system admins
    (who read that agency's access log); to no one else, the user included. One query."""
    users = {user.pk: user for user in User.objects.filter(pk__in={n.subject_id for n in notices})}
    told: list[str | None] = []
    for notice in notices:
        user = users.get(notice.subject_id)
        if user is None or not _told_to(notice.reader, user):
            told.append(None)
            continue
        told.append(
            f"{user.get_full_name() or user.username} was refused {settings.IOM_REFUSAL_BURST_COUNT} times within "
            f"{settings.IOM_REFUSAL_BURST_MINUTES} minutes: read the access log"
        )
    return told
