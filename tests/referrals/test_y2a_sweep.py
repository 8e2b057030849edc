"""The youth-to-adult sweep (referrals/sweeps.py): each milestone told once, from 14 days
before it to the day itself, to the youth offending team's worker and the IOM lead; a 29 February
birthday and month ends counted as referrals/dates.py counts them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import CaseAssignment
from cohorts.records.models import CaseInvolvement, Nominal
from cohorts.records.services import case_assign, involvement_end, involvement_start
from notifications.models import Notification
from notifications.services import Reminder
from notifications.sweeps import sweep_run
from referrals.dates import add_months, y2a_milestones
from referrals.models import Referral
from referrals.services import referral_submit
from referrals.sweeps import y2a_reminders
from sharing.models import Agency, User
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.notices import said
from tests.partnership import Partnership
from tests.referrals.factories import draft_referral
from tests.sharing.factories import AgencyFactory, UserFactory

DAY = datetime.timedelta(days=1)
SINCE = datetime.date(2023, 1, 2)  # the youth offending team, and the IOM lead, involved since
LEAP_BIRTH = datetime.date(2008, 2, 29)  # 17 on 1 March 2025; 18 on 1 March 2026 (common years)
ORDER = {"order_ends_on": datetime.date(2030, 6, 30)}  # the youth order of a Y2A referral: long enough

Kind = Notification.Kind


@dataclass
class Young:
    nominal: Nominal
    yot_worker: User
    lead: User
    police_lead: User

    @property
    def subject(self) -> str:
        return f"nominal:{self.nominal.pk}"

    @property
    def told_to(self) -> set[int]:
        return {self.yot_worker.pk, self.lead.pk, self.police_lead.pk}


@pytest.fixture
def yot(db: None) -> Agency:
    return AgencyFactory.create(name="Northmoor Youth Offending Team", kind=Agency.Kind.YOUTH_OFFENDING_TEAM)


def young_person(p: Partnership, yot: Agency, born: datetime.date, *, key_worker: bool = True) -> Young:
    """A youth offending team case, with its key worker, a probation lead professional and a police
    lead officer."""
    nominal = make_nominal(p.officer, date_of_birth=born)
    involvement_start(nominal=nominal, agency=yot, reason=CaseInvolvement.Reason.TEAM, started_on=SINCE)
    yot_worker = UserFactory.create(agency=yot, roles=[Role.PARTNER_WORKER])
    lead = UserFactory.create(agency=p.probation, roles=[Role.PRACTITIONER])
    roles = [(CaseAssignment.Role.LEAD_PROFESSIONAL, lead), (CaseAssignment.Role.POLICE_LEAD, p.officer)]
    if key_worker:
        roles.append((CaseAssignment.Role.KEY_WORKER, yot_worker))
    for role, worker in roles:
        case_assign(nominal=nominal, role=role, worker=worker, by=p.officer, reason="Allocated", started_on=SINCE)
    return Young(nominal, yot_worker, lead, p.officer)


def told(reminders: list[Reminder], subject: str) -> set[tuple[int, str, datetime.date]]:
    return {(r.recipient_id, r.kind, r.due_on) for r in reminders if r.subject == subject}


def kinds(reminders: list[Reminder], subject: str) -> set[str]:
    return {r.kind for r in reminders if r.subject == subject}


# --- The milestones' edges, for a 29 February birthday ------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "milestone"),
    [
        (Kind.Y2A_CONSIDER, datetime.date(2025, 9, 1)),  # 17 on 1 March 2025, + 6 months
        (Kind.Y2A_LIAISON, datetime.date(2025, 12, 1)),  # + 9 months
        (Kind.Y2A_HANDOVER, datetime.date(2026, 3, 1)),  # 18 in a common year: 1 March
    ],
)
def test_each_milestone_of_a_29_february_birthday_is_told_from_14_days_before_to_the_day(
    partnership, yot, kind, milestone
):
    person = young_person(partnership, yot, LEAP_BIRTH)
    opens = milestone - 14 * DAY

    the_day_before = y2a_reminders(opens - DAY)
    the_day_it_opens = y2a_reminders(opens)
    the_milestone = y2a_reminders(milestone)
    the_day_after = y2a_reminders(milestone + DAY)

    assert kind not in kinds(the_day_before, person.subject)
    expected = {(pk, kind, milestone) for pk in person.told_to}
    assert told(the_day_it_opens, person.subject) == expected
    assert told(the_milestone, person.subject) == expected
    assert kind not in kinds(the_day_after, person.subject)


@pytest.mark.parametrize(
    ("born", "consider_on"),
    [
        (datetime.date(2008, 8, 31), datetime.date(2026, 2, 28)),  # 31 August + 17y6m: end of February
        (datetime.date(2010, 8, 31), datetime.date(2028, 2, 29)),  # ... in a leap year
        (datetime.date(2008, 8, 29), datetime.date(2026, 2, 28)),
    ],
)
def test_seventeen_and_a_half_from_a_month_end_falls_on_the_last_day_of_february(partnership, yot, born, consider_on):
    person = young_person(partnership, yot, born)

    assert Kind.Y2A_CONSIDER not in kinds(y2a_reminders(consider_on - 15 * DAY), person.subject)
    assert told(y2a_reminders(consider_on - 14 * DAY), person.subject) == {
        (pk, Kind.Y2A_CONSIDER, consider_on) for pk in person.told_to
    }
    assert Kind.Y2A_CONSIDER in kinds(y2a_reminders(consider_on), person.subject)
    assert Kind.Y2A_CONSIDER not in kinds(y2a_reminders(consider_on + DAY), person.subject)


def test_the_reminder_links_to_the_persons_page_without_a_y2a_referral(partnership, yot):
    person = young_person(partnership, yot, LEAP_BIRTH)

    [reminder, *_] = [r for r in y2a_reminders(datetime.date(2026, 3, 1)) if r.subject == person.subject]

    assert reminder.link == reverse("nominal-detail", args=[person.nominal.pk])
    assert "turns 18 on 1 March 2026" in said(reminder, datetime.date(2026, 3, 1))


# --- Who is told, who is not -------------------------------------------------------------------------------


def submitted_y2a_referral(person: Nominal, by: User) -> Referral:
    return referral_submit(referral=draft_referral(person, by, kind=Referral.Kind.Y2A, y2a=ORDER), by=by)


def turning_18_soon() -> tuple[datetime.date, datetime.date]:
    """A birth date and its 18th birthday, 20 days from now: a Y2A referral is made before it."""
    born = add_months(timezone.localdate(), -18 * 12) + 20 * DAY
    return born, y2a_milestones(born).eighteenth_birthday


def test_without_a_yot_key_worker_the_yot_referrer_of_the_y2a_referral_is_told(partnership, yot):
    born, eighteen = turning_18_soon()
    person = young_person(partnership, yot, born, key_worker=False)
    referral = submitted_y2a_referral(person.nominal, person.yot_worker)

    found = y2a_reminders(eighteen)

    assert told(found, person.subject) == {(pk, Kind.Y2A_HANDOVER, eighteen) for pk in person.told_to}
    assert {r.link for r in found if r.subject == person.subject} == {reverse("referral-detail", args=[referral.pk])}


def test_a_y2a_referral_alone_makes_a_young_person_and_an_iom_referrer_is_not_the_yot_worker(partnership):
    born, eighteen = turning_18_soon()
    nominal = make_nominal(partnership.officer, date_of_birth=born)
    lead = UserFactory.create(agency=partnership.probation, roles=[Role.PRACTITIONER])
    case_assign(
        nominal=nominal,
        role=CaseAssignment.Role.LEAD_PROFESSIONAL,
        worker=lead,
        by=partnership.officer,
        started_on=SINCE,
    )
    submitted_y2a_referral(nominal, partnership.probation_officer)

    found = y2a_reminders(eighteen)

    assert told(found, f"nominal:{nominal.pk}") == {(lead.pk, Kind.Y2A_HANDOVER, eighteen)}


def test_not_a_young_person_is_not_told(partnership, yot):
    adult_case = make_nominal(partnership.officer, date_of_birth=LEAP_BIRTH)  # no youth offending team, no referral
    draft_only = make_nominal(partnership.officer, date_of_birth=LEAP_BIRTH)
    draft_referral(draft_only, partnership.officer, kind=Referral.Kind.Y2A, y2a=ORDER)
    team_left = young_person(partnership, yot, LEAP_BIRTH, key_worker=False)
    involvement_end(
        involvement=CaseInvolvement.objects.get(nominal=team_left.nominal, agency=yot), ended_on=SINCE + DAY
    )

    found = y2a_reminders(datetime.date(2026, 3, 1))

    for subject in (f"nominal:{adult_case.pk}", f"nominal:{draft_only.pk}", team_left.subject):
        assert told(found, subject) == set()


# --- Queries and exactly once ---------------------------------------------------------------------------


def test_the_y2a_sweep_reads_in_a_fixed_number_of_queries(partnership, yot):
    day = datetime.date(2026, 3, 1)
    young_person(partnership, yot, LEAP_BIRTH)
    with CaptureQueriesContext(connection) as few:
        y2a_reminders(day)
    for n in range(5):
        young_person(partnership, yot, LEAP_BIRTH + (n + 1) * DAY)  # 18 on 2 to 6 March 2026
    with CaptureQueriesContext(connection) as many:
        found = y2a_reminders(day)

    assert len(found) == 6 * 3
    assert len(many) == len(few) == 3


def test_the_y2a_sweep_run_twice_stores_each_reminder_once(partnership, yot):
    person = young_person(partnership, yot, LEAP_BIRTH)
    day = datetime.date(2026, 2, 20)

    first = sweep_run(name="y2a", on=day)
    again = sweep_run(name="y2a", on=day)
    a_day_later = sweep_run(name="y2a", on=day + DAY)

    assert (first.found, first.stored, first.failed) == (3, 3, False)
    assert (again.found, again.stored) == (3, 0)
    assert (a_day_later.found, a_day_later.stored) == (3, 0)
    assert Notification.objects.filter(kind=Kind.Y2A_HANDOVER, subject=person.subject).count() == 3
