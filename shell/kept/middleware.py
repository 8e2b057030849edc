"""The two moments of a kept form: keeping it when it arrives from a signed-out browser, and showing
it to its sender when they are back on its page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from sharing.http import signed_in_user
from sharing.models import User
from shell.kept.selectors import kept_fields_shown, kept_form_for
from shell.kept.services import KEEP_FOR, NOT_KEPT, kept_form_discard, kept_form_keep

# In the browser's session: whose forms it holds, and their tokens ({"user": id, "tokens": [...]}).
# login() keeps an anonymous session's data, so they survive signing in again.
SESSION_KEPT_KEY = "iom_kept_forms"
# Sent with a kept form when it is sent again: the kept form is then deleted.
RESEND_FIELD = "iom_kept_form"
# Set on the request by shell.middleware.AbsoluteSessionLifetimeMiddleware when it signs a user out
# on a POST: who it was, and why, so that the form can be kept for them.
SIGNED_OUT_ATTRIBUTE = "iom_signed_out"
# Set on the request when its form was kept (or found too large to keep), so that it says no more.
FORM_KEPT_ATTRIBUTE = "iom_form_kept"


def minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minutes"


class KeepSignedOutFormMiddleware:
    """A form posted to a page that needs sign-in, by a browser whose session has just expired, is
    kept for its sender (found from the expired session) and they are told so on the sign-in page,
    where LoginRequiredMiddleware, next in line, sends them. Runs after the CSRF check, so only a
    form the page itself gave is kept. A kept form sent again is deleted as it arrives."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> None:
        if request.method != "POST" or request.path_info.startswith("/api/"):
            return
        if request.user.is_authenticated:
            if RESEND_FIELD in request.POST:
                _resent(request)
            return
        if not getattr(view_func, "login_required", True):
            return
        fields = [(name, values) for name, values in request.POST.lists() if name not in NOT_KEPT]
        if not fields and not request.FILES:
            return  # nothing was typed
        signed_out = getattr(request, SIGNED_OUT_ATTRIBUTE, None)
        user_id, why = signed_out or (_expired_sessions_user(request), _idle_reason())
        if user_id is None:
            return
        kept = kept_form_keep(
            user_id=user_id,
            path=request.get_full_path(),
            fields=fields,
            file_fields=list(request.FILES.keys()),
        )
        if kept is None:
            messages.info(request, f"{why} What you typed was too long to keep: sign in to type it again.")
        else:
            held = request.session.get(SESSION_KEPT_KEY) or {"user": user_id, "tokens": []}
            request.session[SESSION_KEPT_KEY] = {"user": user_id, "tokens": [*held["tokens"], kept.token]}
            kept_for = minutes(KEEP_FOR.total_seconds())
            messages.info(request, f"{why} What you typed is kept for {kept_for}: sign in to carry on.")
        setattr(request, FORM_KEPT_ATTRIBUTE, True)


def _idle_reason() -> str:
    return f"You were signed out after {minutes(settings.SESSION_IDLE_TIMEOUT_SECONDS)} without activity."


def _expired_sessions_user(request: HttpRequest) -> int | None:
    """Who was signed in on this browser before its session expired: from the anonymous session a
    form kept earlier started, else from the expired session's row (until the daily job clears it).
    None for a browser no one active was signed in on."""
    held = request.session.get(SESSION_KEPT_KEY)
    if held:
        return int(held["user"])
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return None
    expired = Session.objects.filter(session_key=session_key, expire_date__lte=timezone.now()).first()
    if expired is None:
        return None
    user_id = expired.get_decoded().get(SESSION_KEY)
    if user_id is None or not User.objects.filter(pk=user_id, is_active=True).exists():
        return None
    return int(user_id)


def _resent(request: HttpRequest) -> None:
    """A kept form sent again: delete it, and let the view see the form as it was first posted."""
    token = request.POST[RESEND_FIELD]
    if kept_token_forget(request, token):
        kept_form_discard(user_id=signed_in_user(request).pk, token=token)
    posted = request.POST.copy()
    del posted[RESEND_FIELD]
    posted._mutable = False
    request.POST = posted  # type: ignore[assignment]


def kept_token_forget(request: HttpRequest, token: str) -> bool:
    """Take a kept form's token out of the browser's session: True if the session held it."""
    held = request.session.get(SESSION_KEPT_KEY)
    if not held or token not in held["tokens"]:
        return False
    request.session[SESSION_KEPT_KEY] = {**held, "tokens": [other for other in held["tokens"] if other != token]}
    return True


class KeptFormPageMiddleware:
    """A page with a form kept for the signed-in user shows "Your work was kept" instead of itself:
    what they typed, to send again or discard. Only when the page itself would show (its view
    answered 200, its own checks passed and its view logged), so a kept form shows nothing a page
    would no longer show them. Placed after the Content-Security-Policy middleware, so the page
    gets the same headers as any other."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method != "GET" or response.status_code != 200 or not request.user.is_authenticated:
            return response
        held = request.session.get(SESSION_KEPT_KEY)
        if not held or not held["tokens"]:
            return response
        kept = kept_form_for(user_id=request.user.pk, tokens=held["tokens"], path=request.path)
        if kept is None:
            return response
        page = render(
            request,
            "kept_form.html",
            {
                "kept": kept,
                "fields": kept_fields_shown(kept, _page_html(response)),
                "kept_until": kept.kept_at + KEEP_FOR,
                "resend_field": RESEND_FIELD,
            },
        )
        add_never_cache_headers(page)
        return page


def _page_html(response: HttpResponse) -> str:
    """The page's HTML, where it has some (its questions name the kept answers)."""
    if getattr(response, "streaming", False) or "html" not in response.get("Content-Type", ""):
        return ""
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response.content.decode(response.charset or "utf-8", errors="replace")
