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

from cohorts.management.models import Strand
from cohorts.records.models import NEIGHBOURHOOD_CRIME, Nominal, OffenceType
from referrals.dates import add_months, age_on, birthday

FIXED, FLEX, FREE = Strand.FIXED.value, Strand.FLEX.value, Strand.FREE.value
# "A Youth Rehabilitation Order or above" (referrals.models.Referral.YouthOrder)
YRO_OR_ABOVE = frozenset({"yro", "dto", "s250"})
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
    level: str = ""  # the proposed or decided level's name
    level_adults_only: bool = False
    statutory_status: str = Nominal.StatutoryStatus.NONE
    offence_types: frozenset[str] = field(default_factory=frozenset)
    on_cohort: bool = False
    referral_in_progress: str = ""  # the reference of an open referral of the same person, if any
    # Youth-to-adult (Y2A) referrals only:
    y2a: bool = False
    management_passed_to_probation: bool | None = None
    youth_order: str = ""
    order_ends_on: datetime.date | None = None


def _known(facts: ReferralFacts) -> str | None:
    return None


def _strand_known(facts: ReferralFacts) -> str | None:
    return None if facts.strand else "Choose the proposed strand first"


def _level_known(facts: ReferralFacts) -> str | None:
    return None if facts.level else "Choose the proposed level of management first"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    check: Callable[[ReferralFacts], str | None]  # None when met, else why not, for the referrer
    # What the referral must say before the rule can be checked: None once it does. An empty draft
    # is not "met" on rules about a strand or a level it has not chosen.
    waits_for: Callable[[ReferralFacts], str | None] = _known


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    problem: str | None
    waiting: str | None = None  # the rule cannot be checked yet: what the referral must say first

    @property
    def met(self) -> bool:
        return self.problem is None and self.waiting is None


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
    if facts.level_adults_only and age_on(facts.date_of_birth, facts.today) < minimum:
        level = facts.level or "This level of"
        return f"{level} management is for adults ({minimum} and over). Choose a level that takes any age."
    return None


def _not_already_on_the_cohort(facts: ReferralFacts) -> str | None:
    return "This person is already on the IOM cohort." if facts.on_cohort else None


def _no_referral_in_progress(facts: ReferralFacts) -> str | None:
    if facts.referral_in_progress:
        return f"This person already has a referral in progress ({facts.referral_in_progress})."
    return None


def _y2a_before_the_18th_birthday(facts: ReferralFacts) -> str | None:
    if facts.y2a and facts.today >= birthday(facts.date_of_birth, 18):
        return "A youth-to-adult referral is made before the 18th birthday. Make an adult referral instead."
    return None


def _y2a_management_passed_to_probation(facts: ReferralFacts) -> str | None:
    if facts.y2a and facts.management_passed_to_probation is not True:
        return (
            "A youth-to-adult referral needs the case's management to pass to probation; a case the youth "
            "offending team retains after 18 does not transfer."
        )
    return None


def _y2a_order_is_yro_or_above(facts: ReferralFacts) -> str | None:
    if facts.y2a and facts.youth_order not in YRO_OR_ABOVE:
        return "A youth-to-adult referral needs a Youth Rehabilitation Order or above (DTO, section 250)."
    return None


def _y2a_three_months_left_at_18(facts: ReferralFacts) -> str | None:
    if not facts.y2a:
        return None
    eighteenth = birthday(facts.date_of_birth, 18)
    needed = add_months(eighteenth, 3)
    if facts.order_ends_on is None or facts.order_ends_on < needed:
        return (
            f"A youth-to-adult referral needs at least 3 months left on the order at the 18th birthday "
            f"({eighteenth:%-d %B %Y}): the order must end on or after {needed:%-d %B %Y}."
        )
    return None


RULES: Sequence[Rule] = (
    Rule("fixed-statutory", "Fixed strand: statutory supervision", _fixed_needs_statutory_supervision, _strand_known),
    Rule(
        "fixed-neighbourhood-crime",
        "Fixed strand: neighbourhood-crime offending",
        _fixed_needs_neighbourhood_crime,
        _strand_known,
    ),
    Rule("priority-adults", "Priority level: adults only", _priority_is_for_adults, _level_known),
    Rule("not-on-cohort", "Not already on the cohort", _not_already_on_the_cohort),
    Rule("no-open-referral", "No referral already in progress", _no_referral_in_progress),
    Rule("y2a-before-18", "Youth to adult: referred before the 18th birthday", _y2a_before_the_18th_birthday),
    Rule("y2a-probation", "Youth to adult: management passes to probation", _y2a_management_passed_to_probation),
    Rule("y2a-order", "Youth to adult: a Youth Rehabilitation Order or above", _y2a_order_is_yro_or_above),
    Rule("y2a-three-months", "Youth to adult: 3 months left on the order at 18", _y2a_three_months_left_at_18),
)


def rules_in_force() -> list[Rule]:
    off = set(getattr(settings, "IOM_ELIGIBILITY_RULES_OFF", ()))
    return [rule for rule in RULES if rule.code not in off]


def check_eligibility(facts: ReferralFacts) -> list[Outcome]:
    """Every rule in force with its outcome, in order, for the page to explain and submit to enforce."""
    outcomes = []
    for rule in rules_in_force():
        waiting = rule.waits_for(facts)
        outcomes.append(Outcome(rule, None, waiting) if waiting else Outcome(rule, rule.check(facts)))
    return outcomes


def eligibility_problems(facts: ReferralFacts) -> list[str]:
    return [outcome.problem for outcome in check_eligibility(facts) if outcome.problem is not None]
