"""A small partnership to test the sharing rules against (DESIGN.md, "The permission model").

police, probation, prison: the core agreement shares identity, offending and risk, and intelligence.
drugs: a second agreement with police and probation shares substance misuse, with consent.
housing: an agreement with police for accommodation that has ended.
elsewhere: another force with no agreement at all.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from sharing.models import Agency, DataCategory, SharingAgreement, User
from sharing.roles import Role
from sharing.services import ClauseSpec, agreement_activate, agreement_create, agreement_end
from tests.sharing.factories import AgencyFactory, UserFactory


@dataclass
class Partnership:
    police: Agency
    probation: Agency
    prison: Agency
    drugs: Agency
    housing: Agency
    elsewhere: Agency
    officer: User
    probation_officer: User
    prison_officer: User
    drugs_worker: User
    housing_worker: User
    outsider: User
    core: SharingAgreement
    substance: SharingAgreement
    housing_agreement: SharingAgreement

    def user_of(self, agency: Agency) -> User:
        return {
            self.police: self.officer,
            self.probation: self.probation_officer,
            self.prison: self.prison_officer,
            self.drugs: self.drugs_worker,
            self.housing: self.housing_worker,
            self.elsewhere: self.outsider,
        }[agency]


def category(code: str) -> DataCategory:
    return DataCategory.objects.get(code=code)


def agreement_in_force(
    *,
    by: User,
    title: str,
    parties: list[Agency],
    clauses: list[ClauseSpec],
    starts_on: datetime.date,
    purpose: str = "Managing the IOM cohort together",
) -> SharingAgreement:
    """An agreement drafted and activated by an agency admin, as the agreement pages do."""
    created = agreement_create(
        by=by,
        title=title,
        purpose=purpose,
        legal_basis=SharingAgreement.LegalBasis.CRIME_AND_DISORDER,
        parties=parties,
        clauses=clauses,
        starts_on=starts_on,
    )
    return agreement_activate(agreement=created, by=by)


def build_partnership() -> Partnership:
    police = AgencyFactory.create(name="Northmoor Police", kind=Agency.Kind.POLICE)
    probation = AgencyFactory.create(name="Probation Northmoor", kind=Agency.Kind.PROBATION)
    prison = AgencyFactory.create(name="HMP Fenwick", kind=Agency.Kind.PRISON)
    drugs = AgencyFactory.create(name="Compass Recovery", kind=Agency.Kind.DRUG_AND_ALCOHOL)
    housing = AgencyFactory.create(name="Northmoor Housing", kind=Agency.Kind.ACCOMMODATION)
    elsewhere = AgencyFactory.create(name="Southdale Police", kind=Agency.Kind.POLICE)
    admin = UserFactory.create(agency=police, roles=[Role.AGENCY_ADMIN])
    start = timezone.localdate() - datetime.timedelta(days=365)

    def agreement(title: str, parties: list[Agency], clauses: list[ClauseSpec]) -> SharingAgreement:
        return agreement_in_force(by=admin, title=title, parties=parties, clauses=clauses, starts_on=start)

    core = agreement(
        "Core IOM agreement",
        [police, probation, prison],
        [
            ClauseSpec(category("identity")),
            ClauseSpec(category("offending-risk")),
            ClauseSpec(category("intelligence")),
        ],
    )
    substance = agreement(
        "Substance misuse treatment",
        [police, probation, drugs],
        [ClauseSpec(category("substance-misuse"), True)],
    )
    housing_agreement = agreement("Housing pilot", [police, housing], [ClauseSpec(category("accommodation"))])
    agreement_end(agreement=housing_agreement, by=admin)
    return Partnership(
        police=police,
        probation=probation,
        prison=prison,
        drugs=drugs,
        housing=housing,
        elsewhere=elsewhere,
        officer=UserFactory.create(agency=police, roles=[Role.PRACTITIONER]),
        probation_officer=UserFactory.create(agency=probation, roles=[Role.PRACTITIONER]),
        prison_officer=UserFactory.create(agency=prison, roles=[Role.PARTNER_WORKER]),
        drugs_worker=UserFactory.create(agency=drugs, roles=[Role.PARTNER_WORKER]),
        housing_worker=UserFactory.create(agency=housing, roles=[Role.PARTNER_WORKER]),
        outsider=UserFactory.create(agency=elsewhere, roles=[Role.PRACTITIONER]),
        core=core,
        substance=substance,
        housing_agreement=housing_agreement,
    )
