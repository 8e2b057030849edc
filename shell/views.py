import math
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sharing.roles import is_iom_unit_agency
from shell.forms import SignInForm
from shell.health import health_report, outbox_backlog
from shell.home import (
    duplicates_notice,
    everyone_actions,
    home_sections,
    meeting_actions_notice,
    next_meetings,
    overdue_reviews_notice,
)
from shell.middleware import session_renew, session_seconds_left


class SignInView(LoginView):
    template_name = "registration/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True


def sign_in_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """What django-axes answers a sign-in to a locked account (settings: AXES_*): 429, and when to
    try again, never whether the password was right."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "home.html",
        {
            "sections": home_sections(
                user.roles,  # type: ignore[union-attr]
                iom_team=is_iom_unit_agency(user.agency),  # type: ignore[union-attr]
            ),
            "everyone_actions": everyone_actions(),
            "review_notice": overdue_reviews_notice(user),  # type: ignore[arg-type]
            "actions_notice": meeting_actions_notice(user),  # type: ignore[arg-type]
            "duplicates_notice": duplicates_notice(user),  # type: ignore[arg-type]
            "next_meetings": next_meetings(user),  # type: ignore[arg-type]
        },
    )


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 naming what is down; "degraded" (still 200:
    pages serve) when beat, the workers, a sweep or the outbox is late, so reminders are. With the
    database up, the outbox's backlog: how many emails are owed, and since when the oldest."""
    checks = health_report()
    serving = checks["database"] == "ok" and checks["broker"] == "ok"
    status = "unavailable" if not serving else "ok" if all(state == "ok" for state in checks.values()) else "degraded"
    answer: dict[str, object] = {"status": status, "checks": checks}
    if checks["database"] == "ok":
        backlog = outbox_backlog()
        answer["outbox"] = {"owed": backlog.owed, "oldest": backlog.oldest.isoformat() if backlog.oldest else None}
    return JsonResponse(answer, status=200 if serving else 503)


@login_not_required
@never_cache
@require_GET
def session_time_left(request: HttpRequest) -> JsonResponse:
    """How many seconds the session has left, for the timeout warning (static/js/session-timeout.mjs),
    which asks before it shows: another tab may have renewed the session. Asking does not renew it;
    signed out, it is 0."""
    return JsonResponse({"seconds_left": session_seconds_left(request)})


@login_not_required
@never_cache
@require_POST
def session_stay_signed_in(request: HttpRequest) -> JsonResponse:
    """The timeout warning's "Stay signed in": the session is renewed; how many seconds it then has
    (0 when already signed out: the warning then says so)."""
    seconds_left = session_renew(request) if request.user.is_authenticated else 0
    return JsonResponse({"seconds_left": seconds_left})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    # No context processors: a 500 must render even when the database is the problem.
    from django.template import loader

    return HttpResponse(
        loader.get_template("500.html").render({"service_name": "Integrated Offender Management"}), status=500
    )
