"""`make run` as a newcomer runs it, and the user guide's screenshots (docs/user-guide/screenshots/)
taken from it.

The module starts the Makefile's `run` recipe once, against a database of its own: it migrates,
loads the demo, starts the worker, beat and the web server. The README's first demo user signs in
with the README's demo password; then one demo user of each role opens the pages their page of the
guide shows, each page checked for what the guide says a user sees there (so a page that changes
under the guide fails here), and Ctrl-C stops it all. The screenshots are the whole page at a fixed
1280-pixel viewport, cut at MAX_HEIGHT, named role-step-page.png. They are written into the guide
only with IOM_UPDATE_SCREENSHOTS=1 (else into a temporary folder, so that a test run leaves the
working tree as it was): do that, look at them and commit them when a page they show changes."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from psycopg2 import errors as database_errors

from tests.e2e.conftest import new_page

# The database mark sets the test database up, the copy `make run` starts from; nothing else uses it.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

BASE_DIR = Path(__file__).resolve().parents[2]
README = BASE_DIR / "README.md"
SCREENSHOTS = BASE_DIR / "docs" / "user-guide" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
MAX_HEIGHT = 1200


@dataclass(frozen=True)
class Shot:
    """One screenshot: who, where, and what a user would notice there."""

    name: str
    username: str
    path: Callable[[dict[str, Any]], str]
    check: Callable[[Any], None]


def heading(text: str) -> Callable[[Any], None]:
    def check(page: Any) -> None:
        assert page.get_by_role("heading", level=1).first.inner_text().strip() == text

    return check


def shows(*texts: str) -> Callable[[Any], None]:
    def check(page: Any) -> None:
        body = page.locator("main").inner_text()
        for text in texts:
            assert re.search(text, body), f"{text!r} not on {page.url}"

    return check


def both(*checks: Callable[[Any], None]) -> Callable[[Any], None]:
    def check(page: Any) -> None:
        for one in checks:
            one(page)

    return check


def demo_places(database_url: str) -> dict[str, Any]:
    """The ids of the demo's person, meetings and agreement the guide shows."""
    queries = {
        "doherty": "SELECT id FROM cohorts_nominal WHERE first_name = 'Liam' AND last_name = 'Doherty' ORDER BY id",
        "last_panel": "SELECT id FROM meetings_meeting WHERE kind = 'selection_panel' AND status = 'approved'"
        " AND date < current_date ORDER BY date DESC",
        "next_panel": "SELECT id FROM meetings_meeting WHERE kind = 'selection_panel' AND status = 'scheduled'"
        " AND date >= current_date ORDER BY date",
        "agreement": "SELECT id FROM sharing_sharingagreement WHERE status = 'active' ORDER BY id",
    }
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            places = {}
            for name, sql in queries.items():
                cursor.execute(sql)
                places[name] = cursor.fetchone()[0]
            return places
    finally:
        connection.close()


SHOTS = [
    # Practitioner: probation's Priya Shah, Liam Doherty's probation officer.
    Shot("practitioner-1-home", "priya.shah", lambda _: "/", both(heading("Welcome, Priya"), shows("Refer a person"))),
    Shot(
        "practitioner-2-record",
        "priya.shah",
        lambda p: f"/people/{p['doherty']}/",
        both(
            heading("Liam Doherty"),
            shows("Why can I see this person", "held by Northmoor Housing Partnership (is|are) not shared"),
        ),
    ),
    Shot(
        "practitioner-3-referrals",
        "priya.shah",
        lambda _: "/referrals/",
        both(heading("Referrals"), shows(r"\d+ referrals", "Listed for panel")),
    ),
    Shot(
        "practitioner-4-report",
        "priya.shah",
        lambda p: f"/people/{p['doherty']}/report/",
        both(heading("Management report"), shows("Plan by pathway", "Next review due")),
    ),
    # Supervisor: the police's Helen Morris.
    Shot("supervisor-1-home", "helen.morris", lambda _: "/", both(heading("Welcome, Helen"), shows("As supervisor"))),
    Shot("supervisor-2-reviews", "helen.morris", lambda _: "/reviews/", both(heading("Reviews due"), shows("Overdue"))),
    Shot(
        "supervisor-3-team-caseload",
        "helen.morris",
        lambda _: "/cohort/?show=team",
        both(heading("The IOM cohort"), shows(r"\d+ on the cohort", r"\d+ people match the filters")),
    ),
    Shot(
        "supervisor-4-notifications",
        "helen.morris",
        lambda _: "/notifications/",
        both(heading("Notifications"), shows("Supervisor review overdue", r"\d+ unread")),
    ),
    # Panel chair: Inspector Mark Reynolds.
    Shot(
        "panel-chair-1-meetings",
        "mark.reynolds",
        lambda _: "/meetings/",
        both(heading("Meetings"), shows("Northmoor IOM selection panel", "Northmoor IOM MAP meeting")),
    ),
    Shot(
        "panel-chair-2-next-panel",
        "mark.reynolds",
        lambda p: f"/meetings/{p['next_panel']}/",
        both(
            heading("Northmoor IOM selection panel"),
            shows("Referral for decision", "Urgent decision to ratify", "Deregistration to ratify", "Run the meeting"),
        ),
    ),
    Shot(
        "panel-chair-3-deregistrations",
        "mark.reynolds",
        lambda _: "/deregistrations/",
        both(heading("Deregistrations to ratify"), shows("Dominic Nolan|NOLAN, Dominic")),
    ),
    # Partner worker: the drug service's Jo Evans.
    Shot("partner-worker-1-home", "jo.evans", lambda _: "/", both(heading("Welcome, Jo"), shows("As partner worker"))),
    Shot(
        "partner-worker-2-cohort",
        "jo.evans",
        lambda _: "/cohort/",
        both(heading("The IOM cohort"), shows("Licence: not shared")),
    ),
    Shot(
        "partner-worker-3-minutes",
        "jo.evans",
        lambda p: f"/meetings/{p['last_panel']}/minutes/",
        both(
            heading("Minutes"),
            shows(
                "Compass Recovery Northmoor: 1 of 4 items",
                "restricted: not shared with your agency",
                "Nathan Quigley",
            ),
        ),
    ),
    Shot(
        "partner-worker-4-actions",
        "jo.evans",
        lambda _: "/meetings/actions/",
        both(heading("Your actions from meetings"), shows("Nathan Quigley")),
    ),
    # The IOM team: probation's Daniel Okafor checks the possible duplicates.
    Shot(
        "iom-team-1-duplicates",
        "daniel.okafor",
        lambda _: "/people/duplicates/",
        both(heading("Possible duplicates"), shows("Jo Evans, Compass Recovery Northmoor", "name and date of birth")),
    ),
    # Agency admin: the police's Claire Wood.
    Shot(
        "agency-admin-1-agreements",
        "claire.wood",
        lambda _: "/sharing/agreements/",
        both(heading("Information sharing agreements"), shows("ISA-0001", "Northmoor IOM core agreement")),
    ),
    Shot(
        "agency-admin-2-agreement",
        "claire.wood",
        lambda p: f"/sharing/agreements/{p['agreement']}/",
        both(shows("Northmoor IOM core agreement", "Clauses", "Legal basis")),
    ),
    Shot(
        "agency-admin-3-access-log",
        "claire.wood",
        lambda _: "/people/access-log/",
        both(heading("Access log"), shows("Viewed the record", r"\d+ events")),
    ),
    # Analyst: the police's Ruth Green.
    Shot("analyst-1-home", "ruth.green", lambda _: "/", both(heading("Welcome, Ruth"), shows("As analyst"))),
    Shot(
        "analyst-2-caseloads",
        "ruth.green",
        lambda _: "/cohort/workload/",
        both(heading("Caseloads by RAG rating"), shows("Priya Shah")),
    ),
    # System admin: Alex Reid.
    Shot(
        "system-admin-1-selection-matrix",
        "alex.reid",
        lambda _: "/referrals/selection-matrix/",
        both(heading("Selection matrix"), shows("OGRS")),
    ),
    Shot(
        "system-admin-2-sweeps",
        "alex.reid",
        lambda _: "/operations/sweeps/",
        both(heading("Scheduled sweeps and the outbox"), shows("Emails owed now", "reviews", "agreements")),
    ),
]


# --- `make run`, run -------------------------------------------------------------------------------


def makefile_recipe(target: str) -> list[str]:
    """The command lines of a Makefile target, as make would run them with this interpreter."""
    lines = (BASE_DIR / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip().replace("$(PY)", sys.executable))
    return recipe


def demo_sign_ins() -> tuple[list[str], str]:
    """The README's demo usernames and the demo password it gives."""
    text = README.read_text()
    password = re.search(r"Every demo password is `([^`]+)`", text)
    usernames = re.findall(r"^\| ([a-z]+\.[a-z]+) \|", text, re.M)
    assert password, "the README no longer gives the demo password"
    assert usernames, "the README no longer lists the demo users"
    return usernames, password[1]


def with_database(url: str, name: str) -> str:
    return urllib.parse.urlparse(url)._replace(path=f"/{name}").geturl()


def owner_sql(sql: str) -> None:
    connection = psycopg2.connect(with_database(os.environ["DATABASE_OWNER_URL"], "postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Running:
    url: str
    database_url: str
    log: Path


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> Iterator[Running]:
    """The Makefile's `run` recipe, serving on a free port, with a database of its own: a copy of
    this worker's migrated test database where it can be had (its migrations then run in no time),
    else an empty one."""
    from django.db import connection, connections

    from tests.migrated_state import owner_connection_close

    (command,) = makefile_recipe("run")[-1:]
    data_dir = tmp_path_factory.mktemp("make-run")
    database = f"iom_make_run_{os.getpid()}"
    connections.close_all()
    owner_connection_close()
    log = data_dir / "make-run.log"
    try:
        owner_sql(f'CREATE DATABASE "{database}" TEMPLATE "{connection.settings_dict["NAME"]}"')
        log.write_text("A copy of the migrated test database\n")
    except database_errors.ObjectInUse:
        owner_sql(f'CREATE DATABASE "{database}"')
        log.write_text("An empty database (the test database was in use)\n")
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("REDIS_", "PYTEST_"))}
    environment.pop("IOM_BROKER_DIR", None)  # the launcher's own file broker, in its data folder
    environment |= {
        "DATABASE_OWNER_URL": with_database(os.environ["DATABASE_OWNER_URL"], database),
        "DATABASE_URL": with_database(os.environ["DATABASE_URL"], database),
        "IOM_DATA_DIR": str(data_dir),
        "IOM_HOST": "127.0.0.1",
        "IOM_PORT": str(port),
        "IOM_DEVELOPMENT": "1",
    }
    try:
        with log.open("ab") as output:
            process = subprocess.Popen(  # the Makefile's own recipe
                shlex.split(command), cwd=BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT
            )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_served(f"{url}/sign-in/", process, log, seconds=SERVED_WITHIN)
        except BaseException:
            ctrl_c(process)
            raise
        yield Running(url=url, database_url=environment["DATABASE_URL"], log=log)
        assert ctrl_c(process) == 0, log.read_text()[-3000:]
    finally:
        owner_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# Migrating a copy takes seconds; loading the demo takes one to three minutes on a busy 2-core machine.
SERVED_WITHIN = 600


def wait_until_served(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, f"make run stopped before it served:\n{log.read_text()[-3000:]}"
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=5)  # noqa: S310  (our own server on 127.0.0.1)
            return
        assert time.monotonic() < deadline, f"make run served nothing in {seconds}s:\n{log.read_text()[-3000:]}"
        time.sleep(1)


def ctrl_c(process: subprocess.Popen[bytes]) -> int:
    """Stop `make run` as a person would, with Ctrl-C; its exit code."""
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def test_make_run_serves_the_demo_and_its_sign_ins(make_run: Running) -> None:
    usernames, password = demo_sign_ins()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    sign_in_page = browser.open(f"{make_run.url}/sign-in/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', sign_in_page)
    assert token
    form = {"username": usernames[0], "password": password, "csrfmiddlewaretoken": token[1]}
    home = browser.open(f"{make_run.url}/sign-in/", urllib.parse.urlencode(form).encode(), timeout=30)

    assert f"Welcome, {usernames[0].split('.')[0].capitalize()}" in home.read().decode()
    assert f"Serving on {make_run.url}/" in make_run.log.read_text()
    assert {shot.username for shot in SHOTS} <= set(usernames)


def test_each_role_sees_the_pages_its_guide_shows(browser: Any, make_run: Running, tmp_path: Path) -> None:
    _, password = demo_sign_ins()
    places = demo_places(make_run.database_url)
    # Into the guide when asked: a run on any other day would change every picture's dates.
    folder = SCREENSHOTS if os.environ.get("IOM_UPDATE_SCREENSHOTS") else tmp_path
    failures = []
    contexts: dict[str, Any] = {}
    try:
        for shot in SHOTS:
            if shot.username not in contexts:
                context = browser.new_context(base_url=make_run.url, viewport=VIEWPORT)
                page = new_page(context)
                page.goto("/sign-in/")
                page.get_by_label("Username").fill(shot.username)
                page.get_by_label("Password").fill(password)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url("**/")
                contexts[shot.username] = (context, page)
            page = contexts[shot.username][1]
            page.goto(shot.path(places))
            page.wait_for_load_state("load")
            # The whole page at the viewport's width, cut at MAX_HEIGHT: a long list's first screens.
            height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
            page.screenshot(
                path=folder / f"{shot.name}.png",
                full_page=True,
                clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height},
                animations="disabled",
                caret="hide",
            )
            try:
                shot.check(page)
            except AssertionError as error:
                failures.append(f"{shot.name}: {error}")
    finally:
        for context, _ in contexts.values():
            context.close()
    assert not failures, "\n".join(failures)


def test_every_screenshot_in_the_guide_is_taken_here() -> None:
    taken = {f"{shot.name}.png" for shot in SHOTS}
    guide = "\n".join(path.read_text() for path in SCREENSHOTS.parent.glob("*.md"))
    shown = set(re.findall(r"screenshots/([\w-]+\.png)", guide))
    assert shown <= taken, f"shown in the guide but never taken: {sorted(shown - taken)}"
