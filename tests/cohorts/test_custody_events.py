"""Recording custody and court events (cohorts/events/services.py, custody_event_record): each kind's rules,
the custody status that follows, the offer of a new referral on the release of someone who was on
IOM before, and the offending history events feed, under the sharing rules."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts.events.models import CustodyEvent
from cohorts.events.services import (
    custody_event_record,
    events_for_user,
    offences_from_events,
    previously_on_iom,
)
from cohorts.management.models import CohortMembership
from cohorts.records.models import Nominal, RecordedItem
from cohorts.records.services import cohort_membership_end, cohort_membership_start, nominal_update
from tests.cohorts.factories import make_nominal

Kind = CustodyEvent.Kind
NominalEvent = Nominal.pgh_event_model  # type: ignore[attr-defined]


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


@pytest.fixture
def nominal(partnership) -> Nominal:
    return make_nominal(partnership.officer, first_name="Casey", last_name="Custodian")


def record(nominal, by, kind, occurred_on=None, **fields):
    return custody_event_record(nominal=nominal, by=by, kind=kind, occurred_on=occurred_on or days_ago(1), **fields)


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.message_dict


# --- Each kind's rules -----------------------------------------------------------------------------


def test_an_event_is_an_offending_and_risk_item_of_the_recorders_agency(partnership, nominal):
    recorded = record(nominal, partnership.officer, Kind.ARREST, offence_type="burglary", crime_reference=" NM/1/26 ")

    item = recorded.event.item
    assert (item.kind, item.category.code, item.owning_agency) == (
        RecordedItem.Kind.EVENT,
        "offending-risk",
        partnership.police,
    )
    assert item.summary == "Arrested: burglary"
    assert item.occurred_on == days_ago(1)
    assert recorded.event.crime_reference == "NM/1/26"
    assert recorded.event.imported_by is None


@pytest.mark.parametrize(
    ("kind", "fields", "summary"),
    [
        (Kind.ARREST, {}, "Arrested"),
        (Kind.CHARGE, {"offence_type": "robbery"}, "Charged: robbery"),
        (Kind.REMAND, {"court": "Northmoor Magistrates' Court"}, "Remanded in custody"),
        (
            Kind.COURT_OUTCOME,
            {"offence_type": "theft", "convicted": True},
            "Court outcome: convicted of theft (other than shoplifting)",
        ),
        (
            Kind.COURT_OUTCOME,
            {"offence_type": "burglary", "convicted": False},
            "Court outcome: not convicted of burglary",
        ),
        (Kind.SENTENCE, {"custodial": True, "offence_type": "burglary"}, "Custodial sentence: burglary"),
        (Kind.SENTENCE, {"custodial": False}, "Non-custodial sentence"),
        (Kind.RECALL, {}, "Recalled to custody"),
        (Kind.RELEASE, {"release_on": "event day"}, "Released from custody"),
    ],
)
def test_each_kind_is_recorded_with_a_summary_in_words(partnership, nominal, kind, fields, summary):
    if fields.get("release_on") == "event day":
        fields = {"release_on": days_ago(1)}

    recorded = record(nominal, partnership.officer, kind, **fields)

    assert recorded.event.kind == kind
    assert recorded.event.item.summary == summary


@pytest.mark.parametrize("kind", list(Kind))
def test_no_event_is_recorded_in_the_future(partnership, nominal, kind):
    by_kind: dict[str, dict[str, Any]] = {
        Kind.CHARGE: {"offence_type": "burglary"},
        Kind.COURT_OUTCOME: {"offence_type": "burglary", "convicted": True},
        Kind.SENTENCE: {"custodial": True},
        Kind.RELEASE: {"release_on": today()},
    }
    fields = by_kind.get(kind, {})

    errors = errors_of(
        lambda: record(nominal, partnership.officer, kind, today() + datetime.timedelta(days=1), **fields)
    )

    assert errors["occurred_on"] == ["The date of the event must be today or in the past"]
    assert not CustodyEvent.objects.exists()


def test_the_date_of_the_event_is_needed(partnership, nominal):
    errors = errors_of(
        lambda: custody_event_record(nominal=nominal, by=partnership.officer, kind=Kind.ARREST, occurred_on=None)
    )

    assert errors == {"occurred_on": ["Enter the date of the event"]}


def test_a_charge_needs_the_offence(partnership, nominal):
    errors = errors_of(lambda: record(nominal, partnership.officer, Kind.CHARGE))

    assert errors == {"offence_type": ["Choose the offence the person was charged with"]}


def test_a_court_outcome_needs_the_conviction_and_the_offence_type(partnership, nominal):
    errors = errors_of(lambda: record(nominal, partnership.officer, Kind.COURT_OUTCOME))

    assert errors == {
        "convicted": ["Choose whether the person was convicted"],
        "offence_type": ["Choose the offence type of the court outcome"],
    }


def test_a_sentence_needs_whether_it_is_custodial(partnership, nominal):
    errors = errors_of(lambda: record(nominal, partnership.officer, Kind.SENTENCE, offence_type="burglary"))

    assert errors == {"custodial": ["Choose whether the sentence is custodial"]}


def test_a_release_needs_the_release_date(partnership, nominal):
    errors = errors_of(lambda: record(nominal, partnership.officer, Kind.RELEASE))

    assert errors == {"release_on": ["Enter the release date"]}


def test_a_release_is_recorded_when_it_happens_not_before(partnership, nominal):
    errors = errors_of(
        lambda: record(
            nominal, partnership.officer, Kind.RELEASE, today(), release_on=today() + datetime.timedelta(days=7)
        )
    )

    assert errors == {"release_on": ["Record a release when it happens: the release date must be today or in the past"]}


def test_the_release_date_is_not_after_the_date_of_the_event(partnership, nominal):
    errors = errors_of(lambda: record(nominal, partnership.officer, Kind.RELEASE, days_ago(5), release_on=days_ago(2)))

    assert errors == {"release_on": ["The release date must be on or before the date of the event"]}


def test_the_licence_ends_after_the_release(partnership, nominal):
    errors = errors_of(
        lambda: record(nominal, partnership.officer, Kind.RELEASE, release_on=days_ago(1), licence_ends_on=days_ago(1))
    )

    assert errors == {"licence_ends_on": ["The licence end date must be after the release date"]}


def test_the_licence_ends_no_later_than_the_sentence(partnership, nominal):
    sentence_ends_on = today() + datetime.timedelta(days=100)
    nominal_update(nominal=nominal, by=partnership.officer, sentence_ends_on=sentence_ends_on)

    errors = errors_of(
        lambda: record(
            nominal,
            partnership.officer,
            Kind.RELEASE,
            release_on=days_ago(1),
            licence_ends_on=sentence_ends_on + datetime.timedelta(days=1),
        )
    )

    assert errors == {
        "licence_ends_on": [
            f"The licence end date must be on or before the sentence end date, {sentence_ends_on:%-d %B %Y}"
        ]
    }


@pytest.mark.parametrize(
    ("kind", "field_name", "value", "message"),
    [
        (Kind.ARREST, "convicted", True, "Only a court outcome says whether the person was convicted"),
        (Kind.COURT_OUTCOME, "custodial", False, "Only a sentence says whether it is custodial"),
        (Kind.RECALL, "release_on", "yesterday", "Only a release has a release date"),
        (Kind.SENTENCE, "licence_ends_on", "yesterday", "Only a release has a licence end date"),
    ],
)
def test_a_field_of_another_kind_of_event_is_refused(partnership, nominal, kind, field_name, value, message):
    by_kind: dict[str, dict[str, Any]] = {
        Kind.COURT_OUTCOME: {"offence_type": "burglary", "convicted": True},
        Kind.SENTENCE: {"custodial": True},
    }
    fields = dict(by_kind.get(kind, {}))
    fields[field_name] = days_ago(1) if value == "yesterday" else value

    errors = errors_of(lambda: record(nominal, partnership.officer, kind, **fields))

    assert errors == {field_name: [message]}


def test_an_unknown_kind_or_offence_type_is_refused(partnership, nominal):
    assert errors_of(lambda: record(nominal, partnership.officer, "escape")) == {"kind": ["Choose the type of event"]}
    assert errors_of(lambda: record(nominal, partnership.officer, Kind.ARREST, offence_type="jaywalking")) == {
        "offence_type": ["Choose an offence type from the list"]
    }


def test_long_references_are_refused_with_their_limit(partnership, nominal):
    errors = errors_of(
        lambda: record(nominal, partnership.officer, Kind.ARREST, crime_reference="X" * 51, court="C" * 201)
    )

    assert errors == {
        "crime_reference": ["The crime reference must be 50 characters or fewer"],
        "court": ["The court must be 200 characters or fewer"],
    }


# --- Custody status follows ------------------------------------------------------------------------


def custody_of(nominal) -> str:
    nominal.refresh_from_db()
    return nominal.custody_status


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        (Kind.REMAND, {}),
        (Kind.SENTENCE, {"custodial": True}),
        (Kind.RECALL, {}),
    ],
)
def test_remand_custodial_sentence_and_recall_put_the_person_in_custody(partnership, nominal, kind, fields):
    recorded = record(nominal, partnership.prison_officer, kind, **fields)

    assert recorded.custody_changed
    assert custody_of(nominal) == Nominal.CustodyStatus.CUSTODY


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        (Kind.ARREST, {}),
        (Kind.CHARGE, {"offence_type": "burglary"}),
        (Kind.COURT_OUTCOME, {"offence_type": "burglary", "convicted": True}),
        (Kind.SENTENCE, {"custodial": False}),
    ],
)
def test_other_events_leave_custody_status_as_it_is(partnership, nominal, kind, fields):
    recorded = record(nominal, partnership.officer, kind, **fields)

    assert not recorded.custody_changed
    assert custody_of(nominal) == Nominal.CustodyStatus.COMMUNITY


def test_a_release_puts_the_person_back_in_the_community_on_licence(partnership, nominal):
    record(nominal, partnership.prison_officer, Kind.SENTENCE, days_ago(200), custodial=True)
    licence_ends_on = today() + datetime.timedelta(days=180)

    recorded = record(
        nominal, partnership.prison_officer, Kind.RELEASE, release_on=days_ago(1), licence_ends_on=licence_ends_on
    )

    nominal.refresh_from_db()
    assert recorded.custody_changed
    assert recorded.event.item.summary == f"Released from custody; licence ends {licence_ends_on:%-d %B %Y}"
    assert (nominal.custody_status, nominal.statutory_status, nominal.licence_ends_on) == (
        Nominal.CustodyStatus.COMMUNITY,
        Nominal.StatutoryStatus.LICENCE,
        licence_ends_on,
    )


def test_a_release_without_a_licence_leaves_the_statutory_status(partnership, nominal):
    record(nominal, partnership.officer, Kind.REMAND, days_ago(20))

    record(nominal, partnership.officer, Kind.RELEASE, days_ago(2), release_on=days_ago(3))

    nominal.refresh_from_db()
    assert nominal.custody_status == Nominal.CustodyStatus.COMMUNITY
    assert nominal.statutory_status == Nominal.StatutoryStatus.NONE
    assert nominal.licence_ends_on is None


def test_the_change_is_in_the_change_history(partnership, nominal):
    record(nominal, partnership.probation_officer, Kind.RECALL)

    change = NominalEvent.objects.filter(pgh_obj=nominal, pgh_label="update").latest("pgh_id")
    assert change.custody_status == Nominal.CustodyStatus.CUSTODY


def test_any_agency_that_records_the_event_updates_the_status_not_only_the_owner(partnership, nominal):
    # The police recorded the person; probation records the recall (nominal_update would refuse it).
    record(nominal, partnership.probation_officer, Kind.RECALL)

    assert custody_of(nominal) == Nominal.CustodyStatus.CUSTODY


def test_an_older_event_recorded_late_does_not_change_the_status(partnership, nominal):
    record(nominal, partnership.prison_officer, Kind.RELEASE, days_ago(10), release_on=days_ago(10))

    late = record(nominal, partnership.officer, Kind.REMAND, days_ago(60))

    assert not late.custody_changed
    assert custody_of(nominal) == Nominal.CustodyStatus.COMMUNITY


def test_an_event_that_does_not_change_custody_keeps_a_status_set_by_hand(partnership, nominal):
    record(nominal, partnership.prison_officer, Kind.RELEASE, days_ago(100), release_on=days_ago(100))
    nominal_update(nominal=nominal, by=partnership.officer, custody_status=Nominal.CustodyStatus.UNLAWFULLY_AT_LARGE)

    record(nominal, partnership.officer, Kind.ARREST, days_ago(1))

    assert custody_of(nominal) == Nominal.CustodyStatus.UNLAWFULLY_AT_LARGE


# --- A release of someone previously on IOM offers a new referral ------------------------------------


def test_a_release_of_someone_previously_on_iom_offers_a_new_referral(partnership, nominal):
    cohort_membership_start(nominal=nominal, started_on=days_ago(400))
    cohort_membership_end(nominal=nominal, ended_on=days_ago(200))

    recorded = record(nominal, partnership.prison_officer, Kind.RELEASE, release_on=days_ago(1))

    assert recorded.previously_on_iom
    assert recorded.refer_again_url == f"/referrals/new/?nominal={nominal.pk}"


def test_a_release_of_someone_on_iom_now_offers_nothing(partnership, nominal):
    cohort_membership_start(nominal=nominal, started_on=days_ago(400))
    cohort_membership_end(nominal=nominal, ended_on=days_ago(200))
    cohort_membership_start(nominal=nominal, started_on=days_ago(100))

    recorded = record(nominal, partnership.prison_officer, Kind.RELEASE, release_on=days_ago(1))

    assert not recorded.previously_on_iom
    assert recorded.refer_again_url is None


def test_a_release_of_someone_never_on_iom_offers_nothing(partnership, nominal):
    recorded = record(nominal, partnership.prison_officer, Kind.RELEASE, release_on=days_ago(1))

    assert not recorded.previously_on_iom


def test_only_a_release_offers_a_new_referral(partnership, nominal):
    CohortMembership.objects.create(nominal=nominal, started_on=days_ago(400), ended_on=days_ago(200))

    recorded = record(nominal, partnership.officer, Kind.REMAND)

    assert previously_on_iom([nominal.pk]) == {nominal.pk}
    assert not recorded.previously_on_iom


# --- What each agency sees, and the offending history ----------------------------------------------


def test_events_follow_the_sharing_rules_and_withheld_ones_are_counted(partnership, nominal):
    cohort_membership_start(nominal=nominal)  # the drug service now sees the person, not their offending
    record(nominal, partnership.officer, Kind.ARREST, days_ago(3), offence_type="burglary")
    record(nominal, partnership.officer, Kind.CHARGE, days_ago(2), offence_type="burglary")

    probation = events_for_user(partnership.probation_officer, nominal)
    drugs = events_for_user(partnership.drugs_worker, nominal)

    assert [event.item.summary for event in probation.events] == ["Charged: burglary", "Arrested: burglary"]
    assert probation.withheld == 0
    assert probation.categories_shown == ["identity", "offending-risk"]
    assert drugs.events == []
    assert drugs.withheld == 2
    assert drugs.categories_shown == ["identity"]


def test_convictions_feed_the_offending_history_as_the_user_may_see_it(partnership, nominal):
    cohort_membership_start(nominal=nominal)
    record(nominal, partnership.officer, Kind.COURT_OUTCOME, days_ago(300), offence_type="burglary", convicted=True)
    record(nominal, partnership.officer, Kind.COURT_OUTCOME, days_ago(200), offence_type="robbery", convicted=False)
    record(
        nominal, partnership.probation_officer, Kind.COURT_OUTCOME, days_ago(100), offence_type="theft", convicted=True
    )
    record(nominal, partnership.officer, Kind.CHARGE, days_ago(50), offence_type="vehicle")

    assert offences_from_events(nominal, partnership.officer) == [
        ("theft", days_ago(100)),
        ("burglary", days_ago(300)),
    ]
    assert offences_from_events(nominal, partnership.drugs_worker) == []
