"""The access log's hash chain (cohorts/audit_chain.py): intact as the application writes it, however
many requests log at once; broken, and said where, when the tables' owner changes, removes or moves a
row; the nightly task tells the system admins. The rows are committed, and the owner tampers over a
connection of its own with the triggers off, as only it can."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from cohorts.audit_chain import access_log_check, access_log_verify
from cohorts.models import AccessEvent, AccessLogCheckpoint
from cohorts.records.services import access_event_record
from cohorts.tasks import verify_access_log
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.concurrency import at_once
from tests.iom.test_celery import wait_for
from tests.migrated_state import owner_transaction
from tests.sharing.factories import UserFactory

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def logged(partnership) -> list[AccessEvent]:
    """Five committed access events, in order."""
    nominal = make_nominal(partnership.officer)
    return [
        access_event_record(user=partnership.officer, action=AccessEvent.Action.VIEW, nominal=nominal, reason=str(n))
        for n in range(5)
    ]


def as_owner(statement: str, params: list[object] | None = None) -> None:
    with owner_transaction() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(statement, params)


def verify_command() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_the_chain_holds_as_the_application_writes_it(logged):
    positions = list(AccessEvent.objects.order_by("chain_position").values_list("chain_position", flat=True))

    verdict = access_log_verify()

    assert positions == [1, 2, 3, 4, 5]
    assert verdict.intact, verdict.problem
    assert (verdict.rows, verdict.head_position) == (5, 5)
    assert verdict.head_hash == AccessEvent.objects.get(chain_position=5).chain_hash
    assert "The access log's chain holds: 5 events, head at position 5" in verify_command()


def test_the_chain_takes_no_position_or_hash_from_the_writer(partnership):
    event = AccessEvent.objects.create(
        user=partnership.officer, agency=partnership.police, action=AccessEvent.Action.SEARCH, chain_position=99
    )
    event.refresh_from_db()

    assert event.chain_position == 1
    assert access_log_verify().intact


def test_a_row_changed_by_the_owner_breaks_the_chain_there(logged):
    as_owner("UPDATE cohorts_accessevent SET reason = 'nothing to see' WHERE id = %s", [logged[2].pk])

    verdict = access_log_verify()

    assert not verdict.intact
    assert verdict.broken_at == 3
    assert "does not match its hash" in verdict.problem
    with pytest.raises(CommandError, match="broken at position 3"):
        verify_command()


def test_a_row_removed_by_the_owner_is_missed(logged):
    as_owner("DELETE FROM cohorts_accessevent WHERE id = %s", [logged[1].pk])

    verdict = access_log_verify()

    assert verdict.broken_at == 2
    assert "at position 2 is missing" in verdict.problem


def test_rows_moved_by_the_owner_break_the_chain(logged):
    first, second = logged[1], logged[3]
    as_owner(
        "UPDATE cohorts_accessevent SET chain_position = -chain_position WHERE id IN (%s, %s)", [first.pk, second.pk]
    )
    as_owner("UPDATE cohorts_accessevent SET chain_position = 4 WHERE id = %s", [first.pk])
    as_owner("UPDATE cohorts_accessevent SET chain_position = 2 WHERE id = %s", [second.pk])

    verdict = access_log_verify()

    assert verdict.broken_at == 2
    assert "does not match its hash" in verdict.problem


def test_a_row_the_owner_renumbers_into_a_gap_breaks_it_too(logged):
    as_owner("DELETE FROM cohorts_accessevent WHERE id = %s", [logged[4].pk])
    as_owner("UPDATE cohorts_accessevent SET chain_position = 5 WHERE id = %s", [logged[3].pk])

    assert access_log_verify().broken_at == 4


def test_rows_cut_from_the_end_after_a_check_show(logged):
    assert access_log_check().intact
    as_owner("DELETE FROM cohorts_accessevent WHERE id = %s", [logged[4].pk])

    verdict = access_log_verify()

    assert verdict.broken_at == 5
    assert "removed from its end" in verdict.problem


def test_a_log_rewritten_after_a_check_shows(logged, partnership):
    access_log_check()
    # The owner removes a row and rechains everything after it, as the trigger would have.
    as_owner("DELETE FROM cohorts_accessevent WHERE id >= %s", [logged[3].pk])
    access_event_record(user=partnership.officer, action=AccessEvent.Action.SEARCH, query="x")
    access_event_record(user=partnership.officer, action=AccessEvent.Action.SEARCH, query="y")

    verdict = access_log_verify()

    assert verdict.broken_at == 5
    assert "not the one the check" in verdict.problem


def test_concurrent_requests_make_one_chain(partnership):
    def log_ten() -> None:
        for _ in range(10):
            access_event_record(user=partnership.officer, action=AccessEvent.Action.SEARCH, query="q")

    at_once(log_ten, times=3)

    verdict = access_log_verify()
    assert verdict.intact, verdict.problem
    assert verdict.rows == verdict.head_position == 30


def test_the_nightly_check_keeps_an_intact_verdict_quietly(logged):
    checkpoint = access_log_check()

    assert checkpoint.intact
    assert (checkpoint.rows, checkpoint.head_position) == (5, 5)
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_tells_the_system_admins_of_a_broken_chain(celery_worker, logged):
    UserFactory(roles=[Role.SYSTEM_ADMIN], email="admin@iom.example")
    UserFactory(roles=[Role.SUPERVISOR], email="supervisor@iom.example")
    as_owner("UPDATE cohorts_accessevent SET reason = '' WHERE id = %s", [logged[0].pk])
    mail.outbox = []

    verify_access_log.delay()

    assert wait_for(lambda: AccessLogCheckpoint.objects.filter(intact=False).exists())
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["admin@iom.example"]
    assert "position 1" in mail.outbox[0].body
    assert AccessLogCheckpoint.objects.get().problem.startswith("The access event at position 1")


def test_the_check_is_scheduled_nightly(settings):
    assert settings.IOM_DAILY_JOBS["verify-access-log"] == ("cohorts.tasks.verify_access_log", "03:45")
