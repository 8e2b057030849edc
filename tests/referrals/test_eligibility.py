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


def test_an_empty_draft_is_not_met_on_rules_it_cannot_be_checked_against_yet():
    """An empty draft once showed every rule as met: a rule about the strand or the level waits for them."""
    outcomes = {outcome.rule.code: outcome for outcome in check_eligibility(facts(strand="", level=""))}

    waiting = {code: outcome.waiting for code, outcome in outcomes.items() if outcome.waiting}
    assert waiting == {
        "fixed-statutory": "Choose the proposed strand first",
        "fixed-neighbourhood-crime": "Choose the proposed strand first",
        "priority-adults": "Choose the proposed level of management first",
    }
    assert not any(outcomes[code].met for code in waiting)
    assert outcomes["not-on-cohort"].met
    assert eligibility_problems(facts(strand="", level="")) == []


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
        "y2a-before-18",
        "y2a-probation",
        "y2a-order",
        "y2a-three-months",
    ]


def test_a_deployment_changes_the_adult_age(settings):
    settings.IOM_PRIORITY_MIN_AGE = 21

    assert eligibility_problems(
        facts(level="Priority", level_adults_only=True, date_of_birth=datetime.date(2006, 1, 1))
    )


# --- Youth to adult (Y2A) ----------------------------------------------------------------------------


def y2a_facts(born: datetime.date, today: datetime.date, **overrides: Any) -> ReferralFacts:
    values: dict[str, Any] = {
        "today": today,
        "date_of_birth": born,
        "strand": FLEX,
        "statutory_status": "community_order",
        "offence_types": frozenset({"violence"}),
        "y2a": True,
        "management_passed_to_probation": True,
        "youth_order": "yro",
        "order_ends_on": datetime.date(born.year + 19, 1, 1),
    }
    values.update(overrides)
    return ReferralFacts(**values)


def test_a_y2a_referral_is_made_up_to_the_day_before_the_18th_birthday():
    born = datetime.date(2009, 6, 15)

    assert eligibility_problems(y2a_facts(born, datetime.date(2027, 6, 14))) == []
    assert eligibility_problems(y2a_facts(born, datetime.date(2027, 6, 15))) == [
        "A youth-to-adult referral is made before the 18th birthday. Make an adult referral instead."
    ]


def test_a_leap_day_birth_turns_18_on_1_march_in_a_common_year():
    born = datetime.date(2008, 2, 29)  # 18th birthday: 1 March 2026

    assert (
        eligibility_problems(y2a_facts(born, datetime.date(2026, 2, 28), order_ends_on=datetime.date(2026, 6, 1))) == []
    )
    assert eligibility_problems(y2a_facts(born, datetime.date(2026, 3, 1), order_ends_on=datetime.date(2026, 6, 1)))


@pytest.mark.parametrize(
    ("order_ends_on", "eligible"),
    [
        (datetime.date(2027, 9, 14), False),  # a day short of 3 months after 15 June 2027
        (datetime.date(2027, 9, 15), True),  # exactly 3 months left
        (datetime.date(2028, 1, 1), True),
    ],
)
def test_a_y2a_referral_needs_three_months_left_on_the_order_at_18(order_ends_on, eligible):
    problems = eligibility_problems(
        y2a_facts(datetime.date(2009, 6, 15), datetime.date(2027, 1, 10), order_ends_on=order_ends_on)
    )

    assert (problems == []) is eligible
    if not eligible:
        assert problems == [
            "A youth-to-adult referral needs at least 3 months left on the order at the 18th birthday "
            "(15 June 2027): the order must end on or after 15 September 2027."
        ]


def test_three_months_after_a_leap_day_18th_birthday():
    # Born 29 February 2008: 18 on 1 March 2026, so the order must run to 1 June 2026.
    born = datetime.date(2008, 2, 29)
    today = datetime.date(2026, 1, 5)

    assert eligibility_problems(y2a_facts(born, today, order_ends_on=datetime.date(2026, 5, 31)))
    assert eligibility_problems(y2a_facts(born, today, order_ends_on=datetime.date(2026, 6, 1))) == []


@pytest.mark.parametrize(
    ("youth_order", "eligible"),
    [("referral_order", False), ("", False), ("yro", True), ("dto", True), ("s250", True)],
)
def test_a_y2a_referral_needs_a_youth_rehabilitation_order_or_above(youth_order, eligible):
    problems = eligibility_problems(
        y2a_facts(datetime.date(2009, 6, 15), datetime.date(2027, 1, 10), youth_order=youth_order)
    )

    assert (problems == []) is eligible


@pytest.mark.parametrize("passed", [False, None])
def test_a_case_the_yot_retains_does_not_transfer(passed):
    problems = eligibility_problems(
        y2a_facts(datetime.date(2009, 6, 15), datetime.date(2027, 1, 10), management_passed_to_probation=passed)
    )

    assert len(problems) == 1
    assert "pass to probation" in problems[0]


def test_adult_referrals_ignore_the_y2a_rules():
    assert eligibility_problems(facts(youth_order="", management_passed_to_probation=None)) == []
