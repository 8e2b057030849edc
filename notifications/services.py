"""Reminders and notifications: stored once by their key, shown in the inbox, emailed as
each user chooses (at once, in the daily digest, or not at all).

Exactly once: a reminder's key is (recipient, kind, subject, due date), unique in the database.
reminders_send inserts a sweep's reminders with ON CONFLICT DO NOTHING and learns which rows are new
from RETURNING, so a sweep run twice, by two beat processes at once, or retried after a crash stores
each reminder once. An email owed at once is marked owed on the row it goes with, and the outbox
(notifications/outbox.py) sends what is owed, so a broker or worker outage delays an email but never
loses it. Sweeps select by state, not by "since last run", so the next run finds what is still due.

Emails say what kind of thing is due and when, with a link, and nothing about the person: the inbox,
behind sign-in, says what it is.

One gate: a notification stores its subject's id and kind ("nominal:12", a review due),
never a name, a date of the record or anything else read from it. What it says is told when it is
shown, by the teller of its kind (TELLERS), through the same sharing rules as the record page, at
that moment: a sweep stores a reminder only where its teller tells the recipient something, an email
is sent only where it still does, and the inbox tells each notification afresh, so one whose subject
the reader can no longer see is withdrawn without naming anyone.
"""

from __future__ import annotations

import datetime
import importlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Count, F, QuerySet
from django.http import Http404
from django.utils import timezone

from notifications.models import DigestEmail, Notification, NotificationPreference
from sharing.models import User
from sharing.selectors import users_with_roles

logger = logging.getLogger(__name__)

Kind, Delivery = Notification.Kind, Notification.Delivery

# What a user gets until they choose: the urgent at once, the rest in the daily digest.
DEFAULT_DELIVERY: dict[str, str] = dict.fromkeys(Kind.values, Delivery.DIGEST)
DEFAULT_DELIVERY.update(
    {
        Kind.REVIEW_OVERDUE: Delivery.IMMEDIATE,
        Kind.ISA_ENDED: Delivery.IMMEDIATE,
        Kind.REFUSAL_BURST: Delivery.IMMEDIATE,
    }
)

BATCH = 1000


@dataclass(frozen=True)
class Reminder:
    """One thing due for one user, as a sweep finds it: ids only (the link is a path of ids)."""

    recipient_id: int
    kind: str
    subject: str
    due_on: datetime.date
    link: str

    @property
    def key(self) -> tuple[int, str, str, datetime.date]:
        return (self.recipient_id, self.kind, self.subject, self.due_on)


# --- What a notification says, told when it is shown -------------------------------------------------


class Told(Protocol):
    """A reminder or a stored notification: what a teller reads of it."""

    @property
    def kind(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def due_on(self) -> datetime.date: ...


@dataclass(frozen=True)
class Notice:
    """One notification to tell one reader."""

    reader: User
    kind: str
    subject: str
    due_on: datetime.date

    @property
    def subject_id(self) -> int:
        """The id in the subject ("nominal:12" -> 12)."""
        return int(self.subject.rpartition(":")[2])


# A teller says what each notice of its kind tells its reader on a day, or None where the reader may
# not see its subject then; in a fixed number of queries whatever the number of notices (it may take
# one per reader's agency, or per reader, where the rule is theirs alone).
Teller = Callable[[Sequence[Notice], datetime.date], list[str | None]]

# Every kind's teller, "app.module.function", next to the sweep that finds the kind.
# tests/notifications/test_notification_gate.py fails for a kind without one.
TELLERS: dict[str, str] = {
    Kind.REVIEW_DUE: "cohorts.sweeps.reviews_told",
    Kind.REVIEW_OVERDUE: "cohorts.sweeps.reviews_told",
    Kind.TRANSITION_NO_PLAN: "cohorts.sweeps.no_plans_told",
    Kind.TRANSITION_STEP_DUE: "cohorts.sweeps.steps_told",
    Kind.Y2A_CONSIDER: "referrals.sweeps.milestones_told",
    Kind.Y2A_LIAISON: "referrals.sweeps.milestones_told",
    Kind.Y2A_HANDOVER: "referrals.sweeps.milestones_told",
    Kind.ISA_REVIEW_DUE: "cohorts.agreement_sweeps.agreements_told",
    Kind.ISA_ENDING: "cohorts.agreement_sweeps.agreements_told",
    Kind.ISA_ENDED: "cohorts.agreement_sweeps.agreements_told",
    Kind.MEETING_REMINDER: "meetings.sweeps.meetings_told",
    Kind.ACTION_DUE: "meetings.sweeps.actions_told",
    Kind.RELEASE_DUE: "referrals.sweeps.releases_told",
    Kind.REFUSAL_BURST: "cohorts.refusals.refusal_bursts_told",
}


def teller_of(path: str) -> Teller:
    module, _, function = path.rpartition(".")
    teller: Teller = getattr(importlib.import_module(module), function)
    return teller


def notices_tell(notices: Sequence[Notice], on: datetime.date | None = None) -> list[str | None]:
    """What each notice tells its reader on the day (default today), or None where the reader may not
    see its subject: each kind's teller decides by the sharing rules, in bulk."""
    on = on or timezone.localdate()
    told: list[str | None] = [None] * len(notices)
    by_teller: dict[str, list[int]] = {}
    for index, notice in enumerate(notices):
        by_teller.setdefault(TELLERS[notice.kind], []).append(index)
    for path, indexes in by_teller.items():
        texts = teller_of(path)([notices[index] for index in indexes], on)
        for index, text in zip(indexes, texts, strict=True):
            told[index] = text
    return told


def notifications_tell(
    reader: User, notifications: Iterable[Told], on: datetime.date | None = None
) -> list[str | None]:
    """What each of one reader's notifications tells them now (None: withdrawn)."""
    return notices_tell([Notice(reader, n.kind, n.subject, n.due_on) for n in list(notifications)], on)


def reminders_tell(reminders: Sequence[Reminder], on: datetime.date | None = None) -> list[str | None]:
    """What each reminder would tell its recipient on the day (None: nothing, they may not see it)."""
    readers = users_with_roles(reminder.recipient_id for reminder in reminders)
    known = [reminder for reminder in reminders if reminder.recipient_id in readers]
    told = iter(notices_tell([Notice(readers[r.recipient_id], r.kind, r.subject, r.due_on) for r in known], on))
    return [next(told) if reminder.recipient_id in readers else None for reminder in reminders]


def reminders_allowed(reminders: Sequence[Reminder], on: datetime.date | None = None) -> list[Reminder]:
    """The reminders whose teller tells their recipient something: a sweep never stores one the
    recipient may not see (a licence end their agency is not shared, a person no longer theirs)."""
    told = reminders_tell(reminders, on)
    return [reminder for reminder, text in zip(reminders, told, strict=True) if text is not None]


def deliveries_of(user_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """Each user's chosen delivery by kind (only the choices made; the rest take DEFAULT_DELIVERY)."""
    rows = NotificationPreference.objects.filter(user_id__in=set(user_ids)).values_list("user_id", "kind", "delivery")
    return {(user_id, kind): delivery for user_id, kind, delivery in rows}


def reminders_send(
    reminders: Iterable[Reminder], on: datetime.date | None = None, *, run_id: int | None = None, kick: bool = True
) -> list[int]:
    """Store each reminder its recipient may be told (reminders_allowed, on the day) unless its key
    is stored already, a thousand a statement; the new ones to be emailed at once are owed an email,
    and (unless kick is False) the outbox is asked to run when the transaction commits. Returns the
    new ids."""
    unique = list({reminder.key: reminder for reminder in reminders}.values())
    if not unique:
        return []
    unique = reminders_allowed(unique, on)
    if not unique:
        return []
    chosen = deliveries_of(reminder.recipient_id for reminder in unique)
    created: list[tuple[int, str]] = []
    now = timezone.now()
    table = Notification._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(unique), BATCH):
            batch = unique[start : start + BATCH]
            rows: list[str] = []
            params: list[Any] = []
            for reminder in batch:
                delivery = chosen.get((reminder.recipient_id, reminder.kind), DEFAULT_DELIVERY[reminder.kind])
                rows.append("(%s, %s, %s, %s, %s, %s, %s, %s, %s)")
                params += [
                    reminder.recipient_id,
                    reminder.kind,
                    reminder.subject,
                    reminder.due_on,
                    reminder.link[:300],
                    delivery,
                    now,
                    now if delivery == Delivery.IMMEDIATE else None,
                    run_id,
                ]
            cursor.execute(
                f"INSERT INTO {table} (recipient_id, kind, subject, due_on, link, delivery, created_at, "  # noqa: S608 (our table's name; values are parameters)
                f"email_owed_since, run_id) VALUES {', '.join(rows)} "
                "ON CONFLICT (recipient_id, kind, subject, due_on) DO NOTHING RETURNING id, delivery",
                params,
            )
            created.extend(cursor.fetchall())
        if kick and any(delivery == Delivery.IMMEDIATE for _, delivery in created):
            transaction.on_commit(_outbox_kick, robust=True)
    return [pk for pk, _ in created]


def _outbox_kick() -> None:
    from notifications.outbox import outbox_kick

    outbox_kick()


# More than this many of one kind are one entry, in the inbox and in an email: "47 x Supervisor
# review overdue", listed behind it, rather than 47 lines (a supervisor had 113 on one day).
GROUP_OVER = 5


def email_body(kinds: Sequence[tuple[str, datetime.date]], link: str) -> str:
    """What is due, by kind: a line each, or one line for a kind with more than GROUP_OVER."""
    by_kind: dict[str, list[datetime.date]] = {}
    for kind, due_on in kinds:
        by_kind.setdefault(kind, []).append(due_on)
    lines = ["You have something due in Integrated Offender Management:", ""]
    for kind, dates in by_kind.items():
        if len(dates) > GROUP_OVER:
            lines.append(f"- {len(dates)} x {Kind(kind).label}, the first due {min(dates):%-d %B %Y}")
        else:
            lines += [f"- {Kind(kind).label}, due {due_on:%-d %B %Y}" for due_on in dates]
    lines += ["", f"Sign in to see it: {settings.IOM_BASE_URL}{link}", "", "This email holds no personal details."]
    return "\n".join(lines)


@transaction.atomic
def digest_send(*, recipient: User, day: datetime.date) -> DigestEmail | None:
    """The day's digest for one user: what arrived for the digest and has not been emailed, in one
    email, once a day (a second call that day does nothing). Emails owed at once are the outbox's."""
    if DigestEmail.objects.filter(recipient=recipient, day=day).exists() or not recipient.email:
        return None
    waiting = list(
        Notification.objects.select_for_update()
        .filter(recipient=recipient, delivery=Delivery.DIGEST, emailed_at__isnull=True, no_longer_due_at=None)
        .order_by("due_on", "pk")
    )
    told = notifications_tell(recipient, waiting)
    waiting = [notification for notification, text in zip(waiting, told, strict=True) if text is not None]
    if not waiting:
        return None
    digest, created = DigestEmail.objects.get_or_create(recipient=recipient, day=day, defaults={"items": len(waiting)})
    if not created:
        return None
    Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(emailed_at=timezone.now())
    EmailMessage(
        subject=f"IOM: {len(waiting)} things due",
        body=email_body([(n.kind, n.due_on) for n in waiting], "/notifications/"),
        to=[recipient.email],
        headers={"Message-ID": f"<digest-{recipient.pk}-{day:%Y%m%d}@{settings.IOM_EMAIL_DOMAIN}>"},
    ).send()
    return digest


def digest_recipients(day: datetime.date) -> QuerySet[User]:
    """Users with something waiting for the digest and no digest yet on the day."""
    waiting = Notification.objects.filter(
        delivery=Delivery.DIGEST, emailed_at__isnull=True, no_longer_due_at=None
    ).values("recipient_id")
    sent = DigestEmail.objects.filter(day=day).values("recipient_id")
    return User.objects.filter(pk__in=waiting, is_active=True).exclude(email="").exclude(pk__in=sent)


def digest_due(now: datetime.datetime | None = None) -> datetime.date | None:
    """The day whose digest is due now: today once its time (IOM_DIGEST_AT, 07:00) has passed, so
    the first run after that time sends it, however late; None before it."""
    local = timezone.localtime(now)
    hour, minute = (int(part) for part in settings.IOM_DIGEST_AT.split(":"))
    return local.date() if (local.hour, local.minute) >= (hour, minute) else None


# --- The inbox ---------------------------------------------------------------------------------------


def inbox_of(user: User) -> QuerySet[Notification]:
    """The user's notifications: unread first, the most pressing (earliest due) first, and those no
    longer due last."""
    return Notification.objects.filter(recipient=user).order_by(
        F("no_longer_due_at").asc(nulls_first=True), F("read_at").asc(nulls_first=True), "due_on", "-created_at", "-pk"
    )


@dataclass(frozen=True)
class InboxGroup:
    """Many unread notifications of one kind, shown as one entry of the inbox."""

    kind: str
    count: int
    first_due: datetime.date

    @property
    def label(self) -> str:
        return str(Kind(self.kind).label)


def inbox_groups(user: User) -> list[InboxGroup]:
    """The kinds of which the user has more than GROUP_OVER unread and still due, told now: one entry
    each, the earliest due first. The count and the first date are of the notifications the reader
    is still told (notifications_tell, the one gate), never of those withdrawn. Two queries, and the
    tellers' own (a fixed number whatever the number of notifications)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True, no_longer_due_at=None)
    many = list(
        unread.values("kind").annotate(count=Count("pk")).filter(count__gt=GROUP_OVER).values_list("kind", flat=True)
    )
    if not many:
        return []
    candidates = list(unread.filter(kind__in=many).only("kind", "subject", "due_on"))
    told: dict[str, list[datetime.date]] = {}
    for notification, text in zip(candidates, notifications_tell(user, candidates), strict=True):
        if text is not None:
            told.setdefault(notification.kind, []).append(notification.due_on)
    groups = [InboxGroup(kind, len(dates), min(dates)) for kind, dates in told.items() if len(dates) > GROUP_OVER]
    return sorted(groups, key=lambda group: (group.first_due, group.kind))


def inbox_listed(
    user: User, *, kind: str = "", due_by: datetime.date | None = None, grouped: Iterable[str] = ()
) -> QuerySet[Notification]:
    """The inbox as listed: of one kind, or due by a day (still due and unread), or everything but the
    unread still due of the grouped kinds (their group stands for them)."""
    listed = inbox_of(user)
    if kind:
        return listed.filter(kind=kind)
    if due_by is not None:
        return listed.filter(due_on__lte=due_by, read_at__isnull=True, no_longer_due_at=None)
    return listed.exclude(kind__in=list(grouped), read_at__isnull=True, no_longer_due_at=None)


def due_this_week(user: User, on: datetime.date | None = None) -> int:
    """Unread and still due by a week from today (the overdue among them), that the reader is still
    told (notifications_tell: the withdrawn are not counted)."""
    by = (on or timezone.localdate()) + datetime.timedelta(days=7)
    due = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True, no_longer_due_at=None, due_on__lte=by).only(
            "kind", "subject", "due_on"
        )
    )
    return sum(1 for text in notifications_tell(user, due) if text is not None)


def unread_count(user: User) -> int:
    """Unread and still due."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True, no_longer_due_at=None).count()


def notification_get_for_user(user: User, pk: int) -> Notification:
    """One of the user's own notifications; anyone else's is not found."""
    notification = Notification.objects.filter(recipient=user, pk=pk).first()
    if notification is None:
        raise Http404("No such notification")
    return notification


def notification_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def preferences_of(user: User) -> dict[str, str]:
    """The user's delivery for every kind, defaults filled in."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in Kind.values}


@transaction.atomic
def preferences_save(*, user: User, deliveries: dict[str, str]) -> dict[str, str]:
    """Store the user's choices, one per kind (unknown kinds or deliveries are refused)."""
    for kind, delivery in deliveries.items():
        Kind(kind), Delivery(delivery)  # raise ValueError on anything else
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})
    return preferences_of(user)
