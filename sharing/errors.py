"""The few kinds of domain error a service raises. Each has a stable `code`; the API answers each
kind with one status and a problem-details body, and pages show each kind the same way
(shell/errors.py). An app's own error may subclass a kind where the name adds meaning.

Invalid input is also Django's ValidationError, which services raise with field errors: Invalid is
one, so a form can take it as it stands."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A rule of the service refused an action; the message is written for the user."""

    code = "refused"


class Invalid(DomainError, ValidationError):
    """What was given is not acceptable: a message, or messages by field ({field: [messages]})."""

    code = "invalid"

    def __init__(self, message: str | dict[str, list[str]] | list[str]) -> None:
        ValidationError.__init__(self, message, code=self.code)


class StateError(DomainError):
    """The thing is not in a state that allows this action."""

    code = "wrong-state"


class StaleVersion(DomainError):
    """Someone else saved a newer version first."""

    code = "stale-version"


class NotAllowed(DomainError):
    """The user's role or agency does not allow this action."""

    code = "not-permitted"


class NotFound(DomainError):
    """There is no such thing, or none the user may see: the two are told alike."""

    code = "not-found"


# The kinds by the names the error policy gives them.
WrongState = StateError
NotPermitted = NotAllowed
KINDS: tuple[type[DomainError], ...] = (Invalid, StateError, StaleVersion, NotAllowed, NotFound)
