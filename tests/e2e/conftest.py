"""Browser tests: Playwright driving the machine's Chromium (never a downloaded browser) against
pytest-django's live server, with axe-core (from npm) checking accessibility."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the test makes
# around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BASE_DIR = Path(__file__).resolve().parents[2]
AXE_SCRIPT = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BROWSER_CANDIDATES = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
]
# Chromium on a closed network: no background calls home, no sandbox when running as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def find_chromium() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    for candidate in BROWSER_CANDIDATES:
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = find_chromium()
    if executable is None:
        message = "No Chromium or Chrome found: install Debian's chromium, or set CHROMIUM_PATH."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# What the browser said of the Content-Security-Policy, by page: a violation (a script, style or
# image the policy refused) is an error on the console.
CSP_REPORTS: dict[int, list[str]] = {}


def new_page(context: Any) -> Any:
    """A page of the context, listening for the policy's violations (checked with axe's)."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    reports = CSP_REPORTS.setdefault(id(page), [])
    page.on(
        "console", lambda message: reports.append(message.text) if "Content Security Policy" in message.text else None
    )
    return page


@pytest.fixture
def page(browser: Any, live_server: Any, reference_data: None) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = new_page(context)
    yield page
    CSP_REPORTS.pop(id(page), None)
    context.close()


def serious_accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page; return the serious and critical violations. axe is evaluated
    through the browser's protocol, as a tool, not added as an inline script, which the page's
    Content-Security-Policy refuses."""
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}" for v in violations
    )


@pytest.fixture
def axe() -> Any:
    """Check the page as it stands: no serious or critical accessibility violation, and nothing the
    Content-Security-Policy refused since the page was opened."""

    def check(page: Any) -> None:
        # A page still loading (a click's navigation under way) would be checked as it is replaced.
        page.wait_for_load_state("load")
        violations = serious_accessibility_violations(page)
        assert not violations, describe(violations)
        refused = CSP_REPORTS.get(id(page), [])
        assert not refused, "\n".join(refused)

    return check


@pytest.fixture
def open_as(browser: Any, live_server: Any, reference_data: None) -> Iterator[Any]:
    """A signed-in page per user, each in its own browser context (its own session)."""
    from tests.sharing.factories import TEST_PASSWORD

    contexts = []

    def sign_in(user: Any) -> Any:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = new_page(context)
        page.goto("/sign-in/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        return page

    yield sign_in
    for context in contexts:
        context.close()
