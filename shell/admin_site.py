from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from sharing.roles import Role


class IOMAdminSite(admin.AdminSite):
    """Django admin, for system administrators only; everyone signs in through the service's page."""

    site_header = "IOM system administration"
    site_title = "IOM system administration"
    index_title = "Agencies, users and configuration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        # A superuser (the first account, made with createsuperuser) may enter to give roles.
        return bool(
            user.is_active and user.is_authenticated and (user.is_superuser or user.has_role(Role.SYSTEM_ADMIN))
        )

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def refuse_the_signed_in_without_the_role(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # Django would send them to its own sign-in page; they are signed in, so say no plainly.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("System administration is for system administrators.")
            return inner(request, *args, **kwargs)

        return update_wrapper(refuse_the_signed_in_without_the_role, inner)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.user.is_authenticated:
            raise PermissionDenied("System administration is for system administrators.")
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
