"""What the youth-to-adult sweep finds due (run by notifications/sweeps.py, stored once by
reminders_send).

A young person's three Y2A milestones (referrals/dates.py: 17 years 6 months, consider the transfer
and list them for the Y2A panel; 17 years 9 months, start the liaison; the 18th birthday, IOM takes
over) are each told once, from 14 days before the milestone to the milestone day itself. The window
is read from the state on the day, not from "since the last run": a sweep that did not run for a
few days (a broker or worker outage) still finds every milestone whose window is open, and the key
(due on the milestone date) makes a second run a no-op.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse

from cohorts.access import agency_may_see_item, current_involvements, current_memberships
from cohorts.events.models import CustodyEvent
from cohorts.management.models import CaseAssignment, CohortMembership
from cohorts.records.models import Nominal, RecordedItem
from cohorts.records.selectors import people_visible_to_each
from cohorts.reviews.services import current_leads
from cohorts.sweeps import RELEASE_AHEAD, Release, recorded_releases
from cohorts.sweeps import release_reminders as cohort_release_reminders
from notifications.models import Notification
from notifications.services import Notice, Reminder
from referrals.dates import add_months, y2a_milestones
from referrals.models import Referral
from referrals.selectors import referrals_visible_to
from sharing.models import Agency
from sharing.roles import Role

Y2A_NOTICE = datetime.timedelta(days=14)
# A youth-to-adult referral that is going ahead (the Y2A panel's agenda counts the same ones).
Y2A_REFERRAL_STATUSES = (*Referral.IN_PROGRESS_STATUSES, Referral.Status.ACCEPTED)
YOT = Agency.Kind.YOUTH_OFFENDING_TEAM


# What the workers read of each milestone ("{name}" and "{day}" filled in when it is shown).
MILESTONE_TEXTS = {
    Notification.Kind.Y2A_CONSIDER: "{name} is 17 years 6 months on {day}: consider the transfer and the Y2A panel",
    Notification.Kind.Y2A_LIAISON: (
        "{name} is 17 years 9 months on {day}: start the IOM liaison with the youth offending team"
    ),
    Notification.Kind.Y2A_HANDOVER: "{name} turns 18 on {day}: IOM takes over",
}


def _milestones(date_of_birth: datetime.date) -> list[tuple[str, datetime.date]]:
    """Each milestone's kind and date."""
    dates = y2a_milestones(date_of_birth)
    return [
        (Notification.Kind.Y2A_CONSIDER, dates.consider_transfer),
        (Notification.Kind.Y2A_LIAISON, dates.start_liaison),
        (Notification.Kind.Y2A_HANDOVER, dates.eighteenth_birthday),
    ]


def y2a_reminders(on: datetime.date) -> list[Reminder]:
    """Young people (a youth offending team involved in the case now, or a youth-to-adult referral
    in progress or accepted) reaching a Y2A milestone: each milestone from 14 days before it until
    the day itself, due on the milestone date, so told once. To the youth offending team's worker
    (the current key worker of a youth offending team; without one, whoever of a youth offending
    team made the Y2A referral) and to the IOM lead (the current lead professional and IOM police
    lead). Linked to the Y2A referral, where its key dates are shown, or without one to the person's
    page. Three queries whatever the number of people."""
    yot_involved = current_involvements(on).filter(nominal=OuterRef("pk"), agency__kind=YOT)
    y2a_referral = Referral.objects.filter(
        nominal=OuterRef("pk"), kind=Referral.Kind.Y2A, status__in=Y2A_REFERRAL_STATUSES
    )
    # A generous window of birth dates in SQL (months end on different days: 31 August + 17 years 6
    # months is the end of February); the exact milestones are checked below.
    born_after = add_months(on, -18 * 12) - datetime.timedelta(days=7)
    born_before = add_months(on + Y2A_NOTICE, -(17 * 12 + 6)) + datetime.timedelta(days=7)
    people = list(
        Nominal.objects.filter(date_of_birth__gt=born_after, date_of_birth__lt=born_before)
        .filter(Q(Exists(yot_involved)) | Q(Exists(y2a_referral)))
        .order_by("pk")
        .values_list("pk", "date_of_birth")
    )
    due = [
        (pk, kind, day)
        for pk, date_of_birth in people
        for kind, day in _milestones(date_of_birth)
        if day - Y2A_NOTICE <= on <= day
    ]
    ids = {pk for pk, *_ in due}
    yot_workers: dict[int, list[int]] = {}
    iom_leads: dict[int, list[int]] = {}
    key_workers = CaseAssignment.objects.filter(
        role=CaseAssignment.Role.KEY_WORKER, agency__kind=YOT, started_on__lte=on, ended_on__isnull=True
    )
    assignments = (
        (current_leads(on) | key_workers)
        .filter(nominal_id__in=ids)
        .order_by("nominal_id", "role", "pk")
        .values_list("nominal_id", "role", "worker_id")
    )
    for nominal_id, role, worker_id in assignments:
        held = yot_workers if role == CaseAssignment.Role.KEY_WORKER else iom_leads
        held.setdefault(nominal_id, []).append(worker_id)
    referral_of: dict[int, int] = {}
    referrals = (
        Referral.objects.filter(nominal_id__in=ids, kind=Referral.Kind.Y2A, status__in=Y2A_REFERRAL_STATUSES)
        .order_by("nominal_id", "-created_at", "-pk")
        .values_list("nominal_id", "pk", "referring_agency__kind", "referred_by_id")
    )
    for nominal_id, referral_id, agency_kind, referrer_id in referrals:
        referral_of.setdefault(nominal_id, referral_id)
        if agency_kind == YOT and nominal_id not in yot_workers:
            yot_workers[nominal_id] = [referrer_id]
    reminders = []
    for pk, kind, day in due:
        link = (
            reverse("referral-detail", args=[referral_of[pk]])
            if pk in referral_of
            else reverse("nominal-detail", args=[pk])
        )
        for recipient_id in dict.fromkeys(yot_workers.get(pk, []) + iom_leads.get(pk, [])):
            reminders.append(Reminder(recipient_id, kind, f"nominal:{pk}", day, link))
    return reminders


def milestones_told(notices: Sequence[Notice], on: datetime.date) -> list[str | None]:
    """A Y2A milestone, told to a reader who may see the young person. Two queries."""
    seen = people_visible_to_each({n.reader for n in notices}, {n.subject_id for n in notices})
    told: list[str | None] = []
    for notice in notices:
        person = seen.get((notice.reader.pk, notice.subject_id))
        text = MILESTONE_TEXTS[Notification.Kind(notice.kind)]
        told.append(None if person is None else text.format(name=person.name, day=f"{notice.due_on:%-d %B %Y}"))
    return told


# --- Releases from custody ----------------------------------------------------------------------------


def release_reminders(on: datetime.date) -> list[Reminder]:
    """Releases from custody in the next 14 days of people on IOM now or on it before: those recorded
    (cohorts.sweeps.recorded_releases) and those expected, the release date the latest referral of
    someone in custody now expects (as the MAP agenda lists them). Told as cohorts.sweeps says, once
    per release date. Three queries."""
    window_end = on + RELEASE_AHEAD
    latest_referral = (
        Referral.objects.filter(nominal=OuterRef("nominal"))
        .exclude(status=Referral.Status.DRAFT)
        .order_by("-created_at", "-pk")
    )
    ever_on_iom = CohortMembership.objects.filter(nominal=OuterRef("nominal"), started_on__lte=on)
    on_iom = current_memberships(on).filter(nominal=OuterRef("nominal"))
    expected = (
        Referral.objects.filter(
            nominal__custody_status=Nominal.CustodyStatus.CUSTODY,
            release_expected_on__gte=on,
            release_expected_on__lte=window_end,
        )
        .filter(pk=Subquery(latest_referral.values("pk")[:1]))
        .filter(Exists(ever_on_iom))
        .annotate(on_iom=Exists(on_iom))
        .order_by("nominal_id")
        .values_list("nominal_id", "release_expected_on", "on_iom")
    )
    releases = recorded_releases(on)
    # An expected date in the window, so never None.
    releases += [Release(*row, expected=True) for row in expected]  # type: ignore[arg-type]
    return cohort_release_reminders(on, releases)


def releases_told(notices: Sequence[Notice], on: datetime.date) -> list[str | None]:
    """A release from custody, told to a reader who may see the person and the release itself: a
    release event whose item their agency may see (rule 2, as the events page shows it), or else
    the expected date of a referral they may open with its content. "Previously on IOM" for
    someone no longer on it. Three queries, and two per readers' agency."""
    ids = {n.subject_id for n in notices}
    dates = {n.due_on for n in notices}
    seen = people_visible_to_each({n.reader for n in notices}, ids)
    releases = CustodyEvent.objects.filter(
        kind=CustodyEvent.Kind.RELEASE, item__nominal_id__in=ids, release_on__in=dates
    )
    recorded: dict[int, set[tuple[int, datetime.date | None]]] = {}
    for agency_id in sorted({n.reader.agency_id for n in notices}):
        visible = RecordedItem.objects.filter(agency_may_see_item(agency_id, on))
        recorded[agency_id] = set(releases.filter(item__in=visible).values_list("item__nominal_id", "release_on"))
    # Submitted referrals are seen alike by every user of an agency (drafts differ, and are not read),
    # and by system administrators whatever their agency: one reader stands for each such group.
    expected: dict[tuple[int, bool], set[tuple[int, datetime.date | None]]] = {}
    for notice in notices:
        group = (notice.reader.agency_id, notice.reader.has_role(Role.SYSTEM_ADMIN))
        if group in expected or (notice.subject_id, notice.due_on) in recorded[notice.reader.agency_id]:
            continue
        referrals = referrals_visible_to(notice.reader).filter(nominal_id__in=ids, release_expected_on__in=dates)
        expected[group] = set(
            referrals.filter(Q(content_visible=True))  # the annotation of referrals_visible_to
            .exclude(status=Referral.Status.DRAFT)
            .values_list("nominal_id", "release_expected_on")
        )
    on_iom = set(current_memberships(on).filter(nominal_id__in=ids).values_list("nominal_id", flat=True))
    told: list[str | None] = []
    for notice in notices:
        person = seen.get((notice.reader.pk, notice.subject_id))
        release = (notice.subject_id, notice.due_on)
        if person is None:
            told.append(None)
            continue
        if release in recorded[notice.reader.agency_id]:
            verb = "released"
        elif release in expected.get((notice.reader.agency_id, notice.reader.has_role(Role.SYSTEM_ADMIN)), set()):
            verb = "expected to be released"
        else:
            told.append(None)
            continue
        text = f"{person.name} {verb} from custody on {notice.due_on:%-d %B %Y}"
        told.append(text if notice.subject_id in on_iom else f"{text}: previously on IOM")
    return told
