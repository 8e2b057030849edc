"""Every registered sweep reads what is due in a fixed number of queries, however many people are on
the cohort (batched, not one query per nominal): the same count over a small and a larger
invented partnership, built as the benchmark builds its 20,000 people (demo/benchmark.py), and with
one thing due and with six, made by the helpers of each sweep's own tests."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.dates import working_days_before
from demo.benchmark import Sizes, dataset_build, dataset_clean
from demo.benchmark_sweeps import DueMade, due_build
from notifications.services import BATCH, reminders_send
from notifications.sweeps import SWEEPS
from referrals.dates import add_months
from sharing.models import Agency, User
from sharing.roles import Role
from tests.cohorts.test_agreement_sweeps import council_agreement
from tests.cohorts.test_transition_release_sweeps import led_on_cohort, released
from tests.meetings.test_sweeps import action_due, meeting_on
from tests.notifications.test_notifications import on_cohort_with_red_rating
from tests.partnership import Partnership
from tests.referrals.test_y2a_sweep import young_person
from tests.sharing.factories import AgencyFactory, UserFactory

# Twenty agencies: a youth offending team among the core, and two partner agreements (one to end).
SMALL = Sizes(nominals=60, items=50, agencies=20, workers=12)
LARGER = Sizes(nominals=600, items=50, agencies=20, workers=40)
CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK")  # the transaction around the store, as Django logs it


def sweep_queries(day: datetime.date) -> dict[str, tuple[int, int, int, int]]:
    """Each sweep's finder queries, the reminders it found, the queries storing them (rolled back),
    and the number of agencies of the users they are for."""
    counted: dict[str, tuple[int, int, int, int]] = {}
    for name, sweep in SWEEPS.items():
        with CaptureQueriesContext(connection) as finding:
            found = list(sweep.find(day))
        with transaction.atomic(), CaptureQueriesContext(connection) as storing:
            reminders_send(found)
            transaction.set_rollback(True)
        stored = sum(not query["sql"].startswith(CONTROL) for query in storing.captured_queries)
        agencies = User.objects.filter(pk__in={r.recipient_id for r in found}).values("agency").distinct().count()
        counted[name] = (len(finding), len(found), stored, agencies)
    return counted


def due_and_sweep_queries(day: datetime.date) -> tuple[DueMade, dict[str, tuple[int, int, int, int]]]:
    """What the benchmark makes due on the day, and the sweeps' queries over it, rolled back as the
    benchmark rolls it back."""
    with transaction.atomic():
        due = due_build(day, say=lambda message: None)
        counted = sweep_queries(day)
        transaction.set_rollback(True)
    return due, counted


def test_every_sweep_runs_the_same_number_of_queries_for_a_small_and_a_larger_cohort(db):
    day = timezone.localdate()
    dataset_build(SMALL, seed=2026, say=lambda message: None)
    small_due, small = due_and_sweep_queries(day)
    dataset_clean()
    dataset_build(LARGER, seed=2026, say=lambda message: None)
    larger_due, larger = due_and_sweep_queries(day)

    assert set(small) == set(SWEEPS)
    assert {name: counts[0] for name, counts in larger.items()} == {name: counts[0] for name, counts in small.items()}
    # Storing: the recipients and their roles, what each teller reads to tell them (the same queries
    # for any number of people, and for some kinds up to two per recipients' agency: the sharing
    # rules are the agency's), their delivery choices, then a thousand reminders a statement.
    for name, (_, found, stored, agencies) in larger.items():
        _, small_found, small_stored, small_agencies = small[name]
        more = (stored - math.ceil(found / BATCH)) - (small_stored - math.ceil(small_found / BATCH))
        assert 0 <= more <= 2 * (agencies - small_agencies), (name, small[name], larger[name])
    # Every sweep has work in both, more of it in the larger: reviews on every RAG cadence and
    # licences ending unplanned by construction, the rest made for the day by the benchmark.
    for name in SWEEPS:
        assert larger[name][1] >= small[name][1] > 0, name
    assert larger["reviews"][1] > small["reviews"][1]
    assert larger_due.releases > small_due.releases
    assert larger_due.young_people > small_due.young_people


# --- Each sweep, with one thing due and with six: the same queries -----------------------------------------


def _review(p: Partnership, day: datetime.date, n: int) -> None:
    on_cohort_with_red_rating(p, started_on=day - datetime.timedelta(weeks=3), last_name=f"Review{n}")


def _transition(p: Partnership, day: datetime.date, n: int) -> None:
    led_on_cohort(p, licence_ends_on=day + datetime.timedelta(weeks=8), last_name=f"Licence{n}")


def _release(p: Partnership, day: datetime.date, n: int) -> None:
    released(p, led_on_cohort(p, last_name=f"Release{n}").nominal, day)


def _y2a(p: Partnership, day: datetime.date, n: int) -> None:
    yot = Agency.objects.filter(kind=Agency.Kind.YOUTH_OFFENDING_TEAM).first() or AgencyFactory.create(
        name="Northmoor Youth Offending Team", kind=Agency.Kind.YOUTH_OFFENDING_TEAM
    )
    # 17 years and 6 months in a week: the first milestone, told from 14 days before.
    young_person(p, yot, add_months(day + datetime.timedelta(days=7), -210))


def _agreement(p: Partnership, day: datetime.date, n: int) -> None:
    council_agreement(p, review_on=day + datetime.timedelta(days=10), name=f"Northmoor Council {n}")


def _meeting(p: Partnership, day: datetime.date, n: int) -> None:
    # The first day from tomorrow whose meeting is told today (2 working days ahead).
    date = next(
        day + datetime.timedelta(days=ahead)
        for ahead in range(1, 10)
        if working_days_before(day + datetime.timedelta(days=ahead), 2) <= day
    )
    meeting_on(_chair(p), p, date, title=f"MAP meeting {n}")


def _action(p: Partnership, day: datetime.date, n: int) -> None:
    action_due(_chair(p), p, day + datetime.timedelta(days=1))


def _chair(p: Partnership) -> User:
    return User.objects.filter(groups__name=Role.PANEL_CHAIR).first() or UserFactory.create(
        agency=p.police, roles=[Role.PANEL_CHAIR]
    )


# How to make one thing due today for each sweep (the helpers of each sweep's own tests). A sweep
# registered without one here fails below.
DUE: dict[str, Callable[[Partnership, datetime.date, int], None]] = {
    "reviews": _review,
    "transitions": _transition,
    "releases": _release,
    "y2a": _y2a,
    "agreements": _agreement,
    "meetings": _meeting,
    "actions": _action,
}


@pytest.mark.parametrize("name", list(SWEEPS))
def test_a_sweep_runs_the_same_queries_with_one_thing_due_and_with_six(name, partnership):
    assert name in DUE, f"Add how to make a {name} reminder due to DUE"
    day = timezone.localdate()
    sweep = SWEEPS[name]
    DUE[name](partnership, day, 0)
    with CaptureQueriesContext(connection) as one:
        found_one = list(sweep.find(day))
    for n in range(1, 6):
        DUE[name](partnership, day, n)
    with CaptureQueriesContext(connection) as six:
        found_six = list(sweep.find(day))

    assert len({r.subject for r in found_six}) == len({r.subject for r in found_one}) + 5
    assert len(found_one) > 0
    assert len(six) == len(one), [query["sql"][:120] for query in six.captured_queries]
