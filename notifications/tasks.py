from smtplib import SMTPException

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


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=900,
    time_limit=960,
    ignore_result=True,
)
def sweep(name: str) -> None:
    """Run one registered sweep (notifications/sweeps.py) for today."""
    from notifications.sweeps import SWEEPS, sweep_run

    if name in SWEEPS:
        sweep_run(name=name)


@shared_task(
    acks_late=True,
    autoretry_for=(*TRANSIENT, SMTPException, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def notification_email_task(notification_id: int) -> None:
    from notifications.services import notification_email_send

    notification_email_send(notification_id=notification_id)


@shared_task(
    acks_late=True,
    autoretry_for=(*TRANSIENT, SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=900,
    time_limit=960,
    ignore_result=True,
)
def digest_sweep() -> None:
    """Each user's daily digest of what waits for it, once a day."""
    from notifications.services import digest_recipients, digest_send

    day = timezone.localdate()
    for recipient in digest_recipients().iterator():
        digest_send(recipient=recipient, day=day)
