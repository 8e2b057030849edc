from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from shell.middleware import SESSION_SIGNED_IN_AT_KEY


@receiver(user_logged_in)
def remember_sign_in_time(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """The absolute session lifetime counts from sign-in (shell.middleware)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SIGNED_IN_AT_KEY] = timezone.now().timestamp()
