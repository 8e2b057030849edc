"""The benchmark's sweeps section (`manage.py benchmark`, README "Benchmark"): every reminder sweep
(notifications/sweeps.py) run over the invented partnership of demo/benchmark.py, with work due on the day.

The partnership is built once and reused for weeks, so whatever is dated in it drifts out of the
sweeps' windows. Supervisor reviews and licence ends stay due every day by construction (cadences
and ends spread over two years); everything else a sweep looks for is made here for the day
measured, in bulk, inside the transaction the measuring runs in, and rolled back with it:

- releases from custody recorded for the next 14 days, for one in twenty of the people on the
  cohort in custody;
- young people reaching a Y2A milestone in the next 14 days (one in two hundred on the cohort), a
  youth offending team involved and its worker assigned, where the partnership has such a team;
- each supervisor's team meeting on one of the next two working days, their workers invited, and a
  meeting held a fortnight ago that set each worker two actions, one of them due within 3 days or
  overdue;
- the core agreement's review due in three weeks, a partner agreement ending in four, and another
  (where there are two) ended yesterday, whose parties' grants the sweep recomputes; each agency's
  partner worker stands in as its agency admin, whom the sweep tells.

Each sweep then runs through its finder and reminders_send, itself rolled back each time, so
nothing is stored and no email is queued: what it found and would store, its queries (a fixed
number, however many people) and its duration.
"""

from __future__ import annotations

import datetime
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from cohorts.access import current_memberships
from cohorts.dates import is_working_day
from cohorts.events.models import CustodyEvent
from cohorts.events.services import EVENT_CATEGORY
from cohorts.management.models import CaseAssignment
from cohorts.records.models import CaseInvolvement, Nominal, RecordedItem
from demo.benchmark import (
    ADMIN_USERNAME,
    PREFIX,
    SUPERVISOR_PREFIX,
    Measurement,
    Say,
    bulk_create_batched,
    partner_username,
    without_history,
)
from demo.mail_sink import MailSink, smtp_settings
from meetings.actions.models import MeetingAction
from meetings.scheduling.models import Meeting, MeetingKind
from notifications.outbox import outbox_send, owed
from notifications.services import reminders_send
from notifications.sweeps import SWEEPS, Sweep
from referrals.dates import add_months, y2a_milestones
from referrals.sweeps import Y2A_NOTICE
from sharing.models import Agency, DataCategory, SharingAgreement, User
from sharing.roles import Role

CONTROL_STATEMENTS = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK")  # transactions, as Django logs them
RELEASE_EVERY = 20  # of the people on the cohort in custody: released within a fortnight
Y2A_EVERY = 200  # of the people on the cohort
Y2A_MONTHS = (17 * 12 + 6, 17 * 12 + 9, 18 * 12)  # the milestones' ages in months
ACTIONS = (
    "Arrange a joint home visit with the police lead",
    "Confirm the accommodation referral has been received",
    "Share the latest drug test results with the partnership",
    "Book a three-way meeting with the prison's offender manager",
)


# --- What falls due on the day -------------------------------------------------------------------


@dataclass(frozen=True)
class DueMade:
    releases: int
    young_people: int
    meetings: int
    actions: int
    agreements: int

    def __str__(self) -> str:
        return (
            f"{self.releases:,} releases, {self.young_people:,} young people at a Y2A milestone, "
            f"{self.meetings:,} meetings, {self.actions:,} open actions, {self.agreements:,} agreements changed"
        )


def _working_days_after(on: datetime.date, count: int) -> list[datetime.date]:
    days: list[datetime.date] = []
    day = on
    while len(days) < count:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            days.append(day)
    return days


def _born_for(on: datetime.date, n: int) -> datetime.date | None:
    """A date of birth putting the n-th young person's milestone (consider, liaison, 18th in turn)
    0 to 14 days after `on`, inside its notice window; None at a month's end where none fits."""
    milestone_on = on + datetime.timedelta(days=n % (Y2A_NOTICE.days + 1))
    born = add_months(milestone_on, -Y2A_MONTHS[n % len(Y2A_MONTHS)])
    milestones = y2a_milestones(born)
    dates = (milestones.consider_transfer, milestones.start_liaison, milestones.eighteenth_birthday)
    return born if any(day - Y2A_NOTICE <= on <= day for day in dates) else None


def due_build(on: datetime.date, *, say: Say) -> DueMade:
    """Make what falls due on `on` in the benchmark's partnership (this module's docstring). Run it
    inside a transaction that is rolled back: it changes dates that the dataset's reuse relies on."""
    say(f"Making what falls due on {on:%-d %B %Y}: releases, Y2A milestones, meetings, actions, agreements ...")
    agencies = list(Agency.objects.filter(name__startswith=PREFIX).order_by("pk"))
    admin = User.objects.get(username=ADMIN_USERNAME)
    with without_history():
        releases = _releases(on, agencies, admin)
        young_people = _young_people(on, agencies, admin)
        meetings, actions = _meetings(on)
        agreements = _agreements(on, agencies)
    return DueMade(releases, young_people, meetings, actions, agreements)


def _on_cohort(on: datetime.date, agencies: list[Agency]) -> list[tuple[int, str]]:
    return list(
        current_memberships(on)
        .filter(nominal__owning_agency__in=agencies)
        .order_by("nominal_id")
        .values_list("nominal_id", "nominal__custody_status")
    )


def _releases(on: datetime.date, agencies: list[Agency], admin: User) -> int:
    in_custody = [pk for pk, status in _on_cohort(on, agencies) if status == Nominal.CustodyStatus.CUSTODY]
    chosen = in_custody[::RELEASE_EVERY]
    police = next(agency for agency in agencies if agency.kind == Agency.Kind.POLICE)
    category = DataCategory.objects.get(code=EVENT_CATEGORY)
    release_dates = [on + datetime.timedelta(days=n % 15) for n in range(len(chosen))]
    items = [
        RecordedItem(
            nominal_id=nominal_id,
            owning_agency=police,
            category=category,
            kind=RecordedItem.Kind.EVENT,
            summary=f"Release from custody on {release_on:%-d %B %Y}",
            occurred_on=release_on,
            recorded_by=admin,
        )
        for nominal_id, release_on in zip(chosen, release_dates, strict=True)
    ]
    bulk_create_batched(RecordedItem.objects, items)
    bulk_create_batched(
        CustodyEvent.objects,
        [
            CustodyEvent(
                item=item,
                kind=CustodyEvent.Kind.RELEASE,
                release_on=release_on,
                licence_ends_on=release_on + datetime.timedelta(days=365),
            )
            for item, release_on in zip(items, release_dates, strict=True)
        ],
    )
    return len(items)


def _young_people(on: datetime.date, agencies: list[Agency], admin: User) -> int:
    """Young people on the cohort at a milestone, with the youth offending team's involvement and its
    worker as key worker (the sweep tells the team's worker and the IOM leads)."""
    yot = next((agency for agency in agencies if agency.kind == Agency.Kind.YOUTH_OFFENDING_TEAM), None)
    if yot is None:
        return 0
    yot_worker = User.objects.filter(agency=yot, is_active=True).order_by("pk").first()
    if yot_worker is None:
        return 0
    people = [pk for pk, _ in _on_cohort(on, agencies)][3::Y2A_EVERY]
    born = {pk: _born_for(on, n) for n, pk in enumerate(people)}
    chosen = {pk: day for pk, day in born.items() if day is not None}
    nominals = list(Nominal.objects.filter(pk__in=chosen).only("pk", "date_of_birth"))
    for nominal in nominals:
        nominal.date_of_birth = chosen[nominal.pk]
    Nominal.objects.bulk_update(nominals, ["date_of_birth"])
    since = on - datetime.timedelta(days=180)
    bulk_create_batched(
        CaseInvolvement.objects,
        [
            CaseInvolvement(nominal_id=pk, agency=yot, reason=CaseInvolvement.Reason.KEY_WORKER, started_on=since)
            for pk in chosen
        ],
    )
    bulk_create_batched(
        CaseAssignment.objects,
        [
            CaseAssignment(
                nominal_id=pk,
                role=CaseAssignment.Role.KEY_WORKER,
                worker=yot_worker,
                agency=yot,
                started_on=since,
                reason="Youth offending team case worker",
                assigned_by=admin,
            )
            for pk in chosen
        ],
    )
    return len(chosen)


def _meetings(on: datetime.date) -> tuple[int, int]:
    """Each supervisor's team: a case conference on one of the next two working days with the
    team's workers invited by name, and one held a fortnight ago that set each worker two actions
    (one due within 3 days or overdue, one due later)."""
    supervisors = list(
        User.objects.filter(username__startswith=SUPERVISOR_PREFIX, is_active=True)
        .order_by("pk")
        .prefetch_related("supervisees")
    )
    next_days = _working_days_after(on, 2)
    held_on = on - datetime.timedelta(days=14)
    meetings: list[Meeting] = []
    for n, supervisor in enumerate(supervisors):
        for date, status in ((next_days[n % 2], Meeting.Status.SCHEDULED), (held_on, Meeting.Status.HELD)):
            meetings.append(
                Meeting(
                    kind=MeetingKind.CASE_CONFERENCE,
                    title=f"Team case conference ({supervisor.get_full_name()})",
                    date=date,
                    starts_at=datetime.time(10, 0),
                    location="Benchmark team room",
                    chair=supervisor,
                    agency_id=supervisor.agency_id,
                    status=status,
                    created_by=supervisor,
                )
            )
    bulk_create_batched(Meeting.objects, meetings)
    invitations = []
    actions = []
    for n, supervisor in enumerate(supervisors):
        coming, held = meetings[2 * n], meetings[2 * n + 1]
        team = list(supervisor.supervisees.all())
        invitations += [Meeting.invited_people.through(meeting_id=coming.pk, user_id=worker.pk) for worker in team]
        for k, worker in enumerate(team):
            for due_on in (on + datetime.timedelta(days=3 - k % 10), on + datetime.timedelta(days=10 + k % 20)):
                actions.append(
                    MeetingAction(
                        meeting=held,
                        description=ACTIONS[(n + k) % len(ACTIONS)],
                        owner=worker,
                        due_on=due_on,
                        owning_agency_id=supervisor.agency_id,
                        created_by=supervisor,
                    )
                )
    bulk_create_batched(Meeting.invited_people.through.objects, invitations)
    bulk_create_batched(MeetingAction.objects, actions)
    return len(meetings), len(actions)


def _agreements(on: datetime.date, agencies: list[Agency]) -> int:
    """The agreements' dates moved, and each agency's partner worker made its agency admin, whom the
    sweep tells (the dataset has no agency admins: its pages are measured for workers)."""
    partner_workers = User.objects.filter(username__in=[partner_username(n) for n in range(len(agencies))])
    Group.objects.get(name=Role.AGENCY_ADMIN).user_set.add(*partner_workers)
    agreements = list(
        SharingAgreement.objects.filter(title__startswith=PREFIX, status=SharingAgreement.Status.ACTIVE).order_by("pk")
    )
    changes = [("review_on", on + datetime.timedelta(days=21)), ("ends_on", on + datetime.timedelta(days=28))]
    if len(agreements) > 2:
        changes.append(("ends_on", on - datetime.timedelta(days=1)))  # ended yesterday: its grants go
    for agreement, (name, day) in zip(agreements, changes, strict=False):
        SharingAgreement.objects.filter(pk=agreement.pk).update(**{name: day})
    return min(len(agreements), len(changes))


# --- Measuring -----------------------------------------------------------------------------------


@dataclass
class SweepMeasurement(Measurement):
    name: str = ""
    found: int = 0  # reminders the finder returned
    stored: int = 0  # of them, those reminders_send stored (new keys)
    finding: list[float] = field(default_factory=list)  # of each run's seconds, those of the finder
    again: list[float] = field(default_factory=list)  # a run finding what is stored already, as hourly

    @property
    def finding_median_ms(self) -> float:
        return statistics.median(self.finding) * 1000

    @property
    def again_median_ms(self) -> float:
        return statistics.median(self.again) * 1000


@dataclass(frozen=True)
class _SweepRun:
    found: int
    stored: int
    seconds: float  # finding and storing
    finding: float
    again: float  # finding again and storing nothing new, as the next hour's run


def _sweep_once(sweep: Sweep, on: datetime.date, *, again: bool = True) -> _SweepRun:
    """Find and store one sweep's reminders, then run it again (every key stored already), then roll
    back: the dataset is left as it was, and the emails queued on commit are never queued."""
    with transaction.atomic():
        started = time.perf_counter()
        reminders = list(sweep.find(on))
        found_at = time.perf_counter()
        stored = reminders_send(reminders, on)
        finished = time.perf_counter()
        if again:
            reminders_send(list(sweep.find(on)))
        run_again = time.perf_counter() - finished
        transaction.set_rollback(True)
    return _SweepRun(len(reminders), len(stored), finished - started, found_at - started, run_again)


def measure_sweeps(*, repeat: int, say: Say, on: datetime.date | None = None) -> list[SweepMeasurement]:
    """Every registered sweep for a day (today by default) with what falls due on it made
    (due_build), through its finder and reminders_send, all rolled back: what it found and stored
    and its queries (one untimed run), then its duration over `repeat` runs with DEBUG off, as a
    worker runs it, and that of running it again at once (every reminder stored already, as on the
    next hour)."""
    day = on or timezone.localdate()
    measurements = []
    with transaction.atomic():
        say(f"  made: {due_build(day, say=say)}")
        for name, sweep in SWEEPS.items():
            say(f"Timing the {name} sweep for {day:%-d %B %Y} ({repeat} runs) ...")
            measurement = SweepMeasurement(f"{name}: {sweep.label}", name=name)
            with CaptureQueriesContext(connection) as captured:
                first = _sweep_once(sweep, day, again=False)
            measurement.found, measurement.stored = first.found, first.stored
            measurement.queries = sum(
                not query["sql"].startswith(CONTROL_STATEMENTS) for query in captured.captured_queries
            )
            with override_settings(DEBUG=False):
                for _ in range(repeat):
                    run = _sweep_once(sweep, day)
                    measurement.seconds.append(run.seconds)
                    measurement.finding.append(run.finding)
                    measurement.again.append(run.again)
            measurements.append(measurement)
        transaction.set_rollback(True)
    return measurements


def sweeps_table(measurements: Sequence[SweepMeasurement]) -> list[str]:
    """The sweeps' measurements as a Markdown table."""
    lines = [
        "| Sweep | Runs | Median ms | p95 ms | of which finding, median ms | Run again, median ms | Queries | Found "
        "| Stored |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for measurement in measurements:
        lines.append(
            f"| {measurement.label} | {len(measurement.seconds)} | {measurement.median_ms:,.1f} | "
            f"{measurement.p95_ms:,.1f} | {measurement.finding_median_ms:,.1f} | {measurement.again_median_ms:,.1f} | "
            f"{measurement.queries} | {measurement.found:,} | {measurement.stored:,} |"
        )
    return lines


# --- The outbox -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxRun:
    emails: int
    notifications: int
    seconds: float
    accepted: int  # what the mail server accepted

    def rate(self) -> str:
        per_second = self.emails / self.seconds if self.seconds else 0.0
        told = self.notifications / self.seconds if self.seconds else 0.0
        return (
            f"{self.emails:,} emails in {self.seconds:,.1f} s: {per_second:,.0f} emails a second, "
            f"{told:,.0f} reminders a second"
        )


@dataclass(frozen=True)
class OutboxMeasurement:
    owed: int  # reminders the reviews sweep stored owed an email at once
    grouped: OutboxRun  # as configured: more than IOM_EMAILS_AT_ONCE_MAX of a kind to one person as one
    each: OutboxRun  # one email a reminder

    def __str__(self) -> str:
        return (
            f"The outbox: {self.owed:,} reminders the reviews sweep stored owed an email at once, sent to an SMTP "
            f"server on this machine (aiosmtpd). One email each: {self.each.rate()}. As configured (more than "
            f"{settings.IOM_EMAILS_AT_ONCE_MAX} of one kind to one person go as one): {self.grouped.rate()}."
        )


def measure_outbox(*, say: Say, on: datetime.date | None = None) -> OutboxMeasurement:
    """The reviews sweep's reminders stored, then every email they owe sent by outbox_send to a real
    SMTP server in this process, timed, once an email a reminder and once as configured; all rolled
    back (nothing stays stored or marked sent)."""
    day = on or timezone.localdate()
    with transaction.atomic():
        reminders_send(list(SWEEPS["reviews"].find(day)), day, kick=False)
        owed_count = owed().count()
        say(f"Timing the outbox: {owed_count:,} emails owed at once, sent to an SMTP server on this machine ...")
        each = _outbox_run(max_at_once=owed_count)
        grouped = _outbox_run(max_at_once=settings.IOM_EMAILS_AT_ONCE_MAX)
        transaction.set_rollback(True)
    return OutboxMeasurement(owed_count, grouped, each)


def _outbox_run(*, max_at_once: int) -> OutboxRun:
    """One outbox run over what is owed, rolled back to a savepoint so the next finds it owed."""
    with transaction.atomic(), MailSink() as sink:
        with override_settings(DEBUG=False, IOM_EMAILS_AT_ONCE_MAX=max_at_once, **smtp_settings(sink)):
            started = time.perf_counter()
            sent = outbox_send()
            seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return OutboxRun(sent.emails, sent.notifications, seconds, sink.accepted)
