"""An independent probe of every endpoint and derived output, with ids taken from the database
(issue 14's acceptance), tried as an attacker would by users of agencies that see a little, a lot,
nothing at all, or no longer anything since their agreement was suspended.

For each user the database says who they may not see (cohorts.selectors.nominals_visible_to) and
which records are outside their scope; tests/probe.py turns that into the strings that would betray
those people (their names as pages show them, their PNC ID, CRN and prison number, the text of
items withheld from the user) and fills every URL pattern of the application with ids of those
records. Every answer, to GET, HEAD, OPTIONS and each write method the view takes (with an empty
body), must:
- never be a server error;
- never show a hidden person's strings, in the body or the headers;
- for a record outside scope, answer as for a record that does not exist (same status, never 2xx,
  the redirect, if any, to the same place), and change nothing;
- for HEAD and OPTIONS, have no body.
Then the searches and filters of every list, the sweeps' notifications and emails, and recording a
person with a hidden person's identifiers.

The demo (iom/demo.py) is loaded once for the module in a transaction never committed; each test
runs in a savepoint inside it.
"""

from __future__ import annotations

import datetime
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.http import HttpResponseBase
from django.test import Client, override_settings
from django.urls import resolve
from django.utils import timezone
from pghistory.models import Event

from cohorts.models import CaseAssignment, Nominal
from cohorts.reviews import with_review_due
from cohorts.services import case_assign
from iom.models import Notification
from iom.notifications import digest_send, notification_email_send
from iom.sweeps import SWEEPS, sweep_run
from sharing.models import Agency, DataCategory, User
from sharing.roles import Role
from sharing.services import ClauseSpec, agreement_suspend
from tests.partnership import agreement_in_force
from tests.permission_matrix import Pattern, url_patterns
from tests.probe import MISSING, Address, Target, addresses, target_build
from tests.sharing.factories import UserFactory

# Who probes: partners that see some people and not their withheld items (housing through its
# involvements only, its agreement ended; a drug service; a youth justice service; a prison; a
# charity), the IOM team (a police panel chair and supervisor, a probation officer), a user of an
# agency with no agreement at all holding every role but system admin, and one whose agency's
# agreement was suspended after they were told about people (sweeps), their roles on the cases ended.
NO_AGREEMENT = "probe.council"
SUSPENDED = "probe.county"
PROBERS = [
    "tom.byrne",
    "jo.evans",
    "aisha.khan",
    "grace.mensah",
    "maya.patel",
    "mark.reynolds",
    "priya.shah",
    NO_AGREEMENT,
    SUSPENDED,
]
SUSPENDED_CASES = 4  # people the suspended agency's worker led before its agreement was suspended

PATTERNS = [pattern for pattern in url_patterns()]
UNSAFE = {"login": {"post"}, "logout": {"post"}}  # a probe that signed itself out would see nothing




# --- The data, once for the module ----------------------------------------------------------------


@pytest.fixture(scope="module")
def probed(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Target]]:
    """The demo, the two probing users it lacks, and what each prober may not see."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        try:
            call_command("seed_demo", stdout=io.StringIO())
            _probers_add()
            yield {username: target_build(User.objects.get(username=username)) for username in PROBERS}
        finally:
            transaction.set_rollback(True)


def _prober(username: str, agency: Agency, roles: list[Role]) -> User:
    first, last = username.split(".")
    user = UserFactory.create(
        username=username, first_name=first.title(), last_name=last.title(), agency=agency, roles=roles
    )
    user.join_agency_group()
    return user


def _probers_add() -> None:
    """A council user, every role but system admin, no agreement; and a county youth offending team
    worker who led some cases under an agreement, was told about them by the sweeps, and then lost
    both: the agreement suspended, the cases transferred back to their previous lead."""
    _prober(NO_AGREEMENT, Agency.objects.get(kind=Agency.Kind.LOCAL_AUTHORITY), [r for r in Role if r != Role.SYSTEM_ADMIN])
    county = Agency.objects.get(name__icontains="County Youth")
    worker = _prober(SUSPENDED, county, [Role.PARTNER_WORKER, Role.AGENCY_ADMIN])
    police_admin = User.objects.get(username="claire.wood")
    agreement = agreement_in_force(
        by=police_admin,
        title="County youth offending team and the IOM team",
        parties=[police_admin.agency, Agency.objects.get(kind=Agency.Kind.PROBATION), county],
        clauses=[ClauseSpec(DataCategory.objects.get(code=code)) for code in ("identity", "offending-risk")],
        starts_on=timezone.localdate() - datetime.timedelta(days=200),
    )
    today = timezone.localdate()
    due = with_review_due(Nominal.objects.filter(memberships__ended_on__isnull=True), today).filter(
        review_due_on__lte=today
    )
    led = CaseAssignment.objects.filter(
        role=CaseAssignment.Role.LEAD_PROFESSIONAL, ended_on__isnull=True, nominal__in=due.values("pk")
    ).order_by("nominal_id")[:SUSPENDED_CASES]
    previous = [(assignment.nominal, assignment.worker) for assignment in led]
    for nominal, _ in previous:
        case_assign(nominal=nominal, role="lead_professional", worker=worker, by=police_admin, reason="Probe")
    for name in SWEEPS:
        sweep_run(name=name)
    assert Notification.objects.filter(recipient=worker).count() >= SUSPENDED_CASES
    agreement_suspend(agreement=agreement, by=police_admin)
    for nominal, lead in previous:
        case_assign(nominal=nominal, role="lead_professional", worker=lead, by=police_admin, reason="Back")


@pytest.fixture
def session_renewed_on_every_request() -> None:
    """Overrides tests/conftest.py's: the probe counts no queries, and saves a write a request."""


# --- Asking, and judging the answers ----------------------------------------------------------------


@dataclass
class Probe:
    """One user's requests and what was wrong with the answers, each problem once per route and method."""

    target: Target
    client: Client
    findings: dict[tuple[str, str, str], str] = field(default_factory=dict)
    requests: int = 0
    twins: dict[tuple[str, str], HttpResponseBase] = field(default_factory=dict)

    def ask(self, method: str, path: str, pattern: Pattern | None = None) -> HttpResponseBase:
        self.requests += 1
        if method in ("put", "patch", "delete"):
            response = getattr(self.client, method)(path, content_type="application/json")
        else:
            response = getattr(self.client, method)(path)
        self.judge(method, path, response, pattern)
        return response

    def find(self, pattern_name: str, method: str, problem: str, detail: str) -> None:
        self.findings.setdefault((pattern_name, method, problem), f"{method.upper()} {detail}: {problem}")

    def judge(self, method: str, path: str, response: HttpResponseBase, pattern: Pattern | None) -> None:
        name = pattern.name if pattern else path
        where = f"{path} as {self.target.username} ({response.status_code})"
        if response.status_code >= 500:
            self.find(name, method, "server error", where)
        body = body_of(response)
        if method in ("head", "options") and body:
            self.find(name, method, "a body", where)
        headers = "\n".join(f"{key}: {value}" for key, value in response.items())
        disclosed = self.target.disclosed.get(pattern.name if pattern else "", frozenset())
        for text, what in self.target.secrets.found_in(body + "\n" + headers):
            if what not in disclosed:
                self.find(name, method, f"shows {what} ({text!r})", where)
                break

    def out_of_scope(self, method: str, address: Address) -> None:
        """A record outside the user's scope answers as one that does not exist."""
        response = self.ask(method, address.path, address.pattern)
        assert address.twin is not None
        key = (method, address.twin)
        if key not in self.twins:
            self.twins[key] = self.ask(method, address.twin, address.pattern)
        twin = self.twins[key]
        name, where = address.pattern.name, f"{address.path} as {self.target.username}"
        if response.status_code != twin.status_code:
            self.find(name, method, f"{response.status_code}, but {twin.status_code} for a record that does not exist", where)
        elif 200 <= response.status_code < 300 and method != "options":
            self.find(name, method, f"{response.status_code} for a record out of scope", where)
        elif response.has_header("Location") and _place(response["Location"]) != _place(twin["Location"]):
            self.find(name, method, f"leads to {response['Location']}, unlike a record that does not exist", where)


def _place(location: str) -> str:
    return re.sub(r"\d+", "#", location)


def body_of(response: HttpResponseBase) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        response.close()
    else:
        content = response.content  # type: ignore[attr-defined]
    return content.decode("utf-8", "replace")


def methods_of(path: str) -> list[str]:
    """The write methods the view at the path takes: a class's handlers, else a page's POST."""
    view = resolve(path.split("?")[0]).func
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if view_class is None:
        return ["get", "post"]
    return [method for method in ("get", "post", "put", "patch", "delete") if hasattr(view_class, method)]


def history_rows() -> int:
    """Rows in the change history of every tracked table: any change to a record adds one."""
    tables = [model._meta.db_table for model in apps.get_models() if issubclass(model, Event) and not model._meta.proxy]
    union = " UNION ALL ".join(f"SELECT count(*) AS n FROM {connection.ops.quote_name(t)}" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT sum(n) FROM ({union}) AS counts")  # noqa: S608  (our tables' names)
        return int(cursor.fetchone()[0])


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def report(probe: Probe) -> str:
    return f"{len(probe.findings)} findings in {probe.requests} requests:\n" + "\n".join(sorted(probe.findings.values()))


# --- Every address ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", PROBERS)
def test_no_address_reveals_anyone_out_of_scope(probed: dict[str, Target], db: None, username: str) -> None:
    """Every URL pattern, as this user: records out of scope by every method the view takes (reads
    with every id chosen, writes with the first), then the records the user may read."""
    target = probed[username]
    probe = Probe(target, signed_in(username))
    readable: list[Address] = []
    before = history_rows()
    for pattern in PATTERNS:
        admin = pattern.namespace.startswith("admin")
        found = list(addresses(pattern, target))
        written: set[bool] = set()
        for address in found:
            if address.twin is None:
                readable.append(address)
                continue
            methods = ["get"] if admin else methods_of(address.path)
            for method in methods:
                if method == "get" or address.mixed not in written:
                    probe.out_of_scope(method, address)
            written.add(address.mixed)
        first = next((address for address in found if address.twin is not None), None)
        if first is not None and not admin:  # HEAD and OPTIONS once a route: the same view, or none
            probe.out_of_scope("head", first)
            probe.out_of_scope("options", first)
    assert history_rows() == before, f"requests out of scope changed records\n{report(probe)}"
    for address in readable:
        admin = address.pattern.namespace.startswith("admin")
        methods = methods_of(address.path)
        if "get" in methods:
            probe.ask("get", address.path, address.pattern)
        if address.pattern.route.count("<") == 0 and not admin:  # a list or a form: post it empty
            probe.ask("head", address.path, address.pattern)
            probe.ask("options", address.path, address.pattern)
            for method in set(methods) - {"get"} - UNSAFE.get(address.pattern.name, set()):
                probe.ask(method, address.path, address.pattern)
    print(f"{username}: {probe.requests} requests")  # noqa: T201  (the probe's size, with -s)
    assert not probe.findings, report(probe)
