"""Two chairs deciding the same agenda item at once, each on their own database connection (a thread
each, as two web requests): one decision, and a clear refusal for the other."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections, transaction

from meetings.agenda.models import AgendaItem
from meetings.running.services import item_decide_cohort, item_decide_referral
from referrals.models import ReferralDecision
from sharing.errors import StateError
from sharing.roles import Role
from tests.meetings.test_running_support import cohort_item, panel_of, referral_item, running
from tests.partnership import build_partnership
from tests.referrals.test_concurrency import waiting_for_a_lock
from tests.sharing.factories import UserFactory

pytestmark = pytest.mark.usefixtures("reference_data")


def race(first: Callable[[], Any], second: Callable[[], Any]) -> dict[str, Any]:
    """Run `first` until it holds its locks, start `second` (which must wait), then let `first` commit."""
    first_has_locked, let_first_commit = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def run(name: str, decide: Callable[[], Any], hold: bool) -> None:
        try:
            with transaction.atomic():
                results[name] = decide()
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
    assert first_has_locked.wait(timeout=30), results.get("first")
    two.start()
    assert waiting_for_a_lock(), "the second chair should wait for the first chair's lock on the item"
    let_first_commit.set()
    one.join(timeout=30)
    two.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_chairs_deciding_the_same_referral_item_at_once_make_one_decision():
    partnership = build_partnership()
    panel = panel_of(partnership)
    deputy = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR], first_name="Dee", last_name="Puty")
    running(panel)
    item = referral_item(panel)

    results = race(
        lambda: item_decide_referral(item=item, by=panel.chair, outcome="rejected", rationale="Not enough"),
        lambda: item_decide_referral(item=item, by=deputy, outcome="deferred", rationale="More information"),
    )

    assert isinstance(results["first"], ReferralDecision)
    assert isinstance(results["second"], StateError)
    assert "already been decided by Chris Chair" in str(results["second"])
    assert ReferralDecision.objects.filter(referral=item.referral).count() == 1
    stored = AgendaItem.objects.get(pk=item.pk)
    assert stored.referral_decision_id == results["first"].pk
    assert stored.decided_by_id == panel.chair.pk


@pytest.mark.django_db(transaction=True)
def test_two_chairs_deciding_the_same_cohort_item_at_once_make_one_decision():
    partnership = build_partnership()
    panel = panel_of(partnership, kind="map")
    deputy = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])
    running(panel)
    item = cohort_item(panel)

    results = race(
        lambda: item_decide_cohort(item=item, by=panel.chair, outcome="Joint home visit"),
        lambda: item_decide_cohort(item=item, by=deputy, outcome="Nothing to do"),
    )

    assert isinstance(results["first"], AgendaItem)
    assert isinstance(results["second"], StateError)
    assert "Joint home visit" in str(results["second"])
    assert AgendaItem.objects.get(pk=item.pk).outcome == "Joint home visit"
