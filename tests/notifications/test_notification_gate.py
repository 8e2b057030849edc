"""One gate for notifications: a notification stores ids, and what it says is told when it
is shown, through the sharing rules, to its reader at that moment: in the sweep that would store it,
in its email, and in the inbox. tests/test_permission_matrix.py tries every kind by role and scope."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import CaseAssignment
from cohorts.records.services import case_assign
from cohorts.sweeps import transition_reminders
from notifications.models import Notification
from notifications.outbox import recipient_emails_send
from notifications.services import TELLERS, digest_send, reminders_allowed, teller_of
from notifications.sweeps import sweep_run
from sharing.roles import Role
from sharing.services import agreement_suspend
from tests.cohorts.test_transition_release_sweeps import led_on_cohort
from tests.notices import said
from tests.notifications.test_notifications import on_cohort_with_red_rating
from tests.sharing.factories import UserFactory

Kind = Notification.Kind
DAY = datetime.timedelta(days=1)


def test_every_kind_has_a_teller():
    assert set(TELLERS) == set(Kind.values)
    for path in set(TELLERS.values()):
        assert callable(teller_of(path)), path


def test_a_notification_stores_no_name_and_no_text():
    stored = {field.name for field in Notification._meta.get_fields()}

    assert not stored & {"title", "text", "name", "body"}


# --- A sweep tells no one what their agency may not see --------------------------------------------------


def test_the_transitions_sweep_does_not_tell_a_lead_the_licence_end_their_agency_is_not_shared(partnership):
    """The drug service's key worker leads the case: their agency sees the person (a role in the
    case) but not the licence end date (offending and risk, not shared with it). Before, the sweep
    told them "licence ends ..."; the police lead and the supervisors are still told."""
    today = timezone.localdate()
    person = led_on_cohort(partnership, licence_ends_on=today + 8 * 7 * DAY, last_name="Licenceonly")
    case_assign(
        nominal=person.nominal,
        role=CaseAssignment.Role.LEAD_PROFESSIONAL,
        worker=partnership.drugs_worker,
        by=partnership.officer,
        reason="Treatment-led",
        started_on=today,
    )

    found = [r for r in transition_reminders(today) if r.subject == person.subject]
    allowed = reminders_allowed(found, today)
    sweep_run(name="transitions", on=today)

    assert partnership.drugs_worker.pk in {r.recipient_id for r in found}  # the finder's holders
    assert partnership.drugs_worker.pk not in {r.recipient_id for r in allowed}
    assert not Notification.objects.filter(recipient=partnership.drugs_worker).exists()
    told = Notification.objects.filter(subject=person.subject, kind=Kind.TRANSITION_NO_PLAN)
    assert set(told.values_list("recipient_id", flat=True)) == {person.police_lead.pk, person.police_supervisor.pk}
    police = next(r for r in allowed if r.recipient_id == person.police_lead.pk)
    assert "licence ends" in said(police, today)


# --- Access ended after the notification was made -------------------------------------------------------


@pytest.fixture
def withdrawn(partnership):
    """A review overdue told to the probation lead professional's supervisor; then both agreements
    probation sees the person by are suspended and the lead is handed to the police: the person is no
    longer theirs."""
    started = timezone.localdate() - datetime.timedelta(weeks=3)
    nominal, supervisor, _ = on_cohort_with_red_rating(partnership, started_on=started, last_name="Roberts")
    supervisor.email = "lead@example.org"
    supervisor.save()
    sweep_run(name="reviews")
    notification = Notification.objects.get(recipient=supervisor)
    admin = UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN])
    for agreement in (partnership.core, partnership.substance):
        agreement_suspend(agreement=agreement, by=admin)
    case_assign(
        nominal=nominal,
        role=CaseAssignment.Role.LEAD_PROFESSIONAL,
        worker=UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER]),
        by=partnership.officer,
        reason="Handed over",
        started_on=timezone.localdate(),
    )
    mail.outbox.clear()
    return nominal, supervisor, notification


def test_the_inbox_withdraws_a_notification_whose_person_the_reader_may_no_longer_see(client, withdrawn):
    nominal, lead, notification = withdrawn
    client.force_login(lead)

    page = client.get(f"/people/{nominal.pk}/")
    inbox = client.get(reverse("notification-list")).content.decode()
    opened = client.get(reverse("notification-open", args=[notification.pk]), follow=True)

    assert page.status_code == 404
    assert "ROBERTS" not in inbox
    assert 'data-testid="withdrawn"' in inbox
    assert "You can no longer see what this was about" in inbox
    assert reverse("review-new", args=[nominal.pk]) not in inbox
    assert opened.redirect_chain == [(reverse("notification-list"), 302)]
    assert "This notification is withdrawn" in opened.content.decode()
    assert "ROBERTS" not in opened.content.decode()


def test_a_withdrawn_notification_is_not_emailed_at_once_nor_in_the_digest(withdrawn):
    _, lead, notification = withdrawn
    Notification.objects.filter(pk=notification.pk).update(emailed_at=None, email_owed_since=timezone.now())

    sent = recipient_emails_send(recipient_id=lead.pk)
    Notification.objects.filter(pk=notification.pk).update(delivery=Notification.Delivery.DIGEST)
    digest = digest_send(recipient=lead, day=timezone.localdate())

    assert sent is not None
    assert (sent.emails, sent.withdrawn) == (0, 1)
    assert Notification.objects.get(pk=notification.pk).email_owed_since is None  # no longer owed
    assert digest is None
    assert mail.outbox == []


def test_a_notification_is_told_again_when_access_returns(client, partnership, withdrawn):
    _, lead, _ = withdrawn
    partnership.core.refresh_from_db()
    from sharing.services import agreement_activate

    agreement_activate(
        agreement=partnership.core, by=UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN])
    )
    client.force_login(lead)

    assert "Supervisor review of ROBERTS" in client.get(reverse("notification-list")).content.decode()


# --- The inbox: a fixed number of queries ------------------------------------------------------------------


def test_the_inbox_tells_its_notifications_in_the_same_queries_for_one_person_or_many(client, partnership):
    started = timezone.localdate() - datetime.timedelta(weeks=3)
    _, supervisor, _ = on_cohort_with_red_rating(partnership, started_on=started, last_name="First")
    sweep_run(name="reviews")
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("notification-list"))
    for n in range(4):
        _, _, lead = on_cohort_with_red_rating(partnership, started_on=started, last_name=f"More{n}")
        lead.supervisor = supervisor
        lead.save()
    Notification.objects.all().delete()
    sweep_run(name="reviews")
    with CaptureQueriesContext(connection) as five:
        body = client.get(reverse("notification-list")).content.decode()

    assert body.count('data-testid="notification"') == 5
    assert len(five) == len(one)
