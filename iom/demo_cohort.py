"""The generated part of the demo cohort (filled in below)."""

from __future__ import annotations

from sharing.models import Agency, User


def load_demo_cohort(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    """Bring the demo cohort up to about 400 people."""
