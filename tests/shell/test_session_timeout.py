"""The timeout warning's side on the server: how long the session has left (asked without renewing
it), "Stay signed in", and the warning's times given to signed-in pages."""

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.sharing.factories import TEST_PASSWORD


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def sign_in(client: Client, user) -> None:
    client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})


def test_asking_how_long_is_left_does_not_renew_the_session(client, practitioner, settings, clock):
    settings.SESSION_RENEW_EVERY_SECONDS = 60
    sign_in(client, practitioner)
    expiry = Session.objects.get().expire_date
    clock.shift(datetime.timedelta(minutes=10))

    answer = client.get(reverse("session-time-left")).json()

    assert answer == {"seconds_left": 20 * 60}
    assert Session.objects.get().expire_date == expiry


def test_stay_signed_in_renews_the_session(client, practitioner, settings, clock):
    settings.SESSION_RENEW_EVERY_SECONDS = 60
    sign_in(client, practitioner)
    clock.shift(datetime.timedelta(minutes=29))

    answer = client.post(reverse("session-renew")).json()

    assert answer == {"seconds_left": 30 * 60}
    assert Session.objects.get().expire_date == timezone.now() + datetime.timedelta(minutes=30)
    assert client.get(reverse("session-time-left")).json() == {"seconds_left": 30 * 60}


def test_the_time_left_is_the_absolute_lifetimes_when_that_is_sooner(client, practitioner, clock):
    sign_in(client, practitioner)
    for _ in range(24):  # active every 29 minutes: 11 hours 36 minutes
        clock.shift(datetime.timedelta(minutes=29))
        client.get("/")

    assert client.get(reverse("session-time-left")).json() == {"seconds_left": 24 * 60}


def test_signed_out_the_time_left_is_none_and_staying_signed_in_does_nothing(client, practitioner, clock):
    sign_in(client, practitioner)
    clock.shift(datetime.timedelta(minutes=31))

    assert client.get(reverse("session-time-left")).json() == {"seconds_left": 0}
    assert client.post(reverse("session-renew")).json() == {"seconds_left": 0}
    assert client.get("/").status_code == 302


def test_signed_in_pages_carry_the_timeout_warning_with_its_times(signed_in, practitioner, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 600
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 90

    body = signed_in(practitioner).get("/").text

    assert 'data-idle-seconds="600"' in body
    assert 'data-warning-seconds="90"' in body
    assert 'data-time-left-url="/session/time-left/"' in body
    assert "Stay signed in" in body
    assert "Stay signed in" not in Client().get(reverse("login")).text
