"""Small helpers for views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from sharing.models import User


def signed_in_user(request: HttpRequest) -> User:
    """The user of a request that the sign-in middleware has let through (every page but sign-in)."""
    return request.user  # type: ignore[return-value]
