from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SESSION_SIGNED_IN_AT_KEY = "iom_signed_in_at"
SESSION_RENEWED_AT_KEY = "iom_renewed_at"


class AbsoluteSessionLifetimeMiddleware:
    """Signs a user out once SESSION_ABSOLUTE_LIFETIME_SECONDS have passed since they signed in,
    however active they have been; the idle timeout is the session's own age, renewed while the
    user is active (at most once every SESSION_RENEW_EVERY_SECONDS)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SESSION_SIGNED_IN_AT_KEY)
            now = timezone.now().timestamp()
            if signed_in_at is None or now - float(signed_in_at) > settings.SESSION_ABSOLUTE_LIFETIME_SECONDS:
                logout(request)
                hours = settings.SESSION_ABSOLUTE_LIFETIME_SECONDS / 3600
                messages.info(request, f"For your security you are signed out after {hours:g} hours. Sign in again.")
                return redirect_to_login(request.get_full_path())
            # The idle timeout runs from the last renewal: renewing (a write to the session's row and
            # a new cookie) once a minute rather than on every page keeps it to the minute and
            # saves every page view a database write.
            renewed_at = request.session.get(SESSION_RENEWED_AT_KEY)
            if renewed_at is None or now - float(renewed_at) >= settings.SESSION_RENEW_EVERY_SECONDS:
                request.session[SESSION_RENEWED_AT_KEY] = now
        return self.get_response(request)
