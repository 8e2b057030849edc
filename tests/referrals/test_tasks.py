"""Telling the referrer goes through the broker to a real Celery worker, after the decision commits."""

from __future__ import annotations

import pytest
from django.core import mail

from referrals.models import ReferralDecision
from referrals.services import referral_decide
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.iom.test_celery import wait_for
from tests.referrals.factories import listed_referral
from tests.sharing.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_a_rejection_reaches_the_referrer_through_the_worker(celery_worker, partnership, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    screener = UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER])
    chair = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])
    referral = listed_referral(make_nominal(partnership.officer), partnership.probation_officer, screener)
    mail.outbox = []

    referral_decide(
        referral=referral,
        by=chair,
        outcome=ReferralDecision.Outcome.REJECTED,
        rationale="Offending is low level; refer to the local neighbourhood team instead.",
    )

    assert wait_for(lambda: len(mail.outbox) == 1)
    message = mail.outbox[0]
    assert message.to == [partnership.probation_officer.email]
    assert f"Referral {referral.reference}: rejected" == message.subject
    assert "neighbourhood team" not in message.body  # the reasons are read after signing in
