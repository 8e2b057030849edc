"""The IOM project package: settings, URLs, the Celery app, health checks and the demo data."""

from iom.celery import app as celery_app

__all__ = ["celery_app"]
