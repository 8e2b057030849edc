"""Two chairs approving the same minutes at once: one approval, one distribution, and a clear
message to the other. Each chair works on their own database connection (a thread each), as two web
requests do."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from cohorts.models import AccessEvent
from meetings.minutes.models import MinutesDistribution
from meetings.minutes.services import minutes_approve
from meetings.scheduling.models import Meeting
from sharing.errors import StateError
from sharing.roles import Role
from tests.meetings.factories import MeetingFactory, make_attendance
from tests.partnership import build_partnership
from tests.referrals.test_concurrency import waiting_for_a_lock
from tests.sharing.factories import UserFactory

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.mark.django_db(transaction=True)
def test_two_chairs_approving_at_once_send_the_minutes_once():
    partnership = build_partnership()
    chairs = [UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR]) for _ in range(2)]
    meeting = MeetingFactory.create(
        chair=chairs[0],
        date=timezone.localdate() - datetime.timedelta(days=1),
        status=Meeting.Status.HELD,
        invited=[partnership.probation],
    )
    make_attendance(meeting, partnership.probation_officer)
    first_has_locked, let_first_commit = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def approve(name: str, chair: Any, hold: bool) -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                results[name] = minutes_approve(meeting=meeting, by=chair, version=meeting.version)
                if hold:
                    first_has_locked.set()
                    let_first_commit.wait(timeout=30)
        except Exception as error:
            results[name] = error
        finally:
            connections.close_all()

    one = threading.Thread(target=approve, args=("first", chairs[0], True))
    two = threading.Thread(target=approve, args=("second", chairs[1], False))
    one.start()
    assert first_has_locked.wait(timeout=30)
    two.start()
    assert waiting_for_a_lock(), "the second chair should wait for the first chair's lock"
    let_first_commit.set()
    one.join(timeout=30)
    two.join(timeout=30)

    assert isinstance(results["first"], Meeting)
    assert isinstance(results["second"], StateError)
    assert "already approved" in str(results["second"])
    assert MinutesDistribution.objects.filter(meeting=meeting).count() == 2
    assert AccessEvent.objects.filter(action=AccessEvent.Action.DISCLOSURE).count() == 2
