"""People recorded twice, found without disclosing anyone, checked and merged by the IOM team
(cohorts/duplicates/services.py).

The police hold Ryan Hidden (PNC ID, CRN and prison number), who is not on the cohort: no other agency
sees him. The drug service's worker tries to record him."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from cohorts.duplicates.models import NominalMerge, PossibleDuplicate
from cohorts.duplicates.services import (
    HELD_ELSEWHERE,
    RECORDED_AND_CHECKED,
    merge_preview,
    nominal_merge,
    nominal_merge_undo,
)
from cohorts.models import AccessEvent
from cohorts.records.models import CaseInvolvement, Nominal, NominalAlias
from cohorts.records.services import cohort_membership_start
from sharing.errors import StateError
from sharing.roles import Role
from tests.cohorts.factories import make_item, make_nominal
from tests.sharing.factories import UserFactory

BORN = datetime.date(1990, 4, 12)
IDENTIFIERS = {"pnc_id": "2019/0123456E", "crn": "X123456", "prison_number": "A1234BC"}


@pytest.fixture
def hidden(partnership):
    return make_nominal(partnership.officer, first_name="Ryan", last_name="Hidden", date_of_birth=BORN, **IDENTIFIERS)


@pytest.fixture
def iom_team(partnership):
    return UserFactory.create(agency=partnership.probation, roles=[Role.SUPERVISOR])


def record_form(**fields):
    data = {
        "first_name": "Ryan",
        "last_name": "Hidden",
        "date_of_birth_0": str(BORN.day),
        "date_of_birth_1": str(BORN.month),
        "date_of_birth_2": str(BORN.year),
        "gender": "male",
        "custody_status": "community",
        "statutory_status": "licence",
    }
    data.update(fields)
    return data


# --- Found without disclosing anyone -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "typed"), [("pnc_id", "2019/0123456E"), ("crn", "X123456"), ("prison_number", "A1234BC")]
)
def test_an_identifier_of_someone_hidden_is_refused_neutrally_and_checked(client, partnership, hidden, field, typed):
    client.force_login(partnership.drugs_worker)

    first = client.post(
        "/people/new/", record_form(first_name="Someone", last_name="Else", **{field: typed}, confirmed="yes")
    )
    again = client.post(
        "/people/new/", record_form(first_name="Someone", last_name="Else", **{field: typed}, confirmed="yes")
    )
    body = first.content.decode()

    assert first.status_code == 400
    assert HELD_ELSEWHERE in body
    assert "Hidden" not in body
    assert "HIDDEN" not in body
    assert "already recorded for another person" not in body
    assert again.status_code == 400
    assert not Nominal.objects.filter(last_name="Else").exists()
    [check] = PossibleDuplicate.objects.all()
    assert (check.existing_id, check.recorded_id, check.reason, check.identifier) == (
        hidden.pk,
        None,
        PossibleDuplicate.Reason.IDENTIFIER,
        field,
    )
    assert (check.agency, check.raised_by, check.attempts) == (partnership.drugs, partnership.drugs_worker, 2)
    refused = AccessEvent.objects.filter(user=partnership.drugs_worker, action=AccessEvent.Action.REFUSED)
    assert refused.count() == 2  # each attempt is in the access log, as a refusal
    assert {event.nominal_id for event in refused} == {hidden.pk}
    assert all("belongs to a person the agency may not see" in event.reason for event in refused)


def test_an_identifier_of_someone_the_user_sees_is_the_plain_error_and_no_check(client, partnership, hidden):
    client.force_login(partnership.officer)

    response = client.post("/people/new/", record_form(first_name="Other", pnc_id="2019/0123456E", confirmed="yes"))

    assert "already recorded for another person: search for it in People" in response.content.decode()
    assert not PossibleDuplicate.objects.exists()


def test_the_api_refuses_a_hidden_identifier_neutrally_and_checks_it(client, partnership, hidden):
    client.force_login(partnership.drugs_worker)

    response = client.post(
        "/api/v1/people/",
        {"first_name": "Some", "last_name": "One", "date_of_birth": "1990-01-01", "pnc_id": "2019/0123456E"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"pnc_id": [HELD_ELSEWHERE]}
    assert PossibleDuplicate.objects.filter(existing=hidden, reason="identifier").count() == 1


def test_a_referral_of_someone_new_with_a_hidden_identifier_is_refused_neutrally_and_checked(
    client, partnership, hidden
):
    client.force_login(partnership.drugs_worker)

    response = client.post(
        "/referrals/new/",
        {
            **record_form(first_name="New", last_name="Person", pnc_id="2019/0123456E"),
            "kind": "adult",
            "confirmed": "yes",
        },
    )

    assert response.status_code == 400
    assert HELD_ELSEWHERE in response.content.decode()
    assert PossibleDuplicate.objects.filter(existing=hidden, agency=partnership.drugs).count() == 1


def test_the_same_name_and_birth_as_someone_hidden_is_recorded_told_and_checked(client, partnership, hidden):
    client.force_login(partnership.drugs_worker)

    response = client.post("/people/new/", record_form(), follow=True)

    made = Nominal.objects.get(last_name="Hidden", owning_agency=partnership.drugs)
    assert response.redirect_chain[-1][0] == f"/people/{made.pk}/"
    assert RECORDED_AND_CHECKED in response.content.decode()
    [check] = PossibleDuplicate.objects.all()
    assert (check.existing_id, check.recorded_id, check.reason) == (hidden.pk, made.pk, "name_and_birth")


def test_the_same_name_and_birth_as_someone_the_user_sees_is_shown_as_before(client, partnership, hidden):
    client.force_login(partnership.officer)

    response = client.post("/people/new/", record_form())

    assert f'href="/people/{hidden.pk}/"' in response.content.decode()  # the form's possible matches
    assert not PossibleDuplicate.objects.exists()


# --- The IOM team's queue -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("agency", ["police", "probation", "drugs"])
def test_the_queue_and_a_check_are_the_iom_teams_and_system_admins(client, partnership, hidden, agency, role):
    check = PossibleDuplicate.objects.create(
        existing=hidden,
        reason="identifier",
        identifier="pnc_id",
        raised_by=partnership.drugs_worker,
        agency=partnership.drugs,
    )
    client.force_login(UserFactory.create(agency=getattr(partnership, agency), roles=[role]))

    queue = client.get("/people/duplicates/")
    page = client.get(f"/people/duplicates/{check.pk}/")

    team = agency in ("police", "probation") and role in (Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR)
    allowed = team or role == Role.SYSTEM_ADMIN
    assert queue.status_code == (200 if allowed else 403)
    assert page.status_code == (200 if allowed else 403)
    assert ("HIDDEN, Ryan" in page.content.decode()) is allowed


def test_reading_a_check_is_logged_against_both_records(client, partnership, hidden, iom_team):
    made = make_nominal(partnership.drugs_worker, first_name="Ryan", last_name="Hidden", date_of_birth=BORN)
    check = PossibleDuplicate.objects.get(recorded=made)
    client.force_login(iom_team)

    client.get(f"/people/duplicates/{check.pk}/")

    logged = AccessEvent.objects.filter(user=iom_team, reason=f"Possible duplicate {check.pk}")
    assert set(logged.values_list("nominal_id", flat=True)) == {hidden.pk, made.pk}


def test_sharing_gives_the_agency_an_involvement_so_it_sees_the_record(client, partnership, hidden, iom_team):
    check = PossibleDuplicate.objects.create(
        existing=hidden,
        reason="identifier",
        identifier="pnc_id",
        raised_by=partnership.drugs_worker,
        agency=partnership.drugs,
    )
    client.force_login(iom_team)
    client.post(f"/people/duplicates/{check.pk}/share/")
    client.force_login(partnership.drugs_worker)

    assert client.get(f"/people/{hidden.pk}/").status_code == 200
    assert CaseInvolvement.objects.filter(
        nominal=hidden, agency=partnership.drugs, reason="shared_after_check"
    ).exists()
    check.refresh_from_db()
    assert (check.status, check.resolved_by) == (PossibleDuplicate.Status.SHARED, iom_team)


# --- Merging -------------------------------------------------------------------------------------------


@pytest.fixture
def recorded_twice(partnership, hidden):
    """The drug service's record of the same man, with an item of its own."""
    made = make_nominal(partnership.drugs_worker, first_name="Ryan", last_name="Hidden", date_of_birth=BORN)
    item = make_item(made, partnership.drugs_worker, "substance-misuse", "DRUGS-OWN-NOTE")
    return made, item, PossibleDuplicate.objects.get(recorded=made)


def test_a_merge_moves_everything_and_the_old_address_leads_to_the_record_kept(
    client, partnership, hidden, iom_team, recorded_twice
):
    made, item, check = recorded_twice
    client.force_login(iom_team)

    preview = client.get(f"/people/duplicates/{check.pk}/").content.decode()
    merged = client.post(f"/people/duplicates/{check.pk}/merge/")
    client.force_login(partnership.drugs_worker)
    old_address = client.get(f"/people/{made.pk}/")
    old_history = client.get(f"/people/{made.pk}/history/?x=1")
    kept = client.get(f"/people/{hidden.pk}/").content.decode()

    assert "1 case involvement, 1 recorded item." in preview
    assert merged.status_code == 302
    assert merged["Location"] == f"/people/{hidden.pk}/"
    assert old_address.status_code == 302
    assert old_address["Location"] == f"/people/{hidden.pk}/"
    assert old_history["Location"] == f"/people/{hidden.pk}/history/?x=1"
    assert "DRUGS-OWN-NOTE" in kept  # the drug service sees the person it recorded, through its involvement
    assert not AccessEvent.objects.filter(user=partnership.drugs_worker, action=AccessEvent.Action.REFUSED).exists()
    item.refresh_from_db()
    made.refresh_from_db()
    assert (item.nominal_id, made.merged_into_id) == (hidden.pk, hidden.pk)
    assert CaseInvolvement.objects.filter(nominal=hidden, agency=partnership.drugs, ended_on__isnull=True).exists()
    merge = NominalMerge.objects.get()
    assert (merge.survivor_id, merge.merged_id, merge.by) == (hidden.pk, made.pk, iom_team)
    check.refresh_from_db()
    assert check.status == PossibleDuplicate.Status.MERGED


def test_a_merged_record_leads_nowhere_for_someone_who_may_not_see_the_record_kept(
    client, partnership, hidden, iom_team, recorded_twice
):
    made, _, check = recorded_twice
    nominal_merge(survivor=hidden, merged=made, by=iom_team, duplicate=check)
    client.force_login(partnership.housing_worker)

    assert client.get(f"/people/{made.pk}/").status_code == 404
    assert AccessEvent.objects.filter(user=partnership.housing_worker, action=AccessEvent.Action.REFUSED).exists()
    client.force_login(partnership.drugs_worker)
    api = client.get(f"/api/v1/people/{made.pk}/")
    assert api.status_code == 404
    assert f"/api/v1/people/{hidden.pk}/" in api.json()["detail"]


def test_a_merge_gives_the_kept_record_the_identifiers_it_lacked_and_the_other_name_as_an_alias(partnership, iom_team):
    kept = make_nominal(partnership.officer, first_name="Jon", last_name="Smyth", date_of_birth=BORN)
    other = make_nominal(partnership.officer, first_name="John", last_name="Smith", date_of_birth=BORN, crn="Y654321")

    merge = nominal_merge(survivor=kept, merged=other, by=iom_team)

    kept.refresh_from_db()
    assert kept.crn == "Y654321"
    assert NominalAlias.objects.filter(nominal=kept, first_name="John", last_name="Smith").exists()
    assert merge.identifiers == {"crn": "Y654321"}


def test_a_merge_is_refused_when_both_records_are_on_the_cohort(partnership, iom_team):
    first = make_nominal(partnership.officer, last_name="Twice")
    second = make_nominal(partnership.officer, last_name="Twice")
    for nominal in (first, second):
        cohort_membership_start(nominal=nominal)

    preview = merge_preview(survivor=first, merged=second)

    assert not preview.possible
    assert "Both records are on the IOM cohort now" in preview.problems[0]
    with pytest.raises(StateError):
        nominal_merge(survivor=first, merged=second, by=iom_team)


def test_only_the_iom_team_merges(partnership, hidden, recorded_twice):
    made, _, _ = recorded_twice
    with pytest.raises(StateError):
        nominal_merge(survivor=hidden, merged=made, by=partnership.drugs_worker)


def test_undo_within_30_days_puts_both_records_back(client, partnership, hidden, iom_team, recorded_twice):
    made, item, check = recorded_twice
    merge = nominal_merge(survivor=hidden, merged=made, by=iom_team, duplicate=check)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=29)):
        client.force_login(iom_team)
        response = client.post(f"/people/merges/{merge.pk}/undo/", follow=True)

    assert "The merge is undone" in response.content.decode()
    item.refresh_from_db()
    made.refresh_from_db()
    assert (item.nominal_id, made.merged_into_id) == (made.pk, None)
    check.refresh_from_db()
    assert check.status == PossibleDuplicate.Status.OPEN
    client.force_login(partnership.drugs_worker)
    assert client.get(f"/people/{made.pk}/").status_code == 200
    assert client.get(f"/people/{hidden.pk}/").status_code == 404


def test_undo_after_30_days_or_twice_is_refused(partnership, hidden, iom_team, recorded_twice):
    made, _, check = recorded_twice
    merge = nominal_merge(survivor=hidden, merged=made, by=iom_team, duplicate=check)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)), pytest.raises(StateError):
        nominal_merge_undo(merge=merge, by=iom_team)
    nominal_merge_undo(merge=merge, by=iom_team)
    with pytest.raises(StateError):
        nominal_merge_undo(merge=merge, by=iom_team)


def test_a_merge_posted_twice_from_two_tabs_merges_once_and_says_so(
    client, partnership, hidden, iom_team, recorded_twice
):
    _, _, check = recorded_twice
    client.force_login(iom_team)

    client.post(f"/people/duplicates/{check.pk}/merge/")
    again = client.post(f"/people/duplicates/{check.pk}/merge/", follow=True)
    shared = client.post(f"/people/duplicates/{check.pk}/share/", follow=True)

    assert NominalMerge.objects.count() == 1
    assert "merged already" in again.content.decode()
    assert "already been resolved" in shared.content.decode()
    assert not CaseInvolvement.objects.filter(reason="shared_after_check").exists()


def test_the_api_records_the_same_name_and_birth_and_says_it_may_be_recorded_elsewhere(client, partnership, hidden):
    client.force_login(partnership.drugs_worker)

    response = client.post(
        "/api/v1/people/",
        {"first_name": "Ryan", "last_name": "Hidden", "date_of_birth": BORN.isoformat()},
        content_type="application/json",
    )
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()

    assert response.status_code == 201
    assert response.json()["possibly_recorded_elsewhere"] is True
    assert "possibly_recorded_elsewhere" in schema


def test_an_identifier_a_merged_record_kept_is_the_plain_error_for_whoever_sees_the_record_kept(partnership, iom_team):
    """The record kept had its own CRN, so the merged one kept its CRN: typing it is about the record
    kept, which the police see (the plain error, no check); the drug service does not (neutral)."""
    from django.core.exceptions import ValidationError

    from cohorts.duplicates.services import HeldElsewhere

    kept = make_nominal(partnership.officer, last_name="Kept", crn="K111111")
    other = make_nominal(partnership.officer, last_name="Other", crn="K222222")
    nominal_merge(survivor=kept, merged=other, by=iom_team)

    with pytest.raises(ValidationError) as seen:
        make_nominal(partnership.officer, crn="K222222")
    with pytest.raises(HeldElsewhere) as hidden:
        make_nominal(partnership.drugs_worker, crn="K222222")

    assert not isinstance(seen.value, HeldElsewhere)
    assert "already recorded for another person" in seen.value.message_dict["crn"][0]
    assert hidden.value.existing_id == kept.pk
