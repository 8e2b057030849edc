"""The demo cohort: people on Northmoor's IOM cohort and around it, their records from several
agencies, and three sharing agreements, so that shared, withheld and expired access all show.

Everything is made through the services, as users would make it, and dated relative to the day
the demo is loaded."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import pghistory
from django.utils import timezone

from cohorts.events.models import CustodyEvent
from cohorts.events.services import custody_event_record
from cohorts.models import AccessEvent
from cohorts.records.identifiers import pnc_check_letter
from cohorts.records.models import (
    CaseInvolvement,
    CommunitySafetyPartnership,
    Nominal,
    Pathway,
    PathwayNeed,
    PolicingArea,
    RecordedItem,
)
from cohorts.records.selectors import nominal_record_for_user
from cohorts.records.services import (
    access_event_record,
    cohort_membership_start,
    consent_record,
    involvement_start,
    item_record,
    nominal_create,
    pathway_need_record,
)
from sharing.models import Agency, DataCategory, SharingAgreement, User
from sharing.services import ClauseSpec, agreement_activate, agreement_create, agreement_end

AREAS = ["Northmoor City Centre", "Northmoor East", "Northmoor West", "Fenwick Vale", "Riverside"]
PARTNERSHIPS = ["Northmoor City CSP", "Fenwick District CSP"]


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str
    born: tuple[int, int, int]
    recorded_by: str  # demo username
    area: int
    pnc_serial: str | None = None
    crn: str | None = None
    prison_number: str | None = None
    custody: str = Nominal.CustodyStatus.COMMUNITY
    statutory: str = Nominal.StatutoryStatus.LICENCE
    ogrs: int | None = None
    rosh: str = Nominal.RiskOfSeriousHarm.MEDIUM
    on_cohort_days: int | None = 120
    licence_ends_in_days: int | None = 200
    aliases: tuple[tuple[str, str], ...] = ()
    gender: str = Nominal.Gender.MALE
    items: tuple[tuple[str, str, str, str, int], ...] = field(
        default=()
    )  # (username, category, kind, summary, days ago)


PEOPLE = [
    DemoPerson(
        "Liam",
        "Doherty",
        (1994, 5, 12),
        "sam.carter",
        0,
        "1234567",
        "D481203",
        ogrs=82,
        rosh="high",
        aliases=(("Leo", "Docherty"),),
        items=(
            ("sam.carter", "offending-risk", "event", "Arrested for dwelling burglary, Elm Street", 12),
            (
                "sam.carter",
                "intelligence",
                "intelligence",
                "Seen with known fence at Riverside car boot (graded B2)",
                5,
            ),
            ("priya.shah", "offending-risk", "contact", "Licence appointment attended; discussed curfew breach", 3),
            ("jo.evans", "substance-misuse", "intervention", "Started opiate substitution therapy", 20),
            ("tom.byrne", "accommodation", "note", "Tenancy sustainment visit: rent arrears of £640", 60),
        ),
    ),
    DemoPerson(
        "Jade",
        "Whitfield",
        (1999, 11, 2),
        "priya.shah",
        1,
        "0456789",
        "W220981",
        ogrs=64,
        gender=Nominal.Gender.FEMALE,
        items=(
            ("priya.shah", "offending-risk", "assessment", "OASys review: medium risk to known adult", 30),
            ("priya.shah", "family", "note", "Children's social care: child in need plan for youngest", 14),
            ("jo.evans", "substance-misuse", "contact", "Missed two key-work sessions", 6),
        ),
    ),
    DemoPerson(
        "Connor",
        "Walsh",
        (1988, 2, 28),
        "sam.carter",
        2,
        "2345678",
        "C119834",
        "A4821BD",
        custody=Nominal.CustodyStatus.CUSTODY,
        statutory=Nominal.StatutoryStatus.NONE,
        ogrs=91,
        rosh="high",
        licence_ends_in_days=None,
        items=(
            ("grace.mensah", "offending-risk", "event", "Remanded to HMP Fenwick: robbery", 40),
            ("grace.mensah", "accommodation", "note", "No fixed abode on release; referral to housing", 9),
        ),
    ),
    DemoPerson(
        "Tyrone",
        "Baptiste",
        (1996, 7, 19),
        "sam.carter",
        0,
        "3456789",
        "B554210",
        ogrs=77,
        items=(
            ("sam.carter", "offending-risk", "event", "Charged with theft of motor vehicle", 25),
            ("helen.morris", "offending-risk", "note", "Supervisor: interventions commensurate with risk", 10),
        ),
    ),
    DemoPerson(
        "Megan",
        "Price",
        (2001, 1, 30),
        "priya.shah",
        3,
        "4567890",
        "P883012",
        ogrs=55,
        gender=Nominal.Gender.FEMALE,
        items=(
            (
                "priya.shah",
                "mental-health",
                "assessment",
                "Referred to liaison and diversion for anxiety assessment",
                18,
            ),
            ("jo.evans", "substance-misuse", "intervention", "Alcohol brief intervention completed", 11),
        ),
    ),
    DemoPerson(
        "Callum",
        "Reid",
        (1991, 9, 9),
        "sam.carter",
        4,
        "5678901",
        None,
        statutory=Nominal.StatutoryStatus.NONE,
        ogrs=68,
        licence_ends_in_days=None,
        aliases=(("Cal", "Reed"),),
        items=(("sam.carter", "intelligence", "intelligence", "Linked to county lines activity in Riverside", 8),),
    ),
    DemoPerson(
        "Kieran",
        "O'Neill",
        (1985, 3, 3),
        "priya.shah",
        1,
        "6789012",
        "K302114",
        ogrs=71,
        licence_ends_in_days=60,
        items=(
            ("priya.shah", "offending-risk", "contact", "Home visit: address confirmed, compliant", 2),
            ("tom.byrne", "accommodation", "note", "Supported housing place offered from next month", 90),
        ),
    ),
    DemoPerson(
        "Aaron",
        "Mensah",
        (2008, 10, 1),
        "aisha.khan",
        0,
        "7890123",
        None,
        statutory=Nominal.StatutoryStatus.COMMUNITY_ORDER,
        ogrs=58,
        on_cohort_days=None,
        licence_ends_in_days=None,
        items=(("aisha.khan", "family", "note", "Lives with grandmother; school attendance 62%", 15),),
    ),
    DemoPerson(
        "Shannon",
        "Kelly",
        (1997, 4, 22),
        "sam.carter",
        2,
        "8901234",
        "S771230",
        ogrs=60,
        gender=Nominal.Gender.FEMALE,
        items=(("sam.carter", "victim", "note", "Victim of domestic abuse: MARAC referral made", 33),),
    ),
    DemoPerson(
        "Dean",
        "Hollis",
        (1983, 12, 14),
        "sam.carter",
        3,
        "9012345",
        "H665409",
        ogrs=85,
        rosh="very_high",
        custody=Nominal.CustodyStatus.UNLAWFULLY_AT_LARGE,
        items=(
            (
                "sam.carter",
                "offending-risk",
                "note",
                "Recall issued: failed to reside at approved premises; not yet returned to custody",
                4,
            ),
        ),
    ),
    DemoPerson(
        "Ryan",
        "Foster",
        (1993, 8, 5),
        "priya.shah",
        4,
        "1122334",
        "F448823",
        ogrs=49,
        on_cohort_days=None,
        items=(("priya.shah", "offending-risk", "note", "Considered for IOM: below threshold, review in 3 months", 7),),
    ),
    DemoPerson(
        "Nathan",
        "Cole",
        (1990, 6, 17),
        "sam.carter",
        0,
        "2233445",
        "N390112",
        ogrs=74,
        items=(
            ("sam.carter", "intelligence", "intelligence", "Stop and search: no further action", 1),
            ("jo.evans", "substance-misuse", "contact", "Positive test for cocaine on arrest", 1),
        ),
    ),
]


# The demo's custody and court events, by what the officer wrote: (kind, offence type).
DEMO_EVENTS = {
    "Arrested for dwelling burglary, Elm Street": (CustodyEvent.Kind.ARREST, "burglary"),
    "Remanded to HMP Fenwick: robbery": (CustodyEvent.Kind.REMAND, "robbery"),
    "Charged with theft of motor vehicle": (CustodyEvent.Kind.CHARGE, "vehicle"),
}


def _date_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _pnc(year: int, serial: str) -> str:
    return f"{year}/{serial}{pnc_check_letter(str(year), serial)}"


def _agreements(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    category = {c.code: c for c in DataCategory.objects.all()}
    admin = users["claire.wood"]
    if SharingAgreement.objects.filter(title="Northmoor IOM core agreement").exists():
        return
    with pghistory.context(user=admin.pk, url="demo data"):
        _make_agreements(admin, category, agencies)


def _make_agreements(admin: User, category: dict[str, DataCategory], agencies: dict[str, Agency]) -> None:
    core = agreement_create(
        by=admin,
        title="Northmoor IOM core agreement",
        purpose="Jointly managing the people on Northmoor's IOM cohort to reduce reoffending and protect the public.",
        legal_basis=SharingAgreement.LegalBasis.CRIME_AND_DISORDER,
        parties=[agencies["police"], agencies["probation"], agencies["prison"]],
        clauses=[
            ClauseSpec(category[code])
            for code in ("identity", "offending-risk", "accommodation", "family", "intelligence", "victim")
        ],
        starts_on=_date_ago(400),
        review_on=_date_ago(-120),
    )
    agreement_activate(agreement=core, by=admin)
    substance = agreement_create(
        by=admin,
        title="Substance misuse treatment sharing",
        purpose="Sharing treatment engagement with police and probation to support recovery and manage risk.",
        legal_basis=SharingAgreement.LegalBasis.CONSENT,
        parties=[agencies["police"], agencies["probation"], agencies["drugs"]],
        clauses=[ClauseSpec(category["identity"]), ClauseSpec(category["substance-misuse"], consent_required=True)],
        starts_on=_date_ago(200),
        review_on=_date_ago(-25),
    )
    agreement_activate(agreement=substance, by=admin)
    housing = agreement_create(
        by=admin,
        title="Housing first pilot",
        purpose="Pilot of shared accommodation data for prison leavers.",
        legal_basis=SharingAgreement.LegalBasis.PUBLIC_TASK,
        parties=[agencies["police"], agencies["housing"]],
        clauses=[ClauseSpec(category["identity"]), ClauseSpec(category["accommodation"])],
        starts_on=_date_ago(500),
    )
    agreement_activate(agreement=housing, by=admin)
    agreement_end(agreement=housing, by=admin, ends_on=_date_ago(30))


def load_demo_records(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    for name in AREAS:
        PolicingArea.objects.get_or_create(name=name)
    for name in PARTNERSHIPS:
        CommunitySafetyPartnership.objects.get_or_create(name=name)
    _agreements(users, agencies)
    areas = list(PolicingArea.objects.filter(name__in=AREAS).order_by("name"))
    partnerships = list(CommunitySafetyPartnership.objects.order_by("name"))
    categories = {c.code: c for c in DataCategory.objects.all()}
    involvement_of = {
        "jo.evans": ("drugs", CaseInvolvement.Reason.KEY_WORKER),
        "tom.byrne": ("housing", CaseInvolvement.Reason.KEY_WORKER),
        "aisha.khan": ("yot_city", CaseInvolvement.Reason.KEY_WORKER),
        "grace.mensah": ("prison", CaseInvolvement.Reason.KEY_WORKER),
        "priya.shah": ("probation", CaseInvolvement.Reason.LEAD_PROFESSIONAL),
    }
    for person in PEOPLE:
        if Nominal.objects.filter(first_name=person.first_name, last_name=person.last_name).exists():
            continue
        with pghistory.context(user=users[person.recorded_by].pk, url="demo data"):
            _make_person(person, users, agencies, areas, partnerships, categories, involvement_of)
    _access_events(users)


def _make_person(
    person: DemoPerson,
    users: dict[str, User],
    agencies: dict[str, Agency],
    areas: list[PolicingArea],
    partnerships: list[CommunitySafetyPartnership],
    categories: dict[str, DataCategory],
    involvement_of: Mapping[str, tuple[str, str]],
) -> None:
    pnc_id = _pnc(person.born[0] + 16, person.pnc_serial) if person.pnc_serial else None
    nominal = nominal_create(
        by=users[person.recorded_by],
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=datetime.date(*person.born),
        gender=person.gender,
        nationality="British",
        pnc_id=pnc_id,
        crn=person.crn,
        prison_number=person.prison_number,
        policing_area=areas[person.area % len(areas)],
        community_safety_partnership=partnerships[person.area % len(partnerships)],
        custody_status=person.custody,
        statutory_status=person.statutory,
        licence_ends_on=_date_ago(-person.licence_ends_in_days) if person.licence_ends_in_days else None,
        sentence_ends_on=_date_ago(-(person.licence_ends_in_days + 180)) if person.licence_ends_in_days else None,
        ogrs_percent=person.ogrs,
        risk_of_serious_harm=person.rosh,
        aliases=[{"first_name": first, "last_name": last} for first, last in person.aliases],
    )
    if person.on_cohort_days is not None:
        cohort_membership_start(nominal=nominal, started_on=_date_ago(person.on_cohort_days))
    involved = {username for username, *_ in person.items} - {person.recorded_by}
    for username in sorted(involved):
        if username in involvement_of:
            key, reason = involvement_of[username]
            involvement_start(nominal=nominal, agency=agencies[key], reason=reason, started_on=_date_ago(150))
    for username, code, kind, summary, days_ago in person.items:
        if kind == RecordedItem.Kind.EVENT:  # an event is a custody or court event, with its item
            event_kind, offence_type = DEMO_EVENTS[summary]
            custody_event_record(
                nominal=nominal,
                by=users[username],
                kind=event_kind,
                offence_type=offence_type,
                occurred_on=_date_ago(days_ago),
                note=summary,
            )
            continue
        item_record(
            nominal=nominal,
            by=users[username],
            category=categories[code],
            kind=kind,
            summary=summary,
            occurred_on=_date_ago(days_ago),
        )
    # Consent to share treatment data: given by most, withdrawn by one, so both show.
    if any(code == "substance-misuse" for _, code, *_ in person.items):
        consent_record(
            nominal=nominal,
            by=users["jo.evans"],
            given=True,
            category=categories["substance-misuse"],
            recorded_on=_date_ago(100),
        )
        if person.last_name == "Whitfield":
            consent_record(
                nominal=nominal,
                by=users["jo.evans"],
                given=False,
                recorded_on=_date_ago(10),
                note="Withdrew consent at review",
            )
    # Needs on a few pathways, recorded by the agencies that assess them.
    levels = [PathwayNeed.Level.HIGH, PathwayNeed.Level.MEDIUM, PathwayNeed.Level.LOW]
    for offset, (pathway, username) in enumerate(
        [
            (Pathway.ACCOMMODATION, person.recorded_by),
            (Pathway.EDUCATION_TRAINING_EMPLOYMENT, "priya.shah"),
            (Pathway.DRUGS_AND_ALCOHOL, "jo.evans"),
            (Pathway.ATTITUDES_THINKING_BEHAVIOUR, "priya.shah"),
        ]
    ):
        pathway_need_record(
            nominal=nominal,
            by=users[username],
            pathway=pathway,
            level=levels[(len(person.last_name) + offset) % len(levels)],
            assessed_on=_date_ago(45 - offset * 7),
        )


def _access_events(users: dict[str, User]) -> None:
    """A few days of the access log: views and a search, one with a reason for sensitive items."""
    if AccessEvent.objects.exists():
        return
    viewers = ["sam.carter", "priya.shah", "helen.morris", "jo.evans", "grace.mensah"]
    people = list(Nominal.objects.order_by("pk")[:8])
    for index, nominal in enumerate(people):
        user = users[viewers[index % len(viewers)]]
        record = nominal_record_for_user(user, nominal)
        if not record.reasons:
            continue
        access_event_record(
            user=user,
            action=AccessEvent.Action.VIEW,
            nominal=nominal,
            categories=record.categories_shown,
            allowed_by="; ".join(record.reasons),
            path=f"/people/{nominal.pk}/",
        )
    doherty = Nominal.objects.filter(last_name="Doherty").first()
    if doherty is not None:
        access_event_record(
            user=users["priya.shah"],
            action=AccessEvent.Action.VIEW_SENSITIVE,
            nominal=doherty,
            categories=["intelligence"],
            allowed_by="; ".join(nominal_record_for_user(users["priya.shah"], doherty).reasons),
            reason="Preparing the risk management plan for the MAP meeting",
            path=f"/people/{doherty.pk}/sensitive/",
        )
    access_event_record(
        user=users["sam.carter"],
        action=AccessEvent.Action.SEARCH,
        nominal_ids=[nominal.pk for nominal in people[:3]],
        categories=["identity"],
        query="q=burglary+elm+street",
        path="/people/",
    )
