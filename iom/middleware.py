from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SESSION_SIGNED_IN_AT_KEY = "iom_signed_in_at"


class AbsoluteSessionLifetimeMiddleware:
    """Signs a user out once SESSION_ABSOLUTE_LIFETIME_SECONDS have passed since they signed in,
    however active they have been; the idle timeout is the session cookie's own age."""

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
        return self.get_response(request)
