"""The selection matrix: reproducible scores whose explanation sums to the score, and re-scoring
that keeps the old scores as history."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referrals.models import Referral, ReferralActivity, ReferralScore, SelectionCriterion
from referrals.scoring import CriterionSpec, ScoreInputs, compute, criteria_from_json
from referrals.services import matrix_current, selection_criterion_update
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.referrals.factories import draft_referral, submitted_referral
from tests.sharing.factories import UserFactory

AS_OF = datetime.date(2026, 11, 22)
DEFAULT = [
    CriterionSpec("OGRS band", "ogrs_band", "3.00"),
    CriterionSpec("Neighbourhood crime in the last year", "nc_count", "2.00", window_days=365, cap=5),
    CriterionSpec("Recent neighbourhood crime", "nc_recency", "2.00"),
    CriterionSpec("Risk of serious harm", "rosh", "1.50"),
    CriterionSpec("Domestic abuse", "domestic_abuse", "3.00"),
    CriterionSpec("PCC priorities", "pcc_priority", "1.00", cap=3),
    CriterionSpec("Release within 8 weeks", "custody_release", "2.00", window_days=56),
]


def inputs(**overrides: Any) -> ScoreInputs:
    values: dict[str, Any] = {
        "as_of": AS_OF.isoformat(),
        "ogrs_percent": 82,
        "risk_of_serious_harm": "high",
        "offences": [("burglary", "2026-11-01"), ("robbery", "2026-06-01"), ("shoplifting", "2026-11-10")],
        "priority_cohorts": [("domestic-abuse", True), ("women", False)],
        "release_expected_on": "2026-12-20",
    }
    values.update(overrides)
    return ScoreInputs(**values)


def test_each_criterion_explains_its_points():
    score = compute(inputs(), DEFAULT)
    lines = {line.criterion: line for line in score.contributions}

    assert (lines["OGRS band"].points, lines["OGRS band"].finding) == (2, "OGRS 82%: high band")
    assert lines["Neighbourhood crime in the last year"].points == 2  # shoplifting is not neighbourhood crime
    assert lines["Recent neighbourhood crime"].finding == "Latest neighbourhood-crime offence 21 days ago"
    assert lines["Risk of serious harm"].contribution == "3.00"
    assert lines["Domestic abuse"].finding == "Flagged: domestic abuse priority cohort"
    assert lines["PCC priorities"].points == 1
    assert lines["Release within 8 weeks"].finding == "Release expected in 28 days (within 56)"
    assert score.total == Decimal("25.00")  # 6 + 4 + 6 + 3 + 3 + 1 + 2


@pytest.mark.parametrize(("days_to_release", "points"), [(-1, 0), (0, 1), (56, 1), (57, 0)])
def test_release_counts_within_its_window_only(days_to_release, points):
    release = (AS_OF + datetime.timedelta(days=days_to_release)).isoformat()

    line = compute(inputs(release_expected_on=release), DEFAULT).contributions[-1]

    assert line.points == points


def test_counts_are_capped():
    many = [("burglary", f"2026-{month:02d}-01") for month in range(1, 12)]

    line = compute(inputs(offences=many), DEFAULT).contributions[1]

    assert line.points == 5
    assert "(counted up to 5)" in line.finding


@given(
    ogrs=st.one_of(st.none(), st.integers(0, 100)),
    rosh=st.sampled_from(["", "low", "medium", "high", "very_high"]),
    days_ago=st.lists(st.integers(0, 800), max_size=12),
    weights=st.lists(st.decimals("0", "99.99", places=2), min_size=7, max_size=7),
)
@settings(max_examples=200, deadline=None)
def test_the_explanation_always_sums_to_the_score(ogrs, rosh, days_ago, weights):
    criteria = [
        CriterionSpec(spec.name, spec.measure, str(weight), spec.window_days, spec.cap)
        for spec, weight in zip(DEFAULT, weights, strict=True)
    ]
    offences = [("vehicle", (AS_OF - datetime.timedelta(days=days)).isoformat()) for days in days_ago]
    facts = inputs(ogrs_percent=ogrs, risk_of_serious_harm=rosh, offences=offences)

    score = compute(facts, criteria)

    assert score.total == sum(Decimal(line.contribution) for line in score.contributions)
    assert compute(ScoreInputs.from_json(facts.to_json()), criteria) == score


def test_a_stored_score_is_reproduced_from_its_stored_inputs_and_matrix(partnership):
    referral = submitted_referral(make_nominal(partnership.officer), partnership.probation_officer)

    stored = ReferralScore.objects.get(referral=referral, is_current=True)
    again = compute(ScoreInputs.from_json(stored.inputs), criteria_from_json(stored.matrix.criteria))

    assert again.total == stored.total == referral.score
    assert [line.to_json() for line in again.contributions] == stored.explanation
    assert sum(Decimal(line["contribution"]) for line in stored.explanation) == stored.total


def test_changing_a_weight_rescores_referrals_in_progress_and_keeps_history(partnership):
    admin = UserFactory.create(agency=partnership.police, roles=[Role.SYSTEM_ADMIN])
    in_progress = submitted_referral(make_nominal(partnership.officer), partnership.probation_officer)
    draft = draft_referral(make_nominal(partnership.officer), partnership.probation_officer)
    before = in_progress.score
    version = matrix_current().number
    ogrs = SelectionCriterion.objects.get(measure="ogrs_band")

    selection_criterion_update(criterion=ogrs, by=admin, weight=Decimal("10.00"))

    in_progress.refresh_from_db()
    assert matrix_current().number == version + 1
    assert before is not None
    assert in_progress.score == before + Decimal("14.00")  # 2 points, weight 3 → 10
    scores = list(in_progress.scores.order_by("computed_at", "pk"))
    assert [score.total for score in scores] == [before, in_progress.score]
    assert [score.is_current for score in scores] == [False, True]
    assert scores[0].matrix.number == version
    assert in_progress.activities.filter(action=ReferralActivity.Action.RESCORED).exists()
    draft.refresh_from_db()
    assert draft.score is None  # a draft is scored when it is submitted


def test_a_change_that_changes_nothing_makes_no_new_version(partnership):
    admin = UserFactory.create(agency=partnership.police, roles=[Role.SYSTEM_ADMIN])
    version = matrix_current().number
    ogrs = SelectionCriterion.objects.get(measure="ogrs_band")

    selection_criterion_update(criterion=ogrs, by=admin, weight=ogrs.weight)

    assert matrix_current().number == version


def test_only_system_administrators_change_the_matrix(partnership):
    from sharing.errors import NotAllowed

    chair = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])

    with pytest.raises(NotAllowed):
        selection_criterion_update(
            criterion=SelectionCriterion.objects.get(measure="rosh"), by=chair, weight=Decimal("1.00")
        )


def test_decided_referrals_keep_the_score_they_were_decided_on(partnership):
    admin = UserFactory.create(agency=partnership.police, roles=[Role.SYSTEM_ADMIN])
    referral = submitted_referral(make_nominal(partnership.officer), partnership.probation_officer)
    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.REJECTED)

    selection_criterion_update(
        criterion=SelectionCriterion.objects.get(measure="rosh"), by=admin, weight=Decimal("9.00")
    )

    assert referral.scores.count() == 1
