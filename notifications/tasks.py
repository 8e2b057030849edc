from smtplib import SMTPException
from typing import TypedDict

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

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
# A sweep runs for up to a quarter of an hour.
SWEEP_LIMITS: _Limits = {"soft_time_limit": 900, "time_limit": 960}


@shared_task(**AT_LEAST_ONCE, **SWEEP_LIMITS, autoretry_for=TRANSIENT, retry_backoff_max=300, max_retries=5)
def sweep(name: str) -> None:
    """Run one registered sweep (notifications/sweeps.py) for today."""
    from notifications.sweeps import SWEEPS, sweep_run

    if name in SWEEPS:
        sweep_run(name=name)


@shared_task(
    **AT_LEAST_ONCE,
    autoretry_for=(*TRANSIENT, SMTPException, ConnectionError),
    retry_backoff_max=600,
    max_retries=6,
    soft_time_limit=60,
    time_limit=90,
)
def notification_email_task(notification_id: int) -> None:
    from notifications.services import notification_email_send

    notification_email_send(notification_id=notification_id)


@shared_task(**AT_LEAST_ONCE, **SWEEP_LIMITS, autoretry_for=(*TRANSIENT, SMTPException, ConnectionError), max_retries=5)
def digest_sweep() -> None:
    """Each user's daily digest of what waits for it, once a day."""
    from notifications.services import digest_recipients, digest_send

    day = timezone.localdate()
    for recipient in digest_recipients().iterator():
        digest_send(recipient=recipient, day=day)
