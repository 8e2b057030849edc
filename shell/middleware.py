import math
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from shell.kept.middleware import FORM_KEPT_ATTRIBUTE, SIGNED_OUT_ATTRIBUTE

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
                return self._sign_out(request)
            # The idle timeout runs from the last renewal: renewing (a write to the session's row and
            # a new cookie) once a minute rather than on every page keeps it to the minute and
            # saves every page view a database write. Asking how long is left is not activity.
            renewed_at = request.session.get(SESSION_RENEWED_AT_KEY)
            due = renewed_at is None or now - float(renewed_at) >= settings.SESSION_RENEW_EVERY_SECONDS
            if due and request.path_info != reverse("session-time-left"):
                request.session[SESSION_RENEWED_AT_KEY] = now
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest) -> HttpResponse:
        """Sign the user out and send them to sign in again. A form they posted goes on, signed out,
        to be kept for them (shell.kept.middleware) before the sign-in page is reached."""
        user_id = request.user.pk
        logout(request)
        hours = settings.SESSION_ABSOLUTE_LIFETIME_SECONDS / 3600
        why = f"For your security you are signed out after {hours:g} hours."
        if request.method != "POST":
            messages.info(request, f"{why} Sign in again.")
            return redirect_to_login(request.get_full_path())
        setattr(request, SIGNED_OUT_ATTRIBUTE, (user_id, why))
        response = self.get_response(request)
        if not getattr(request, FORM_KEPT_ATTRIBUTE, False):
            messages.info(request, f"{why} Sign in again.")
        return response


def session_seconds_left(request: HttpRequest) -> int:
    """How long the signed-in user's session has before it ends: at its stored expiry (its last
    renewal and the idle timeout) or at its absolute lifetime, whichever is sooner; 0 when signed out."""
    if not request.user.is_authenticated or not request.session.session_key:
        return 0
    now = timezone.now()
    expires = Session.objects.filter(session_key=request.session.session_key).values_list("expire_date", flat=True)
    idle_left = max(((expires.first() or now) - now).total_seconds(), 0)
    # Rounded up: 0 only once the session has ended, never a moment before.
    return min(math.ceil(idle_left), _absolute_seconds_left(request, now.timestamp()))


def session_renew(request: HttpRequest) -> int:
    """Renew the signed-in user's session now (the idle timeout starts again): how long it then has."""
    now = timezone.now().timestamp()
    request.session[SESSION_RENEWED_AT_KEY] = now
    return min(settings.SESSION_IDLE_TIMEOUT_SECONDS, _absolute_seconds_left(request, now))


def _absolute_seconds_left(request: HttpRequest, now: float) -> int:
    signed_in_at = float(request.session.get(SESSION_SIGNED_IN_AT_KEY) or now)
    return max(math.ceil(signed_in_at + settings.SESSION_ABSOLUTE_LIFETIME_SECONDS - now), 0)


class SafeMethodsMiddleware:
    """HEAD and OPTIONS reveal nothing and record nothing.

    - OPTIONS is answered here, before any view: the methods the address accepts, and no body. A
      view never runs, so no record is read, shown or logged.
    - HEAD runs the view as GET does, so it answers with the same status (404 out of scope, 302 to
      sign in), but inside a transaction that is rolled back: the access event the view writes, and
      anything else, is undone, and the body is dropped. HEAD is safe, as HTTP says it must be."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=200)
            response["Allow"] = ", ".join(_allowed_methods(request.path_info))
            response["Content-Length"] = "0"
            return response
        if request.method != "HEAD":
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            transaction.set_rollback(True)
        if not response.streaming:
            response.content = b""
        return response


def _allowed_methods(path: str) -> list[str]:
    """The methods the view at the path accepts: a class-based view's (DRF's included), else the
    methods a page takes."""
    try:
        view = resolve(path).func
    except Resolver404:
        return ["GET", "HEAD", "OPTIONS"]
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if view_class is None:
        return ["GET", "HEAD", "POST", "OPTIONS"]
    names = [name for name in view_class.http_method_names if name == "options" or hasattr(view_class, name)]
    if "get" in names and "head" not in names:
        names.append("head")
    return sorted({name.upper() for name in names})


class RecordMovedMiddleware:
    """A page of a record merged into another leads to the same page of the record kept,
    for a GET (a form posted to the old address is a 404: it may not mean the same there)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from cohorts.records.selectors import RecordMoved

        if not isinstance(exception, RecordMoved) or request.method not in ("GET", "HEAD"):
            return None
        old, new = f"/people/{exception.old_pk}/", f"/people/{exception.new_pk}/"
        if old not in request.path:
            return None
        query = request.META.get("QUERY_STRING", "")
        return redirect(request.path.replace(old, new, 1) + (f"?{query}" if query else ""))
