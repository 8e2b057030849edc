"""Nothing typed is lost, in the browser. With a short idle timeout, the timeout warning appears before
it, "Stay signed in" (and Escape) keep the session, and when time runs out the warning says so. Then
a supervisor's review, typed until the session expired, is sent: she signs in again, finds what she
typed under "Your work was kept", sends it again, and the review is recorded. axe checks each step."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from cohorts.reviews.models import SupervisorReview
from shell.kept.models import KeptForm
from tests.e2e.journeys import case_on_cohort, fill_date, police_team
from tests.partnership import build_partnership
from tests.sharing.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACTIONS = "Refer to the accommodation pathway; weekly contact.\n\nReview the curfew with probation in June."


def test_the_timeout_warning_keeps_the_session_and_then_says_it_has_ended(open_as, axe, settings):
    # A 10-second idle timeout, warned of 8 seconds before: the warning shows 2 seconds after a page.
    settings.SESSION_IDLE_TIMEOUT_SECONDS = settings.SESSION_COOKIE_AGE = 10
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 8
    supervisor, _ = police_team(build_partnership())
    page = open_as(supervisor)
    dialog = page.get_by_role("dialog", name="You will be signed out soon")

    # 1. The warning, with the time left, and the focus in it.
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(re.compile(r"you will be signed out in [1-8] seconds?\."))
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    expect(dialog.locator("[aria-live=polite]")).to_contain_text("left before you are signed out")
    axe(page)

    # 2. "Stay signed in" renews the session.
    before = Session.objects.get().expire_date
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert Session.objects.get().expire_date > before

    # 3. Escape, when the warning shows again, is the same.
    expect(dialog).to_be_visible()
    before = Session.objects.get().expire_date
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert Session.objects.get().expire_date > before
    assert page.get_by_test_id("signed-in-user").is_visible()

    # 4. Left alone, the warning counts down and then says the user has been signed out.
    signed_out = page.get_by_role("dialog", name="You have been signed out")
    expect(signed_out).to_be_visible(timeout=20_000)
    expect(signed_out).to_contain_text("What you send now is kept for 30 minutes")
    axe(page)
    page.goto("/")
    assert "/sign-in/" in page.url


def test_a_review_typed_until_the_session_expired_is_kept_and_sent_after_signing_in(open_as, axe):
    partnership = build_partnership()
    supervisor, police_lead = police_team(partnership)
    nominal = case_on_cohort(
        partnership,
        police_lead,
        first_name="Kieran",
        last_name="Walsh",
        rating="amber",
        since=timezone.localdate() - datetime.timedelta(days=60),
    )
    next_review = timezone.localdate() + datetime.timedelta(days=21)
    page = open_as(supervisor)
    page.goto(f"/people/{nominal.pk}/reviews/new/")

    # 1. The review, typed; meanwhile the session expires (as 30 minutes without activity would).
    page.get_by_role("group", name="Are the interventions commensurate with the risk?").get_by_label("No").check()
    page.get_by_label("Actions set").fill(ACTIONS)
    fill_date(page.get_by_role("group", name="Next review date"), next_review)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    page.get_by_role("button", name="Record the review").click()

    # 2. The sign-in page says what happened, and that what she typed is kept.
    page.wait_for_url(f"**/sign-in/?next=/people/{nominal.pk}/reviews/new/")
    assert "What you typed is kept for 30 minutes: sign in to carry on." in page.content()
    assert not SupervisorReview.objects.exists()
    axe(page)

    # 3. Signed in again: what she typed, in the page's words.
    page.get_by_label("Username").fill(supervisor.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/people/{nominal.pk}/reviews/new/")
    kept = page.get_by_test_id("kept-form")
    expect(kept.get_by_role("heading", name="Your work was kept")).to_be_visible()
    answers = {
        row.locator("dt").inner_text(): row.locator("dd").inner_text()
        for row in kept.locator(".govuk-summary-list__row").all()
    }
    assert answers["Are the interventions commensurate with the risk?"] == "No"
    assert answers["Actions set"].split() == ACTIONS.split()
    assert answers["Next review date"] == f"{next_review.day}/{next_review.month}/{next_review.year}"
    assert kept.locator("dd p").count() >= 2, "the actions' two paragraphs"
    axe(page)

    # 4. Sent again: the review is recorded, and the kept copy is gone.
    kept.get_by_role("button", name="Send it again").click()
    page.wait_for_url(f"**/people/{nominal.pk}/reviews/")
    assert f"The next review is due by {next_review:%-d %B %Y}" in page.content()
    assert "Refer to the accommodation pathway" in page.get_by_test_id("review").inner_text()
    saved = SupervisorReview.objects.get()
    assert (saved.commensurate, saved.next_review_on) == (False, next_review)
    assert not KeptForm.objects.exists()
    axe(page)
