from django.conf import settings
from django.db import models


class KeptForm(models.Model):
    """A form posted after its sender's session had expired, kept so that they can send it again once
    signed in. It lives for KEEP_FOR (shell.kept.services) and is never logged: what was typed may be
    about a person."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Where the form was posted (path and query): it is shown there, and sent there again.
    path = models.CharField(max_length=2000)
    # The posted fields in their order, each [name, [values]] (a field may have several values).
    fields = models.JSONField(default=list)
    # The names of the file fields, whose files are not kept.
    file_fields = models.JSONField(default=list)
    kept_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "kept form"

    def __str__(self) -> str:
        return f"Form kept at {self.kept_at:%Y-%m-%d %H:%M} for user {self.user_id}"
