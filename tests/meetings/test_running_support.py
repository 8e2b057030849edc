"""What the running-a-meeting tests share (no tests here): a selection panel chaired by a police panel
chair, probation and the drug service invited, with a referral listed for it, and helpers to put
items of each kind on its agenda."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from cohorts.deregistration.services import deregistration_propose
from cohorts.records.models import Nominal
from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting, MeetingKind
from referrals.models import Referral, ReferralDecision
from referrals.services import referral_decide
from sharing.models import User
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.meetings.factories import MeetingFactory, category, make_attendance, make_item
from tests.partnership import Partnership
from tests.referrals.factories import accept_terms, listed_referral, submitted_referral
from tests.sharing.factories import UserFactory


@dataclass
class Panel:
    partnership: Partnership
    chair: User
    meeting: Meeting


def panel_of(partnership: Partnership, *, kind: str = MeetingKind.SELECTION_PANEL, **fields: Any) -> Panel:
    chair = UserFactory.create(
        agency=partnership.police, roles=[Role.PANEL_CHAIR], first_name="Chris", last_name="Chair"
    )
    meeting = MeetingFactory.create(
        chair=chair, kind=kind, invited=[partnership.police, partnership.probation, partnership.drugs], **fields
    )
    return Panel(partnership=partnership, chair=chair, meeting=meeting)


def running(panel: Panel, *, read: bool = True) -> Meeting:
    """Started, the chair present and, unless read=False, the statement read (set as the services would)."""
    meeting = panel.meeting
    meeting.status, meeting.started_at = Meeting.Status.IN_PROGRESS, timezone.now()
    if read:
        meeting.confidentiality_read_at, meeting.confidentiality_read_by = timezone.now(), panel.chair
    meeting.save()
    make_attendance(meeting, panel.chair)
    return meeting


def referral_item(panel: Panel, nominal: Nominal | None = None, **fields: Any) -> AgendaItem:
    p = panel.partnership
    nominal = nominal or make_nominal(p.officer)
    referral = listed_referral(nominal, p.officer, p.officer)
    return make_item(
        panel.meeting,
        kind=AgendaItem.Kind.REFERRAL,
        source_key=f"referral:{referral.pk}",
        title=f"Referral {referral.reference}: {nominal.full_name}",
        referral=referral,
        nominal=nominal,
        owning_agency=p.police,
        category=category("offending-risk"),
        **fields,
    )


def urgent_item(panel: Panel) -> AgendaItem:
    p = panel.partnership
    nominal = make_nominal(p.officer)
    referral = submitted_referral(nominal, p.officer, urgency={"urgent": True, "urgency_reason": "Released tomorrow"})
    referral_decide(
        referral=referral,
        by=panel.chair,
        outcome=ReferralDecision.Outcome.REJECTED,
        rationale="Not enough offending",
        outside_meeting=True,
    )
    return make_item(
        panel.meeting,
        kind=AgendaItem.Kind.URGENT_RATIFICATION,
        source_key=f"urgent:{referral.pk}",
        title=f"Urgent decision on {referral.reference}",
        referral=referral,
        nominal=nominal,
        owning_agency=p.police,
        category=category("offending-risk"),
    )


def on_iom(panel: Panel, days_ago: int = 60) -> Nominal:
    """A person accepted onto IOM days_ago (the probation officer leads)."""
    p = panel.partnership
    nominal = make_nominal(p.officer)
    referral_decide(
        referral=listed_referral(nominal, p.officer, p.officer),
        by=panel.chair,
        outcome=ReferralDecision.Outcome.ACCEPTED,
        rationale="Meets the Fixed criteria.",
        accept=accept_terms(
            p.probation_officer,
            p.officer,
            starts_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        ),
    )
    return nominal


def deregistration_item(panel: Panel) -> AgendaItem:
    p = panel.partnership
    nominal = on_iom(panel)
    proposal = deregistration_propose(
        nominal=nominal, by=p.officer, reason="moved_out_of_area", explanation="Moved to Southdale."
    )
    return make_item(
        panel.meeting,
        kind=AgendaItem.Kind.DEREGISTRATION,
        source_key=f"deregistration:{proposal.pk}",
        title=f"Deregistration of {nominal.full_name}",
        deregistration=proposal,
        nominal=nominal,
        owning_agency=p.police,
        category=category("identity"),
    )


def cohort_item(panel: Panel, nominal: Nominal | None = None, **fields: Any) -> AgendaItem:
    p = panel.partnership
    nominal = nominal or on_iom(panel)
    values: dict[str, Any] = {
        "kind": AgendaItem.Kind.TOP_RAG,
        "source_key": f"top_rag:{nominal.pk}",
        "title": f"{nominal.full_name}: rated red",
        "nominal": nominal,
        "owning_agency": p.police,
        "category": category("offending-risk"),
    }
    values.update(fields)
    return make_item(panel.meeting, **values)


def restricted_item(panel: Panel) -> AgendaItem:
    """About a person the chair's agency (police) may not see: recorded by Southdale Police."""
    p = panel.partnership
    nominal = make_nominal(p.outsider, first_name="Hidden", last_name="Southdaleperson")
    return make_item(
        panel.meeting,
        kind=AgendaItem.Kind.OTHER,
        source_key=f"other:{nominal.pk}",
        title="HIDDEN-ITEM-TITLE",
        nominal=nominal,
        owning_agency=p.elsewhere,
        category=category("offending-risk"),
    )


def referral_status(item: AgendaItem) -> str:
    assert item.referral is not None
    return Referral.objects.get(pk=item.referral.pk).status
