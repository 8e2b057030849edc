"""The user guide's screenshots (docs/user-guide/screenshots/), taken from the demo as its users see it.

The demo is loaded once (`seed_demo`, as `make run` loads it); each demo user of a role signs in with
the README's demo password and opens the pages their page of the guide shows. Each page must show
what the guide says a user sees there, so a page that changes under the guide fails here. The
screenshots are full pages at a fixed 1280-pixel viewport, named role-step-page.png; commit them
when a page they show changes."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from tests.e2e.conftest import new_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "user-guide" / "screenshots"
DEMO_PASSWORD = "northmoor-demo-2026"  # the README's "Demo sign-ins"
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


def demo_places() -> dict[str, Any]:
    """The ids of the demo's people, meetings and agreements the guide shows."""
    from cohorts.models import Nominal
    from meetings.models import Meeting, MeetingKind
    from sharing.models import SharingAgreement

    today = timezone.localdate()
    panels = Meeting.objects.filter(kind=MeetingKind.SELECTION_PANEL)
    return {
        "doherty": Nominal.objects.filter(first_name="Liam", last_name="Doherty").order_by("pk").first().pk,
        "last_panel": panels.filter(date__lt=today, status=Meeting.Status.MINUTES_APPROVED).order_by("-date")[0].pk,
        "next_panel": panels.filter(date__gte=today, status=Meeting.Status.SCHEDULED).order_by("date")[0].pk,
        "agreement": SharingAgreement.objects.filter(status=SharingAgreement.Status.ACTIVE).order_by("pk")[0].pk,
    }


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
        both(heading("Scheduled sweeps"), shows("reviews", "agreements")),
    ),
]


@pytest.fixture
def demo(reference_data: None) -> dict[str, Any]:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("seed_demo", stdout=io.StringIO())
    return demo_places()


def test_each_role_sees_the_pages_its_guide_shows(browser: Any, live_server: Any, demo: dict[str, Any]) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failures = []
    contexts: dict[str, Any] = {}
    try:
        for shot in SHOTS:
            if shot.username not in contexts:
                context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
                page = new_page(context)
                page.goto("/sign-in/")
                page.get_by_label("Username").fill(shot.username)
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url("**/")
                contexts[shot.username] = (context, page)
            page = contexts[shot.username][1]
            page.goto(shot.path(demo))
            page.wait_for_load_state("load")
            # The whole page at the viewport's width, cut at MAX_HEIGHT: a long list's first screens.
            height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
            page.screenshot(
                path=SCREENSHOTS / f"{shot.name}.png",
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
