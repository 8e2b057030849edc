"""What the home page offers each role: the next things that role can do.

Each feature adds its actions here. Every action names a page that exists: a URL name that does not
resolve fails the page (and the home page's tests), rather than silently dropping the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from sharing.roles import ROLE_DESCRIPTIONS, Role

if TYPE_CHECKING:
    from sharing.models import User


@dataclass(frozen=True)
class HomeAction:
    title: str
    url_name: str
    description: str
    query: str = ""  # e.g. "status=submitted": the page opened already filtered
    iom_team_only: bool = False  # offered only to users of the IOM unit's agencies (police, probation)


FIND_A_PERSON = HomeAction(
    "Find a person", "nominal-list", "Search by name, PNC ID, CRN, prison number or date of birth."
)
RECORD_A_PERSON = HomeAction(
    "Record a person", "nominal-new", "Add someone new, after checking they are not already recorded."
)

ACCESS_LOG = HomeAction(
    "Search the access log", "access-log", "Who in your agency viewed which records, when, and why."
)

REFER_A_PERSON = HomeAction(
    "Refer a person", "referral-new", "Refer someone to the IOM selection panel: save as you go, then submit."
)
YOUR_REFERRALS = HomeAction(
    "Your referrals", "referral-list", "Follow the referrals you and your team made, from draft to decision."
)
REFERRALS_TO_SCREEN = HomeAction(
    "Referrals to screen",
    "referral-list",
    "Submitted referrals for the IOM team to check: list them for a panel, or return them with questions.",
    query="status=submitted",
    iom_team_only=True,
)
THE_COHORT = HomeAction(
    "The IOM cohort", "cohort-list", "Everyone on IOM now, with their RAG rating, level and lead professional."
)
MY_CASELOAD = HomeAction(
    "My caseload",
    "cohort-list",
    "The people on the cohort you are lead professional, police lead or key worker for.",
    query="show=mine",
)
MY_TEAMS_CASELOAD = HomeAction(
    "Team caseload",
    "cohort-list",
    "The people on the cohort held by the workers you supervise, with their reviews and licence ends.",
    query="show=team",
)
CASELOADS = HomeAction(
    "Caseloads by RAG rating", "cohort-workload", "Each worker's people on the cohort, by RAG rating."
)
REVIEWS_DUE = HomeAction(
    "Reviews due",
    "reviews-due",
    "Management reports due for your review: your team's cases first, overdue first.",
)
# Custody and court events: police, probation and prison staff import them (cohorts/events/services.py).
IMPORT_EVENTS = HomeAction(
    "Import custody and court events",
    "event-import",
    "Upload a CSV file of arrests, charges, court outcomes, sentences, recalls and releases, keyed by PNC ID.",
    iom_team_only=True,
)

# Possible duplicates: cohorts/duplicates/views.py.
POSSIBLE_DUPLICATES = HomeAction(
    "Possible duplicates",
    "duplicate-list",
    "People someone tried to record who may be recorded already: share the record, merge, or close.",
    iom_team_only=True,
)

# Meetings: meetings/scheduling/views.py.
MEETINGS = HomeAction(
    "Meetings", "meeting-list", "Selection panels, MAP meetings, Y2A panels and case conferences: list and calendar."
)
SCHEDULE_A_MEETING = HomeAction(
    "Schedule a meeting", "meeting-new", "A single meeting or case conference; or schedule a recurring series."
)

ROLE_ACTIONS: dict[Role, list[HomeAction]] = {
    Role.PRACTITIONER: [
        MY_CASELOAD,
        FIND_A_PERSON,
        RECORD_A_PERSON,
        REFER_A_PERSON,
        YOUR_REFERRALS,
        REFERRALS_TO_SCREEN,
        THE_COHORT,
        CASELOADS,
        IMPORT_EVENTS,
    ],
    Role.SUPERVISOR: [
        MY_TEAMS_CASELOAD,
        FIND_A_PERSON,
        REVIEWS_DUE,
        ACCESS_LOG,
        REFERRALS_TO_SCREEN,
        POSSIBLE_DUPLICATES,
        THE_COHORT,
        CASELOADS,
        IMPORT_EVENTS,
    ],
    Role.PANEL_CHAIR: [
        MEETINGS,
        SCHEDULE_A_MEETING,
        FIND_A_PERSON,
        HomeAction(
            "Referrals listed for panel",
            "referral-list",
            "Screened referrals awaiting the selection panel's decision.",
            query="status=listed",
        ),
        HomeAction(
            "Urgent decisions to ratify",
            "referral-list",
            "Urgent referrals decided outside a meeting, for the next panel to ratify.",
            query="to_be_ratified=on",
        ),
        HomeAction(
            "Deregistrations to ratify",
            "deregistrations-waiting",
            "Proposals that a person leave IOM (licence completed, moved away, long custody ...), for a panel chair.",
        ),
        THE_COHORT,
        CASELOADS,
    ],
    Role.PARTNER_WORKER: [MY_CASELOAD, FIND_A_PERSON, RECORD_A_PERSON, REFER_A_PERSON, YOUR_REFERRALS, THE_COHORT],
    Role.AGENCY_ADMIN: [
        ACCESS_LOG,
        HomeAction(
            "Manage information sharing agreements",
            "agreement-list",
            "Draft, activate, suspend and end the agreements your agency is party to.",
        ),
    ],
    Role.ANALYST: [FIND_A_PERSON, THE_COHORT, CASELOADS],
    Role.SYSTEM_ADMIN: [
        HomeAction("Manage agencies and users", "admin:index", "Add agencies, create accounts and give roles."),
        HomeAction(
            "Selection matrix",
            "selection-matrix",
            "The criteria and weights that score referrals; changing them re-scores open referrals.",
        ),
        HomeAction(IMPORT_EVENTS.title, IMPORT_EVENTS.url_name, IMPORT_EVENTS.description),
        HomeAction(POSSIBLE_DUPLICATES.title, POSSIBLE_DUPLICATES.url_name, POSSIBLE_DUPLICATES.description),
    ],
}
EVERYONE_ACTIONS = [
    HomeAction(
        "Connect a partner system",
        "api-docs",
        "Read the API documentation. Your system administrator issues each partner system its token.",
    ),
]


@dataclass(frozen=True)
class RoleSection:
    role: Role
    description: str
    actions: list[tuple[HomeAction, str]]


def _resolved(actions: list[HomeAction], *, iom_team: bool = True) -> list[tuple[HomeAction, str]]:
    resolved = []
    for action in actions:
        if action.iom_team_only and not iom_team:
            continue
        url = reverse(action.url_name)
        resolved.append((action, f"{url}?{action.query}" if action.query else url))
    return resolved


def home_sections(roles: list[Role], *, iom_team: bool = True) -> list[RoleSection]:
    """The actions of each of the user's roles; iom_team: the user's agency is of the IOM unit's kinds."""
    return [
        RoleSection(role, ROLE_DESCRIPTIONS[role], _resolved(ROLE_ACTIONS[role], iom_team=iom_team)) for role in roles
    ]


def everyone_actions() -> list[tuple[HomeAction, str]]:
    return _resolved(EVERYONE_ACTIONS)


# --- Supervisor reviews -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeNotice:
    """Something waiting for the user, shown above their actions."""

    text: str
    url: str


def overdue_reviews_notice(user: User) -> HomeNotice | None:
    """For a supervisor with overdue reviews among the cases whose lead they supervise: how many,
    linking to them (two queries; none for other roles)."""
    if not user.has_role(Role.SUPERVISOR):
        return None
    from cohorts.reviews.services import overdue_in_team_count

    count = overdue_in_team_count(user)
    if not count:
        return None
    url = reverse("reviews-due")
    return HomeNotice(f"{count} review{'' if count == 1 else 's'} overdue", f"{url}?overdue=on&team=on")


# --- Meetings ------------------------------------------------------------------------------------------


def next_meetings(user: User) -> list[Any]:
    """The user's next three meetings (one query): those they chair or are invited to."""
    from meetings.scheduling.services import next_meetings_for

    return next_meetings_for(user, limit=3)


# --- Actions from meetings ----------------------------------------------------------------------------


def meeting_actions_notice(user: User) -> HomeNotice | None:
    """For anyone owning open actions set in meetings: how many (and how many overdue), linking to
    "Your actions" (one query)."""
    from meetings.actions.services import open_actions_counts

    count, overdue = open_actions_counts(user)
    if not count:
        return None
    url = reverse("meeting-actions-mine")
    text = f"{count} action{'' if count == 1 else 's'} from meetings"
    return HomeNotice(text + (f" open, {overdue} overdue" if overdue else " open"), url)


# --- Possible duplicates -----------------------------------------------------------------------------


def duplicates_notice(user: User) -> HomeNotice | None:
    """For the IOM team and system administrators with checks waiting: how many (one query)."""
    from cohorts.duplicates.services import duplicates_for_user, may_check_duplicates

    if not may_check_duplicates(user):
        return None
    count = duplicates_for_user(user).count()
    if not count:
        return None
    return HomeNotice(f"{count} possible duplicate{'' if count == 1 else 's'} to check", reverse("duplicate-list"))
