"""The Celery app. Settings prefixed CELERY_ in iom.settings configure it; tasks are found in each
app's tasks.py."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iom.settings")

app = Celery("iom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_filesystem_broker_folders() -> None:
    """kombu's filesystem transport expects its folders to exist."""
    if app.conf.broker_url and str(app.conf.broker_url).startswith("filesystem"):
        options = app.conf.broker_transport_options or {}
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


@worker_init.connect
def _prepare_broker(**_: object) -> None:
    ensure_filesystem_broker_folders()
