"""A pytest plugin (`-p tests.worker_services` in pyproject.toml): under pytest-xdist, each worker
process gets a broker of its own, as pytest-django gives it a test database of its own (test_*_gw0).

Each worker runs a real Celery worker in a thread (tests/conftest.py, `celery_worker`). On a shared
broker one worker's Celery thread could take a task queued by another worker's test and run it
against its own database, where the rows are not: the task would quietly do nothing, and the test
that queued it would wait for an effect that never comes. So each worker gets its own Redis database
number (REDIS_URL's number plus one plus the worker's) or its own file-broker folder (IOM_BROKER_DIR
plus the worker's name).

This runs when the plugin is imported, before pytest-django reads the settings: Django's settings
read the environment once. Subprocesses a test starts (a second Celery worker, `manage.py sweep`)
inherit the worker's environment, and so its broker.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # Redis's default number of databases


def worker_number() -> int | None:
    """0, 1, ... for pytest-xdist's workers gw0, gw1, ...; None when the suite runs in one process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def redis_url_for_worker(url: str, number: int) -> str:
    """The same Redis server, database number (the URL's, 0 if none) + 1 + the worker's number."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = base + 1 + number
    if database >= REDIS_DATABASES:
        raise RuntimeError(
            f"Test worker gw{number} would need Redis database {database}, and Redis has {REDIS_DATABASES}: "
            "run fewer workers (-n) or point REDIS_URL at a lower database number."
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


def broker_dir_for_worker(number: int) -> Path:
    data_dir = Path(os.environ.get("IOM_DATA_DIR", Path(__file__).resolve().parent.parent / ".data"))
    base = Path(os.environ.get("IOM_BROKER_DIR", data_dir / "test-broker"))
    return base / f"gw{number}"


def give_this_worker_its_own_broker() -> None:
    number = worker_number()
    if number is None:
        return
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = redis_url_for_worker(os.environ["REDIS_URL"], number)
    else:
        folder = broker_dir_for_worker(number)
        for part in ("queue", "control"):
            (folder / part).mkdir(parents=True, exist_ok=True)
        os.environ["IOM_BROKER_DIR"] = str(folder)


give_this_worker_its_own_broker()
# The Celery worker a test runs in a thread records no heartbeat of its own (iom/celery.py): its
# timer would write into the tests' database between tests. A test of the heartbeat turns it on.
os.environ.setdefault("IOM_WORKER_HEARTBEAT", "0")
