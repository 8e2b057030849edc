"""The outbox: every email owed at once is state in the database (Notification.email_owed_since, not
yet emailed_at), and outbox_send sends what is owed, whoever stored it and whatever happened since.

A sweep stores its reminders and asks for one outbox run when it commits; beat runs the outbox every
minute too. So an email owed when the broker was down, or when a worker died after the sweep
committed, is sent by the next run: nothing waits on the broker per reminder, and nothing is lost.

Each recipient's owed rows are claimed together, locked with SKIP LOCKED, so two senders share the
work and never send the same row; the rows are marked emailed in the transaction that sends them.
A sender killed before that transaction commits leaves the rows owed, and the next run sends them.
The one case left is a kill between the mail server's acceptance and the commit, a few milliseconds:
the email is then sent again, with the same Message-ID, which mail clients show once.

One gate: what is owed is told again, through the sharing rules, when it is sent: a reminder whose
subject the recipient may no longer see is not emailed (and no longer owed).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from notifications.models import Notification
from notifications.services import email_body, notifications_tell
from sharing.models import User

logger = logging.getLogger(__name__)

# Recipients read a round at a time: each is then claimed and sent in a transaction of its own.
ROUND = 200


@dataclass(frozen=True)
class OutboxResult:
    emails: int  # emails sent
    notifications: int  # notifications they told
    withdrawn: int  # owed, but no longer the recipient's to see: not sent


def owed() -> QuerySet[Notification]:
    """The notifications owed an email at once and not emailed yet."""
    return Notification.objects.filter(email_owed_since__isnull=False, emailed_at__isnull=True, no_longer_due_at=None)


def outbox_send(*, max_recipients: int | None = None) -> OutboxResult:
    """Send every email owed now (or those of the first max_recipients recipients), oldest first,
    through one connection to the mail server (opened only when something is owed)."""
    if not owed().exists():
        return OutboxResult(emails=0, notifications=0, withdrawn=0)
    with get_connection() as connection:
        return _outbox_send(connection, max_recipients)


def _outbox_send(connection: BaseEmailBackend, max_recipients: int | None) -> OutboxResult:
    emails = told = withdrawn = 0
    done = 0
    while max_recipients is None or done < max_recipients:
        round_size = ROUND if max_recipients is None else min(ROUND, max_recipients - done)
        recipients = list(
            owed()
            .values("recipient_id")
            .annotate(oldest=Min("email_owed_since"))
            .order_by("oldest", "recipient_id")
            .values_list("recipient_id", flat=True)[:round_size]
        )
        if not recipients:
            break
        progress = 0
        for recipient_id in recipients:
            sent = recipient_emails_send(recipient_id=recipient_id, connection=connection)
            if sent is None:
                continue  # another sender holds them
            progress += 1
            emails, told, withdrawn = emails + sent.emails, told + sent.notifications, withdrawn + sent.withdrawn
        done += len(recipients)
        if not progress:
            break  # every owed recipient is being sent by someone else
    return OutboxResult(emails=emails, notifications=told, withdrawn=withdrawn)


@transaction.atomic
def recipient_emails_send(*, recipient_id: int, connection: BaseEmailBackend | None = None) -> OutboxResult | None:
    """Send one recipient what they are owed, once: their owed rows are locked (None: another sender
    holds them), told again, sent, and marked in this transaction. More than
    IOM_EMAILS_AT_ONCE_MAX of one kind go as one email with their count."""
    rows = list(owed().filter(recipient_id=recipient_id).select_for_update(skip_locked=True).order_by("due_on", "pk"))
    if not rows:
        return None
    recipient = User.objects.get(pk=recipient_id)
    now = timezone.now()
    if not recipient.is_active or not recipient.email:
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(email_owed_since=None)
        return OutboxResult(emails=0, notifications=0, withdrawn=len(rows))
    told = notifications_tell(recipient, rows)
    shown = [row for row, text in zip(rows, told, strict=True) if text is not None]
    gone = [row.pk for row, text in zip(rows, told, strict=True) if text is None]
    if gone:
        Notification.objects.filter(pk__in=gone).update(email_owed_since=None)
    by_kind: dict[str, list[Notification]] = {}
    for row in shown:
        by_kind.setdefault(row.kind, []).append(row)
    emails = 0
    for kind_rows in by_kind.values():
        if len(kind_rows) > settings.IOM_EMAILS_AT_ONCE_MAX:
            _send(recipient, kind_rows, together=True, connection=connection)
            emails += 1
        else:
            for row in kind_rows:
                _send(recipient, [row], together=False, connection=connection)
                emails += 1
    Notification.objects.filter(pk__in=[row.pk for row in shown]).update(emailed_at=now)
    return OutboxResult(emails=emails, notifications=len(shown), withdrawn=len(gone))


def _send(recipient: User, rows: list[Notification], *, together: bool, connection: BaseEmailBackend | None) -> None:
    first = rows[0]
    label = first.get_kind_display()
    if together:
        subject = f"IOM: {label} ({len(rows)})"
        body = email_body([(row.kind, row.due_on) for row in rows], "/notifications/")
    else:
        subject = f"IOM: {label}"
        body = email_body([(first.kind, first.due_on)], "/notifications/")
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[recipient.email],
        headers={"Message-ID": f"<notification-{first.pk}-{len(rows)}@{settings.IOM_EMAIL_DOMAIN}>"},
        connection=connection,
    )
    message.send()


@dataclass(frozen=True)
class Backlog:
    owed: int
    oldest: datetime.datetime | None

    @property
    def age(self) -> datetime.timedelta | None:
        return None if self.oldest is None else timezone.now() - self.oldest


def outbox_backlog() -> Backlog:
    """How many emails are owed, and since when the oldest (one query, on the outbox's index)."""
    row = owed().aggregate(owed=Count("pk"), oldest=Min("email_owed_since"))
    return Backlog(owed=row["owed"], oldest=row["oldest"])


def outbox_kick() -> bool:
    """Ask a worker for one outbox run now, without waiting on a broker that is down (beat's
    minute-by-minute run sends the emails then). Whether the request was queued."""
    from notifications.tasks import outbox_send_task

    try:
        outbox_send_task.apply_async(retry=False)
    except Exception:
        logger.warning("The outbox could not be asked to run now; its next scheduled run sends what is owed.")
        return False
    return True
