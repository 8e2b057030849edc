"""Demo data for one feature of issue 5 (filled in by the feature)."""

from __future__ import annotations

from sharing.models import Agency, User


def load_demo_report(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    """Idempotent: safe to run on every start."""
