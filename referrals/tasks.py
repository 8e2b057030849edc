from celery import shared_task

from referrals.services import referral_decision_notify


@shared_task(
    ignore_result=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def referral_decision_notify_task(*, decision_id: int) -> None:
    """Tell the referrer (and their supervisor) a referral was decided."""
    referral_decision_notify(decision_id=decision_id)
