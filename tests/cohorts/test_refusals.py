"""Refusals are recorded (DESIGN.md rule 7): a request for an existing record outside the user's
scope, and a sign-in lockout, write a "refused" access event while the user still sees 404 or the
neutral message; a missing record writes nothing, so typing errors do not flood the log but a probe
of real ids shows. Supervisors and agency admins filter the log for refusals, and a burst of them
from one user tells that user's agency admins once."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cohorts.models import AccessEvent
from cohorts.records.services import access_refusal_record
from notifications.models import Notification
from notifications.services import Reminder, notifications_tell, reminders_tell
from sharing.models import User
from sharing.roles import Role
from tests.partnership import Partnership, build_partnership
from tests.sharing.factories import UserFactory

REFUSED = AccessEvent.Action.REFUSED
MISSING = 10**9


@dataclass(frozen=True)
class World:
    """The police's person, on the cohort, with an accommodation item shared with no one and a
    submitted referral; probation sees the person (the core agreement), not the item; the other
    force sees neither."""

    person_pk: int
    item_pk: int
    referral_pk: int


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[Partnership, World]]:
    """Built once for the module in a transaction never committed; each test runs in a savepoint."""
    from cohorts.records.services import cohort_membership_start
    from referrals.services import referral_submit
    from tests.cohorts.factories import make_item, make_nominal
    from tests.referrals.factories import draft_referral

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        try:
            partnership = build_partnership()
            person = make_nominal(partnership.officer, first_name="Refusalcase", last_name="Hiddenperson")
            referral = referral_submit(referral=draft_referral(person, partnership.officer), by=partnership.officer)
            cohort_membership_start(nominal=person)
            item = make_item(person, partnership.officer, "accommodation", "POLICE-ONLY-ITEM")
            yield partnership, World(person_pk=person.pk, item_pk=item.pk, referral_pk=referral.pk)
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def partnership(db: None, built: tuple[Partnership, World]) -> Partnership:
    return built[0]


@pytest.fixture
def world(db: None, built: tuple[Partnership, World]) -> World:
    return built[1]


def refusals_by(user: User) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(user=user, action=REFUSED).order_by("pk"))


# --- A record outside the user's scope --------------------------------------------------------------

OUT_OF_SCOPE_PERSON = [
    "/people/{person}/",
    "/people/{person}/history/",
    "/people/{person}/items/new/",
    "/api/v1/people/{person}/",
    "/api/v1/people/{person}/rag/",
]


@pytest.mark.parametrize("url", OUT_OF_SCOPE_PERSON)
def test_a_request_for_a_person_out_of_scope_is_404_and_recorded_as_refused(client, partnership, world, url):
    client.force_login(partnership.outsider)
    path = url.format(person=world.person_pk)

    response = client.get(path)

    assert response.status_code == 404
    assert "hiddenperson" not in response.content.decode().lower()
    [event] = refusals_by(partnership.outsider)
    assert event.nominal_id == world.person_pk
    assert event.agency_id == partnership.elsewhere.pk
    assert event.path == path
    assert event.reason == "Out of scope: the person is not shared with the user's agency"
    assert not event.allowed_by
    assert AccessEvent.objects.filter(user=partnership.outsider).count() == 1, "nothing but the refusal"


@pytest.mark.parametrize("url", OUT_OF_SCOPE_PERSON)
def test_a_request_for_a_person_who_does_not_exist_records_nothing(client, partnership, url):
    client.force_login(partnership.outsider)

    response = client.get(url.format(person=MISSING))

    assert response.status_code == 404
    assert not AccessEvent.objects.filter(user=partnership.outsider).exists()


@pytest.mark.parametrize("url", ["/referrals/{referral}/", "/api/v1/referrals/{referral}/"])
def test_a_referral_out_of_scope_is_recorded_against_its_person(client, partnership, world, url):
    client.force_login(partnership.outsider)
    path = url.format(referral=world.referral_pk)

    assert client.get(path).status_code == 404
    assert client.get(url.format(referral=MISSING)).status_code == 404

    [event] = refusals_by(partnership.outsider)
    assert (event.nominal_id, event.path) == (world.person_pk, path)
    assert event.reason == f"Out of scope: referral {world.referral_pk} is not shared with the user's agency"


@pytest.mark.parametrize("url", ["/people/{person}/items/{item}/why/", "/api/v1/people/{person}/items/{item}/why/"])
def test_an_item_not_shared_is_recorded_against_its_person(client, partnership, world, url):
    """Probation sees the person, not the police's accommodation item: asking for it by id is refused."""
    client.force_login(partnership.probation_officer)
    path = url.format(person=world.person_pk, item=world.item_pk)

    assert client.get(path).status_code == 404
    assert client.get(url.format(person=world.person_pk, item=MISSING)).status_code == 404

    [event] = refusals_by(partnership.probation_officer)
    assert (event.nominal_id, event.path) == (world.person_pk, path)
    assert event.reason == f"Out of scope: item {world.item_pk} is not shared with the user's agency"


@pytest.mark.parametrize("url", ["/meetings/{meeting}/", "/api/v1/meetings/{meeting}/"])
def test_a_meeting_not_shared_is_recorded_with_no_person(client, partnership, url):
    """A meeting is about many people or none: its refusal names no one."""
    from tests.meetings.factories import MeetingFactory

    meeting = MeetingFactory.create(chair=partnership.officer, invited=[partnership.probation])
    client.force_login(partnership.outsider)
    path = url.format(meeting=meeting.pk)

    assert client.get(path).status_code == 404
    assert client.get(url.format(meeting=MISSING)).status_code == 404

    [event] = refusals_by(partnership.outsider)
    assert (event.nominal_id, event.path) == (None, path)
    assert event.reason == f"Out of scope: meeting {meeting.pk} is not shared with the user's agency"


def test_a_person_in_scope_is_viewed_and_nothing_is_refused(client, partnership, world):
    client.force_login(partnership.probation_officer)

    assert client.get(f"/people/{world.person_pk}/").status_code == 200

    actions = list(AccessEvent.objects.filter(user=partnership.probation_officer).values_list("action", flat=True))
    assert actions == [AccessEvent.Action.VIEW]


def test_a_refusal_that_cannot_be_logged_is_still_404(client, partnership, world, monkeypatch, caplog):
    """Never a 500 for a record that exists against a 404 for one that does not."""
    from django.db import DatabaseError

    def broken(**kwargs: Any) -> None:
        raise DatabaseError("the log is unavailable")

    monkeypatch.setattr("cohorts.refusal_hooks.access_refusal_record", broken)
    client.force_login(partnership.outsider)

    with caplog.at_level(logging.ERROR, logger="cohorts.refusal_hooks"):
        page = client.get(f"/people/{world.person_pk}/")
        api = client.get(f"/api/v1/people/{world.person_pk}/")

    assert (page.status_code, api.status_code) == (404, 404)
    assert [r.getMessage() for r in caplog.records if r.name == "cohorts.refusal_hooks"] == [
        f"Could not log the refusal of /people/{world.person_pk}/ to user {partnership.outsider.pk}",
        f"Could not log the refusal of /api/v1/people/{world.person_pk}/ to user {partnership.outsider.pk}",
    ]


def test_head_is_refused_and_records_nothing(client, partnership, world):
    """HEAD runs in a transaction rolled back (shell/middleware.py): the refusal goes with it."""
    client.force_login(partnership.outsider)

    assert client.head(f"/people/{world.person_pk}/").status_code == 404
    assert not AccessEvent.objects.filter(user=partnership.outsider).exists()


# --- The service the duplicate checks call ------------------------------------------------------------


def test_access_refusal_record_writes_a_refused_event_in_the_users_agency(partnership, world):
    event = access_refusal_record(
        user=partnership.outsider,
        nominal_id=world.person_pk,
        reason="A PNC ID entered belongs to a person the agency may not see",
        path="/people/new/",
    )

    assert event.action == REFUSED
    assert (event.user_id, event.agency_id) == (partnership.outsider.pk, partnership.elsewhere.pk)
    assert event.nominal_id == world.person_pk
    assert event.reason == "A PNC ID entered belongs to a person the agency may not see"
    assert event.path == "/people/new/"
    assert AccessEvent.objects.get(pk=event.pk).chain_hash, "chained like every access event"


def test_access_refusal_record_takes_no_person(partnership):
    event = access_refusal_record(user=partnership.outsider, nominal_id=None, reason="Why", path="/x/")

    assert event.nominal_id is None


# --- Sign-in lockout ------------------------------------------------------------------------------------


def sign_in_fails(client, username: str, times: int) -> list[int]:
    return [
        client.post(reverse("login"), {"username": username, "password": "not-the-password"}).status_code
        for _ in range(times)
    ]


def test_a_sign_in_lockout_is_recorded_against_the_account(client, partnership, settings):
    statuses = sign_in_fails(client, partnership.outsider.username, settings.AXES_FAILURE_LIMIT)

    assert statuses[-1] == 429
    [event] = refusals_by(partnership.outsider)
    assert event.nominal_id is None
    assert event.path == reverse("login")
    assert event.reason.startswith(
        f"Sign-in refused: the account is locked after {settings.AXES_FAILURE_LIMIT} failed sign-ins"
    )


def test_a_lockout_of_a_username_no_one_has_goes_to_the_application_log_only(client, partnership, settings, caplog):
    before = AccessEvent.objects.count()

    with caplog.at_level(logging.WARNING, logger="cohorts.refusal_hooks"):
        sign_in_fails(client, "no-such-user", settings.AXES_FAILURE_LIMIT)

    assert AccessEvent.objects.count() == before
    assert any("no-such-user" in record.getMessage() for record in caplog.records)


# --- The access log: refusals filtered and shown, names only of people the reader may see --------------


def test_the_log_filters_refusals_and_names_no_one_the_reader_may_not_see(client, partnership, world):
    client.force_login(partnership.outsider)
    client.get("/people/")  # a search of the people they may see: not a refusal
    client.get(f"/people/{world.person_pk}/")
    admin = UserFactory.create(agency=partnership.elsewhere, roles=[Role.AGENCY_ADMIN])
    client.force_login(admin)

    every = client.get(reverse("access-log")).content.decode()
    refused = client.get(reverse("access-log"), {"action": "refused"}).content.decode()

    assert '<option value="refused">Refused</option>' in every
    assert "Searched" in every
    assert "Searched" not in refused.split("Access events</caption>")[1]
    assert 'data-testid="refused"' in refused
    assert f"/people/{world.person_pk}/" in refused, "the path refused"
    assert f"Record {world.person_pk} (not shared with your agency)" in refused
    assert "Hiddenperson" not in refused
    assert "Out of scope: the person is not shared with the user&#x27;s agency" in refused


def test_a_supervisor_who_may_see_the_person_reads_their_name(client, partnership, world):
    client.force_login(partnership.probation_officer)
    client.get(f"/people/{world.person_pk}/items/{world.item_pk}/why/")
    client.force_login(UserFactory.create(agency=partnership.probation, roles=[Role.SUPERVISOR]))

    refused = client.get(reverse("access-log"), {"action": "refused"}).content.decode()

    assert "Refusalcase Hiddenperson" in refused


def test_the_log_filters_by_user(client, partnership, world):
    other = UserFactory.create(agency=partnership.elsewhere, roles=[Role.PRACTITIONER])
    for user in (partnership.outsider, other):
        access_refusal_record(user=user, nominal_id=world.person_pk, reason="Probe", path="/p/")
    client.force_login(UserFactory.create(agency=partnership.elsewhere, roles=[Role.SUPERVISOR]))

    body = client.get(reverse("access-log"), {"user": partnership.outsider.pk, "action": "refused"}).content.decode()

    assert "1 event" in body
    assert partnership.outsider.username in body
    assert other.username not in body


# --- A burst of refusals tells the user's agency admins ------------------------------------------------


@pytest.fixture
def admins(partnership) -> dict[str, User]:
    return {
        "elsewhere": UserFactory.create(agency=partnership.elsewhere, roles=[Role.AGENCY_ADMIN]),
        "police": UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN]),
        "system": UserFactory.create(agency=partnership.police, roles=[Role.SYSTEM_ADMIN]),
    }


def refuse(user: User, times: int, person_pk: int) -> None:
    for _ in range(times):
        access_refusal_record(user=user, nominal_id=person_pk, reason="Probe", path=f"/people/{person_pk}/")


def bursts() -> list[Notification]:
    return list(Notification.objects.filter(kind=Notification.Kind.REFUSAL_BURST))


def test_twenty_refusals_in_ten_minutes_tell_the_users_agency_admins_once(partnership, world, admins):
    refuse(partnership.outsider, 19, world.person_pk)
    assert not bursts()

    refuse(partnership.outsider, 6, world.person_pk)

    [told] = bursts()
    assert told.recipient == admins["elsewhere"]
    assert told.subject == f"user:{partnership.outsider.pk}"
    assert told.due_on == timezone.localdate()
    assert told.link == f"/people/access-log/?user={partnership.outsider.pk}&action=refused"


def test_refusals_spread_over_more_than_the_window_tell_no_one(partnership, world, admins):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        refuse(partnership.outsider, 10, world.person_pk)
        traveller.shift(datetime.timedelta(minutes=11))
        refuse(partnership.outsider, 10, world.person_pk)

    assert not bursts()


@override_settings(IOM_REFUSAL_BURST_COUNT=3, IOM_REFUSAL_BURST_MINUTES=1)
def test_the_burst_is_set_in_settings(partnership, world, admins):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        refuse(partnership.outsider, 2, world.person_pk)
        traveller.shift(datetime.timedelta(minutes=2))
        refuse(partnership.outsider, 2, world.person_pk)
        assert not bursts()
        refuse(partnership.outsider, 1, world.person_pk)

    assert len(bursts()) == 1


def test_the_burst_is_told_only_to_admins_of_the_users_agency_and_system_admins(client, partnership, world, admins):
    refuse(partnership.outsider, 20, world.person_pk)
    [told] = bursts()
    name = partnership.outsider.get_full_name()
    today = timezone.localdate()

    def tell(reader: User) -> str | None:
        [text] = reminders_tell([Reminder(reader.pk, told.kind, told.subject, today, told.link)])
        return text

    assert tell(admins["elsewhere"]) == f"{name} was refused 20 times within 10 minutes: read the access log"
    assert tell(admins["system"]) is not None
    assert tell(admins["police"]) is None
    assert tell(partnership.outsider) is None
    assert tell(UserFactory.create(agency=partnership.elsewhere, roles=[Role.SUPERVISOR])) is None
    client.force_login(admins["elsewhere"])
    inbox = client.get("/notifications/").content.decode()
    assert name in inbox
    opened = client.get(f"/notifications/{told.pk}/open/")
    assert opened["Location"] == told.link
    assert notifications_tell(admins["police"], [told]) == [None]


def test_an_admin_refused_in_a_burst_is_not_told_of_themselves(partnership, world, admins):
    refuse(admins["elsewhere"], 20, world.person_pk)

    assert [n.recipient for n in bursts()] == [admins["system"]], "the system admins, when no one else is"
