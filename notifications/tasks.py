from smtplib import SMTPException
from typing import TypedDict

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from notifications.heartbeats import heartbeat_record


@shared_task(ignore_result=True)
def heartbeat(name: str = "beat") -> None:
    heartbeat_record(name=name)


# --- Reminders: at least once from the broker (acks_late), exactly once in effect (the
# services store and send by key), retried with backoff on errors that pass, bounded in time. ---------

TRANSIENT = (OperationalError, InterfaceError)


class _AtLeastOnce(TypedDict):
    acks_late: bool
    retry_backoff: bool
    ignore_result: bool


class _Limits(TypedDict):
    soft_time_limit: int
    time_limit: int


# What every reminder task shares: acknowledged after it runs, retried with backoff, no result kept.
AT_LEAST_ONCE: _AtLeastOnce = {"acks_late": True, "retry_backoff": True, "ignore_result": True}
# A sweep (and an outbox run) may take up to IOM_SWEEP_TIME_LIMIT (16 minutes), warned a minute before.
SWEEP_LIMITS: _Limits = {
    "soft_time_limit": settings.IOM_SWEEP_TIME_LIMIT - 60,
    "time_limit": settings.IOM_SWEEP_TIME_LIMIT,
}


@shared_task(**AT_LEAST_ONCE, **SWEEP_LIMITS, autoretry_for=TRANSIENT, retry_backoff_max=300, max_retries=5)
def sweep(name: str) -> None:
    """Run one registered sweep (notifications/sweeps.py) for today."""
    from notifications.sweeps import SWEEPS, sweep_run

    if name in SWEEPS:
        sweep_run(name=name)


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def daily_jobs() -> None:
    """Send each daily job due and not done today (notifications/daily.py)."""
    from notifications.daily import daily_jobs_dispatch

    daily_jobs_dispatch()


# A run cut short leaves the rest owed, for the next.
@shared_task(**AT_LEAST_ONCE, **SWEEP_LIMITS, autoretry_for=(*TRANSIENT, SMTPException, ConnectionError), max_retries=5)
def outbox_send_task() -> None:
    """Send every email owed at once (notifications/outbox.py)."""
    from notifications.outbox import outbox_send

    outbox_send()


@shared_task(**AT_LEAST_ONCE, **SWEEP_LIMITS, autoretry_for=(*TRANSIENT, SMTPException, ConnectionError), max_retries=5)
def digest_sweep() -> None:
    """Each user's daily digest of what waits for it, once a day: the first run after the digest's
    time sends the day's digests not sent yet, so a run missed in an outage is made up by the next."""
    from notifications.services import digest_due, digest_recipients, digest_send

    day = digest_due()
    if day is None:
        return
    for recipient in digest_recipients(day).iterator():
        digest_send(recipient=recipient, day=day)
