"""The few kinds of domain error a service raises. Each has a stable `code`; the API answers each
kind with one status and a problem-details body, and pages show each kind the same way
(sharing/error_policy.py). An app's own error may subclass a kind where the name adds meaning.

Three kinds are also the Django errors a page already answers: invalid input is Django's
ValidationError, which services raise with field errors (Invalid is one, so a form takes it as it
stands); not permitted is PermissionDenied (the 403 page) and not found Http404 (the 404 page), so a
page that lets them through answers as the API does."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


class DomainError(Exception):
    """A rule of the service refused an action; the message is written for the user."""

    code = "refused"


class Invalid(DomainError, ValidationError):
    """What was given is not acceptable: a message, or messages by field ({field: [messages]}). An
    API client is also told any `members` given (RFC 9457 extension members, such as the record in
    the way)."""

    code = "invalid"

    def __init__(
        self, message: str | dict[str, list[str]] | list[str], *, members: dict[str, object] | None = None
    ) -> None:
        ValidationError.__init__(self, message, code=self.code)
        self.members = members or {}


class StateError(DomainError):
    """The thing is not in a state that allows this action."""

    code = "wrong-state"


class StaleVersion(DomainError):
    """Someone else saved a newer version first."""

    code = "stale-version"


class NotAllowed(DomainError, PermissionDenied):
    """The user's role or agency does not allow this action."""

    code = "not-permitted"


class NotFound(DomainError, Http404):
    """There is no such thing, or none the user may see: the two are told alike."""

    code = "not-found"


# The kinds by the names the error policy gives them.
WrongState = StateError
NotPermitted = NotAllowed
KINDS: tuple[type[DomainError], ...] = (Invalid, StateError, StaleVersion, NotAllowed, NotFound)
