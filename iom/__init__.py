"""The project's configuration: settings, URLs, the Celery app, WSGI and ASGI. The apps hold the rest."""

from iom.celery import app as celery_app

__all__ = ["celery_app"]
