"""The API's default permission class (REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"])."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.permissions import BasePermission

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

_ACTION_FOR_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class IsAuthenticatedWithObjectPermissions(BasePermission):
    """Signed in, and for any object the user's object permission for the method (deny by default).

    Object permissions come from the sharing rules, materialised as django-guardian permissions;
    a viewset whose queryset is already scoped to the user never reaches an object it may not see,
    and this check is the second lock on the door.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        action = _ACTION_FOR_METHOD.get(request.method or "")
        if action is None:
            return False
        meta = obj._meta
        return bool(request.user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}", obj))
