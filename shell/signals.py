from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from shell.kept.middleware import SESSION_KEPT_KEY
from shell.kept.services import kept_forms_discard_all
from shell.middleware import SESSION_RENEWED_AT_KEY, SESSION_SIGNED_IN_AT_KEY


@receiver(user_logged_in)
def remember_sign_in_time(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """The absolute session lifetime counts from sign-in, and the idle timeout from the last renewal,
    which signing in is (shell.middleware)."""
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SESSION_SIGNED_IN_AT_KEY] = now
        request.session[SESSION_RENEWED_AT_KEY] = now


@receiver(user_logged_in)
def drop_someone_elses_kept_forms(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Forms kept on this browser for someone else (shell.kept) are deleted when another user signs in
    on it: that user never sees them, and their sender cannot reach them from another browser."""
    if request is None or not hasattr(request, "session"):
        return
    held = request.session.get(SESSION_KEPT_KEY)
    if held and int(held["user"]) != user.pk:
        kept_forms_discard_all(tokens=held["tokens"])
        del request.session[SESSION_KEPT_KEY]
