"""The people API applies the same sharing rules as the pages (cohorts/records/api.py)."""

import datetime
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cohorts.models import AccessEvent
from cohorts.records.models import Nominal, RecordedItem
from cohorts.records.services import cohort_membership_start
from tests.cohorts.factories import make_item, make_nominal, valid_pnc_id


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def person(partnership):
    nominal = make_nominal(partnership.officer, first_name="Lee", last_name="Thornton", ogrs_percent=67)
    cohort_membership_start(nominal=nominal)
    return nominal


def detail_url(nominal):
    return reverse("api-nominal-detail", args=[nominal.pk])


def items_url(nominal):
    return reverse("api-item-create", args=[nominal.pk])


def why_url(item):
    return reverse("api-item-why", args=[item.nominal_id, item.pk])


def new_person(**overrides):
    return {
        "first_name": "Kyle",
        "last_name": "Benson",
        "date_of_birth": "1998-06-01",
        "gender": "male",
        "statutory_status": "licence",
        **overrides,
    }


def new_item(**overrides):
    return {
        "kind": "contact",
        "category": "accommodation",
        "summary": "Home visit",
        "occurred_on": "2025-11-01",
        **overrides,
    }


# --- Who may see whom -------------------------------------------------------------------------------


def test_a_person_out_of_scope_is_404_everywhere_in_the_api(api, partnership, person):
    item = make_item(person, partnership.officer, "offending-risk", "Charged with burglary")
    api.force_login(partnership.outsider)

    responses = [
        api.get(detail_url(person)),
        api.post(items_url(person), new_item(), format="json"),
        api.get(why_url(item)),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert all("Thornton" not in response.content.decode() for response in responses)
    assert not RecordedItem.objects.filter(summary="Home visit").exists()
    # Nothing seen; each request refused, and logged as such.
    assert list(AccessEvent.objects.order_by("pk").values_list("action", "path")) == [
        (AccessEvent.Action.REFUSED, response.wsgi_request.path) for response in responses
    ]


def test_a_person_who_does_not_exist_is_404_the_same(api, partnership):
    api.force_login(partnership.officer)

    response = api.get(reverse("api-nominal-detail", args=[10**9]))

    assert response.status_code == 404


def test_the_list_holds_only_people_in_scope(api, partnership, person):
    make_nominal(partnership.outsider, first_name="Dale", last_name="Thornton")
    api.force_login(partnership.probation_officer)

    body = api.get(reverse("api-nominal-list"), {"q": "thornton"}).json()

    assert body["count"] == 1
    assert [(found["id"], found["on_cohort"]) for found in body["results"]] == [(person.pk, True)]
    assert "ogrs_percent" not in body["results"][0], "lists show identity only"


def test_the_list_filters_as_the_page_does(api, partnership, person):
    off_cohort = make_nominal(partnership.officer, first_name="Sam", last_name="Oakes")
    api.force_login(partnership.officer)

    on = api.get(reverse("api-nominal-list"), {"cohort": "yes"}).json()
    off = api.get(reverse("api-nominal-list"), {"cohort": "no"}).json()

    assert [found["id"] for found in on["results"]] == [person.pk]
    assert [found["id"] for found in off["results"]] == [off_cohort.pk]


def test_empty_filters_filter_nothing(api, partnership, person):
    api.force_login(partnership.officer)

    body = api.get(reverse("api-nominal-list"), {"q": "", "area": "", "custody": "", "cohort": "", "agency": ""}).json()

    assert [found["id"] for found in body["results"]] == [person.pk]


def test_an_unknown_filter_value_is_a_400(api, partnership):
    api.force_login(partnership.officer)

    response = api.get(reverse("api-nominal-list"), {"cohort": "maybe"})

    assert response.status_code == 400
    assert "cohort" in response.json()["errors"]


# --- What of the record is shown --------------------------------------------------------------------


def test_withheld_items_are_counted_not_shown(api, partnership, person):
    make_item(person, partnership.officer, "accommodation", "Evicted from hostel")
    shared = make_item(person, partnership.officer, "offending-risk", "Charged with burglary")
    api.force_login(partnership.probation_officer)

    body = api.get(detail_url(person)).json()

    assert [item["id"] for item in body["items"]] == [shared.pk]
    assert body["withheld"] == ["1 item held by Northmoor Police is not shared with your agency"]
    assert "Evicted from hostel" not in str(body)
    assert body["ogrs_percent"] == 67
    assert body["offending_and_risk_withheld"] is False


def test_offending_and_risk_fields_are_left_out_where_no_clause_shares_them(api, partnership, person):
    api.force_login(partnership.drugs_worker)

    body = api.get(detail_url(person)).json()

    assert body["offending_and_risk_withheld"] is True
    assert not set(Nominal.OFFENDING_AND_RISK_FIELDS) & set(body)
    assert (body["last_name"], body["date_of_birth"]) == ("Thornton", "1995-03-14")
    # The score is under no other name either (an id or a timestamp may hold the digits 67 by chance).
    assert not [key for key, value in leaves(body) if value in (67, "67") and key != "id"]


def leaves(data: object, key: str = "") -> Iterator[tuple[str, object]]:
    """Every (key, value) of a JSON body whose value is neither an object nor a list."""
    if isinstance(data, dict):
        for name, value in data.items():
            yield from leaves(value, name)
    elif isinstance(data, list):
        for value in data:
            yield from leaves(value, key)
    else:
        yield key, data


def test_sensitive_items_are_locked_and_their_why_is_404(api, partnership, person):
    secret = make_item(person, partnership.officer, "intelligence", "Seen with known handler")
    api.force_login(partnership.probation_officer)

    body = api.get(detail_url(person)).json()

    assert body["locked"] == [{"category": "intelligence", "count": 1}]
    assert "Seen with known handler" not in str(body)
    assert api.get(why_url(secret)).status_code == 404


def test_the_record_says_why_the_agency_may_see_the_person(api, partnership, person):
    api.force_login(partnership.probation_officer)

    reasons = api.get(detail_url(person)).json()["reasons"]

    assert [reason.split(":")[0] for reason in reasons] == [
        f"{partnership.core.reference} Core IOM agreement",
        f"{partnership.substance.reference} Substance misuse treatment",
    ]


def test_each_view_of_a_record_writes_exactly_one_access_event(api, partnership, person):
    api.force_login(partnership.probation_officer)

    api.get(detail_url(person))

    event = AccessEvent.objects.get()
    assert (event.user, event.agency, event.action, event.nominal) == (
        partnership.probation_officer,
        partnership.probation,
        AccessEvent.Action.VIEW,
        person,
    )
    assert partnership.core.reference in event.allowed_by
    assert {"identity", "offending-risk"} <= set(event.categories)
    assert event.path == detail_url(person)


def test_a_search_is_logged_with_who_was_returned_and_an_empty_one_is_not(api, partnership, person):
    api.force_login(partnership.officer)

    api.get(reverse("api-nominal-list"), {"q": "nobody-by-this-name"})
    api.get(reverse("api-nominal-list"), {"q": "thornton"})

    event = AccessEvent.objects.get()
    assert (event.action, event.nominal_ids, event.categories) == (AccessEvent.Action.SEARCH, [person.pk], ["identity"])
    assert "thornton" in event.query


def test_why_names_the_agreement_and_clause(api, partnership, person):
    item = make_item(person, partnership.officer, "offending-risk", "Charged with burglary")
    api.force_login(partnership.probation_officer)

    body = api.get(why_url(item)).json()

    assert (body["id"], body["owning_agency"]["name"], body["category"]["code"]) == (
        item.pk,
        "Northmoor Police",
        "offending-risk",
    )
    assert body["reasons"] == [
        f"{partnership.core.reference} Core IOM agreement, clause 2: shares offending and risk "
        "between Northmoor Police and your agency"
    ]


def test_an_item_not_shared_with_the_agency_is_404_to_why(api, partnership, person):
    item = make_item(person, partnership.officer, "accommodation", "Evicted from hostel")
    api.force_login(partnership.probation_officer)

    assert api.get(why_url(item)).status_code == 404


# --- Authentication ---------------------------------------------------------------------------------


def test_a_partner_system_reads_a_record_with_a_token(api, partnership, person):
    token = Token.objects.create(user=partnership.probation_officer)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api.get(detail_url(person))

    assert response.status_code == 200
    assert response.json()["id"] == person.pk
    assert AccessEvent.objects.get().user == partnership.probation_officer


def test_the_people_api_refuses_a_caller_without_credentials(api, partnership, person):
    assert api.get(reverse("api-nominal-list")).status_code == 401
    assert api.get(detail_url(person)).status_code == 401
    assert not AccessEvent.objects.exists()


# --- Recording ---------------------------------------------------------------------------------------


def test_recording_a_person_makes_them_the_recorders_agencys(api, partnership):
    api.force_login(partnership.officer)
    pnc_id = valid_pnc_id()

    response = api.post(reverse("api-nominal-list"), new_person(pnc_id=pnc_id.lower()), format="json")

    assert response.status_code == 201, response.json()
    nominal = Nominal.objects.get(last_name="Benson")
    assert (nominal.owning_agency, nominal.pnc_id) == (partnership.police, pnc_id)
    assert response["Location"] == detail_url(nominal)
    assert response.json()["pnc_id"] == pnc_id
    assert api.get(detail_url(nominal)).status_code == 200


def test_a_bad_pnc_id_is_a_400_on_the_field(api, partnership):
    api.force_login(partnership.officer)

    response = api.post(reverse("api-nominal-list"), new_person(pnc_id="2019-12X", crn="12345"), format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["pnc_id"] == [
        "Enter a PNC ID in the format 2019/0123456Q: the year, a slash, up to 7 digits and a check letter"
    ]
    assert "crn" in errors
    assert not Nominal.objects.filter(last_name="Benson").exists()


def test_an_identifier_already_recorded_is_a_400_on_the_field(api, partnership):
    pnc_id = valid_pnc_id()
    make_nominal(partnership.outsider, pnc_id=pnc_id)
    api.force_login(partnership.officer)

    response = api.post(reverse("api-nominal-list"), new_person(pnc_id=pnc_id), format="json")

    assert response.status_code == 400
    # By an agency the user cannot see: told neutrally, never that it exists for another person.
    assert "may already be recorded by another agency" in response.json()["errors"]["pnc_id"][0]


def test_an_impossible_date_is_a_400_on_the_field(api, partnership):
    api.force_login(partnership.officer)

    response = api.post(reverse("api-nominal-list"), new_person(date_of_birth="1998-02-31"), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "date_of_birth": ["The date of birth must be a real date, in the format YYYY-MM-DD"]
    }


def test_dates_out_of_order_are_a_400_on_the_field(api, partnership):
    api.force_login(partnership.officer)

    response = api.post(
        reverse("api-nominal-list"),
        new_person(sentence_ends_on="2027-01-01", licence_ends_on="2028-01-01"),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "licence_ends_on": ["Licence end date must be on or before the sentence end date"]
    }


def test_adding_an_item_makes_it_the_adders_agencys(api, partnership, person):
    api.force_login(partnership.probation_officer)

    response = api.post(items_url(person), new_item(), format="json")

    assert response.status_code == 201, response.json()
    item = RecordedItem.objects.get(summary="Home visit")
    assert (item.owning_agency, item.category.code, item.occurred_on) == (
        partnership.probation,
        "accommodation",
        datetime.date(2025, 11, 1),
    )
    assert response.json()["id"] == item.pk


def test_bad_item_input_is_a_400_on_the_fields(api, partnership, person):
    api.force_login(partnership.probation_officer)

    response = api.post(
        items_url(person), new_item(category="no-such-category", summary="", kind="need"), format="json"
    )

    assert response.status_code == 400
    assert {"category", "summary", "kind"} <= set(response.json()["errors"])
    assert not RecordedItem.objects.exists()


def test_an_item_dated_in_the_future_is_refused_by_the_service(api, partnership, person):
    api.force_login(partnership.probation_officer)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = api.post(items_url(person), new_item(occurred_on=tomorrow.isoformat()), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"occurred_on": ["The date must be today or in the past"]}


# --- Schema and cost --------------------------------------------------------------------------------


def test_the_people_endpoints_are_in_the_openapi_schema(api, partnership):
    api.force_login(partnership.officer)

    schema = api.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert {
        "/api/v1/people/",
        "/api/v1/people/{id}/",
        "/api/v1/people/{id}/items/",
        "/api/v1/people/{id}/items/{item_pk}/why/",
    } <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/people/"]) >= {"get", "post"}
    record = schema["components"]["schemas"]["NominalRecord"]
    assert "ogrs_percent" not in record["required"], "absent where withheld"
    assert "offending_and_risk_withheld" in record["required"]


def count_queries(api, url):
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("rows", [5, 200])
def test_the_list_and_the_record_run_a_fixed_number_of_queries(api, partnership, rows):
    people = [make_nominal(partnership.officer) for _ in range(3)]
    for nominal in people:
        cohort_membership_start(nominal=nominal)
    api.force_login(partnership.probation_officer)
    list_small = count_queries(api, reverse("api-nominal-list"))
    record_small = count_queries(api, detail_url(people[0]))

    for index in range(rows):
        nominal = make_nominal(partnership.officer)
        cohort_membership_start(nominal=nominal)
        make_item(
            people[0],
            [partnership.officer, partnership.drugs_worker, partnership.probation_officer][index % 3],
            ["offending-risk", "accommodation", "intelligence", "substance-misuse"][index % 4],
        )

    assert count_queries(api, reverse("api-nominal-list")) == list_small
    assert count_queries(api, detail_url(people[0])) == record_small


def test_sensitive_items_come_with_a_reason_which_is_logged(partnership):
    from rest_framework.test import APIClient

    from cohorts.models import AccessEvent
    from cohorts.records.services import cohort_membership_start
    from tests.cohorts.factories import make_item, make_nominal

    nominal = make_nominal(partnership.officer)
    cohort_membership_start(nominal=nominal)
    make_item(nominal, partnership.officer, "intelligence", "Graded intelligence")
    api = APIClient()
    api.force_login(partnership.probation_officer)
    url = f"/api/v1/people/{nominal.pk}/sensitive/"

    refused = api.post(url, {"reason": ""}, format="json")
    shown = api.post(url, {"reason": "Risk review"}, format="json")

    assert refused.status_code == 400
    assert "reason" in refused.json()["errors"]
    assert [item["summary"] for item in shown.json()] == ["Graded intelligence"]
    event = AccessEvent.objects.get(action=AccessEvent.Action.VIEW_SENSITIVE)
    assert (event.reason, event.categories) == ("Risk review", ["intelligence"])
