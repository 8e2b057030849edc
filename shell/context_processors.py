from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from sharing.roles import Role, is_iom_team, may_refer
from shell.kept.services import KEEP_FOR


def service(request: HttpRequest) -> dict[str, Any]:
    """What every page's shell needs: the service's name and phase, the navigation, and when the
    timeout warning shows (static/js/session-timeout.mjs)."""
    user = getattr(request, "user", None)
    navigation: list[dict[str, Any]] = []
    if user is not None and user.is_authenticated:
        path = request.path
        home = reverse("home")
        navigation.append({"text": "Home", "href": home, "active": path == home})
        people = reverse("nominal-list")
        navigation.append({"text": "People", "href": people, "active": path.startswith(people)})
        if set(user.roles) != {Role.SYSTEM_ADMIN}:
            cohort = reverse("cohort-list")
            navigation.append({"text": "Cohort", "href": cohort, "active": path.startswith(cohort)})
        if may_refer(user) or is_iom_team(user):
            referrals = reverse("referral-list")
            navigation.append({"text": "Referrals", "href": referrals, "active": path.startswith(referrals)})
        meetings = reverse("meeting-list")  # everyone: the list shows only the meetings they may see
        navigation.append({"text": "Meetings", "href": meetings, "active": path.startswith(meetings)})
        agreements = reverse("agreement-list")
        navigation.append({"text": "Sharing agreements", "href": agreements, "active": path.startswith(agreements)})
        if user.has_role(Role.SYSTEM_ADMIN):
            admin = reverse("admin:index")
            navigation.append({"text": "System administration", "href": admin, "active": path.startswith(admin)})
            sweeps = reverse("sweep-operations")
            navigation.append({"text": "Sweeps and emails", "href": sweeps, "active": path.startswith(sweeps)})
        docs = reverse("api-docs")
        navigation.append({"text": "API", "href": docs, "active": path.startswith("/api/")})
    return {
        "service_name": settings.IOM_SERVICE_NAME,
        "service_phase": settings.IOM_PHASE,
        "service_navigation": navigation,
        "session_idle_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS,
        "session_warning_seconds": settings.SESSION_TIMEOUT_WARNING_SECONDS,
        "kept_form_minutes": f"{KEEP_FOR.total_seconds() / 60:g}",
    }
