import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import AccessEvent
from cohorts.records.models import Consent
from cohorts.records.services import cohort_membership_start, nominal_update
from sharing.models import DataCategory
from sharing.roles import Role
from tests.cohorts.factories import make_item, make_nominal
from tests.sharing.factories import UserFactory


@pytest.fixture
def person(partnership):
    nominal = make_nominal(partnership.officer, first_name="Ellis", last_name="Marsh")
    cohort_membership_start(nominal=nominal)
    return nominal


def test_supervisors_search_their_agencys_access_log_only(client, partnership, person):
    client.force_login(partnership.officer)
    client.get(reverse("nominal-detail", args=[person.pk]))
    client.force_login(partnership.probation_officer)
    client.get(reverse("nominal-detail", args=[person.pk]))

    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR]))
    body = client.get(reverse("access-log"), {"person": person.pk}).content.decode()

    assert partnership.officer.username in body
    assert partnership.probation_officer.username not in body
    assert "Ellis Marsh" in body


def test_the_access_log_is_refused_to_practitioners(client, partnership):
    client.force_login(partnership.officer)

    assert client.get(reverse("access-log")).status_code == 403


def test_the_log_does_not_name_a_person_no_longer_shared(client, partnership, person):
    client.force_login(partnership.drugs_worker)
    client.get(reverse("nominal-detail", args=[person.pk]))
    from sharing.services import agreement_end

    agreement_end(agreement=partnership.substance, by=UserFactory.create(roles=[Role.SYSTEM_ADMIN]))

    client.force_login(UserFactory.create(agency=partnership.drugs, roles=[Role.AGENCY_ADMIN]))
    body = client.get(reverse("access-log")).content.decode()

    assert "Ellis Marsh" not in body
    assert f"Record {person.pk} (no longer shared with your agency)" in body


def test_a_bad_date_range_in_the_log_search_is_explained(client, partnership):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR]))

    response = client.get(
        reverse("access-log"),
        {
            "date_from_0": "10",
            "date_from_1": "11",
            "date_from_2": "2026",
            "date_to_0": "1",
            "date_to_1": "11",
            "date_to_2": "2026",
        },
    )

    assert response.status_code == 400
    assert "must be on or after the" in response.content.decode()


def test_the_record_shows_who_in_the_agency_viewed_it_to_supervisors(client, partnership, person):
    client.force_login(partnership.officer)
    client.get(reverse("nominal-detail", args=[person.pk]))

    assert 'data-testid="recent-access"' not in client.get(reverse("nominal-detail", args=[person.pk])).content.decode()
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR]))
    body = client.get(reverse("nominal-detail", args=[person.pk])).content.decode()
    assert 'data-testid="recent-access"' in body
    assert str(partnership.officer) in body


def test_withdrawing_consent_on_the_page_stops_sharing_at_once(client, partnership, person):
    make_item(person, partnership.drugs_worker, "substance-misuse", "Engaged with needle exchange")
    substance = DataCategory.objects.get(code="substance-misuse")
    client.force_login(partnership.drugs_worker)
    today = timezone.localdate()
    dated = {"recorded_on_0": str(today.day), "recorded_on_1": str(today.month), "recorded_on_2": str(today.year)}

    client.post(reverse("nominal-consent", args=[person.pk]), {"given": "yes", "category": substance.pk, **dated})
    client.force_login(partnership.officer)
    assert "Engaged with needle exchange" in client.get(reverse("nominal-detail", args=[person.pk])).content.decode()

    client.force_login(partnership.drugs_worker)
    client.post(reverse("nominal-consent", args=[person.pk]), {"given": "no", **dated})
    client.force_login(partnership.officer)
    assert (
        "Engaged with needle exchange" not in client.get(reverse("nominal-detail", args=[person.pk])).content.decode()
    )
    assert Consent.objects.filter(nominal=person).count() == 2


def test_consent_in_the_future_is_refused(client, partnership, person):
    client.force_login(partnership.drugs_worker)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        reverse("nominal-consent", args=[person.pk]),
        {
            "given": "yes",
            "recorded_on_0": str(tomorrow.day),
            "recorded_on_1": str(tomorrow.month),
            "recorded_on_2": str(tomorrow.year),
        },
    )

    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()


def test_history_shows_changes_the_agency_may_see_and_who_made_them(client, partnership, person):
    nominal_update(nominal=person, by=partnership.officer, last_name="Marsh-Cole", ogrs_percent=77)

    client.force_login(partnership.probation_officer)
    probation_view = client.get(reverse("nominal-history", args=[person.pk])).content.decode()
    client.force_login(partnership.drugs_worker)
    drugs_view = client.get(reverse("nominal-history", args=[person.pk])).content.decode()

    assert "Marsh → Marsh-Cole" in probation_view
    assert "OGRS" in probation_view
    assert "Marsh → Marsh-Cole" in drugs_view
    assert "OGRS" not in drugs_view, "offending and risk is not shared with the drug service"


def test_every_page_showing_part_of_the_record_logs_one_view(client, partnership, person):
    item = make_item(person, partnership.officer, "offending-risk", "Logged item")
    client.force_login(partnership.officer)

    for path in (
        reverse("nominal-history", args=[person.pk]),
        reverse("nominal-consent", args=[person.pk]),
        reverse("item-why", args=[person.pk, item.pk]),
        reverse("item-edit", args=[person.pk, item.pk]),
    ):
        before = AccessEvent.objects.count()
        client.get(path)
        event = AccessEvent.objects.order_by("-pk")[0]
        assert AccessEvent.objects.count() == before + 1, path
        assert (event.nominal, event.action, event.path) == (person, AccessEvent.Action.VIEW, path)
        assert "recorded the person" in event.allowed_by


def item_form(summary, version, occurred=datetime.date(2026, 11, 1)):
    return {
        "kind": "note",
        "category": str(DataCategory.objects.get(code="offending-risk").pk),
        "summary": summary,
        "detail": "",
        "occurred_on_0": str(occurred.day),
        "occurred_on_1": str(occurred.month),
        "occurred_on_2": str(occurred.year),
        "version": str(version),
    }


def test_two_officers_editing_one_item_the_second_save_is_refused_and_kept(client, partnership, person):
    item = make_item(person, partnership.officer, "offending-risk", "Original summary")
    url = reverse("item-edit", args=[person.pk, item.pk])
    client.force_login(partnership.officer)

    first = client.post(url, item_form("First officer's change", version=1))
    second = client.post(url, item_form("Second officer's change", version=1))

    assert first.status_code == 302
    assert second.status_code == 400
    body = second.content.decode()
    assert "Someone else changed this item while you were editing it" in body
    assert 'value="Second officer&#x27;s change"' in body
    item.refresh_from_db()
    assert (item.summary, item.version) == ("First officer's change", 2)


@pytest.mark.parametrize("version", ["abc", "", "1e3"])
def test_an_item_change_from_a_tampered_version_is_refused_as_stale_and_kept(client, partnership, person, version):
    item = make_item(person, partnership.officer, "offending-risk", "Original summary")
    client.force_login(partnership.officer)

    response = client.post(reverse("item-edit", args=[person.pk, item.pk]), item_form("TYPED-CHANGE", version))

    assert response.status_code == 400
    assert "Someone else changed this item while you were editing it" in response.content.decode()
    assert "TYPED-CHANGE" in response.content.decode()
    item.refresh_from_db()
    assert item.summary == "Original summary"


def test_only_the_owning_agency_changes_an_item(client, partnership, person):
    item = make_item(person, partnership.officer, "offending-risk", "Police item")
    client.force_login(partnership.probation_officer)

    assert client.get(reverse("item-edit", args=[person.pk, item.pk])).status_code == 404
    assert client.post(reverse("item-edit", args=[person.pk, item.pk]), item_form("Hijack", 1)).status_code == 404


def test_needs_by_pathway_follow_their_category(client, partnership, person):
    client.force_login(partnership.officer)
    today = timezone.localdate()
    dated = {"assessed_on_0": str(today.day), "assessed_on_1": str(today.month), "assessed_on_2": str(today.year)}

    client.post(reverse("need-new", args=[person.pk]), {"pathway": "accommodation", "level": "high", **dated})
    client.post(reverse("need-new", args=[person.pk]), {"pathway": "drugs_alcohol", "level": "medium", **dated})

    own = client.get(reverse("nominal-detail", args=[person.pk])).content.decode()
    assert "Accommodation: high need" in own
    client.force_login(partnership.drugs_worker)
    theirs = client.get(reverse("nominal-detail", args=[person.pk])).content.decode()
    assert "Accommodation: high need" not in theirs, "the drug service has no accommodation clause"
    assert "2 items held by Northmoor Police are not shared with your agency" in theirs


def test_a_need_without_a_level_is_explained(client, partnership, person):
    client.force_login(partnership.officer)

    response = client.post(reverse("need-new", args=[person.pk]), {"pathway": "health"})

    assert response.status_code == 400
    assert "Choose the level of need" in response.content.decode()


def test_a_duplicate_identifier_held_by_another_agency_is_a_neutral_field_error(client, partnership):
    from tests.cohorts.factories import valid_pnc_id
    from tests.cohorts.test_views import new_person_form

    pnc_id = valid_pnc_id()
    make_nominal(partnership.probation_officer, pnc_id=pnc_id, last_name="Someoneelse")
    client.force_login(partnership.officer)

    response = client.post(reverse("nominal-new"), new_person_form(pnc_id=pnc_id, confirmed="yes"))

    assert response.status_code == 400
    # Probation's record, which the police may not see: told neutrally, naming no one.
    assert "may already be recorded by another agency" in response.content.decode()
    assert "Someoneelse" not in response.content.decode()


def test_the_recording_agency_corrects_a_persons_details(client, partnership, person):
    from tests.cohorts.test_views import new_person_form

    client.force_login(partnership.officer)
    page = client.get(reverse("nominal-edit", args=[person.pk])).content.decode()
    assert 'value="Marsh"' in page

    response = client.post(
        reverse("nominal-edit", args=[person.pk]), new_person_form(first_name="Ellis", last_name="Marsh-Hughes")
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == "Marsh-Hughes"


def test_a_bad_correction_is_explained_and_kept(client, partnership, person):
    from tests.cohorts.test_views import new_person_form

    client.force_login(partnership.officer)

    response = client.post(reverse("nominal-edit", args=[person.pk]), new_person_form(last_name="Marsh", crn="99"))

    assert response.status_code == 400
    assert 'value="99"' in response.content.decode()
    assert "letter and 6 digits" in response.content.decode()


def test_another_agency_cannot_change_a_persons_details(client, partnership, person):
    client.force_login(partnership.probation_officer)

    assert client.get(reverse("nominal-edit", args=[person.pk])).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"person": "9223372036854775808"}, "The person&#x27;s record number is not one of the service&#x27;s"),
        ({"person": "abc"}, "The person&#x27;s record number must be a number, like 1234"),
        ({"user": "99999999999999999999"}, "The user is not one of the service&#x27;s"),
    ],
)
def test_a_record_number_too_big_for_any_record_is_explained_not_a_server_error(client, partnership, query, message):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR]))

    response = client.get(reverse("access-log"), query)

    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("kind", ["event", "review", "plan_action", "tag", "need"])
def test_a_kind_with_a_record_of_its_own_is_not_recorded_or_changed_as_a_plain_item(client, partnership, person, kind):
    """An "event" item alone was an arrest the events panel did not know ("No custody or court events
    have been recorded" above it): such kinds are recorded and changed through their own pages only."""
    client.force_login(partnership.officer)

    response = client.post(reverse("item-new", args=[person.pk]), item_form("A plain item", 1) | {"kind": kind})
    api = client.post(
        f"/api/v1/people/{person.pk}/items/",
        {"kind": kind, "category": "offending-risk", "summary": "A plain item"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert api.status_code == 400
    assert not person.items.filter(summary="A plain item").exists()
    item = make_item(person, partnership.officer, "offending-risk", "Structured", kind=kind)
    assert client.get(reverse("item-edit", args=[person.pk, item.pk])).status_code == 404
    page = client.get(reverse("nominal-detail", args=[person.pk])).content.decode()
    assert "Structured" in page
    assert reverse("item-edit", args=[person.pk, item.pk]) not in page
