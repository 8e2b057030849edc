"""What the cohort's sweeps find due (issue 7; run by iom/sweeps.py, stored once by reminders_send).

Each finder reads the state of the whole cohort on a day, in a fixed number of queries whatever the
number of people, and returns one reminder per recipient and thing due, keyed by its due date so
that the same review, plan or release is never told twice to the same person."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from cohorts.access import current_memberships
from cohorts.models import CaseAssignment, Nominal
from cohorts.reviews import with_review_due
from iom.models import Notification
from iom.notifications import Reminder

REVIEW_DUE_AHEAD = datetime.timedelta(days=3)


def _current_lead(on: datetime.date) -> QuerySet[CaseAssignment]:
    return CaseAssignment.objects.filter(
        nominal=OuterRef("pk"), role=CaseAssignment.Role.LEAD_PROFESSIONAL, started_on__lte=on, ended_on__isnull=True
    ).order_by("-started_on", "-pk")


def review_reminders(on: datetime.date) -> list[Reminder]:
    """Supervisor reviews due within 3 days, and overdue, on the cadence of each person's RAG rating:
    to the lead professional's supervisor (who reviews) and to the lead professional. One query."""
    on_cohort = current_memberships(on).filter(nominal=OuterRef("pk"))
    lead = _current_lead(on)
    rows = (
        with_review_due(Nominal.objects.filter(Exists(on_cohort)), on)
        .filter(Q(review_due_on__lte=on + REVIEW_DUE_AHEAD))
        .annotate(
            lead_id=Subquery(lead.values("worker_id")[:1]),
            lead_supervisor_id=Subquery(lead.values("worker__supervisor_id")[:1]),
        )
        .order_by("pk")
        .values_list("pk", "first_name", "last_name", "review_due_on", "lead_id", "lead_supervisor_id")
    )
    reminders = []
    for pk, first_name, last_name, due_on, lead_id, supervisor_id in rows.iterator(chunk_size=2000):
        overdue = due_on < on
        kind = Notification.Kind.REVIEW_OVERDUE if overdue else Notification.Kind.REVIEW_DUE
        when = f"{'Overdue since' if overdue else 'Due'} {due_on:%-d %B %Y}"
        title = f"Supervisor review of {last_name.upper()}, {first_name}: {when}"
        link = reverse("review-new", args=[pk])
        for recipient_id in dict.fromkeys(r for r in (supervisor_id, lead_id) if r is not None):
            reminders.append(Reminder(recipient_id, kind, f"nominal:{pk}", due_on, title, link))
    return reminders
