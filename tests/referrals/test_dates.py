import datetime

import pytest

from referrals.dates import add_months, age_on, birthday, y2a_milestones

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 11, 15), 3, D(2027, 2, 15)),
        (D(2026, 12, 31), 12, D(2027, 12, 31)),
    ],
)
def test_adding_months_keeps_the_day_or_falls_back_to_the_months_end(day, months, expected):
    assert add_months(day, months) == expected


def test_a_leap_day_birth_reaches_its_birthday_on_1_march_in_a_common_year():
    born = D(2008, 2, 29)

    assert birthday(born, 18) == D(2026, 3, 1)
    assert birthday(born, 16) == D(2024, 2, 29)
    assert age_on(born, D(2026, 2, 28)) == 17
    assert age_on(born, D(2026, 3, 1)) == 18


def test_age_changes_on_the_birthday_not_the_day_before():
    born = D(2008, 11, 22)

    assert age_on(born, D(2026, 11, 21)) == 17
    assert age_on(born, D(2026, 11, 22)) == 18


def test_y2a_milestones():
    milestones = y2a_milestones(D(2009, 5, 10))

    assert milestones.consider_transfer == D(2026, 11, 10)
    assert milestones.start_liaison == D(2027, 2, 10)
    assert milestones.eighteenth_birthday == D(2027, 5, 10)


def test_y2a_milestones_of_a_leap_day_birth():
    milestones = y2a_milestones(D(2008, 2, 29))

    assert milestones.consider_transfer == D(2025, 9, 1)  # 17th birthday 1 March 2025, + 6 months
    assert milestones.start_liaison == D(2025, 12, 1)
    assert milestones.eighteenth_birthday == D(2026, 3, 1)


def test_the_next_milestone_is_the_one_on_or_after_the_day():
    milestones = y2a_milestones(D(2009, 5, 10))

    assert milestones.next_after(D(2026, 11, 10)) == ("Transfer considered (17 years 6 months)", D(2026, 11, 10))
    assert milestones.next_after(D(2026, 11, 11)) == (
        "IOM liaison with the youth offending team starts (17 years 9 months)",
        D(2027, 2, 10),
    )
    assert milestones.next_after(D(2027, 5, 11)) is None
