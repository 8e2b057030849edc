"""The referral pages: the list, starting a referral, the task list's sections, check answers and
the referral page, as each agency and role sees them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import ManagementLevel, PriorityCohort
from cohorts.models import AccessEvent
from cohorts.records.models import Nominal
from cohorts.records.services import cohort_membership_start
from referrals.models import Referral, ReferralDecision
from referrals.services import (
    matrix_current,
    referral_decide,
    referral_list_for_panel,
    referral_return,
    referral_section_save,
    referral_start,
    referral_submit,
)
from sharing.roles import Role
from tests.cohorts.factories import make_nominal, valid_pnc_id
from tests.referrals.factories import (
    accept_terms,
    accepted_referral,
    draft_referral,
    listed_referral,
    selection_panel_on,
    submitted_referral,
)
from tests.sharing.factories import UserFactory

TODAY = timezone.localdate  # called at use: a run that crosses midnight must not keep yesterday


def date_fields(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    return len(queries)


@pytest.fixture
def person(partnership) -> Nominal:
    return make_nominal(partnership.officer, first_name="Dale", last_name="Whitcombe")


@pytest.fixture
def chair(partnership):
    return UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])


def section_url(referral: Referral, code: str) -> str:
    return reverse("referral-section", args=[referral.pk, code])


def detail_url(referral: Referral) -> str:
    return reverse("referral-detail", args=[referral.pk])


# --- The list ---------------------------------------------------------------------------------------


def test_the_iom_team_sees_referrals_highest_score_first(client, partnership):
    low = submitted_referral(make_nominal(partnership.officer, last_name="Lowscore"), partnership.officer)
    high = submitted_referral(
        make_nominal(partnership.probation_officer, last_name="Highscore"),
        partnership.probation_officer,
        risk={"ogrs_percent": 95, "risk_of_serious_harm": "very_high"},
    )
    assert (high.score or 0) > (low.score or 0)
    cohort_membership_start(nominal=high.nominal)  # so the police see probation's person
    client.force_login(partnership.officer)

    body = client.get(reverse("referral-list")).content.decode()

    assert body.index(high.reference) < body.index(low.reference)
    assert "Your referrals and your team" not in body
    assert f'href="/people/{high.nominal_id}/"' in body
    assert "Refer a person" in body


def test_the_list_sorts_by_newest_and_oldest(client, partnership):
    first = submitted_referral(make_nominal(partnership.officer), partnership.officer)
    second = submitted_referral(make_nominal(partnership.officer), partnership.officer)
    client.force_login(partnership.officer)

    newest = client.get(reverse("referral-list"), {"sort": "newest"}).content.decode()
    oldest = client.get(reverse("referral-list"), {"sort": "oldest"}).content.decode()

    assert newest.index(second.reference) < newest.index(first.reference)
    assert oldest.index(first.reference) < oldest.index(second.reference)


def test_filters_apply_and_show_as_tags_that_remove_them(client, partnership):
    fixed = submitted_referral(make_nominal(partnership.officer), partnership.officer)
    flex = submitted_referral(
        make_nominal(partnership.officer),
        partnership.officer,
        strand={"strand": "flex"},
        urgency={"urgent": True, "urgency_reason": "Released tomorrow"},
    )
    draft = draft_referral(make_nominal(partnership.officer), partnership.officer)
    client.force_login(partnership.officer)

    body = client.get(reverse("referral-list"), {"strand": "fixed", "status": "submitted"}).content.decode()

    assert fixed.reference in body
    assert flex.reference not in body
    assert draft.reference not in body
    assert 'class="moj-filter__tag" href="?status=submitted"' in body  # removes the strand filter
    assert 'class="moj-filter__tag" href="?strand=fixed"' in body  # removes the status filter

    urgent = client.get(reverse("referral-list"), {"urgency": "urgent"}).content.decode()
    assert flex.reference in urgent
    assert fixed.reference not in urgent

    by_name = client.get(reverse("referral-list"), {"q": fixed.nominal.last_name}).content.decode()
    assert fixed.reference in by_name
    assert flex.reference not in by_name


def test_a_bad_minimum_score_is_an_error_not_a_crash(client, partnership):
    client.force_login(partnership.officer)

    response = client.get(reverse("referral-list"), {"min_score": "lots"})

    assert response.status_code == 400
    assert "Enter the minimum score as a number" in response.content.decode()


def test_others_see_their_own_referrals_and_their_teams(client, partnership):
    drugs_person = make_nominal(partnership.drugs_worker, last_name="Ownreferral")
    own = submitted_referral(drugs_person, partnership.drugs_worker)
    police = submitted_referral(make_nominal(partnership.officer), partnership.officer)
    client.force_login(partnership.drugs_worker)

    body = client.get(reverse("referral-list")).content.decode()

    assert "Your referrals and your team" in body
    assert own.reference in body
    assert police.reference not in body


def test_the_list_never_shows_a_referral_of_a_person_out_of_scope(client, partnership):
    hidden = make_nominal(partnership.officer, first_name="Outof", last_name="Scopeperson")
    referral = submitted_referral(hidden, partnership.officer)

    southdale_chair = UserFactory.create(agency=partnership.elsewhere, roles=[Role.PANEL_CHAIR])
    for user in (partnership.outsider, southdale_chair, partnership.housing_worker, partnership.prison_officer):
        client.force_login(user)
        for query in ({}, {"q": "Scopeperson"}, {"q": referral.reference}):
            body = client.get(reverse("referral-list"), query).content.decode()
            # The search box echoes what was typed: the referral is leaked only by a result.
            assert 'data-testid="referral-row"' not in body
            assert f'href="{detail_url(referral)}"' not in body
            assert "SCOPEPERSON, Outof" not in body
            assert f"/people/{hidden.pk}/" not in body


def test_content_is_restricted_in_the_list_where_no_agreement_shares_it(client, partnership):
    housing_person = make_nominal(partnership.housing_worker)
    referral = submitted_referral(housing_person, partnership.housing_worker)  # its agreement has ended
    cohort_membership_start(nominal=housing_person)
    client.force_login(partnership.officer)  # the IOM team sees the person on the cohort, not the content

    body = client.get(reverse("referral-list")).content.decode()

    assert referral.reference in body
    assert "Restricted" in body
    assert str(referral.score) not in body


def test_the_list_is_logged_as_a_search_of_the_people_it_names(client, partnership):
    referral = submitted_referral(make_nominal(partnership.officer), partnership.officer)
    client.force_login(partnership.officer)

    client.get(reverse("referral-list"))

    event = AccessEvent.objects.get(action=AccessEvent.Action.SEARCH)
    assert event.nominal_ids == [referral.nominal_id]


def test_the_list_runs_a_fixed_number_of_queries(client, partnership):
    for _ in range(2):
        submitted_referral(make_nominal(partnership.officer), partnership.officer)
    client.force_login(partnership.officer)
    small = count_queries(client, reverse("referral-list"))

    for index in range(18):
        by = [partnership.officer, partnership.probation_officer][index % 2]
        submitted_referral(make_nominal(by), by)

    assert count_queries(client, reverse("referral-list")) == small


def test_referrals_are_in_the_navigation_of_those_who_refer(client, partnership, make_user):
    client.force_login(partnership.prison_officer)
    assert 'href="/referrals/"' in client.get(reverse("home")).content.decode()

    client.force_login(make_user(Role.ANALYST))
    assert 'href="/referrals/"' not in client.get(reverse("home")).content.decode()


# --- Starting a referral -----------------------------------------------------------------------------


def new_person(**overrides: Any) -> dict[str, str]:
    data = {"first_name": "Kieran", "last_name": "Ashdown", "kind": "adult"}
    data.update(date_fields("date_of_birth", datetime.date(1996, 4, 2)))
    data.update(overrides)
    return data


def test_a_person_no_one_has_recorded_is_recorded_and_referred(client, partnership):
    client.force_login(partnership.probation_officer)

    assert client.get(reverse("referral-new")).status_code == 200
    response = client.post(reverse("referral-new"), new_person(pnc_id=valid_pnc_id()))

    referral = Referral.objects.get(nominal__last_name="Ashdown")
    assert response["Location"] == detail_url(referral)
    assert (referral.status, referral.referring_agency) == (Referral.Status.DRAFT, partnership.probation)
    assert referral.nominal.owning_agency == partnership.probation


def test_possible_matches_are_offered_before_anyone_is_recorded(client, partnership):
    existing = make_nominal(
        partnership.officer, first_name="Kieran", last_name="Ashdown", date_of_birth=datetime.date(1996, 4, 2)
    )
    client.force_login(partnership.officer)

    response = client.post(reverse("referral-new"), new_person(kind="adult"))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="possible-matches"' in body
    assert f'name="nominal" value="{existing.pk}"' in body
    assert "None of these: record a new person" in body
    assert Nominal.objects.filter(last_name="Ashdown").count() == 1
    assert AccessEvent.objects.get(action=AccessEvent.Action.SEARCH).nominal_ids == [existing.pk]

    referred = client.post(reverse("referral-new"), {"nominal": existing.pk, "kind": "adult"})

    referral = Referral.objects.get(nominal=existing)
    assert referred["Location"] == detail_url(referral)


def test_none_of_these_records_a_new_person(client, partnership):
    make_nominal(partnership.officer, first_name="Kieran", last_name="Ashdown", date_of_birth=datetime.date(1996, 4, 2))
    client.force_login(partnership.officer)

    response = client.post(reverse("referral-new"), new_person(confirmed="yes", first_name="Kieron"))

    assert response.status_code == 302
    assert Nominal.objects.filter(last_name="Ashdown").count() == 2
    assert Referral.objects.get().nominal.first_name == "Kieron"


def test_a_pnc_id_recorded_elsewhere_is_a_neutral_field_error_and_nothing_is_recorded(client, partnership):
    pnc_id = valid_pnc_id()
    make_nominal(partnership.outsider, pnc_id=pnc_id)  # recorded by an agency the user cannot see
    client.force_login(partnership.officer)

    response = client.post(reverse("referral-new"), new_person(pnc_id=pnc_id, last_name="Uniquename"))

    body = response.content.decode()
    assert response.status_code == 400
    assert "This person may already be recorded by another agency" in body  # naming no one
    assert 'href="#id_pnc_id"' in body
    assert 'value="Uniquename"' in body
    assert not Nominal.objects.filter(last_name="Uniquename").exists()
    assert not Referral.objects.exists()


def test_missing_details_are_shown_in_an_error_summary(client, partnership):
    client.force_login(partnership.officer)

    response = client.post(reverse("referral-new"), {"first_name": "Kieran", "kind": "adult"})

    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "Enter the last name" in body
    assert 'href="#id_date_of_birth_0"' in body
    assert 'value="Kieran"' in body


def test_a_person_with_a_referral_in_progress_is_not_referred_again(client, partnership, person):
    existing = submitted_referral(person, partnership.officer)
    client.force_login(partnership.officer)

    page = client.get(reverse("referral-new"), {"nominal": person.pk}).content.decode()
    refused = client.post(reverse("referral-new"), {"nominal": person.pk, "kind": "adult"})

    assert "already has a referral in progress" in page
    assert f'href="{detail_url(existing)}"' in page
    assert refused.status_code == 400
    assert Referral.objects.count() == 1


def test_a_person_on_the_cohort_is_not_referred_again(client, partnership, person):
    cohort_membership_start(nominal=person)
    client.force_login(partnership.officer)

    refused = client.post(reverse("referral-new"), {"nominal": person.pk, "kind": "adult"})

    assert "already on the IOM cohort" in refused.content.decode()
    assert not Referral.objects.exists()


def test_a_recorded_person_is_referred_from_their_page(client, partnership, person):
    client.force_login(partnership.officer)

    page = client.get(reverse("referral-new"), {"nominal": person.pk})
    missing_kind = client.post(reverse("referral-new"), {"nominal": person.pk})
    started = client.post(reverse("referral-new"), {"nominal": person.pk, "kind": "y2a"})

    assert "Dale Whitcombe" in page.content.decode()
    assert missing_kind.status_code == 400
    assert "Select the kind of referral" in missing_kind.content.decode()
    referral = Referral.objects.get(nominal=person)
    assert started["Location"] == detail_url(referral)
    assert referral.kind == Referral.Kind.Y2A


def test_starting_again_resumes_the_draft(client, partnership, person):
    draft = referral_start(nominal=person, by=partnership.officer)
    client.force_login(partnership.officer)

    response = client.post(reverse("referral-new"), {"nominal": person.pk, "kind": "adult"}, follow=True)

    assert response.redirect_chain[-1][0] == detail_url(draft)
    assert "carry on with it here" in response.content.decode()


def test_a_person_out_of_scope_cannot_be_referred_by_number(client, partnership, person):
    client.force_login(partnership.outsider)

    assert client.get(reverse("referral-new"), {"nominal": person.pk}).status_code == 404
    assert client.post(reverse("referral-new"), {"nominal": person.pk, "kind": "adult"}).status_code == 404
    assert client.get(reverse("referral-new"), {"nominal": "x"}).status_code == 404


def test_a_role_that_does_not_refer_is_refused(client, make_user):
    client.force_login(make_user(Role.ANALYST))

    assert client.get(reverse("referral-new")).status_code == 403
    assert client.post(reverse("referral-new"), new_person()).status_code == 403


# --- The task list and its sections -------------------------------------------------------------------


def test_a_new_draft_shows_its_task_list(client, partnership, person):
    referral = referral_start(nominal=person, by=partnership.officer)
    client.force_login(partnership.officer)

    body = client.get(detail_url(referral)).content.decode()

    assert 'class="govuk-task-list"' in body
    assert body.count("Incomplete") >= 6
    assert f'href="{section_url(referral, "why")}"' in body
    assert "Check answers and submit" not in body
    assert "Provisional score" in body


def test_a_complete_draft_offers_check_answers(client, partnership, person):
    referral = draft_referral(person, partnership.officer)
    client.force_login(partnership.officer)

    body = client.get(detail_url(referral)).content.decode()

    assert "Completed" in body
    assert f'href="{reverse("referral-check", args=[referral.pk])}"' in body
    assert "Youth-to-adult (Y2A) referral" not in body  # an adult referral has no Y2A section


def test_a_section_is_prefilled_and_saved(client, partnership, person):
    referral = draft_referral(person, partnership.officer)
    client.force_login(partnership.officer)

    page = client.get(section_url(referral, "why")).content.decode()
    assert "Three burglaries since release" in page
    assert "Dale Whitcombe" in page  # the caption
    assert f'href="{detail_url(referral)}" class="govuk-back-link">Back' in page

    response = client.post(
        section_url(referral, "why"),
        {"why_now": "Arrested twice this month.", "criteria": ["harm", "reoffending"], "version": referral.version},
    )

    assert response["Location"] == detail_url(referral)
    referral.refresh_from_db()
    assert referral.why_now == "Arrested twice this month."
    assert referral.criteria == ["harm", "reoffending"]


def test_an_error_keeps_what_was_typed_and_changes_nothing(client, partnership, person):
    referral = draft_referral(person, partnership.officer)
    client.force_login(partnership.officer)

    response = client.post(
        section_url(referral, "why"), {"why_now": "Typed but no criteria", "version": referral.version}
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "Select at least one criterion the person meets" in body
    assert 'href="#id_criteria_1"' in body
    assert "Typed but no criteria" in body
    saved = Referral.objects.get(pk=referral.pk)
    assert saved.why_now == referral.why_now
    assert saved.version == referral.version


def test_a_stale_version_is_refused(client, partnership, person):
    referral = draft_referral(person, partnership.officer)
    stale = referral.version
    referral_section_save(
        referral=referral,
        by=partnership.officer,
        section="why",
        fields={"why_now": "Someone else's change", "criteria": ["harm"]},
    )
    client.force_login(partnership.officer)

    response = client.post(section_url(referral, "why"), {"why_now": "Mine", "criteria": ["harm"], "version": stale})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Someone else changed this referral while you were editing it" in body
    assert "Mine" in body
    assert Referral.objects.get(pk=referral.pk).why_now == "Someone else's change"


@pytest.mark.parametrize("version", ["abc", "", "0"])
def test_a_section_save_from_a_tampered_version_is_refused_as_stale(client, partnership, person, version):
    referral = draft_referral(person, partnership.officer)
    client.force_login(partnership.officer)

    response = client.post(section_url(referral, "why"), {"why_now": "Mine", "criteria": ["harm"], "version": version})

    assert response.status_code == 400
    assert "Someone else changed this referral" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).why_now == referral.why_now


def test_each_section_saves_through_its_form(client, partnership, person):
    referral = referral_start(nominal=person, by=partnership.officer, kind=Referral.Kind.Y2A)
    client.force_login(partnership.officer)
    enhanced = ManagementLevel.objects.get(code="enhanced")
    cohort = PriorityCohort.objects.get(code="knife-crime")
    posts: dict[str, dict[str, Any]] = {
        "strand": {"strand": "flex", "proposed_level": str(enhanced.pk), "priority_cohorts": [cohort.pk]},
        "risk": {
            "statutory_status": "licence",
            "ogrs_percent": "64",
            "risk_of_serious_harm": "high",
            "mappa_category": "2",
            "mappa_level": "1",
            **date_fields("release_expected_on", TODAY() + datetime.timedelta(days=20)),
        },
        "needs": {"level_accommodation": "high", "note_accommodation": "Sofa surfing", "level_health": "low"},
        "urgency": {"urgent": "yes", "urgency_reason": "Released on Friday"},
        "y2a": {
            "management_passed_to_probation": "yes",
            "youth_order": "yro",
            **date_fields("order_ends_on", datetime.date(2030, 1, 1)),
        },
    }
    for code, data in posts.items():
        referral.refresh_from_db()
        response = client.post(section_url(referral, code), {**data, "version": referral.version})
        assert response.status_code == 302, (code, response.content.decode()[:3000])

    referral.refresh_from_db()
    assert (referral.strand, referral.proposed_level, list(referral.priority_cohorts.all())) == (
        "flex",
        enhanced,
        [cohort],
    )
    assert (referral.ogrs_percent, referral.risk_of_serious_harm, referral.mappa_level) == (64, "high", "1")
    assert referral.release_expected_on == TODAY() + datetime.timedelta(days=20)
    assert sorted((need.pathway, need.level, need.note) for need in referral.needs.all()) == [
        ("accommodation", "high", "Sofa surfing"),
        ("health", "low", ""),
    ]
    assert (referral.urgent, referral.urgency_reason) == (True, "Released on Friday")
    assert (referral.management_passed_to_probation, referral.youth_order) == (True, "yro")
    assert set(referral.sections_done) == {"strand", "risk", "needs", "urgency", "y2a"}

    page = client.get(section_url(referral, "strand")).content.decode()
    assert "Not sure: leave to the panel" in page
    assert "Knife crime" in page


def test_urgent_without_a_reason_is_refused(client, partnership, person):
    referral = referral_start(nominal=person, by=partnership.officer)
    client.force_login(partnership.officer)

    response = client.post(section_url(referral, "urgency"), {"urgent": "yes", "version": referral.version})

    assert response.status_code == 400
    assert "Enter why the referral is urgent" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).urgent is None


def test_a_bad_number_and_date_are_form_errors(client, partnership, person):
    referral = referral_start(nominal=person, by=partnership.officer)
    client.force_login(partnership.officer)

    response = client.post(
        section_url(referral, "risk"),
        {
            "statutory_status": "none",
            "ogrs_percent": "140",
            "release_expected_on_0": "31",
            "release_expected_on_1": "2",
            "release_expected_on_2": "2030",
            "version": referral.version,
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "The OGRS score must be 100 or less" in body
    assert "The expected release date must be a real date" in body
    assert 'value="140"' in body


def offence_rows(*rows: tuple[str, datetime.date | None, str], total: int | None = None) -> dict[str, str]:
    data = {"offences-TOTAL_FORMS": str(total or len(rows)), "offences-INITIAL_FORMS": "0"}
    for index, (offence_type, day, description) in enumerate(rows):
        data[f"offences-{index}-offence_type"] = offence_type
        data[f"offences-{index}-description"] = description
        for part, value in enumerate((day.day, day.month, day.year) if day else ("", "", "")):
            data[f"offences-{index}-committed_on_{part}"] = str(value)
    return data


def test_the_offending_history_is_a_table_of_rows(client, partnership, person):
    referral = referral_start(nominal=person, by=partnership.officer)
    client.force_login(partnership.officer)

    page = client.get(section_url(referral, "offending")).content.decode()
    assert page.count('data-testid="offence-row"') == 3

    more = client.post(
        section_url(referral, "offending"),
        {
            **offence_rows(
                ("robbery", TODAY() - datetime.timedelta(days=5), "Phone snatch"), ("", None, ""), ("", None, "")
            ),
            "add_rows": "yes",
            "version": referral.version,
        },
    )
    more_body = more.content.decode()
    assert more.status_code == 200
    assert more_body.count('data-testid="offence-row"') == 6
    assert 'value="Phone snatch"' in more_body
    assert "govuk-error-summary" not in more_body

    saved = client.post(
        section_url(referral, "offending"),
        {
            **offence_rows(
                ("robbery", TODAY() - datetime.timedelta(days=5), "Phone snatch"),
                ("burglary", TODAY() - datetime.timedelta(days=40), ""),
                ("", None, ""),
            ),
            "version": referral.version,
        },
    )

    assert saved["Location"] == detail_url(referral)
    assert sorted(referral.offences.values_list("offence_type", flat=True)) == ["burglary", "robbery"]
    again = client.get(section_url(referral, "offending")).content.decode()
    assert again.count('data-testid="offence-row"') == 5
    assert 'value="Phone snatch"' in again


def test_offence_rows_in_error_are_shown_and_nothing_is_saved(client, partnership, person):
    referral = draft_referral(person, partnership.officer)
    client.force_login(partnership.officer)

    partial = client.post(
        section_url(referral, "offending"),
        {**offence_rows(("burglary", None, "No date given")), "version": referral.version},
    )
    before_birth = client.post(
        section_url(referral, "offending"),
        {**offence_rows(("burglary", datetime.date(1990, 1, 1), "")), "version": referral.version},
    )
    nothing = client.post(section_url(referral, "offending"), {**offence_rows(), "version": referral.version})

    assert partial.status_code == 400
    assert "Row 1: Enter the date of the offence" in partial.content.decode()
    assert 'value="No date given"' in partial.content.decode()
    assert "An offence date must be after the person&#x27;s date of birth" in before_birth.content.decode()
    assert "Add at least one offence to the offending history" in nothing.content.decode()
    assert referral.offences.count() == 2


@pytest.mark.parametrize("total", ["0", "1", "abc", "-5", None])
@pytest.mark.parametrize("more_rows", [False, True])
def test_a_tampered_row_count_loses_no_saved_offence_and_no_typed_row(client, partnership, person, total, more_rows):
    referral = draft_referral(person, partnership.officer)
    saved = list(referral.offences.values_list("offence_type", "committed_on", "description"))
    client.force_login(partnership.officer)
    rows = offence_rows(("burglary", TODAY() - datetime.timedelta(days=5), "KEPT-ROW"), ("robbery", TODAY(), ""))
    if total is None:
        del rows["offences-TOTAL_FORMS"]
    else:
        rows["offences-TOTAL_FORMS"] = total

    response = client.post(
        section_url(referral, "offending"),
        {**rows, "version": referral.version, **({"add_rows": "yes"} if more_rows else {})},
    )

    body = response.content.decode()
    assert response.status_code == (200 if more_rows else 400)
    assert 'value="KEPT-ROW"' in body
    assert body.count('data-testid="offence-row"') == (5 if more_rows else 2)
    if not more_rows:
        assert "This page is out of date or has been changed: nothing was saved" in body
    assert list(referral.offences.values_list("offence_type", "committed_on", "description")) == saved


def test_only_the_referring_agency_changes_a_referral(client, partnership, person):
    referral = draft_referral(person, partnership.officer)
    referral = referral_submit(referral=referral, by=partnership.officer)
    referral_return(referral=referral, by=partnership.officer, questions="Any recent intelligence?")
    cohort_membership_start(nominal=person)

    client.force_login(partnership.probation_officer)  # sees the referral (core ISA), not its agency
    assert client.get(detail_url(referral)).status_code == 200
    assert client.get(section_url(referral, "why")).status_code == 403
    assert client.post(reverse("referral-check", args=[referral.pk])).status_code == 403

    client.force_login(partnership.outsider)
    assert client.get(section_url(referral, "why")).status_code == 404

    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.ANALYST]))
    assert client.get(section_url(referral, "why")).status_code == 403


def test_a_submitted_referral_cannot_be_changed(client, partnership, person):
    referral = submitted_referral(person, partnership.officer)
    client.force_login(partnership.officer)

    response = client.get(section_url(referral, "why"), follow=True)

    assert response.redirect_chain[-1][0] == detail_url(referral)
    assert "is submitted: it cannot be changed" in response.content.decode()
    assert client.get(section_url(referral, "nonsense")).status_code == 302


def test_an_unknown_section_is_not_found(client, partnership, person):
    referral = referral_start(nominal=person, by=partnership.officer)
    client.force_login(partnership.officer)

    assert client.get(section_url(referral, "nonsense")).status_code == 404
    assert client.get(section_url(referral, "y2a")).status_code == 404  # an adult referral


# --- Check answers and submit ----------------------------------------------------------------------------


def test_check_answers_then_submit(client, partnership, person):
    referral = draft_referral(person, partnership.officer)
    client.force_login(partnership.officer)
    check = reverse("referral-check", args=[referral.pk])

    page = client.get(check).content.decode()
    assert page.count(">Change<") == 6
    assert "Three burglaries since release" in page
    assert "Provisional score" in page
    assert "Submit referral" in page

    response = client.post(check, follow=True)

    assert response.redirect_chain[-1][0] == detail_url(referral)
    body = response.content.decode()
    assert f"Referral {referral.reference} submitted" in body
    assert "govuk-notification-banner--success" in body
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.SUBMITTED


def test_a_shoplifting_only_fixed_referral_fails_with_the_shoplifting_message(client, partnership, person):
    referral = draft_referral(
        person,
        partnership.officer,
        offending={"offences": [{"offence_type": "shoplifting", "committed_on": TODAY(), "description": ""}]},
        risk={"statutory_status": "none"},
    )
    client.force_login(partnership.officer)

    response = client.post(reverse("referral-check", args=[referral.pk]))

    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "Shoplifting alone does not qualify for the Fixed strand" in body
    assert "The Fixed strand is for people under statutory supervision" in body
    assert f'href="{section_url(referral, "strand")}"' in body
    saved = Referral.objects.get(pk=referral.pk)
    assert (saved.status, saved.version) == (Referral.Status.DRAFT, referral.version)


def test_an_incomplete_draft_is_refused_with_each_missing_section(client, partnership, person):
    referral = referral_start(nominal=person, by=partnership.officer)
    referral_section_save(
        referral=referral, by=partnership.officer, section="why", fields={"why_now": "Now", "criteria": ["harm"]}
    )
    client.force_login(partnership.officer)

    response = client.post(reverse("referral-check", args=[referral.pk]))

    body = response.content.decode()
    assert response.status_code == 400
    assert "Complete the section: offending history" in body
    assert f'href="{section_url(referral, "offending")}"' in body
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.DRAFT


def test_a_returned_referral_shows_the_questions_and_is_resubmitted(client, partnership, person):
    referral = submitted_referral(person, partnership.officer)
    referral_return(referral=referral, by=partnership.officer, questions="What is the licence end date?")
    client.force_login(partnership.officer)

    body = client.get(detail_url(referral)).content.decode()
    assert "What is the licence end date?" in body
    assert 'data-testid="task-list"' in body

    client.post(reverse("referral-check", args=[referral.pk]))
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.SUBMITTED


# --- The referral page ------------------------------------------------------------------------------------


def test_the_referral_page_explains_eligibility_and_the_score(client, partnership, person):
    referral = submitted_referral(person, partnership.officer)
    client.force_login(partnership.probation_officer)  # the core ISA shares offending and risk
    cohort_membership_start(nominal=Nominal.objects.get(pk=person.pk))

    body = client.get(detail_url(referral)).content.decode()

    assert "Three burglaries since release" in body
    assert "Fixed strand: neighbourhood-crime offending" in body
    assert ">Met<" in body
    assert "Not met" in body  # on the cohort now, so "not already on the cohort" fails
    score = referral.scores.get(is_current=True)
    assert f'data-testid="score-total">{score.total}<' in body
    for line in score.explanation:
        assert line["finding"] in body
    assert "version 1 of the selection matrix" in body
    assert "provisional" not in body.lower()
    assert "Submitted" in body  # the timeline


def test_a_content_restricted_viewer_sees_the_referral_but_not_its_content(client, partnership, person):
    referral = submitted_referral(person, partnership.officer)
    cohort_membership_start(nominal=person)
    client.force_login(partnership.drugs_worker)  # substance misuse only: no offending and risk

    response = client.get(detail_url(referral))

    body = response.content.decode()
    assert response.status_code == 200
    assert referral.reference in body
    assert "Referral details restricted under ISA" in body
    assert "sharing Northmoor Police" in body
    assert "Three burglaries" not in body
    assert "Selection score" not in body
    assert "1 need restricted under ISA" in body  # accommodation: not shared with the drug service
    assert "No fixed abode" not in body
    event = AccessEvent.objects.get(nominal=person, user=partnership.drugs_worker)
    assert event.categories == ["identity"]


def test_a_partner_outside_any_agreement_gets_404(client, partnership, person):
    referral = submitted_referral(person, partnership.officer)
    cohort_membership_start(nominal=person)

    for user in (partnership.outsider, partnership.housing_worker):
        client.force_login(user)
        assert client.get(detail_url(referral)).status_code == 404
    others = AccessEvent.objects.filter(nominal=person).exclude(user=partnership.officer)
    assert set(others.values_list("action", flat=True)) == {AccessEvent.Action.REFUSED}, "refused, and logged"


def test_a_draft_is_seen_only_by_its_referrer_and_their_supervisor(client, partnership, person):
    supervisor = UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR])
    partnership.officer.supervisor = supervisor
    partnership.officer.save()
    referral = draft_referral(person, partnership.officer)

    client.force_login(supervisor)
    assert client.get(detail_url(referral)).status_code == 200
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER]))
    assert client.get(detail_url(referral)).status_code == 404


def test_viewing_the_referral_is_logged_with_what_it_showed(client, partnership, person):
    referral = submitted_referral(person, partnership.officer)
    client.force_login(partnership.officer)

    client.get(detail_url(referral))

    event = AccessEvent.objects.get(nominal=person, action=AccessEvent.Action.VIEW, path=detail_url(referral))
    assert event.categories == ["accommodation", "identity", "offending-risk"]


def test_a_decided_referral_shows_the_decision(client, partnership, person, chair):
    decision = accepted_referral(
        person, partnership.officer, partnership.officer, chair, partnership.probation_officer, partnership.officer
    )
    client.force_login(partnership.officer)

    body = client.get(detail_url(decision.referral)).content.decode()

    assert "Accepted onto IOM" in body
    assert "Meets the Fixed criteria" in body
    assert 'class="govuk-tag govuk-tag--red">Red<' in body
    assert f"{partnership.probation_officer}, Probation Northmoor" in body
    assert "Not combined with MAPPA" in body


def test_workflow_actions_follow_the_state_and_the_role(client, partnership, person, chair):
    referral = listed_referral(
        person, partnership.officer, partnership.officer, urgency={"urgent": True, "urgency_reason": "Now"}
    )
    decide = reverse("referral-decide", args=[referral.pk])

    client.force_login(chair)
    assert f'href="{decide}"' in client.get(detail_url(referral)).content.decode()
    client.force_login(partnership.officer)
    assert f'href="{decide}"' not in client.get(detail_url(referral)).content.decode()


def test_an_urgent_referral_offers_a_decision_now(client, partnership, person, chair):
    referral = submitted_referral(person, partnership.officer, urgency={"urgent": True, "urgency_reason": "Now"})
    client.force_login(chair)

    body = client.get(detail_url(referral)).content.decode()

    assert "Decide now (urgent)" in body
    assert f'href="{reverse("referral-screen", args=[referral.pk])}"' in body


def test_a_young_persons_referral_shows_the_y2a_dates(client, partnership):
    born = TODAY().replace(year=TODAY().year - 17) - datetime.timedelta(days=30)
    youth = make_nominal(partnership.officer, date_of_birth=born)
    referral = referral_start(nominal=youth, by=partnership.officer, kind=Referral.Kind.Y2A)
    client.force_login(partnership.officer)

    body = client.get(detail_url(referral)).content.decode()

    assert "Youth-to-adult key dates" in body
    assert "18th birthday: IOM takes over" in body
    assert f"{born.replace(year=born.year + 18):%-d %B %Y}" in body
    assert ">Next<" in body


def test_an_adult_y2a_referral_skips_the_countdown(client, partnership, person):
    referral = referral_start(nominal=person, by=partnership.officer, kind=Referral.Kind.Y2A)
    client.force_login(partnership.officer)

    assert "Youth-to-adult key dates" not in client.get(detail_url(referral)).content.decode()


def test_the_referral_page_runs_a_fixed_number_of_queries(client, partnership, person, chair):
    matrix_current()  # the first version of the matrix is taken on first use: not what is measured
    small = draft_referral(make_nominal(partnership.officer), partnership.officer)
    client.force_login(partnership.officer)
    small_draft = count_queries(client, detail_url(small))
    small_decided = accepted_referral(
        make_nominal(partnership.officer),
        partnership.officer,
        partnership.officer,
        chair,
        partnership.probation_officer,
        partnership.officer,
    ).referral
    decided_count = count_queries(client, detail_url(small_decided))

    offences = [
        {"offence_type": kind, "committed_on": TODAY() - datetime.timedelta(days=days), "description": "x"}
        for days, kind in enumerate(["burglary", "robbery", "theft", "vehicle", "violence"] * 3, start=1)
    ]
    needs = [
        {"pathway": pathway, "level": "medium", "note": "n"}
        for pathway in ("accommodation", "ete", "health", "drugs_alcohol", "finance", "family", "attitudes")
    ]
    big = draft_referral(person, partnership.officer, offending={"offences": offences}, needs={"needs": needs})
    assert count_queries(client, detail_url(big)) == small_draft

    big_decided = listed_referral(
        make_nominal(partnership.officer),
        partnership.officer,
        partnership.officer,
        offending={"offences": offences},
        needs={"needs": needs},
    )
    referral_decide(referral=big_decided, by=chair, outcome=ReferralDecision.Outcome.DEFERRED, rationale="More")
    referral_list_for_panel(
        referral=big_decided, by=partnership.officer, panel_date=selection_panel_on(TODAY(), partnership.officer)
    )
    referral_decide(referral=big_decided, by=chair, outcome=ReferralDecision.Outcome.DEFERRED, rationale="Again")
    referral_list_for_panel(
        referral=big_decided, by=partnership.officer, panel_date=selection_panel_on(TODAY(), partnership.officer)
    )
    referral_decide(
        referral=big_decided,
        by=chair,
        outcome=ReferralDecision.Outcome.ACCEPTED,
        rationale="Yes",
        accept=accept_terms(partnership.probation_officer, partnership.officer),
    )
    assert count_queries(client, detail_url(big_decided)) == decided_count


# --- Who may reach the section and check pages: role x scope, as the permission matrix does ----------


@pytest.fixture
def matrix_referral(partnership):
    """The permission matrix's scenario: the police's submitted referral of a person on the cohort."""
    nominal = make_nominal(partnership.officer, first_name="Matrixperson", last_name="Scopetest")
    referral = submitted_referral(nominal, partnership.officer, why={"why_now": "REFERRAL-WHY-NOW-SECRET"})
    cohort_membership_start(nominal=nominal)
    return referral


REFERRERS = {Role.PRACTITIONER, Role.PARTNER_WORKER, Role.SUPERVISOR, Role.PANEL_CHAIR}
SCOPE_AGENCIES = {"own agency": "police", "other agency with ISA": "probation", "drugs": "drugs"}
OUT_OF_SCOPE = {"other agency without ISA": "elsewhere", "ISA ended": "housing"}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("scope", [*SCOPE_AGENCIES, *OUT_OF_SCOPE, "missing"])
@pytest.mark.parametrize("page", ["referral-section", "referral-check"])
def test_changing_a_referral_by_role_and_scope(client, partnership, matrix_referral, page, role, scope):
    agency_key = SCOPE_AGENCIES.get(scope) or OUT_OF_SCOPE.get(scope) or "police"
    client.force_login(UserFactory.create(agency=getattr(partnership, agency_key), roles=[role]))
    pk = matrix_referral.pk if scope != "missing" else 10**9
    url = reverse(page, args=[pk, "why"] if page == "referral-section" else [pk])
    sees = scope in SCOPE_AGENCIES or (role == Role.SYSTEM_ADMIN and scope != "missing")

    for method in ("get", "post"):
        response = getattr(client, method)(url, {"why_now": "Changed", "criteria": ["harm"]})

        if not sees:
            assert response.status_code == 404, method
        elif scope == "own agency" and role in REFERRERS:
            # The referrer's agency, but the referral is submitted: back to its page with the reason.
            assert response.status_code == 302, method
            assert response["Location"] == detail_url(matrix_referral)
        else:
            assert response.status_code == 403, method
        assert "REFERRAL-WHY-NOW-SECRET" not in response.content.decode()
    assert Referral.objects.get(pk=matrix_referral.pk).why_now == "REFERRAL-WHY-NOW-SECRET"
