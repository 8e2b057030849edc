"""What the cohort's sweeps find due (issue 7; run by iom/sweeps.py, stored once by reminders_send).

Each finder reads the state of the whole cohort on a day, in a fixed number of queries whatever the
number of people, and returns one reminder per recipient and thing due, keyed by its due date so
that the same review, plan or release is never told twice to the same person."""

from __future__ import annotations

import datetime

from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse

from cohorts.access import current_memberships
from cohorts.models import Nominal
from cohorts.reviews import current_leads, with_review_due
from iom.models import Notification
from iom.notifications import Reminder

REVIEW_DUE_AHEAD = datetime.timedelta(days=3)


def review_reminders(on: datetime.date) -> list[Reminder]:
    """Supervisor reviews due within 3 days, and overdue, on the cadence of each person's RAG rating:
    to the lead officers holding the case (the lead professional and the IOM police lead) and to
    their supervisors, as the supervisor's home page counts their team's reviews. Two queries."""
    on_cohort = current_memberships(on).filter(nominal=OuterRef("pk"))
    due = list(
        with_review_due(Nominal.objects.filter(Exists(on_cohort)), on)
        .filter(Q(review_due_on__lte=on + REVIEW_DUE_AHEAD))
        .order_by("pk")
        .values_list("pk", "first_name", "last_name", F("review_due_on"))
    )
    holders: dict[int, list[int]] = {}
    leads = (
        current_leads(on)
        .filter(nominal_id__in=[pk for pk, *_ in due])
        .order_by("nominal_id", "role", "pk")
        .values_list("nominal_id", "worker_id", "worker__supervisor_id")
    )
    for nominal_id, worker_id, supervisor_id in leads:
        holders.setdefault(nominal_id, []).extend(r for r in (supervisor_id, worker_id) if r is not None)
    reminders = []
    for pk, first_name, last_name, due_on in due:
        overdue = due_on < on
        kind = Notification.Kind.REVIEW_OVERDUE if overdue else Notification.Kind.REVIEW_DUE
        when = f"{'Overdue since' if overdue else 'Due'} {due_on:%-d %B %Y}"
        title = f"Supervisor review of {last_name.upper()}, {first_name}: {when}"
        link = reverse("review-new", args=[pk])
        for recipient_id in dict.fromkeys(holders.get(pk, [])):
            reminders.append(Reminder(recipient_id, kind, f"nominal:{pk}", due_on, title, link))
    return reminders
