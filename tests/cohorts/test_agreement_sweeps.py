"""The information sharing agreements' sweep (cohorts/agreement_sweeps.py) at its edges: reviews and
ends told from 30 days before, an ended agreement's grants revoked before its parties are told, who
is told, and a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.agreement_sweeps import agreement_reminders
from cohorts.records.models import Nominal
from cohorts.records.selectors import nominal_get_for_user
from cohorts.records.services import cohort_membership_start
from notifications.models import Notification
from notifications.sweeps import sweep_run
from sharing.models import Agency, SharingAgreement, User
from sharing.roles import Role
from sharing.services import ClauseSpec, agreement_activate, agreement_create, agreement_end, agreement_suspend
from tests.cohorts.factories import make_nominal
from tests.partnership import category
from tests.sharing.factories import AgencyFactory, UserFactory

Kind = Notification.Kind
DAY = datetime.timedelta(days=1)


@dataclass
class CouncilAgreement:
    agreement: SharingAgreement
    council: Agency
    admin: User
    worker: User

    @property
    def subject(self) -> str:
        return f"agreement:{self.agreement.pk}"


def council_agreement(
    partnership,
    *,
    review_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    activate: bool = True,
    name: str = "Northmoor Council",
) -> CouncilAgreement:
    """An agreement between the police and a local authority, drafted by the council's admin (so
    the council owns it), sharing identity."""
    council = AgencyFactory.create(name=name, kind=Agency.Kind.LOCAL_AUTHORITY)
    admin = UserFactory.create(agency=council, roles=[Role.AGENCY_ADMIN])
    agreement = agreement_create(
        by=admin,
        title=f"{name} IOM pilot",
        purpose="Housing the cohort",
        legal_basis=SharingAgreement.LegalBasis.CRIME_AND_DISORDER,
        parties=[partnership.police, council],
        clauses=[ClauseSpec(category("identity"))],
        starts_on=timezone.localdate() - datetime.timedelta(days=60),
        review_on=review_on,
        ends_on=ends_on,
    )
    if activate:
        agreement = agreement_activate(agreement=agreement, by=admin)
    worker = UserFactory.create(agency=council, roles=[Role.PARTNER_WORKER])
    return CouncilAgreement(agreement=agreement, council=council, admin=admin, worker=worker)


def admins_of(agency: Agency) -> set[int]:
    return set(User.objects.filter(agency=agency, groups__name=Role.AGENCY_ADMIN).values_list("pk", flat=True))


def told(reminders, subject: str) -> set[tuple[str, datetime.date]]:
    return {(r.kind, r.due_on) for r in reminders if r.subject == subject}


def can_see(user: User, nominal: Nominal) -> bool:
    try:
        nominal_get_for_user(user, nominal.pk)
    except Nominal.DoesNotExist:
        return False
    return True


def test_a_review_is_told_from_30_days_before_through_the_review_day_to_every_partys_admins(partnership):
    review_on = timezone.localdate() + datetime.timedelta(days=45)
    shared = council_agreement(partnership, review_on=review_on)
    thirty_days_before = review_on - datetime.timedelta(days=30)

    assert told(agreement_reminders(thirty_days_before - DAY), shared.subject) == set()
    first_day = [r for r in agreement_reminders(thirty_days_before) if r.subject == shared.subject]
    assert {(r.kind, r.due_on) for r in first_day} == {(Kind.ISA_REVIEW_DUE, review_on)}
    assert told(agreement_reminders(review_on), shared.subject) == {(Kind.ISA_REVIEW_DUE, review_on)}
    assert told(agreement_reminders(review_on + DAY), shared.subject) == set()

    police_admins = admins_of(partnership.police)
    assert police_admins, "the partnership has a police agency admin"
    assert {r.recipient_id for r in first_day} == police_admins | {shared.admin.pk}
    assert shared.worker.pk not in {r.recipient_id for r in first_day}
    assert {r.link for r in first_day} == {reverse("agreement-detail", args=[shared.agreement.pk])}


def test_an_end_is_told_from_30_days_before_then_its_ending_for_a_week(partnership):
    ends_on = timezone.localdate() + datetime.timedelta(days=45)
    shared = council_agreement(partnership, ends_on=ends_on)
    thirty_days_before = ends_on - datetime.timedelta(days=30)

    assert told(agreement_reminders(thirty_days_before - DAY), shared.subject) == set()
    assert told(agreement_reminders(thirty_days_before), shared.subject) == {(Kind.ISA_ENDING, ends_on)}
    # Its last day is a day in force: still "ending", not yet ended.
    assert told(agreement_reminders(ends_on), shared.subject) == {(Kind.ISA_ENDING, ends_on)}
    assert told(agreement_reminders(ends_on + DAY), shared.subject) == {(Kind.ISA_ENDED, ends_on)}
    # A sweep that could not run for a week still tells it; after that it is not found again.
    assert told(agreement_reminders(ends_on + 7 * DAY), shared.subject) == {(Kind.ISA_ENDED, ends_on)}
    assert told(agreement_reminders(ends_on + 8 * DAY), shared.subject) == set()


def test_a_review_and_an_end_both_within_30_days_are_both_told(partnership):
    today = timezone.localdate()
    shared = council_agreement(partnership, review_on=today + 10 * DAY, ends_on=today + 20 * DAY)

    assert told(agreement_reminders(today), shared.subject) == {
        (Kind.ISA_REVIEW_DUE, today + 10 * DAY),
        (Kind.ISA_ENDING, today + 20 * DAY),
    }


def test_an_agreement_that_ends_takes_its_partners_grants_with_it_before_the_parties_are_told(partnership):
    today = timezone.localdate()
    shared = council_agreement(partnership, ends_on=today + 3 * DAY)
    person = make_nominal(partnership.officer)
    cohort_membership_start(nominal=person)
    assert can_see(shared.worker, person), "the agreement in force lets the council see the cohort"

    with time_machine.travel(timezone.now() + 4 * DAY):
        assert can_see(shared.worker, person), "nothing has revoked the grant yet: it lingers"
        reminders = agreement_reminders(timezone.localdate())

        assert not can_see(shared.worker, person)
        assert can_see(partnership.officer, person), "the police still see their own cohort"
        assert can_see(partnership.prison_officer, person), "the core agreement is still in force"
    ended = [r for r in reminders if r.subject == shared.subject]
    assert {(r.kind, r.due_on) for r in ended} == {(Kind.ISA_ENDED, today + 3 * DAY)}
    assert {r.recipient_id for r in ended} == admins_of(partnership.police) | {shared.admin.pk}


def test_an_agreement_ended_early_is_told_as_ended_from_its_end_day(partnership):
    today = timezone.localdate()
    shared = council_agreement(partnership, ends_on=today + 90 * DAY)
    agreement_end(agreement=shared.agreement, by=shared.admin)

    assert told(agreement_reminders(today - DAY), shared.subject) == set()
    assert told(agreement_reminders(today), shared.subject) == {(Kind.ISA_ENDED, today)}


def test_draft_and_suspended_agreements_are_not_told(partnership):
    today = timezone.localdate()
    draft = council_agreement(partnership, review_on=today + 5 * DAY, ends_on=today + 10 * DAY, activate=False)
    suspended = council_agreement(partnership, review_on=today + 5 * DAY, ends_on=today + 10 * DAY, name="Eastmoor")
    agreement_suspend(agreement=suspended.agreement, by=suspended.admin)

    for day in (today, today + 10 * DAY, today + 11 * DAY):
        reminders = agreement_reminders(day)
        assert told(reminders, draft.subject) == set()
        assert told(reminders, suspended.subject) == set()


def test_the_sweep_reads_the_agreements_in_a_fixed_number_of_queries(partnership):
    today = timezone.localdate()
    council_agreement(partnership, review_on=today + 5 * DAY, name="Council 0")
    with CaptureQueriesContext(connection) as few:
        found_few = agreement_reminders(today)
    for n in range(1, 6):
        council_agreement(partnership, review_on=today + 5 * DAY, ends_on=today + 9 * DAY, name=f"Council {n}")
    with CaptureQueriesContext(connection) as more:
        found_more = agreement_reminders(today)

    assert len(found_more) > len(found_few)
    # the same number whatever the agreements due (the partnership's housing agreement, ended
    # today, has its two parties' grants recomputed in both runs)
    assert len(more) == len(few)


def test_the_sweep_run_twice_stores_each_reminder_once(partnership):
    shared = council_agreement(partnership, review_on=timezone.localdate() + 30 * DAY)

    first = sweep_run(name="agreements")
    again = sweep_run(name="agreements")

    assert first.found == first.stored > 0
    assert (again.found, again.stored, again.failed) == (first.found, 0, False)
    stored = Notification.objects.filter(subject=shared.subject, kind=Kind.ISA_REVIEW_DUE)
    assert set(stored.values_list("recipient_id", flat=True)) == admins_of(partnership.police) | {shared.admin.pk}
    assert stored.count() == len(admins_of(partnership.police)) + 1
