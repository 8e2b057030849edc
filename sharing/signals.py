"""Signals sent by sharing's services. The sharing rules are materialised by cohorts (which owns
the nominal), so cohorts listens here rather than sharing reaching up into it."""

from django.dispatch import Signal

# Sent inside the service's transaction with agency_ids: the agencies whose access may change.
agreement_changed = Signal()
