"""What the information sharing agreements' sweep finds due (run by notifications/sweeps.py, stored
once by reminders_send).

It lives in cohorts, not sharing, because an ended agreement's grants are cohorts' to revoke (the
grants are rights to see nominals; apps depend cohorts -> sharing, never back).

An agreement is in force while its end date has not passed (ends_on >= the day), so it has ended
from the day after ends_on; one ended early by its admins (status "ended") has ended from ends_on.
The sharing rules already withhold items by date; the person-level grants are what linger until
someone recomputes them, so the sweep recomputes the grants of every party to an agreement that
ended in the last week before it tells anyone (only those agencies: one agency's recompute takes
about 115 ms at 20,000 people, all fifty agencies' nearly 5 s; see the README's benchmark)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Q
from django.urls import reverse

from cohorts.access import grants_recompute
from notifications.models import Notification
from notifications.services import Notice, Reminder
from sharing.models import SharingAgreement, User
from sharing.roles import Role

AHEAD = datetime.timedelta(days=30)
# An ended agreement is told on any of the seven days after it ended, so a sweep that could not run
# for days (a broker outage, a long weekend) still tells it; the key keeps it to once.
ENDED_WITHIN = datetime.timedelta(days=7)

Kind = Notification.Kind
Status = SharingAgreement.Status


def _due(on: datetime.date) -> list[tuple[int, str, str, str, datetime.date | None, datetime.date | None, int]]:
    """Active agreements with a review or an end within 30 days, and agreements (active or ended
    early) that ended within the last week. Draft agreements share nothing and suspended ones have
    had their grants withdrawn already: neither is told. One query."""
    in_force = Q(status=Status.ACTIVE) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    review_due = in_force & Q(review_on__gte=on, review_on__lte=on + AHEAD)
    ending = in_force & Q(ends_on__lte=on + AHEAD)
    lapsed = Q(status=Status.ACTIVE, ends_on__lt=on)
    ended_early = Q(status=Status.ENDED, ends_on__lte=on)
    ended = (lapsed | ended_early) & Q(ends_on__gte=on - ENDED_WITHIN)
    return list(
        SharingAgreement.objects.filter(review_due | ending | ended)
        .order_by("pk")
        .values_list("pk", "reference", "title", "status", "review_on", "ends_on", "owner_agency_id")
    )


def _ended_on(status: str, ends_on: datetime.date | None, on: datetime.date) -> datetime.date | None:
    """The agreement's end date if it has ended by `on` (the day after its end date, or its end
    date when its admins ended it early), else None."""
    if ends_on is not None and (ends_on < on or (status == Status.ENDED and ends_on <= on)):
        return ends_on
    return None


def agreement_reminders(on: datetime.date) -> list[Reminder]:
    """Agreements whose review is due within 30 days (ISA_REVIEW_DUE) or which end within 30 days
    (ISA_ENDING), and those that ended in the last week (ISA_ENDED, after their parties' grants are
    revoked): to the agency admins of every party and of the agency that owns the agreement, linked
    to the agreement's page. Three queries, and a grants recompute per party of an ended agreement."""
    due = _due(on)
    if not due:
        return []
    parties: dict[int, set[int]] = {pk: {owner_agency_id} for pk, *_, owner_agency_id in due}
    party_rows = SharingAgreement.parties.through.objects.filter(sharingagreement_id__in=list(parties))
    for agreement_id, agency_id in party_rows.values_list("sharingagreement_id", "agency_id"):
        parties[agreement_id].add(agency_id)

    ended_parties = {
        agency_id
        for pk, _reference, _title, status, _review_on, ends_on, _owner in due
        if _ended_on(status, ends_on, on)
        for agency_id in parties[pk]
    }
    if ended_parties:
        grants_recompute(agency_ids=sorted(ended_parties))

    all_parties = set().union(*parties.values())
    admins: dict[int, list[int]] = {}
    admin_rows = (
        User.objects.filter(is_active=True, agency_id__in=all_parties, groups__name=Role.AGENCY_ADMIN)
        .order_by("agency_id", "pk")
        .values_list("agency_id", "pk")
        .distinct()
    )
    for agency_id, user_id in admin_rows:
        admins.setdefault(agency_id, []).append(user_id)

    reminders: list[Reminder] = []
    for pk, _reference, _title, status, review_on, ends_on, _owner in due:
        told: list[tuple[str, datetime.date]] = []
        ended_on = _ended_on(status, ends_on, on)
        if ended_on is not None:
            told.append((Kind.ISA_ENDED, ended_on))
        else:
            if review_on is not None and on <= review_on <= on + AHEAD:
                told.append((Kind.ISA_REVIEW_DUE, review_on))
            if ends_on is not None and ends_on <= on + AHEAD:
                told.append((Kind.ISA_ENDING, ends_on))
        recipients = dict.fromkeys(
            user_id for agency_id in sorted(parties[pk]) for user_id in admins.get(agency_id, [])
        )
        link = reverse("agreement-detail", args=[pk])
        for kind, due_on in told:
            reminders += [Reminder(user_id, kind, f"agreement:{pk}", due_on, link) for user_id in recipients]
    return reminders


WHAT = {
    Kind.ISA_ENDED: "ended on {day}; its grants are revoked",
    Kind.ISA_REVIEW_DUE: "review due {day}",
    Kind.ISA_ENDING: "ends on {day}",
}


def agreements_told(notices: Sequence[Notice], on: datetime.date) -> list[str | None]:
    """An agreement's review or end, told to a reader who may open the agreement (agreements_visible_to:
    its parties' users; system administrators all). Two queries."""
    ids = {n.subject_id for n in notices}
    agreements = {a.pk: a for a in SharingAgreement.objects.filter(pk__in=ids).order_by()}
    parties: dict[int, set[int]] = {}
    rows = SharingAgreement.parties.through.objects.filter(sharingagreement_id__in=ids)
    for agreement_id, agency_id in rows.values_list("sharingagreement_id", "agency_id") if agreements else []:
        parties.setdefault(agreement_id, set()).add(agency_id)
    told: list[str | None] = []
    for notice in notices:
        agreement = agreements.get(notice.subject_id)
        reader = notice.reader
        if agreement is None or not (
            reader.has_role(Role.SYSTEM_ADMIN) or reader.agency_id in parties.get(agreement.pk, set())
        ):
            told.append(None)
            continue
        what = WHAT[Kind(notice.kind)].format(day=f"{notice.due_on:%-d %B %Y}")
        told.append(f"Information sharing agreement {agreement.reference} ({agreement.title}): {what}")
    return told
