"""Where a refusal is logged (cohorts/refusals.py): one hook for pages, one for the API (its exception
handler's signal, sharing/error_policy.py), one for a sign-in lockout. Each knows who asked and where; the
refusal itself says what and why. None of them changes the answer: the user sees the same 404 as for
a record that does not exist."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse

from cohorts.records.services import access_refusal_record
from cohorts.refusals import refusal_of
from sharing.models import User

logger = logging.getLogger(__name__)


def refusal_record(user: Any, error: BaseException, path: str) -> None:
    """Log the refusal an error carries, if it carries one; an error that carries none is let be."""
    refusal = refusal_of(error)
    if refusal is None or not isinstance(user, User):
        return
    # In a savepoint, and a failure only reported: were a failed write to fail the request, a 500 for
    # a record that exists against a 404 for one that does not would tell which ids are real.
    try:
        with transaction.atomic():
            access_refusal_record(user=user, nominal_id=refusal.nominal_id, reason=refusal.reason, path=path)
    except DatabaseError:
        logger.exception("Could not log the refusal of %s to user %s", path, user.pk)


class RefusalLogMiddleware:
    """Pages: a view's error that carries a refusal is logged, then answered as it would have been."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        refusal_record(request.user, exception, request.path)


def sign_in_lockout_record(*, request: HttpRequest | None, username: str, ip_address: str | None) -> None:
    """django-axes locked an account, or refused a sign-in to one locked: a refusal against the
    account. A username that is no one's has no account to log it against (an access event names a
    user), so the application log has it."""
    user = User.objects.filter(username=username).select_related("agency").first() if username else None
    if user is None:
        logger.warning("Sign-in lockout for %r, which is no user's username, from %s", username, ip_address)
        return
    reason = (
        f"Sign-in refused: the account is locked after {settings.AXES_FAILURE_LIMIT} failed sign-ins "
        f"(this attempt from {ip_address or 'an unknown address'})"
    )
    access_refusal_record(user=user, nominal_id=None, reason=reason, path=request.path if request else "")
