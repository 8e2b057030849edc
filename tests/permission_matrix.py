"""The permission matrix: every URL pattern of the application, and who may reach it.

DESIGN.md ("The permission model", point 2): a nominal is visible to an agency only with a reason,
and everyone else gets 404 in pages and API alike. Every URL pattern must have an entry here, and
tests/test_permission_matrix.py fails for a pattern that has none, so no page or endpoint can be
added without saying who may see it.

Kinds of entry:
- Public: anyone, signed in or not (sign-in, health check).
- SignedIn: any signed-in user, any role; it shows no nominal data (home, who-am-I, API schema).
- RolesOnly: signed-in users holding one of the roles; others get 403 (function-level permission).
- NominalData: shows a nominal's data. Checked (tests/test_permission_matrix.py, SCOPES) by every
  role of the owning agency, of an agency sharing by agreement and of one whose sharing needs the
  person's withdrawn consent; and by one role of each kind the entry treats alike of an agency with
  no agreement, of one whose agreement has ended, and for a nominal that does not exist, which must
  be 404. An endpoint of this kind declares how to build its URL from the scenario.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from sharing.roles import Role


@dataclass(frozen=True)
class Public:
    url: str


@dataclass(frozen=True)
class SignedIn:
    url: str
    api: bool = False


@dataclass(frozen=True)
class RolesOnly:
    url: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class Exempt:
    """A pattern that is not a page of its own, with the reason (e.g. a POST-only action)."""

    reason: str
    covered_by: str = ""


@dataclass(frozen=True)
class NominalData:
    """A page of one person's record. url_for builds its address from the scenario (its person,
    its items); method is how it is called; roles may reach it when the person is in scope."""

    url_for: Callable[[Any], str]  # the scenario has nominal_pk, item_pk and referral_pk
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)
    api: bool = False
    roles: frozenset[Role] = field(default_factory=lambda: frozenset(Role))
    ok_status: int = 200
    needs_item: bool = False  # the page is about one item, which must itself be visible
    owner_only: bool = False  # only the agency that owns the person or item (the police) reaches the page
    content_type: str | None = None  # how data is sent, e.g. "application/json"; None: a form
    # The agencies (partnership keys) whose users the page serves at all, where not every agency that
    # sees the person: e.g. the IOM team's screening (police and probation). None: every such agency.
    agencies: frozenset[str] | None = None
    # The status for an agency that sees the person but is not among `agencies` (403 or 404).
    other_agencies_status: int = 404


@dataclass(frozen=True)
class NominalList:
    """A page that lists or searches people: each scope's person is listed or absent, never leaked."""

    url: str
    api: bool = False


@dataclass(frozen=True)
class MeetingData:
    """A page or endpoint of one meeting: its agenda, run mode, minutes, pack, actions.
    url_for builds its address from the meeting scenario (meeting_pk, item_pk, action_pk). Checked
    for the meeting's chair, for a user of each role in an invited agency (these roles reach it,
    the others get 403, or 404 where chair_only), for a user of an agency not invited (404) and
    for a meeting that does not exist (404). chair_only: only the chair, and panel chairs of the
    agency running the meeting, reach it; invited users get 404 as if it did not exist."""

    url_for: Callable[[Any], str]
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)
    api: bool = False
    roles: frozenset[Role] = field(default_factory=lambda: frozenset(Role))
    ok_status: int = 200
    chair_only: bool = False
    content_type: str | None = None


Entry = Public | SignedIn | RolesOnly | Exempt | NominalData | NominalList | MeetingData

ADMIN = frozenset({Role.SYSTEM_ADMIN})
# Pages for the agencies that run or hold the case (the IOM team, a role in it, the agencies that
# record custody events): of the scenario's agencies that see the person, the police and probation.
# The drug service sees the person under its agreement, and is refused (403) on these.
IOM_TEAM_ONLY: dict[str, Any] = {"agencies": frozenset({"police", "probation"}), "other_agencies_status": 403}

# URL name (with namespace) or, for a whole namespace such as Django admin, "namespace:*".
MATRIX: dict[str, Entry] = {
    "login": Public("/sign-in/"),
    "healthz": Public("/healthz"),
    "logout": Exempt("POST-only; signing out needs no permission", covered_by="tests/shell/test_sign_in.py"),
    "home": SignedIn("/"),
    # The timeout warning: how long the caller's own session has (0 signed out), and renewing it.
    "session-time-left": Public("/session/time-left/"),
    "session-renew": Exempt("POST-only; the caller's own session", covered_by="tests/shell/test_session_timeout.py"),
    # A form kept while signed out is shown on its own page only when that page is (shell/kept/).
    "kept-form-discard": Exempt(
        "POST-only; the caller's own kept form, held in their own session", covered_by="tests/shell/test_kept_forms.py"
    ),
    "api-me": SignedIn("/api/v1/me/", api=True),
    # Notifications: each user's own, never another's (tests/iom/test_notifications.py).
    "notification-list": SignedIn("/notifications/"),
    "notification-preferences": SignedIn("/notifications/settings/"),
    "notification-open": Exempt(
        "the recipient's own only, others 404", covered_by="tests/notifications/test_notifications.py"
    ),
    "notification-all-read": Exempt(
        "POST-only, the user's own", covered_by="tests/notifications/test_notifications.py"
    ),
    "sweep-operations": RolesOnly("/operations/sweeps/", ADMIN),
    "api-schema": SignedIn("/api/v1/schema/", api=True),
    "api-docs": SignedIn("/api/v1/docs/"),
    "admin:*": RolesOnly("/admin/", ADMIN),
    # Information sharing agreements (sharing/urls.py): not nominal data; party agencies only.
    "agreement-list": SignedIn("/sharing/agreements/"),
    "agreement-new": RolesOnly("/sharing/agreements/new/", frozenset({Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN})),
    "agreement-detail": Exempt("party agencies only, others 404", covered_by="tests/sharing/test_agreement_pages.py"),
    "agreement-document": Exempt("party agencies only, others 404", covered_by="tests/sharing/test_agreement_pages.py"),
    "agreement-edit": Exempt("agency admins of a party only", covered_by="tests/sharing/test_agreement_pages.py"),
    "agreement-upload": Exempt("agency admins of a party only", covered_by="tests/sharing/test_agreement_pages.py"),
    "agreement-action": Exempt("agency admins of a party only", covered_by="tests/sharing/test_agreement_pages.py"),
    # The same through the API (sharing/api.py).
    "api-agreement-list": SignedIn("/api/v1/agreements/", api=True),
    "api-agreement-detail": Exempt("party agencies only, others 404", covered_by="tests/sharing/test_agreement_api.py"),
    "api-agreement-activate": Exempt("agency admins of a party only", covered_by="tests/sharing/test_agreement_api.py"),
    "api-agreement-suspend": Exempt("agency admins of a party only", covered_by="tests/sharing/test_agreement_api.py"),
    "api-agreement-end": Exempt("agency admins of a party only", covered_by="tests/sharing/test_agreement_api.py"),
    # People's records (cohorts/urls.py, cohorts/records/views.py).
    "nominal-list": NominalList("/people/"),
    "nominal-new": SignedIn("/people/new/"),
    # Possible duplicates and merges: the IOM team (police and probation practitioners,
    # supervisors and panel chairs) and system admins; every role of three agencies is tried there.
    "duplicate-list": Exempt(
        "the IOM team and system admins, others 403", covered_by="tests/cohorts/test_duplicates.py"
    ),
    "duplicate-detail": Exempt(
        "the IOM team and system admins, others 403; both records' identity, logged",
        covered_by="tests/cohorts/test_duplicates.py",
    ),
    "duplicate-share": Exempt("POST-only, the IOM team", covered_by="tests/cohorts/test_duplicates.py"),
    "duplicate-merge": Exempt("POST-only, the IOM team", covered_by="tests/cohorts/test_duplicates.py"),
    "duplicate-dismiss": Exempt("POST-only, the IOM team", covered_by="tests/cohorts/test_duplicates.py"),
    "merge-undo": Exempt("POST-only, the IOM team, within 30 days", covered_by="tests/cohorts/test_duplicates.py"),
    "access-log": RolesOnly("/people/access-log/", frozenset({Role.SUPERVISOR, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN})),
    "nominal-edit": NominalData(lambda s: f"/people/{s.nominal_pk}/edit/", owner_only=True),
    "nominal-consent": NominalData(lambda s: f"/people/{s.nominal_pk}/consent/"),
    "nominal-history": NominalData(lambda s: f"/people/{s.nominal_pk}/history/"),
    "nominal-detail": NominalData(lambda s: f"/people/{s.nominal_pk}/"),
    "nominal-sensitive-reason": NominalData(
        lambda s: f"/people/{s.nominal_pk}/sensitive/", method="post", data={"reason": "Risk assessment"}, ok_status=302
    ),
    "item-new": NominalData(lambda s: f"/people/{s.nominal_pk}/items/new/"),
    "need-new": NominalData(lambda s: f"/people/{s.nominal_pk}/needs/new/"),
    "item-why": NominalData(lambda s: f"/people/{s.nominal_pk}/items/{s.item_pk}/why/", needs_item=True),
    "item-edit": NominalData(
        lambda s: f"/people/{s.nominal_pk}/items/{s.item_pk}/edit/", needs_item=True, owner_only=True
    ),
    # People's records through the API (cohorts/records/api.py): the same rules, the same 404s.
    "api-nominal-list": NominalList("/api/v1/people/", api=True),
    "api-nominal-detail": NominalData(lambda s: f"/api/v1/people/{s.nominal_pk}/", api=True),
    "api-item-create": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/items/",
        method="post",
        data={
            "kind": "note",
            "category": "accommodation",
            "summary": "Added through the API",
            "occurred_on": "2024-01-15",
        },
        content_type="application/json",
        api=True,
        ok_status=201,
    ),
    "api-nominal-sensitive": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/sensitive/",
        method="post",
        data={"reason": "Preparing the MAP meeting"},
        content_type="application/json",
        api=True,
    ),
    "api-item-why": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/items/{s.item_pk}/why/", api=True, needs_item=True
    ),
    "api-nominal-consent": NominalData(lambda s: f"/api/v1/people/{s.nominal_pk}/consent/", api=True),
    # --- Referral pages: list, intake and the referral page (referrals/urls.py, referrals/views.py) ---
    # The list shows everyone their own and their team's referrals (the IOM team all it may see); it
    # lists referrals, not people: tests/referrals/test_views.py checks no one out of scope appears.
    "referral-list": SignedIn("/referrals/"),
    "referral-new": RolesOnly(
        "/referrals/new/", frozenset({Role.PRACTITIONER, Role.PARTNER_WORKER, Role.SUPERVISOR, Role.PANEL_CHAIR})
    ),
    "referral-detail": NominalData(lambda s: f"/referrals/{s.referral_pk}/"),
    # Only the referring agency's referrers change a referral: another agency that sees it gets 403,
    # which NominalData's owner_only (404) cannot say; the same role x scope grid is run there.
    "referral-section": Exempt(
        "the referring agency's referrers only (others who see it 403, the rest 404)",
        covered_by="tests/referrals/test_views.py",
    ),
    "referral-check": Exempt(
        "the referring agency's referrers only (others who see it 403, the rest 404)",
        covered_by="tests/referrals/test_views.py",
    ),
    # --- Referral workflow pages (referrals/urls.py, referrals/workflow_views.py) ---
    # The scenario's referral is submitted: screening and returning show their form, listing and
    # deciding explain why not yet (200), ratifying that nothing waits for it. The IOM team is police
    # and probation staff, the only agencies in the scenario that see the person.
    "referral-screen": NominalData(
        lambda s: f"/referrals/{s.referral_pk}/screen/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        **IOM_TEAM_ONLY,
    ),
    "referral-return": NominalData(
        lambda s: f"/referrals/{s.referral_pk}/return/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        **IOM_TEAM_ONLY,
    ),
    "referral-list-for-panel": NominalData(
        lambda s: f"/referrals/{s.referral_pk}/list/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        **IOM_TEAM_ONLY,
    ),
    "referral-decide": NominalData(
        lambda s: f"/referrals/{s.referral_pk}/decide/", roles=frozenset({Role.PANEL_CHAIR})
    ),
    "referral-ratify": NominalData(
        lambda s: f"/referrals/{s.referral_pk}/ratify/", roles=frozenset({Role.PANEL_CHAIR})
    ),
    # The referring agency's referrers (any role that refers) or the IOM team (police and probation
    # practitioners, supervisors, panel chairs): which roles depends on the agency.
    "referral-withdraw": Exempt(
        "the referring agency's referrers or the IOM team; roles differ by agency",
        covered_by="tests/referrals/test_workflow_pages.py",
    ),
    # --- Selection matrix pages (referrals/urls.py, referrals/matrix_views.py) ---
    # Not nominal data. The IOM team (police and probation: make_user's agency is a police force),
    # panel chairs and system administrators read it; system administrators change it.
    "selection-matrix": RolesOnly(
        "/referrals/selection-matrix/",
        frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.SYSTEM_ADMIN}),
    ),
    "selection-criterion-new": RolesOnly("/referrals/selection-matrix/criteria/new/", ADMIN),
    "selection-criterion-edit": Exempt(
        "system administrators only; needs a criterion", covered_by="tests/referrals/test_matrix_pages.py"
    ),
    # --- Referrals through the API (referrals/urls.py, referrals/api.py) ---
    # The list shows referrals, not people: anyone signed in gets 200 (the IOM team what it may see,
    # others their own); tests/referrals/test_api.py checks it never lists a person out of scope.
    "api-referral-list": SignedIn("/api/v1/referrals/", api=True),
    "api-referral-detail": NominalData(lambda s: f"/api/v1/referrals/{s.referral_pk}/", api=True),
    # The scenario's referral is submitted: once scope and role pass, the state refuses a section,
    # a submit, a listing, a decision (not listed, not urgent) and a ratification (none waiting): 409.
    "api-referral-section": NominalData(
        lambda s: f"/api/v1/referrals/{s.referral_pk}/sections/why/",
        method="put",
        data={"why_now": "Changed", "version": "1"},
        content_type="application/json",
        api=True,
        ok_status=409,
    ),
    "api-referral-submit": NominalData(
        lambda s: f"/api/v1/referrals/{s.referral_pk}/submit/",
        method="post",
        content_type="application/json",
        api=True,
        ok_status=409,
    ),
    "api-referral-screen": NominalData(
        lambda s: f"/api/v1/referrals/{s.referral_pk}/screen/",
        method="post",
        data={"note": ""},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        **IOM_TEAM_ONLY,
    ),
    "api-referral-return": NominalData(
        lambda s: f"/api/v1/referrals/{s.referral_pk}/return/",
        method="post",
        data={"questions": "Which licence conditions apply?"},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        **IOM_TEAM_ONLY,
    ),
    "api-referral-list-for-panel": NominalData(
        lambda s: f"/api/v1/referrals/{s.referral_pk}/list-for-panel/",
        method="post",
        data={"panel_date": "2099-01-05"},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        ok_status=409,
        **IOM_TEAM_ONLY,
    ),
    "api-referral-decide": NominalData(
        lambda s: f"/api/v1/referrals/{s.referral_pk}/decide/",
        method="post",
        data={"outcome": "rejected", "rationale": "Not enough offending"},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PANEL_CHAIR}),
        ok_status=409,
    ),
    "api-referral-ratify": NominalData(
        lambda s: f"/api/v1/referrals/{s.referral_pk}/ratify/",
        method="post",
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PANEL_CHAIR}),
        ok_status=409,
    ),
    "api-referral-withdraw": Exempt(
        "the referring agency's referrers or the IOM team (police and probation): depends on the agency "
        "as well as the role; out of scope 404",
        covered_by="tests/referrals/test_api.py",
    ),
    "api-selection-criteria": Exempt(
        "not nominal data; the IOM team (police and probation), panel chairs and system admins, others 403",
        covered_by="tests/referrals/test_api.py",
    ),
    "api-selection-criterion": Exempt(
        "PATCH only; system admins, others 403", covered_by="tests/referrals/test_api.py"
    ),
    # --- The cohort and the nominal page's cohort panels (cohorts/urls.py, cohorts/management/views.py) ---
    # Listed or absent by the sharing rules (tests/cohorts/test_cohort_list.py: it takes no ?q=).
    "cohort-list": SignedIn("/cohort/"),
    "api-cohort-list": NominalList("/api/v1/cohort/", api=True),
    # --- Managing the cohort ---
    # RAG ratings and assignments (cohorts/records/views.py, cohorts/records/api.py). The scenario's person is on the
    # cohort and has no leads yet; the agencies that see them (the police, probation by agreement) are
    # the IOM unit's, whose practitioners, supervisors and panel chairs rate and assign. Partners who
    # work the case, or see it by agreement only, and the lead professional are run role x agency in
    # tests/cohorts/test_rag_pages.py and tests/cohorts/test_assignment_pages.py.
    "nominal-rag": NominalData(
        lambda s: f"/people/{s.nominal_pk}/rag/",
        method="post",
        data={"rating": "red", "rationale": "Arrested twice this week"},
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        ok_status=302,
        **IOM_TEAM_ONLY,
    ),
    "nominal-assignment": NominalData(
        lambda s: f"/people/{s.nominal_pk}/assignments/lead_professional/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        **IOM_TEAM_ONLY,
    ),
    "nominal-assignment-end": Exempt(
        "POST-only and needs a key worker's assignment; the IOM team and the lead professional, others who "
        "see the person 403, the rest 404",
        covered_by="tests/cohorts/test_assignment_pages.py",
    ),
    "api-nominal-rag": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/rag/",
        method="post",
        data={"rating": "red", "rationale": "Arrested twice this week"},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        ok_status=201,
        **IOM_TEAM_ONLY,
    ),
    # Reading who holds the case is open to every agency that sees the person, as the person page shows it.
    "api-nominal-assignments": NominalData(lambda s: f"/api/v1/people/{s.nominal_pk}/assignments/", api=True),
    "api-assignment-end": Exempt(
        "POST-only and needs a key worker's assignment; the IOM team and the lead professional, others who "
        "see the person 403, the rest 404",
        covered_by="tests/cohorts/test_assignment_pages.py",
    ),
    # Counts by worker, no one's record: case workers, supervisors, panel chairs and analysts.
    "cohort-workload": RolesOnly(
        "/cohort/workload/",
        frozenset({Role.PRACTITIONER, Role.PARTNER_WORKER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.ANALYST}),
    ),
    # --- Supervisor reviews ---
    # cohorts/reviews/views.py, cohorts/reviews/api.py. The scenario's person is on the cohort, not rated
    # (reviewed monthly) and without leads; the agencies that see them (the police, probation by
    # agreement) are the IOM unit's, any of whose supervisors reviews. Supervisors of a lead in a partner
    # agency, and partners who may not, are run role x agency in tests/cohorts/test_review_pages.py.
    "review-list": NominalData(lambda s: f"/people/{s.nominal_pk}/reviews/"),
    "review-new": NominalData(
        lambda s: f"/people/{s.nominal_pk}/reviews/new/", roles=frozenset({Role.SUPERVISOR}), **IOM_TEAM_ONLY
    ),
    "reviews-due": RolesOnly("/reviews/", frozenset({Role.SUPERVISOR})),
    # GET (every agency that sees the person, 200) is run role x scope in tests/cohorts/test_review_pages.py.
    "api-nominal-reviews": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/reviews/",
        method="post",
        data={
            "commensurate": "true",
            "actions_set": "Weekly drug testing",
            "next_review_on": (datetime.date.today() + datetime.timedelta(days=14)).isoformat(),  # noqa: DTZ011
        },
        content_type="application/json",
        api=True,
        roles=frozenset({Role.SUPERVISOR}),
        ok_status=201,
        **IOM_TEAM_ONLY,
    ),
    "api-reviews-due": Exempt(
        "supervisors only, others 403; lists only people on the cohort the caller's agency may see",
        covered_by="tests/cohorts/test_review_pages.py",
    ),
    # --- Custody events ---
    # cohorts/events/views.py, cohorts/events/api.py. Every agency that sees the person reads the events
    # its agency may see; practitioners, supervisors and partner workers of police, probation, prison and
    # youth offending team agencies record them (the agencies that see the scenario's person are police
    # and probation; other agencies' workers are run in tests/cohorts/test_event_pages.py).
    "nominal-events": NominalData(lambda s: f"/people/{s.nominal_pk}/events/"),
    "custody-event-new": NominalData(
        lambda s: f"/people/{s.nominal_pk}/events/new/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PARTNER_WORKER}),
        **IOM_TEAM_ONLY,
    ),
    # make_user's agency is a police force: its practitioners and supervisors import, as do system admins.
    "event-import": RolesOnly(
        "/people/events/import/", frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.SYSTEM_ADMIN})
    ),
    "event-import-detail": Exempt(
        "needs an import; the importing agency's importers only, other agencies 404, other roles 403",
        covered_by="tests/cohorts/test_event_import.py",
    ),
    # GET (every agency that sees the person, 200) is run role x scope in tests/cohorts/test_event_pages.py.
    "api-nominal-events": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/events/",
        method="post",
        data={"kind": "arrest", "occurred_on": "2024-01-15", "offence_type": "burglary"},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PARTNER_WORKER}),
        ok_status=201,
        **IOM_TEAM_ONLY,
    ),
    # --- THE MANAGEMENT REPORT: cohorts/urls.py, cohorts/report/ ---
    # cohorts/report/views.py, cohorts/report/api.py. Every agency that sees the person reads the report
    # (what its agency may read of it); practitioners, supervisors, panel chairs and partner workers add
    # to it. Changing an entry is its agency's only (tests/cohorts/test_report_pages.py).
    "management-report": NominalData(lambda s: f"/people/{s.nominal_pk}/report/"),
    "management-report-print": NominalData(lambda s: f"/people/{s.nominal_pk}/report/print/"),
    "plan-action-new": NominalData(
        lambda s: f"/people/{s.nominal_pk}/report/actions/new/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.PARTNER_WORKER}),
    ),
    "intervention-new": NominalData(
        lambda s: f"/people/{s.nominal_pk}/report/interventions/new/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.PARTNER_WORKER}),
    ),
    "contact-new": NominalData(
        lambda s: f"/people/{s.nominal_pk}/report/contacts/new/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.PARTNER_WORKER}),
    ),
    "decision-new": NominalData(
        lambda s: f"/people/{s.nominal_pk}/report/decisions/new/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.PARTNER_WORKER}),
    ),
    "enforcement-new": NominalData(
        lambda s: f"/people/{s.nominal_pk}/report/enforcement/new/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.PARTNER_WORKER}),
    ),
    "plan-action-edit": Exempt(
        "needs a plan action; its agency's recorders only, other agencies 404, other roles 403",
        covered_by="tests/cohorts/test_report_pages.py",
    ),
    "intervention-edit": Exempt(
        "needs an intervention; its agency's recorders only, other agencies 404, other roles 403",
        covered_by="tests/cohorts/test_report_pages.py",
    ),
    "api-management-report": NominalData(lambda s: f"/api/v1/people/{s.nominal_pk}/report/", api=True),
    "api-plan-actions": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/report/actions/",
        method="post",
        data={"pathway": "accommodation", "action": "Refer to the housing options team"},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.PARTNER_WORKER}),
        ok_status=201,
    ),
    "api-plan-action": Exempt(
        "PATCH, needs a plan action; its agency's recorders only, other agencies 404, other roles 403",
        covered_by="tests/cohorts/test_report_pages.py",
    ),
    "api-interventions": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/report/interventions/",
        method="post",
        data={"name": "Thinking Skills Programme", "provider": "Probation", "starts_on": "2024-01-15"},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.PARTNER_WORKER}),
        ok_status=201,
    ),
    "api-contacts": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/report/contacts/",
        method="post",
        data={"contact_type": "face_to_face", "occurred_on": "2024-01-15", "outcome": "attended"},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.PARTNER_WORKER}),
        ok_status=201,
    ),
    "api-decisions": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/report/decisions/",
        method="post",
        data={"decision": "Weekly contact", "rationale": "Missed two appointments"},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.PARTNER_WORKER}),
        ok_status=201,
    ),
    "api-enforcement": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/report/enforcement/",
        method="post",
        data={"kind": "warning", "occurred_on": "2024-01-15", "reason": "Missed an appointment"},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.PARTNER_WORKER}),
        ok_status=201,
    ),
    # --- END OF THE MANAGEMENT REPORT ---
    # --- GPS TAGS: cohorts/urls.py, cohorts/tags/ ---
    # cohorts/tags/views.py, cohorts/tags/api.py. Tags are intelligence (sensitive): every agency that sees the
    # person reads the counts, the content once a reason is given. The IOM team (practitioners, supervisors,
    # panel chairs of police and probation: the agencies that see the scenario's person) record them. The
    # pages about one tag or hit need one; they, and partners without intelligence, are run in
    # tests/cohorts/test_tag_pages.py.
    "tag-list": NominalData(lambda s: f"/people/{s.nominal_pk}/tags/"),
    "tag-reason": NominalData(
        lambda s: f"/people/{s.nominal_pk}/tags/reason/", method="post", data={"reason": "Hit review"}, ok_status=302
    ),
    "tag-fit": NominalData(
        lambda s: f"/people/{s.nominal_pk}/tags/new/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        **IOM_TEAM_ONLY,
    ),
    "tag-remove": Exempt(
        "needs a tag; the IOM team, others who see the person 403, a tag not shared 404",
        covered_by="tests/cohorts/test_tag_pages.py",
    ),
    "tag-hit-new": Exempt(
        "needs a tag; the IOM team, others who see the person 403, a tag not shared 404",
        covered_by="tests/cohorts/test_tag_pages.py",
    ),
    "tag-hit-outcome": Exempt(
        "needs a hit; the IOM team, others who see the person 403, a hit not shared 404",
        covered_by="tests/cohorts/test_tag_pages.py",
    ),
    "api-nominal-tags": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/tags/",
        method="post",
        data={"basis": "licence", "fitted_on": "2024-01-15", "ends_by": "2024-07-15"},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        ok_status=201,
        **IOM_TEAM_ONLY,
    ),
    "api-tags-read": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/tags/read/",
        method="post",
        data={"reason": "Hit review"},
        content_type="application/json",
        api=True,
    ),
    "api-tag-remove": Exempt("needs a tag", covered_by="tests/cohorts/test_tag_pages.py"),
    "api-tag-hits": Exempt("needs a tag", covered_by="tests/cohorts/test_tag_pages.py"),
    "api-tag-hit-outcome": Exempt("needs a hit", covered_by="tests/cohorts/test_tag_pages.py"),
    # --- END OF GPS TAGS ---
    # --- TRANSITION PLANS: cohorts/urls.py, cohorts/transitions/ ---
    # cohorts/transitions/views.py, cohorts/transitions/api.py. Every agency that sees the person reads the plan;
    # the lead professional and the IOM team keep it (the agencies that see the scenario's person are the IOM
    # unit's; the lead professional and partners are run in tests/cohorts/test_transition_pages.py, as are
    # the pages that need a plan, which the scenario's person, without a licence end date, has not).
    "transition-plan": NominalData(lambda s: f"/people/{s.nominal_pk}/transition/"),
    "transition-start": NominalData(
        lambda s: f"/people/{s.nominal_pk}/transition/start/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        **IOM_TEAM_ONLY,
    ),
    "transition-step-new": Exempt(
        "needs a plan; the lead professional and the IOM team, others who see the person 403",
        covered_by="tests/cohorts/test_transition_pages.py",
    ),
    "transition-step-done": Exempt(
        "needs a plan and a step; the lead professional and the IOM team, others who see the person 403",
        covered_by="tests/cohorts/test_transition_pages.py",
    ),
    "transition-complete": Exempt(
        "POST-only and needs a plan; the lead professional and the IOM team, others who see the person 403",
        covered_by="tests/cohorts/test_transition_pages.py",
    ),
    "api-nominal-transition": NominalData(lambda s: f"/api/v1/people/{s.nominal_pk}/transition/", api=True),
    "api-transition-steps": Exempt("needs a plan", covered_by="tests/cohorts/test_transition_pages.py"),
    "api-transition-step-done": Exempt("needs a plan and a step", covered_by="tests/cohorts/test_transition_pages.py"),
    "api-transition-complete": Exempt("needs a plan", covered_by="tests/cohorts/test_transition_pages.py"),
    # --- END OF TRANSITION PLANS ---
    # --- DEREGISTRATION: cohorts/urls.py, cohorts/deregistration/ ---
    # cohorts/deregistration/views.py, cohorts/deregistration/api.py. The scenario's person is on the
    # cohort without leads; the agencies that see them (the police, probation by agreement) are the IOM
    # unit's, whose practitioners, supervisors and panel chairs propose. The lead professional in a
    # partner agency, and a proposal's pages (role x scope), are run in tests/cohorts/test_deregistration_pages.py.
    "deregistration-new": NominalData(
        lambda s: f"/people/{s.nominal_pk}/deregistration/new/",
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        **IOM_TEAM_ONLY,
    ),
    "deregistrations-waiting": RolesOnly("/deregistrations/", frozenset({Role.PANEL_CHAIR})),
    "deregistration-detail": Exempt(
        "needs a proposal; every agency that sees its person, others 404; only panel chairs decide, others 403",
        covered_by="tests/cohorts/test_deregistration_pages.py",
    ),
    "deregistration-withdraw": Exempt(
        "needs a proposal; the proposer and the IOM team, others who see the person 403, the rest 404",
        covered_by="tests/cohorts/test_deregistration_pages.py",
    ),
    # GET (every agency that sees the person, 200) is run role x scope in tests/cohorts/test_deregistration_pages.py.
    "api-nominal-deregistrations": NominalData(
        lambda s: f"/api/v1/people/{s.nominal_pk}/deregistrations/",
        method="post",
        data={"reason": "moved_out_of_area", "explanation": "Moved to live with family in another force area"},
        content_type="application/json",
        api=True,
        roles=frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}),
        ok_status=201,
        **IOM_TEAM_ONLY,
    ),
    "api-deregistrations-waiting": Exempt(
        "panel chairs only, others 403; lists only proposals about people the caller's agency may see",
        covered_by="tests/cohorts/test_deregistration_pages.py",
    ),
    "api-deregistration-detail": Exempt(
        "needs a proposal; every agency that sees its person, others 404",
        covered_by="tests/cohorts/test_deregistration_pages.py",
    ),
    "api-deregistration-ratify": Exempt(
        "POST-only and needs a proposal; panel chairs who see the person, others who see them 403, the rest 404",
        covered_by="tests/cohorts/test_deregistration_pages.py",
    ),
    "api-deregistration-not-ratify": Exempt(
        "POST-only and needs a proposal; panel chairs who see the person, others who see them 403, the rest 404",
        covered_by="tests/cohorts/test_deregistration_pages.py",
    ),
    "api-deregistration-withdraw": Exempt(
        "POST-only and needs a proposal; the proposer and the IOM team, others who see the person 403, the rest 404",
        covered_by="tests/cohorts/test_deregistration_pages.py",
    ),
    # --- END OF DEREGISTRATION ---
    # --- THE TIMELINE: cohorts/urls.py, cohorts/timeline/ ---
    # Every agency that sees the person, each entry as its rights allow (the matrix checks no marker leaks).
    "nominal-timeline": NominalData(lambda s: f"/people/{s.nominal_pk}/timeline/"),
    "api-nominal-timeline": NominalData(lambda s: f"/api/v1/people/{s.nominal_pk}/timeline/", api=True),
    # --- END OF THE TIMELINE ---
}


# The meetings' entries live beside their tests, one file per part of the work; they import
# the entry kinds above, so they are merged in only here, after those are defined.
from tests.meetings.matrix import MEETINGS_MATRIX  # noqa: E402

MATRIX.update(MEETINGS_MATRIX)


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or the route where a pattern has no name
    namespace: str
    route: str


def url_patterns(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "") -> Iterator[Pattern]:
    """Every URL pattern the application serves, with its full route and namespaced name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from url_patterns(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else route
            yield Pattern(name=name, namespace=namespace, route=route)


def entry_for(pattern: Pattern, matrix: dict[str, Entry] = MATRIX) -> Entry | None:
    if pattern.name in matrix:
        return matrix[pattern.name]
    top_namespace = pattern.namespace.split(":")[0]
    return matrix.get(f"{top_namespace}:*") if top_namespace else None


def missing_entries(patterns: list[Pattern], matrix: dict[str, Entry] = MATRIX) -> list[Pattern]:
    return [pattern for pattern in patterns if entry_for(pattern, matrix) is None]


# --- Derived outputs: what is made from records and shown or sent later --------------------------------
#
# Every output derived from a record that reaches someone outside its page (a notification, its email,
# a sweep's text) has an entry here, as a URL does above; tests/test_permission_matrix.py fails for an
# output without one and tries each by role and scope, including access that ended after the output was
# made. `rule` names who may be told (tests/test_permission_matrix.py, DERIVED_RULES); `subject` says
# what it is about in the matrix's scenarios; `marker` is what it shows when told.


@dataclass(frozen=True)
class Derived:
    rule: str  # "person", "review", "offending", "release", "agreement", "meeting", "action", "refusals"
    subject: str  # "person", "step", "agreement", "meeting", "action", "user": made by the test for the scenario
    marker: str


def _notification_kinds() -> list[str]:
    from notifications.models import Notification

    return list(Notification.Kind.values)


PERSON_NAME = "SCOPETEST, Matrixperson"
REFUSED_USER_NAME = "Matrixuser Refusedmany"
DERIVED: dict[str, Derived] = {
    # Told only to those who may record the review: supervisors (tests/test_permission_matrix.py).
    "notification:review_due": Derived("review", "person", PERSON_NAME),
    "notification:review_overdue": Derived("review", "person", PERSON_NAME),
    # The licence end is offending and risk information (the cohort list's "Due, no plan" likewise).
    "notification:transition_no_plan": Derived("offending", "person", PERSON_NAME),
    "notification:transition_step_due": Derived("person", "step", PERSON_NAME),
    "notification:y2a_consider": Derived("person", "person", PERSON_NAME),
    "notification:y2a_liaison": Derived("person", "person", PERSON_NAME),
    "notification:y2a_handover": Derived("person", "person", PERSON_NAME),
    # A release is told from a custody event, an offending and risk item of the police's.
    "notification:release_due": Derived("release", "person", PERSON_NAME),
    "notification:isa_review_due": Derived("agreement", "agreement", "Core IOM agreement"),
    "notification:isa_ending": Derived("agreement", "agreement", "Core IOM agreement"),
    "notification:isa_ended": Derived("agreement", "agreement", "Core IOM agreement"),
    "notification:meeting_reminder": Derived("meeting", "meeting", "Selection panel"),
    "notification:action_due": Derived("action", "action", "MEETING-ACTION-SECRET"),
    # A probation user's burst of refused requests, named (cohorts/refusals.py).
    "notification:refusal_burst": Derived("refusals", "user", REFUSED_USER_NAME),
}


IDENTIFIER_FIELDS = ("pnc_id", "crn", "prison_number")
DERIVED.update(
    {
        # Recording a person with an identifier already held: the plain error ("already recorded")
        # only where the user may see the holder; else the neutral message, and a check raised.
        f"identifier:{name}": Derived("person", "person", "already recorded for another person")
        for name in IDENTIFIER_FIELDS
    }
)


# The cohort list's columns and flags derived from offending and risk information (page and API):
# the licence end date, and the transition status it implies ("Due, no plan"), shown and filtered only
# where the person's offending and risk information is shared.
COHORT_COLUMNS = ("licence_ends_on", "transition_status")
DERIVED.update({f"cohort:{column}": Derived("offending", "person", column) for column in COHORT_COLUMNS})


def derived_outputs() -> list[str]:
    """Every derived output the application makes: each notification kind (its inbox text and email),
    the error recording a person with an identifier someone holds, and the cohort list's derived
    columns and flags."""
    return (
        [f"notification:{kind}" for kind in _notification_kinds()]
        + [f"identifier:{name}" for name in IDENTIFIER_FIELDS]
        + [f"cohort:{column}" for column in COHORT_COLUMNS]
    )
