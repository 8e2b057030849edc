"""Supervisor review pages and API: /people/<pk>/reviews/new/ (the management report summary and the
review), /people/<pk>/reviews/ (the history), /reviews/ (reviews due), their API counterparts, and
the supervisor's home page. A supervisor of the case's lead, or of the IOM unit, reviews (others who
see the person 403); agencies that do not see the person get 404."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import RagRating
from cohorts.models import AccessEvent
from cohorts.records.models import Nominal, RecordedItem
from cohorts.records.services import case_assign, cohort_membership_start, consent_record, item_record, rag_assess
from cohorts.reviews.models import SupervisorReview
from cohorts.reviews.services import SUMMARY_COMMENSURATE
from referrals.dates import add_months
from sharing.models import DataCategory, User
from sharing.roles import Role
from tests.cohorts.factories import make_item, make_nominal
from tests.sharing.factories import UserFactory


def TODAY() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return TODAY() - datetime.timedelta(days=days)


@pytest.fixture
def team(partnership):
    """A drug service supervisor whose worker leads the case; a police supervisor of the police lead."""
    drugs_supervisor = UserFactory.create(
        agency=partnership.drugs, roles=[Role.SUPERVISOR], first_name="Dee", last_name="Drummond"
    )
    police_supervisor = UserFactory.create(
        agency=partnership.police, roles=[Role.SUPERVISOR], first_name="Paula", last_name="Sergeant"
    )
    lead = partnership.drugs_worker
    lead.supervisor = drugs_supervisor
    lead.save()
    police_lead = UserFactory.create(
        agency=partnership.police,
        roles=[Role.PRACTITIONER],
        supervisor=police_supervisor,
        first_name="Sam",
        last_name="Carter",
    )
    return {"drugs_supervisor": drugs_supervisor, "police_supervisor": police_supervisor, "police_lead": police_lead}


@pytest.fixture
def nominal(partnership, team):
    """On the cohort for 60 days, rated Amber and never reviewed (overdue), led by a drug service
    worker, with items of each kind of sharing."""
    person = make_nominal(partnership.officer, first_name="Riley", last_name="Reviewson")
    cohort_membership_start(nominal=person, started_on=days_ago(60))
    rag_assess(
        nominal=person,
        rating=RagRating.objects.get(code="amber"),
        rationale="Engagement mixed since release",
        by=partnership.officer,
    )
    officer = partnership.officer
    case_assign(
        nominal=person, role="lead_professional", worker=partnership.drugs_worker, by=officer, started_on=days_ago(60)
    )
    case_assign(nominal=person, role="police_lead", worker=team["police_lead"], by=officer, started_on=days_ago(60))
    make_item(person, officer, "offending-risk", "SHARED-OFFENDING-ITEM")
    make_item(person, officer, "accommodation", "POLICE-ONLY-ACCOMMODATION-ITEM")
    make_item(person, partnership.drugs_worker, "substance-misuse", "SUBSTANCE-ITEM-NO-CONSENT")
    make_item(person, officer, "health", "SENSITIVE-HEALTH-ITEM")
    consent_record(nominal=person, by=partnership.drugs_worker, given=False)
    return person


def new_url(nominal) -> str:
    return reverse("review-new", args=[nominal.pk])


def list_url(nominal) -> str:
    return reverse("review-list", args=[nominal.pk])


def form_data(next_review_on: datetime.date | None = None, **fields: str) -> dict[str, str]:
    day = next_review_on or TODAY() + datetime.timedelta(days=21)
    data = {
        "commensurate": "yes",
        "actions_set": "Weekly drug testing; housing referral",
        "next_review_on_0": str(day.day),
        "next_review_on_1": str(day.month),
        "next_review_on_2": str(day.year),
        "note": "",
    }
    data.update(fields)
    return data


def past_review(
    nominal, by, *, on: datetime.date, next_review_on: datetime.date, actions: str = ""
) -> SupervisorReview:
    item = item_record(
        nominal=nominal,
        by=by,
        category=DataCategory.objects.get(code="offending-risk"),
        kind=RecordedItem.Kind.REVIEW,
        summary=SUMMARY_COMMENSURATE,
        occurred_on=on,
    )
    return SupervisorReview.objects.create(
        item=item,
        commensurate=True,
        actions_set=actions,
        next_review_on=next_review_on,
        rating=RagRating.objects.get(code="amber"),
    )


# --- The review page: the management report summary ---------------------------------------------------


def test_the_review_page_shows_the_management_report_summary(client, partnership, team, nominal):
    past_review(
        nominal, team["police_supervisor"], on=days_ago(45), next_review_on=days_ago(15), actions="Find a tenancy"
    )
    client.force_login(team["police_supervisor"])

    response = client.get(new_url(nominal))

    body = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Review the management report</h1>' in body
    report = body[body.index('data-testid="management-report"') : body.index('data-testid="last-review"')]
    assert '<strong class="govuk-tag govuk-tag--orange">Amber</strong>' in report
    assert "Engagement mixed since release" in report
    assert "Every month" in report
    assert f"{days_ago(15):%-d %B %Y}" in report
    assert "Overdue" in report
    assert f"{partnership.drugs_worker}, Compass Recovery" in report
    assert "Sam Carter, Northmoor Police" in report
    last = body[body.index('data-testid="last-review"') :]
    assert f"{days_ago(45):%-d %B %Y} by Paula Sergeant, Northmoor Police" in last
    assert "Find a tenancy" in last
    recent = body[body.index('data-testid="recent-items"') :]
    assert "SHARED-OFFENDING-ITEM" in recent
    assert "POLICE-ONLY-ACCOMMODATION-ITEM" in recent
    assert "SUBSTANCE-ITEM-NO-CONSENT" not in body  # consent withdrawn: withheld
    assert "SENSITIVE-HEALTH-ITEM" not in body  # sensitive: on the record, behind a reason
    assert "1 item held by other agencies is not shared with your agency." in body


def test_the_form_offers_yes_or_no_and_the_next_date_one_interval_away(client, team, nominal):
    client.force_login(team["police_supervisor"])

    body = client.get(new_url(nominal)).content.decode()

    latest = add_months(TODAY(), 1)
    assert "Are the interventions commensurate with the risk?" in body
    assert body.count('name="commensurate"') == 2
    assert 'value="yes"' in body
    assert 'value="no"' in body
    assert 'name="actions_set"' in body
    for part, value in (("0", latest.day), ("1", latest.month), ("2", latest.year)):
        assert f'name="next_review_on_{part}" value="{value}"' in body
    assert f"on or before {latest:%-d %B %Y} (Amber is reviewed every month)" in body
    assert 'name="note"' in body


def test_the_partner_lead_professionals_supervisor_reads_only_what_their_agency_may(client, team, nominal):
    client.force_login(team["drugs_supervisor"])

    response = client.get(new_url(nominal))

    body = response.content.decode()
    assert response.status_code == 200
    assert "SUBSTANCE-ITEM-NO-CONSENT" in body  # their own agency's
    assert "SHARED-OFFENDING-ITEM" not in body
    assert "POLICE-ONLY-ACCOMMODATION-ITEM" not in body


def test_opening_the_review_page_is_logged(client, team, nominal):
    client.force_login(team["police_supervisor"])

    client.get(new_url(nominal))

    event = AccessEvent.objects.get(user=team["police_supervisor"], nominal=nominal)
    assert event.path == new_url(nominal)
    assert event.action == AccessEvent.Action.VIEW
    assert set(event.categories) == {"identity", "offending-risk", "accommodation"}


# --- Recording a review -------------------------------------------------------------------------------


def test_a_review_is_recorded_and_the_history_shows_it(client, partnership, team, nominal):
    client.force_login(team["police_supervisor"])
    next_on = TODAY() + datetime.timedelta(days=21)

    response = client.post(new_url(nominal), form_data(next_on, note="Discussed at the MAP"))

    assert response.status_code == 302
    assert response["Location"] == list_url(nominal)
    review = SupervisorReview.objects.select_related("item").get()
    assert (review.item.nominal, review.item.recorded_by, review.next_review_on) == (
        nominal,
        team["police_supervisor"],
        next_on,
    )
    assert (review.commensurate, review.actions_set, review.item.detail) == (
        True,
        "Weekly drug testing; housing referral",
        "Discussed at the MAP",
    )
    page = client.get(response["Location"]).content.decode()
    assert f"The review has been recorded. The next review is due by {next_on:%-d %B %Y}." in page
    assert "Supervisor review: interventions commensurate with the risk" in page
    due = page[page.index('data-testid="review-due"') :]
    assert f"{next_on:%-d %B %Y}" in due[:300]
    assert "Overdue" not in due[:300]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"commensurate": ""}, "commensurate", "Select yes if the interventions"),
        ({"commensurate": "no", "actions_set": "  "}, "actions_set", "Enter the actions set"),
        ({"next_review_on_0": "31", "next_review_on_1": "2"}, "next_review_on", "must be a real date"),
        ({"next_review_on_0": ""}, "next_review_on", "Enter the day of the month"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, team, nominal, data, field, message):
    client.force_login(team["police_supervisor"])
    sent = form_data(note="Typed by the supervisor")
    sent.update(data)

    response = client.post(new_url(nominal), sent)

    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert message in body
    assert "<title>Error: " in body
    assert "Typed by the supervisor" in body  # what was typed is kept
    assert 'data-testid="management-report"' in body  # the summary is still there
    assert not SupervisorReview.objects.exists()
    assert not RecordedItem.objects.filter(kind=RecordedItem.Kind.REVIEW).exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "The next review date must be in the future"),
        (-3, "The next review date must be in the future"),
        (None, "The next review must be on or before"),
    ],
)
def test_a_next_review_date_out_of_the_cadence_is_refused_with_the_latest_allowed(client, team, nominal, days, message):
    client.force_login(team["police_supervisor"])
    latest = add_months(TODAY(), 1)
    day = latest + datetime.timedelta(days=1) if days is None else TODAY() + datetime.timedelta(days=days)

    response = client.post(new_url(nominal), form_data(day))

    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    if days is None:
        assert f"on or before {latest:%-d %B %Y} (Amber is reviewed every month)" in body
    assert not SupervisorReview.objects.exists()


def test_a_person_not_on_the_cohort_has_no_review_form(client, partnership, team):
    person = make_nominal(partnership.officer)
    client.force_login(team["police_supervisor"])

    response = client.get(new_url(person))
    body = response.content.decode()
    assert response.status_code == 200
    assert "is not on the IOM cohort" in body
    assert 'name="commensurate"' not in body

    refused = client.post(new_url(person), form_data())
    assert refused.status_code == 400
    assert "govuk-error-summary" in refused.content.decode()
    assert not SupervisorReview.objects.exists()


# --- Who may review: role x agency ---------------------------------------------------------------------

# (the user's agency, role, supervises the lead professional) -> status of the review page
REVIEWERS = [
    ("police", Role.SUPERVISOR, False, 200),
    ("probation", Role.SUPERVISOR, False, 200),
    ("police", Role.PRACTITIONER, False, 403),
    ("police", Role.PANEL_CHAIR, False, 403),
    ("police", Role.ANALYST, False, 403),
    ("police", Role.AGENCY_ADMIN, False, 403),
    ("police", Role.SYSTEM_ADMIN, False, 403),
    ("probation", Role.PRACTITIONER, False, 403),
    ("prison", Role.SUPERVISOR, False, 403),  # sees the person by agreement, supervises no lead
    ("drugs", Role.SUPERVISOR, False, 403),  # a colleague of the lead's supervisor
    ("drugs", Role.SUPERVISOR, True, 200),  # the lead professional's supervisor
    ("drugs", Role.PARTNER_WORKER, True, 403),  # named as supervisor, without the role
    ("housing", Role.SUPERVISOR, False, 404),
    ("elsewhere", Role.SUPERVISOR, False, 404),
]


@pytest.mark.parametrize(("agency", "role", "supervises", "status"), REVIEWERS)
def test_who_may_review(client, partnership, nominal, agency, role, supervises, status):
    user = UserFactory.create(agency=getattr(partnership, agency), roles=[role])
    if supervises:
        User.objects.filter(pk=partnership.drugs_worker.pk).update(supervisor=user)
    client.force_login(user)

    shown = client.get(new_url(nominal))
    posted = client.post(new_url(nominal), form_data())

    assert shown.status_code == status
    assert posted.status_code == (302 if status == 200 else status)
    assert SupervisorReview.objects.exists() is (status == 200)
    if status == 404:
        assert "Reviewson" not in shown.content.decode()


def test_a_person_who_does_not_exist_is_not_found(client, team):
    client.force_login(team["police_supervisor"])

    assert client.get(reverse("review-new", args=[10**9])).status_code == 404
    assert client.get(reverse("review-list", args=[10**9])).status_code == 404


# --- The history of reviews ----------------------------------------------------------------------------


def test_the_history_shows_the_reviews_the_agency_may_read_and_counts_the_rest(client, partnership, team, nominal):
    past_review(nominal, team["police_supervisor"], on=days_ago(30), next_review_on=days_ago(2), actions="ACTIONS-1")
    past_review(nominal, team["drugs_supervisor"], on=days_ago(20), next_review_on=days_ago(1), actions="ACTIONS-2")

    client.force_login(partnership.probation_officer)
    body = client.get(list_url(nominal)).content.decode()
    assert "ACTIONS-1" in body
    assert "ACTIONS-2" not in body
    assert "1 review recorded by other agencies is not shared with your agency." in body
    # The due date is the case's: the drug service's later review set it.
    due = body[body.index('data-testid="review-due"') :][:300]
    assert f"{days_ago(1):%-d %B %Y}" in due
    assert "Overdue" in due
    assert "Review the management report" not in body  # a practitioner


def test_the_history_offers_the_review_to_those_who_may_record_one(client, team, nominal):
    client.force_login(team["police_supervisor"])

    body = client.get(list_url(nominal)).content.decode()

    assert f'href="{new_url(nominal)}">Review the management report</a>' in body
    assert 'data-testid="no-reviews"' in body


def test_reading_the_history_is_logged(client, partnership, nominal):
    client.force_login(partnership.probation_officer)

    client.get(list_url(nominal))

    event = AccessEvent.objects.get(user=partnership.probation_officer, nominal=nominal)
    assert (event.path, event.categories) == (list_url(nominal), ["identity"])


@pytest.mark.parametrize(
    ("agency", "status"), [("police", 200), ("probation", 200), ("prison", 200), ("drugs", 200), ("elsewhere", 404)]
)
def test_every_agency_that_sees_the_person_reads_the_history(client, partnership, nominal, agency, status):
    client.force_login(partnership.user_of(getattr(partnership, agency)))

    assert client.get(list_url(nominal)).status_code == status


# --- Reviews due -------------------------------------------------------------------------------------------


def on_cohort(by, *, since: datetime.date, rag: str, **fields) -> Nominal:
    person = make_nominal(by, **fields)
    cohort_membership_start(nominal=person, started_on=since)
    rag_assess(nominal=person, rating=RagRating.objects.get(code=rag), rationale="Rated", by=by)
    return person


def rows_of(body: str) -> list[str]:
    import re

    return re.findall(r'data-testid="review-due-row" data-nominal="(\d+)"', body)


def test_reviews_due_lists_the_team_first_then_overdue_with_a_red_tag(client, partnership, team, nominal):
    officer = partnership.officer
    not_due = on_cohort(officer, since=days_ago(3), rag="green", last_name="Notdue")
    overdue = on_cohort(officer, since=days_ago(40), rag="red", last_name="Overdue")
    client.force_login(team["police_supervisor"])

    response = client.get(reverse("reviews-due"))

    body = response.content.decode()
    assert response.status_code == 200
    assert rows_of(body) == [str(nominal.pk), str(overdue.pk), str(not_due.pk)]
    first = body[body.index(f'data-nominal="{nominal.pk}"') : body.index(f'data-nominal="{overdue.pk}"')]
    assert 'data-testid="my-team"' in first
    assert '<strong class="govuk-tag govuk-tag--red" data-testid="overdue">Overdue</strong>' in first
    assert f'href="{new_url(nominal)}"' in first
    last = body[body.index(f'data-nominal="{not_due.pk}"') :]
    assert "Overdue" not in last.split("</tr>")[0]
    assert f"{add_months(days_ago(3), 3):%-d %B %Y}" in last


def test_reviews_due_filters_overdue_only_and_my_team(client, partnership, team, nominal):
    officer = partnership.officer
    on_cohort(officer, since=days_ago(3), rag="green")
    overdue = on_cohort(officer, since=days_ago(40), rag="red")
    client.force_login(team["police_supervisor"])

    assert rows_of(client.get(reverse("reviews-due") + "?overdue=on").content.decode()) == [
        str(nominal.pk),
        str(overdue.pk),
    ]
    assert rows_of(client.get(reverse("reviews-due") + "?overdue=on&team=on").content.decode()) == [str(nominal.pk)]


def test_reviews_due_lists_no_one_out_of_scope(client, partnership, nominal):
    client.force_login(UserFactory.create(agency=partnership.elsewhere, roles=[Role.SUPERVISOR]))

    body = client.get(reverse("reviews-due")).content.decode()

    assert rows_of(body) == []
    assert "Reviewson" not in body


@pytest.mark.parametrize("role", [role for role in Role if role != Role.SUPERVISOR])
def test_reviews_due_is_for_supervisors(client, partnership, role):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[role]))

    assert client.get(reverse("reviews-due")).status_code == 403


def test_the_reviews_due_page_is_logged(client, team, nominal):
    client.force_login(team["police_supervisor"])

    client.get(reverse("reviews-due"))

    event = AccessEvent.objects.get(user=team["police_supervisor"], action=AccessEvent.Action.SEARCH)
    assert event.nominal_ids == [nominal.pk]


def test_reviews_due_runs_a_fixed_number_of_queries(client, partnership, team):
    client.force_login(team["police_supervisor"])

    def queries_for(count: int) -> int:
        for index in range(count):
            person = on_cohort(partnership.officer, since=days_ago(20 + index), rag="amber")
            case_assign(nominal=person, role="police_lead", worker=team["police_lead"], by=partnership.officer)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("reviews-due"))
        assert response.status_code == 200
        return len(captured)

    assert queries_for(2) == queries_for(18)


def test_the_review_page_runs_a_fixed_number_of_queries(client, partnership, team, nominal):
    client.force_login(team["police_supervisor"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(new_url(nominal)).status_code == 200
        return len(captured)

    before = queries()
    for index in range(12):
        make_item(nominal, partnership.officer, "offending-risk", f"More {index}")
        past_review(nominal, team["police_supervisor"], on=days_ago(index + 1), next_review_on=TODAY())
    assert queries() == before


# --- The supervisor's home page ------------------------------------------------------------------------------


def test_a_supervisor_with_overdue_reviews_in_the_team_is_told_on_the_home_page(client, partnership, team, nominal):
    client.force_login(team["police_supervisor"])

    body = client.get("/").content.decode()

    notice = body[body.index('data-testid="reviews-overdue"') :]
    assert (
        '<a class="govuk-notification-banner__link" href="/reviews/?overdue=on&amp;team=on">1 review overdue</a>'
        in (notice)
    )
    assert 'href="/reviews/">Reviews due</a>' in body


def test_the_notice_counts_only_the_team_and_goes_once_reviewed(client, partnership, team, nominal):
    on_cohort(partnership.officer, since=days_ago(90), rag="amber")  # overdue, not in anyone's team
    client.force_login(team["drugs_supervisor"])
    assert "1 review overdue" in client.get("/").content.decode()

    client.post(new_url(nominal), form_data())

    assert 'data-testid="reviews-overdue"' not in client.get("/").content.decode()


def test_the_home_page_counts_overdue_reviews_in_a_fixed_number_of_queries(client, partnership, team):
    client.force_login(team["police_supervisor"])

    def queries_for(count: int) -> int:
        for _ in range(count):
            person = on_cohort(partnership.officer, since=days_ago(90), rag="amber")
            case_assign(nominal=person, role="police_lead", worker=team["police_lead"], by=partnership.officer)
        with CaptureQueriesContext(connection) as captured:
            body = client.get("/").content.decode()
        assert 'data-testid="reviews-overdue"' in body
        return len(captured)

    assert queries_for(1) == queries_for(19)


def test_no_notice_without_overdue_reviews_or_for_other_roles(client, partnership, team, nominal):
    other_supervisor = UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR])
    client.force_login(other_supervisor)
    assert 'data-testid="reviews-overdue"' not in client.get("/").content.decode()

    client.force_login(team["police_lead"])
    assert 'data-testid="reviews-overdue"' not in client.get("/").content.decode()


# --- The API -------------------------------------------------------------------------------------------------


def api_url(nominal_pk: int) -> str:
    return reverse("api-nominal-reviews", args=[nominal_pk])


def test_the_api_records_a_review(client, team, nominal):
    client.force_login(team["drugs_supervisor"])
    next_on = TODAY() + datetime.timedelta(days=14)

    response = client.post(
        api_url(nominal.pk),
        {"commensurate": False, "actions_set": "Refer to housing", "next_review_on": next_on.isoformat()},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["commensurate"] is False
    assert data["actions_set"] == "Refer to housing"
    assert data["next_review_on"] == next_on.isoformat()
    assert data["summary"] == "Supervisor review: interventions not commensurate with the risk"
    assert data["rating"]["code"] == "amber"
    assert data["agency"]["name"] == "Compass Recovery"
    assert data["reviewed_on"] == TODAY().isoformat()
    assert SupervisorReview.objects.get().item.owning_agency.name == "Compass Recovery"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"actions_set": "x", "next_review_on": "2099-01-01"}, "commensurate"),
        ({"commensurate": True, "next_review_on": "not a date"}, "next_review_on"),
        ({"commensurate": True, "next_review_on": "2099-01-01"}, "next_review_on"),  # beyond the cadence
        ({"commensurate": False, "next_review_on": "__soon__"}, "actions_set"),
    ],
)
def test_the_api_refuses_bad_input_with_field_errors(client, team, nominal, payload, field):
    client.force_login(team["police_supervisor"])
    soon = (TODAY() + datetime.timedelta(days=7)).isoformat()
    payload = {key: soon if value == "__soon__" else value for key, value in payload.items()}

    response = client.post(api_url(nominal.pk), payload, content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not SupervisorReview.objects.exists()


def test_the_api_reads_the_reviews_and_when_the_next_is_due(client, partnership, team, nominal):
    past_review(nominal, team["police_supervisor"], on=days_ago(30), next_review_on=days_ago(2), actions="ACTIONS-1")
    past_review(nominal, team["drugs_supervisor"], on=days_ago(20), next_review_on=days_ago(1), actions="ACTIONS-2")
    client.force_login(partnership.probation_officer)

    response = client.get(api_url(nominal.pk))

    assert response.status_code == 200
    data = response.json()
    assert (data["on_cohort"], data["review_due_on"], data["is_overdue"]) == (True, days_ago(1).isoformat(), True)
    assert data["cadence"] == "every month"
    assert data["latest_next_review_on"] == add_months(TODAY(), 1).isoformat()
    assert [review["actions_set"] for review in data["reviews"]] == ["ACTIONS-1"]
    assert data["withheld"] == 1
    assert AccessEvent.objects.filter(user=partnership.probation_officer, nominal=nominal).exists()


# (agency, role) -> (GET status, POST status)
API_ACCESS = [
    ("police", Role.SUPERVISOR, 200, 201),
    ("police", Role.PRACTITIONER, 200, 403),
    ("prison", Role.PARTNER_WORKER, 200, 403),
    ("prison", Role.SUPERVISOR, 200, 403),
    ("drugs", Role.PARTNER_WORKER, 200, 403),
    ("housing", Role.SUPERVISOR, 404, 404),
    ("elsewhere", Role.SUPERVISOR, 404, 404),
]


@pytest.mark.parametrize(("agency", "role", "read", "write"), API_ACCESS)
def test_the_api_by_role_and_agency(client, partnership, nominal, agency, role, read, write):
    client.force_login(UserFactory.create(agency=getattr(partnership, agency), roles=[role]))
    payload = {"commensurate": True, "next_review_on": (TODAY() + datetime.timedelta(days=7)).isoformat()}

    assert client.get(api_url(nominal.pk)).status_code == read
    assert client.post(api_url(nominal.pk), payload, content_type="application/json").status_code == write
    assert client.get(api_url(10**9)).status_code == 404


def test_the_api_lists_reviews_due_for_supervisors(client, partnership, team, nominal):
    on_cohort(partnership.officer, since=days_ago(3), rag="green")
    client.force_login(team["police_supervisor"])

    everyone = client.get(reverse("api-reviews-due")).json()
    overdue = client.get(reverse("api-reviews-due") + "?overdue=true").json()

    assert everyone["count"] == 2
    first = everyone["results"][0]
    assert (first["id"], first["is_overdue"], first["in_team"]) == (nominal.pk, True, True)
    assert first["review_due_on"] == add_months(days_ago(60), 1).isoformat()
    assert first["rating"]["code"] == "amber"
    assert first["police_lead"]["name"] == "Sam Carter"
    assert first["lead_professional"]["agency"]["name"] == "Compass Recovery"
    assert [row["id"] for row in overdue["results"]] == [nominal.pk]


def test_the_reviews_due_api_gives_no_lead_as_null(client, partnership, team):
    on_cohort(partnership.officer, since=days_ago(3), rag="green")
    client.force_login(team["police_supervisor"])

    row = client.get(reverse("api-reviews-due")).json()["results"][0]

    assert (row["lead_professional"], row["police_lead"], row["in_team"], row["is_overdue"]) == (
        None,
        None,
        False,
        False,
    )


def test_the_reviews_due_api_is_for_supervisors_and_lists_no_one_out_of_scope(client, partnership, nominal):
    client.force_login(partnership.officer)
    assert client.get(reverse("api-reviews-due")).status_code == 403

    client.force_login(UserFactory.create(agency=partnership.elsewhere, roles=[Role.SUPERVISOR]))
    response = client.get(reverse("api-reviews-due"))
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_the_schema_describes_the_review_endpoints(client, practitioner):
    client.force_login(practitioner)

    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").content.decode()

    assert "/api/v1/people/{id}/reviews/" in schema
    assert "/api/v1/reviews/due/" in schema
