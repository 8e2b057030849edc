"""Nothing typed is lost (shell/kept/): a form posted after the session expired is kept for its
sender only, for 30 minutes, never logged, and shown on its page when they have signed in again, to
send again (through the page's usual checks) or discard."""

import datetime
import logging
from collections.abc import Iterator, Mapping

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohorts.records.models import RecordedItem
from cohorts.records.services import item_update
from sharing.models import DataCategory
from sharing.roles import Role
from shell.kept.middleware import RESEND_FIELD, SESSION_KEPT_KEY
from shell.kept.models import KeptForm
from shell.kept.selectors import kept_fields_shown
from shell.kept.services import KEPT_TEXT_LIMIT
from shell.tasks import clear_expired_sessions
from tests.cohorts.factories import make_item, make_nominal
from tests.sharing.factories import TEST_PASSWORD, UserFactory

TYPED = "Met at the hostel.\r\n\r\nAgreed weekly contact; SECRET-PHRASE-4417 stays with us."


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The tests' own clock, moved on by hand: the idle timeout is 30 minutes."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def item(partnership):
    person = make_nominal(partnership.officer, first_name="Ellis", last_name="Marsh")
    return make_item(person, partnership.officer, "offending-risk", "Original summary")


def edit_url(item: RecordedItem) -> str:
    return reverse("item-edit", args=[item.nominal_id, item.pk])


def item_form(summary: str = "Hostel visit", detail: str = TYPED, version: int = 1) -> dict[str, str]:
    return {
        "kind": "contact",
        "category": str(DataCategory.objects.get(code="offending-risk").pk),
        "summary": summary,
        "detail": detail,
        "occurred_on_0": "3",
        "occurred_on_1": "11",
        "occurred_on_2": "2026",
        "version": str(version),
    }


def sign_in(client: Client, user, next_path: str = "/"):
    return client.post(
        reverse("login"), {"username": user.username, "password": TEST_PASSWORD, "next": next_path}, follow=True
    )


def posted_after_expiry(client: Client, clock, user, url: str, data: Mapping[str, object]):
    """The user signs in, opens the page, is idle for 31 minutes, then sends the form."""
    sign_in(client, user)
    client.get(url)
    clock.shift(datetime.timedelta(minutes=31))
    return client.post(url, data, follow=True)


def send_again(client: Client, kept: KeptForm):
    """The kept page's "Send it again", as its form sends it."""
    return client.post(kept.path, {**dict(kept.fields), RESEND_FIELD: kept.token})


def test_a_form_sent_after_the_session_expired_is_kept_and_shown_after_signing_in_again(
    client, partnership, item, clock
):
    url = edit_url(item)

    response = posted_after_expiry(client, clock, partnership.officer, url, item_form())

    assert response.redirect_chain[-1][0] == f"/sign-in/?next={url}"
    assert (
        "You were signed out after 30 minutes without activity. What you typed is kept for 30 minutes: "
        "sign in to carry on." in response.text
    )
    kept = KeptForm.objects.get()
    assert kept.user == partnership.officer
    assert kept.path == url
    assert "csrfmiddlewaretoken" not in dict(kept.fields)

    page = sign_in(client, partnership.officer, next_path=url)

    assert page.redirect_chain[-1][0] == url
    assert "Your work was kept" in page.text
    assert "Hostel visit" in page.text
    # In the page's own words: its questions and the choice's label; the text as paragraphs.
    assert '<dt class="govuk-summary-list__key">Details</dt>' in page.text
    assert "<p>Met at the hostel.</p>" in page.text
    assert '<dt class="govuk-summary-list__key">Type</dt>' in page.text
    assert "3/11/2026" in page.text
    # The hidden version is sent again, never listed.
    assert '<dt class="govuk-summary-list__key">Version</dt>' not in page.text
    assert f'name="{RESEND_FIELD}" value="{kept.token}"' in page.text
    assert page["Cache-Control"].startswith("max-age=0")
    assert "Content-Security-Policy" in page


def test_sending_it_again_saves_it_through_the_page_and_lets_the_kept_form_go(client, partnership, item, clock):
    url = edit_url(item)
    posted_after_expiry(client, clock, partnership.officer, url, item_form())
    sign_in(client, partnership.officer, next_path=url)
    kept = KeptForm.objects.get()

    response = send_again(client, kept)

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.summary, item.detail, item.version) == ("Hostel visit", TYPED, 2)
    assert not KeptForm.objects.exists()
    assert client.session[SESSION_KEPT_KEY]["tokens"] == []
    assert "Your work was kept" not in client.get(url).text


def test_sent_again_after_someone_else_changed_the_record_it_is_refused_as_stale_with_the_text_kept(
    client, partnership, item, clock
):
    url = edit_url(item)
    posted_after_expiry(client, clock, partnership.officer, url, item_form())
    item_update(item=item, by=partnership.officer, version=1, summary="Changed by a colleague")
    sign_in(client, partnership.officer, next_path=url)
    kept = KeptForm.objects.get()

    response = send_again(client, kept)

    assert response.status_code == 400
    assert "Someone else changed this item while you were editing it" in response.text
    assert "SECRET-PHRASE-4417" in response.text
    item.refresh_from_db()
    assert item.summary == "Changed by a colleague"


def test_a_resend_with_an_error_shows_the_form_with_the_text(client, partnership, item, clock):
    url = edit_url(item)
    posted_after_expiry(client, clock, partnership.officer, url, item_form(summary=""))
    sign_in(client, partnership.officer, next_path=url)
    kept = KeptForm.objects.get()

    response = send_again(client, kept)

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "SECRET-PHRASE-4417" in response.text
    assert RESEND_FIELD not in response.text


def test_someone_else_signing_in_on_that_browser_sees_nothing_of_it(client, partnership, item, clock):
    url = edit_url(item)
    posted_after_expiry(client, clock, partnership.officer, url, item_form())
    colleague = UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER])

    page = sign_in(client, colleague, next_path=url)

    assert "Your work was kept" not in page.text
    assert "SECRET-PHRASE-4417" not in page.text
    assert not KeptForm.objects.exists()
    assert SESSION_KEPT_KEY not in client.session


def test_the_sender_elsewhere_or_another_user_cannot_reach_it(client, partnership, item, clock):
    url = edit_url(item)
    posted_after_expiry(client, clock, partnership.officer, url, item_form())
    kept = KeptForm.objects.get()

    elsewhere = Client()
    elsewhere.force_login(partnership.officer)  # the sender, in another browser: no token
    assert "Your work was kept" not in elsewhere.get(url).text
    thief = Client()
    thief.force_login(UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER]))
    thief.post(reverse("kept-form-discard"), {"token": kept.token})
    assert KeptForm.objects.filter(pk=kept.pk).exists()


def test_discarding_it_deletes_it_and_shows_the_page_as_it_is(client, partnership, item, clock):
    url = edit_url(item)
    posted_after_expiry(client, clock, partnership.officer, url, item_form())
    sign_in(client, partnership.officer, next_path=url)

    response = client.post(reverse("kept-form-discard"), {"token": KeptForm.objects.get().token}, follow=True)

    assert response.redirect_chain[-1][0] == url
    assert "What you typed has been discarded" in response.text
    assert "Original summary" in response.text
    assert not KeptForm.objects.exists()


def test_a_kept_form_older_than_30_minutes_is_never_shown_and_is_deleted(client, partnership, item, clock):
    url = edit_url(item)
    posted_after_expiry(client, clock, partnership.officer, url, item_form())
    clock.shift(datetime.timedelta(minutes=31))

    page = sign_in(client, partnership.officer, next_path=url)

    assert "Your work was kept" not in page.text
    assert KeptForm.objects.count() == 1
    clear_expired_sessions()
    assert not KeptForm.objects.exists()


def test_keeping_a_form_deletes_those_past_keeping(client, partnership, item, clock):
    url = edit_url(item)
    posted_after_expiry(client, clock, partnership.officer, url, item_form())
    first = KeptForm.objects.get()
    clock.shift(datetime.timedelta(minutes=31))

    posted_after_expiry(client, clock, partnership.officer, url, item_form(summary="Second try"))

    assert list(KeptForm.objects.values_list("fields__2__1__0", flat=True)) == ["Second try"]
    assert not KeptForm.objects.filter(pk=first.pk).exists()


def test_nothing_is_kept_for_a_browser_signed_out_on_purpose_or_never_signed_in(client, partnership, item, clock):
    sign_in(client, partnership.officer)
    client.post(reverse("logout"))

    signed_out = client.post(edit_url(item), item_form(), follow=True)
    never = Client().post(edit_url(item), item_form(), follow=True)

    assert not KeptForm.objects.exists()
    assert "kept" not in signed_out.text
    assert "kept" not in never.text


def test_a_post_with_nothing_typed_is_not_kept(client, partnership, item, clock):
    sign_in(client, partnership.officer)
    clock.shift(datetime.timedelta(minutes=31))

    response = client.post(edit_url(item), {"csrfmiddlewaretoken": "token"}, follow=True)

    assert response.redirect_chain[-1][0].startswith("/sign-in/")
    assert not KeptForm.objects.exists()
    assert "kept" not in response.text


def test_nothing_is_kept_from_the_api(client, partnership, item, clock):
    sign_in(client, partnership.officer)
    clock.shift(datetime.timedelta(minutes=31))

    response = client.post(
        reverse("api-item-create", args=[item.nominal_id]), {"kind": "note", "summary": "SECRET-PHRASE-4417"}
    )

    assert response.status_code in (401, 403)
    assert not KeptForm.objects.exists()


def test_a_form_sent_after_the_absolute_lifetime_is_kept_too(client, partnership, item, clock):
    url = edit_url(item)
    sign_in(client, partnership.officer)
    for _ in range(24):  # active every 29 minutes: 11 hours 36 minutes
        clock.shift(datetime.timedelta(minutes=29))
        client.get("/")
    clock.shift(datetime.timedelta(minutes=25))  # not idle for long, but 12 hours after signing in

    response = client.post(url, item_form(), follow=True)

    assert response.redirect_chain[-1][0] == f"/sign-in/?next={url}"
    assert "For your security you are signed out after 12 hours. What you typed is kept" in response.text
    assert KeptForm.objects.get().user == partnership.officer
    assert "Your work was kept" in sign_in(client, partnership.officer, next_path=url).text


def test_a_form_too_large_to_keep_is_not_kept_and_the_user_is_told(client, partnership, item, clock):
    response = posted_after_expiry(
        client, clock, partnership.officer, edit_url(item), item_form(detail="x" * (KEPT_TEXT_LIMIT + 1))
    )

    assert not KeptForm.objects.exists()
    assert "What you typed was too long to keep" in response.text


def test_a_file_is_not_kept_and_the_page_says_to_choose_it_again(client, partnership, item, clock):
    url = edit_url(item)
    upload = SimpleUploadedFile("licence.pdf", b"%PDF-1.4", content_type="application/pdf")
    posted_after_expiry(client, clock, partnership.officer, url, {**item_form(), "document": upload})

    page = sign_in(client, partnership.officer, next_path=url)

    assert KeptForm.objects.get().file_fields == ["document"]
    assert "choose the file again" in page.text


def test_what_was_typed_never_reaches_the_logs(client, partnership, item, clock, caplog):
    caplog.set_level(logging.DEBUG)
    url = edit_url(item)
    posted_after_expiry(client, clock, partnership.officer, url, item_form())
    sign_in(client, partnership.officer, next_path=url)
    kept = KeptForm.objects.get()
    send_again(client, kept)

    assert caplog.records, "the log was captured"
    assert "SECRET-PHRASE-4417" not in caplog.text


def test_the_kept_page_names_answers_in_the_pages_words():
    page = """
      <form method="post"><input type="hidden" name="version" value="3">
      <fieldset><legend><h1>Are the interventions commensurate with the risk?</h1></legend>
        <input type="radio" id="c1" name="commensurate" value="True"><label for="c1">Yes</label>
        <input type="radio" id="c2" name="commensurate" value="False"><label for="c2">No</label>
      </fieldset>
      <label for="id_actions">Actions set</label><textarea id="id_actions" name="actions_set"></textarea>
      <select name="team" id="id_team"><option value="7">Risk management</option></select>
      <button name="save">Save</button></form>"""
    kept = KeptForm(
        fields=[
            ["version", ["3"]],
            ["commensurate", ["False"]],
            ["actions_set", ["Weekly contact"]],
            ["team", ["7"]],
            ["note", [""]],
            ["next_review_on_0", ["9"]],
            ["next_review_on_1", ["4"]],
            ["next_review_on_2", ["2026"]],
            ["save", [""]],
            ["extra_field", ["Typed elsewhere"]],
        ]
    )

    shown = [(field.label, field.value) for field in kept_fields_shown(kept, page)]

    assert shown == [
        ("Are the interventions commensurate with the risk?", "No"),
        ("Actions set", "Weekly contact"),
        ("Team", "Risk management"),
        ("Next review on", "9/4/2026"),
        ("Extra field", "Typed elsewhere"),
    ]
