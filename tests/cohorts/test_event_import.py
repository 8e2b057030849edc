"""Importing custody and court events from a CSV file (cohorts/events/services.py, events_import, and the page
/people/events/import/): a file is imported whole or not at all, every rejected row is reported with
its line number and every reason, an unknown PNC ID never says whether the person exists, the file is
read as a stream and the queries grow with the batches, not the rows."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.events import services as events_module
from cohorts.events.models import CustodyEvent, EventImport
from cohorts.events.services import CSV_COLUMNS, MAX_UPLOAD_BYTES, REJECTED_SHOWN, UNKNOWN_PERSON, events_import
from cohorts.management.models import CohortMembership
from cohorts.records.models import Nominal, RecordedItem
from sharing.models import Agency
from sharing.roles import Role
from tests.cohorts.factories import make_nominal, valid_pnc_id
from tests.sharing.factories import AgencyFactory, UserFactory

HEADER = ",".join(CSV_COLUMNS)
Kind = CustodyEvent.Kind


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> str:
    return (today() - datetime.timedelta(days=days)).isoformat()


def row(pnc_id: str | None, event: str, date: str, **values: str) -> str:
    fields = {"pnc_id": pnc_id or "", "event": event, "date": date, **values}
    return ",".join(fields.get(column, "") for column in CSV_COLUMNS)


def csv_file(*lines: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO(("\n".join([header, *lines]) + "\n").encode())


@pytest.fixture
def people(partnership) -> list[Nominal]:
    return [
        make_nominal(partnership.officer, first_name="Importa", last_name=f"Person{number}", pnc_id=valid_pnc_id())
        for number in range(3)
    ]


def good_lines(people: list[Nominal]) -> list[str]:
    first, second, third = people
    return [
        row(first.pnc_id, "arrest", days_ago(30), offence_type="burglary", crime_reference="NM/1/26"),
        row(first.pnc_id, "remand", days_ago(29), court="Northmoor Magistrates' Court"),
        row(second.pnc_id, "court_outcome", days_ago(20), offence_type="robbery", convicted="yes"),
        row(second.pnc_id, "sentence", days_ago(20), custodial="Yes"),
        row(
            third.pnc_id,
            "release",
            days_ago(2),
            release_date=days_ago(2),
            licence_end=days_ago(-100),
            note="On licence",
        ),
    ]


# --- A good file ------------------------------------------------------------------------------------


def test_a_good_file_imports_every_row_and_custody_status_follows(partnership, people):
    outcome = events_import(by=partnership.officer, file=csv_file(*good_lines(people)), file_name="custody.csv")

    assert outcome.rejected == []
    event_import = outcome.event_import
    assert event_import is not None
    assert (event_import.file_name, event_import.rows, event_import.uploaded_by) == (
        "custody.csv",
        5,
        partnership.officer,
    )
    events = list(CustodyEvent.objects.select_related("item").order_by("pk"))
    assert [event.kind for event in events] == ["arrest", "remand", "court_outcome", "sentence", "release"]
    assert all(event.imported_by_id == event_import.pk for event in events)
    assert all(
        (event.item.kind, event.item.category.code, event.item.owning_agency_id, event.item.recorded_by_id)
        == (RecordedItem.Kind.EVENT, "offending-risk", partnership.police.pk, partnership.officer.pk)
        for event in events
    )
    assert events[0].item.summary == "Arrested: burglary"
    assert events[0].crime_reference == "NM/1/26"
    assert events[2].convicted is True
    assert events[3].custodial is True
    assert events[4].item.detail == "On licence"
    first, second, third = (Nominal.objects.get(pk=person.pk) for person in people)
    assert first.custody_status == second.custody_status == Nominal.CustodyStatus.CUSTODY
    assert third.custody_status == Nominal.CustodyStatus.COMMUNITY
    assert third.statutory_status == Nominal.StatutoryStatus.LICENCE
    assert third.licence_ends_on == today() + datetime.timedelta(days=100)
    change = Nominal.pgh_event_model.objects.filter(pgh_obj=first, pgh_label="update").latest("pgh_id")  # type: ignore[attr-defined]
    assert change.custody_status == Nominal.CustodyStatus.CUSTODY  # in the change history, as any save


def test_dates_as_day_month_year_a_bom_short_pnc_ids_and_blank_lines_are_read(partnership, people):
    person = people[0]
    year, rest = person.pnc_id.split("/")
    short_pnc = f"{year[2:]}/{int(rest[:-1])}{rest[-1].lower()}"
    day = today() - datetime.timedelta(days=3)
    content = "\ufeff" + HEADER + "\r\n\r\n" + row(short_pnc, "ARREST", f"{day:%d/%m/%Y}") + "\r\n"

    outcome = events_import(by=partnership.officer, file=io.BytesIO(content.encode()), file_name="x.csv")

    assert outcome.rejected == []
    event = CustodyEvent.objects.select_related("item").get()
    assert (event.item.nominal_id, event.kind, event.item.occurred_on) == (person.pk, "arrest", day)


def test_columns_may_come_in_any_order(partnership, people):
    header = ",".join(reversed(CSV_COLUMNS))
    line = ",".join(reversed(row(people[0].pnc_id, "recall", days_ago(1)).split(",")))

    outcome = events_import(by=partnership.officer, file=csv_file(line, header=header), file_name="x.csv")

    assert outcome.rejected == []
    assert CustodyEvent.objects.get().kind == "recall"


# --- A file with bad rows -----------------------------------------------------------------------------


def test_one_bad_row_among_good_ones_rejects_the_file_and_imports_nothing(partnership, people):
    lines = good_lines(people)
    lines.insert(2, row(people[0].pnc_id, "sentence", days_ago(5)))  # line 4: no "custodial"

    outcome = events_import(by=partnership.officer, file=csv_file(*lines), file_name="custody.csv")

    assert outcome.event_import is None
    assert outcome.rows == 6
    assert [(rejected.line, rejected.reasons) for rejected in outcome.rejected] == [
        (4, ["custodial: Choose whether the sentence is custodial"])
    ]
    assert not CustodyEvent.objects.exists()
    assert not RecordedItem.objects.filter(kind=RecordedItem.Kind.EVENT).exists()
    assert not EventImport.objects.exists()
    assert all(
        person.custody_status == Nominal.CustodyStatus.COMMUNITY
        for person in Nominal.objects.filter(pk__in=[p.pk for p in people])
    )


def test_every_bad_row_is_reported_with_its_line_number_and_every_reason(partnership, people):
    hidden = make_nominal(partnership.outsider, pnc_id=valid_pnc_id())  # exists, but the police may not see them
    missing = valid_pnc_id()  # no one has it
    first = people[0].pnc_id
    lines = [
        row(first, "arrest", days_ago(3)),  # line 2: good
        row(hidden.pnc_id, "arrest", days_ago(3)),  # 3
        row(missing, "arrest", days_ago(3)),  # 4
        row("2019/123", "arrest", days_ago(3)),  # 5
        row(first, "arest", "2024-02-30", offence_type="burglary"),  # 6
        row(first, "court_outcome", "31/02/2024", convicted="maybe", offence_type="jaywalking"),  # 7
        "",  # 8: a blank line is skipped
        row(first, "release", days_ago(1), licence_end="soon", convicted="yes"),  # 9
        row(first, "charge", (today() + datetime.timedelta(days=2)).isoformat()),  # 10
        f"{first},arrest",  # 11
        row("", "", "", note="No one and nothing"),  # 12
    ]

    outcome = events_import(by=partnership.officer, file=csv_file(*lines), file_name="bad.csv")

    assert outcome.event_import is None
    reported = {rejected.line: rejected.reasons for rejected in outcome.rejected}
    assert reported == {
        3: [f"pnc_id: {UNKNOWN_PERSON}"],
        4: [f"pnc_id: {UNKNOWN_PERSON}"],
        5: ["pnc_id: Enter a PNC ID in the format 2019/0123456Q: the year, a slash, up to 7 digits and a check letter"],
        6: [
            "event: 'arest' is not an event code (arrest, charge, remand, court_outcome, sentence, recall, release)",
            "date: '2024-02-30' is not a real date as YYYY-MM-DD or DD/MM/YYYY",
        ],
        7: [
            "offence_type: 'jaywalking' is not an offence type code",
            "date: '31/02/2024' is not a real date as YYYY-MM-DD or DD/MM/YYYY",
            "convicted: 'maybe' is not yes or no",
        ],
        9: [
            "licence_end: 'soon' is not a real date as YYYY-MM-DD or DD/MM/YYYY",
            "convicted: Only a court outcome says whether the person was convicted",
            "release_date: Enter the release date",
        ],
        10: [
            "date: The date of the event must be today or in the past",
            "offence_type: Choose the offence the person was charged with",
        ],
        11: [f"The row has 2 values; the header has {len(CSV_COLUMNS)} columns"],
        12: ["pnc_id: Enter the person's PNC ID", "event: Enter the event"],
    }
    assert reported[3] == reported[4]  # whether or not the person exists, the same words
    assert not CustodyEvent.objects.exists()


def test_a_system_admin_imports_for_anyone_but_a_partner_agency_sees_only_its_people(partnership, people):
    hidden = make_nominal(partnership.outsider, pnc_id=valid_pnc_id())
    admin = UserFactory.create(agency=partnership.police, roles=[Role.SYSTEM_ADMIN])

    outcome = events_import(by=admin, file=csv_file(row(hidden.pnc_id, "arrest", days_ago(1))), file_name="admin.csv")

    assert outcome.rejected == []
    assert CustodyEvent.objects.get().item.nominal_id == hidden.pk


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The selected file is empty"),
        (HEADER.encode() + b"\n", "The selected file has a header row but no events"),
        (
            b"pnc_id,event,date\n",
            "The first line of the file must be the header row " + HEADER + ": it has no offence_type, "
            "convicted, custodial, release_date, licence_end, crime_reference, court, note columns",
        ),
        (
            (HEADER + ",officer\n").encode(),
            "The first line of the file must be the header row " + HEADER + ": it has unknown columns: officer",
        ),
        (
            (HEADER + "\n").encode() + "2019/0123456Q,arrest,2024-01-01,,,,,,,,caf\xe9\n".encode("latin-1"),
            "The selected file is not UTF-8 text: save it as CSV UTF-8 (comma delimited) and try again",
        ),
    ],
)
def test_a_file_not_in_the_format_is_refused_as_a_whole(partnership, content, message):
    with pytest.raises(ValidationError) as raised:
        events_import(by=partnership.officer, file=io.BytesIO(content), file_name="x.csv")

    assert raised.value.message_dict == {"file": [message]}


def test_a_failure_while_writing_leaves_nothing_behind(partnership, people, monkeypatch):
    monkeypatch.setattr(events_module, "IMPORT_BATCH_SIZE", 2)
    calls = []
    real = events_module._custody_follows

    def failing_on_the_second_batch(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(events_module, "_custody_follows", failing_on_the_second_batch)

    with pytest.raises(RuntimeError):
        events_import(by=partnership.officer, file=csv_file(*good_lines(people)), file_name="x.csv")

    assert not CustodyEvent.objects.exists()
    assert not EventImport.objects.exists()
    assert not Nominal.objects.filter(custody_status=Nominal.CustodyStatus.CUSTODY).exists()


# --- Streaming and bounded queries --------------------------------------------------------------------


class ChunksOnly(io.BytesIO):
    """A file that refuses to be read whole."""

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None, "the file was read whole"
        assert size > 0, "the file was read whole"
        return super().read(size)

    def read1(self, size: int | None = -1) -> bytes:
        assert size is not None, "the file was read whole"
        assert size > 0, "the file was read whole"
        return super().read1(size)


def many_lines(people: list[Nominal], count: int) -> list[str]:
    kinds = [
        ("remand", {}),
        ("arrest", {"offence_type": "theft"}),
        ("release", {"release_date": days_ago(1)}),
        ("sentence", {"custodial": "no"}),
    ]
    lines = []
    for number in range(count):
        event, values = kinds[number % len(kinds)]
        lines.append(row(people[number % len(people)].pnc_id, event, days_ago(1), **values))
    return lines


def test_the_file_is_read_in_chunks_never_whole(partnership, people):
    content = csv_file(*many_lines(people, 50)).getvalue()

    outcome = events_import(by=partnership.officer, file=ChunksOnly(content), file_name="x.csv")

    assert outcome.event_import is not None
    assert outcome.event_import.rows == 50


def bulk_people(by, count: int) -> list[Nominal]:
    """Many people recorded by the user's agency, at once (as the benchmark makes them)."""
    from cohorts.access import grants_recompute
    from cohorts.records.models import CaseInvolvement

    people = Nominal.objects.bulk_create(
        [
            Nominal(
                first_name="Bulk",
                last_name=f"Person{number}",
                date_of_birth=datetime.date(1990, 1, 1),
                pnc_id=valid_pnc_id(),
                owning_agency=by.agency,
                created_by=by,
            )
            for number in range(count)
        ]
    )
    CaseInvolvement.objects.bulk_create(
        [
            CaseInvolvement(
                nominal=person, agency=by.agency, reason=CaseInvolvement.Reason.RECORDED, started_on=today()
            )
            for person in people
        ]
    )
    grants_recompute(nominal_ids=[person.pk for person in people])
    return people


def flipping_lines(people: list[Nominal], batches: int) -> list[str]:
    """One event per person per batch, into custody in one batch and out in the next, so each batch
    changes everyone's custody status."""
    lines = []
    for batch in range(batches):
        for person in people:
            if batch % 2 == 0:
                lines.append(row(person.pnc_id, "remand", days_ago(batches - batch + 1)))
            else:
                lines.append(
                    row(person.pnc_id, "release", days_ago(batches - batch), release_date=days_ago(batches - batch))
                )
    return lines


def queries_to_import(user, lines: list[str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        outcome = events_import(by=user, file=csv_file(*lines), file_name="x.csv")
    assert outcome.event_import is not None
    assert outcome.event_import.rows == len(lines)
    return len(captured)


@pytest.fixture
def warm_officer(partnership, people):
    """The officer, with what the first import of a request caches (their roles) in place."""
    events_import(by=partnership.officer, file=csv_file(row(people[0].pnc_id, "arrest", days_ago(1))), file_name="x")
    return partnership.officer


def test_a_thousand_rows_run_the_same_queries_as_a_hundred(warm_officer):
    hundred = queries_to_import(warm_officer, flipping_lines(bulk_people(warm_officer, 100), 1))
    thousand = queries_to_import(warm_officer, flipping_lines(bulk_people(warm_officer, 1_000), 1))

    assert thousand == hundred


def test_the_queries_grow_with_the_batches_only(warm_officer, monkeypatch):
    monkeypatch.setattr(events_module, "IMPORT_BATCH_SIZE", 50)

    one = queries_to_import(warm_officer, flipping_lines(bulk_people(warm_officer, 50), 1))
    two = queries_to_import(warm_officer, flipping_lines(bulk_people(warm_officer, 50), 2))
    five = queries_to_import(warm_officer, flipping_lines(bulk_people(warm_officer, 50), 5))

    per_batch = two - one
    # Checking: a look-up; recording: a look-up, the items, the events, the latest events, the people.
    assert per_batch == 7
    assert five == one + 4 * per_batch


def test_a_rejected_file_runs_one_query_a_batch(warm_officer, monkeypatch):
    monkeypatch.setattr(events_module, "IMPORT_BATCH_SIZE", 100)
    bad = [row(valid_pnc_id(), "arrest", days_ago(1)) for _ in range(300)]  # no one has these PNC IDs

    with CaptureQueriesContext(connection) as captured:
        outcome = events_import(by=warm_officer, file=csv_file(*bad), file_name="x.csv")

    assert (outcome.rejected_count, len(outcome.rejected)) == (300, REJECTED_SHOWN)
    assert outcome.reasons_by_column == [("pnc_id", 300)]
    assert len(captured) == 3


def test_a_huge_file_of_bad_rows_gives_a_small_report(client, partnership, people):
    """A report lists REJECTED_SHOWN rows in full and counts the rest by column, and quotes a value
    cut short, so its page stays small whatever the file (a 19 MB file once made a 197 MB page)."""
    long_value = "x" * 5000
    bad = [row(people[0].pnc_id, long_value, "2020-13-45", convicted=long_value) for _ in range(2000)]
    client.force_login(partnership.officer)

    response = client.post(import_url(), {"file": upload("bad.csv", csv_file(*bad).getvalue())})

    body = response.content.decode()
    assert response.status_code == 400
    assert "2000 of 2000 rows cannot be imported" in body
    assert body.count('data-testid="rejected-row"') == REJECTED_SHOWN
    assert f"{2000 - REJECTED_SHOWN} more rows cannot be imported either" in body
    assert 'data-testid="reasons-by-column"' in body
    assert len(body) < 200_000
    assert not CustodyEvent.objects.exists()


def test_a_nul_character_rejects_its_row_not_the_server(partnership, people):
    lines = [row(people[0].pnc_id, "arrest", days_ago(1), note="before\x00after")]

    outcome = events_import(by=partnership.officer, file=csv_file(*lines), file_name="nul.csv")

    assert [rejected.reasons for rejected in outcome.rejected] == [
        ["The row has a NUL character (a zero byte), which is not text"]
    ]


# --- The page -----------------------------------------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def import_url() -> str:
    return reverse("event-import")


def test_the_page_documents_the_format(client, partnership):
    client.force_login(partnership.officer)

    response = client.get(import_url())

    body = response.content.decode()
    assert response.status_code == 200
    assert f"<code>{HEADER}</code>" in body
    for column in CSV_COLUMNS:
        assert f"<code>{column}</code>" in body
    assert 'enctype="multipart/form-data"' in body
    assert "court_outcome" in body
    assert "domestic_abuse" in body


def test_a_good_file_is_imported_and_its_page_shown(client, partnership, people):
    client.force_login(partnership.officer)
    content = csv_file(*good_lines(people)).getvalue()

    response = client.post(import_url(), {"file": upload("custody-suite.csv", content)})

    event_import = EventImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("event-import-detail", args=[event_import.pk])
    page = client.get(response["Location"]).content.decode()
    assert "5 events imported" in page
    assert "custody-suite.csv" in page
    assert "custody-suite.csv" in client.get(import_url()).content.decode()  # the agency's latest imports


def test_a_file_in_a_temporary_file_on_disk_is_read_too(client, partnership, people, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # larger uploads go to a temporary file
    client.force_login(partnership.officer)

    response = client.post(import_url(), {"file": upload("disk.csv", csv_file(*good_lines(people)).getvalue())})

    assert response.status_code == 302
    assert CustodyEvent.objects.count() == 5


def test_rejected_rows_are_shown_in_a_table_and_nothing_is_imported(client, partnership, people):
    client.force_login(partnership.officer)
    lines = good_lines(people)
    lines.append(row(valid_pnc_id(), "arest", days_ago(1)))  # line 7

    response = client.post(import_url(), {"file": upload("custody.csv", csv_file(*lines).getvalue())})

    body = response.content.decode()
    assert response.status_code == 400
    assert "1 of 6 rows cannot be imported, so nothing was imported." in body
    table = body[body.index('data-testid="rejected-rows"') :]
    assert '<td class="govuk-table__cell">7</td>' in table
    assert f"pnc_id: {UNKNOWN_PERSON}" in table
    assert "event: &#x27;arest&#x27; is not an event code" in table
    assert not CustodyEvent.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("events.xlsx", b"PK", "The selected file must be a CSV file (ending .csv)"),
        ("events.csv", b"pnc_id\n", "The first line of the file must be the header row"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_error(client, partnership, name, content, message):
    client.force_login(partnership.officer)

    response = client.post(import_url(), {"file": upload(name, content)})

    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body


def test_a_file_over_20_mb_is_refused(client, partnership):
    client.force_login(partnership.officer)
    big = HEADER.encode() + b"\n" + b"x" * MAX_UPLOAD_BYTES

    response = client.post(import_url(), {"file": upload("big.csv", big)})

    assert response.status_code == 400
    assert "The selected file must be smaller than 20 MB" in response.content.decode()


def test_no_file_chosen_is_an_error(client, partnership):
    client.force_login(partnership.officer)

    response = client.post(import_url(), {})

    assert response.status_code == 400
    assert "Select a CSV file" in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "role", "allowed"),
    [
        (Agency.Kind.POLICE, Role.PRACTITIONER, True),
        (Agency.Kind.PROBATION, Role.SUPERVISOR, True),
        (Agency.Kind.PRISON, Role.PRACTITIONER, True),
        (Agency.Kind.DRUG_AND_ALCOHOL, Role.SYSTEM_ADMIN, True),
        (Agency.Kind.POLICE, Role.PARTNER_WORKER, False),
        (Agency.Kind.POLICE, Role.ANALYST, False),
        (Agency.Kind.YOUTH_OFFENDING_TEAM, Role.PRACTITIONER, False),
        (Agency.Kind.DRUG_AND_ALCOHOL, Role.PRACTITIONER, False),
    ],
)
def test_who_may_import(client, db, kind, role, allowed):
    client.force_login(UserFactory.create(agency=AgencyFactory.create(kind=kind), roles=[role]))

    assert client.get(import_url()).status_code == (200 if allowed else 403)
    assert client.post(import_url(), {}).status_code == (400 if allowed else 403)


# --- An import's page --------------------------------------------------------------------------------


def test_an_imports_page_offers_a_new_referral_for_released_people_previously_on_iom(client, partnership, people):
    was_on_iom, never_on_iom, on_iom_now = people
    CohortMembership.objects.create(
        nominal=was_on_iom,
        started_on=today() - datetime.timedelta(days=500),
        ended_on=today() - datetime.timedelta(days=300),
    )
    CohortMembership.objects.create(nominal=on_iom_now, started_on=today() - datetime.timedelta(days=30))
    lines = [row(person.pnc_id, "release", days_ago(1), release_date=days_ago(1)) for person in people]
    outcome = events_import(by=partnership.officer, file=csv_file(*lines), file_name="releases.csv")
    assert outcome.event_import is not None
    client.force_login(partnership.officer)

    response = client.get(reverse("event-import-detail", args=[outcome.event_import.pk]))

    body = response.content.decode()
    listed = body[body.index('data-testid="released-previously-on-iom"') :]
    assert f'href="/referrals/new/?nominal={was_on_iom.pk}"' in listed
    assert "Previously on IOM: refer again" in listed
    assert f"/referrals/new/?nominal={never_on_iom.pk}" not in body
    assert f"/referrals/new/?nominal={on_iom_now.pk}" not in body


def test_an_imports_page_is_for_the_importing_agency_only(client, partnership, people):
    outcome = events_import(
        by=partnership.officer, file=csv_file(row(people[0].pnc_id, "arrest", days_ago(1))), file_name="x.csv"
    )
    assert outcome.event_import is not None
    url = reverse("event-import-detail", args=[outcome.event_import.pk])

    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR]))
    assert client.get(url).status_code == 200
    client.force_login(UserFactory.create(agency=partnership.probation, roles=[Role.PRACTITIONER]))
    assert client.get(url).status_code == 404
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.ANALYST]))
    assert client.get(url).status_code == 403
    client.force_login(partnership.officer)
    assert client.get(reverse("event-import-detail", args=[10**9])).status_code == 404


# --- The benchmark ---------------------------------------------------------------------------------------


def test_the_benchmark_measures_an_import_and_leaves_nothing_behind(db):
    from django.core.management import call_command

    out = io.StringIO()
    tiny = ["--nominals", "30", "--items", "50", "--agencies", "4", "--repeat", "1", "--warmup", "0"]
    call_command(
        "benchmark", *tiny, "--max-ratio", "1000", "--max-cohort-ratio", "1000", stdout=out, stderr=io.StringIO()
    )

    line = next(line for line in out.getvalue().splitlines() if line.startswith("| events_import()"))
    assert line.startswith("| events_import(), 300-row CSV, system admin (rolled back) | 1 |")
    assert "KiB |" in line  # its peak Python memory
    assert not CustodyEvent.objects.exists()
    assert not EventImport.objects.exists()
