"""A person's consent through the API (cohorts/records/consent_api.py): recorded by the same service as the
consent page, listed by the same selector, and what is shared follows it from the next request."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cohorts.records.models import Consent
from cohorts.records.services import cohort_membership_start
from sharing.models import DataCategory
from tests.cohorts.factories import make_item, make_nominal


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def person(partnership):
    nominal = make_nominal(partnership.officer, first_name="Lee", last_name="Thornton")
    cohort_membership_start(nominal=nominal)
    return nominal


def consent_url(nominal):
    return reverse("api-nominal-consent", args=[nominal.pk])


def record_url(nominal):
    return reverse("api-nominal-detail", args=[nominal.pk])


def consent(**overrides):
    return {"given": True, "recorded_on": timezone.localdate().isoformat(), **overrides}


def test_a_worker_records_consent_and_reads_it_back(api, partnership, person):
    api.force_login(partnership.drugs_worker)
    today = timezone.localdate()

    response = api.post(
        consent_url(person),
        consent(category="substance-misuse", agency=partnership.police.pk, note="Signed form on file"),
        format="json",
    )

    assert response.status_code == 201, response.json()
    recorded = Consent.objects.get(nominal=person)
    assert (recorded.given, recorded.agency, recorded.category, recorded.recorded_on, recorded.recorded_by) == (
        True,
        partnership.police,
        DataCategory.objects.get(code="substance-misuse"),
        today,
        partnership.drugs_worker,
    )
    body = response.json()
    assert (body["id"], body["given"], body["note"]) == (recorded.pk, True, "Signed form on file")
    assert body["agency"] == {"id": partnership.police.pk, "name": "Northmoor Police"}
    assert body["category"] == {"code": "substance-misuse", "name": "Substance misuse"}
    assert [found["id"] for found in api.get(consent_url(person)).json()] == [recorded.pk]


def test_consent_for_every_agency_and_category_leaves_them_out(api, partnership, person):
    api.force_login(partnership.drugs_worker)

    response = api.post(consent_url(person), consent(given=False), format="json")

    assert response.status_code == 201, response.json()
    assert (response.json()["agency"], response.json()["category"]) == (None, None)
    recorded = Consent.objects.get(nominal=person)
    assert (recorded.given, recorded.agency, recorded.category) == (False, None, None)


def test_withdrawing_consent_withholds_the_consent_required_item_on_the_next_read(api, partnership, person):
    make_item(person, partnership.drugs_worker, "substance-misuse", "Tested positive for opiates")
    api.force_login(partnership.drugs_worker)
    api.post(consent_url(person), consent(category="substance-misuse"), format="json")
    api.force_login(partnership.officer)
    shown = api.get(record_url(person)).json()
    assert [item["summary"] for item in shown["items"]] == ["Tested positive for opiates"]

    api.force_login(partnership.drugs_worker)
    withdrawn = api.post(consent_url(person), consent(given=False, category="substance-misuse"), format="json")
    assert withdrawn.status_code == 201
    api.force_login(partnership.officer)
    response = api.get(record_url(person))

    assert "Tested positive for opiates" not in response.content.decode()
    assert response.json()["items"] == []
    assert response.json()["withheld"] == ["1 item held by Compass Recovery is not shared with your agency"]


def test_the_list_holds_only_records_that_concern_the_agency(api, partnership, person):
    api.force_login(partnership.officer)
    api.post(consent_url(person), consent(agency=partnership.drugs.pk), format="json")
    api.post(consent_url(person), consent(given=False), format="json")

    def listed(user):
        api.force_login(user)
        return [(found["given"], (found["agency"] or {}).get("name")) for found in api.get(consent_url(person)).json()]

    # Newest first; probation sees the record for every agency, not the one for the drug service.
    assert listed(partnership.officer) == [(False, None), (True, "Compass Recovery")]
    assert listed(partnership.drugs_worker) == [(False, None), (True, "Compass Recovery")]
    assert listed(partnership.probation_officer) == [(False, None)]


# --- Who may see whom -------------------------------------------------------------------------------


def test_a_person_out_of_scope_is_404_to_read_and_to_record(api, partnership, person):
    api.force_login(partnership.outsider)

    responses = [api.get(consent_url(person)), api.post(consent_url(person), consent(), format="json")]

    assert [response.status_code for response in responses] == [404, 404]
    assert all("Thornton" not in response.content.decode() for response in responses)
    assert not Consent.objects.exists()


def test_a_person_who_does_not_exist_is_404_the_same(api, partnership):
    api.force_login(partnership.officer)

    response = api.get(reverse("api-nominal-consent", args=[10**9]))

    assert response.status_code == 404


def test_the_consent_api_refuses_a_caller_without_credentials(api, partnership, person):
    assert api.get(consent_url(person)).status_code == 401
    assert api.post(consent_url(person), consent(), format="json").status_code == 401
    assert not Consent.objects.exists()


# --- Bad input --------------------------------------------------------------------------------------


def test_consent_dated_in_the_future_is_refused_by_the_service(api, partnership, person):
    api.force_login(partnership.drugs_worker)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = api.post(consent_url(person), consent(recorded_on=tomorrow.isoformat()), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "recorded_on": ["The date consent was given or withdrawn cannot be in the future"]
    }
    assert not Consent.objects.exists()


def test_bad_consent_input_is_a_400_on_the_fields(api, partnership, person):
    api.force_login(partnership.drugs_worker)

    response = api.post(
        consent_url(person),
        {"category": "no-such-category", "agency": 10**9, "recorded_on": "2025-02-31"},
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"given", "category", "agency", "recorded_on"}
    assert errors["recorded_on"] == ["The date given or withdrawn must be a real date, in the format YYYY-MM-DD"]
    assert not Consent.objects.exists()


def test_the_consent_endpoint_is_in_the_openapi_schema(api, partnership):
    api.force_login(partnership.officer)

    schema = api.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert set(schema["paths"]["/api/v1/people/{id}/consent/"]) >= {"get", "post"}
    assert schema["components"]["schemas"]["ConsentCreate"]["required"] == ["given", "recorded_on"]
