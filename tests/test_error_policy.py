"""One error policy for the API (sharing/error_policy.py): each kind of error is answered with one status and
a problem-details body (RFC 9457) carrying the kind's stable code, by every endpoint able to raise it,
and the OpenAPI schema lists that response for the operation."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.test import override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework import exceptions
from rest_framework.test import APIClient

from cohorts.records.services import cohort_membership_start
from cohorts.report.services import plan_action_record
from meetings.actions.services import action_create
from sharing.error_policy import api_exception_handler, form_refused
from sharing.errors import Invalid, NotAllowed, NotFound, StaleVersion, StateError
from sharing.models import User
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.meetings.factories import MeetingFactory
from tests.partnership import build_partnership
from tests.referrals.factories import draft_referral, submitted_referral
from tests.sharing.factories import UserFactory

PROBLEM = "application/problem+json"
PROBLEM_MEMBERS = {"type", "title", "status", "detail", "code"}
MISSING = 999_999


@dataclass(frozen=True)
class World:
    """The ids the cases' URLs name, and who asks."""

    users: dict[str, int]
    ids: dict[str, int]


@dataclass(frozen=True)
class Case:
    """One call: who makes it, the operation as the schema names it, and the URL with the world's ids."""

    user: str
    method: str
    operation: str
    url: str
    body: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.user} {self.method} {self.url}"


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module in a transaction never committed; each test runs in a savepoint."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)


def _build() -> World:
    partnership = build_partnership()
    police = partnership.police
    chair = UserFactory.create(agency=police, roles=[Role.PANEL_CHAIR])
    supervisor = UserFactory.create(agency=police, roles=[Role.SUPERVISOR])
    analyst = UserFactory.create(agency=police, roles=[Role.ANALYST])
    admin = UserFactory.create(agency=police, roles=[Role.AGENCY_ADMIN])
    on_cohort = make_nominal(partnership.officer, first_name="Policycase", last_name="Oncohort")
    cohort_membership_start(nominal=on_cohort)
    off_cohort = make_nominal(partnership.officer, first_name="Policycase", last_name="Offcohort")
    drafted = make_nominal(partnership.officer, first_name="Policycase", last_name="Drafted")
    submitted = submitted_referral(off_cohort, partnership.officer)
    draft = draft_referral(drafted, partnership.officer)
    plan_action = plan_action_record(nominal=on_cohort, by=partnership.officer, pathway="finance", action="Debt advice")
    meeting = MeetingFactory.create(chair=chair, invited=[partnership.probation])
    action = action_create(
        meeting=meeting,
        by=chair,
        owner=partnership.officer,
        description="Book the housing assessment",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    users = {
        "officer": partnership.officer,
        "prison": partnership.prison_officer,
        "outsider": partnership.outsider,
        "chair": chair,
        "supervisor": supervisor,
        "analyst": analyst,
        "admin": admin,
    }
    return World(
        users={name: user.pk for name, user in users.items()},
        ids={
            "on": on_cohort.pk,
            "off": off_cohort.pk,
            "submitted": submitted.pk,
            "draft": draft.pk,
            "plan_action": plan_action.item.pk,
            "meeting": meeting.pk,
            "action": action.pk,
            "core": partnership.core.pk,
            "missing": MISSING,
        },
    )


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def call(world: World, case: Case) -> Any:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=world.users[case.user]))
    url = case.url.format(**world.ids)
    return getattr(client, case.method.lower())(url, case.body, format="json")


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    members = PROBLEM_MEMBERS | ({"errors"} if code == "invalid" else set())
    assert set(body) == members
    assert (body["status"], body["code"], body["type"]) == (status, code, f"urn:iom:problem:{code}")
    assert body["title"]
    assert body["detail"]
    return body


def assert_schema_lists(schema: dict[str, Any], case: Case, status: int) -> None:
    operation = schema["paths"][case.operation][case.method.lower()]
    response = operation["responses"].get(str(status))
    assert response is not None, f"{case.method} {case.operation} does not list {status}"
    component = "ValidationProblemDetails" if status == 400 else "ProblemDetails"
    assert response["content"][PROBLEM]["schema"] == {"$ref": f"#/components/schemas/{component}"}


PERSON = "/api/v1/people/{id}/"

INVALID = [
    Case("officer", "POST", "/api/v1/people/", "/api/v1/people/"),
    Case("officer", "GET", "/api/v1/people/", "/api/v1/people/?cohort=maybe"),
    Case("officer", "GET", "/api/v1/people/", "/api/v1/people/?offset=null"),
    Case("officer", "GET", "/api/v1/agreements/", "/api/v1/agreements/?limit=0"),
    Case("officer", "GET", "/api/v1/meetings/actions/", "/api/v1/meetings/actions/?offset=-1"),
    Case("officer", "GET", "/api/v1/meetings/", "/api/v1/meetings/?when=tomorrow"),
    Case("officer", "POST", PERSON + "items/", "/api/v1/people/{on}/items/"),
    Case("officer", "POST", PERSON + "sensitive/", "/api/v1/people/{on}/sensitive/"),
    Case("officer", "POST", PERSON + "consent/", "/api/v1/people/{on}/consent/"),
    Case("officer", "POST", PERSON + "rag/", "/api/v1/people/{on}/rag/"),
    Case("officer", "POST", PERSON + "assignments/", "/api/v1/people/{on}/assignments/"),
    Case("officer", "POST", PERSON + "report/actions/", "/api/v1/people/{on}/report/actions/"),
    Case(
        "officer",
        "PATCH",
        PERSON + "report/actions/{item_pk}/",
        "/api/v1/people/{on}/report/actions/{plan_action}/",
        {"status": "finished", "version": 1},
    ),
    Case("officer", "POST", PERSON + "report/contacts/", "/api/v1/people/{on}/report/contacts/"),
    Case("officer", "POST", PERSON + "tags/", "/api/v1/people/{on}/tags/"),
    Case("officer", "POST", PERSON + "deregistrations/", "/api/v1/people/{on}/deregistrations/"),
    Case("officer", "POST", "/api/v1/referrals/", "/api/v1/referrals/"),
    Case("chair", "POST", "/api/v1/meetings/", "/api/v1/meetings/"),
    Case("chair", "PATCH", "/api/v1/meetings/{id}/", "/api/v1/meetings/{meeting}/", {"location": "Room 6"}),
    Case("chair", "POST", "/api/v1/meeting-series/", "/api/v1/meeting-series/"),
    Case("chair", "POST", "/api/v1/meetings/actions/{id}/complete/", "/api/v1/meetings/actions/{action}/complete/"),
    Case("admin", "POST", "/api/v1/agreements/", "/api/v1/agreements/"),
]

NOT_PERMITTED = [
    Case("prison", "POST", PERSON + "rag/", "/api/v1/people/{on}/rag/"),
    Case("prison", "POST", PERSON + "assignments/", "/api/v1/people/{on}/assignments/"),
    Case(
        "prison",
        "POST",
        PERSON + "assignments/{assignment_pk}/end/",
        "/api/v1/people/{on}/assignments/{missing}/end/",
    ),
    Case("prison", "POST", PERSON + "tags/", "/api/v1/people/{on}/tags/"),
    Case("prison", "POST", PERSON + "transition/", "/api/v1/people/{on}/transition/"),
    Case("prison", "POST", PERSON + "deregistrations/", "/api/v1/people/{on}/deregistrations/"),
    Case("analyst", "POST", PERSON + "report/actions/", "/api/v1/people/{on}/report/actions/"),
    Case("analyst", "POST", PERSON + "report/interventions/", "/api/v1/people/{on}/report/interventions/"),
    Case("analyst", "POST", PERSON + "events/", "/api/v1/people/{on}/events/"),
    Case("officer", "POST", PERSON + "reviews/", "/api/v1/people/{on}/reviews/"),
    Case("officer", "GET", "/api/v1/reviews/due/", "/api/v1/reviews/due/"),
    Case("officer", "GET", "/api/v1/deregistrations/", "/api/v1/deregistrations/"),
    Case("officer", "POST", "/api/v1/meetings/", "/api/v1/meetings/"),
    Case("officer", "POST", "/api/v1/meeting-series/", "/api/v1/meeting-series/"),
    Case("analyst", "POST", "/api/v1/referrals/", "/api/v1/referrals/"),
    Case("officer", "POST", "/api/v1/agreements/", "/api/v1/agreements/"),
    Case("prison", "GET", "/api/v1/selection-criteria/", "/api/v1/selection-criteria/"),
]

NOT_FOUND = [
    Case("officer", "GET", PERSON, "/api/v1/people/{missing}/"),
    Case("outsider", "GET", PERSON, "/api/v1/people/{on}/"),
    Case("outsider", "POST", PERSON + "rag/", "/api/v1/people/{on}/rag/"),
    Case("officer", "GET", PERSON + "items/{item_pk}/why/", "/api/v1/people/{on}/items/{missing}/why/"),
    Case(
        "officer",
        "PATCH",
        PERSON + "report/actions/{item_pk}/",
        "/api/v1/people/{on}/report/actions/{missing}/",
        {"status": "met", "version": 1},
    ),
    Case("officer", "GET", "/api/v1/referrals/{id}/", "/api/v1/referrals/{missing}/"),
    Case("outsider", "GET", "/api/v1/referrals/{id}/", "/api/v1/referrals/{submitted}/"),
    Case("officer", "GET", "/api/v1/deregistrations/{id}/", "/api/v1/deregistrations/{missing}/"),
    Case("chair", "GET", "/api/v1/meetings/{id}/", "/api/v1/meetings/{missing}/"),
    Case("chair", "GET", "/api/v1/meeting-series/{id}/", "/api/v1/meeting-series/{missing}/"),
    Case("officer", "GET", "/api/v1/meetings/actions/{id}/", "/api/v1/meetings/actions/{missing}/"),
    Case("officer", "GET", "/api/v1/agreements/{id}/", "/api/v1/agreements/{missing}/"),
]

WRONG_STATE = [
    Case("officer", "POST", PERSON + "rag/", "/api/v1/people/{off}/rag/", {"rating": 1, "rationale": "Rising risk"}),
    Case("officer", "POST", PERSON + "assignments/", "/api/v1/people/{off}/assignments/"),
    Case(
        "officer",
        "POST",
        PERSON + "deregistrations/",
        "/api/v1/people/{off}/deregistrations/",
        {"reason": "other", "explanation": "Moved away"},
    ),
    Case("supervisor", "POST", PERSON + "reviews/", "/api/v1/people/{off}/reviews/"),
    Case("officer", "POST", PERSON + "transition/complete/", "/api/v1/people/{on}/transition/complete/"),
    Case("officer", "POST", PERSON + "transition/steps/", "/api/v1/people/{on}/transition/steps/"),
    Case("officer", "POST", "/api/v1/referrals/{id}/submit/", "/api/v1/referrals/{submitted}/submit/"),
    Case("admin", "POST", "/api/v1/agreements/{id}/activate/", "/api/v1/agreements/{core}/activate/"),
    Case("chair", "POST", "/api/v1/meetings/{id}/end/", "/api/v1/meetings/{meeting}/end/"),
]

STALE_VERSION = [
    Case(
        "officer",
        "PATCH",
        PERSON + "report/actions/{item_pk}/",
        "/api/v1/people/{on}/report/actions/{plan_action}/",
        {"status": "met", "version": 99},
    ),
    Case(
        "officer",
        "PUT",
        "/api/v1/referrals/{id}/sections/{code}/",
        "/api/v1/referrals/{draft}/sections/why/",
        {"why_now": "Three burglaries since release", "criteria": ["harm"], "version": 99},
    ),
    Case("chair", "PATCH", "/api/v1/meetings/{id}/", "/api/v1/meetings/{meeting}/", {"version": 99, "location": "R4"}),
    Case(
        "chair",
        "POST",
        "/api/v1/meetings/actions/{id}/complete/",
        "/api/v1/meetings/actions/{action}/complete/",
        {"version": 99},
    ),
    Case(
        "chair",
        "POST",
        "/api/v1/meetings/actions/{id}/cancel/",
        "/api/v1/meetings/actions/{action}/cancel/",
        {"note": "No longer needed", "version": 99},
    ),
]

KINDS = [
    (400, "invalid", INVALID),
    (403, "not-permitted", NOT_PERMITTED),
    (404, "not-found", NOT_FOUND),
    (409, "wrong-state", WRONG_STATE),
    (409, "stale-version", STALE_VERSION),
]
CASES = [(status, code, case) for status, code, cases in KINDS for case in cases]


@pytest.mark.parametrize(("status", "code", "case"), CASES, ids=[f"{code}: {case}" for _, code, case in CASES])
def test_each_kind_of_error_has_one_status_and_one_body_shape(built, db, schema, status, code, case):
    body = assert_problem(call(built, case), status, code)

    if code == "invalid":
        assert body["errors"]
        assert all(isinstance(messages, list) and messages for messages in body["errors"].values())
    assert_schema_lists(schema, case, status)


def test_every_error_response_in_the_schema_is_problem_details(schema):
    wrong = [
        f"{method.upper()} {path} {status}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if int(status) >= 400 and set(response.get("content", {})) != {PROBLEM}
    ]

    assert not wrong


def test_every_operation_taking_a_query_parameter_lists_400(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(parameter["in"] == "query" for parameter in operation.get("parameters", []))
        and "400" not in operation["responses"]
    ]

    assert not missing


def test_a_page_is_refused_an_offset_or_limit_it_cannot_read_naming_it(built, db):
    response = call(built, Case("officer", "GET", "/api/v1/agreements/", "/api/v1/agreements/?offset=null&limit=10"))

    body = assert_problem(response, 400, "invalid")
    assert body["errors"] == {"offset": ["Give a whole number of 0 or more"]}


def test_a_body_that_cannot_be_read_matches_the_400_the_schema_lists(built, db, schema):
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=built.users["officer"]))

    body = client.post("/api/v1/people/", "{not json", content_type="application/json").json()

    problem = schema["components"]["schemas"]["ValidationProblemDetails"]
    assert "errors" not in body
    assert set(problem["required"]) <= set(body)


def test_the_schema_says_a_read_only_text_column_may_be_blank_and_a_missing_date_null(schema):
    components = schema["components"]["schemas"]
    blank = {"$ref": "#/components/schemas/BlankEnum"}

    assert blank in components["CustodyEvent"]["properties"]["offence_type"]["oneOf"]
    assert {"type": "string", "maxLength": 0} in components["Meeting"]["properties"]["online_link"]["oneOf"]
    assert components["PathwayPlan"]["properties"]["need_assessed_on"]["nullable"] is True
    assert components["ManagementReport"]["properties"]["next_contact_on"]["nullable"] is True


def test_the_schema_gives_a_time_of_day_as_drf_writes_it(schema):
    starts_at = schema["components"]["schemas"]["Meeting"]["properties"]["starts_at"]

    assert "format" not in starts_at
    assert re.match(starts_at["pattern"], "10:00:00")
    assert re.match(starts_at["pattern"], "09:30")
    assert not re.match(starts_at["pattern"], "25:00")


def test_every_operation_lists_401_and_every_named_thing_404(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "401" not in operation["responses"] or ("{" in path and "404" not in operation["responses"])
    ]

    assert not missing


def test_every_operation_is_summed_up_and_described_by_its_docstring(schema):
    unsummed = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not operation.get("summary") or operation["summary"].endswith(".") or "\n" in operation["summary"]
    ]
    events = schema["paths"]["/api/v1/people/{id}/events/"]["get"]

    assert not unsummed
    assert events["summary"] == "Read a person's custody and court events"
    assert events["description"].startswith("The events your agency may see (its own, and those an agreement shares")
    assert "\n" not in events["description"]


def test_a_field_error_names_its_field(built, db):
    response = call(built, Case("officer", "POST", PERSON + "rag/", "/api/v1/people/{on}/rag/", {"rating": 1}))

    body = assert_problem(response, 400, "invalid")
    assert body["errors"]["rationale"] == ["Give the reason for the rating"]
    assert body["detail"] == "Check the fields named in errors."


def test_a_second_referral_is_refused_on_the_person_naming_the_referral_in_the_way(built, db):
    response = call(
        built, Case("officer", "POST", "/api/v1/referrals/", "/api/v1/referrals/", {"person": built.ids["off"]})
    )

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert body["errors"]["person"]
    assert body["existing_referral"]["id"] == built.ids["submitted"]


def test_not_signed_in_is_401_naming_the_scheme(db):
    response = APIClient().get("/api/v1/people/")

    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_a_method_the_endpoint_lacks_is_405(built, db):
    response = call(built, Case("officer", "DELETE", "/api/v1/people/", "/api/v1/people/"))

    assert_problem(response, 405, "method-not-allowed")


@pytest.mark.parametrize("body", ["{not json", "[" * 1000 + "]" * 1000, '{"a":' * 5000 + "1" + "}" * 5000])
def test_a_body_that_is_not_json_or_is_nested_too_deep_is_400_malformed(built, db, body):
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=built.users["officer"]))

    response = client.post("/api/v1/people/", body, content_type="application/json")

    assert_problem(response, 400, "malformed")


def test_throttling_says_when_to_try_again():
    response = api_exception_handler(exceptions.Throttled(wait=30), {})

    assert response is not None
    assert (response.status_code, response.data["code"], response["Retry-After"]) == (429, "throttled", "30")


def test_an_error_of_no_kind_is_left_to_be_a_500():
    assert api_exception_handler(RuntimeError("boom"), {}) is None


# --- Pages ------------------------------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField()


@pytest.mark.parametrize(
    ("error", "field_errors", "summary"),
    [
        (Invalid({"note": ["Write the note"]}), {"note": ["Write the note"]}, []),
        (ValidationError({"elsewhere": ["Not a field of this form"]}), {}, ["Not a field of this form"]),
        (StateError("This meeting has ended."), {}, ["This meeting has ended."]),
        (StaleVersion("Someone else changed this first."), {}, ["Someone else changed this first."]),
    ],
)
def test_a_page_shows_invalid_input_and_a_refused_action_on_the_form_keeping_what_was_typed(
    error, field_errors, summary
):
    form = NoteForm({"note": "What was typed"})
    assert form.is_valid()

    form_refused(form, error)

    assert {name: messages for name, messages in form.errors.items() if name != "__all__"} == field_errors
    assert form.non_field_errors() == summary
    assert form["note"].value() == "What was typed"


@pytest.mark.parametrize(
    ("error", "page"), [(NotAllowed("Only a panel chair may."), PermissionDenied), (NotFound("No such"), Http404)]
)
def test_a_page_answers_not_permitted_with_403_and_not_found_with_404(error, page):
    form = NoteForm({"note": "x"})

    with pytest.raises(page):
        form_refused(form, error)
