"""Two changes at once, each on its own database connection (a thread each, as two web requests or
two task runs): a meeting changed from the same version twice keeps the first change and refuses the
second; a series extended twice at once gets each meeting once."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connections, transaction
from django.utils import timezone

from meetings.scheduling.models import Meeting, MeetingKind, MeetingSeries
from meetings.scheduling.services import meeting_update, series_extend
from sharing.errors import StaleVersion
from sharing.roles import Role
from tests.referrals.test_concurrency import waiting_for_a_lock
from tests.sharing.factories import UserFactory

pytestmark = pytest.mark.usefixtures("reference_data")


def run_two_at_once(first: Any, second: Any) -> dict[str, Any]:
    """Run first (holding its transaction open until second waits for its lock), then second."""
    first_has_locked, let_first_commit = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def run(name: str, work: Any, hold: bool) -> None:
        try:
            with transaction.atomic():
                results[name] = work()
                if hold:
                    first_has_locked.set()
                    let_first_commit.wait(timeout=30)
        except Exception as error:
            results[name] = error
        finally:
            connections.close_all()

    one = threading.Thread(target=run, args=("first", first, True))
    two = threading.Thread(target=run, args=("second", second, False))
    one.start()
    assert first_has_locked.wait(timeout=30)
    two.start()
    assert waiting_for_a_lock(), "the second should wait for the first's lock"
    let_first_commit.set()
    one.join(timeout=30)
    two.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_chairs_changing_the_same_version_keep_the_first_change():
    chair = UserFactory.create(roles=[Role.PANEL_CHAIR])
    deputy = UserFactory.create(agency=chair.agency, roles=[Role.PANEL_CHAIR])
    meeting = Meeting.objects.create(
        kind=MeetingKind.MAP,
        title="MAP",
        date=timezone.localdate() + datetime.timedelta(days=7),
        starts_at=datetime.time(10, 0),
        location="Room 1",
        chair=chair,
        agency=chair.agency,
        created_by=chair,
    )

    results = run_two_at_once(
        lambda: meeting_update(meeting=meeting, by=chair, version=1, location="Room 2"),
        lambda: meeting_update(meeting=meeting, by=deputy, version=1, location="Room 3"),
    )

    assert isinstance(results["first"], Meeting)
    assert isinstance(results["second"], StaleVersion)
    meeting.refresh_from_db()
    assert (meeting.location, meeting.version) == ("Room 2", 2)


@pytest.mark.django_db(transaction=True)
def test_a_series_extended_twice_at_once_gets_each_meeting_once():
    chair = UserFactory.create(roles=[Role.PANEL_CHAIR])
    series = MeetingSeries.objects.create(
        kind=MeetingKind.MAP,
        title="MAP",
        frequency=MeetingSeries.Frequency.WEEKLY,
        first_date=timezone.localdate() + datetime.timedelta(days=1),
        starts_at=datetime.time(10, 0),
        chair=chair,
        agency=chair.agency,
        created_by=chair,
    )
    through = series.first_date + datetime.timedelta(weeks=9)

    results = run_two_at_once(
        lambda: series_extend(series=series, through=through),
        lambda: series_extend(series=series, through=through),
    )

    assert len(results["first"]) == 10
    assert results["second"] == []
    assert series.meetings.count() == 10
