"""Run the IOM application, or its test suite, on a laptop with nothing else installed.

    python -m demo.local run                 # what `make run` calls
    python -m demo.local test [pytest args]  # what `make test` calls
    python -m demo.local manage COMMAND ...  # any manage.py command against the same services

Unless DATABASE_URL is set, an embedded PostgreSQL (the pgserver package) runs from .data/postgres
and keeps its data there between runs. Two roles use it (shell/database.py): unless DATABASE_OWNER_URL
is set too, DATABASE_URL (or the embedded server's superuser) is taken as the tables' owner, which
migrates, and the application connects as a role of its own made here (shell/database_roles.py).
Unless REDIS_URL is set, Celery uses kombu's filesystem transport under .data/broker (settings.py),
so no broker server is needed either. Ctrl-C stops every process this started, the embedded
PostgreSQL included.

This module is imported before Django is configured and must not import Django at the top.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from urllib.parse import parse_qs, quote, urlparse

from shell.database_roles import DEVELOPMENT_APP_ROLE, split_roles_if_needed

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("IOM_DATA_DIR", BASE_DIR / ".data"))
PYTHON = sys.executable


def say(message: str) -> None:
    print(f"[iom] {message}", flush=True)


def start_embedded_postgres(database: str) -> tuple[object, str]:
    """Start (or reuse) the embedded PostgreSQL and return it with a DATABASE_URL for `database`."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(DATA_DIR / "runtime"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    Path(os.environ["XDG_RUNTIME_DIR"]).chmod(0o700)
    import pgserver  # a development dependency: only laptops and tests without DATABASE_URL need it

    pgdata = DATA_DIR / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    if not database.isidentifier():
        raise ValueError(f"Not a plain database name: {database!r}")
    found = server.psql(f"SELECT datname FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(0 rows)" in found:
        server.psql(f'CREATE DATABASE "{database}";')
    socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
    say(f"Embedded PostgreSQL ready in {time.monotonic() - started:.1f}s (data in {pgdata})")
    return server, f"postgres://postgres@{quote(socket_dir, safe='')}/{database}"


def prepare_environment(*, database: str, broker_dir: Path) -> object | None:
    """Point DATABASE_URL and the broker at real services if given, else at embedded ones."""
    os.environ.setdefault("IOM_DEVELOPMENT", "1")
    server = None
    if os.environ.get("DATABASE_URL"):
        say("Using the PostgreSQL at DATABASE_URL")
    else:
        server, os.environ["DATABASE_URL"] = start_embedded_postgres(database)
    if split_roles_if_needed():
        say(f"Migrating as DATABASE_URL's role; the application connects as {DEVELOPMENT_APP_ROLE}")
    if os.environ.get("REDIS_URL"):
        say("Using the Redis broker at REDIS_URL")
    else:
        os.environ["IOM_BROKER_DIR"] = str(broker_dir)
        for folder in ("queue", "control"):
            (broker_dir / folder).mkdir(parents=True, exist_ok=True)
        say(f"Using a file broker in {broker_dir} (no Redis needed)")
    return server


def manage(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([PYTHON, str(BASE_DIR / "manage.py"), *args], check=True, cwd=BASE_DIR, env=env)


def owner_environment() -> dict[str, str]:
    """The environment with DATABASE_URL the tables' owner (and no other role to switch to)."""
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_OWNER_URL"}
    environment["DATABASE_URL"] = os.environ.get("DATABASE_OWNER_URL") or os.environ["DATABASE_URL"]
    return environment


def application_environment() -> dict[str, str]:
    """The environment of the web server, the worker and beat: the application's role alone."""
    return {key: value for key, value in os.environ.items() if key != "DATABASE_OWNER_URL"}


class Processes:
    """Child processes, each in its own session so that we stop them in order on Ctrl-C."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.children.append((name, subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)))

    def first_exited(self) -> tuple[str, int] | None:
        for name, process in self.children:
            code = process.poll()
            if code is not None:
                return name, code
        return None

    def stop(self) -> None:
        # Each main process shuts its own children down (Celery's warm shutdown finishes the task
        # in hand); whatever is left of a process group after that is killed.
        for _, process in reversed(self.children):
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 20
        for name, process in self.children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"The {name} process did not stop in time; killing it")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def run() -> int:
    server = prepare_environment(database="iom", broker_dir=DATA_DIR / "broker")
    manage("migrate", "--no-input", "-v", "0")  # as the owner, granting the application's role
    # Every start brings the demo up to date (idempotent, about a second when nothing changed), so a
    # laptop that loaded an older demo sees each new feature's demo data after an update. As the
    # owner, as migrate: it ANALYZEs what it loads in bulk, which only a table's owner may.
    manage("seed_demo", env=owner_environment())
    host, port = os.environ.get("IOM_HOST", "127.0.0.1"), os.environ.get("IOM_PORT", "8000")
    processes = Processes()
    stopping = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    celery = [PYTHON, "-m", "celery", "-A", "iom"]
    application = application_environment()
    processes.start("worker", [*celery, "worker", "--loglevel=INFO", "--concurrency=2"], application)
    processes.start("beat", [*celery, "beat", "--loglevel=INFO"], application)
    processes.start("web", [PYTHON, str(BASE_DIR / "manage.py"), "runserver", f"{host}:{port}"], application)
    say(f"Serving on http://{host}:{port}/ (Ctrl-C stops the web server, the worker, beat and the database)")
    exit_code = 0
    try:
        while not stopping:
            exited = processes.first_exited()
            if exited is not None:
                say(f"The {exited[0]} process stopped (exit code {exited[1]}); stopping the rest")
                exit_code = exited[1] or 1
                break
            time.sleep(0.5)
    finally:
        say("Stopping ...")
        processes.stop()
        if server is not None:
            server.cleanup()  # type: ignore[attr-defined]
    return exit_code


def pytest_options() -> list[str]:
    """In parallel, one worker a core (each with its own test database and broker: tests/worker_services.py),
    a file's tests on one worker (so data a module builds once is built once in the run), reporting the
    20 slowest tests. On a laptop the test databases are kept between runs (--reuse-db:
    only new migrations run); CI builds them afresh from the migrations."""
    options = ["-n", "auto", "--dist", "loadfile", "--durations=20"]
    if not os.environ.get("CI"):
        options.append("--reuse-db")
    return options


def test(pytest_args: list[str]) -> int:
    broker_dir = DATA_DIR / "test-broker"
    shutil.rmtree(broker_dir, ignore_errors=True)
    server = prepare_environment(database="iom", broker_dir=broker_dir)
    try:
        command = [PYTHON, "-m", "pytest", *pytest_options(), *pytest_args]
        return subprocess.run(command, cwd=BASE_DIR, check=False).returncode
    finally:
        if server is not None:
            server.cleanup()  # type: ignore[attr-defined]


# Development tools that load data in bulk and ANALYZE it, which only a table's owner may; the
# benchmark also builds its invented rows without change history (pgtrigger.ignore).
AS_OWNER = {"seed_demo", "benchmark"}


def manage_command(args: list[str]) -> int:
    server = prepare_environment(database="iom", broker_dir=DATA_DIR / "broker")
    try:
        command = [PYTHON, str(BASE_DIR / "manage.py"), *args]
        env = owner_environment() if args[:1] and args[0] in AS_OWNER else None
        return subprocess.run(command, cwd=BASE_DIR, env=env, check=False).returncode
    finally:
        if server is not None:
            server.cleanup()  # type: ignore[attr-defined]


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "manage"}:
        print(__doc__)
        return 2
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if argv[0] == "run":
        return run()
    if argv[0] == "manage":
        return manage_command(argv[1:])
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
