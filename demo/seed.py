"""The demo IOM partnership: Northmoor, a fictional force area with its partners and a user for
every role. Every later feature adds its own demo data here, so that a new user sees a living unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from demo.cohort import load_demo_cohort
from demo.common import account_details, role_groups
from demo.deregistrations import load_demo_deregistrations
from demo.duplicates import load_demo_duplicates
from demo.meetings import load_demo_meetings, load_demo_panels
from demo.notifications import load_demo_notifications
from demo.records import load_demo_records
from demo.referrals import load_demo_referrals
from demo.report import load_demo_report
from demo.tags_transitions import load_demo_tags_transitions
from sharing.models import Agency, User
from sharing.roles import Role
from shell.database import analyze

# Shown by `make run`; the demo refuses to load outside development (settings.DEVELOPMENT).
DEMO_PASSWORD = "northmoor-demo-2026"  # noqa: S105  (a published demo password, development only)


@dataclass(frozen=True)
class DemoAgency:
    key: str
    name: str
    short_name: str
    kind: Agency.Kind


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    agency: str
    job_title: str
    roles: tuple[Role, ...]
    supervisor: str = ""  # the demo username of their supervisor in the same agency


AGENCIES = [
    DemoAgency("police", "Northmoor Police", "NMP", Agency.Kind.POLICE),
    DemoAgency("probation", "Probation Service (Northmoor)", "PS Northmoor", Agency.Kind.PROBATION),
    DemoAgency("yot_city", "Northmoor City Youth Justice Service", "City YJS", Agency.Kind.YOUTH_OFFENDING_TEAM),
    DemoAgency("yot_county", "Northmoor County Youth Offending Team", "County YOT", Agency.Kind.YOUTH_OFFENDING_TEAM),
    DemoAgency("prison", "HMP Fenwick", "HMP Fenwick", Agency.Kind.PRISON),
    DemoAgency("drugs", "Compass Recovery Northmoor", "Compass Recovery", Agency.Kind.DRUG_AND_ALCOHOL),
    DemoAgency("housing", "Northmoor Housing Partnership", "NHP", Agency.Kind.ACCOMMODATION),
    DemoAgency("council", "Northmoor City Council", "NCC", Agency.Kind.LOCAL_AUTHORITY),
    DemoAgency("health", "Northmoor Liaison and Diversion (NHS)", "L&D", Agency.Kind.HEALTH),
    DemoAgency("charity", "New Leaf Mentoring", "New Leaf", Agency.Kind.VOLUNTARY_SECTOR),
]

USERS = [
    DemoUser(
        "sam.carter",
        "Sam",
        "Carter",
        "police",
        "Detective Constable, IOM team",
        (Role.PRACTITIONER,),
        supervisor="helen.morris",
    ),
    DemoUser(
        "priya.shah",
        "Priya",
        "Shah",
        "probation",
        "Probation Officer",
        (Role.PRACTITIONER,),
        supervisor="daniel.okafor",
    ),
    DemoUser("helen.morris", "Helen", "Morris", "police", "Detective Sergeant, IOM team", (Role.SUPERVISOR,)),
    DemoUser("daniel.okafor", "Daniel", "Okafor", "probation", "Senior Probation Officer", (Role.SUPERVISOR,)),
    DemoUser(
        "mark.reynolds",
        "Mark",
        "Reynolds",
        "police",
        "Inspector, IOM lead",
        (Role.PANEL_CHAIR, Role.SUPERVISOR),
    ),
    DemoUser("jo.evans", "Jo", "Evans", "drugs", "Recovery Coordinator", (Role.PARTNER_WORKER,)),
    DemoUser("aisha.khan", "Aisha", "Khan", "yot_city", "Youth Justice Worker", (Role.PARTNER_WORKER,)),
    DemoUser("tom.byrne", "Tom", "Byrne", "housing", "Housing Support Officer", (Role.PARTNER_WORKER,)),
    DemoUser(
        "grace.mensah",
        "Grace",
        "Mensah",
        "prison",
        "Offender Management Unit Officer",
        (Role.PARTNER_WORKER,),
    ),
    DemoUser("claire.wood", "Claire", "Wood", "police", "IOM Business Support Manager", (Role.AGENCY_ADMIN,)),
    DemoUser(
        "gareth.lloyd",
        "Gareth",
        "Lloyd",
        "probation",
        "Probation Delivery Unit Administrator",
        (Role.AGENCY_ADMIN,),
    ),
    DemoUser("ruth.green", "Ruth", "Green", "police", "Performance Analyst", (Role.ANALYST,)),
    DemoUser("alex.reid", "Alex", "Reid", "police", "Systems Administrator", (Role.SYSTEM_ADMIN,)),
]


def demo_is_loaded() -> bool:
    return User.objects.filter(username=USERS[0].username).exists()


@transaction.atomic
def load_demo() -> None:
    """Create or bring up to date the demo partnership; running it again changes nothing."""
    agencies: dict[str, Agency] = {}
    for demo_agency in AGENCIES:
        agency, _ = Agency.objects.update_or_create(
            name=demo_agency.name, defaults={"short_name": demo_agency.short_name, "kind": demo_agency.kind}
        )
        agencies[demo_agency.key] = agency
    groups = role_groups()
    for demo_user in USERS:
        user, created = User.objects.update_or_create(
            username=demo_user.username,
            defaults=account_details(demo_user, agencies[demo_user.agency]),
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.set([groups[role.value] for role in demo_user.roles])
        user.join_agency_group()
    users = {user.username: user for user in User.objects.filter(username__in=[u.username for u in USERS])}
    for demo_user in USERS:  # supervisors, once everyone exists
        user, supervisor = users[demo_user.username], users.get(demo_user.supervisor)
        if user.supervisor_id != (supervisor.pk if supervisor else None):
            user.supervisor = supervisor
            user.save(update_fields=["supervisor"])
    load_demo_records(users, agencies)
    load_demo_panels(users, agencies)  # the weekly selection panel, which referrals are listed for
    load_demo_referrals(users, agencies)
    load_demo_cohort(users, agencies)  # generated people, up to a cohort of about 400
    analyse_after_bulk_load()
    load_demo_report(users, agencies)  # management reports: plans, interventions, contacts ...
    load_demo_tags_transitions(users, agencies)
    load_demo_deregistrations(users, agencies)
    load_demo_meetings(users, agencies)  # panels, MAP meetings and the Y2A panel, run through their services
    load_demo_duplicates(users, agencies)  # partners' attempts to record people held elsewhere, to check
    load_demo_notifications()  # the day's sweeps, as beat runs them: reviews due and overdue in the inboxes


def analyse_after_bulk_load() -> None:
    """Give the planner statistics on what was just loaded in bulk, before the rest of the demo (and
    whoever reads it first) queries it: tables filled in one transaction have none until autovacuum
    comes round, and with none the planner may choose plans that grow with the square of the rows.
    ANALYZE runs inside the transaction and counts its own uncommitted rows; through the owner's
    function (shell/database.py), so it works as the application's role too, as the tests run it."""
    analyze()


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, roles, agency) for each demo user, as the run command prints them."""
    names = {demo_agency.key: demo_agency.name for demo_agency in AGENCIES}
    return [
        (demo_user.username, ", ".join(role.label for role in demo_user.roles), names[demo_user.agency])
        for demo_user in USERS
    ]
