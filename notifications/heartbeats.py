from django.db import transaction
from django.utils import timezone

from notifications.models import Heartbeat


@transaction.atomic
def heartbeat_record(*, name: str) -> Heartbeat:
    """Record that the named periodic signal reached a worker now; safe to run any number of times."""
    heartbeat, _ = Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
    return heartbeat
