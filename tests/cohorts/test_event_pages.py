"""The custody and court event pages (/people/<pk>/events/ and /people/<pk>/events/new/), their API
(/api/v1/people/<pk>/events/) and the person page's panel: what each agency sees and is told is
withheld, who may record (others who see the person 403, the rest 404), the form's rules per kind,
custody status on the page, and the offer to refer someone released who was on IOM before."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.events.models import CustodyEvent
from cohorts.events.services import custody_event_record
from cohorts.management.models import CohortMembership
from cohorts.models import AccessEvent
from cohorts.records.models import CaseInvolvement, Nominal
from cohorts.records.services import cohort_membership_start, involvement_start
from sharing.models import Agency
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import AgencyFactory, UserFactory

Kind = CustodyEvent.Kind


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def date_fields(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


@pytest.fixture
def nominal(partnership) -> Nominal:
    """Recorded by the police and on the cohort: probation and the prison see their offending and
    risk (the core agreement), the drug service sees them but not it."""
    person = make_nominal(partnership.officer, first_name="Robin", last_name="Eventson")
    cohort_membership_start(nominal=person, started_on=days_ago(30))
    return person


def events_url(nominal) -> str:
    return reverse("nominal-events", args=[nominal.pk])


def new_url(nominal) -> str:
    return reverse("custody-event-new", args=[nominal.pk])


def api_url(nominal) -> str:
    return reverse("api-nominal-events", args=[nominal.pk])


def record(nominal, by, kind, occurred_on, **fields):
    return custody_event_record(nominal=nominal, by=by, kind=kind, occurred_on=occurred_on, **fields)


@pytest.fixture
def recorded(partnership, nominal):
    """Two police events, and an arrest by another force involved in the case, with which the
    police share nothing."""
    record(nominal, partnership.officer, Kind.ARREST, days_ago(5), offence_type="burglary", crime_reference="NM/55/26")
    record(nominal, partnership.officer, Kind.CHARGE, days_ago(2), offence_type="burglary")
    involvement_start(nominal=nominal, agency=partnership.elsewhere, reason=CaseInvolvement.Reason.REFERRED)
    record(nominal, partnership.outsider, Kind.ARREST, days_ago(1), offence_type="robbery")
    return nominal


# --- The events page ---------------------------------------------------------------------------------


def test_the_page_lists_the_events_the_agency_may_see_newest_first_and_counts_the_rest(client, partnership, recorded):
    client.force_login(partnership.probation_officer)

    response = client.get(events_url(recorded))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Charged: burglary") < body.index("Arrested: burglary")
    assert "Arrested: robbery" not in body
    assert "NM/55/26" in body
    assert "1 event restricted under ISA" in body
    assert "In the community" in body


def test_an_agency_that_sees_the_person_but_not_their_offending_sees_only_the_count(client, partnership, recorded):
    client.force_login(partnership.drugs_worker)

    body = client.get(events_url(recorded)).content.decode()

    assert "Arrested" not in body
    assert "Charged" not in body
    assert "3 events restricted under ISA" in body
    assert "Record an event" not in body


def test_viewing_the_events_is_logged_with_what_was_shown(client, partnership, recorded):
    client.force_login(partnership.probation_officer)

    client.get(events_url(recorded))

    event = AccessEvent.objects.get(user=partnership.probation_officer, nominal=recorded)
    assert (event.action, event.path, event.categories) == (
        AccessEvent.Action.VIEW,
        events_url(recorded),
        ["identity", "offending-risk"],
    )


def test_a_person_without_events_says_so(client, partnership, nominal):
    client.force_login(partnership.officer)

    body = client.get(events_url(nominal)).content.decode()

    assert "No custody or court events have been recorded." in body
    assert f'href="{new_url(nominal)}"' in body


def test_the_page_runs_the_same_queries_however_many_events(client, partnership, nominal):
    client.force_login(partnership.probation_officer)
    record(nominal, partnership.officer, Kind.ARREST, days_ago(9))
    client.get(events_url(nominal))
    with CaptureQueriesContext(connection) as few:
        client.get(events_url(nominal))

    for days in range(8, 2, -1):
        record(nominal, partnership.officer, Kind.REMAND, days_ago(days))
    record(nominal, partnership.prison_officer, Kind.RELEASE, days_ago(1), release_on=days_ago(1))
    with CaptureQueriesContext(connection) as many:
        client.get(events_url(nominal))

    assert len(many) == len(few)


@pytest.mark.parametrize("url_for", [events_url, new_url])
def test_a_person_out_of_scope_is_not_found(client, partnership, nominal, url_for):
    client.force_login(partnership.outsider)

    response = client.get(url_for(nominal))

    assert response.status_code == 404
    assert "Eventson" not in response.content.decode()


# --- Recording an event --------------------------------------------------------------------------------


def test_the_form_asks_each_kinds_questions_under_its_name_all_shown(client, partnership, nominal):
    client.force_login(partnership.officer)

    response = client.get(new_url(nominal))

    body = response.content.decode()
    assert response.status_code == 200
    for value in Kind.values:
        assert f'value="{value}"' in body
    for name in ("occurred_on_0", "offence_type", "convicted", "custodial", "release_on_0", "licence_ends_on_0"):
        assert f'name="{name}"' in body
    court, sentence, release = (
        body.index("For a court outcome"),
        body.index("For a sentence"),
        body.index("For a release from custody"),
    )
    assert court < body.index('name="convicted"') < sentence < body.index('name="custodial"') < release
    assert release < body.index('name="release_on_0"')
    assert "govuk-radios__conditional" not in body  # nothing hidden, with JavaScript or without


def test_every_problem_is_said_at_once(client, partnership, nominal):
    client.force_login(partnership.prison_officer)

    response = client.post(new_url(nominal), {"kind": "release", "crime_reference": "X" * 51})

    body = response.content.decode()
    assert response.status_code == 400
    summary = body[body.index("govuk-error-summary") :]
    summary = summary[: summary.index("</ul>")]
    for message in (
        "Enter the date of the event",
        "Enter the release date",
        "The crime reference must be 50 characters or fewer",
    ):
        assert message in summary


def test_opening_the_form_is_logged(client, partnership, nominal):
    client.force_login(partnership.officer)

    client.get(new_url(nominal))

    assert AccessEvent.objects.filter(user=partnership.officer, nominal=nominal, path=new_url(nominal)).exists()


def test_an_arrest_is_recorded_and_shown(client, partnership, nominal):
    client.force_login(partnership.officer)

    response = client.post(
        new_url(nominal),
        {"kind": "arrest", **date_fields("occurred_on", days_ago(1)), "offence_type": "burglary", "note": "At home"},
    )

    assert response.status_code == 302
    assert response["Location"] == events_url(nominal)
    event = CustodyEvent.objects.select_related("item").get()
    assert (event.kind, event.offence_type, event.item.detail, event.item.owning_agency) == (
        "arrest",
        "burglary",
        "At home",
        partnership.police,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Arrested: burglary: recorded." in page
    assert "At home" in page


def test_a_remand_says_the_person_is_now_in_custody(client, partnership, nominal):
    client.force_login(partnership.probation_officer)

    response = client.post(new_url(nominal), {"kind": "remand", **date_fields("occurred_on", days_ago(1))})

    nominal.refresh_from_db()
    assert nominal.custody_status == Nominal.CustodyStatus.CUSTODY
    page = client.get(response["Location"]).content.decode()
    assert "Robin Eventson is now in custody." in page


def test_a_court_outcome_without_its_answers_is_refused_keeping_what_was_typed(client, partnership, nominal):
    client.force_login(partnership.officer)

    response = client.post(
        new_url(nominal),
        {"kind": "court_outcome", **date_fields("occurred_on", days_ago(1)), "court": "Northmoor Crown Court"},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "Choose whether the person was convicted" in body
    assert "Choose the offence type of the court outcome" in body
    assert 'value="Northmoor Crown Court"' in body
    assert not CustodyEvent.objects.exists()


def test_a_release_needs_its_date_and_is_not_recorded_ahead(client, partnership, nominal):
    client.force_login(partnership.prison_officer)

    missing = client.post(new_url(nominal), {"kind": "release", **date_fields("occurred_on", days_ago(1))})
    ahead = client.post(
        new_url(nominal),
        {
            "kind": "release",
            **date_fields("occurred_on", today()),
            **date_fields("release_on", today() + datetime.timedelta(days=3)),
        },
    )

    assert missing.status_code == ahead.status_code == 400
    assert "Enter the release date" in missing.content.decode()
    assert "Record a release when it happens" in ahead.content.decode()


def test_answers_under_another_type_are_left_out(client, partnership, nominal):
    client.force_login(partnership.officer)

    response = client.post(
        new_url(nominal),
        {
            "kind": "arrest",
            **date_fields("occurred_on", days_ago(1)),
            "convicted": "yes",
            "custodial": "no",
            "release_on_0": "31",  # half a date under the release: not an error for an arrest
        },
    )

    assert response.status_code == 302
    event = CustodyEvent.objects.get()
    assert (event.convicted, event.custodial, event.release_on) == (None, None, None)


def test_a_release_of_someone_previously_on_iom_offers_to_refer_them_again(client, partnership, nominal):
    CohortMembership.objects.filter(nominal=nominal).update(started_on=days_ago(400), ended_on=days_ago(100))
    client.force_login(partnership.officer)  # the police recorded them, and see them still

    response = client.post(
        new_url(nominal),
        {
            "kind": "release",
            **date_fields("occurred_on", days_ago(1)),
            **date_fields("release_on", days_ago(1)),
            **date_fields("licence_ends_on", today() + datetime.timedelta(days=200)),
        },
    )

    page = client.get(response["Location"]).content.decode()
    offer = page[page.index('data-testid="refer-again"') :]
    assert "Previously on IOM" in offer
    assert f'href="/referrals/new/?nominal={nominal.pk}"' in offer
    nominal.refresh_from_db()
    assert nominal.statutory_status == Nominal.StatutoryStatus.LICENCE
    # Only those who refer are offered it.
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.ANALYST]))
    assert 'data-testid="refer-again"' not in client.get(events_url(nominal)).content.decode()


def test_no_offer_for_someone_on_iom_now(client, partnership, nominal):
    record(nominal, partnership.prison_officer, Kind.RELEASE, days_ago(1), release_on=days_ago(1))
    client.force_login(partnership.officer)

    assert 'data-testid="refer-again"' not in client.get(events_url(nominal)).content.decode()


@pytest.fixture
def yot(partnership, nominal):
    agency = AgencyFactory.create(name="Northmoor Youth Justice", kind=Agency.Kind.YOUTH_OFFENDING_TEAM)
    involvement_start(nominal=nominal, agency=agency, reason=CaseInvolvement.Reason.REFERRED)
    return agency


@pytest.mark.parametrize(
    ("agency", "role", "status"),
    [
        ("police", Role.PRACTITIONER, 200),
        ("police", Role.SUPERVISOR, 200),
        ("probation", Role.PRACTITIONER, 200),
        ("prison", Role.PARTNER_WORKER, 200),
        ("yot", Role.PRACTITIONER, 200),
        ("drugs", Role.PARTNER_WORKER, 403),
        ("police", Role.ANALYST, 403),
        ("police", Role.PANEL_CHAIR, 403),
        ("police", Role.AGENCY_ADMIN, 403),
        ("police", Role.SYSTEM_ADMIN, 403),
        ("elsewhere", Role.PRACTITIONER, 404),
    ],
)
def test_who_may_record_an_event(client, partnership, nominal, yot, agency, role, status):
    user_agency = yot if agency == "yot" else getattr(partnership, agency)
    client.force_login(UserFactory.create(agency=user_agency, roles=[role]))

    assert client.get(new_url(nominal)).status_code == status
    posted = client.post(new_url(nominal), {"kind": "recall", **date_fields("occurred_on", days_ago(1))})
    assert posted.status_code == (302 if status == 200 else status)
    assert CustodyEvent.objects.exists() is (status == 200)
    # The list is open to everyone who sees the person; the button only to those who may record.
    listed = client.get(events_url(nominal))
    assert listed.status_code == (404 if status == 404 else 200)
    assert (f'href="{new_url(nominal)}"' in listed.content.decode()) is (status == 200)


# --- The person page's panel ---------------------------------------------------------------------------


def test_the_person_page_shows_the_latest_events_and_where_to_see_them(client, partnership, recorded):
    client.force_login(partnership.probation_officer)

    body = client.get(reverse("nominal-detail", args=[recorded.pk])).content.decode()

    panel = body[body.index('data-testid="events-panel"') :]
    panel = panel[: panel.index("</section>")]
    assert "Charged: burglary" in panel
    assert "1 event restricted under ISA" in panel
    assert f'href="{events_url(recorded)}"' in panel
    assert f'href="{new_url(recorded)}"' in panel


# --- The API --------------------------------------------------------------------------------------------


def test_the_api_lists_the_events_the_agency_may_see_and_counts_the_rest(client, partnership, recorded):
    client.force_login(partnership.probation_officer)

    response = client.get(api_url(recorded))

    data = response.json()
    assert response.status_code == 200
    assert [event["summary"] for event in data["events"]] == ["Charged: burglary", "Arrested: burglary"]
    assert data["withheld"] == 1
    arrest = data["events"][1]
    assert (arrest["kind"], arrest["offence_type"], arrest["crime_reference"], arrest["owning_agency"]["name"]) == (
        "arrest",
        "burglary",
        "NM/55/26",
        "Northmoor Police",
    )
    assert AccessEvent.objects.filter(user=partnership.probation_officer, path=api_url(recorded)).exists()


@pytest.mark.parametrize(
    ("agency", "status", "shown"),
    [("police", 200, 2), ("probation", 200, 2), ("prison", 200, 2), ("drugs", 200, 0), ("elsewhere", 404, None)],
)
@pytest.mark.parametrize("role", list(Role))
def test_the_api_list_by_role_and_scope(client, partnership, nominal, agency, status, shown, role):
    record(nominal, partnership.officer, Kind.ARREST, days_ago(5))
    record(nominal, partnership.officer, Kind.RECALL, days_ago(2))
    client.force_login(UserFactory.create(agency=getattr(partnership, agency), roles=[role]))

    response = client.get(api_url(nominal))

    if role == Role.SYSTEM_ADMIN and agency == "elsewhere":  # finds anyone, sees items as its agency may
        assert response.status_code == 200
        assert response.json() == {"events": [], "withheld": 2}
        return
    assert response.status_code == status
    if shown is not None:
        assert len(response.json()["events"]) == shown
        assert response.json()["withheld"] == 2 - shown


def test_the_api_records_an_event(client, partnership, nominal):
    client.force_login(partnership.prison_officer)

    response = client.post(
        api_url(nominal),
        {"kind": "sentence", "occurred_on": days_ago(3).isoformat(), "custodial": True, "offence_type": "robbery"},
        content_type="application/json",
    )

    data = response.json()
    assert response.status_code == 201, data
    assert (data["kind"], data["custodial"], data["summary"], data["previously_on_iom"], data["refer_again"]) == (
        "sentence",
        True,
        "Custodial sentence: robbery",
        False,
        None,
    )
    nominal.refresh_from_db()
    assert nominal.custody_status == Nominal.CustodyStatus.CUSTODY


def test_the_api_answers_field_errors_per_kind(client, partnership, nominal):
    client.force_login(partnership.officer)

    response = client.post(
        api_url(nominal),
        {"kind": "court_outcome", "occurred_on": days_ago(3).isoformat(), "custodial": False},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "custodial": ["Only a sentence says whether it is custodial"],
        "convicted": ["Choose whether the person was convicted"],
        "offence_type": ["Choose the offence type of the court outcome"],
    }


def test_the_api_offers_a_new_referral_on_the_release_of_someone_previously_on_iom(client, partnership, nominal):
    CohortMembership.objects.filter(nominal=nominal).update(started_on=days_ago(400), ended_on=days_ago(100))
    client.force_login(partnership.officer)

    response = client.post(
        api_url(nominal),
        {"kind": "release", "occurred_on": days_ago(1).isoformat(), "release_on": days_ago(1).isoformat()},
        content_type="application/json",
    )

    data = response.json()
    assert response.status_code == 201, data
    assert data["previously_on_iom"] is True
    assert data["refer_again"] == f"/referrals/new/?nominal={nominal.pk}"


def test_the_api_refuses_a_recorder_of_the_wrong_agency_and_hides_the_out_of_scope(client, partnership, nominal):
    body = {"kind": "arrest", "occurred_on": days_ago(1).isoformat()}

    client.force_login(partnership.drugs_worker)
    assert client.post(api_url(nominal), body, content_type="application/json").status_code == 403
    client.force_login(partnership.outsider)
    assert client.post(api_url(nominal), body, content_type="application/json").status_code == 404
    assert not CustodyEvent.objects.exists()


def test_the_schema_describes_the_events_endpoint(client, partnership):
    client.force_login(partnership.officer)

    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").content.decode()

    assert "/api/v1/people/{id}/events/" in schema
    assert "CustodyEventCreate" in schema
