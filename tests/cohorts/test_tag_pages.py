"""The GPS tag pages (/people/<pk>/tags/...), their API (/api/v1/people/<pk>/tags/...) and the person
page's panel: counts without a reason, content with one (logged), who may record (others who see the
person 403), a partner whose agreement does not share intelligence sees no hits, bad input kept on
the page or a 400 with field errors, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import AccessEvent
from cohorts.records.models import Nominal
from cohorts.records.services import cohort_membership_start
from cohorts.tags.models import TagHit, TagPeriod
from cohorts.tags.services import tag_fit, tag_hit_outcome, tag_hit_record, tag_remove
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def date_fields(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


@pytest.fixture
def nominal(partnership) -> Nominal:
    person = make_nominal(partnership.officer, first_name="Robin", last_name="Tagson")
    cohort_membership_start(nominal=person, started_on=days_ago(100))
    return person


def fit(nominal, by, fitted_days_ago: int = 60) -> TagPeriod:
    fitted_on = days_ago(fitted_days_ago)
    return tag_fit(nominal=nominal, by=by, fitted_on=fitted_on, ends_by=fitted_on + datetime.timedelta(days=180))


@pytest.fixture
def tagged(partnership, nominal) -> TagPeriod:
    tag = fit(nominal, partnership.officer)
    tag_hit_record(tag=tag, by=partnership.officer, notified_on=days_ago(3), crime_reference="NM/HIT/0001")
    return tag


def unlock(client, nominal) -> None:
    response = client.post(reverse("tag-reason", args=[nominal.pk]), {"reason": "Reviewing hits for the MAP"})
    assert response.status_code == 302


def list_url(nominal) -> str:
    return reverse("tag-list", args=[nominal.pk])


# --- The tags page, behind the reason ------------------------------------------------------------------


def test_without_a_reason_the_page_counts_tags_and_hits_and_shows_no_content(client, partnership, tagged):
    client.force_login(partnership.probation_officer)
    body = client.get(list_url(tagged.item.nominal)).content.decode()

    assert "1 tag period and 1 pending location hit shown only when you give a reason" in body
    assert "NM/HIT/0001" not in body
    event = AccessEvent.objects.filter(user=partnership.probation_officer).latest("pk")
    assert (event.action, event.categories) == (AccessEvent.Action.VIEW, ["identity"])


def test_a_reason_shows_tags_and_hits_and_is_logged(client, partnership, tagged):
    nominal = tagged.item.nominal
    client.force_login(partnership.probation_officer)
    unlock(client, nominal)
    sensitive = AccessEvent.objects.get(user=partnership.probation_officer, action=AccessEvent.Action.VIEW_SENSITIVE)
    assert sensitive.reason == "Reviewing hits for the MAP"
    assert sensitive.categories == ["intelligence"]

    body = client.get(list_url(nominal)).content.decode()
    assert "NM/HIT/0001" in body
    assert "Pending" in body
    assert AccessEvent.objects.filter(user=partnership.probation_officer).latest("pk").categories == [
        "identity",
        "intelligence",
    ]


def test_a_reason_given_on_the_person_page_unlocks_the_tags_too(client, partnership, tagged):
    nominal = tagged.item.nominal
    client.force_login(partnership.officer)
    client.post(reverse("nominal-sensitive-reason", args=[nominal.pk]), {"reason": "Case review"})
    assert "NM/HIT/0001" in client.get(list_url(nominal)).content.decode()


def test_no_reason_is_an_error_on_the_page(client, partnership, tagged):
    client.force_login(partnership.officer)
    response = client.post(reverse("tag-reason", args=[tagged.item.nominal.pk]), {"reason": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "Enter why you need to see these items" in body


def test_a_partner_without_intelligence_sees_no_hits_even_with_a_reason(client, partnership, tagged):
    nominal = tagged.item.nominal
    client.force_login(partnership.drugs_worker)
    unlock(client, nominal)
    body = client.get(list_url(nominal)).content.decode()

    assert "NM/HIT/0001" not in body
    assert "2 tag records restricted under ISA" in body
    assert client.get(reverse("tag-fit", args=[nominal.pk])).status_code == 403
    detail = client.get(reverse("nominal-detail", args=[nominal.pk])).content.decode()
    assert 'data-testid="tag-panel"' in detail
    assert "2 tag records restricted under ISA" in detail


def test_the_tags_page_queries_do_not_grow_with_tags_and_hits(client, partnership, nominal):
    first = fit(nominal, partnership.officer, fitted_days_ago=90)
    tag_hit_record(tag=first, by=partnership.officer, notified_on=days_ago(85), crime_reference="CR/1")
    client.force_login(partnership.probation_officer)
    unlock(client, nominal)
    with CaptureQueriesContext(connection) as few:
        client.get(list_url(nominal))

    tag_remove(tag=first, by=partnership.officer, removed_on=days_ago(80), reason="Licence varied")
    second = fit(nominal, partnership.probation_officer, fitted_days_ago=70)
    for n in range(4):
        tag_hit_record(tag=second, by=partnership.officer, notified_on=days_ago(60 - n), crime_reference=f"CR/{n + 2}")
    with CaptureQueriesContext(connection) as many:
        body = client.get(list_url(nominal)).content.decode()

    assert "CR/5" in body
    assert len(many) == len(few)


# --- Recording ------------------------------------------------------------------------------------------


def test_fitting_a_tag_from_the_page(client, partnership, nominal):
    client.force_login(partnership.officer)
    response = client.post(
        reverse("tag-fit", args=[nominal.pk]),
        {
            "basis": "licence",
            **date_fields("fitted_on", days_ago(2)),
            **date_fields("ends_by", days_ago(2) + datetime.timedelta(days=90)),
        },
    )
    assert response.status_code == 302
    tag = TagPeriod.objects.get(item__nominal=nominal)
    assert (tag.fitted_on, tag.item.owning_agency) == (days_ago(2), partnership.police)


def test_bad_input_on_the_fit_page_keeps_what_was_typed(client, partnership, nominal):
    client.force_login(partnership.officer)
    fitted_on = days_ago(2)
    response = client.post(
        reverse("tag-fit", args=[nominal.pk]),
        {
            "basis": "licence",
            **date_fields("fitted_on", fitted_on),
            **date_fields("ends_by", fitted_on + datetime.timedelta(days=400)),
            "note": "Exclusion zone: town centre",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "at most 12 months" in body
    assert "Exclusion zone: town centre" in body
    assert f'value="{fitted_on.year}"' in body
    assert not TagPeriod.objects.exists()


def test_removing_a_tag_asks_for_the_reason_first_then_records_it(client, partnership, tagged):
    nominal = tagged.item.nominal
    url = reverse("tag-remove", args=[nominal.pk, tagged.pk])
    client.force_login(partnership.officer)
    assert client.get(url)["Location"] == list_url(nominal)

    unlock(client, nominal)
    response = client.post(url, {**date_fields("removed_on", days_ago(1)), "reason": ""})
    assert response.status_code == 400
    assert "Enter why the tag was removed" in response.content.decode()

    response = client.post(url, {**date_fields("removed_on", days_ago(1)), "reason": "Licence condition lifted"})
    assert response.status_code == 302
    tagged.refresh_from_db()
    assert (tagged.removed_on, tagged.removal_reason) == (days_ago(1), "Licence condition lifted")


def test_recording_a_hit_and_its_outcome_from_the_pages(client, partnership, tagged):
    nominal = tagged.item.nominal
    client.force_login(partnership.probation_officer)
    unlock(client, nominal)
    new_url = reverse("tag-hit-new", args=[nominal.pk, tagged.pk])

    response = client.post(
        new_url, {**date_fields("notified_on", days_ago(1)), "crime_reference": "", "note": "Near the scene"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter the crime reference" in body
    assert "Near the scene" in body

    response = client.post(new_url, {**date_fields("notified_on", days_ago(1)), "crime_reference": "NM/HIT/0002"})
    assert response.status_code == 302
    hit = TagHit.objects.get(crime_reference="NM/HIT/0002")
    assert hit.item.owning_agency == partnership.probation

    outcome_url = reverse("tag-hit-outcome", args=[nominal.pk, hit.pk])
    response = client.post(outcome_url, {"outcome": "ruled_in", **date_fields("outcome_on", days_ago(2))})
    assert response.status_code == 400
    assert "cannot be dated before" in response.content.decode()
    response = client.post(outcome_url, {"outcome": "ruled_in", **date_fields("outcome_on", today())})
    assert response.status_code == 302
    hit.refresh_from_db()
    assert hit.outcome == TagHit.Outcome.RULED_IN


@pytest.mark.parametrize("page", ["tag-remove", "tag-hit-new"])
def test_pages_of_a_tag_refuse_roles_that_do_not_record_and_404_a_missing_tag(client, partnership, tagged, page):
    nominal = tagged.item.nominal
    analyst = UserFactory.create(agency=partnership.police, roles=[Role.ANALYST])
    client.force_login(analyst)
    assert client.get(reverse(page, args=[nominal.pk, tagged.pk])).status_code == 403
    client.force_login(partnership.officer)
    assert client.get(reverse(page, args=[nominal.pk, 10**9])).status_code == 404
    client.force_login(partnership.outsider)
    assert client.get(reverse(page, args=[nominal.pk, tagged.pk])).status_code == 404


def test_the_person_page_panel_says_a_tag_is_fitted_and_counts_pending_hits_without_content(
    client, partnership, tagged
):
    client.force_login(partnership.probation_officer)
    body = client.get(reverse("nominal-detail", args=[tagged.item.nominal.pk])).content.decode()
    assert "GPS tag" in body
    assert "Tag fitted" in body
    assert "1 location hit pending an outcome" in body
    assert "NM/HIT/0001" not in body


# --- The API ----------------------------------------------------------------------------------------------


def api(nominal, name: str = "api-nominal-tags", *args: int) -> str:
    return reverse(name, args=[nominal.pk, *args])


def test_api_counts_without_a_reason_and_reads_with_one(client, partnership, tagged):
    nominal = tagged.item.nominal
    client.force_login(partnership.probation_officer)
    summary = client.get(api(nominal)).json()
    assert summary == {"fitted": True, "tags": 1, "hits_pending": 1, "withheld": 0, "may_record": True}

    assert client.post(api(nominal, "api-tags-read"), {}, content_type="application/json").status_code == 400
    record = client.post(api(nominal, "api-tags-read"), {"reason": "MAP"}, content_type="application/json").json()
    assert record["periods"][0]["hits"][0]["crime_reference"] == "NM/HIT/0001"
    assert AccessEvent.objects.filter(action=AccessEvent.Action.VIEW_SENSITIVE, reason="MAP").exists()


def test_api_partner_without_intelligence_reads_no_tags(client, partnership, tagged):
    nominal = tagged.item.nominal
    client.force_login(partnership.drugs_worker)
    record = client.post(api(nominal, "api-tags-read"), {"reason": "MAP"}, content_type="application/json").json()
    assert record == {"periods": [], "withheld": 2}
    fitted = {"fitted_on": days_ago(1).isoformat(), "ends_by": today().isoformat()}
    assert client.post(api(nominal), fitted, content_type="application/json").status_code == 403


def test_api_fit_remove_hit_and_outcome(client, partnership, nominal):
    client.force_login(partnership.officer)
    response = client.post(
        api(nominal),
        {"fitted_on": days_ago(10).isoformat(), "ends_by": days_ago(1).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    tag_pk = response.json()["id"]

    response = client.post(
        api(nominal, "api-tag-hits", tag_pk),
        {"notified_on": days_ago(11).isoformat(), "crime_reference": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"crime_reference"}
    response = client.post(
        api(nominal, "api-tag-hits", tag_pk),
        {"notified_on": days_ago(11).isoformat(), "crime_reference": "CR/9"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "within the tag period" in response.json()["errors"]["notified_on"][0]
    response = client.post(
        api(nominal, "api-tag-hits", tag_pk),
        {"notified_on": days_ago(5).isoformat(), "crime_reference": "CR/9"},
        content_type="application/json",
    )
    assert response.status_code == 201
    hit_pk = response.json()["id"]

    response = client.post(
        api(nominal, "api-tag-hit-outcome", hit_pk),
        {"outcome": "ruled_out", "outcome_on": today().isoformat()},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["outcome"]) == (200, "ruled_out")
    response = client.post(
        api(nominal, "api-tag-hit-outcome", hit_pk),
        {"outcome": "ruled_in", "outcome_on": today().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "already ruled out" in response.json()["detail"]

    response = client.post(
        api(nominal, "api-tag-remove", tag_pk),
        {"removed_on": days_ago(2).isoformat(), "reason": "Ended"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["removed_on"]) == (200, days_ago(2).isoformat())
    assert response.json()["hits"][0]["crime_reference"] == "CR/9"


def test_api_bad_dates_are_field_errors(client, partnership, nominal):
    client.force_login(partnership.officer)
    response = client.post(api(nominal), {"fitted_on": "2024-02-30", "ends_by": ""}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"fitted_on", "ends_by"}


def test_api_tag_pages_404_outside_scope(client, partnership, tagged):
    nominal = tagged.item.nominal
    client.force_login(partnership.outsider)
    assert client.get(api(nominal)).status_code == 404
    response = client.post(
        api(nominal, "api-tag-remove", tagged.pk),
        {"removed_on": today().isoformat(), "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_outcome_of_a_decided_hit_on_the_page_is_an_error_not_a_crash(client, partnership, tagged):
    hit = tagged.hits.get()
    tag_hit_outcome(hit=hit, by=partnership.officer, outcome=TagHit.Outcome.RULED_OUT, outcome_on=today())
    client.force_login(partnership.officer)
    unlock(client, tagged.item.nominal)
    response = client.post(
        reverse("tag-hit-outcome", args=[tagged.item.nominal.pk, hit.pk]),
        {"outcome": "ruled_in", **date_fields("outcome_on", today())},
    )
    assert response.status_code == 400
    assert "already ruled out" in response.content.decode()
