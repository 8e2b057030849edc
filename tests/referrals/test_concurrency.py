"""Two panel chairs deciding the same referral at once: one decision, and a clear message to the
other. Each chair works on their own database connection (a thread each), as two web requests do."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from referrals.models import Referral, ReferralDecision
from referrals.services import AcceptTerms, referral_decide
from sharing.errors import StateError
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.partnership import build_partnership
from tests.referrals.factories import accept_terms, listed_referral
from tests.sharing.factories import UserFactory

pytestmark = pytest.mark.usefixtures("reference_data")


def waiting_for_a_lock(timeout: float = 10.0) -> bool:
    """True once another connection is blocked on a row lock (seen from this connection)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)  # polling the server's state, not waiting for time to pass
    return False


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("first", "second"), [("accepted", "rejected"), ("accepted", "accepted")])
def test_two_chairs_deciding_at_once_make_one_decision(first, second):
    partnership = build_partnership()
    screener = UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER])
    chairs = [UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR]) for _ in range(2)]
    referral = listed_referral(make_nominal(partnership.officer), partnership.probation_officer, screener)
    terms: AcceptTerms = accept_terms(partnership.probation_officer, partnership.officer)
    first_has_locked, let_first_commit = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def decide(name: str, chair: Any, outcome: str, hold: bool) -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                results[name] = referral_decide(
                    referral=referral,
                    by=chair,
                    outcome=outcome,
                    rationale=f"{name}'s decision",
                    accept=terms if outcome == "accepted" else None,
                )
                if hold:
                    first_has_locked.set()
                    let_first_commit.wait(timeout=30)
        except Exception as error:
            results[name] = error
        finally:
            connections.close_all()

    one = threading.Thread(target=decide, args=("first", chairs[0], first, True))
    two = threading.Thread(target=decide, args=("second", chairs[1], second, False))
    one.start()
    assert first_has_locked.wait(timeout=30)
    two.start()
    assert waiting_for_a_lock(), "the second chair should wait for the first chair's lock"
    let_first_commit.set()
    one.join(timeout=30)
    two.join(timeout=30)

    assert isinstance(results["first"], ReferralDecision)
    assert isinstance(results["second"], StateError)
    message = str(results["second"])
    assert "already been decided by" in message
    assert str(chairs[0]) in message
    assert ReferralDecision.objects.filter(referral=referral).count() == 1
    assert Referral.objects.get(pk=referral.pk).status == first
    assert referral.nominal.memberships.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_second_final_decision_even_without_the_service():
    from django.db import IntegrityError, transaction

    partnership = build_partnership()
    screener = UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER])
    chair = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])
    referral = listed_referral(make_nominal(partnership.officer), partnership.probation_officer, screener)
    ReferralDecision.objects.create(referral=referral, outcome="rejected", rationale="First", decided_by=chair)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralDecision.objects.create(referral=referral, outcome="redirected", rationale="Second", decided_by=chair)
