import logging

from celery import shared_task

from cohorts.audit_chain import access_log_check
from cohorts.records.services import grants_reconcile
from notifications.daily import daily_job

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
@daily_job
def reconcile_grants() -> None:
    """Nightly: the materialised grants should already match the rules; log what was fixed."""
    changes = grants_reconcile()
    if changes.total:
        logger.warning(
            "Grant reconciliation fixed %s grants (%s added, %s removed)",
            changes.total,
            changes.added,
            changes.removed,
        )
    else:
        logger.info("Grant reconciliation found nothing to fix")


# The whole log is read: millions of rows take minutes, not the default four.
@shared_task(ignore_result=True, soft_time_limit=3 * 3600, time_limit=3 * 3600 + 60)
@daily_job
def verify_access_log() -> None:
    """Nightly: the access log still matches its hash chain; a broken chain is emailed to the system
    admins and logged as an error (cohorts/audit_chain.py)."""
    access_log_check()
