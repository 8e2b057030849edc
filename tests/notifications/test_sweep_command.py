"""`manage.py sweep`: runs the sweeps named (or all) now, says what each found, refuses unknown names."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from notifications.models import Notification, SweepRun
from notifications.sweeps import SWEEPS
from tests.notifications.test_notifications import on_cohort_with_red_rating


def test_the_sweep_command_runs_the_named_sweep_and_says_what_it_sent(partnership):
    on_cohort_with_red_rating(partnership, started_on=timezone.localdate() - datetime.timedelta(weeks=3))
    out = StringIO()

    call_command("sweep", "reviews", stdout=out)
    call_command("sweep", "reviews", stdout=out)

    first, again = [line for line in out.getvalue().splitlines() if line.startswith("reviews:")]
    assert first.startswith("reviews: found 2, stored 2 new")
    assert again.startswith("reviews: found 2, stored 0 new")
    assert Notification.objects.count() == 2


def test_the_sweep_command_runs_every_sweep_by_default(db):
    call_command("sweep", stdout=StringIO())

    assert set(SweepRun.objects.values_list("sweep", flat=True)) == set(SWEEPS)


def test_an_unknown_sweep_or_day_is_refused_with_the_names(db):
    with pytest.raises(CommandError, match=r"No sweep called reveiws\. The sweeps are: reviews, transitions"):
        call_command("sweep", "reveiws")
    with pytest.raises(CommandError, match="--on"):
        call_command("sweep", "--on", "3/12/2026")
    assert not SweepRun.objects.exists()
