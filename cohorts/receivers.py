from typing import Any

from axes.signals import user_locked_out
from django.dispatch import receiver
from django.http import HttpRequest

from cohorts.access import grants_recompute
from cohorts.refusal_hooks import refusal_record, sign_in_lockout_record
from sharing.error_policy import api_error_answered
from sharing.signals import agreement_changed


@receiver(agreement_changed)
def recompute_grants_of_the_parties(sender: Any, agency_ids: list[int], **kwargs: Any) -> None:
    """An agreement changed: the parties' access to the cohort follows in the same transaction."""
    grants_recompute(agency_ids=agency_ids)


@receiver(api_error_answered)
def record_the_api_refusal(sender: Any, request: Any, error: BaseException, **kwargs: Any) -> None:
    """The API answered an error: where it carries a refusal (a record out of scope), it is logged."""
    refusal_record(request.user, error, request.path)


@receiver(user_locked_out)
def record_the_lockout(
    sender: Any, request: HttpRequest | None = None, username: str = "", ip_address: str | None = None, **kwargs: Any
) -> None:
    """A sign-in refused by django-axes' lockout is a refusal in the access log."""
    sign_in_lockout_record(request=request, username=username or "", ip_address=ip_address)
