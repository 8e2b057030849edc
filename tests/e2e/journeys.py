"""What the browser journeys share: filling a GOV.UK date input, and the police supervisor's team
with a case on the cohort whose review falls overdue (the supervisor review, management report and
notification journeys)."""

from __future__ import annotations

import datetime
from typing import Any

from cohorts.management.models import RagRating
from cohorts.records.models import Nominal
from cohorts.records.services import case_assign, cohort_membership_start, rag_assess
from sharing.models import User
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.partnership import Partnership
from tests.sharing.factories import UserFactory


def fill_date(within: Any, day: datetime.date) -> None:
    """Fill the Day, Month and Year of the one date input inside `within` (a page or a fieldset)."""
    within.get_by_label("Day").fill(str(day.day))
    within.get_by_label("Month").fill(str(day.month))
    within.get_by_label("Year").fill(str(day.year))


def police_team(partnership: Partnership) -> tuple[User, User]:
    """A police supervisor, Paula Sergeant, and the officer she supervises, Sam Carter."""
    supervisor = UserFactory.create(
        agency=partnership.police, roles=[Role.SUPERVISOR], first_name="Paula", last_name="Sergeant"
    )
    police_lead = UserFactory.create(
        agency=partnership.police,
        roles=[Role.PRACTITIONER],
        first_name="Sam",
        last_name="Carter",
        supervisor=supervisor,
    )
    return supervisor, police_lead


def case_on_cohort(
    partnership: Partnership,
    police_lead: User,
    *,
    first_name: str,
    last_name: str,
    rating: str,
    since: datetime.date,
    rationale: str = "Panel",
    lead_professional: User | None = None,
) -> Nominal:
    """A person on the cohort since `since`, rated and never reviewed (so the review falls due one
    interval of the rating after `since`), with the police lead and, if given, a lead professional."""
    nominal = make_nominal(partnership.officer, first_name=first_name, last_name=last_name)
    cohort_membership_start(nominal=nominal, started_on=since)
    rag_assess(nominal=nominal, rating=RagRating.objects.get(code=rating), rationale=rationale, by=partnership.officer)
    if lead_professional is not None:
        case_assign(
            nominal=nominal,
            role="lead_professional",
            worker=lead_professional,
            by=partnership.officer,
            started_on=since,
        )
    case_assign(nominal=nominal, role="police_lead", worker=police_lead, by=partnership.officer, started_on=since)
    return nominal
