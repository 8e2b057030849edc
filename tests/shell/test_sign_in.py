from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.sharing.factories import TEST_PASSWORD


def test_sign_in_page_is_open_to_everyone(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "Sign in" in response.text
    assert 'autocomplete="current-password"' in response.text


def test_a_signed_out_request_to_any_page_goes_to_sign_in(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_a_wrong_password_shows_a_govuk_error_summary_and_keeps_the_username(client, practitioner):
    response = client.post(reverse("login"), {"username": practitioner.username, "password": "not-the-password"})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "Enter a correct username and password" in response.text
    assert f'value="{practitioner.username}"' in response.text
    assert "<title>Error: Sign in" in response.text
    assert "_auth_user_id" not in client.session


def test_empty_fields_are_named_in_the_error_summary(client, db):
    response = client.post(reverse("login"), {"username": "", "password": ""})

    assert response.status_code == 200
    assert "Enter your username" in response.text
    assert "Enter your password" in response.text


def test_a_correct_password_signs_in_and_lands_on_the_page_asked_for(client, practitioner):
    response = client.post(
        reverse("login"),
        {"username": practitioner.username, "password": TEST_PASSWORD, "next": "/"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/"
    assert practitioner.agency.name in response.text
    assert practitioner.get_full_name() in response.text


@pytest.mark.real_password_hashing
def test_passwords_are_stored_with_argon2(practitioner):
    assert practitioner.password.startswith("argon2")


def test_sign_out_is_a_post_and_ends_the_session(signed_in, practitioner):
    client = signed_in(practitioner)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_sign_out_after_the_session_expired_leads_to_sign_in(client, practitioner):
    client.post(reverse("login"), {"username": practitioner.username, "password": TEST_PASSWORD})
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")


def test_the_session_ends_after_the_idle_timeout(signed_in, practitioner):
    client = signed_in(practitioner)
    client.get(reverse("home"))

    assert client.session.get_expiry_age() == settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_activity_keeps_the_session_alive_until_the_absolute_lifetime(client, practitioner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": practitioner.username, "password": TEST_PASSWORD})
    # Active every 20 minutes: never idle for 30 minutes, but 12 hours is the limit.
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("home")).status_code == 200, f"signed out after {minutes} minutes"
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "signed out after 12 hours" in response.text


def test_an_unknown_address_shows_the_404_page(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "govuk-template" in response.text


def test_an_unknown_address_when_signed_in_shows_the_404_page(signed_in, practitioner):
    response = signed_in(practitioner).get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.text


def test_a_form_posted_without_its_csrf_token_gets_the_govuk_page(practitioner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": practitioner.username, "password": TEST_PASSWORD})

    assert response.status_code == 403
    assert "your form could not be sent" in response.text


def test_a_server_error_shows_the_govuk_500_page_without_needing_the_database(rf):
    from shell.views import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert "govuk-template" in response.content.decode()


def test_the_session_is_renewed_at_most_once_a_minute_and_the_idle_timeout_runs_from_then(
    client, practitioner, settings
):
    settings.SESSION_RENEW_EVERY_SECONDS = 60  # as configured (the tests' fixture renews every request)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": practitioner.username, "password": TEST_PASSWORD})
        client.get(reverse("home"))
    expiry = Session.objects.get().expire_date

    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get().expire_date == expiry  # not written again within the minute

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get().expire_date == start + timedelta(seconds=61 + 30 * 60)

    # Idle for 30 minutes from that renewal (the page at 30 seconds did not renew it): signed out.
    with time_machine.travel(start + timedelta(seconds=61 + 30 * 60 + 1), tick=False):
        assert client.get(reverse("home")).status_code == 302
