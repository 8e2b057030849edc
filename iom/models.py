from django.db import models


class Heartbeat(models.Model):
    """When a Celery worker last ran each periodic signal: proof that beat, the broker and a worker
    are all alive together (the health page and the operations page read it)."""

    name = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
