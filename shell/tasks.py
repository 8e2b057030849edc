from importlib import import_module

from celery import shared_task
from django.conf import settings

from notifications.daily import daily_job
from shell.kept.services import kept_forms_clear_expired


@shared_task(ignore_result=True)
@daily_job
def clear_expired_sessions() -> None:
    """Expired sessions are refused on use; this removes their rows, and the forms kept for users
    signed out while typing that are past keeping (shell/kept/)."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    kept_forms_clear_expired()
