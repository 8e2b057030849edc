from typing import Any

from django.dispatch import receiver

from cohorts.access import grants_recompute
from sharing.signals import agreement_changed


@receiver(agreement_changed)
def recompute_grants_of_the_parties(sender: Any, agency_ids: list[int], **kwargs: Any) -> None:
    """An agreement changed: the parties' access to the cohort follows in the same transaction."""
    grants_recompute(agency_ids=agency_ids)
