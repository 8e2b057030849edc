"""Supervisor reviews at the service and selector level (cohorts/reviews/services.py): who may record a
review, the next review date it may set, and when the next review is due (in SQL), at its edges."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.management.models import CaseAssignment, RagRating
from cohorts.records.models import Nominal, RecordedItem
from cohorts.records.services import (
    case_assign,
    cohort_membership_end,
    cohort_membership_start,
    item_record,
    rag_assess,
)
from cohorts.reviews.models import SupervisorReview
from cohorts.reviews.services import (
    SUMMARY_COMMENSURATE,
    SUMMARY_NOT_COMMENSURATE,
    cadence_after,
    overdue_in_team_count,
    reviews_due,
    reviews_for_user,
    supervisor_review_record,
    with_review_due,
)
from referrals.dates import add_months
from sharing.errors import NotAllowed, StateError
from sharing.models import DataCategory, User
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory

SupervisorReviewEvent = SupervisorReview.pgh_event_model  # type: ignore[attr-defined]


def TODAY() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return TODAY() - datetime.timedelta(days=days)


def rating(code: str) -> RagRating:
    return RagRating.objects.get(code=code)


def rate(nominal: Nominal, code: str, by) -> None:
    rag_assess(nominal=nominal, rating=rating(code), rationale=f"Rated {code}", by=by)


def on_cohort(by, *, since: datetime.date, rag: str = "", **fields) -> Nominal:
    person = make_nominal(by, **fields)
    cohort_membership_start(nominal=person, started_on=since)
    if rag:
        rate(person, rag, by)
    return person


def past_review(nominal: Nominal, by, *, on: datetime.date, next_review_on: datetime.date) -> SupervisorReview:
    """A review recorded on a past day (the service records today's only)."""
    item = item_record(
        nominal=nominal,
        by=by,
        category=DataCategory.objects.get(code="offending-risk"),
        kind=RecordedItem.Kind.REVIEW,
        summary=SUMMARY_COMMENSURATE,
        occurred_on=on,
    )
    return SupervisorReview.objects.create(item=item, commensurate=True, next_review_on=next_review_on)


def due_of(nominal: Nominal, on: datetime.date | None = None) -> tuple[datetime.date | None, bool]:
    person = with_review_due(Nominal.objects.filter(pk=nominal.pk), on).get()
    return person.review_due_on, person.is_overdue  # type: ignore[attr-defined]


@pytest.fixture
def team(partnership):
    """A drug service supervisor whose worker leads the case; a police supervisor of the police lead."""
    drugs_supervisor = UserFactory.create(agency=partnership.drugs, roles=[Role.SUPERVISOR], first_name="Dee")
    police_supervisor = UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR])
    lead = partnership.drugs_worker
    lead.supervisor = drugs_supervisor
    lead.save()
    police_lead = UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER], supervisor=police_supervisor)
    return {
        "drugs_supervisor": drugs_supervisor,
        "police_supervisor": police_supervisor,
        "lead": lead,
        "police_lead": police_lead,
    }


@pytest.fixture
def nominal(partnership, team):
    """On the cohort for 60 days, rated Amber (reviewed every month), led by a drug service worker."""
    person = on_cohort(partnership.officer, since=days_ago(60), rag="amber", first_name="Riley", last_name="Review")
    case_assign(
        nominal=person, role="lead_professional", worker=team["lead"], by=partnership.officer, started_on=days_ago(60)
    )
    case_assign(
        nominal=person, role="police_lead", worker=team["police_lead"], by=partnership.officer, started_on=days_ago(60)
    )
    return person


def record(nominal, by, **fields):
    values: dict[str, Any] = {
        "commensurate": True,
        "actions_set": "Keep weekly drug testing",
        "next_review_on": TODAY() + datetime.timedelta(days=28),
    }
    values.update(fields)
    return supervisor_review_record(nominal=nominal, by=by, **values)


# --- Recording a review: who may --------------------------------------------------------------------


def test_the_lead_professionals_supervisor_records_a_review_as_an_item_of_their_agency(partnership, team, nominal):
    review = record(nominal, team["drugs_supervisor"], note="Good engagement with Compass")

    item = review.item
    assert (item.nominal, item.owning_agency, item.category.code, item.kind) == (
        nominal,
        partnership.drugs,
        "offending-risk",
        RecordedItem.Kind.REVIEW,
    )
    assert item.summary == "Supervisor review: interventions commensurate with the risk"
    assert (item.occurred_on, item.recorded_by, item.detail) == (
        TODAY(),
        team["drugs_supervisor"],
        "Good engagement with Compass",
    )
    assert (review.rating, review.commensurate, review.actions_set) == (
        rating("amber"),
        True,
        "Keep weekly drug testing",
    )
    assert review.next_review_on == TODAY() + datetime.timedelta(days=28)


def test_a_review_is_in_the_change_history(team, nominal):
    review = record(nominal, team["drugs_supervisor"])

    assert SupervisorReviewEvent.objects.filter(pgh_obj=review, pgh_label="insert").exists()


def test_a_review_finding_the_interventions_wanting_says_so(team, nominal):
    review = record(nominal, team["police_supervisor"], commensurate=False, actions_set="Refer to housing")

    assert (
        review.item.summary
        == SUMMARY_NOT_COMMENSURATE
        == ("Supervisor review: interventions not commensurate with the risk")
    )


def test_the_police_leads_supervisor_records_a_review(team, nominal):
    assert record(nominal, team["police_supervisor"]).item.recorded_by == team["police_supervisor"]


@pytest.mark.parametrize("agency", ["police", "probation"])
def test_any_supervisor_of_the_iom_units_agencies_reviews(partnership, nominal, agency):
    supervisor = UserFactory.create(agency=getattr(partnership, agency), roles=[Role.SUPERVISOR])

    assert record(nominal, supervisor).item.owning_agency == getattr(partnership, agency)


def test_a_partner_supervisor_who_supervises_no_lead_may_not_review(partnership, nominal):
    other = UserFactory.create(agency=partnership.drugs, roles=[Role.SUPERVISOR])

    with pytest.raises(NotAllowed):
        record(nominal, other)
    assert not SupervisorReview.objects.exists()


def test_the_supervisor_of_a_key_worker_only_may_not_review(partnership, nominal):
    supervisor = UserFactory.create(agency=partnership.prison, roles=[Role.SUPERVISOR])
    key_worker = UserFactory.create(agency=partnership.prison, roles=[Role.PARTNER_WORKER], supervisor=supervisor)
    case_assign(nominal=nominal, role="key_worker", worker=key_worker, by=partnership.officer)

    with pytest.raises(NotAllowed):
        record(nominal, supervisor)


def test_the_supervisor_of_a_former_lead_professional_may_not_review(partnership, team, nominal):
    case_assign(
        nominal=nominal,
        role="lead_professional",
        worker=partnership.probation_officer,
        by=partnership.officer,
        reason="Moved to probation",
    )

    with pytest.raises(NotAllowed):
        record(nominal, team["drugs_supervisor"])


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.PANEL_CHAIR, Role.ANALYST, Role.SYSTEM_ADMIN])
def test_only_supervisors_review_even_in_the_iom_unit(partnership, nominal, role):
    with pytest.raises(NotAllowed):
        record(nominal, UserFactory.create(agency=partnership.police, roles=[role]))


def test_a_supervisor_who_leads_the_case_does_not_review_their_own_work(partnership, team, nominal):
    case_assign(
        nominal=nominal,
        role="police_lead",
        worker=team["police_supervisor"],
        by=partnership.officer,
        reason="The sergeant takes the case",
    )

    with pytest.raises(NotAllowed):
        record(nominal, team["police_supervisor"])
    other_sergeant = UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR])
    assert record(nominal, other_sergeant).item.recorded_by == other_sergeant


def test_a_named_supervisor_without_the_supervisor_role_may_not_review(partnership, team, nominal):
    team["drugs_supervisor"].groups.clear()
    stale = type(team["drugs_supervisor"]).objects.get(pk=team["drugs_supervisor"].pk)

    with pytest.raises(NotAllowed):
        record(nominal, stale)


def test_a_person_not_on_the_cohort_is_not_reviewed(partnership, team):
    person = make_nominal(partnership.officer)
    with pytest.raises(StateError, match="is not on the IOM cohort"):
        record(person, team["police_supervisor"])

    cohort_membership_start(nominal=person, started_on=days_ago(30))
    cohort_membership_end(nominal=person, ended_on=days_ago(1))
    with pytest.raises(StateError):
        record(person, team["police_supervisor"])
    assert not SupervisorReview.objects.exists()


# --- Recording a review: the next review date and the actions ---------------------------------------


@pytest.mark.parametrize(
    ("rag", "latest"),
    [
        ("red", lambda: TODAY() + datetime.timedelta(weeks=2)),
        ("amber", lambda: add_months(TODAY(), 1)),
        ("green", lambda: add_months(TODAY(), 3)),
        ("", lambda: add_months(TODAY(), 1)),  # not rated: monthly
    ],
)
def test_the_next_review_may_be_set_up_to_one_interval_of_the_rating_and_no_later(partnership, team, rag, latest):
    person = on_cohort(partnership.officer, since=days_ago(10), rag=rag)
    supervisor = team["police_supervisor"]

    with pytest.raises(ValidationError) as refused:
        record(person, supervisor, next_review_on=latest() + datetime.timedelta(days=1))
    message = refused.value.message_dict["next_review_on"][0]
    assert message.startswith(f"The next review must be on or before {latest():%-d %B %Y}")
    assert not SupervisorReview.objects.exists()

    assert record(person, supervisor, next_review_on=latest()).next_review_on == latest()


@pytest.mark.parametrize("days", [0, -1])
def test_the_next_review_must_be_in_the_future(team, nominal, days):
    with pytest.raises(ValidationError) as refused:
        record(nominal, team["police_supervisor"], next_review_on=TODAY() + datetime.timedelta(days=days))

    assert refused.value.message_dict == {"next_review_on": ["The next review date must be in the future"]}
    assert not SupervisorReview.objects.exists()


def test_tomorrow_is_the_earliest_next_review(team, nominal):
    tomorrow = TODAY() + datetime.timedelta(days=1)

    assert record(nominal, team["police_supervisor"], next_review_on=tomorrow).next_review_on == tomorrow


def test_the_error_names_the_rating_and_its_cadence(partnership, team):
    person = on_cohort(partnership.officer, since=days_ago(3), rag="red")

    with pytest.raises(ValidationError) as refused:
        record(person, team["police_supervisor"], next_review_on=TODAY() + datetime.timedelta(days=30))

    assert "(Red is reviewed every 2 weeks)" in refused.value.message_dict["next_review_on"][0]


def test_interventions_not_commensurate_need_the_actions_set(team, nominal):
    with pytest.raises(ValidationError) as refused:
        record(nominal, team["police_supervisor"], commensurate=False, actions_set="   ")

    assert refused.value.message_dict == {
        "actions_set": ["Enter the actions set: the interventions are not commensurate with the risk"]
    }
    assert not RecordedItem.objects.filter(kind=RecordedItem.Kind.REVIEW).exists()


def test_commensurate_interventions_may_set_no_action(team, nominal):
    assert record(nominal, team["police_supervisor"], actions_set="").actions_set == ""


def test_every_error_is_given_at_once(team, nominal):
    with pytest.raises(ValidationError) as refused:
        record(nominal, team["police_supervisor"], commensurate=False, actions_set="", next_review_on=TODAY())

    assert set(refused.value.message_dict) == {"actions_set", "next_review_on"}


def test_the_cadence_counts_months_as_add_months_does():
    monthly = RagRating(code="m", label="M", review_every=1, review_unit=RagRating.Unit.MONTHS)
    quarterly = RagRating(code="q", label="Q", review_every=3, review_unit=RagRating.Unit.MONTHS)
    fortnightly = RagRating(code="f", label="F", review_every=2, review_unit=RagRating.Unit.WEEKS)
    for day in (
        datetime.date(2024, 1, 31),
        datetime.date(2023, 1, 31),
        datetime.date(2023, 11, 30),
        datetime.date(2024, 12, 31),
        datetime.date(2024, 2, 29),
    ):
        assert cadence_after(day, monthly) == add_months(day, 1)
        assert cadence_after(day, quarterly) == add_months(day, 3)
        assert cadence_after(day, None) == add_months(day, 1)
        assert cadence_after(day, fortnightly) == day + datetime.timedelta(days=14)


# --- When the next review is due (SQL) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("rag", "after"),
    [
        ("red", lambda start: start + datetime.timedelta(weeks=2)),
        ("amber", lambda start: add_months(start, 1)),
        ("green", lambda start: add_months(start, 3)),
        ("", lambda start: add_months(start, 1)),
    ],
)
def test_with_no_review_the_first_is_due_one_interval_of_the_rating_after_joining(partnership, rag, after):
    start = days_ago(45)
    person = on_cohort(partnership.officer, since=start, rag=rag)

    assert due_of(person)[0] == after(start)


@pytest.mark.parametrize(
    ("start", "every", "unit", "due"),
    [
        (datetime.date(2024, 1, 31), 1, "months", datetime.date(2024, 2, 29)),  # leap year
        (datetime.date(2023, 1, 31), 1, "months", datetime.date(2023, 2, 28)),
        (datetime.date(2023, 11, 30), 3, "months", datetime.date(2024, 2, 29)),
        (datetime.date(2024, 8, 31), 6, "months", datetime.date(2025, 2, 28)),
        (datetime.date(2024, 3, 31), 1, "months", datetime.date(2024, 4, 30)),
        (datetime.date(2024, 12, 31), 2, "months", datetime.date(2025, 2, 28)),
        (datetime.date(2024, 1, 15), 1, "months", datetime.date(2024, 2, 15)),
        (datetime.date(2024, 12, 25), 2, "weeks", datetime.date(2025, 1, 8)),
        (datetime.date(2024, 2, 22), 1, "weeks", datetime.date(2024, 2, 29)),
    ],
)
def test_month_end_cadences_fall_back_to_the_months_last_day_as_add_months_does(partnership, start, every, unit, due):
    scheme = RagRating.objects.create(
        code=f"local-{every}-{unit}",
        label=f"Local {every} {unit}",
        colour="purple",
        review_every=every,
        review_unit=unit,
    )
    person = on_cohort(partnership.officer, since=start)
    rag_assess(nominal=person, rating=scheme, rationale="Local scheme", by=partnership.officer)

    assert due_of(person)[0] == due
    assert due == cadence_after(start, scheme)


def test_not_rated_people_are_due_a_month_after_joining_at_a_month_end(partnership):
    person = on_cohort(partnership.officer, since=datetime.date(2025, 1, 31))

    assert due_of(person)[0] == datetime.date(2025, 2, 28)


def test_the_latest_reviews_next_date_decides(partnership, team, nominal):
    past_review(nominal, team["police_supervisor"], on=days_ago(40), next_review_on=days_ago(10))
    past_review(nominal, team["police_supervisor"], on=days_ago(9), next_review_on=days_ago(2))

    assert due_of(nominal) == (days_ago(2), True)


def test_a_review_recorded_today_sets_the_next_due_date(team, nominal):
    assert due_of(nominal)[1] is True  # 60 days on the cohort, monthly, never reviewed

    record(nominal, team["police_supervisor"], next_review_on=TODAY() + datetime.timedelta(days=20))

    assert due_of(nominal) == (TODAY() + datetime.timedelta(days=20), False)


def test_a_review_of_an_earlier_period_on_iom_does_not_count(partnership, team):
    person = on_cohort(partnership.officer, since=days_ago(200), rag="green")
    past_review(
        person, team["police_supervisor"], on=days_ago(150), next_review_on=days_ago(100) + datetime.timedelta(days=200)
    )
    cohort_membership_end(nominal=person, ended_on=days_ago(120))
    cohort_membership_start(nominal=person, started_on=days_ago(100))

    assert due_of(person)[0] == add_months(days_ago(100), 3)


def test_a_new_rating_changes_the_cadence_counted_from_joining_until_the_first_review(partnership, team, nominal):
    assert due_of(nominal)[0] == add_months(days_ago(60), 1)

    rate(nominal, "green", partnership.officer)

    assert due_of(nominal)[0] == add_months(days_ago(60), 3)


@pytest.mark.parametrize(("due_in_days", "overdue"), [(-1, True), (0, False), (1, False)])
def test_a_review_is_overdue_from_the_day_after_it_is_due(partnership, due_in_days, overdue):
    """Red is reviewed every 2 weeks: joining 14 days ago, the first review is due today."""
    person = on_cohort(partnership.officer, since=days_ago(14 - due_in_days), rag="red")

    assert due_of(person) == (TODAY() + datetime.timedelta(days=due_in_days), overdue)


def test_overdue_is_counted_on_the_day_asked(partnership):
    person = on_cohort(partnership.officer, since=datetime.date(2024, 1, 31), rag="amber")
    due = datetime.date(2024, 2, 29)

    assert due_of(person, on=due - datetime.timedelta(days=1)) == (due, False)
    assert due_of(person, on=due) == (due, False)
    assert due_of(person, on=due + datetime.timedelta(days=1)) == (due, True)


def test_people_not_on_the_cohort_have_no_due_date_and_are_not_listed(partnership, team):
    left = on_cohort(partnership.officer, since=days_ago(90))
    cohort_membership_end(nominal=left, ended_on=days_ago(1))
    never = make_nominal(partnership.officer)

    assert due_of(left)[0] is None
    assert due_of(never)[0] is None
    assert not reviews_due(team["police_supervisor"]).filter(pk__in=[left.pk, never.pk]).exists()


# --- Reviews due: who is listed, in what order --------------------------------------------------------


def test_reviews_due_lists_only_people_the_user_may_see(partnership, team, nominal):
    assert list(reviews_due(team["police_supervisor"]).values_list("pk", flat=True)) == [nominal.pk]
    assert list(reviews_due(team["drugs_supervisor"]).values_list("pk", flat=True)) == [nominal.pk]  # leads it
    outsider = UserFactory.create(agency=partnership.elsewhere, roles=[Role.SUPERVISOR])
    assert not reviews_due(outsider).exists()


def test_the_team_comes_first_then_overdue_then_by_due_date(partnership, team, nominal):
    officer = partnership.officer
    due_soon = on_cohort(officer, since=days_ago(10), rag="red", last_name="Soon")  # due in 4 days
    due_later = on_cohort(officer, since=days_ago(5), rag="amber", last_name="Later")
    overdue_long = on_cohort(officer, since=days_ago(100), rag="green", last_name="Long")  # 10 days overdue
    overdue_short = on_cohort(officer, since=days_ago(20), rag="red", last_name="Short")  # 6 days overdue
    # The nominal (overdue 29 days) is in the team of both supervisors; so is due_later, for the police one.
    case_assign(nominal=due_later, role="police_lead", worker=team["police_lead"], by=officer)

    order = list(
        reviews_due(team["police_supervisor"], supervisor=team["police_supervisor"]).values_list("pk", flat=True)
    )

    assert order == [nominal.pk, due_later.pk, overdue_long.pk, overdue_short.pk, due_soon.pk]


def test_without_a_supervisor_no_one_is_in_a_team(team, nominal):
    (person,) = reviews_due(team["police_supervisor"])

    assert person.in_team is False  # type: ignore[attr-defined]


def test_overdue_in_team_counts_the_cases_whose_lead_the_supervisor_supervises(partnership, team, nominal):
    officer = partnership.officer
    not_in_team = on_cohort(officer, since=days_ago(100), rag="amber")
    reviewed = on_cohort(officer, since=days_ago(100), rag="amber")
    case_assign(nominal=reviewed, role="lead_professional", worker=team["lead"], by=officer)
    record(reviewed, team["drugs_supervisor"])

    assert overdue_in_team_count(team["drugs_supervisor"]) == 1  # the nominal; `reviewed` is not overdue
    assert overdue_in_team_count(team["police_supervisor"]) == 1
    assert not_in_team.pk not in reviews_due(team["drugs_supervisor"], supervisor=team["drugs_supervisor"]).filter(
        Q(in_team=True)
    ).values_list("pk", flat=True)


def test_an_ended_lead_no_longer_puts_the_case_in_the_team(partnership, team, nominal):
    case_assign(
        nominal=nominal,
        role="lead_professional",
        worker=partnership.probation_officer,
        by=partnership.officer,
        reason="Moved to probation",
    )

    assert overdue_in_team_count(team["drugs_supervisor"]) == 0
    assert CaseAssignment.objects.filter(worker=team["lead"], ended_on__isnull=False).exists()


def test_reviews_due_runs_a_fixed_number_of_queries(partnership, team):
    def queries_for(count: int) -> int:
        for index in range(count):
            person = on_cohort(partnership.officer, since=days_ago(10 + index), rag="amber")
            case_assign(nominal=person, role="police_lead", worker=team["police_lead"], by=partnership.officer)
        supervisor = User.objects.select_related("agency").get(pk=team["police_supervisor"].pk)  # roles not cached
        with CaptureQueriesContext(connection) as captured:
            rows = list(reviews_due(supervisor, supervisor=supervisor))
            assert len(rows) == count_so_far[0] + count
            assert all(row.current_leads for row in rows)  # type: ignore[attr-defined]
            overdue_in_team_count(supervisor)
        count_so_far[0] += count
        return len(captured)

    count_so_far = [0]
    # the user's roles, the people, their leads; the count (the team, then its overdue)
    assert queries_for(2) == queries_for(18) == 5


# --- Reading reviews ---------------------------------------------------------------------------------


def test_reviews_are_read_as_the_sharing_rules_allow(partnership, team, nominal):
    """The drug service's review is shared with no one (the substance agreement shares substance misuse
    only); the police's offending and risk items are shared with probation, not with the drug service."""
    drugs_review = record(nominal, team["drugs_supervisor"])
    police_review = past_review(nominal, team["police_supervisor"], on=days_ago(3), next_review_on=days_ago(1))

    as_drugs = reviews_for_user(team["drugs_supervisor"], nominal)
    as_probation = reviews_for_user(partnership.probation_officer, nominal)

    assert (as_drugs.reviews, as_drugs.withheld) == ([drugs_review], 1)
    assert (as_probation.reviews, as_probation.withheld) == ([police_review], 1)
    assert as_drugs.latest == drugs_review
