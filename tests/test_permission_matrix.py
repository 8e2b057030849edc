"""Who may reach each page and endpoint (tests/permission_matrix.py)."""

from __future__ import annotations

import datetime
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from sharing.roles import Role
from tests.partnership import Partnership, build_partnership
from tests.permission_matrix import (
    DERIVED,
    MATRIX,
    Exempt,
    MeetingData,
    NominalData,
    NominalList,
    Pattern,
    Public,
    RolesOnly,
    SignedIn,
    derived_outputs,
    missing_entries,
    url_patterns,
)


def test_every_url_pattern_has_a_matrix_entry():
    missing = missing_entries(list(url_patterns()))

    assert not missing, "Add these URL patterns to tests/permission_matrix.py: " + ", ".join(
        f"{pattern.name} ({pattern.route})" for pattern in missing
    )


def test_a_pattern_without_an_entry_is_reported():
    patterns = [
        Pattern(name="home", namespace="", route=""),
        Pattern(name="nominal-export", namespace="", route="people/<int:pk>/export/"),
        Pattern(name="admin:index", namespace="admin", route="admin/"),
    ]

    assert [pattern.name for pattern in missing_entries(patterns)] == ["nominal-export"]


def test_every_entry_names_a_pattern_that_exists():
    names = {pattern.name for pattern in url_patterns()}
    namespaces = {pattern.namespace.split(":")[0] for pattern in url_patterns()}
    stale = [key for key in MATRIX if key not in names and key.removesuffix(":*") not in namespaces]

    assert not stale, f"Entries for patterns that no longer exist: {stale}"


def entries_of(kind: type) -> list[tuple[str, Any]]:
    return [(name, entry) for name, entry in MATRIX.items() if isinstance(entry, kind)]


@pytest.mark.parametrize(("name", "entry"), entries_of(Public))
def test_public_pages_answer_without_sign_in(client, db, name, entry):
    assert client.get(entry.url).status_code == 200


@pytest.mark.parametrize(("name", "entry"), entries_of(SignedIn))
def test_signed_in_pages_refuse_the_signed_out(client, db, name, entry):
    response = client.get(entry.url)

    if entry.api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("name", "entry"), entries_of(SignedIn))
def test_signed_in_pages_open_to_every_role(make_user, signed_in, name, entry, role):
    assert signed_in(make_user(role)).get(entry.url).status_code == 200


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("name", "entry"), entries_of(RolesOnly))
def test_role_only_pages_open_to_their_roles_and_refuse_the_rest(make_user, signed_in, client, name, entry, role):
    response = signed_in(make_user(role)).get(entry.url)

    assert response.status_code == (200 if role in entry.roles else 403)


@pytest.mark.parametrize(("name", "entry"), entries_of(RolesOnly))
def test_role_only_pages_send_the_signed_out_to_sign_in(client, db, name, entry):
    response = client.get(entry.url, follow=True)

    assert response.redirect_chain[-1][0].startswith("/sign-in/")


def test_exempt_entries_give_a_reason():
    for name, entry in entries_of(Exempt):
        assert entry.reason, name


# --- People's records: role x scope ---------------------------------------------------------------


@dataclass
class Scenario:
    """One person recorded by the police and on the cohort, with an item of each kind of sharing,
    and the police's referral of them (submitted, its content offending and risk information)."""

    nominal_pk: int
    item_pk: int
    secrets: dict[str, str]
    referral_pk: int = 10**9


def build_scenario(partnership: Partnership) -> Scenario:
    from cohorts.access import grants_recompute
    from cohorts.records.services import cohort_membership_start, consent_record
    from referrals.services import referral_submit
    from sharing.models import SharingAgreement
    from tests.cohorts.factories import make_item, make_nominal
    from tests.referrals.factories import draft_referral

    nominal = make_nominal(partnership.officer, first_name="Matrixperson", last_name="Scopetest")
    referral = draft_referral(nominal, partnership.officer, why={"why_now": "REFERRAL-WHY-NOW-SECRET"})
    referral = referral_submit(referral=referral, by=partnership.officer)
    cohort_membership_start(nominal=nominal)
    shared = make_item(nominal, partnership.officer, "offending-risk", "SHARED-OFFENDING-ITEM")
    make_item(nominal, partnership.officer, "accommodation", "POLICE-ONLY-ACCOMMODATION-ITEM")
    make_item(nominal, partnership.officer, "substance-misuse", "POLICE-SUBSTANCE-ITEM")
    make_item(nominal, partnership.drugs_worker, "substance-misuse", "DRUGS-SUBSTANCE-ITEM")
    consent_record(nominal=nominal, by=partnership.drugs_worker, given=False)
    # The housing agreement ends by its date, as agreements do when no one presses End: still marked
    # active, its last day yesterday, and the grants recomputed as the agreements sweep does then.
    SharingAgreement.objects.filter(pk=partnership.housing_agreement.pk).update(
        status=SharingAgreement.Status.ACTIVE, ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    grants_recompute(agency_ids=[partnership.housing.pk])
    return Scenario(nominal_pk=nominal.pk, item_pk=shared.pk, secrets={}, referral_pk=referral.pk)


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[Partnership, Scenario]]:
    """The partnership and the scenario, built once for the module in a transaction that is never
    committed. Each test runs in a savepoint inside it (the `db` fixture), so what a test changes
    (screening the referral, recording an item) is undone before the next; other connections and
    modules never see it, and its on_commit callbacks (Celery tasks) never run, as when each test
    built its own."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        try:
            partnership = build_partnership()
            yield partnership, build_scenario(partnership)
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def partnership(db: None, built: tuple[Partnership, Scenario]) -> Partnership:
    """The module's partnership fetched afresh, so no test sees what another cached on its objects
    (a user's roles, for one)."""
    fresh = {}
    for field in fields(Partnership):
        held = getattr(built[0], field.name)
        fresh[field.name] = type(held).objects.get(pk=held.pk)
    return Partnership(**fresh)


@pytest.fixture
def scenario(db: None, built: tuple[Partnership, Scenario]) -> Scenario:
    return replace(built[1], secrets={})


@dataclass(frozen=True)
class Scope:
    """Who looks at the scenario's person: a user of `agency`; whether that agency may see the person
    (sees_person); which item markers may appear to them; whether the person exists at all."""

    agency: str
    sees_person: bool
    markers: frozenset[str]
    exists: bool = True


# The police own the person, the referral and three of the items; the drug service owns the fourth.
# The core agreement shares offending and risk with probation; the substance misuse agreement shares
# substance misuse between the police, probation and the drug service only with the person's consent,
# which is withdrawn; the housing agreement ended by its date yesterday; the other force has no
# agreement at all.
SCOPES = {
    "own agency": Scope(
        "police", True, frozenset({"SHARED-OFFENDING-ITEM", "POLICE-ONLY-ACCOMMODATION-ITEM", "POLICE-SUBSTANCE-ITEM"})
    ),
    "other agency with ISA": Scope("probation", True, frozenset({"SHARED-OFFENDING-ITEM"})),
    # The drug service sees the person (an agreement in force, the person on the cohort) and its own
    # item; the police's substance misuse item would be shared with it but for the withdrawn consent.
    "consent withdrawn": Scope("drugs", True, frozenset({"DRUGS-SUBSTANCE-ITEM"})),
    "other agency without ISA": Scope("elsewhere", False, frozenset()),
    "ISA ended": Scope("housing", False, frozenset()),
    "missing": Scope("police", False, frozenset(), exists=False),
}
ALL_MARKERS = {
    "SHARED-OFFENDING-ITEM",
    "POLICE-ONLY-ACCOMMODATION-ITEM",
    "POLICE-SUBSTANCE-ITEM",
    "DRUGS-SUBSTANCE-ITEM",
    "REFERRAL-WHY-NOW-SECRET",
}


def markers_allowed(scope: str) -> set[str]:
    """The referral's content is the police's offending and risk information, like the shared item."""
    allowed = set(SCOPES[scope].markers)
    if "SHARED-OFFENDING-ITEM" in allowed:
        allowed.add("REFERRAL-WHY-NOW-SECRET")
    return allowed


def viewer(partnership, agency_key: str, role: Role):
    from tests.sharing.factories import UserFactory

    return UserFactory.create(agency=getattr(partnership, agency_key), roles=[role])


def expected_status(entry: NominalData, scope_name: str, role: Role) -> int:
    """What a user of the role gets from the entry's page about the scope's person."""
    scope = SCOPES[scope_name]
    # System administrators find any person (to put records right) but read items only as their
    # own agency's agreements allow.
    reachable = scope.exists and (scope.sees_person or role == Role.SYSTEM_ADMIN)
    if entry.needs_item:
        reachable = reachable and "SHARED-OFFENDING-ITEM" in markers_allowed(scope_name)
    if entry.owner_only:
        reachable = reachable and scope.agency == "police"  # the scenario's item is the police's
    if not reachable:
        return 404  # before any function-level refusal: out of scope is "not found" for every role
    if entry.agencies is not None and scope.agency not in entry.agencies and role != Role.SYSTEM_ADMIN:
        return entry.other_agencies_status
    return entry.ok_status if role in entry.roles else 403


def role_class(entry: NominalData | MeetingData, role: Role) -> tuple[bool, bool]:
    """Roles an entry treats alike: whether it lets the role in, and whether the role is a system
    admin (who finds any person)."""
    return role == Role.SYSTEM_ADMIN, role in entry.roles


def roles_to_try(name: str, entry: NominalData, scope_name: str) -> list[Role]:
    """Every role where the person is in the viewer's scope, as that is where function-level
    permissions differ; out of scope (another agency, an ended agreement, no such person) one role of
    each class the entry treats alike, which must all be refused with 404 (before any 403). Which
    role stands for its class turns with the entry, so every role is tried out of scope somewhere."""
    if SCOPES[scope_name].sees_person:
        return list(Role)
    classes: dict[tuple[bool, bool], list[Role]] = {}
    for role in Role:
        classes.setdefault(role_class(entry, role), []).append(role)
    turn = zlib.crc32(f"{name} {scope_name}".encode())
    return [members[turn % len(members)] for members in classes.values()]


NOMINAL_CELLS = [
    pytest.param(name, entry, role, scope_name, id=f"{name}-{role.value}-{scope_name}")
    for name, entry in entries_of(NominalData)
    for scope_name in SCOPES
    for role in roles_to_try(name, entry, scope_name)
]


def distinct_expectations(cells: list[tuple[str, NominalData, Role, str]]) -> set[tuple[Any, ...]]:
    """(endpoint, role class, scope, expected status, markers allowed): what the cells assert."""
    return {
        (
            name,
            role_class(entry, role),
            SCOPES[scope_name],
            expected_status(entry, scope_name, role),
            frozenset(markers_allowed(scope_name)),
        )
        for name, entry, role, scope_name in cells
    }


def test_the_matrix_tries_every_distinct_expectation():
    every_role = [(n, e, r, s) for n, e in entries_of(NominalData) for s in SCOPES for r in Role]
    tried = [tuple(cell.values) for cell in NOMINAL_CELLS]

    assert distinct_expectations(tried) == distinct_expectations(every_role)  # type: ignore[arg-type]


def test_no_two_scopes_have_the_same_viewer_and_expectations():
    assert len(set(SCOPES.values())) == len(SCOPES)


@pytest.mark.parametrize(("name", "entry", "role", "scope"), NOMINAL_CELLS)
def test_nominal_pages_by_role_and_scope(client, partnership, scenario, name, entry, role, scope):
    from cohorts.models import AccessEvent

    user = viewer(partnership, SCOPES[scope].agency, role)
    client.force_login(user)
    target = scenario if SCOPES[scope].exists else Scenario(nominal_pk=10**9, item_pk=10**9, secrets={})

    sent_as = {"content_type": entry.content_type} if entry.content_type else {}
    response = getattr(client, entry.method)(entry.url_for(target), entry.data, **sent_as)
    body = response.content.decode()

    expected = expected_status(entry, scope, role)
    assert response.status_code == expected, body[:500]
    if expected == 404:
        assert "matrixperson" not in body.lower()
        assert "scopetest" not in body.lower()
    for marker in ALL_MARKERS - markers_allowed(scope):
        assert marker not in body, f"{marker} leaked to {role} ({scope})"
    # Refused access is logged: a person out of scope, never a person who does not exist.
    refused = AccessEvent.objects.filter(user=user, action=AccessEvent.Action.REFUSED)
    if not SCOPES[scope].exists:
        assert not refused.exists()
    elif not (SCOPES[scope].sees_person or role == Role.SYSTEM_ADMIN):
        assert refused.filter(nominal_id=scenario.nominal_pk).exists()


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_withdrawn_consent_withholds_and_counts_the_items_it_covers_until_given_again(
    client, partnership, scenario, api
):
    from cohorts.records.models import Nominal
    from cohorts.records.services import consent_record

    client.force_login(viewer(partnership, "drugs", Role.PARTNER_WORKER))
    url = f"/api/v1/people/{scenario.nominal_pk}/" if api else f"/people/{scenario.nominal_pk}/"

    withdrawn = client.get(url).content.decode()
    consent_record(nominal=Nominal.objects.get(pk=scenario.nominal_pk), by=partnership.drugs_worker, given=True)
    given = client.get(url).content.decode()

    # The police's offending and risk items (the referral among them) and their accommodation item are
    # never shared with the drug service; their substance misuse item is, with consent.
    assert "4 items held by Northmoor Police are not shared with your agency" in withdrawn
    assert "POLICE-SUBSTANCE-ITEM" not in withdrawn
    assert "DRUGS-SUBSTANCE-ITEM" in withdrawn
    assert "3 items held by Northmoor Police are not shared with your agency" in given
    assert "POLICE-SUBSTANCE-ITEM" in given


@pytest.mark.parametrize("scope", [scope for scope in SCOPES if scope != "missing"])
@pytest.mark.parametrize(("name", "entry"), entries_of(NominalList))
def test_lists_show_a_person_only_in_scope(client, partnership, scenario, name, entry, scope):
    may_see = SCOPES[scope].sees_person
    client.force_login(viewer(partnership, SCOPES[scope].agency, Role.PRACTITIONER))

    for query in ("", "?q=Scopetest", "?q=Matrixperson+Scopetest"):
        response = client.get(entry.url + query)
        body = response.content.decode()

        if entry.api:
            # JSON echoes nothing that was typed: the name appears only in a result.
            listed = [person["id"] for person in response.json()["results"]]
            assert (scenario.nominal_pk in listed) is may_see, f"{scope}: {query}"
            assert ("scopetest" in body.lower()) is may_see, f"{scope}: {query}"
        else:
            # The search box echoes what was typed; the person is leaked only by a result.
            assert (f'href="/people/{scenario.nominal_pk}/"' in body) is may_see, f"{scope}: {query}"
            assert ("scopetest, matrixperson" in body.lower()) is may_see, f"{scope}: {query}"
        for marker in ALL_MARKERS:
            assert marker not in body


# --- Meetings: the chair, each role of an invited agency, an agency not invited ---------------------


@pytest.fixture(scope="module")
def built_meeting(built: tuple[Partnership, Scenario], django_db_blocker: Any) -> Any:
    """The meeting scenario (tests/meetings/scenario.py), built once inside the module's transaction."""
    from tests.meetings.scenario import build_meeting_scenario

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        return build_meeting_scenario(built[0])


@pytest.fixture
def meeting_scenario(db: None, built_meeting: Any) -> Any:
    return built_meeting


# who -> (the viewer's agency; None: the meeting's chair), whether the scenario exists
MEETING_VIEWERS = {
    "chair": (None, True),
    **{f"invited probation {role.label.lower()}": ("probation", True) for role in Role},
    "housing, not invited": ("housing", True),
    "missing meeting": (None, False),
}


def meeting_viewer(partnership: Partnership, scenario: Any, who: str) -> Any:
    from sharing.models import User

    agency_key, _ = MEETING_VIEWERS[who]
    if agency_key is None:
        return User.objects.get(pk=scenario.chair_pk)
    if agency_key == "probation":
        role = next(role for role in Role if who.endswith(role.label.lower()))
        return viewer(partnership, "probation", role)
    return viewer(partnership, agency_key, Role.PRACTITIONER)


def meeting_viewers_to_try(name: str, entry: MeetingData) -> list[str]:
    """The chair, the agency not invited, the missing meeting, and of the invited agency's roles one
    of each class the entry treats alike (let in, or refused: 403, or 404 where only the chair may);
    which role stands for its class turns with the entry, so every role is tried somewhere."""
    classes: dict[tuple[bool, bool], list[str]] = {}
    for who, (agency_key, _) in MEETING_VIEWERS.items():
        if agency_key == "probation":
            role = next(role for role in Role if who.endswith(role.label.lower()))
            classes.setdefault(role_class(entry, role), []).append(who)
    turn = zlib.crc32(name.encode())
    invited = [members[turn % len(members)] for members in classes.values()]
    return ["chair", *invited, "housing, not invited", "missing meeting"]


MEETING_CELLS = [
    pytest.param(name, entry, who, id=f"{name}-{who}")
    for name, entry in entries_of(MeetingData)
    for who in meeting_viewers_to_try(name, entry)
]


def test_the_meeting_matrix_tries_every_role_somewhere():
    tried = {who for _, _, who in (cell.values for cell in MEETING_CELLS)}

    assert tried == set(MEETING_VIEWERS)


@pytest.mark.parametrize(("name", "entry", "who"), MEETING_CELLS)
def test_meeting_pages_by_viewer(client, partnership, meeting_scenario, name, entry, who):
    from tests.meetings.scenario import PERSON_NAMES, MeetingScenario

    user = meeting_viewer(partnership, meeting_scenario, who)
    client.force_login(user)
    exists = MEETING_VIEWERS[who][1]
    target = meeting_scenario if exists else MeetingScenario.missing()

    sent_as = {"content_type": entry.content_type} if entry.content_type else {}
    response = getattr(client, entry.method)(entry.url_for(target), entry.data, **sent_as)
    body = response.content.decode()

    if who == "chair":
        assert response.status_code == entry.ok_status, body[:500]
    elif not exists or who == "housing, not invited":
        assert response.status_code == 404, body[:500]
        for secret in (*meeting_scenario.secrets, *PERSON_NAMES):
            assert secret.lower() not in body.lower(), f"{secret} leaked to {who}"
    elif entry.chair_only:
        assert response.status_code == 404, body[:500]
    else:
        role = user.roles[0]
        expected = entry.ok_status if role in entry.roles else 403
        assert response.status_code == expected, body[:500]


# --- Derived outputs: notifications, their emails and the sweeps' texts ---------------------------------


def test_every_derived_output_has_a_matrix_entry():
    assert set(derived_outputs()) == set(DERIVED), "Add these outputs to DERIVED in tests/permission_matrix.py"


def _person_seen(scope: Scope, role: Role) -> bool:
    return scope.exists and (scope.sees_person or role == Role.SYSTEM_ADMIN)


# Who is told, by each entry's rule (tests/permission_matrix.py, DERIVED), as the record pages decide:
# the person as the person's page; the licence end and the release as the police's offending and risk
# items; the core agreement to its parties (police, probation, prison) and system administrators; the
# meeting to its invited agencies (police, probation, drugs); its action, whose content is the police's
# offending and risk information, to the agencies that meeting shows it to (police, probation).
DERIVED_RULES: dict[str, Any] = {
    "person": _person_seen,
    # A review to those who may record it: a supervisor of the IOM unit's agencies (no one leads the
    # scenario's person, so no partner's supervisor supervises a lead), who sees the person.
    "review": lambda scope, role: (
        _person_seen(scope, role) and role == Role.SUPERVISOR and scope.agency in {"police", "probation"}
    ),
    "offending": lambda scope, role: _person_seen(scope, role) and "SHARED-OFFENDING-ITEM" in scope.markers,
    "release": lambda scope, role: _person_seen(scope, role) and "SHARED-OFFENDING-ITEM" in scope.markers,
    "agreement": lambda scope, role: (
        scope.exists and (scope.agency in {"police", "probation"} or role == Role.SYSTEM_ADMIN)
    ),
    "meeting": lambda scope, role: scope.exists and scope.agency in {"police", "probation", "drugs"},
    "action": lambda scope, role: scope.exists and scope.agency in {"police", "probation"},
    # A user's refusals: to the admins of their agency (probation) and to system admins.
    "refusals": lambda scope, role: (
        scope.exists and (role == Role.SYSTEM_ADMIN or (scope.agency == "probation" and role == Role.AGENCY_ADMIN))
    ),
}


def derived_subject(entry: Any, partnership: Partnership, scenario: Scenario, meetings: Any, exists: bool) -> str:
    """The entry's subject in the scenarios, made where it is not there already (rolled back)."""
    from cohorts.events.services import custody_event_record
    from cohorts.records.models import Nominal
    from cohorts.transitions.services import transition_plan_start, transition_step_add
    from sharing.models import User

    if not exists:
        return f"{entry.subject}:{10**9}"
    today = timezone.localdate()
    if entry.subject == "person":
        if entry.rule == "release":
            nominal = Nominal.objects.get(pk=scenario.nominal_pk)
            custody_event_record(
                nominal=nominal, by=partnership.officer, kind="release", occurred_on=today, release_on=today
            )
        return f"nominal:{scenario.nominal_pk}"
    if entry.subject == "step":
        Nominal.objects.filter(pk=scenario.nominal_pk).update(licence_ends_on=today + datetime.timedelta(weeks=8))
        plan = transition_plan_start(nominal=Nominal.objects.get(pk=scenario.nominal_pk), by=partnership.officer)
        step = transition_step_add(
            plan=plan, by=partnership.officer, version=plan.version, description="Hand over", due_on=today, worker=None
        )
        return f"transition-step:{step.pk}"
    if entry.subject == "agreement":
        return f"agreement:{partnership.core.pk}"
    if entry.subject == "meeting":
        return f"meeting:{meetings.scheduled_meeting_pk}"
    if entry.subject == "user":
        first_name, last_name = entry.marker.split()
        User.objects.filter(pk=partnership.probation_officer.pk).update(first_name=first_name, last_name=last_name)
        return f"user:{partnership.probation_officer.pk}"
    return f"meeting-action:{meetings.action_pk}"


def derived_roles(name: str, scope_name: str) -> list[Role]:
    """Every role where the scope's agency is told something of the scenarios; elsewhere a system
    administrator (who finds any person) and one other role, turning with the output."""
    scope = SCOPES[scope_name]
    if scope.exists and scope.agency in {"police", "probation", "drugs"}:
        return list(Role)
    others = [role for role in Role if role != Role.SYSTEM_ADMIN]
    return [Role.SYSTEM_ADMIN, others[zlib.crc32(f"{name} {scope_name}".encode()) % len(others)]]


NOTIFICATIONS = sorted(name for name in DERIVED if name.startswith("notification:"))
DERIVED_CELLS = [
    pytest.param(name, role, scope_name, id=f"{name}-{role.value}-{scope_name}")
    for name in NOTIFICATIONS
    for scope_name in SCOPES
    for role in derived_roles(name, scope_name)
]


def _told_and_shown(client, name, reader, subject, marker):
    """What the gate tells the reader (as a sweep would store it), what their inbox shows of the
    notification stored as if made before, and whether its email goes."""
    from notifications.models import Notification
    from notifications.outbox import recipient_emails_send
    from notifications.services import Reminder, reminders_tell

    kind = name.removeprefix("notification:")
    due_on = timezone.localdate()  # the release's day, too
    [text] = reminders_tell([Reminder(reader.pk, kind, subject, due_on, "/")])
    notification = Notification.objects.create(
        recipient=reader,
        kind=kind,
        subject=subject,
        due_on=due_on,
        link="/",
        delivery=Notification.Delivery.IMMEDIATE,
        email_owed_since=timezone.now(),
    )
    client.force_login(reader)
    inbox = client.get("/notifications/").content.decode()
    recipient_emails_send(recipient_id=reader.pk)
    notification.refresh_from_db()
    emailed = notification.emailed_at is not None
    return text, inbox, emailed


@pytest.mark.parametrize(("name", "role", "scope"), DERIVED_CELLS)
def test_derived_outputs_by_role_and_scope(client, partnership, scenario, meeting_scenario, name, role, scope):
    from django.core import mail

    from meetings.scheduling.models import Meeting
    from tests.meetings.scenario import PERSON_NAMES

    entry = DERIVED[name]
    reader = viewer(partnership, SCOPES[scope].agency, role)
    reader.email = "reader@example.org"
    reader.save()
    subject = derived_subject(entry, partnership, scenario, meeting_scenario, SCOPES[scope].exists)
    marker = (
        Meeting.objects.get(pk=meeting_scenario.scheduled_meeting_pk).title if entry.rule == "meeting" else entry.marker
    )
    mail.outbox.clear()

    text, inbox, emailed = _told_and_shown(client, name, reader, subject, marker)

    expected = DERIVED_RULES[entry.rule](SCOPES[scope], role)
    assert (text is not None) is expected, text
    assert (marker in inbox) is expected
    assert ('data-testid="withdrawn"' in inbox) is not expected
    assert emailed is expected
    if expected:
        assert marker in text
    else:
        for secret in (
            "Scopetest",
            "SCOPETEST",
            *PERSON_NAMES,
            *meeting_scenario.secrets,
            "Core IOM agreement",
            "Refusedmany",
        ):
            assert secret not in inbox, f"{secret} leaked to {role} ({scope})"
    for message in mail.outbox:  # an email never says who or what
        assert marker not in message.body
        assert "SCOPETEST" not in message.body
        assert "Refusedmany" not in message.body


ENDED_CELLS = [
    pytest.param(name, how, id=f"{name}-{how}")
    for name in NOTIFICATIONS
    for how in ("moved to another agency", "agreements suspended")
    if how == "moved to another agency" or DERIVED[name].rule == "person"
    # (a partner's supervisor may not record a review: no review is told to the drug service)
]


@pytest.mark.parametrize(("name", "how"), ENDED_CELLS)
def test_a_derived_output_is_withdrawn_when_access_ends_after_it_was_made(
    client, partnership, scenario, meeting_scenario, name, how
):
    """Told to a practitioner when it was made; then their access ends: a probation practitioner moves
    to the other force, or the substance misuse agreement the drug service saw the person by is
    suspended (probation would still see them: the IOM team received their referral)."""
    from notifications.services import Reminder, reminders_send
    from sharing.models import SharingAgreement

    entry = DERIVED[name]
    # Only admins are told of refusals, and only supervisors of reviews.
    role = {"refusals": Role.AGENCY_ADMIN, "review": Role.SUPERVISOR}.get(entry.rule, Role.PRACTITIONER)
    reader = viewer(partnership, "probation" if how == "moved to another agency" else "drugs", role)
    subject = derived_subject(entry, partnership, scenario, meeting_scenario, True)
    kind = name.removeprefix("notification:")
    [made] = reminders_send([Reminder(reader.pk, kind, subject, timezone.localdate(), "/")])
    client.force_login(reader)
    before = client.get("/notifications/").content.decode()

    if how == "moved to another agency":
        reader.agency = partnership.elsewhere
        reader.save()
    else:
        from cohorts.access import grants_recompute

        SharingAgreement.objects.filter(pk=partnership.substance.pk).update(status=SharingAgreement.Status.SUSPENDED)
        grants_recompute(agency_ids=[partnership.drugs.pk])
    client.force_login(reader)
    after = client.get("/notifications/").content.decode()
    opened = client.get(f"/notifications/{made}/open/")

    assert 'data-testid="withdrawn"' not in before
    assert 'data-testid="withdrawn"' in after
    for secret in ("SCOPETEST", "Core IOM agreement", "MEETING-ACTION-SECRET", "Panelcase", "Refusedmany"):
        assert secret not in after, secret
    assert opened.status_code == 302
    assert opened["Location"] == "/notifications/"


IDENTIFIER_CELLS = [
    pytest.param(name, role, scope_name, id=f"{name}-{role.value}-{scope_name}")
    for name in sorted(DERIVED)
    if name.startswith("identifier:")
    for scope_name in SCOPES
    for role in derived_roles(name, scope_name)
]
IDENTIFIER_VALUES = {"pnc_id": "2019/0123456E", "crn": "X123456", "prison_number": "A1234BC"}


@pytest.mark.parametrize(("name", "role", "scope"), IDENTIFIER_CELLS)
def test_identifier_errors_by_role_and_scope(client, partnership, scenario, name, role, scope):
    """Recording someone with the scenario person's identifier: the plain error where the user may see
    them, the neutral message (and a check for the IOM team) where not, recorded where no one holds it."""
    from cohorts.duplicates.models import PossibleDuplicate
    from cohorts.duplicates.services import HELD_ELSEWHERE
    from cohorts.records.models import Nominal

    field_name = name.removeprefix("identifier:")
    value = IDENTIFIER_VALUES[field_name]
    if SCOPES[scope].exists:
        Nominal.objects.filter(pk=scenario.nominal_pk).update(**{field_name: value})
    client.force_login(viewer(partnership, SCOPES[scope].agency, role))

    response = client.post(
        "/people/new/",
        {
            "first_name": "Another",
            "last_name": "Personentirely",
            "date_of_birth_0": "1",
            "date_of_birth_1": "2",
            "date_of_birth_2": "1991",
            "gender": "male",
            "custody_status": "community",
            "statutory_status": "licence",
            field_name: value,
            "confirmed": "yes",
        },
    )
    body = response.content.decode()

    if not SCOPES[scope].exists:
        assert response.status_code == 302  # no one holds it: recorded
        return
    sees = DERIVED_RULES["person"](SCOPES[scope], role)
    assert response.status_code == 400
    assert (DERIVED[name].marker in body) is sees
    assert (HELD_ELSEWHERE in body) is not sees
    assert PossibleDuplicate.objects.filter(existing_id=scenario.nominal_pk).exists() is not sees
    for secret in ("Scopetest", "SCOPETEST", "Matrixperson", *ALL_MARKERS):
        assert secret not in body


COHORT_CELLS = [
    pytest.param(name, role, scope_name, id=f"{name}-{role.value}-{scope_name}")
    for name in sorted(DERIVED)
    if name.startswith("cohort:")
    for scope_name in SCOPES
    if SCOPES[scope_name].exists
    for role in derived_roles(name, scope_name)
]


@pytest.mark.parametrize(("name", "role", "scope"), COHORT_CELLS)
def test_cohort_columns_and_flags_by_role_and_scope(client, partnership, scenario, name, role, scope):
    """The scenario person's licence ends in eight weeks with no transition plan: the cohort list (API
    and page) shows the date and "due", and finds them by ?transition=due, only where their offending
    and risk information is shared; elsewhere the person, if listed, is "not shared"."""
    from cohorts.records.models import Nominal

    ends = timezone.localdate() + datetime.timedelta(weeks=8)
    Nominal.objects.filter(pk=scenario.nominal_pk).update(licence_ends_on=ends)
    client.force_login(viewer(partnership, SCOPES[scope].agency, role))

    rows = {row["id"]: row for row in client.get("/api/v1/cohort/", {"limit": 200}).json()["results"]}
    due = [row["id"] for row in client.get("/api/v1/cohort/", {"transition": "due", "limit": 200}).json()["results"]]
    page = client.get("/cohort/").content.decode()

    shared = DERIVED_RULES["offending"](SCOPES[scope], role)
    row = rows.get(scenario.nominal_pk)
    assert (row is not None) is _person_seen(SCOPES[scope], role)
    if row is not None:
        # Not shared, the licence end is blank and no plan is "not due", as for anyone without one.
        column = name.removeprefix("cohort:")
        expected = {"licence_ends_on": ends.isoformat(), "transition_status": "due"}[column]
        unshared = {"licence_ends_on": None, "transition_status": "not_due"}[column]
        assert row[column] == (expected if shared else unshared), row
        assert row["licence_shown"] is shared
    assert (scenario.nominal_pk in due) is shared
    assert (f"{ends:%-d %b %Y}" in page) is shared


# Pages that show an agenda item's or action's content to an invited agency it is shared with.
MEETING_CONTENT_PAGES = [
    "meeting-detail",
    "meeting-pack",
    "api-meeting-pack",
    "meeting-minutes",
    "meeting-minutes-print",
    "api-meeting-minutes",
    "api-meeting-agenda",
    "meeting-action-detail",
    "api-meeting-action-detail",
    "api-meeting-actions",
]


@pytest.mark.parametrize("name", MEETING_CONTENT_PAGES)
def test_meeting_content_is_withheld_once_access_ends_after_it_was_made(client, partnership, meeting_scenario, name):
    """The agenda, the pack, the minutes (approved and distributed) and the actions showed probation the
    police's item about the person under the core agreement; once that agreement is suspended, the
    same pages show it restricted: decided when shown, not when made."""
    from sharing.models import SharingAgreement
    from tests.meetings.scenario import SECRETS

    entry = MATRIX[name]
    assert isinstance(entry, MeetingData)
    reader = viewer(partnership, "probation", Role.SUPERVISOR)
    client.force_login(reader)
    url = entry.url_for(meeting_scenario)
    before = client.get(url).content.decode()
    SharingAgreement.objects.filter(pk=partnership.core.pk).update(status=SharingAgreement.Status.SUSPENDED)
    after = client.get(url)

    assert any(secret in before for secret in SECRETS), f"{name} showed probation nothing to withhold"
    assert after.status_code in (200, 404)
    for secret in SECRETS:
        assert secret not in after.content.decode(), f"{secret} still shown by {name}"
