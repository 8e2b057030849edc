"""The demo referrals: Northmoor's referral pipeline in every state, from police, probation, the
youth justice service, the prison and the drug service, and the people the panel has accepted onto
the cohort with their strand, level, RAG rating, lead professional, police lead and key workers.

Everything is made through the referral and cohort services, as users would make it, so the
timelines, scores, grants and change history are real. Dates are relative to the day the demo is
loaded. A person who already has a referral is left alone, so loading again adds nothing.

The people are recorded by the police (who hold their PNC records), and probation is involved as
the managing team of everyone under its supervision: the IOM team (police and probation) sees a
person's referral only when its agency may see the person. Partners' referrals are read by the
IOM team under a consent-based agreement, with the person's recorded consent.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts.management.models import CaseAssignment, ManagementLevel, PriorityCohort, RagRating
from cohorts.records.identifiers import pnc_check_letter
from cohorts.records.models import CaseInvolvement, CommunitySafetyPartnership, Nominal, PolicingArea
from cohorts.records.services import case_assign, consent_record, involvement_start, nominal_create
from demo.common import as_user, days_ago
from iom.celery import ensure_filesystem_broker_folders
from referrals.dates import add_months, birthday
from referrals.models import Referral, ReferralDecision
from referrals.services import (
    AcceptTerms,
    referral_decide,
    referral_list_for_panel,
    referral_return,
    referral_screen,
    referral_section_save,
    referral_start,
    referral_submit,
    referral_withdraw,
    sections_for,
)
from sharing.models import Agency, DataCategory, SharingAgreement, User
from sharing.services import ClauseSpec, agreement_activate, agreement_create

Status = Referral.Status
Outcome = ReferralDecision.Outcome
SUPERVISED = {
    Nominal.StatutoryStatus.LICENCE,
    Nominal.StatutoryStatus.COMMUNITY_ORDER,
    Nominal.StatutoryStatus.POST_SENTENCE_SUPERVISION,
}
PARTNER_AGREEMENT = "Partner referrals to IOM"
PANEL_CHAIR = "mark.reynolds"


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    age: tuple[int, int, int]  # years, months and days old on the day the demo is loaded
    pnc_serial: str
    area: int
    gender: str = Nominal.Gender.MALE
    recorded_by: str = "sam.carter"
    crn: str | None = None
    prison_number: str | None = None
    custody: str = Nominal.CustodyStatus.COMMUNITY
    statutory: str = Nominal.StatutoryStatus.LICENCE
    ogrs: int | None = None
    rosh: str = Nominal.RiskOfSeriousHarm.MEDIUM
    mappa_category: str = ""
    mappa_level: str = ""
    key_worker: str = ""  # a partner's key worker, assigned before the referral
    consents: bool = False  # consented to sharing offending and risk information with partners


@dataclass(frozen=True)
class Accept:
    strand: str
    level: str
    rag: str
    rag_rationale: str
    lead: str
    police_lead: str
    key_workers: tuple[str, ...] = ()
    mappa_level: str = ""
    weeks_on_iom: int = 0  # on IOM from this many weeks ago, so the cohort has history


@dataclass(frozen=True)
class Youth:
    order: str = Referral.YouthOrder.YOUTH_REHABILITATION_ORDER
    months_after_18: int = 8  # when the order ends
    passed_to_probation: bool = True


@dataclass(frozen=True)
class DemoReferral:
    person: Person
    referrer: str
    reaches: str  # the status the referral is taken to
    why_now: str
    criteria: tuple[str, ...]
    strand: str
    offences: tuple[tuple[str, int, str], ...]  # (offence type, days ago, description)
    needs: tuple[tuple[str, str, str], ...] = ()  # (pathway, level, note)
    level: str = ""  # the proposed level's code
    cohorts: tuple[str, ...] = ()  # priority cohort codes
    release_in_days: int | None = None
    urgent: str = ""  # why it is urgent; empty when it is not
    sections: tuple[str, ...] | None = None  # a draft's completed sections; None: all of them
    youth: Youth | None = None
    screener: str = "helen.morris"
    questions: str = ""  # the IOM team's, when returned
    rationale: str = ""  # the decision's, or the withdrawal's reason
    accept: Accept | None = None
    outside_meeting: bool = False


ACCEPTED = [
    DemoReferral(
        Person("Marcus", "Oyelaran", (31, 4, 9), "4401187", 1, crn="M552018", ogrs=88, rosh="high"),
        "sam.carter",
        Status.ACCEPTED,
        "Released on licence from HMP Fenwick in the summer and linked by forensics to three dwelling burglaries "
        "in Northmoor East since. He missed two licence appointments this month and is believed to be using "
        "crack cocaine again.",
        ("reoffending", "harm"),
        "fixed",
        (
            ("burglary", 18, "Dwelling burglary, Harcourt Road: car keys and a car taken"),
            ("vehicle", 18, "Car taken in the Harcourt Road burglary, found burnt out"),
            ("burglary", 47, "Dwelling burglary, Linden Avenue"),
            ("burglary", 160, "Attempted dwelling burglary, Moor Lane"),
        ),
        (
            ("drugs_alcohol", "high", "Crack cocaine use resumed since release"),
            ("accommodation", "medium", "Staying on his sister's sofa; not the approved address"),
            ("ete", "low", "Has a CSCS card; interested in labouring work"),
        ),
        level="priority",
        accept=Accept(
            "fixed",
            "priority",
            "red",
            "Offending escalating since release and not keeping to his licence conditions.",
            "priya.shah",
            "sam.carter",
            key_workers=("jo.evans",),
            weeks_on_iom=34,
        ),
        rationale="Meets the Fixed criteria: neighbourhood crime, on licence, high OGRS. Managed at Priority.",
    ),
    DemoReferral(
        Person(
            "Kayleigh",
            "Brennan",
            (27, 2, 14),
            "4402295",
            0,
            gender=Nominal.Gender.FEMALE,
            crn="K610442",
            statutory=Nominal.StatutoryStatus.COMMUNITY_ORDER,
            ogrs=66,
        ),
        "priya.shah",
        Status.ACCEPTED,
        "Three thefts in two months since her relationship broke down and she lost her tenancy. She has asked "
        "for help and wants to engage; the Northmoor women's centre can take her from next month.",
        ("reoffending",),
        "flex",
        (
            ("theft", 35, "Theft of a handbag from a café, Market Square"),
            ("shoplifting", 60, "Shoplifting, Northmoor city centre"),
            ("criminal_damage", 120, "Damage to a former partner's car"),
        ),
        (
            ("accommodation", "high", "Evicted in September; in emergency bed and breakfast"),
            ("family", "medium", "Two children living with their father; supervised contact"),
        ),
        level="enhanced",
        cohorts=("women",),
        accept=Accept(
            "flex",
            "enhanced",
            "amber",
            "Engaging, but homeless and still offending; risk falls once she is housed.",
            "priya.shah",
            "helen.morris",
            key_workers=("tom.byrne",),
            weeks_on_iom=10,
        ),
        rationale="Flex: acquisitive offending driven by homelessness; the women's cohort.",
    ),
    DemoReferral(
        Person(
            "Imran",
            "Qureshi",
            (35, 8, 2),
            "4403361",
            2,
            crn="Q118273",
            ogrs=58,
            rosh="high",
            mappa_category="2",
            mappa_level="1",
        ),
        "priya.shah",
        Status.ACCEPTED,
        "Released on licence ten weeks ago after a sentence for assaulting his former partner. Police have "
        "attended two domestic incidents at his new partner's address since; MARAC heard the case last week "
        "and asked for IOM management alongside MAPPA.",
        ("harm", "reoffending"),
        "free",
        (
            ("domestic_abuse", 70, "Common assault on his new partner; breach of a non-molestation order"),
            ("criminal_damage", 70, "Smashed his partner's phone during the same incident"),
            ("violence", 480, "Assault occasioning actual bodily harm on his former partner"),
        ),
        (
            ("attitudes", "high", "Building Better Relationships programme not yet started"),
            ("drugs_alcohol", "medium", "Alcohol involved in every incident"),
        ),
        level="enhanced",
        cohorts=("domestic-abuse",),
        accept=Accept(
            "free",
            "enhanced",
            "red",
            "Two incidents since release and a new partner at risk: high risk of imminent harm.",
            "priya.shah",
            "helen.morris",
            mappa_level="2",
            weeks_on_iom=46,
        ),
        rationale="Free strand, domestic abuse perpetrators; combined with MAPPA level 2.",
    ),
    DemoReferral(
        Person("Bradley", "Tomlinson", (39, 11, 20), "4404428", 3, crn="T774105", ogrs=63, rosh="low"),
        "priya.shah",
        Status.ACCEPTED,
        "A long history of vehicle crime. Stable since starting work with a removals firm, but two thefts from "
        "vehicles this year; Fixed-strand management for the rest of his licence to keep him on track.",
        ("reoffending",),
        "fixed",
        (
            ("vehicle", 130, "Theft from motor vehicles, Fenwick Vale retail park"),
            ("vehicle", 220, "Theft from a van: power tools"),
            ("theft", 300, "Theft of a catalytic converter"),
        ),
        (
            ("ete", "low", "In work; hours irregular"),
            ("finance", "medium", "Debts of about £2,000; a debt advice appointment booked"),
        ),
        level="standard",
        accept=Accept(
            "fixed",
            "standard",
            "green",
            "In work, keeping his appointments and no offending for four months.",
            "priya.shah",
            "sam.carter",
            weeks_on_iom=6,
        ),
        rationale="Meets the Fixed criteria; low current risk, Standard management.",
    ),
    DemoReferral(
        Person("Delroy", "Campbell", (47, 3, 5), "4405519", 4, crn="C903317", ogrs=76),
        "sam.carter",
        Status.ACCEPTED,
        "Leaving approved premises next month with nowhere to go. Each of his last three releases without an "
        "address was followed by acquisitive offending within weeks.",
        ("reoffending",),
        "fixed",
        (
            ("theft", 60, "Theft of a bicycle from outside Northmoor station"),
            ("burglary", 95, "Burglary of a garden shed, Riverside allotments"),
            ("robbery", 250, "Street robbery of a mobile phone, Riverside"),
        ),
        (
            ("accommodation", "high", "Move-on from approved premises due next month; no address yet"),
            ("health", "medium", "Type 2 diabetes; misses GP appointments"),
        ),
        level="enhanced",
        accept=Accept(
            "fixed",
            "enhanced",
            "amber",
            "Compliant in approved premises; risk rises sharply if he leaves without an address.",
            "priya.shah",
            "sam.carter",
            key_workers=("tom.byrne",),
            weeks_on_iom=21,
        ),
        rationale="Meets the Fixed criteria; accommodation is the priority.",
    ),
    DemoReferral(
        Person(
            "Ellie-Mae",
            "Haworth",
            (21, 5, 11),
            "4406632",
            0,
            gender=Nominal.Gender.FEMALE,
            statutory=Nominal.StatutoryStatus.COMMUNITY_ORDER,
            crn="H228904",
            ogrs=71,
            rosh="low",
            key_worker="jo.evans",
            consents=True,
        ),
        "sam.carter",
        Status.ACCEPTED,
        "Nine arrests in the city centre this year, all thefts to pay for cocaine. Compass Recovery has "
        "worked with her for two months and she is engaging; Flex management would join up the police, "
        "probation and her treatment.",
        ("reoffending",),
        "flex",
        (
            ("shoplifting", 12, "Shoplifting, Northmoor city centre: meat and alcohol"),
            ("theft", 30, "Theft of a purse from a shop counter"),
            ("drugs", 30, "Possession of cocaine"),
        ),
        (
            ("drugs_alcohol", "high", "Daily cocaine use; in treatment with Compass Recovery"),
            ("family", "medium", "Her two-year-old lives with her mother under kinship care"),
        ),
        level="standard",
        cohorts=("women", "young-adults"),
        accept=Accept(
            "flex",
            "standard",
            "amber",
            "Engaging with treatment but still offending weekly.",
            "jo.evans",
            "helen.morris",
            weeks_on_iom=3,
        ),
        rationale="Flex: women's and young adults' cohorts; her recovery worker leads.",
    ),
    DemoReferral(
        Person(
            "Ravinder",
            "Sandhu",
            (29, 6, 27),
            "4407743",
            4,
            statutory=Nominal.StatutoryStatus.NONE,
            ogrs=72,
            rosh="high",
        ),
        "sam.carter",
        Status.ACCEPTED,
        "Intelligence links him to a county lines group recruiting teenagers in Riverside; arrested with a "
        "knife last month near the scene of a stabbing. He has no statutory supervision, so Flex is the only "
        "way to manage him.",
        ("harm", "reoffending", "reputational"),
        "flex",
        (
            ("knife", 40, "Possession of a bladed article, Riverside"),
            ("violence", 40, "Affray, Riverside precinct"),
            ("drugs", 150, "Possession with intent to supply cannabis"),
        ),
        (
            ("ete", "high", "Unemployed; left school at 15"),
            ("attitudes", "high", "Pro-criminal associates; says he owes money"),
        ),
        level="enhanced",
        cohorts=("knife-crime", "gangs"),
        accept=Accept(
            "flex",
            "enhanced",
            "red",
            "Knife carrying and county lines links: high risk of serious violence.",
            "sam.carter",
            "helen.morris",
            weeks_on_iom=15,
        ),
        rationale="Flex: knife crime and gangs cohorts; no statutory supervision.",
    ),
    DemoReferral(
        Person(
            "Patrick",
            "Gallagher",
            (43, 1, 16),
            "4408851",
            2,
            crn="G457720",
            prison_number="A7731CF",
            custody=Nominal.CustodyStatus.CUSTODY,
            ogrs=81,
            rosh="high",
            key_worker="grace.mensah",
        ),
        "grace.mensah",
        Status.ACCEPTED,
        "Released from HMP Fenwick tomorrow on licence after 14 months for a series of dwelling burglaries in "
        "Northmoor West. He has said on the wing that he will go back to what he knows, and has no "
        "accommodation beyond the first week.",
        ("reoffending", "harm"),
        "fixed",
        (
            ("burglary", 430, "Dwelling burglary, Cedar Close"),
            ("burglary", 445, "Dwelling burglary, Cedar Close (next door)"),
            ("robbery", 460, "Robbery of a delivery driver"),
        ),
        (
            ("accommodation", "high", "Seven nights in a hostel, then nothing arranged"),
            ("drugs_alcohol", "medium", "Heroin use before custody; on methadone in prison"),
        ),
        level="priority",
        release_in_days=1,
        urgent="Released tomorrow morning and the next panel is not until Thursday; he has reoffended within "
        "days of each of his last two releases.",
        accept=Accept(
            "fixed",
            "priority",
            "red",
            "Released tomorrow with no settled address; reoffended within days after his last two releases.",
            "priya.shah",
            "sam.carter",
            key_workers=("grace.mensah",),
        ),
        rationale="Urgent: release tomorrow. Meets the Fixed criteria; accepted at Priority for the panel to "
        "ratify on Thursday.",
        outside_meeting=True,
    ),
    DemoReferral(
        Person("Joshua", "Pemberton", (26, 9, 3), "4409962", 3, crn="P330581", ogrs=79),
        "sam.carter",
        Status.ACCEPTED,
        "Back in Fenwick Vale after a year away: two garage burglaries and a stolen car since he returned, "
        "with the same associates as before.",
        ("reoffending",),
        "fixed",
        (
            ("burglary", 55, "Burglary of a garage, Fenwick Vale: bicycles and tools"),
            ("vehicle", 80, "Taking a vehicle without consent"),
            ("burglary", 140, "Burglary of a garage, Fenwick Vale"),
        ),
        (
            ("accommodation", "medium", "Living with his mother; overcrowded"),
            ("ete", "medium", "Wants an apprenticeship; no qualifications"),
        ),
        level="enhanced",
        accept=Accept(
            "fixed",
            "enhanced",
            "amber",
            "Offending resumed on his return, but keeping his licence appointments.",
            "priya.shah",
            "sam.carter",
            key_workers=("tom.byrne",),
            weeks_on_iom=8,
        ),
        rationale="Meets the Fixed criteria.",
    ),
    DemoReferral(
        Person("Tariq", "Hussain", (33, 0, 21), "4410073", 1, crn="H615529", ogrs=61, rosh="low"),
        "priya.shah",
        Status.ACCEPTED,
        "Near the end of a long licence and doing well, but he lost his job last month; the last time he was "
        "out of work he reoffended within weeks.",
        ("reoffending",),
        "fixed",
        (
            ("theft", 160, "Theft from the warehouse where he worked"),
            ("burglary", 330, "Burglary of a commercial unit"),
        ),
        (("ete", "high", "Lost his job last month"), ("finance", "medium", "Universal Credit claim in progress")),
        level="standard",
        accept=Accept(
            "fixed",
            "standard",
            "green",
            "Compliant and motivated; the risk is losing work, which the plan addresses.",
            "daniel.okafor",
            "helen.morris",
            weeks_on_iom=26,
        ),
        rationale="Meets the Fixed criteria; Standard management while he finds work.",
    ),
    DemoReferral(
        Person(
            "Wiktor",
            "Nowak",
            (37, 7, 8),
            "4411184",
            0,
            crn="N842236",
            statutory=Nominal.StatutoryStatus.COMMUNITY_ORDER,
            ogrs=68,
        ),
        "priya.shah",
        Status.ACCEPTED,
        "Alcohol-related violence in the night-time economy, three incidents this year, and he has started "
        "to miss the alcohol treatment requirement of his community order.",
        ("harm", "reoffending"),
        "flex",
        (
            ("violence", 45, "Assault in a pub, Northmoor city centre"),
            ("criminal_damage", 45, "Damage to the pub's door"),
            ("violence", 190, "Assault outside a taxi rank"),
        ),
        (
            ("drugs_alcohol", "high", "Drinking daily; missed two treatment sessions"),
            ("ete", "low", "Works shifts at a food factory"),
        ),
        level="enhanced",
        accept=Accept(
            "flex",
            "enhanced",
            "amber",
            "Violence when drinking; treatment attendance slipping.",
            "priya.shah",
            "sam.carter",
            key_workers=("jo.evans",),
            weeks_on_iom=12,
        ),
        rationale="Flex: violence in the night-time economy, alcohol the driver.",
    ),
]

IN_PROGRESS = [
    # Listed for next week's panel: different facts give different scores, so the list sorts.
    DemoReferral(
        Person("Aidan", "McCarthy", (28, 2, 6), "4412295", 1, crn="M209947", ogrs=89),
        "sam.carter",
        Status.LISTED,
        "Four dwelling burglaries in Northmoor East since August, two while the occupants were asleep. "
        "He is on licence and the burglaries match his previous method.",
        ("reoffending", "harm"),
        "fixed",
        (
            ("burglary", 9, "Dwelling burglary at night, Ashby Road (occupants asleep)"),
            ("burglary", 26, "Dwelling burglary, Ashby Road"),
            ("burglary", 61, "Dwelling burglary at night, Beech Grove"),
            ("burglary", 88, "Dwelling burglary, Beech Grove"),
        ),
        (("drugs_alcohol", "medium", "Cannabis daily"), ("accommodation", "low", "At his approved address")),
        level="priority",
    ),
    DemoReferral(
        Person("Kwame", "Boateng", (30, 10, 12), "4413306", 2, crn="B551870", ogrs=71, rosh="high"),
        "priya.shah",
        Status.LISTED,
        "Released on licence after a robbery in which a knife was shown. He has moved back to the estate where "
        "the robbery happened and police report he is associating with the same group.",
        ("harm", "reoffending"),
        "flex",
        (("robbery", 200, "Robbery with a knife shown, Northmoor West"),),
        (("attitudes", "high", "Peer group the main driver"), ("ete", "medium", "Enrolled at college; attending")),
        level="enhanced",
        cohorts=("knife-crime",),
        screener="daniel.okafor",
    ),
    DemoReferral(
        Person(
            "Chantelle",
            "Morgan",
            (26, 4, 1),
            "4414417",
            0,
            gender=Nominal.Gender.FEMALE,
            crn="M367712",
            statutory=Nominal.StatutoryStatus.COMMUNITY_ORDER,
            ogrs=62,
            rosh="low",
        ),
        "priya.shah",
        Status.LISTED,
        "Repeated thefts from shops and one from a person since her community order began; her debts have "
        "grown and she says she steals to feed her children.",
        ("reoffending",),
        "flex",
        (
            ("theft", 100, "Theft of a phone from a bus passenger"),
            ("shoplifting", 40, "Shoplifting, Fenwick Vale supermarket"),
            ("shoplifting", 75, "Shoplifting, Northmoor city centre"),
        ),
        (("finance", "high", "Rent arrears and doorstep loans"), ("family", "medium", "Three children at home")),
        level="standard",
        cohorts=("women",),
        screener="daniel.okafor",
    ),
    DemoReferral(
        Person("Gary", "Pickering", (45, 5, 19), "4415528", 3, crn="P118804", ogrs=55),
        "sam.carter",
        Status.LISTED,
        "A prolific vehicle thief in the past; one theft of a car this year, and intelligence that he is "
        "stealing to order again for a garage in Fenwick Vale.",
        ("reoffending",),
        "fixed",
        (("vehicle", 300, "Theft of a motor vehicle, Fenwick Vale"),),
        (("ete", "medium", "Casual work at a scrapyard"),),
        level="standard",
    ),
    # Youth to adult: a Youth Rehabilitation Order that runs past the 18th birthday. 17 years 6 months
    # in 6 to 10 days, so the Y2A sweep tells his workers on the day the demo is loaded.
    DemoReferral(
        Person(
            "Reece",
            "Adeyemi",
            (17, 5, 22),
            "4416639",
            0,
            statutory=Nominal.StatutoryStatus.COMMUNITY_ORDER,
            ogrs=73,
            key_worker="aisha.khan",
            consents=True,
        ),
        "aisha.khan",
        Status.SCREENED,
        "Reece turns 18 before his Youth Rehabilitation Order ends, and his case passes to probation then. "
        "He robbed a younger boy of his phone this year and has been missing from home twice; the youth "
        "justice service and probation want IOM to know him before the hand-over.",
        ("reoffending", "harm"),
        "fixed",
        (
            ("robbery", 120, "Robbery of a phone from a 14-year-old, Northmoor city centre (YRO made)"),
            ("burglary", 240, "Burglary of a neighbour's house"),
        ),
        (
            ("ete", "high", "Excluded from school; a college place from January"),
            ("family", "medium", "Lives with his mother; older brother in custody"),
        ),
        level="enhanced",
        cohorts=("young-adults",),
        youth=Youth(),
    ),
    DemoReferral(
        Person("Amir", "Rahimi", (24, 3, 15), "4417740", 4, crn="R902261", ogrs=77),
        "sam.carter",
        Status.SCREENED,
        "Two burglaries of student houses in Riverside since his licence began; laptops sold online within "
        "hours. Young, and the panel has had success with young adults on Fixed.",
        ("reoffending",),
        "fixed",
        (
            ("burglary", 30, "Burglary of a student house, Riverside: laptops"),
            ("burglary", 65, "Burglary of a student house, Riverside"),
        ),
        (("drugs_alcohol", "medium", "Ketamine use"),),
        level="enhanced",
        cohorts=("young-adults",),
        screener="daniel.okafor",
    ),
    # A partner's referral, read by the IOM team with the person's consent.
    DemoReferral(
        Person(
            "Danny",
            "Whelan",
            (34, 9, 24),
            "4418851",
            2,
            statutory=Nominal.StatutoryStatus.NONE,
            ogrs=69,
            key_worker="jo.evans",
            consents=True,
        ),
        "jo.evans",
        Status.SUBMITTED,
        "Danny told his recovery worker he is stealing every day to pay off a drug debt and is frightened of "
        "the people he owes. He has agreed to this referral and wants help to stop.",
        ("reoffending",),
        "flex",
        (
            ("burglary", 25, "Burglary of a shed; tools sold the same day"),
            ("shoplifting", 14, "Shoplifting, Northmoor city centre"),
            ("shoplifting", 33, "Shoplifting, Northmoor city centre"),
        ),
        (
            ("drugs_alcohol", "high", "Heroin and crack; on a methadone script"),
            ("finance", "high", "Drug debt; threatened by the people he owes"),
        ),
        level="enhanced",
    ),
    DemoReferral(
        Person("Stephen", "Kirkby", (45, 0, 4), "4419962", 1, crn="K551127", ogrs=70),
        "priya.shah",
        Status.RETURNED,
        "Previously on IOM in 2021. Back in Northmoor East and offending again.",
        ("reoffending",),
        "fixed",
        (
            ("burglary", 200, "Burglary of a dwelling"),
            ("theft", 230, "Theft from a garden"),
        ),
        (("accommodation", "medium", "Address to be confirmed"),),
        level="enhanced",
        questions="Thanks, Priya. Before we screen this: (1) is Stephen living at the address in the referral or "
        "still at his brother's? (2) The OASys is from last year: has it been reviewed since the June "
        "offence? (3) Is there anything to suggest he is back in contact with the Riverside group?",
    ),
    DemoReferral(
        Person("Lee", "Ashworth", (36, 8, 13), "4420073", 3, crn="A774318", ogrs=69),
        "sam.carter",
        Status.DEFERRED,
        "Three thefts from vehicles in a month after a quiet year; he says he has been evicted, which his "
        "housing officer has not confirmed.",
        ("reoffending",),
        "fixed",
        (
            ("vehicle", 20, "Theft from a vehicle, Fenwick Vale"),
            ("vehicle", 34, "Theft from a vehicle, Fenwick Vale"),
            ("vehicle", 41, "Theft from a vehicle, Fenwick Vale"),
        ),
        (("accommodation", "high", "Says he has been evicted"),),
        level="enhanced",
        rationale="Deferred: the panel needs the updated OASys, due next week, and confirmation from Northmoor "
        "Housing of his tenancy before deciding. Relist for the next panel.",
    ),
]

CLOSED = [
    DemoReferral(
        Person("Ashley", "Turner", (32, 1, 7), "4421184", 4, crn="T338845", ogrs=49, rosh="low"),
        "priya.shah",
        Status.REJECTED,
        "Two shop thefts and a criminal damage this year; his probation practitioner is worried his drinking "
        "is getting worse.",
        ("reoffending",),
        "flex",
        (
            ("shoplifting", 150, "Shoplifting, Riverside"),
            ("criminal_damage", 210, "Damage to a bus shelter"),
        ),
        (("drugs_alcohol", "medium", "Drinking more since his father died"),),
        level="standard",
        rationale="OGRS 49% and no neighbourhood-crime offending in the last year: below the threshold for IOM. "
        "Continue standard probation management and refer again if his offending escalates.",
    ),
    DemoReferral(
        Person(
            "Darren",
            "Shaw",
            (48, 2, 28),
            "4422295",
            1,
            crn="S661932",
            ogrs=35,
            rosh="very_high",
            mappa_category="2",
            mappa_level="1",
        ),
        "priya.shah",
        Status.REDIRECTED,
        "Released on licence after grievous bodily harm on a former associate, who lives in Northmoor East. "
        "He has been seen near the victim's home.",
        ("harm",),
        "free",
        (
            ("violence", 90, "Grievous bodily harm, Northmoor East"),
            ("knife", 90, "Having a bladed article in a public place"),
        ),
        (("attitudes", "high", "Holds a grudge against the victim"),),
        level="enhanced",
        rationale="The risk is of serious harm to a known person rather than frequent reoffending: redirected to "
        "MAPPA for management at level 2.",
    ),
    DemoReferral(
        Person(
            "Sophie",
            "Lockwood",
            (29, 11, 2),
            "4423306",
            0,
            gender=Nominal.Gender.FEMALE,
            crn="L205573",
            statutory=Nominal.StatutoryStatus.COMMUNITY_ORDER,
            ogrs=64,
            rosh="low",
        ),
        "priya.shah",
        Status.WITHDRAWN,
        "Shoplifting and a theft from a car since her order started, linked to a partner who is also offending.",
        ("reoffending",),
        "flex",
        (("vehicle", 50, "Theft from a car"), ("shoplifting", 70, "Shoplifting, Northmoor city centre")),
        (("family", "medium", "Partner also offending"),),
        level="standard",
        cohorts=("women",),
        rationale="Sophie has moved to Leeds to live with her mother; her order is transferring to West Yorkshire.",
    ),
]

DRAFTS = [
    # A draft part-way through the task list.
    DemoReferral(
        Person("Lewis", "Barraclough", (30, 3, 18), "4424417", 2, crn="B443309", ogrs=74),
        "sam.carter",
        Status.DRAFT,
        "Suspected of a run of catalytic converter thefts in Northmoor West; arrested twice this autumn.",
        ("reoffending",),
        "fixed",
        (
            ("theft", 15, "Theft of a catalytic converter, Northmoor West"),
            ("theft", 48, "Theft of catalytic converters from a car park"),
        ),
        sections=("why", "strand", "offending"),
    ),
    # A Fixed referral that fails eligibility: shoplifting alone does not qualify. It stays a draft.
    DemoReferral(
        Person(
            "Mandy",
            "Holt",
            (41, 6, 10),
            "4425528",
            0,
            gender=Nominal.Gender.FEMALE,
            crn="H992250",
            statutory=Nominal.StatutoryStatus.COMMUNITY_ORDER,
            ogrs=74,
            rosh="low",
        ),
        "priya.shah",
        Status.DRAFT,
        "Fourteen shoplifting offences in Northmoor city centre this year; the retailers' partnership has asked "
        "for her to be managed on IOM.",
        ("reoffending", "reputational"),
        "fixed",
        (
            ("shoplifting", 6, "Shoplifting, Market Square: cosmetics"),
            ("shoplifting", 19, "Shoplifting, Northmoor city centre"),
            ("shoplifting", 33, "Shoplifting, Northmoor city centre"),
            ("shoplifting", 52, "Shoplifting, Fenwick Vale"),
        ),
        (("drugs_alcohol", "high", "Alcohol dependent"),),
        level="standard",
        cohorts=("women",),
    ),
]

REFERRALS = [*ACCEPTED, *IN_PROGRESS, *CLOSED, *DRAFTS]


def next_panel_day(today: datetime.date | None = None) -> datetime.date:
    """The next Thursday after today: the weekly selection panel."""
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=(3 - today.weekday()) % 7 or 7)


def _born(age: tuple[int, int, int]) -> datetime.date:
    years, months, days = age
    return add_months(timezone.localdate(), -(years * 12 + months)) - datetime.timedelta(days=days)


def load_demo_referrals(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    ensure_filesystem_broker_folders()  # a decision queues the referrer's email
    _partner_referral_agreement(users, agencies)
    for demo in REFERRALS:
        nominal = Nominal.objects.filter(first_name=demo.person.first_name, last_name=demo.person.last_name).first()
        if nominal is not None and Referral.objects.filter(nominal=nominal).exists():
            continue
        if nominal is None:
            nominal = _record_person(demo.person, users, agencies)
        _refer(demo, nominal, users)


def _partner_referral_agreement(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    """Partners' referrals are offending and risk information the IOM team must read: shared with the
    person's consent, so a partner does not read everyone's offending history."""
    if SharingAgreement.objects.filter(title=PARTNER_AGREEMENT).exists():
        return
    admin = users["claire.wood"]
    with as_user(admin):
        agreement = agreement_create(
            by=admin,
            title=PARTNER_AGREEMENT,
            purpose="Partners referring a person to IOM share the referral and the person's offending and risk "
            "information with the IOM team, with the person's consent.",
            legal_basis=SharingAgreement.LegalBasis.CONSENT,
            parties=[agencies[key] for key in ("police", "probation", "yot_city", "drugs")],
            clauses=[ClauseSpec(DataCategory.objects.get(code="offending-risk"), consent_required=True)],
            starts_on=days_ago(90),
            review_on=days_ago(-275),
        )
        agreement_activate(agreement=agreement, by=admin)


def _record_person(person: Person, users: dict[str, User], agencies: dict[str, Agency]) -> Nominal:
    areas = list(PolicingArea.objects.order_by("name"))
    partnerships = list(CommunitySafetyPartnership.objects.order_by("name"))
    born = _born(person.age)
    recorder = users[person.recorded_by]
    with as_user(recorder):
        nominal = nominal_create(
            by=recorder,
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=born,
            gender=person.gender,
            nationality="British",
            pnc_id=f"{born.year + 16}/{person.pnc_serial}{pnc_check_letter(str(born.year + 16), person.pnc_serial)}",
            crn=person.crn,
            prison_number=person.prison_number,
            policing_area=areas[person.area % len(areas)] if areas else None,
            community_safety_partnership=partnerships[person.area % len(partnerships)] if partnerships else None,
            custody_status=person.custody,
            statutory_status=person.statutory,
            ogrs_percent=person.ogrs,
            risk_of_serious_harm=person.rosh,
            mappa_category=person.mappa_category,
            mappa_level=person.mappa_level,
        )
        if person.statutory in SUPERVISED and person.age[0] >= 18:
            # Probation manages every adult under supervision, so it sees them from the start of their order.
            involvement_start(
                nominal=nominal,
                agency=agencies["probation"],
                reason=CaseInvolvement.Reason.TEAM,
                started_on=days_ago(240),
            )
    if person.key_worker:
        worker = users[person.key_worker]
        with as_user(worker):
            case_assign(
                nominal=nominal,
                role=CaseAssignment.Role.KEY_WORKER,
                worker=worker,
                by=worker,
                reason="Working with the person before the referral",
                started_on=days_ago(75),
            )
    if person.consents:
        worker = users[person.key_worker] if person.key_worker else recorder
        with as_user(worker):
            consent_record(
                nominal=nominal,
                by=worker,
                given=True,
                category=DataCategory.objects.get(code="offending-risk"),
                recorded_on=days_ago(5),
                note="Agreed to the referral to IOM and to sharing it with the IOM team",
            )
    return nominal


def _sections(demo: DemoReferral, nominal: Nominal) -> dict[str, dict[str, Any]]:
    person = demo.person
    eighteenth = birthday(nominal.date_of_birth, 18)
    return {
        "why": {"why_now": demo.why_now, "criteria": list(demo.criteria)},
        "strand": {
            "strand": demo.strand,
            "proposed_level": ManagementLevel.objects.get(code=demo.level) if demo.level else None,
            "priority_cohorts": list(PriorityCohort.objects.filter(code__in=demo.cohorts)),
        },
        "offending": {
            "offences": [
                {"offence_type": kind, "committed_on": days_ago(days), "description": description}
                for kind, days, description in demo.offences
            ]
        },
        "risk": {
            "statutory_status": person.statutory,
            "ogrs_percent": person.ogrs,
            "risk_of_serious_harm": person.rosh,
            "mappa_category": person.mappa_category,
            "mappa_level": person.mappa_level,
            "release_expected_on": days_ago(-demo.release_in_days) if demo.release_in_days is not None else None,
        },
        "needs": {"needs": [{"pathway": p, "level": level, "note": note} for p, level, note in demo.needs]},
        "urgency": {"urgent": bool(demo.urgent), "urgency_reason": demo.urgent},
        "y2a": {
            "management_passed_to_probation": demo.youth.passed_to_probation if demo.youth else None,
            "youth_order": demo.youth.order if demo.youth else "",
            "order_ends_on": add_months(eighteenth, demo.youth.months_after_18) if demo.youth else None,
        },
    }


def _refer(demo: DemoReferral, nominal: Nominal, users: dict[str, User]) -> None:
    """Take the referral through the workflow to the state it demonstrates, each step by its user."""
    referrer, screener, chair = users[demo.referrer], users[demo.screener], users[PANEL_CHAIR]
    kind = Referral.Kind.Y2A if demo.youth else Referral.Kind.ADULT
    sections = _sections(demo, nominal)
    with as_user(referrer):
        referral = referral_start(nominal=nominal, by=referrer, kind=kind)
        for section in sections_for(referral):
            if demo.sections is None or section.code in demo.sections:
                referral = referral_section_save(
                    referral=referral, by=referrer, section=section.code, fields=sections[section.code]
                )
        if demo.reaches == Status.DRAFT:
            if demo.sections is None:
                # The ineligible one: submit refuses it, and the referral page explains the rule it fails.
                with contextlib.suppress(ValidationError):
                    referral_submit(referral=referral, by=referrer)
            return
        referral = referral_submit(referral=referral, by=referrer)
        if demo.reaches == Status.WITHDRAWN:
            referral_withdraw(referral=referral, by=referrer, reason=demo.rationale)
            return
    if demo.reaches == Status.SUBMITTED:
        return
    if demo.reaches == Status.RETURNED:
        with as_user(screener):
            referral_return(referral=referral, by=screener, questions=demo.questions)
        return
    if demo.outside_meeting:
        with as_user(chair):
            _decide(referral, demo, users, outside_meeting=True)
        return
    with as_user(screener):
        referral = referral_screen(referral=referral, by=screener, note="Complete; eligibility checked.")
        if demo.reaches == Status.SCREENED:
            return
        # Listed for the next panel (the weekly series, scheduled first: demo.meetings.load_demo_panels);
        # those past it are decided there.
        referral = referral_list_for_panel(referral=referral, by=screener, panel_date=next_panel_day())
    if demo.reaches == Status.LISTED:
        return
    with as_user(chair):
        _decide(referral, demo, users, outside_meeting=False)


def _decide(referral: Referral, demo: DemoReferral, users: dict[str, User], *, outside_meeting: bool) -> None:
    chair = users[PANEL_CHAIR]
    outcome = Outcome(demo.reaches)
    terms = None
    if demo.accept is not None:
        accept = demo.accept
        terms = AcceptTerms(
            strand=accept.strand,
            level=ManagementLevel.objects.get(code=accept.level),
            rag=RagRating.objects.get(code=accept.rag),
            rag_rationale=accept.rag_rationale,
            lead_professional=users[accept.lead],
            police_lead=users[accept.police_lead],
            mappa_level=accept.mappa_level,
            starts_on=timezone.localdate() - datetime.timedelta(weeks=accept.weeks_on_iom),
        )
    referral_decide(
        referral=referral,
        by=chair,
        outcome=outcome,
        rationale=demo.rationale,
        accept=terms,
        outside_meeting=outside_meeting,
    )
    if demo.accept is None:
        return
    for username in demo.accept.key_workers:
        worker = users[username]
        held = CaseAssignment.objects.filter(
            nominal=referral.nominal, role=CaseAssignment.Role.KEY_WORKER, worker=worker, ended_on__isnull=True
        ).exists()
        if not held:
            case_assign(
                nominal=referral.nominal,
                role=CaseAssignment.Role.KEY_WORKER,
                worker=worker,
                by=chair,
                reason=f"Agreed when {referral.reference} was accepted",
            )
