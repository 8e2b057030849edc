"""Keeping a form posted after its sender's session expired, and letting go of it: sent again,
discarded, or too old."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from shell.kept.models import KeptForm

# How long a kept form waits for its sender to sign in again.
KEEP_FOR = datetime.timedelta(minutes=30)
# The most text a kept form may hold (names and values, in characters), so that posts from signed-out
# browsers cannot fill the database.
KEPT_TEXT_LIMIT = 1_000_000
# Never kept: the CSRF token (a fresh one is given when the form is sent again).
NOT_KEPT = frozenset({"csrfmiddlewaretoken"})


def kept_text_size(fields: Iterable[tuple[str, list[str]]]) -> int:
    """The characters a kept form would hold: its fields' names and values."""
    return sum(len(name) + sum(len(value) for value in values) for name, values in fields)


@transaction.atomic
def kept_form_keep(
    *, user_id: int, path: str, fields: list[tuple[str, list[str]]], file_fields: list[str]
) -> KeptForm | None:
    """Keep a form the user posted after their session expired; None if it is too large to keep.
    Forms kept longer than KEEP_FOR ago are deleted on the way."""
    kept_forms_clear_expired()
    fields = [(name, list(values)) for name, values in fields if name not in NOT_KEPT]
    if kept_text_size(fields) > KEPT_TEXT_LIMIT:
        return None
    return KeptForm.objects.create(
        token=secrets.token_urlsafe(32),
        user_id=user_id,
        path=path,
        fields=[[name, values] for name, values in fields],
        file_fields=sorted(set(file_fields)),
        kept_at=timezone.now(),
    )


@transaction.atomic
def kept_form_discard(*, user_id: int, token: str) -> KeptForm | None:
    """Delete the user's kept form (sent again or discarded); None if it is not theirs or is gone."""
    kept = KeptForm.objects.filter(token=token, user_id=user_id).first()
    if kept is not None:
        kept.delete()
    return kept


def kept_forms_discard_all(*, tokens: Iterable[str]) -> int:
    """Delete the kept forms a browser held when someone else signed in on it: how many."""
    deleted, _ = KeptForm.objects.filter(token__in=list(tokens)).delete()
    return deleted


def kept_forms_clear_expired() -> int:
    """Delete the forms kept longer than KEEP_FOR ago: how many."""
    deleted, _ = KeptForm.objects.filter(kept_at__lte=timezone.now() - KEEP_FOR).delete()
    return deleted
