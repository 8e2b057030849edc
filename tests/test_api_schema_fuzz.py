"""Every operation of the OpenAPI schema, called by schemathesis with input generated from the schema
(valid and invalid), as two users of the partnership: a police practitioner and a drug service's
partner worker. Every answer must pass schemathesis's checks: no server error; a status, a content
type, headers and a body the schema lists for the operation; valid input not refused but for what a
schema cannot say; no answer to a call without the token, nor to a method the path does not take
(the two checks left out, and why, are said at CHECKS).

The schema is the one drf-spectacular generates, loaded in-process; the calls go through the
application's WSGI handler in the test's own thread, so they see the data built for the module in a
transaction never committed, and every write they make is rolled back with it. The path parameters
name that data (a person, their items, assignment, tag, hit and transition step, a referral, a
meeting and its item and action, a series, an agreement, a deregistration, a selection criterion),
so that the calls reach the code behind the lookups rather than stopping at 404.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.core.result import Err

from cohorts.deregistration.services import deregistration_propose
from cohorts.events.models import CustodyEvent
from cohorts.events.services import custody_event_record
from cohorts.management.models import CaseAssignment
from cohorts.records.services import case_assign, cohort_membership_start
from cohorts.report.services import plan_action_record
from cohorts.tags.services import tag_fit, tag_hit_record
from cohorts.transitions.services import transition_plan_start, transition_step_add
from meetings.actions.services import action_create
from meetings.scheduling.models import MeetingKind, MeetingSeries
from meetings.scheduling.services import series_create
from referrals.models import SelectionCriterion
from sharing.roles import Role
from tests.cohorts.factories import make_item, make_nominal
from tests.meetings.factories import MeetingFactory
from tests.meetings.factories import make_item as make_agenda_item
from tests.partnership import build_partnership
from tests.referrals.factories import draft_referral
from tests.sharing.factories import UserFactory

# Every call runs inside the test's transaction, in the module's.
pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class World:
    """The tokens of the users who call, and the values of the path parameters, by path."""

    tokens: dict[str, str]
    parameters: list[tuple[str, dict[str, Any]]]

    def path_parameters(self, path: str, names: Any) -> dict[str, Any]:
        """The ids the operation's path names, from the first pattern its path matches."""
        for pattern, values in self.parameters:
            if re.match(pattern, path):
                return {parameter.name: values[parameter.name] for parameter in names}
        return {}


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module in a transaction never committed; the calls run inside it."""
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
    officer, drugs_worker = partnership.officer, partnership.drugs_worker
    chair = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])
    today = timezone.localdate()
    person = make_nominal(
        officer, first_name="Fuzzcase", last_name="Oncohort", licence_ends_on=today + datetime.timedelta(days=60)
    )
    cohort_membership_start(nominal=person)
    assignment = case_assign(nominal=person, role=CaseAssignment.Role.KEY_WORKER, worker=drugs_worker, by=officer)
    item = make_item(person, officer, "identity")
    # An arrest names no offence type yet: its offence_type is blank.
    custody_event_record(nominal=person, by=officer, kind=CustodyEvent.Kind.ARREST, occurred_on=today)
    plan_action = plan_action_record(nominal=person, by=officer, pathway="finance", action="Debt advice")
    tag = tag_fit(nominal=person, by=officer, fitted_on=today, ends_by=today + datetime.timedelta(days=90))
    hit = tag_hit_record(tag=tag, by=officer, notified_on=today, crime_reference="CR/1/2026")
    plan = transition_plan_start(nominal=person, by=officer)
    step = transition_step_add(
        plan=plan, by=officer, version=plan.version, description="Hand over", due_on=today + datetime.timedelta(days=7)
    )
    leaving = make_nominal(officer, first_name="Fuzzcase", last_name="Leaving")
    cohort_membership_start(nominal=leaving)
    deregistration = deregistration_propose(nominal=leaving, by=officer, reason="other", explanation="Moved away")
    referred = make_nominal(officer, first_name="Fuzzcase", last_name="Referred")
    referral = draft_referral(referred, officer)
    meeting = MeetingFactory.create(chair=chair, invited=[partnership.probation, partnership.drugs])
    agenda_item = make_agenda_item(meeting, nominal=person)
    action = action_create(
        meeting=meeting,
        by=chair,
        owner=officer,
        description="Book the assessment",
        due_on=today + datetime.timedelta(days=7),
    )
    series = series_create(
        by=chair,
        kind=MeetingKind.MAP,
        title="Northmoor MAP",
        frequency=MeetingSeries.Frequency.WEEKLY,
        first_date=today,
        until=today + datetime.timedelta(days=14),
        starts_at=datetime.time(10, 0),
        duration_minutes=90,
        location="Northmoor Police HQ",
        online_link="",
        chair=chair,
        invited_agencies=[partnership.police, partnership.drugs],
        invited_people=[],
    )
    criterion = SelectionCriterion.objects.order_by("pk")[0]
    people = {"id": person.pk, "item_pk": item.pk, "assignment_pk": assignment.pk, "tag_pk": tag.pk}
    people |= {"hit_pk": hit.pk, "step_pk": step.pk}
    parameters: list[tuple[str, dict[str, Any]]] = [
        (r"^/api/v1/people/\{id\}/report/actions/", {**people, "item_pk": plan_action.item.pk}),
        (r"^/api/v1/people/", people),
        (r"^/api/v1/referrals/", {"id": referral.pk, "code": "why"}),
        (r"^/api/v1/meetings/actions/", {"id": action.pk}),
        (r"^/api/v1/meetings/", {"id": meeting.pk, "item_pk": agenda_item.pk}),
        (r"^/api/v1/meeting-series/", {"id": series.pk}),
        (r"^/api/v1/agreements/", {"id": partnership.substance.pk}),
        (r"^/api/v1/deregistrations/", {"id": deregistration.pk}),
        (r"^/api/v1/selection-criteria/", {"id": criterion.pk}),
    ]
    users = {"officer": officer, "drugs_worker": drugs_worker}
    return World(
        tokens={name: Token.objects.create(user=user).key for name, user in users.items()},
        parameters=parameters,
    )


@pytest.fixture(scope="module")
def connection_kept() -> Iterator[None]:
    """The handler closes the database connection after each request, as a server does; here the
    connection holds the module's transaction, so it is kept open (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Every check schemathesis ships runs, with two exceptions, each by design:
# - valid input may still be refused as invalid (400) for what a schema cannot say: that an id names
#   a row that exists (an agency, a worker), that a date is not in the future or falls within a tag's
#   period, that one date comes after another. Each service's own tests check those refusals.
# - invalid input that DRF reads leniently is not refused, as in every DRF API: a number sent for a
#   text field is read as its digits, and an empty query parameter, or an empty field of a form, as
#   one not sent. negative_data_rejection would report each of those; the invalid input is still sent
#   (and must never be a server error or an answer the schema does not list), and what it found that
#   was not leniency (a page's offset=null, a filter's unknown value) is refused now.
CHECKS = {
    "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]},
    "negative_data_rejection": {"enabled": False},
}
# Bounded for the suite's budget: ten examples per operation and user, valid and invalid, the same
# ones each run.
BOUNDED = settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
# The schema as drf-spectacular generates it, loaded in-process. Every call, and every call a check
# makes of its own (without the token, with another method), goes to the application.
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=schemathesis.Config.from_dict({"checks": CHECKS})
)
schema.app = WSGIHandler()


def every_operation() -> list[Any]:
    """The schema's operations; one it defines in a way schemathesis cannot read fails collection."""
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operations.append(result.ok())
    return operations


# One test per operation and user, each a pytest test of its own (schemathesis's parametrize reports
# operations as subtests, whose failures pytest-xdist does not pass on: `make test` would not fail).
OPERATIONS = every_operation()


@pytest.mark.parametrize("role", ["officer", "drugs_worker"])
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_every_operation_answers_as_the_schema_says(
    operation: Any, role: str, world: World, connection_kept: None
) -> None:
    path_parameters = world.path_parameters(operation.path, operation.path_parameters)
    cases = st.one_of(*(operation.as_strategy(mode, path_parameters=path_parameters) for mode in MODES))

    @BOUNDED
    @given(case=cases)
    def answers(case: Any) -> None:
        case.call_and_validate(headers={"Authorization": f"Token {world.tokens[role]}"})

    answers()
