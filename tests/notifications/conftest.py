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
