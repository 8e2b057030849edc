import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import AccessEvent
from cohorts.records.models import Nominal, RecordedItem
from cohorts.records.services import cohort_membership_start
from tests.cohorts.factories import make_item, make_nominal, valid_pnc_id


@pytest.fixture
def person(partnership):
    nominal = make_nominal(partnership.officer, first_name="Lee", last_name="Thornton")
    cohort_membership_start(nominal=nominal)
    return nominal


def test_viewing_a_record_writes_exactly_one_access_event(client, partnership, person):
    client.force_login(partnership.probation_officer)

    client.get(reverse("nominal-detail", args=[person.pk]))

    events = AccessEvent.objects.filter(nominal=person)
    assert events.count() == 1
    event = events.get()
    assert (event.user, event.agency, event.action) == (
        partnership.probation_officer,
        partnership.probation,
        AccessEvent.Action.VIEW,
    )
    assert partnership.core.reference in event.allowed_by
    assert "identity" in event.categories


def test_a_404_is_logged_only_as_a_refusal(client, partnership, person):
    client.force_login(partnership.outsider)

    assert client.get(reverse("nominal-detail", args=[person.pk])).status_code == 404
    assert list(AccessEvent.objects.values_list("action", flat=True)) == [AccessEvent.Action.REFUSED]


def test_a_search_that_returns_people_is_logged_with_who_was_returned(client, partnership, person):
    client.force_login(partnership.officer)

    client.get(reverse("nominal-list"), {"q": "thornton"})

    event = AccessEvent.objects.get(action=AccessEvent.Action.SEARCH)
    assert event.nominal_ids == [person.pk]
    assert "thornton" in event.query


def test_withheld_items_are_counted_on_the_page(client, partnership, person):
    make_item(person, partnership.officer, "accommodation", "Evicted from hostel")
    client.force_login(partnership.probation_officer)

    body = client.get(reverse("nominal-detail", args=[person.pk])).content.decode()

    assert "1 item held by Northmoor Police is not shared with your agency" in body
    assert "Evicted from hostel" not in body


def test_sensitive_items_need_a_reason_which_is_logged(client, partnership, person):
    make_item(person, partnership.officer, "intelligence", "Seen with known handler")
    client.force_login(partnership.probation_officer)
    page = reverse("nominal-detail", args=[person.pk])

    assert "Seen with known handler" not in client.get(page).content.decode()

    refused = client.post(reverse("nominal-sensitive-reason", args=[person.pk]), {"reason": ""})
    assert refused.status_code == 400
    assert "Enter why you need to see these items" in refused.content.decode()

    client.post(reverse("nominal-sensitive-reason", args=[person.pk]), {"reason": "Preparing the MAP meeting"})
    assert "Seen with known handler" in client.get(page).content.decode()
    event = AccessEvent.objects.get(action=AccessEvent.Action.VIEW_SENSITIVE)
    assert (event.reason, event.categories) == ("Preparing the MAP meeting", ["intelligence"])


def test_offending_and_risk_is_withheld_where_no_clause_shares_it(client, partnership, person):
    client.force_login(partnership.drugs_worker)

    body = client.get(reverse("nominal-detail", args=[person.pk])).content.decode()

    assert "holds this person's offending and risk information" in body
    assert "Risk of serious harm" not in body


def date_fields(prefix, date):
    return {f"{prefix}_0": str(date.day), f"{prefix}_1": str(date.month), f"{prefix}_2": str(date.year)}


def new_person_form(**overrides):
    data = {
        "first_name": "Kyle",
        "last_name": "Benson",
        "gender": "male",
        "custody_status": "community",
        "statutory_status": "licence",
        **date_fields("date_of_birth", datetime.date(1998, 6, 1)),
    }
    data.update(overrides)
    return data


def test_recording_a_person_lands_on_their_record(client, partnership):
    client.force_login(partnership.officer)

    response = client.post(reverse("nominal-new"), new_person_form(pnc_id=valid_pnc_id()))

    nominal = Nominal.objects.get(last_name="Benson")
    assert response["Location"] == reverse("nominal-detail", args=[nominal.pk])
    assert nominal.owning_agency == partnership.police


def test_likely_matches_are_shown_before_a_new_person_is_recorded(client, partnership):
    make_nominal(partnership.officer, first_name="Kyle", last_name="Benson", date_of_birth=datetime.date(1998, 6, 1))
    client.force_login(partnership.officer)

    first = client.post(reverse("nominal-new"), new_person_form(last_name="Bensen"))
    assert "Possible matches" in first.content.decode()
    assert Nominal.objects.filter(last_name="Bensen").count() == 0
    assert 'value="Bensen"' in first.content.decode(), "what was typed is kept"

    client.post(reverse("nominal-new"), new_person_form(last_name="Bensen", confirmed="yes"))
    assert Nominal.objects.filter(last_name="Bensen").count() == 1


def test_bad_input_is_explained_beside_what_was_typed(client, partnership):
    client.force_login(partnership.officer)

    response = client.post(
        reverse("nominal-new"),
        new_person_form(
            pnc_id="2019-12X",
            crn="12345",
            **date_fields("sentence_ends_on", datetime.date(2027, 1, 1)),
            **date_fields("licence_ends_on", datetime.date(2028, 1, 1)),
        ),
    )
    body = response.content.decode()

    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "Enter a PNC ID in the format 2019/0123456Q" in body
    assert 'value="2019-12X"' in body
    assert not Nominal.objects.filter(last_name="Benson").exists()


def test_an_impossible_date_is_a_field_error_not_a_500(client, partnership):
    client.force_login(partnership.officer)

    response = client.post(reverse("nominal-new"), new_person_form(date_of_birth_0="31", date_of_birth_1="2"))

    assert response.status_code == 400
    assert "The date of birth must be a real date" in response.content.decode()


def test_adding_an_item_makes_it_the_adders_agencys(client, partnership, person):
    client.force_login(partnership.probation_officer)

    client.post(
        reverse("item-new", args=[person.pk]),
        {
            "kind": "contact",
            "category": "2",
            "summary": "Home visit",
            "detail": "",
            **date_fields("occurred_on", datetime.date(2026, 11, 1)),
        },
    )

    item = RecordedItem.objects.get(summary="Home visit")
    assert item.owning_agency == partnership.probation


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("rows", [5, 200])
def test_the_list_and_the_record_run_a_fixed_number_of_queries(
    client, partnership, rows, django_assert_max_num_queries
):
    people = [make_nominal(partnership.officer) for _ in range(3)]
    for nominal in people:
        cohort_membership_start(nominal=nominal)
    client.force_login(partnership.probation_officer)
    list_small = count_queries(client, reverse("nominal-list"))
    record_small = count_queries(client, reverse("nominal-detail", args=[people[0].pk]))

    for index in range(rows):
        nominal = make_nominal(partnership.officer)
        cohort_membership_start(nominal=nominal)
        make_item(
            people[0],
            [partnership.officer, partnership.drugs_worker, partnership.probation_officer][index % 3],
            ["offending-risk", "accommodation", "intelligence", "substance-misuse"][index % 4],
        )

    assert count_queries(client, reverse("nominal-list")) == list_small
    assert count_queries(client, reverse("nominal-detail", args=[people[0].pk])) == record_small
