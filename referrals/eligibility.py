"""Who may be referred to which strand and level: each rule has a code, a name and a message that
tells the referrer why, in one module. A deployment whose local practice differs switches rules off
(IOM_ELIGIBILITY_RULES_OFF) or changes the adult age for priority management (IOM_PRIORITY_MIN_AGE).

The rules take plain facts, so the referral form, the submit service and the panel all ask the same
question and get the same answer.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings

from cohorts.models import NEIGHBOURHOOD_CRIME, Nominal, OffenceType
from referrals.dates import age_on

FIXED, FLEX, FREE = "fixed", "flex", "free"
STANDARD, ENHANCED, PRIORITY = "standard", "enhanced", "priority"
STATUTORY_SUPERVISION = frozenset(
    {
        Nominal.StatutoryStatus.LICENCE,
        Nominal.StatutoryStatus.COMMUNITY_ORDER,
        Nominal.StatutoryStatus.POST_SENTENCE_SUPERVISION,
    }
)


@dataclass(frozen=True)
class ReferralFacts:
    """What eligibility depends on, gathered from the referral and the person's record."""

    today: datetime.date
    date_of_birth: datetime.date
    strand: str
    level: str = ""
    statutory_status: str = Nominal.StatutoryStatus.NONE
    offence_types: frozenset[str] = field(default_factory=frozenset)
    on_cohort: bool = False
    referral_in_progress: str = ""  # the reference of an open referral of the same person, if any


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    check: Callable[[ReferralFacts], str | None]  # None when met, else why not, for the referrer


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    problem: str | None

    @property
    def met(self) -> bool:
        return self.problem is None


def _fixed_needs_statutory_supervision(facts: ReferralFacts) -> str | None:
    if facts.strand == FIXED and facts.statutory_status not in STATUTORY_SUPERVISION:
        return (
            "The Fixed strand is for people under statutory supervision (licence, community order or "
            "post-sentence supervision). Choose Flex or Free."
        )
    return None


def _fixed_needs_neighbourhood_crime(facts: ReferralFacts) -> str | None:
    if facts.strand != FIXED:
        return None
    if not facts.offence_types & {offence.value for offence in NEIGHBOURHOOD_CRIME}:
        if facts.offence_types == {OffenceType.SHOPLIFTING.value}:
            return (
                "Shoplifting alone does not qualify for the Fixed strand: it needs burglary, robbery, "
                "vehicle crime or theft other than shoplifting."
            )
        return (
            "The Fixed strand needs neighbourhood-crime offending: burglary, robbery, vehicle crime or "
            "theft other than shoplifting."
        )
    return None


def _priority_is_for_adults(facts: ReferralFacts) -> str | None:
    minimum = getattr(settings, "IOM_PRIORITY_MIN_AGE", 18)
    if facts.level == PRIORITY and age_on(facts.date_of_birth, facts.today) < minimum:
        return f"Priority-level management is for adults ({minimum} and over). Choose enhanced or standard."
    return None


def _not_already_on_the_cohort(facts: ReferralFacts) -> str | None:
    return "This person is already on the IOM cohort." if facts.on_cohort else None


def _no_referral_in_progress(facts: ReferralFacts) -> str | None:
    if facts.referral_in_progress:
        return f"This person already has a referral in progress ({facts.referral_in_progress})."
    return None


RULES: Sequence[Rule] = (
    Rule("fixed-statutory", "Fixed strand: statutory supervision", _fixed_needs_statutory_supervision),
    Rule("fixed-neighbourhood-crime", "Fixed strand: neighbourhood-crime offending", _fixed_needs_neighbourhood_crime),
    Rule("priority-adults", "Priority level: adults only", _priority_is_for_adults),
    Rule("not-on-cohort", "Not already on the cohort", _not_already_on_the_cohort),
    Rule("no-open-referral", "No referral already in progress", _no_referral_in_progress),
)


def rules_in_force() -> list[Rule]:
    off = set(getattr(settings, "IOM_ELIGIBILITY_RULES_OFF", ()))
    return [rule for rule in RULES if rule.code not in off]


def check_eligibility(facts: ReferralFacts) -> list[Outcome]:
    """Every rule in force with its outcome, in order, for the page to explain and submit to enforce."""
    return [Outcome(rule, rule.check(facts)) for rule in rules_in_force()]


def eligibility_problems(facts: ReferralFacts) -> list[str]:
    return [outcome.problem for outcome in check_eligibility(facts) if outcome.problem is not None]
