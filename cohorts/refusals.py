"""Refused access is recorded (issue 14, DESIGN.md rule 7): the user still sees 404 or a neutral
message, and the log sees the probe.

A selector that finds a record outside the user's scope marks the not-found error it raises with a
Refusal (refusal_mark): the person it was about and the reason in words. It knows what was refused
but not the request; the error, passed up as the cause of the 404 the view raises, reaches one hook
for pages and one for the API (cohorts/refusal_hooks.py), which know who asked and where, and log
it. A record that does not exist is not marked, so mistyped ids do not flood the log but a probe of
real ones shows. Logging at the edge, after the view's transaction has ended, also keeps the event
when a view's atomic block is rolled back by the error (HEAD alone is rolled back on purpose:
iom/middleware.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

_MARK = "iom_refusal"
Error = TypeVar("Error", bound=BaseException)


@dataclass(frozen=True)
class Refusal:
    """What a selector refused: the person the record is about, and why, in words naming no one."""

    nominal_id: int | None
    reason: str


def refusal_mark(error: Error, *, nominal_id: int | None, reason: str) -> Error:
    """Mark a not-found error as the refusal of a record that exists; returns the error to raise."""
    setattr(error, _MARK, Refusal(nominal_id=nominal_id, reason=reason))
    return error


def refusal_of(error: BaseException) -> Refusal | None:
    """The refusal an error carries, itself or through the errors it was raised from (a view turns
    the selector's DoesNotExist into its own 404 with `raise ... from`)."""
    seen: BaseException | None = error
    while seen is not None:
        refusal = getattr(seen, _MARK, None)
        if isinstance(refusal, Refusal):
            return refusal
        seen = seen.__cause__
    return None


def out_of_scope(what: str) -> str:
    """The reason a record in the user's way was refused ("the person", "referral 12")."""
    return f"Out of scope: {what} is not shared with the user's agency"
