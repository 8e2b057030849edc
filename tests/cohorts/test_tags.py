"""GPS tagging at the service and selector level (cohorts/tags/services.py): fitting, removing, hits and their
outcomes at their date edges, who records, and what each agency reads."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts.dates import add_months
from cohorts.records.models import RecordedItem
from cohorts.records.services import cohort_membership_start
from cohorts.tags.models import TagHit, TagPeriod
from cohorts.tags.services import (
    tag_fit,
    tag_hit_get_for_user,
    tag_hit_outcome,
    tag_hit_record,
    tag_remove,
    tag_summary_for_user,
    tags_for_user,
)
from sharing.errors import NotAllowed, StateError
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory


def TODAY() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return TODAY() - datetime.timedelta(days=days)


@pytest.fixture
def person(partnership):
    nominal = make_nominal(partnership.officer)
    cohort_membership_start(nominal=nominal)
    return nominal


def fit(person, by, *, fitted_on=None, ends_by=None, basis=TagPeriod.Basis.LICENCE) -> TagPeriod:
    fitted_on = fitted_on or days_ago(30)
    return tag_fit(
        nominal=person, by=by, fitted_on=fitted_on, ends_by=ends_by or fitted_on + datetime.timedelta(90), basis=basis
    )


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Fitting ----------------------------------------------------------------------------------------


def test_a_fitted_tag_is_an_intelligence_item_of_the_recorders_agency(partnership, person):
    tag = fit(person, partnership.officer)

    assert tag.item.kind == RecordedItem.Kind.TAG
    assert tag.item.category.code == "intelligence"
    assert tag.item.owning_agency == partnership.police
    assert tag.item.occurred_on == tag.fitted_on
    assert "fitted" in tag.item.summary


def test_a_tag_cannot_be_fitted_in_the_future(partnership, person):
    tomorrow = TODAY() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        fit(person, partnership.officer, fitted_on=tomorrow)
    assert "fitted_on" in errors_of(excinfo)
    fit(person, partnership.officer, fitted_on=TODAY())  # today is fine


def test_a_tag_is_due_off_after_it_was_fitted(partnership, person):
    with pytest.raises(ValidationError) as excinfo:
        fit(person, partnership.officer, fitted_on=days_ago(5), ends_by=days_ago(5))
    assert "ends_by" in errors_of(excinfo)


def test_on_licence_a_tag_is_fitted_for_twelve_months_at_most(partnership, person):
    fitted_on = days_ago(10)
    with pytest.raises(ValidationError) as excinfo:
        fit(person, partnership.officer, fitted_on=fitted_on, ends_by=add_months(fitted_on, 12) + datetime.timedelta(1))
    assert "12 months" in errors_of(excinfo)["ends_by"][0]

    tag = fit(person, partnership.officer, fitted_on=fitted_on, ends_by=add_months(fitted_on, 12))
    assert tag.ends_by == add_months(fitted_on, 12)


def test_on_a_court_order_a_tag_may_be_fitted_for_longer(partnership, person):
    fitted_on = days_ago(10)
    tag = fit(
        person,
        partnership.officer,
        fitted_on=fitted_on,
        ends_by=add_months(fitted_on, 18),
        basis=TagPeriod.Basis.COURT_ORDER,
    )
    assert tag.basis == TagPeriod.Basis.COURT_ORDER


def test_no_second_tag_while_one_is_on(partnership, person):
    fit(person, partnership.officer, fitted_on=days_ago(60))
    with pytest.raises(ValidationError) as excinfo:
        fit(person, partnership.probation_officer, fitted_on=days_ago(1))
    assert "has not been removed" in errors_of(excinfo)["fitted_on"][0]


def test_no_tag_over_the_time_another_was_on_but_one_may_follow_its_removal(partnership, person):
    first = fit(person, partnership.officer, fitted_on=days_ago(60))
    tag_remove(tag=first, by=partnership.officer, removed_on=days_ago(20), reason="Licence varied")

    with pytest.raises(ValidationError) as excinfo:
        fit(person, partnership.officer, fitted_on=days_ago(21))
    assert "one tag at a time" in errors_of(excinfo)["fitted_on"][0]

    second = fit(person, partnership.officer, fitted_on=days_ago(20))  # refitted the day it came off
    assert second.pk != first.pk


def test_only_the_iom_team_records_tags(partnership, person):
    with pytest.raises(NotAllowed):
        fit(person, partnership.drugs_worker)
    analyst = UserFactory.create(agency=partnership.police, roles=[Role.ANALYST])
    with pytest.raises(NotAllowed):
        fit(person, analyst)
    chair = UserFactory.create(agency=partnership.probation, roles=[Role.PANEL_CHAIR])
    assert fit(person, chair).item.owning_agency == partnership.probation


# --- Removing ----------------------------------------------------------------------------------------


def test_removing_a_tag_needs_a_reason_and_a_date_in_its_period(partnership, person):
    tag = fit(person, partnership.officer, fitted_on=days_ago(30))

    with pytest.raises(ValidationError) as excinfo:
        tag_remove(tag=tag, by=partnership.officer, removed_on=days_ago(31), reason="  ")
    assert set(errors_of(excinfo)) == {"removed_on", "reason"}
    with pytest.raises(ValidationError) as excinfo:
        tag_remove(tag=tag, by=partnership.officer, removed_on=TODAY() + datetime.timedelta(1), reason="Ended")
    assert "removed_on" in errors_of(excinfo)

    removed = tag_remove(tag=tag, by=partnership.officer, removed_on=days_ago(30), reason="Faulty strap")
    assert (removed.removed_on, removed.removal_reason) == (days_ago(30), "Faulty strap")
    assert "removed" in RecordedItem.objects.get(pk=tag.item_id).summary


def test_a_tag_is_removed_once(partnership, person):
    tag = fit(person, partnership.officer)
    tag_remove(tag=tag, by=partnership.officer, removed_on=days_ago(1), reason="Ended")
    with pytest.raises(StateError):
        tag_remove(tag=tag, by=partnership.officer, removed_on=TODAY(), reason="Ended")


def test_a_tag_is_not_removed_before_its_last_hit(partnership, person):
    tag = fit(person, partnership.officer, fitted_on=days_ago(30))
    tag_hit_record(tag=tag, by=partnership.officer, notified_on=days_ago(5), crime_reference="CR/1")
    with pytest.raises(ValidationError) as excinfo:
        tag_remove(tag=tag, by=partnership.officer, removed_on=days_ago(6), reason="Ended")
    assert "still on" in errors_of(excinfo)["removed_on"][0]


# --- Hits ------------------------------------------------------------------------------------------


def test_a_hit_is_pending_with_its_crime_reference(partnership, person):
    tag = fit(person, partnership.officer)
    hit = tag_hit_record(tag=tag, by=partnership.probation_officer, notified_on=days_ago(2), crime_reference=" NM/123 ")

    assert hit.outcome == TagHit.Outcome.PENDING
    assert hit.crime_reference == "NM/123"
    assert hit.item.kind == RecordedItem.Kind.TAG_HIT
    assert hit.item.category.code == "intelligence"
    assert hit.item.occurred_on == days_ago(2)


def test_a_hit_needs_a_crime_reference(partnership, person):
    tag = fit(person, partnership.officer)
    with pytest.raises(ValidationError) as excinfo:
        tag_hit_record(tag=tag, by=partnership.officer, notified_on=days_ago(2), crime_reference=" ")
    assert "crime_reference" in errors_of(excinfo)


def test_a_hit_is_notified_within_the_tag_period(partnership, person):
    tag = fit(person, partnership.officer, fitted_on=days_ago(30))
    with pytest.raises(ValidationError) as excinfo:
        tag_hit_record(tag=tag, by=partnership.officer, notified_on=days_ago(31), crime_reference="CR/1")
    assert "within the tag period" in errors_of(excinfo)["notified_on"][0]
    tag_hit_record(tag=tag, by=partnership.officer, notified_on=days_ago(30), crime_reference="CR/2")

    tag_remove(tag=tag, by=partnership.officer, removed_on=days_ago(10), reason="Ended")
    with pytest.raises(ValidationError):
        tag_hit_record(tag=tag, by=partnership.officer, notified_on=days_ago(9), crime_reference="CR/3")
    tag_hit_record(tag=tag, by=partnership.officer, notified_on=days_ago(10), crime_reference="CR/4")


def test_an_outcome_rules_a_pending_hit_in_or_out_once(partnership, person):
    tag = fit(person, partnership.officer)
    hit = tag_hit_record(tag=tag, by=partnership.officer, notified_on=days_ago(5), crime_reference="CR/1")

    with pytest.raises(ValidationError) as excinfo:
        tag_hit_outcome(hit=hit, by=partnership.officer, outcome=TagHit.Outcome.PENDING, outcome_on=days_ago(1))
    assert "outcome" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        tag_hit_outcome(hit=hit, by=partnership.officer, outcome=TagHit.Outcome.RULED_IN, outcome_on=days_ago(6))
    assert "outcome_on" in errors_of(excinfo)

    ruled = tag_hit_outcome(hit=hit, by=partnership.officer, outcome=TagHit.Outcome.RULED_IN, outcome_on=days_ago(5))
    assert (ruled.outcome, ruled.outcome_on) == (TagHit.Outcome.RULED_IN, days_ago(5))
    assert "ruled in" in RecordedItem.objects.get(pk=hit.item_id).summary
    with pytest.raises(StateError):
        tag_hit_outcome(hit=hit, by=partnership.officer, outcome=TagHit.Outcome.RULED_OUT, outcome_on=TODAY())


# --- Reading ---------------------------------------------------------------------------------------


def test_partners_sharing_intelligence_read_tags_and_others_only_count_them(partnership, person):
    tag = fit(person, partnership.officer)
    hit = tag_hit_record(tag=tag, by=partnership.officer, notified_on=days_ago(2), crime_reference="CR/1")

    probation = tags_for_user(partnership.probation_officer, person)
    assert [t.pk for t in probation.periods] == [tag.pk]
    assert [h.pk for h in probation.hits] == [hit.pk]
    assert probation.current == probation.periods[0]

    drugs = tags_for_user(partnership.drugs_worker, person)
    assert drugs.periods == []
    assert drugs.hits == []
    assert drugs.withheld == 2
    with pytest.raises(TagHit.DoesNotExist):
        tag_hit_get_for_user(partnership.drugs_worker, person, hit.pk)


def test_the_summary_counts_pending_hits_and_says_whether_a_tag_is_on(partnership, person):
    tag = fit(person, partnership.officer, fitted_on=days_ago(40))
    first = tag_hit_record(tag=tag, by=partnership.officer, notified_on=days_ago(3), crime_reference="CR/1")
    tag_hit_record(tag=tag, by=partnership.officer, notified_on=days_ago(2), crime_reference="CR/2")
    tag_hit_outcome(hit=first, by=partnership.officer, outcome=TagHit.Outcome.RULED_OUT, outcome_on=days_ago(1))

    summary = tag_summary_for_user(partnership.probation_officer, person)
    assert (summary.fitted, summary.tags, summary.hits_pending, summary.withheld) == (True, 1, 1, 0)

    tag_remove(tag=tag, by=partnership.officer, removed_on=days_ago(1), reason="Ended")
    assert tag_summary_for_user(partnership.probation_officer, person).fitted is False
    drugs = tag_summary_for_user(partnership.drugs_worker, person)
    assert (drugs.fitted, drugs.tags, drugs.hits_pending, drugs.withheld) == (False, 0, 0, 3)


def test_the_open_tag_refusal_gives_its_date_only_to_an_agency_that_may_read_it(partnership, person):
    fit(person, partnership.officer, fitted_on=days_ago(60))
    partnership.core.parties.remove(partnership.probation)  # probation no longer shares intelligence
    with pytest.raises(ValidationError) as excinfo:
        fit(person, partnership.probation_officer, fitted_on=days_ago(1))
    assert errors_of(excinfo)["fitted_on"] == ["A tag has not been removed: record its removal first"]
