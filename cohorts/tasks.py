import logging

from celery import shared_task

from cohorts.services import grants_reconcile

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
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
