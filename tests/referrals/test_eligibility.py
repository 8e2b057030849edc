import datetime
from typing import Any

import pytest

from referrals.eligibility import (
    FIXED,
    FLEX,
    ReferralFacts,
    check_eligibility,
    eligibility_problems,
)

TODAY = datetime.date(2026, 11, 22)


def facts(**overrides):
    values: dict[str, Any] = {
        "today": TODAY,
        "date_of_birth": datetime.date(1995, 1, 1),
        "strand": FIXED,
        "level": "Enhanced",
        "statutory_status": "licence",
        "offence_types": frozenset({"burglary"}),
    }
    values.update(overrides)
    return ReferralFacts(**values)


def test_a_fixed_referral_with_supervision_and_neighbourhood_crime_is_eligible():
    assert eligibility_problems(facts()) == []
    assert all(outcome.met for outcome in check_eligibility(facts()))


def test_shoplifting_alone_does_not_qualify_for_fixed():
    problems = eligibility_problems(facts(offence_types=frozenset({"shoplifting"})))

    assert problems == [
        "Shoplifting alone does not qualify for the Fixed strand: it needs burglary, robbery, vehicle crime or "
        "theft other than shoplifting."
    ]


def test_shoplifting_with_theft_qualifies():
    assert eligibility_problems(facts(offence_types=frozenset({"shoplifting", "theft"}))) == []


def test_fixed_needs_statutory_supervision():
    assert "statutory supervision" in eligibility_problems(facts(statutory_status="none"))[0]


def test_flex_takes_anyone_with_any_offending():
    assert (
        eligibility_problems(facts(strand=FLEX, statutory_status="none", offence_types=frozenset({"violence"}))) == []
    )


@pytest.mark.parametrize(
    ("born", "eligible"),
    [
        (datetime.date(2008, 11, 23), False),  # 18 tomorrow
        (datetime.date(2008, 11, 22), True),  # 18 today
    ],
)
def test_priority_level_is_for_adults_from_the_18th_birthday(born, eligible):
    problems = eligibility_problems(facts(level="Priority", level_adults_only=True, date_of_birth=born))

    assert (problems == []) is eligible


def test_a_leap_day_birth_becomes_an_adult_on_1_march():
    born = datetime.date(2008, 2, 29)

    assert eligibility_problems(
        facts(level="Priority", level_adults_only=True, date_of_birth=born, today=datetime.date(2026, 2, 28))
    )
    assert not eligibility_problems(
        facts(level="Priority", level_adults_only=True, date_of_birth=born, today=datetime.date(2026, 3, 1))
    )


def test_someone_on_the_cohort_or_already_referred_cannot_be_referred_again():
    assert eligibility_problems(facts(on_cohort=True)) == ["This person is already on the IOM cohort."]
    assert eligibility_problems(facts(referral_in_progress="REF-0042")) == [
        "This person already has a referral in progress (REF-0042)."
    ]


def test_a_deployment_switches_a_rule_off(settings):
    settings.IOM_ELIGIBILITY_RULES_OFF = ["fixed-neighbourhood-crime"]

    assert eligibility_problems(facts(offence_types=frozenset({"shoplifting"}))) == []
    assert [outcome.rule.code for outcome in check_eligibility(facts())] == [
        "fixed-statutory",
        "priority-adults",
        "not-on-cohort",
        "no-open-referral",
    ]


def test_a_deployment_changes_the_adult_age(settings):
    settings.IOM_PRIORITY_MIN_AGE = 21

    assert eligibility_problems(
        facts(level="Priority", level_adults_only=True, date_of_birth=datetime.date(2006, 1, 1))
    )
