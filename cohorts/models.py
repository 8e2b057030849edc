"""The cohorts app's models module: the access log (AccessEvent and its hash chain's checkpoints)
here, and each capability's models (records, management, report, reviews, events, tags,
transitions, deregistration, duplicates) imported so that Django finds them all.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

# Each capability's models module, imported so that Django finds its models; their names are
# imported from their own modules.
from cohorts.deregistration import models as deregistration_models  # noqa: F401
from cohorts.duplicates import models as duplicates_models  # noqa: F401
from cohorts.events import models as events_models  # noqa: F401
from cohorts.management import models as management_models  # noqa: F401
from cohorts.records.models import Nominal
from cohorts.report import models as report_models  # noqa: F401
from cohorts.reviews import models as reviews_models  # noqa: F401
from cohorts.tags import models as tags_models  # noqa: F401
from cohorts.transitions import models as transitions_models  # noqa: F401
from sharing.models import Agency


class AccessEvent(models.Model):
    """Who saw what, when, under which agreement, and why (Data Protection Act 2018, s.62).
    Append-only: the application's role may only insert (shell/database.py). Each row is hash-chained to
    the one before by a database trigger, so a row changed, removed or moved by the tables' owner
    shows (cohorts/audit_chain.py)."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed the record"
        VIEW_SENSITIVE = "view_sensitive", "Viewed sensitive items"
        SEARCH = "search", "Searched"
        EXPORT = "export", "Exported"
        DISCLOSURE = "disclosure", "Disclosed"
        # Asked for a record outside their scope (answered 404 or neutrally), or locked out of sign-in.
        REFUSED = "refused", "Refused"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_events")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="access_events")
    action = models.CharField(max_length=20, choices=Action.choices)
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, null=True, blank=True, related_name="access_events")
    nominal_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    categories = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    allowed_by = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    query = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=500, blank=True)
    # Set by the trigger under a lock, whatever the insert says: the row's place in the chain, and
    # sha256 over the previous row's hash and this row's content (cohorts/audit_chain.py).
    chain_position = models.BigIntegerField(unique=True, null=True, editable=False)
    chain_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["nominal", "-at"], name="access_by_nominal"),
            models.Index(fields=["agency", "-at"], name="access_by_agency"),
            # One user's refusals in the last minutes, counted after each (cohorts/refusals.py).
            models.Index(fields=["user", "-at"], condition=Q(action="refused"), name="access_refused_by_user"),
        ]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()}"


class AccessLogCheckpoint(models.Model):
    """One check of the access log's hash chain (nightly, or `manage.py audit_verify`): how far it
    reached, the hash there, and whether the chain held. An intact check's head is checked again by
    every later one, so rows removed from the end of the log show too. Append-only, like the log."""

    at = models.DateTimeField(auto_now_add=True)
    rows = models.BigIntegerField()
    head_position = models.BigIntegerField(null=True)
    head_hash = models.CharField(max_length=64, blank=True)
    intact = models.BooleanField()
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'intact' if self.intact else 'BROKEN'} to {self.head_position}"
