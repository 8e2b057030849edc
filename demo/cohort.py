"""The rest of the demo cohort: invented people and colleagues, so the demo is a living IOM unit of
the size of a real one (a seed report: 387 on the cohort, 186 in the community; 60 managed at the
most intensive level, 177 at the middle one, 150 at the routine one).

The named people of demo/records.py and demo/referrals.py show each feature in detail; the
people here fill the cohort list, the caseloads, the supervisors' reviews and the board counts. They
are generated from a fixed seed and bulk-inserted (hundreds of people through the services would
make every start of `make run` slow), inside a pghistory context so their change history is
attributed to the demo, with the sharing grants recomputed once at the end. Dates are relative to
the day the demo is loaded. Idempotent: the generated people carry CRNs from G900000, and once they
exist nothing is added.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pghistory
from django.db import models
from django.utils import timezone

from cohorts.access import grants_recompute
from cohorts.management.models import (
    CaseAssignment,
    CohortManagement,
    CohortMembership,
    ManagementLevel,
    PriorityCohort,
    RagAssessment,
    RagRating,
    Strand,
)
from cohorts.records.identifiers import pnc_check_letter
from cohorts.records.models import CaseInvolvement, CommunitySafetyPartnership, Nominal, PolicingArea, RecordedItem
from cohorts.records.names import name_key
from cohorts.reviews.models import SupervisorReview
from cohorts.reviews.services import REVIEW_CATEGORY, SUMMARY_COMMENSURATE, SUMMARY_NOT_COMMENSURATE, cadence_after
from demo.common import account_details, role_groups
from sharing.models import Agency, DataCategory, User
from sharing.roles import Role

SEED = 387
ON_COHORT = 387  # the whole demo cohort, the named people included
IN_COMMUNITY = 186
LEVEL_SHARES = {"priority": 60, "enhanced": 177, "standard": 150}
CRN_FROM = 900000


@dataclass(frozen=True)
class Colleague:
    username: str
    first_name: str
    last_name: str
    agency: str
    job_title: str
    role: Role
    supervisor: str


# Case workers who hold the cohort with the named demo users. They cannot sign in (no password):
# they are there so that caseloads, teams and transfers look like a real unit's.
COLLEAGUES = [
    *(
        Colleague(
            f"{first.lower()}.{last.lower()}",
            first,
            last,
            "police",
            "Police Constable, IOM team",
            Role.PRACTITIONER,
            "helen.morris",
        )
        for first, last in [
            ("Owen", "Price"),
            ("Leah", "Barker"),
            ("Imran", "Aziz"),
            ("Kirsty", "Dunn"),
            ("Gavin", "Hughes"),
            ("Rachel", "Ford"),
        ]
    ),
    *(
        Colleague(
            f"{first.lower()}.{last.lower()}",
            first,
            last,
            "probation",
            "Probation Officer",
            Role.PRACTITIONER,
            "daniel.okafor",
        )
        for first, last in [
            ("Ben", "Ashworth"),
            ("Chloe", "Nwosu"),
            ("Martin", "Kelly"),
            ("Sarah", "Lindqvist"),
            ("Femi", "Adeyemi"),
            ("Hannah", "Rowe"),
            ("Joe", "Tranter"),
            ("Amira", "Haddad"),
        ]
    ),
    Colleague("dylan.reece", "Dylan", "Reece", "drugs", "Recovery Worker", Role.PARTNER_WORKER, ""),
    Colleague("nadia.fox", "Nadia", "Fox", "housing", "Tenancy Sustainment Officer", Role.PARTNER_WORKER, ""),
    Colleague("lewis.grant", "Lewis", "Grant", "prison", "Prison Offender Manager", Role.PARTNER_WORKER, ""),
    Colleague("maya.patel", "Maya", "Patel", "charity", "Mentor", Role.PARTNER_WORKER, ""),
]

FIRST_NAMES_MALE = [
    "Aaron",
    "Adam",
    "Ahmed",
    "Aiden",
    "Alfie",
    "Ashley",
    "Ben",
    "Billy",
    "Bradley",
    "Brandon",
    "Callum",
    "Carl",
    "Charlie",
    "Connor",
    "Craig",
    "Damien",
    "Daniel",
    "Darren",
    "Dean",
    "Declan",
    "Dominic",
    "Dylan",
    "Ethan",
    "Gary",
    "Harvey",
    "Jack",
    "Jacob",
    "Jake",
    "Jamal",
    "Jamie",
    "Jason",
    "Jay",
    "Jordan",
    "Josh",
    "Kai",
    "Kane",
    "Karl",
    "Kieran",
    "Kyle",
    "Lee",
    "Lewis",
    "Liam",
    "Luke",
    "Marcus",
    "Mason",
    "Michael",
    "Nathan",
    "Niall",
    "Paul",
    "Reece",
    "Ricky",
    "Ryan",
    "Scott",
    "Sean",
    "Shane",
    "Stephen",
    "Tariq",
    "Tom",
    "Tyler",
    "Wayne",
]
FIRST_NAMES_FEMALE = [
    "Amy",
    "Chantelle",
    "Chloe",
    "Courtney",
    "Danielle",
    "Gemma",
    "Jade",
    "Jasmine",
    "Kayleigh",
    "Kelly",
    "Leanne",
    "Nicole",
    "Paige",
    "Sasha",
    "Shannon",
    "Stacey",
    "Tanya",
    "Toni",
]
LAST_NAMES = [
    "Ahmed", "Allen", "Armstrong", "Atkinson", "Bailey", "Barnes", "Bell", "Bennett", "Bradley", "Brooks",
    "Burke", "Butler", "Campbell", "Carr", "Chapman", "Clarke", "Coleman", "Collins", "Connolly", "Cooper",
    "Cox", "Davies", "Dixon", "Doyle", "Duffy", "Edwards", "Ellis", "Evans", "Farrell", "Fisher", "Fletcher",
    "Foster", "Fox", "Gibson", "Graham", "Grant", "Gray", "Hall", "Hamilton", "Hardy", "Harris", "Hayes",
    "Henderson", "Hill", "Holmes", "Hughes", "Hunt", "Hussain", "Jackson", "James", "Johnson", "Jones",
    "Kaur", "Kennedy", "Khan", "Lambert", "Lawrence", "Lee", "Lloyd", "Lynch", "Mahmood", "Marsh", "Marshall",
    "Mason", "McCarthy", "McDonald", "Miller", "Mills", "Mitchell", "Moore", "Morgan", "Murphy", "Murray",
    "Nash", "Nolan", "Owen", "Palmer", "Parker", "Parry", "Patel", "Pearce", "Phillips", "Powell", "Quinn",
    "Rahman", "Reid", "Reynolds", "Richards", "Riley", "Roberts", "Robinson", "Rogers", "Ryan", "Saunders",
    "Scott", "Shaw", "Simpson", "Singh", "Slater", "Smith", "Spencer", "Stevens", "Stewart", "Sullivan",
    "Taylor", "Thompson", "Turner", "Walker", "Ward", "Watson", "Webb", "West", "White", "Wilkinson",
    "Williams", "Wilson", "Wood", "Wright", "Young",
]  # fmt: skip
RAG_RATIONALES = {
    "red": [
        "Arrested twice in a fortnight for shop and dwelling burglary; not engaging with appointments.",
        "Released this month with no fixed abode; intelligence of renewed acquisitive offending.",
        "Positive test for opiates and missed two appointments; associates with active burglars.",
    ],
    "amber": [
        "Engaging with probation but drug use unstable; one arrest this quarter, no further action.",
        "Settled in supported housing; intelligence of contact with a county lines network.",
        "Attending appointments; relationship breakdown and rent arrears raise the risk.",
    ],
    "green": [
        "Stable accommodation and in work; no intelligence or arrests for four months.",
        "Completed the recovery programme and testing negative; engaging well with the mentor.",
        "Compliant with licence conditions; family support in place.",
    ],
}
TRANSFER_REASONS = [
    "Caseload balanced across the team",
    "Previous officer moved to another team",
    "Moved to a new area of the city",
]


def _today() -> datetime.date:
    return timezone.localdate()


def _at(day: datetime.date) -> datetime.datetime:
    """Mid-morning on the day, in the service's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 30)))


@contextmanager
def _dated_as_given(*fields: models.Field) -> Iterator[None]:
    """Let bulk_create keep the past dates we set on auto_now_add fields (the demo's history)."""
    saved = [field.auto_now_add for field in fields]  # type: ignore[attr-defined]
    for field in fields:
        field.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for field, value in zip(fields, saved, strict=True):
            field.auto_now_add = value  # type: ignore[attr-defined]


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # noqa: S101  (a concrete column)
    return field


def _colleagues(users: dict[str, User], agencies: dict[str, Agency]) -> dict[str, User]:
    """The demo's other case workers, made once (no password: they cannot sign in)."""
    groups = role_groups()
    made = {}
    for colleague in COLLEAGUES:
        user, created = User.objects.get_or_create(
            username=colleague.username,
            defaults={
                **account_details(colleague, agencies[colleague.agency]),
                "supervisor": users.get(colleague.supervisor),
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.set([groups[colleague.role.value]])
            user.join_agency_group()
        made[colleague.username] = user
    return made


def load_demo_cohort(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    """Bring the demo cohort up to its size with invented people, each managed: strand, level, RAG
    history, leads (some transferred), key workers, supervisor reviews (some overdue)."""
    workers = _colleagues(users, agencies)
    if Nominal.objects.filter(crn__gte=f"G{CRN_FROM}", crn__lte="G999999").exists():
        return
    with pghistory.context(user=users["mark.reynolds"].pk, url="demo data"):
        _Generator(users, workers, agencies).run()


class _Generator:
    def __init__(self, users: dict[str, User], workers: dict[str, User], agencies: dict[str, Agency]) -> None:
        self.rng = random.Random(SEED)  # noqa: S311  (invented demo data, not security)
        self.today = _today()
        self.users, self.agencies = users, agencies
        self.police = [users["sam.carter"], *(w for w in workers.values() if w.agency_id == agencies["police"].pk)]
        self.probation = [
            users["priya.shah"],
            *(w for w in workers.values() if w.agency_id == agencies["probation"].pk),
        ]
        self.key_workers = [
            users["jo.evans"],
            users["tom.byrne"],
            users["grace.mensah"],
            *(w for w in workers.values() if w.agency.kind not in (Agency.Kind.POLICE, Agency.Kind.PROBATION)),
        ]
        self.reviewers = {
            agencies["police"].pk: users["helen.morris"],
            agencies["probation"].pk: users["daniel.okafor"],
        }
        self.levels = {level.code: level for level in ManagementLevel.objects.all()}
        self.ratings = {rating.code: rating for rating in RagRating.objects.all()}
        self.priority_cohorts = list(PriorityCohort.objects.order_by("code"))
        self.areas = list(PolicingArea.objects.order_by("name"))
        self.partnerships = list(CommunitySafetyPartnership.objects.order_by("name"))
        self.review_category = DataCategory.objects.get(code=REVIEW_CATEGORY)

    def run(self) -> None:
        unmanaged = self._unmanaged_named_people()
        already = CohortMembership.objects.filter(ended_on__isnull=True).count()
        people = self._people(max(0, ON_COHORT - already))
        memberships = self._memberships(people)
        managed = memberships + unmanaged
        self._management(managed)
        self._rag_history(managed)
        self._assignments(managed)
        self._reviews(managed)
        grants_recompute(nominal_ids=[membership.nominal_id for membership in managed])

    def _unmanaged_named_people(self) -> list[CohortMembership]:
        """The named people put on the cohort before panels decided levels: managed now too."""
        return list(
            CohortMembership.objects.filter(ended_on__isnull=True, management__isnull=True)
            .exclude(nominal__rag_assessments__isnull=False)
            .exclude(nominal__assignments__isnull=False)
            .select_related("nominal")
            .order_by("pk")
        )

    def _people(self, count: int) -> list[Nominal]:
        in_community_already = Nominal.objects.filter(
            memberships__ended_on__isnull=True, custody_status=Nominal.CustodyStatus.COMMUNITY
        ).count()
        community = max(0, IN_COMMUNITY - in_community_already)
        people = []
        for index in range(count):
            people.append(self._person(index, in_community=index < community))
        with _dated_as_given(_field(Nominal, "created_at")):
            Nominal.objects.bulk_create(people, batch_size=500)
        CaseInvolvement.objects.bulk_create(
            [
                CaseInvolvement(
                    nominal=person,
                    agency_id=person.owning_agency_id,
                    reason=CaseInvolvement.Reason.RECORDED,
                    started_on=person.created_at.date(),
                )
                for person in people
            ],
            batch_size=500,
        )
        return people

    def _person(self, index: int, *, in_community: bool) -> Nominal:
        rng = self.rng
        female = rng.random() < 0.14
        first = rng.choice(FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE)
        last = rng.choice(LAST_NAMES)
        age_days = rng.randint(18 * 365 + 30, 52 * 365)
        born = self.today - datetime.timedelta(days=age_days)
        year, serial = str(born.year + rng.randint(15, 19)), f"{9000000 - index * 7:07d}"
        area = rng.randrange(len(self.areas)) if self.areas else None
        recorded_by = rng.choice(self.police)
        if in_community:
            custody = Nominal.CustodyStatus.COMMUNITY
            statutory = rng.choices(
                [
                    Nominal.StatutoryStatus.LICENCE,
                    Nominal.StatutoryStatus.COMMUNITY_ORDER,
                    Nominal.StatutoryStatus.NONE,
                ],
                weights=[60, 25, 15],
            )[0]
            # Licences end over the next two years, about one in seven within the transition window.
            licence_ends = None
            if statutory == Nominal.StatutoryStatus.LICENCE:
                days = rng.randint(5, 84) if rng.random() < 0.15 else rng.randint(85, 720)
                licence_ends = self.today + datetime.timedelta(days=days)
        else:
            # Mostly serving sentences; now and then on the run (recalled, not yet found).
            ual = rng.random() < 0.03
            custody = Nominal.CustodyStatus.UNLAWFULLY_AT_LARGE if ual else Nominal.CustodyStatus.CUSTODY
            statutory = Nominal.StatutoryStatus.LICENCE if ual else Nominal.StatutoryStatus.NONE
            licence_ends = self.today + datetime.timedelta(days=rng.randint(60, 400)) if ual else None
        sentence_ends = (
            licence_ends + datetime.timedelta(days=rng.randint(0, 180))
            if licence_ends
            else self.today + datetime.timedelta(days=rng.randint(20, 900))
        )
        nominal = Nominal(
            first_name=first,
            last_name=last,
            date_of_birth=born,
            gender=Nominal.Gender.FEMALE if female else Nominal.Gender.MALE,
            nationality="British",
            pnc_id=f"{year}/{serial}{pnc_check_letter(year, serial)}",
            crn=f"G{CRN_FROM + index}",
            prison_number=f"A{1000 + index:04d}{chr(65 + index % 26)}{chr(65 + (index // 26) % 26)}"
            if custody == Nominal.CustodyStatus.CUSTODY
            else None,
            policing_area=self.areas[area] if area is not None else None,
            community_safety_partnership=self.partnerships[area % len(self.partnerships)]
            if area is not None and self.partnerships
            else None,
            custody_status=custody,
            statutory_status=statutory,
            licence_ends_on=licence_ends,
            sentence_ends_on=sentence_ends,
            ogrs_percent=rng.randint(35, 96),
            risk_of_serious_harm=rng.choices(["low", "medium", "high", "very_high"], weights=[20, 55, 22, 3])[0],
            owning_agency_id=recorded_by.agency_id,
            created_by=recorded_by,
            created_at=_at(self.today - datetime.timedelta(days=rng.randint(400, 900))),
            first_name_key=name_key(first),
            last_name_key=name_key(last),
        )
        return nominal

    def _memberships(self, people: Sequence[Nominal]) -> list[CohortMembership]:
        memberships = [
            CohortMembership(nominal=person, started_on=self.today - datetime.timedelta(days=self.rng.randint(14, 700)))
            for person in people
        ]
        CohortMembership.objects.bulk_create(memberships, batch_size=500)
        for membership, person in zip(memberships, people, strict=True):
            membership.nominal = person
        return memberships

    def _management(self, memberships: list[CohortMembership]) -> None:
        # Levels in the seed report's shares over the whole cohort, the people in custody routine.
        counts = {
            code: CohortManagement.objects.filter(membership__ended_on__isnull=True, level__code=code).count()
            for code in LEVEL_SHARES
        }
        ordered = sorted(memberships, key=lambda m: m.nominal.custody_status == Nominal.CustodyStatus.CUSTODY)
        managements, picked = [], []
        for membership in ordered:
            # The most intensive levels for people in the community; custody mostly routine.
            in_custody = membership.nominal.custody_status == Nominal.CustodyStatus.CUSTODY
            order = ["standard", "enhanced", "priority"] if in_custody else ["priority", "enhanced", "standard"]
            code = next((c for c in order if counts[c] < LEVEL_SHARES[c]), order[-1])
            counts[code] += 1
            strand = self.rng.choices([Strand.FIXED, Strand.FLEX, Strand.FREE], weights=[55, 30, 15])[0]
            managements.append(CohortManagement(membership=membership, strand=strand, level=self.levels[code]))
            picked.append(strand)
        CohortManagement.objects.bulk_create(managements, batch_size=500)
        through = CohortManagement.priority_cohorts.through
        links: list[Any] = []  # rows of the many-to-many table
        for management, strand in zip(managements, picked, strict=True):
            cohorts = self.priority_cohorts[:]
            self.rng.shuffle(cohorts)
            chosen = cohorts[: self.rng.choice([0, 0, 1, 1, 2])]
            if strand == Strand.FREE and not chosen and cohorts:
                chosen = [next((c for c in cohorts if c.code == "domestic-abuse"), cohorts[0])]
            links.extend(through(cohortmanagement_id=management.pk, prioritycohort_id=c.pk) for c in chosen)
        through.objects.bulk_create(links, batch_size=1000)

    def _rag_history(self, memberships: list[CohortMembership]) -> None:
        codes = ["red", "amber", "green"]
        assessments = []
        for membership in memberships:
            days_on = (self.today - membership.started_on).days
            changes = min(1 + days_on // 120, self.rng.randint(1, 4))
            code = self.rng.choices(codes, weights=[25, 50, 25])[0]
            for change in range(changes):
                if change:
                    # Most ratings come down as the work takes hold; fewer go up (a Red MAP agenda
                    # of about one in seven on the cohort, as in a working unit).
                    step = self.rng.choices([-1, 1], weights=[1, 3])[0]
                    code = codes[min(2, max(0, codes.index(code) + step))]
                day = membership.started_on + datetime.timedelta(days=days_on * change // changes)
                assessor = self.rng.choice(self.police + self.probation[:3])
                assessments.append(
                    RagAssessment(
                        nominal_id=membership.nominal_id,
                        rating=self.ratings[code],
                        rationale=self.rng.choice(RAG_RATIONALES[code]),
                        assessed_by=assessor,
                        assessed_at=_at(day),
                    )
                )
        with _dated_as_given(_field(RagAssessment, "assessed_at")):
            RagAssessment.objects.bulk_create(assessments, batch_size=1000)

    def _assignments(self, memberships: list[CohortMembership]) -> None:
        chair = self.users["mark.reynolds"]
        assignments, involvements = [], []
        for membership in memberships:
            start = membership.started_on
            roles = [
                (CaseAssignment.Role.LEAD_PROFESSIONAL, self._lead_pool()),
                (CaseAssignment.Role.POLICE_LEAD, self.police),
            ]
            if self.rng.random() < 0.35:
                roles.append((CaseAssignment.Role.KEY_WORKER, self.key_workers))
            for role, pool in roles:
                worker = self.rng.choice(pool)
                since = start
                if role != CaseAssignment.Role.KEY_WORKER and self.rng.random() < 0.15 and len(pool) > 1:
                    # An earlier holder, transferred part way through.
                    handover = start + datetime.timedelta(days=max(1, (self.today - start).days // 2))
                    previous = self.rng.choice([w for w in pool if w.pk != worker.pk])
                    assignments.append(
                        CaseAssignment(
                            nominal_id=membership.nominal_id,
                            role=role,
                            worker=previous,
                            agency_id=previous.agency_id,
                            started_on=start,
                            ended_on=handover,
                            reason="Allocated at panel",
                            assigned_by=chair,
                            assigned_at=_at(start),
                        )
                    )
                    since = handover
                assignments.append(
                    CaseAssignment(
                        nominal_id=membership.nominal_id,
                        role=role,
                        worker=worker,
                        agency_id=worker.agency_id,
                        started_on=since,
                        reason="Allocated at panel" if since == start else self.rng.choice(TRANSFER_REASONS),
                        assigned_by=chair,
                        assigned_at=_at(since),
                    )
                )
                involvements.append(
                    CaseInvolvement(
                        nominal_id=membership.nominal_id,
                        agency_id=worker.agency_id,
                        reason=str(role),
                        started_on=since,
                    )
                )
        with _dated_as_given(_field(CaseAssignment, "assigned_at")):
            CaseAssignment.objects.bulk_create(assignments, batch_size=1000)
        CaseInvolvement.objects.bulk_create(involvements, batch_size=1000, ignore_conflicts=True)

    def _lead_pool(self) -> list[User]:
        """Lead professionals: mostly probation, some police, now and then a partner."""
        roll = self.rng.random()
        if roll < 0.7:
            return self.probation
        if roll < 0.92:
            return self.police
        return self.key_workers

    def _reviews(self, memberships: list[CohortMembership]) -> None:
        """Supervisor reviews on the cadence of each person's rating: most up to date, some overdue,
        some due within days, the newest arrivals not yet reviewed."""
        latest: dict[int, RagRating] = {}
        for assessment in (
            RagAssessment.objects.filter(nominal_id__in=[m.nominal_id for m in memberships])
            .select_related("rating")
            .order_by("nominal_id", "assessed_at", "pk")
        ):
            latest[assessment.nominal_id] = assessment.rating
        items, reviews = [], []
        for membership in memberships:
            rating = latest.get(membership.nominal_id)
            if (self.today - membership.started_on).days < 21:
                continue
            roll = self.rng.random()
            if roll < 0.12:
                next_on = self.today - datetime.timedelta(days=self.rng.randint(1, 20))  # overdue
            elif roll < 0.22:
                next_on = self.today + datetime.timedelta(days=self.rng.randint(0, 3))  # due within days
            else:
                next_on = cadence_after(self.today, rating) - datetime.timedelta(days=self.rng.randint(0, 10))
            reviewed_on = max(membership.started_on, min(self.today, next_on - datetime.timedelta(days=14)))
            reviewer = self.rng.choice(list(self.reviewers.values()))
            commensurate = self.rng.random() < 0.85
            items.append(
                RecordedItem(
                    nominal_id=membership.nominal_id,
                    owning_agency_id=reviewer.agency_id,
                    category=self.review_category,
                    kind=RecordedItem.Kind.REVIEW,
                    summary=SUMMARY_COMMENSURATE if commensurate else SUMMARY_NOT_COMMENSURATE,
                    detail="Management report reviewed with the lead professional.",
                    occurred_on=reviewed_on,
                    recorded_by=reviewer,
                    recorded_at=_at(reviewed_on),
                )
            )
            reviews.append(
                SupervisorReview(
                    rating=rating,
                    commensurate=commensurate,
                    actions_set="" if commensurate else "Increase contact to weekly and refer to the recovery service.",
                    next_review_on=next_on,
                )
            )
        with _dated_as_given(_field(RecordedItem, "recorded_at")):
            RecordedItem.objects.bulk_create(items, batch_size=1000)
        for item, review in zip(items, reviews, strict=True):
            review.item = item
        SupervisorReview.objects.bulk_create(reviews, batch_size=1000)
