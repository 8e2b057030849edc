"""Custody and court events: an arrest, charge, remand, court outcome, sentence, recall or release,
recorded one at a time or imported from a CSV file, and what follows from them.

Each event is an offending-and-risk item (a RecordedItem of kind "event") owned by the recording
agency, with a CustodyEvent hanging off it, so the sharing rules (cohorts/access.py, rule 2) decide
who sees it, as for any item.

Custody status follows the events: a remand, a custodial sentence or a recall puts the person in
custody; a release puts them back in the community and, with a licence end date, on licence. The
person's latest event of those kinds decides, so an older event recorded late changes nothing. The
person's record is written directly here, not through nominal_update (which only the agency that
recorded the person may call): custody status is identity information shown to every agency that
sees the person, and it is kept up to date by whichever agency learns of the event (a custody suite,
a court, a prison, probation, a youth offending team). The change history still records each change
and who made it.

Releases are recorded when they happen (the release date is not in the future); an expected release
belongs on the referral (Referral.release_expected_on). A release of someone who was on IOM before,
and is not now, offers a new referral.

Convictions feed the offending history (offences_from_events) that referrals and the selection
matrix use.

Importing events from a CSV file
--------------------------------

A file of events, from a custody suite, a court or a prison system, is imported whole or not at all.
It is UTF-8 text (a spreadsheet's "CSV UTF-8"), at most 20 MB, with this header row (the columns in
any order, all of them present):

    pnc_id,event,date,offence_type,convicted,custodial,release_date,licence_end,crime_reference,court,note

- pnc_id: the person's PNC ID, e.g. 2019/0123456Q (a two-digit year and a shorter serial are also
  accepted, e.g. 19/123456Q). Required.
- event: arrest, charge, remand, court_outcome, sentence, recall or release. Required.
- date: the day of the event, YYYY-MM-DD or DD/MM/YYYY, today or in the past. Required.
- offence_type: burglary, robbery, vehicle, theft, shoplifting, violence, domestic_abuse, knife,
  drugs, criminal_damage, sexual or other. Required for a charge and a court outcome.
- convicted: yes or no. Required for a court outcome, and given only there.
- custodial: yes or no. Required for a sentence, and given only there.
- release_date: the day the person left custody, on or before the event's date. Required for a
  release, and given only there.
- licence_end: the last day of the licence, after the release date. A release only, optional.
- crime_reference (up to 50 characters), court (up to 200) and note: free text, optional.

The validation report lists the first REJECTED_SHOWN rejected rows with their line numbers (the header
is line 1) and every reason, and counts all of them by the column each reason is about, so a file of
any size gives a report of bounded size. A reason is a PNC ID that is not valid, or that is not the
PNC ID of a person your agency may see (the report says "No person with this PNC ID that your agency
may see", whether or not such a person exists), a date that is not real, not between 1900 and 2100
(ui/dates.py) or in the future, an unknown code, a NUL character, or a field the event needs
left empty or one it does not take filled in. Any rejected row rejects the whole file.

The file is read twice as a stream, row by row: once to check every row, then, if all are good, to
record them in one transaction. People are looked up IMPORT_BATCH_SIZE PNC IDs at a time and events
written a batch at a time, so the queries grow with the batches and the memory stays bounded
whatever the size of the file.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from cohorts.access import agency_may_see_item, current_memberships, today
from cohorts.events.models import CustodyEvent, EventImport
from cohorts.management.models import CohortMembership
from cohorts.records.identifiers import normalise_pnc_id
from cohorts.records.models import Nominal, OffenceType, RecordedItem
from cohorts.records.selectors import nominals_visible_to
from cohorts.records.services import item_record
from sharing.models import Agency, DataCategory, User
from sharing.roles import Role
from ui.dates import date_problem

Kind = CustodyEvent.Kind
EVENT_CATEGORY = Nominal.OFFENDING_AND_RISK_CATEGORY

# --- Who records and imports events (function level; which people is the sharing rules' business) --

# Custody and court events come from the agencies that hold them.
RECORDING_AGENCY_KINDS = frozenset(
    {Agency.Kind.POLICE, Agency.Kind.PROBATION, Agency.Kind.PRISON, Agency.Kind.YOUTH_OFFENDING_TEAM}
)
RECORDING_ROLES = frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PARTNER_WORKER})
IMPORTING_AGENCY_KINDS = frozenset({Agency.Kind.POLICE, Agency.Kind.PROBATION, Agency.Kind.PRISON})
IMPORTING_ROLES = frozenset({Role.PRACTITIONER, Role.SUPERVISOR})


NOT_A_RECORDER = (
    "Custody and court events are recorded by practitioners, supervisors and partner workers of the police, "
    "probation, prisons and youth offending teams."
)
NOT_AN_IMPORTER = "Files of events are imported by practitioners and supervisors of the police, probation and prisons."


def may_record_events(user: User) -> bool:
    """Practitioners, supervisors and partner workers of police forces, probation, prisons and youth
    offending teams record custody and court events."""
    return user.agency.kind in RECORDING_AGENCY_KINDS and any(user.has_role(role) for role in RECORDING_ROLES)


def may_import_events(user: User) -> bool:
    """Practitioners and supervisors of police forces, probation and prisons, and system
    administrators, import files of events."""
    if user.has_role(Role.SYSTEM_ADMIN):
        return True
    return user.agency.kind in IMPORTING_AGENCY_KINDS and any(user.has_role(role) for role in IMPORTING_ROLES)


# --- One event: its fields, their rules and its summary --------------------------------------------


@dataclass(frozen=True)
class EventFields:
    """What an event says, keyed like custody_event_record's arguments."""

    kind: str
    occurred_on: datetime.date | None
    offence_type: str = ""
    convicted: bool | None = None
    custodial: bool | None = None
    release_on: datetime.date | None = None
    licence_ends_on: datetime.date | None = None
    crime_reference: str = ""
    court: str = ""
    note: str = ""


# Which kind of event takes each field that only one kind takes.
ONLY_FOR = {
    "convicted": (Kind.COURT_OUTCOME, "Only a court outcome says whether the person was convicted"),
    "custodial": (Kind.SENTENCE, "Only a sentence says whether it is custodial"),
    "release_on": (Kind.RELEASE, "Only a release has a release date"),
    "licence_ends_on": (Kind.RELEASE, "Only a release has a licence end date"),
}
MAX_LENGTHS = {"crime_reference": ("crime reference", 50), "court": ("court", 200)}


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def custody_event_errors(fields: EventFields, *, sentence_ends_on: datetime.date | None = None) -> dict[str, list[str]]:
    """Every reason the event cannot be recorded, by field; empty when it can. The same rules for
    the page, the API and the CSV import."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    now = timezone.localdate()
    if fields.kind not in Kind.values:
        add("kind", "Choose the type of event")
    if fields.occurred_on is None:
        add("occurred_on", "Enter the date of the event")
    elif fields.occurred_on > now:
        add("occurred_on", "The date of the event must be today or in the past")
    if fields.offence_type and fields.offence_type not in OffenceType.values:
        add("offence_type", "Choose an offence type from the list")
    for name, (length_label, limit) in MAX_LENGTHS.items():
        if len(getattr(fields, name)) > limit:
            add(name, f"The {length_label} must be {limit} characters or fewer")
    if "kind" in errors:
        return errors
    for name, (kind, message) in ONLY_FOR.items():
        if fields.kind != kind and getattr(fields, name) is not None:
            add(name, message)
    if fields.kind == Kind.CHARGE and not fields.offence_type:
        add("offence_type", "Choose the offence the person was charged with")
    if fields.kind == Kind.COURT_OUTCOME:
        if fields.convicted is None:
            add("convicted", "Choose whether the person was convicted")
        if not fields.offence_type:
            add("offence_type", "Choose the offence type of the court outcome")
    if fields.kind == Kind.SENTENCE and fields.custodial is None:
        add("custodial", "Choose whether the sentence is custodial")
    if fields.kind == Kind.RELEASE:
        release_on, licence_ends_on = fields.release_on, fields.licence_ends_on
        if release_on is None:
            add("release_on", "Enter the release date")
        elif release_on > now:
            add(
                "release_on",
                "Record a release when it happens: the release date must be today or in the past",
            )
        elif fields.occurred_on is not None and release_on > fields.occurred_on:
            add("release_on", "The release date must be on or before the date of the event")
        if licence_ends_on is not None:
            if release_on is not None and licence_ends_on <= release_on:
                add("licence_ends_on", "The licence end date must be after the release date")
            elif sentence_ends_on is not None and licence_ends_on > sentence_ends_on:
                add(
                    "licence_ends_on",
                    f"The licence end date must be on or before the sentence end date, {_day(sentence_ends_on)}",
                )
    return errors


def _offence(code: str) -> str:
    label = str(OffenceType(code).label)
    return label[:1].lower() + label[1:]


def event_summary(fields: EventFields) -> str:
    """The item's summary, e.g. "Arrested: burglary" or "Released from custody; licence ends 3 May 2026"."""
    offence = _offence(fields.offence_type) if fields.offence_type else ""
    kind = Kind(fields.kind)
    if kind == Kind.COURT_OUTCOME:
        outcome = "convicted" if fields.convicted else "not convicted"
        return f"Court outcome: {outcome}" + (f" of {offence}" if offence else "")
    if kind == Kind.SENTENCE:
        sentence = "Custodial sentence" if fields.custodial else "Non-custodial sentence"
        return sentence + (f": {offence}" if offence else "")
    if kind == Kind.RELEASE:
        released = "Released from custody"
        if fields.release_on is not None and fields.release_on != fields.occurred_on:
            released += f" on {_day(fields.release_on)}"
        if fields.licence_ends_on is not None:
            released += f"; licence ends {_day(fields.licence_ends_on)}"
        return released
    verb = {
        Kind.ARREST: "Arrested",
        Kind.CHARGE: "Charged",
        Kind.REMAND: "Remanded in custody",
        Kind.RECALL: "Recalled to custody",
    }[kind]
    return verb + (f": {offence}" if offence else "")


# --- Custody status follows the events --------------------------------------------------------------

CHANGES_CUSTODY = Q(kind__in=[Kind.REMAND, Kind.RECALL, Kind.RELEASE]) | Q(kind=Kind.SENTENCE, custodial=True)


def _custody_follows(*, nominal_ids: Collection[int], new_event_ids: Collection[int]) -> list[int]:
    """Where one of the new events is now a person's latest event that changes custody, set their
    custody status from it, and from a release with a licence end date, the licence. Returns the
    ids of the people changed; three queries however many people."""
    new_event_ids = set(new_event_ids)
    latest = (
        CustodyEvent.objects.filter(item__nominal_id__in=list(nominal_ids))
        .filter(CHANGES_CUSTODY)
        .order_by("item__nominal_id", "-item__occurred_on", "-pk")
        .distinct("item__nominal_id")
        .values_list("pk", "item__nominal_id", "kind", "licence_ends_on")
    )
    decided = {nominal_id: (kind, licence) for pk, nominal_id, kind, licence in latest if pk in new_event_ids}
    if not decided:
        return []
    changed = []
    people = Nominal.objects.select_for_update().filter(pk__in=list(decided)).order_by("pk")
    for nominal in people.only("custody_status", "licence_ends_on", "statutory_status"):
        kind, licence_ends_on = decided[nominal.pk]
        before = (nominal.custody_status, nominal.licence_ends_on, nominal.statutory_status)
        if kind == Kind.RELEASE:
            nominal.custody_status = Nominal.CustodyStatus.COMMUNITY
            if licence_ends_on is not None:
                nominal.licence_ends_on = licence_ends_on
                nominal.statutory_status = Nominal.StatutoryStatus.LICENCE
        else:
            nominal.custody_status = Nominal.CustodyStatus.CUSTODY
        if (nominal.custody_status, nominal.licence_ends_on, nominal.statutory_status) != before:
            changed.append(nominal)
    if changed:
        _nominals_custody_save(changed)
    return [nominal.pk for nominal in changed]


def _nominals_custody_save(nominals: list[Nominal]) -> None:
    """Save the people's custody status and licence in one UPDATE ... FROM (VALUES ...). Django's
    bulk_update writes a CASE with a branch per person, which the database evaluates for every row
    (a thousand people a batch: a million comparisons a column). The change history's triggers
    record each change as for any save."""
    values = ", ".join(["(%s, %s, %s::date, %s)"] * len(nominals))
    params: list[datetime.datetime | datetime.date | int | str | None] = [timezone.now()]
    for nominal in nominals:
        params += [nominal.pk, nominal.custody_status, nominal.licence_ends_on, nominal.statutory_status]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Nominal._meta.db_table} AS nominal SET custody_status = changed.custody_status, "  # noqa: S608  (names and placeholders only)
            "licence_ends_on = changed.licence_ends_on, statutory_status = changed.statutory_status, updated_at = %s "
            f"FROM (VALUES {values}) AS changed(id, custody_status, licence_ends_on, statutory_status) "
            "WHERE nominal.id = changed.id",
            params,
        )


def previously_on_iom(nominal_ids: Collection[int]) -> set[int]:
    """Which of these people were on IOM before and are not now (one query)."""
    on = today()
    current = current_memberships(on).filter(nominal=OuterRef("nominal_id"))
    return set(
        CohortMembership.objects.filter(nominal_id__in=list(nominal_ids), ended_on__lt=on)
        .exclude(Exists(current))
        .values_list("nominal_id", flat=True)
    )


def refer_again_url(nominal_id: int) -> str:
    """The referral page for a person already recorded (by its URL name: cohorts imports nothing
    of referrals)."""
    return f"{reverse('referral-new')}?nominal={nominal_id}"


# --- Recording one event ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRecorded:
    event: CustodyEvent
    custody_changed: bool
    # A release of someone who was on IOM before and is not now: offer a new referral.
    previously_on_iom: bool

    @property
    def refer_again_url(self) -> str | None:
        return refer_again_url(self.event.item.nominal_id) if self.previously_on_iom else None


def _event_category() -> DataCategory:
    return DataCategory.objects.get(code=EVENT_CATEGORY)


@transaction.atomic
def custody_event_record(
    *,
    nominal: Nominal,
    by: User,
    kind: str,
    occurred_on: datetime.date | None,
    offence_type: str = "",
    convicted: bool | None = None,
    custodial: bool | None = None,
    release_on: datetime.date | None = None,
    licence_ends_on: datetime.date | None = None,
    crime_reference: str = "",
    court: str = "",
    note: str = "",
    imported_by: EventImport | None = None,
) -> EventRecorded:
    """Record a custody or court event as an offending-and-risk item of the recorder's agency; the
    person's custody status (and on a release, their licence) follows. Field errors name the
    arguments. Who may record is checked by the caller (may_record_events)."""
    nominal = Nominal.objects.select_for_update().get(pk=nominal.pk)
    fields = EventFields(
        kind=kind,
        occurred_on=occurred_on,
        offence_type=offence_type or "",
        convicted=convicted,
        custodial=custodial,
        release_on=release_on,
        licence_ends_on=licence_ends_on,
        crime_reference=(crime_reference or "").strip(),
        court=(court or "").strip(),
        note=(note or "").strip(),
    )
    errors = custody_event_errors(fields, sentence_ends_on=nominal.sentence_ends_on)
    if errors:
        raise ValidationError(errors)
    item = item_record(
        nominal=nominal,
        by=by,
        category=_event_category(),
        kind=RecordedItem.Kind.EVENT,
        summary=event_summary(fields),
        detail=fields.note,
        occurred_on=occurred_on,
    )
    event = CustodyEvent.objects.create(
        item=item,
        kind=fields.kind,
        offence_type=fields.offence_type,
        convicted=fields.convicted,
        custodial=fields.custodial,
        release_on=fields.release_on,
        licence_ends_on=fields.licence_ends_on,
        crime_reference=fields.crime_reference,
        court=fields.court,
        imported_by=imported_by,
    )
    changed = _custody_follows(nominal_ids=[nominal.pk], new_event_ids=[event.pk])
    offer = fields.kind == Kind.RELEASE and bool(previously_on_iom([nominal.pk]))
    return EventRecorded(event=event, custody_changed=bool(changed), previously_on_iom=offer)


# --- Reading events ---------------------------------------------------------------------------------


@dataclass
class NominalEvents:
    """A person's events as one user may see them, newest first, and how many are withheld."""

    events: list[CustodyEvent]
    withheld: int

    @property
    def categories_shown(self) -> list[str]:
        return ["identity", EVENT_CATEGORY] if self.events else ["identity"]


def events_for_user(user: User, nominal: Nominal, *, limit: int | None = None) -> NominalEvents:
    """The person's custody and court events the user's agency may see (rule 2), newest first, and
    the number withheld; two queries. The caller holds the person already scoped to the user."""
    visible = agency_may_see_item(user.agency_id)
    items = RecordedItem.objects.filter(nominal=nominal, custody_event__isnull=False)
    counts = items.aggregate(total=Count("pk"), shown=Count("pk", filter=visible))
    events = (
        CustodyEvent.objects.filter(item__in=items.filter(visible))
        .select_related("item__owning_agency", "item__recorded_by", "imported_by")
        .order_by("-item__occurred_on", "-pk")
    )
    return NominalEvents(
        events=list(events[:limit] if limit is not None else events),
        withheld=counts["total"] - counts["shown"],
    )


def latest_custody_event_is_release(nominal: Nominal) -> bool:
    """Whether the person's latest event that changes custody, whoever recorded it, is a release.
    It reveals no more than the custody status everyone who sees the person sees."""
    latest = (
        CustodyEvent.objects.filter(item__nominal=nominal)
        .filter(CHANGES_CUSTODY)
        .order_by("-item__occurred_on", "-pk")
        .values_list("kind", flat=True)
        .first()
    )
    return latest == Kind.RELEASE


def offences_from_events(nominal: Nominal, user: User) -> list[tuple[str, datetime.date]]:
    """The person's convictions the user's agency may see, as (offence type, date), newest first:
    the offending history that referrals and the selection matrix use."""
    return list(
        CustodyEvent.objects.filter(
            item__in=RecordedItem.objects.filter(nominal=nominal).filter(agency_may_see_item(user.agency_id)),
            kind=Kind.COURT_OUTCOME,
            convicted=True,
        )
        .exclude(offence_type="")
        .order_by("-item__occurred_on", "-pk")
        .values_list("offence_type", "item__occurred_on")
    )


# --- Importing a CSV file of events ----------------------------------------------------------------

CSV_COLUMNS = (
    "pnc_id",
    "event",
    "date",
    "offence_type",
    "convicted",
    "custodial",
    "release_date",
    "licence_end",
    "crime_reference",
    "court",
    "note",
)
# The column of each field of EventFields, for the report.
COLUMN_OF = {
    "kind": "event",
    "occurred_on": "date",
    "offence_type": "offence_type",
    "convicted": "convicted",
    "custodial": "custodial",
    "release_on": "release_date",
    "licence_ends_on": "licence_end",
    "crime_reference": "crime_reference",
    "court": "court",
    "note": "note",
}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
IMPORT_BATCH_SIZE = 1_000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
YES, NO = frozenset({"yes", "y", "true"}), frozenset({"no", "n", "false"})
UNKNOWN_PERSON = "No person with this PNC ID that your agency may see"
# The report of a rejected file lists this many rows in full and counts the rest, whatever the
# file's size, so its page and its memory stay small; a value quoted in a reason is cut short.
REJECTED_SHOWN = 100
VALUE_SHOWN = 40


@dataclass(frozen=True)
class ColumnHelp:
    name: str
    required: str
    meaning: str


def csv_format() -> list[ColumnHelp]:
    """The documented format, for the import page (the module's docstring says the same)."""
    offences = ", ".join(OffenceType.values)
    return [
        ColumnHelp("pnc_id", "Always", "The person's PNC ID, for example 2019/0123456Q."),
        ColumnHelp("event", "Always", f"One of: {', '.join(Kind.values)}."),
        ColumnHelp("date", "Always", "The day of the event, as YYYY-MM-DD or DD/MM/YYYY; today or in the past."),
        ColumnHelp("offence_type", "Charge, court outcome", f"One of: {offences}. Optional for other events."),
        ColumnHelp("convicted", "Court outcome", "yes or no. Only for a court outcome."),
        ColumnHelp("custodial", "Sentence", "yes or no. Only for a sentence."),
        ColumnHelp(
            "release_date",
            "Release",
            "The day the person left custody, on or before the event's date. Only for a release.",
        ),
        ColumnHelp("licence_end", "No", "The last day of the licence, after the release date. Only for a release."),
        ColumnHelp("crime_reference", "No", "Up to 50 characters."),
        ColumnHelp("court", "No", "Up to 200 characters."),
        ColumnHelp("note", "No", "Anything else worth knowing."),
    ]


@dataclass(frozen=True)
class RejectedRow:
    line: int
    pnc_id: str
    reasons: list[str]


@dataclass
class EventImportOutcome:
    """An import: every row recorded (event_import), or none and the rows rejected with why: the
    first REJECTED_SHOWN of them in full, and how many were rejected for each column's reason."""

    rows: int
    rejected: list[RejectedRow]
    event_import: EventImport | None
    rejected_count: int = 0
    reasons_by_column: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rejected_not_shown(self) -> int:
        return self.rejected_count - len(self.rejected)


@dataclass
class _Row:
    line: int
    raw_pnc_id: str
    pnc_id: str
    fields: EventFields
    unparsed: set[str]  # fields whose value could not be read: their rules are not checked again
    reasons: list[str] = field(default_factory=list)
    nominal_id: int | None = None


def _shown(text: str) -> str:
    """A value as quoted in a reason: cut short, so a long one does not fill the report."""
    return text if len(text) <= VALUE_SHOWN else f"{text[:VALUE_SHOWN]}…"


def _reason_column(reason: str) -> str:
    """The column a reason is about ("pnc_id: ..."), or "row" for one about the whole row."""
    column, separator, _ = reason.partition(":")
    return column if separator and column in CSV_COLUMNS else "row"


def _date(text: str) -> datetime.date:
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()  # noqa: DTZ007  (a date, no time)
        except ValueError:
            continue
    raise ValueError(text)


def _parse_row(line: int, values: dict[str, str]) -> _Row:
    reasons: list[str] = []
    unparsed: set[str] = set()
    raw_pnc_id = values["pnc_id"]
    pnc_id = ""
    if not raw_pnc_id:
        reasons.append("pnc_id: Enter the person's PNC ID")
    else:
        try:
            pnc_id = normalise_pnc_id(raw_pnc_id)
        except ValidationError as error:
            reasons.append(f"pnc_id: {error.messages[0]}")
    kind = values["event"].lower()
    if not kind:
        reasons.append("event: Enter the event")
        unparsed.add("kind")
    elif kind not in Kind.values:
        reasons.append(f"event: '{_shown(values['event'])}' is not an event code ({', '.join(Kind.values)})")
        unparsed.add("kind")
    offence_type = values["offence_type"].lower()
    if offence_type and offence_type not in OffenceType.values:
        reasons.append(f"offence_type: '{_shown(values['offence_type'])}' is not an offence type code")
        unparsed.add("offence_type")
        offence_type = ""

    def date_of(column: str, name: str) -> datetime.date | None:
        text = values[column]
        if not text:
            return None
        try:
            day = _date(text)
        except ValueError:
            reasons.append(f"{column}: '{_shown(text)}' is not a real date as YYYY-MM-DD or DD/MM/YYYY")
            unparsed.add(name)
            return None
        problem = date_problem(day)
        if problem:
            reasons.append(f"{column}: {problem}")
            unparsed.add(name)
            return None
        return day

    def yes_no(column: str) -> bool | None:
        text = values[column].lower()
        if not text:
            return None
        if text in YES or text in NO:
            return text in YES
        reasons.append(f"{column}: '{_shown(values[column])}' is not yes or no")
        unparsed.add(column)
        return None

    fields = EventFields(
        kind=kind,
        occurred_on=date_of("date", "occurred_on"),
        offence_type=offence_type,
        convicted=yes_no("convicted"),
        custodial=yes_no("custodial"),
        release_on=date_of("release_date", "release_on"),
        licence_ends_on=date_of("licence_end", "licence_ends_on"),
        crime_reference=values["crime_reference"],
        court=values["court"],
        note=values["note"],
    )
    return _Row(line=line, raw_pnc_id=raw_pnc_id, pnc_id=pnc_id, fields=fields, unparsed=unparsed, reasons=reasons)


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _csv_rows(file: IO[bytes]) -> Iterator[tuple[int, dict[str, str]]]:
    """The file's rows as (line number, values by column), read as a stream from the start."""
    file.seek(0)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        try:
            header = next(reader, None)
            if header is None:
                raise _file_error("The selected file is empty")
            columns = [name.strip().lower() for name in header]
            missing = [name for name in CSV_COLUMNS if name not in columns]
            unknown = [name for name in columns if name not in CSV_COLUMNS]
            if missing or unknown or len(set(columns)) != len(columns):
                problems = []
                if missing:
                    problems.append(f"it has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}")
                if unknown:
                    problems.append(f"it has unknown columns: {', '.join(unknown)}")
                if not problems:
                    problems.append("a column appears twice")
                raise _file_error(
                    f"The first line of the file must be the header row {','.join(CSV_COLUMNS)}: {'; '.join(problems)}"
                )
            for values in reader:
                if not any(value.strip() for value in values):
                    continue  # a blank line
                if len(values) != len(columns):
                    count = f"The row has {len(values)} values; the header has {len(columns)} columns"
                    yield reader.line_num, {"__row__": count}
                    continue
                if any("\x00" in value for value in values):
                    yield reader.line_num, {"__row__": "The row has a NUL character (a zero byte), which is not text"}
                    continue
                yield reader.line_num, {name: value.strip() for name, value in zip(columns, values, strict=True)}
        except UnicodeDecodeError as error:
            raise _file_error(
                "The selected file is not UTF-8 text: save it as CSV UTF-8 (comma delimited) and try again"
            ) from error
        except csv.Error as error:
            raise _file_error(
                f"The selected file could not be read as CSV (line {reader.line_num}: {error})"
            ) from error
    finally:
        text.detach()  # leave the upload open: it is read again


def _checked_batches(file: IO[bytes], by: User) -> Iterator[list[_Row]]:
    """The file's rows, IMPORT_BATCH_SIZE at a time, each checked, with its person looked up among
    the people the user may see (one query a batch)."""
    batch: list[_Row] = []
    for line, values in _csv_rows(file):
        if "__row__" in values:
            row = _Row(
                line=line, raw_pnc_id="", pnc_id="", fields=EventFields(kind="", occurred_on=None), unparsed=set()
            )
            row.reasons.append(values["__row__"])
            row.unparsed.add("*")
        else:
            row = _parse_row(line, values)
        batch.append(row)
        if len(batch) == IMPORT_BATCH_SIZE:
            yield _check_batch(batch, by)
            batch = []
    if batch:
        yield _check_batch(batch, by)


def _check_batch(batch: list[_Row], by: User) -> list[_Row]:
    wanted = {row.pnc_id for row in batch if row.pnc_id}
    people = {
        pnc_id: (pk, sentence_ends_on)
        for pnc_id, pk, sentence_ends_on in nominals_visible_to(by)
        .filter(pnc_id__in=sorted(wanted))
        .values_list("pnc_id", "pk", "sentence_ends_on")
    }
    for row in batch:
        if "*" in row.unparsed:
            continue
        sentence_ends_on = None
        if row.pnc_id:
            if row.pnc_id in people:
                row.nominal_id, sentence_ends_on = people[row.pnc_id]
            else:
                row.reasons.append(f"pnc_id: {UNKNOWN_PERSON}")
        if "kind" in row.unparsed:
            continue
        for name, messages in custody_event_errors(row.fields, sentence_ends_on=sentence_ends_on).items():
            if name not in row.unparsed:
                row.reasons.extend(f"{COLUMN_OF[name]}: {message}" for message in messages)
    return batch


def _item_of(row: _Row, *, by: User, category: DataCategory) -> RecordedItem:
    if row.nominal_id is None or row.fields.occurred_on is None:  # only checked rows are written
        raise ValueError(f"Line {row.line} was not checked")
    return RecordedItem(
        nominal_id=row.nominal_id,
        owning_agency_id=by.agency_id,
        category=category,
        kind=RecordedItem.Kind.EVENT,
        summary=event_summary(row.fields),
        detail=row.fields.note,
        occurred_on=row.fields.occurred_on,
        recorded_by=by,
    )


def _write_batch(batch: list[_Row], *, by: User, category: DataCategory, event_import: EventImport) -> None:
    items = RecordedItem.objects.bulk_create([_item_of(row, by=by, category=category) for row in batch])
    events = CustodyEvent.objects.bulk_create(
        [
            CustodyEvent(
                item=item,
                kind=row.fields.kind,
                offence_type=row.fields.offence_type,
                convicted=row.fields.convicted,
                custodial=row.fields.custodial,
                release_on=row.fields.release_on,
                licence_ends_on=row.fields.licence_ends_on,
                crime_reference=row.fields.crime_reference,
                court=row.fields.court,
                imported_by=event_import,
            )
            for item, row in zip(items, batch, strict=True)
        ]
    )
    _custody_follows(
        nominal_ids={row.nominal_id for row in batch if row.nominal_id is not None},
        new_event_ids=[event.pk for event in events],
    )


def events_import(*, by: User, file: IO[bytes], file_name: str) -> EventImportOutcome:
    """Import a CSV file of events (the format is in this module's docstring): check every row
    first, then record them all in one transaction, or none if any row is rejected. A file that
    cannot be read as the format is a ValidationError on "file". Who may import is checked by the
    caller (may_import_events)."""
    rows = rejected_count = 0
    rejected: list[RejectedRow] = []
    by_column: Counter[str] = Counter()
    for batch in _checked_batches(file, by):
        rows += len(batch)
        for row in batch:
            if not row.reasons:
                continue
            rejected_count += 1
            by_column.update({_reason_column(reason) for reason in row.reasons})
            if len(rejected) < REJECTED_SHOWN:
                rejected.append(RejectedRow(row.line, _shown(row.raw_pnc_id), row.reasons))
    if rows == 0:
        raise _file_error("The selected file has a header row but no events")
    if rejected:
        return EventImportOutcome(
            rows=rows,
            rejected=rejected,
            event_import=None,
            rejected_count=rejected_count,
            reasons_by_column=by_column.most_common(),
        )
    with transaction.atomic():
        event_import = EventImport.objects.create(file_name=file_name[:255], uploaded_by=by, rows=rows)
        category = _event_category()
        for batch in _checked_batches(file, by):
            if any(row.reasons for row in batch):  # someone's record changed since the check
                raise _file_error(
                    "Some of the people in the file changed while it was being imported, so nothing was "
                    "imported. Try again."
                )
            _write_batch(batch, by=by, category=category, event_import=event_import)
    return EventImportOutcome(rows=rows, rejected=[], event_import=event_import)


def event_import_get_for_user(user: User, pk: int) -> EventImport:
    """An import made by someone of the user's agency; EventImport.DoesNotExist otherwise (a 404)."""
    return EventImport.objects.select_related("uploaded_by__agency").get(pk=pk, uploaded_by__agency_id=user.agency_id)


def event_imports_of_agency(user: User, limit: int = 10) -> list[EventImport]:
    """The latest imports made by the user's agency."""
    return list(
        EventImport.objects.filter(uploaded_by__agency_id=user.agency_id)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-pk")[:limit]
    )


def released_previously_on_iom(user: User, event_import: EventImport) -> list[Nominal]:
    """The people released in this import who were on IOM before and are not now, among those the
    user may see: each is offered a new referral."""
    released = (
        CustodyEvent.objects.filter(imported_by=event_import, kind=Kind.RELEASE)
        .values_list("item__nominal_id", flat=True)
        .distinct()
    )
    ids = previously_on_iom(list(released))
    return list(nominals_visible_to(user).filter(pk__in=ids).order_by("last_name", "first_name", "pk"))
