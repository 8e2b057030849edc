"""Demo deregistrations: people of the demo cohort who left IOM, ratified by the panel chair
(mark.reynolds) for a licence completed, a move out of the area and a long custodial sentence; one
proposal waiting for a panel chair; and one person who left and came back for a second period.

Made through the services (cohorts/deregistration/services.py), attributed to the demo users in the change
history; the proposal and decision times are then set to the days they stand for, relative to today.
The people are the last of the generated cohort (demo/cohort.py) by CRN, not in the community,
whose period started long enough ago. Idempotent: once a demo explanation exists, nothing is added.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pghistory
from django.db import transaction
from django.utils import timezone

from cohorts.deregistration.models import Deregistration
from cohorts.deregistration.services import deregistration_propose, deregistration_ratify
from cohorts.management.models import CaseAssignment, CohortMembership
from cohorts.records.models import Nominal
from cohorts.records.services import case_assign, cohort_membership_start
from demo.common import days_ago
from sharing.models import Agency, User

CHAIR = "mark.reynolds"
IOM_TEAM = "sam.carter"


@dataclass(frozen=True)
class DemoLeaving:
    reason: str
    explanation: str
    proposed_days_ago: int
    last_day_days_ago: int | None  # None: still waiting for a panel chair
    back_after_days: int | None = None  # comes back for a second period this many days after leaving


LEAVINGS = [
    DemoLeaving(
        Deregistration.Reason.LICENCE_COMPLETED,
        "Licence ended without recall. Transition plan complete: housing tenancy held, in work, "
        "community recovery group weekly.",
        proposed_days_ago=40,
        last_day_days_ago=30,
    ),
    DemoLeaving(
        Deregistration.Reason.MOVED_OUT_OF_AREA,
        "Moved to Southdale to live with his sister; Southdale IOM has accepted the case and has the records.",
        proposed_days_ago=25,
        last_day_days_ago=18,
    ),
    DemoLeaving(
        Deregistration.Reason.LONG_CUSTODY,
        "Sentenced to 7 years at Northmoor Crown Court; release not before the end of the IOM planning horizon.",
        proposed_days_ago=12,
        last_day_days_ago=7,
    ),
    DemoLeaving(
        Deregistration.Reason.RISK_REDUCED,
        "No offending in 14 months, drug tests negative since spring, stable tenancy. Proposed for the next panel.",
        proposed_days_ago=3,
        last_day_days_ago=None,
    ),
    DemoLeaving(
        Deregistration.Reason.MOVED_OUT_OF_AREA,
        "Moved to a hostel in Eastfield for work. (Came back to Northmoor and was taken on again.)",
        proposed_days_ago=130,
        last_day_days_ago=120,
        back_after_days=60,
    ),
]


def _moment(days: int, hour: int) -> datetime.datetime:
    day = days_ago(days)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))  # noqa: DTZ001  (made aware)


def load_demo_deregistrations(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    """Idempotent: safe to run on every start."""
    explanations = [leaving.explanation for leaving in LEAVINGS]
    if Deregistration.objects.filter(explanation__in=explanations).exists():
        return
    used: set[int] = set()
    with transaction.atomic():
        for leaving in LEAVINGS:
            membership = _someone_on_the_cohort_since(leaving.proposed_days_ago + 30, used)
            if membership is None:
                return  # no generated cohort (a partial demo): nothing to show
            used.add(membership.nominal_id)
            _leave(leaving, membership, users)


def _someone_on_the_cohort_since(days: int, used: set[int]) -> CohortMembership | None:
    """The last generated person by CRN on the cohort since at least `days` ago, with a lead, and not
    in the community: the other demo loaders take people in the community (GPS tags, transitions) or
    the first on the cohort (the management report), and the cohort keeps its size in the community."""
    return (
        CohortMembership.objects.filter(
            ended_on__isnull=True,
            nominal__custody_status__in=[Nominal.CustodyStatus.CUSTODY, Nominal.CustodyStatus.UNLAWFULLY_AT_LARGE],
            started_on__lte=days_ago(days),
            nominal__crn__startswith="G9",
            nominal__assignments__role=CaseAssignment.Role.LEAD_PROFESSIONAL,
            nominal__assignments__ended_on__isnull=True,
        )
        .exclude(nominal_id__in=used)
        .exclude(nominal__deregistrations__isnull=False)
        .select_related("nominal")
        .order_by("-nominal__crn")
        .first()
    )


def _leave(leaving: DemoLeaving, membership: CohortMembership, users: dict[str, User]) -> None:
    nominal = membership.nominal
    proposer = users[IOM_TEAM]
    with pghistory.context(user=proposer.pk, url="demo data"):
        proposal = deregistration_propose(
            nominal=nominal, by=proposer, reason=leaving.reason, explanation=leaving.explanation
        )
    Deregistration.objects.filter(pk=proposal.pk).update(proposed_at=_moment(leaving.proposed_days_ago, 10))
    if leaving.last_day_days_ago is None:
        return
    chair = users[CHAIR]
    leads = list(
        CaseAssignment.objects.filter(nominal=nominal, ended_on__isnull=True)
        .exclude(role=CaseAssignment.Role.KEY_WORKER)
        .select_related("worker")
    )
    last_day = max(days_ago(leaving.last_day_days_ago), membership.started_on)
    with pghistory.context(user=chair.pk, url="demo data"):
        deregistration_ratify(deregistration=proposal, by=chair, ends_on=last_day, note="Ratified at the IOM panel.")
    Deregistration.objects.filter(pk=proposal.pk).update(decided_at=_moment(leaving.last_day_days_ago, 11))
    if leaving.back_after_days is None:
        return
    _come_back(nominal, membership, leads, last_day + datetime.timedelta(days=leaving.back_after_days), chair)


def _come_back(
    nominal: Nominal, before: CohortMembership, leads: list[CaseAssignment], starts_on: datetime.date, chair: User
) -> None:
    """A second period on IOM, managed as the first was, with the same leads."""
    management = getattr(before, "management", None)
    with pghistory.context(user=chair.pk, url="demo data"):
        cohort_membership_start(
            nominal=nominal,
            started_on=starts_on,
            strand=management.strand if management else "",
            level=management.level if management else None,
            priority_cohorts=list(management.priority_cohorts.all()) if management else [],
            mappa_level=management.mappa_level if management else "",
        )
        for lead in leads:
            case_assign(
                nominal=nominal,
                role=lead.role,
                worker=lead.worker,
                by=chair,
                reason="Back on IOM: accepted again at panel",
                started_on=starts_on,
            )
