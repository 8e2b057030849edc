"""The selection matrix: a weighted score that tells a panel why a referral ranks where it does.

Each criterion has a measure, which turns the referral's facts into points, and a weight. The score
is the sum of points x weight, each contribution rounded to 2 places, so the explanation always
sums to the score. Everything a score used (the facts as of a day, and the criteria of the matrix
version) is stored with it: compute(inputs, criteria) gives the same score again, any time.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cohorts.records.models import NEIGHBOURHOOD_CRIME, Nominal, OffenceType

TWO_PLACES = Decimal("0.01")
NEIGHBOURHOOD_CRIME_CODES = frozenset(offence.value for offence in NEIGHBOURHOOD_CRIME)
DOMESTIC_ABUSE_COHORT = "domestic-abuse"
ROSH_POINTS = {
    Nominal.RiskOfSeriousHarm.LOW.value: 0,
    Nominal.RiskOfSeriousHarm.MEDIUM.value: 1,
    Nominal.RiskOfSeriousHarm.HIGH.value: 2,
    Nominal.RiskOfSeriousHarm.VERY_HIGH.value: 3,
}
DEFAULT_WINDOWS = {"nc_count": 365, "custody_release": 56}


@dataclass(frozen=True)
class ScoreInputs:
    """The facts a score depends on, as of one day (JSON-friendly, stored with the score)."""

    as_of: str  # ISO date
    ogrs_percent: int | None
    risk_of_serious_harm: str
    offences: list[tuple[str, str]]  # (offence type, ISO date)
    priority_cohorts: list[tuple[str, bool]]  # (code, is a PCC priority)
    release_expected_on: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScoreInputs:
        return cls(
            as_of=data["as_of"],
            ogrs_percent=data["ogrs_percent"],
            risk_of_serious_harm=data["risk_of_serious_harm"],
            offences=[(kind, day) for kind, day in data["offences"]],
            priority_cohorts=[(code, bool(pcc)) for code, pcc in data["priority_cohorts"]],
            release_expected_on=data["release_expected_on"],
        )


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion as stored in a matrix version."""

    name: str
    measure: str
    weight: str  # a decimal, as text
    window_days: int | None = None
    cap: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CriterionSpec:
        return cls(**data)


@dataclass(frozen=True)
class Contribution:
    criterion: str
    measure: str
    finding: str  # what the measure found, in words
    points: int
    weight: str
    contribution: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Score:
    total: Decimal
    contributions: list[Contribution]


def _day(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def _capped(points: int, cap: int | None) -> int:
    return min(points, cap) if cap is not None else points


def _ogrs_band(inputs: ScoreInputs, spec: CriterionSpec) -> tuple[int, str]:
    ogrs = inputs.ogrs_percent
    if ogrs is None:
        return 0, "OGRS not known"
    for threshold, points, band in ((90, 3, "very high"), (75, 2, "high"), (50, 1, "medium")):
        if ogrs >= threshold:
            return _capped(points, spec.cap), f"OGRS {ogrs}%: {band} band"
    return 0, f"OGRS {ogrs}%: low band"


def _neighbourhood_crime(inputs: ScoreInputs) -> list[datetime.date]:
    return sorted(
        (datetime.date.fromisoformat(day) for kind, day in inputs.offences if kind in NEIGHBOURHOOD_CRIME_CODES),
        reverse=True,
    )


def _nc_count(inputs: ScoreInputs, spec: CriterionSpec) -> tuple[int, str]:
    window = spec.window_days or DEFAULT_WINDOWS["nc_count"]
    as_of = datetime.date.fromisoformat(inputs.as_of)
    since = as_of - datetime.timedelta(days=window)
    count = sum(1 for day in _neighbourhood_crime(inputs) if since <= day <= as_of)
    points = _capped(count, spec.cap)
    capped = f" (counted up to {spec.cap})" if spec.cap is not None and count > spec.cap else ""
    return points, f"{count} neighbourhood-crime offence{'s' if count != 1 else ''} in the last {window} days{capped}"


def _nc_recency(inputs: ScoreInputs, spec: CriterionSpec) -> tuple[int, str]:
    offences = _neighbourhood_crime(inputs)
    if not offences:
        return 0, "No neighbourhood-crime offending recorded"
    as_of = datetime.date.fromisoformat(inputs.as_of)
    days = (as_of - offences[0]).days
    for within, points in ((91, 3), (182, 2), (365, 1)):
        if days <= within:
            return _capped(points, spec.cap), f"Latest neighbourhood-crime offence {days} days ago"
    return 0, f"Latest neighbourhood-crime offence {days} days ago (over a year)"


def _rosh(inputs: ScoreInputs, spec: CriterionSpec) -> tuple[int, str]:
    rosh = inputs.risk_of_serious_harm
    if not rosh:
        return 0, "Risk of serious harm not assessed"
    label = Nominal.RiskOfSeriousHarm(rosh).label.lower()
    return _capped(ROSH_POINTS[rosh], spec.cap), f"Risk of serious harm: {label}"


def _domestic_abuse(inputs: ScoreInputs, spec: CriterionSpec) -> tuple[int, str]:
    offending = any(kind == OffenceType.DOMESTIC_ABUSE.value for kind, _ in inputs.offences)
    cohort = any(code == DOMESTIC_ABUSE_COHORT for code, _ in inputs.priority_cohorts)
    if offending or cohort:
        why = "domestic abuse offending" if offending else "domestic abuse priority cohort"
        return _capped(1, spec.cap), f"Flagged: {why}"
    return 0, "Not flagged"


def _pcc_priority(inputs: ScoreInputs, spec: CriterionSpec) -> tuple[int, str]:
    flags = sorted(code for code, pcc in inputs.priority_cohorts if pcc)
    if not flags:
        return 0, "No police and crime commissioner priority cohort"
    return _capped(len(flags), spec.cap), f"{len(flags)} priority cohort{'s' if len(flags) != 1 else ''}: " + ", ".join(
        flags
    )


def _custody_release(inputs: ScoreInputs, spec: CriterionSpec) -> tuple[int, str]:
    release = _day(inputs.release_expected_on)
    window = spec.window_days or DEFAULT_WINDOWS["custody_release"]
    if release is None:
        return 0, "No release from custody expected"
    as_of = datetime.date.fromisoformat(inputs.as_of)
    days = (release - as_of).days
    if 0 <= days <= window:
        return _capped(1, spec.cap), f"Release expected in {days} days (within {window})"
    return 0, f"Release expected {release:%-d %B %Y}, not within {window} days"


MEASURES: dict[str, Callable[[ScoreInputs, CriterionSpec], tuple[int, str]]] = {
    "ogrs_band": _ogrs_band,
    "nc_count": _nc_count,
    "nc_recency": _nc_recency,
    "rosh": _rosh,
    "domestic_abuse": _domestic_abuse,
    "pcc_priority": _pcc_priority,
    "custody_release": _custody_release,
}


def compute(inputs: ScoreInputs, criteria: Iterable[CriterionSpec]) -> Score:
    """The score and each criterion's contribution. Pure: the same inputs give the same score."""
    contributions = []
    for spec in criteria:
        points, finding = MEASURES[spec.measure](inputs, spec)
        weight = Decimal(spec.weight)
        contribution = (weight * points).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        contributions.append(
            Contribution(
                criterion=spec.name,
                measure=spec.measure,
                finding=finding,
                points=points,
                weight=str(weight.quantize(TWO_PLACES)),
                contribution=str(contribution),
            )
        )
    total = sum((Decimal(line.contribution) for line in contributions), Decimal("0.00"))
    return Score(total=total.quantize(TWO_PLACES), contributions=contributions)


def criteria_from_json(data: Sequence[dict[str, Any]]) -> list[CriterionSpec]:
    return [CriterionSpec.from_json(item) for item in data]
