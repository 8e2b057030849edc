"""Sign-in lockout (django-axes, settings AXES_*): five failed sign-ins to one account lock it for
fifteen minutes, even against the right password, whoever and wherever the attempts came from; the
page says so without saying whether a password was right; other accounts are untouched; a success
before the limit clears the count; the lock lifts after the cool-off, or at once when a system
admin resets it."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sharing.roles import Role
from tests.sharing.factories import TEST_PASSWORD

LIMIT = 5


def sign_in(client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username: str, times: int, address: str = "203.0.113.7") -> list[int]:
    return [sign_in(client, username, "not-the-password", address).status_code for _ in range(times)]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_fifth_failure_locks_the_account_even_against_the_right_password(client, practitioner):
    assert fail(client, practitioner.username, LIMIT - 1) == [200] * (LIMIT - 1), "the form again, with its error"

    fifth = sign_in(client, practitioner.username, "not-the-password")
    right_password = sign_in(client, practitioner.username, TEST_PASSWORD)

    assert fifth.status_code == 429
    assert right_password.status_code == 429
    assert not signed_in(client)
    page = right_password.text
    assert "You cannot sign in for now" in page
    assert "There have been 5 unsuccessful attempts" in page
    assert "You can try again in 15 minutes" in page
    assert "Enter a correct username and password" not in page, "it never says whether the password was right"
    assert AccessFailureLog.objects.filter(username=practitioner.username, locked_out=True).exists()


def test_the_lock_is_on_the_account_whatever_the_address(client, practitioner):
    addresses = [f"198.51.100.{n}" for n in range(LIMIT)]
    for address in addresses:
        fail(client, practitioner.username, 1, address)

    assert sign_in(client, practitioner.username, TEST_PASSWORD, "192.0.2.99").status_code == 429


def test_other_accounts_and_the_same_address_are_not_locked(client, practitioner, make_user):
    officer = make_user(Role.PRACTITIONER)
    fail(client, practitioner.username, LIMIT)

    other = sign_in(client, officer.username, TEST_PASSWORD)

    assert other.status_code == 302, "a station's officers share an address: only the account is locked"
    assert signed_in(client)


def test_a_success_before_the_limit_clears_the_count(client, practitioner):
    fail(client, practitioner.username, LIMIT - 1)
    assert sign_in(client, practitioner.username, TEST_PASSWORD).status_code == 302
    client.logout()

    assert fail(client, practitioner.username, LIMIT - 1) == [200] * (LIMIT - 1)
    assert sign_in(client, practitioner.username, TEST_PASSWORD).status_code == 302


def test_the_lock_lifts_fifteen_minutes_after_the_last_attempt(client, practitioner):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        fail(client, practitioner.username, LIMIT)
    with time_machine.travel(now + datetime.timedelta(minutes=14, seconds=59), tick=False):
        assert AccessAttempt.objects.filter(username=practitioner.username).exists()
    with time_machine.travel(now + datetime.timedelta(minutes=15, seconds=1), tick=False):
        assert sign_in(client, practitioner.username, TEST_PASSWORD).status_code == 302


def test_trying_again_while_locked_starts_the_fifteen_minutes_again(client, practitioner):
    # As the page says: "try again in 15 minutes" from now.
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        fail(client, practitioner.username, LIMIT)
    with time_machine.travel(now + datetime.timedelta(minutes=14), tick=False):
        assert sign_in(client, practitioner.username, TEST_PASSWORD).status_code == 429
    with time_machine.travel(now + datetime.timedelta(minutes=15, seconds=1), tick=False):
        assert sign_in(client, practitioner.username, TEST_PASSWORD).status_code == 429
    with time_machine.travel(now + datetime.timedelta(minutes=30, seconds=2), tick=False):
        assert sign_in(client, practitioner.username, TEST_PASSWORD).status_code == 302


def test_a_system_admin_unlocks_an_account_at_once(client, practitioner, capsys):
    fail(client, practitioner.username, LIMIT)

    call_command("axes_reset_username", practitioner.username)

    assert not AccessAttempt.objects.filter(username=practitioner.username).exists()
    assert sign_in(client, practitioner.username, TEST_PASSWORD).status_code == 302


@pytest.mark.parametrize(("limit", "minutes"), [(3, 30)])
def test_the_limit_and_the_cool_off_are_settings(client, practitioner, settings, limit, minutes):
    settings.AXES_FAILURE_LIMIT = limit
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=minutes)

    statuses = fail(client, practitioner.username, limit)

    assert statuses == [200] * (limit - 1) + [429]
    page = sign_in(client, practitioner.username, TEST_PASSWORD).text
    assert f"There have been {limit} unsuccessful attempts" in page
    assert f"You can try again in {minutes} minutes" in page


def test_a_system_admin_sees_the_lock_and_unlocks_it_in_system_administration(client, practitioner, system_admin):
    fail(client, practitioner.username, LIMIT)
    attempt = AccessAttempt.objects.get(username=practitioner.username)
    client.force_login(system_admin)

    listed = client.get("/admin/axes/accessattempt/")
    failures = client.get("/admin/axes/accessfailurelog/")
    confirmed = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    client.logout()

    assert listed.status_code == 200
    assert practitioner.username in listed.text
    assert failures.status_code == 200
    assert confirmed.status_code == 302
    assert sign_in(client, practitioner.username, TEST_PASSWORD).status_code == 302


def test_other_roles_cannot_see_sign_in_attempts(client, practitioner, make_user):
    client.force_login(make_user(Role.AGENCY_ADMIN))

    assert client.get("/admin/axes/accessattempt/").status_code == 403
