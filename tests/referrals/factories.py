"""Referrals in each state, made through the services as the application makes them."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from cohorts.management.models import ManagementLevel, RagRating
from cohorts.records.models import Nominal
from referrals.models import Referral, ReferralDecision
from referrals.services import (
    AcceptTerms,
    referral_decide,
    referral_list_for_panel,
    referral_screen,
    referral_section_save,
    referral_start,
    referral_submit,
)
from sharing.models import User


def complete_sections(referral: Referral, by: User, **overrides: Any) -> Referral:
    """Fill in every section of the task list with an eligible Fixed referral (overridable)."""
    today = timezone.localdate()
    sections: dict[str, dict[str, Any]] = {
        "why": {"why_now": "Three burglaries since release in the last two months.", "criteria": ["reoffending"]},
        "strand": {"strand": "fixed", "proposed_level": None, "priority_cohorts": []},
        "offending": {
            "offences": [
                {"offence_type": "burglary", "committed_on": today - datetime.timedelta(days=20), "description": ""},
                {"offence_type": "burglary", "committed_on": today - datetime.timedelta(days=60), "description": ""},
            ]
        },
        "risk": {
            "statutory_status": "licence",
            "ogrs_percent": 82,
            "risk_of_serious_harm": "medium",
            "mappa_category": "",
            "mappa_level": "",
            "release_expected_on": None,
        },
        "needs": {"needs": [{"pathway": "accommodation", "level": "high", "note": "No fixed abode"}]},
        "urgency": {"urgent": False, "urgency_reason": ""},
        "y2a": {"management_passed_to_probation": True, "youth_order": "yro", "order_ends_on": None},
    }
    for section, fields in overrides.items():
        sections[section] = {**sections[section], **fields}
    for section in ("why", "strand", "offending", "risk", "needs", "urgency") + (("y2a",) if referral.is_y2a else ()):
        referral = referral_section_save(referral=referral, by=by, section=section, fields=sections[section])
    return referral


def draft_referral(nominal: Nominal, by: User, kind: str = Referral.Kind.ADULT, **overrides: Any) -> Referral:
    return complete_sections(referral_start(nominal=nominal, by=by, kind=kind), by, **overrides)


def submitted_referral(nominal: Nominal, by: User, **overrides: Any) -> Referral:
    return referral_submit(referral=draft_referral(nominal, by, **overrides), by=by)


def screened_referral(nominal: Nominal, by: User, screener: User, **overrides: Any) -> Referral:
    return referral_screen(referral=submitted_referral(nominal, by, **overrides), by=screener)


# The title of the panels the factories list referrals for, so that a test of another meeting can tell
# them apart (a listed referral joins its panel's agenda, and so the person's timeline).
LISTING_PANEL_TITLE = "Listing panel"


def selection_panel_on(day: datetime.date, screener: User) -> datetime.date:
    """A selection panel scheduled on the day that the screener sees (they are invited): a referral is
    listed for a scheduled panel only. The day, for referral_list_for_panel."""
    from meetings.scheduling.models import Meeting, MeetingKind
    from tests.meetings.factories import MeetingFactory

    if not Meeting.objects.filter(kind=MeetingKind.SELECTION_PANEL, date=day, invited_people=screener).exists():
        meeting = MeetingFactory.create(chair=screener, date=day, invited=[screener.agency], title=LISTING_PANEL_TITLE)
        meeting.invited_people.add(screener)
    return day


def listed_referral(nominal: Nominal, by: User, screener: User, **overrides: Any) -> Referral:
    return referral_list_for_panel(
        referral=screened_referral(nominal, by, screener, **overrides),
        by=screener,
        panel_date=selection_panel_on(timezone.localdate() + datetime.timedelta(days=7), screener),
    )


def accept_terms(lead: User, police_lead: User, **overrides: Any) -> AcceptTerms:
    values: dict[str, Any] = {
        "strand": "fixed",
        "level": ManagementLevel.objects.get(code="enhanced"),
        "rag": RagRating.objects.get(code="red"),
        "rag_rationale": "Offending escalating since release.",
        "lead_professional": lead,
        "police_lead": police_lead,
    }
    values.update(overrides)
    return AcceptTerms(**values)


def accepted_referral(
    nominal: Nominal, by: User, screener: User, chair: User, lead: User, police_lead: User
) -> ReferralDecision:
    referral = listed_referral(nominal, by, screener)
    return referral_decide(
        referral=referral,
        by=chair,
        outcome=ReferralDecision.Outcome.ACCEPTED,
        rationale="Meets the Fixed criteria; offending escalating.",
        accept=accept_terms(lead, police_lead),
    )
