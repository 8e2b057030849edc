"""Fixtures of the notifications tests."""

import pytest

from cohorts.records.services import cohort_membership_start
from tests.cohorts.factories import make_nominal


@pytest.fixture
def person(partnership):
    """Someone on the cohort, recorded by the police: the police and probation see them."""
    nominal = make_nominal(partnership.officer, first_name="John", last_name="Smith")
    cohort_membership_start(nominal=nominal)
    return f"nominal:{nominal.pk}"


def may_record_reviews(*users) -> None:
    """Make the users supervisors too: these tests tell reviews to the partnership's officers, and a
    review is told only to those who may record it (cohorts/sweeps.py, reviews_told)."""
    from django.contrib.auth.models import Group

    from sharing.roles import Role

    supervisors = Group.objects.get(name=Role.SUPERVISOR.value)
    for user in users:
        user.groups.add(supervisors)
        user._role_names = None  # the roles cached on the instance are read again


@pytest.fixture(autouse=True)
def officers_record_reviews(request):
    """The partnership's police and probation officers may record reviews in these tests."""
    if "partnership" in request.fixturenames:
        partnership = request.getfixturevalue("partnership")
        may_record_reviews(partnership.officer, partnership.probation_officer)
