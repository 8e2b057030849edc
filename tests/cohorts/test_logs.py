"""The access log and the change history can be added to, never changed or removed."""

import pytest
from django.db import DatabaseError, connection, transaction

from cohorts.models import AccessEvent
from cohorts.records.models import Nominal
from cohorts.records.services import access_event_record, nominal_update
from tests.cohorts.factories import make_nominal

NominalEvent = Nominal.pgh_event_model  # type: ignore[attr-defined]


@pytest.fixture
def event(partnership):
    nominal = make_nominal(partnership.officer)
    return access_event_record(user=partnership.officer, action=AccessEvent.Action.VIEW, nominal=nominal)


def test_an_access_event_cannot_be_updated(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(reason="tampered")


def test_an_access_event_cannot_be_deleted(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).delete()


def test_raw_sql_cannot_rewrite_the_access_log_either(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cohorts_accessevent SET reason = 'tampered'")


def test_every_change_to_a_nominal_is_kept_with_the_acting_context(partnership):
    nominal = make_nominal(partnership.officer, last_name="Before")

    nominal_update(nominal=nominal, by=partnership.officer, last_name="After")

    events = NominalEvent.objects.filter(pgh_obj=nominal).order_by("pgh_id")
    assert [event.last_name for event in events] == ["Before", "After"]
    assert [event.pgh_label for event in events] == ["insert", "update"]


def test_the_change_history_cannot_be_rewritten(partnership):
    nominal = make_nominal(partnership.officer)
    history = NominalEvent.objects.filter(pgh_obj=nominal)

    with pytest.raises(DatabaseError), transaction.atomic():
        history.update(last_name="Rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        history.delete()
