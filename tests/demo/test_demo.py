import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Q
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import CaseAssignment, CohortManagement, CohortMembership, RagAssessment
from demo.cohort import COLLEAGUES
from demo.seed import AGENCIES, USERS
from referrals.dates import add_months, birthday
from referrals.eligibility import check_eligibility, eligibility_problems
from referrals.models import Referral, ReferralActivity, ReferralDecision
from referrals.selectors import ReferralFilters, referral_list, referrals_to_ratify
from referrals.services import referral_facts, referral_submit, sections_to_do
from sharing.models import Agency, User
from sharing.roles import Role

# The demo is loaded once for the module, in a transaction rolled back after it: each test runs in a
# savepoint inside it, so what one test changes (a second load, a sign-in) the next never sees. Under
# pytest-xdist a file's tests share one worker (make test runs --dist loadfile): one load in the run.


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once as `manage.py seed_demo` loads it; yields what the command printed."""
    printed = io.StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        try:
            call_command("seed_demo", stdout=printed)
            yield printed.getvalue()
        finally:
            transaction.set_rollback(True)


def test_the_demo_loads_twice_without_change(demo_loaded, db):
    before = _row_counts()

    call_command("seed_demo", stdout=io.StringIO())

    assert _row_counts() == before  # every table, the change history and access log included
    assert Agency.objects.count() == len(AGENCIES)
    assert User.objects.count() == len(USERS) + len(COLLEAGUES)


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608  (table names)
            counts[table] = cursor.fetchone()[0]
    return counts


def test_demo_users_can_sign_in_with_the_printed_password(client, demo_loaded, db):
    printed = demo_loaded
    password = printed.split("every password is ")[1].split(")")[0]

    signed_in = client.post(reverse("login"), {"username": "sam.carter", "password": password})

    assert signed_in.status_code == 302
    assert "_auth_user_id" in client.session
    assert "sam.carter" in printed


def test_the_demo_refuses_to_load_outside_development(db, settings):
    settings.DEVELOPMENT = False

    before = User.objects.count()  # the module's demo, when a test before this one loaded it

    with pytest.raises(CommandError, match="development only"):
        call_command("seed_demo")
    assert User.objects.count() == before


# --- What the demo holds -----------------------------------------------------


@pytest.mark.usefixtures("demo_loaded", "db")
class TestWhatTheDemoHolds:
    def test_the_demo_is_a_whole_partnership_with_every_role(self):
        kinds = set(Agency.objects.values_list("kind", flat=True))
        assert {
            "police",
            "probation",
            "yot",
            "prison",
            "drug_alcohol",
            "accommodation",
            "local_authority",
            "voluntary",
        } <= kinds
        assert Agency.objects.filter(kind="yot").count() == 2
        held = {group for user in User.objects.all() for group in user.role_names}
        assert held == {role.value for role in Role}

    def test_the_demo_has_a_referral_in_every_state_from_several_agencies(self):
        assert set(Referral.objects.values_list("status", flat=True)) == set(Referral.Status.values)
        kinds = set(Referral.objects.values_list("referring_agency__kind", flat=True))
        assert {"police", "probation", "yot", "drug_alcohol"} <= kinds
        returned = Referral.objects.get(status=Referral.Status.RETURNED)
        assert returned.questions
        assert returned.activities.filter(action=ReferralActivity.Action.RETURNED, by__agency__kind="police").exists()
        for outcome in ("rejected", "redirected"):
            decisions = ReferralDecision.objects.filter(referral__status=outcome, outcome=outcome)
            assert decisions.exists()
            assert all(decision.rationale for decision in decisions)
        withdrawn = Referral.objects.get(status=Referral.Status.WITHDRAWN)
        assert withdrawn.activities.get(action=ReferralActivity.Action.WITHDRAWN).note
        draft = Referral.objects.filter(status=Referral.Status.DRAFT).exclude(sections_done__len=0)
        assert any(sections_to_do(referral) for referral in draft)

    def test_the_demo_lists_several_referrals_for_next_thursdays_panel_with_different_scores(self):
        listed = list(Referral.objects.filter(status=Referral.Status.LISTED))
        today = timezone.localdate()
        assert len(listed) >= 3
        assert len({referral.score for referral in listed}) == len(listed)
        assert all(referral.scores.filter(is_current=True).count() == 1 for referral in listed)
        panel_days = {referral.panel_date for referral in listed}
        assert len(panel_days) == 1
        (panel_day,) = panel_days
        assert panel_day is not None
        assert panel_day.weekday() == 3
        assert today < panel_day <= today + datetime.timedelta(days=7)

    def test_the_demo_has_an_urgent_decision_outside_a_meeting_to_be_ratified(self):
        chair = User.objects.get(username="mark.reynolds")
        (urgent,) = referrals_to_ratify(chair)
        assert urgent.urgent
        assert urgent.urgency_reason
        decision = urgent.decisions.get()
        assert decision.ratification == ReferralDecision.Ratification.TO_BE_RATIFIED
        assert decision.decided_by == chair

    def test_the_demo_has_a_complete_fixed_draft_that_fails_eligibility_for_shoplifting_only(self):
        (draft,) = [
            referral
            for referral in Referral.objects.filter(status=Referral.Status.DRAFT, strand="fixed")
            if set(referral.offences.values_list("offence_type", flat=True)) == {"shoplifting"}
        ]
        assert sections_to_do(draft) == []
        failed = [outcome.rule.code for outcome in check_eligibility(referral_facts(draft)) if not outcome.met]
        assert failed == ["fixed-neighbourhood-crime"]
        with pytest.raises(ValidationError, match="Shoplifting alone"):
            referral_submit(referral=draft, by=draft.referred_by)

    def test_the_demo_has_a_youth_to_adult_referral_of_a_17_year_old_from_the_yot(self):
        y2a = Referral.objects.get(kind=Referral.Kind.Y2A)
        today = timezone.localdate()
        born = y2a.nominal.date_of_birth
        assert y2a.referring_agency.kind == "yot"
        assert y2a.status in (Referral.Status.SUBMITTED, Referral.Status.SCREENED)
        assert add_months(born, 17 * 12 + 5) <= today < add_months(born, 17 * 12 + 6)
        assert y2a.order_ends_on is not None
        assert y2a.order_ends_on >= add_months(birthday(born, 18), 3)
        assert y2a.management_passed_to_probation is True
        assert y2a.youth_order == Referral.YouthOrder.YOUTH_REHABILITATION_ORDER
        assert eligibility_problems(referral_facts(y2a)) == []

    def test_the_demo_cohort_has_people_managed_with_rag_and_leads_from_police_and_probation(self):
        managed = CohortManagement.objects.filter(membership__ended_on__isnull=True).select_related("membership")
        assert managed.count() >= 8
        nominals = [management.membership.nominal_id for management in managed]
        assert {management.strand for management in managed} == {"fixed", "flex", "free"}
        assert {management.level.code for management in managed} == {"standard", "enhanced", "priority"}
        ratings = {nominal: RagAssessment.objects.filter(nominal_id=nominal).first() for nominal in nominals}
        assert all(ratings.values())
        assert {rating.rating.code for rating in ratings.values() if rating} == {"red", "amber", "green"}
        current = CaseAssignment.objects.filter(nominal_id__in=nominals, ended_on__isnull=True)
        for nominal in nominals:
            roles = set(current.filter(nominal_id=nominal).values_list("role", flat=True))
            assert {"lead_professional", "police_lead"} <= roles
        leads = current.filter(role="lead_professional").values_list("agency__kind", flat=True)
        assert {"police", "probation"} <= set(leads)
        assert current.filter(role="key_worker").exists()
        # People referred but not taken on are in the demo too.
        outside = Referral.objects.filter(status__in=["rejected", "redirected", "withdrawn"])
        assert not CohortMembership.objects.filter(nominal__referrals__in=outside).exists()

    def test_the_demo_cohort_is_a_real_units_size_in_a_board_reports_terms(self):
        on_cohort = CohortMembership.objects.filter(ended_on__isnull=True)
        in_community = on_cohort.filter(nominal__custody_status="community").count()
        levels = {
            code: CohortManagement.objects.filter(membership__in=on_cohort, level__code=code).count()
            for code in ("priority", "enhanced", "standard")
        }

        # The seed report's unit (387 on the cohort, 186 in the community; 60, 177 and 150 by level),
        # give or take what the other demo loaders change (deregistrations, releases ...).
        assert 375 <= on_cohort.count() <= 400
        assert 170 <= in_community <= 200
        assert 55 <= levels["priority"] <= 65
        assert 165 <= levels["enhanced"] <= 185
        assert 140 <= levels["standard"] <= 160
        # Everyone on it is managed: rated, with a lead professional and a police lead.
        managed = on_cohort.filter(
            nominal__rag_assessments__isnull=False,
            nominal__assignments__role=CaseAssignment.Role.LEAD_PROFESSIONAL,
            nominal__assignments__ended_on__isnull=True,
        )
        assert managed.values("nominal").distinct().count() >= on_cohort.count() - 5

    def test_demo_supervisors_have_overdue_and_upcoming_reviews_in_their_teams(self):
        from cohorts.reviews.services import reviews_due

        helen = User.objects.get(username="helen.morris")
        team = reviews_due(helen, supervisor=helen).filter(Q(in_team=True))

        assert team.filter(Q(is_overdue=True)).exists()
        assert team.filter(Q(is_overdue=False)).exists()
        assert User.objects.filter(supervisor=helen).count() > 3

    def test_demo_practitioners_have_supervisors_of_their_own_agency(self):
        for username in ("sam.carter", "priya.shah"):
            user = User.objects.select_related("supervisor").get(username=username)
            assert user.supervisor is not None
            assert user.supervisor.agency_id == user.agency_id
            assert user.supervisor.has_role(Role.SUPERVISOR)

    def test_the_iom_team_reads_every_referral_sent_to_it_partners_included(self):
        sent = Referral.objects.exclude(status=Referral.Status.DRAFT)
        for username in ("helen.morris", "mark.reynolds"):
            seen = referral_list(User.objects.get(username=username), ReferralFilters())
            readable = {referral.pk for referral in seen if getattr(referral, "content_visible", False)}
            assert readable >= set(sent.values_list("pk", flat=True))

    def test_the_demo_has_gps_tags_and_transition_plans_in_every_state(self):
        from django.db.models import F

        from cohorts.records.models import Nominal
        from cohorts.tags.models import TagHit, TagPeriod
        from cohorts.transitions.services import TransitionStatus, with_transition_status

        assert TagPeriod.objects.filter(removed_on__isnull=False).exists()
        assert set(TagHit.objects.values_list("outcome", flat=True)) == set(TagHit.Outcome.values)
        statuses = set(with_transition_status(Nominal.objects.all()).values_list(F("transition_status"), flat=True))
        assert statuses == set(TransitionStatus.values)

    def test_the_demo_has_management_reports_with_every_plan_status_and_missed_contacts(self):
        from cohorts.records.models import Nominal
        from cohorts.report.models import Contact, EnforcementAction, PlanAction
        from cohorts.report.services import management_report_for_user

        assert set(PlanAction.objects.values_list("status", flat=True)) == set(PlanAction.Status.values)
        assert Contact.objects.filter(outcome__in=Contact.NON_COMPLIANT).exists()
        assert EnforcementAction.objects.exists()
        assert PlanAction.objects.values("item__owning_agency").distinct().count() >= 3
        liam = Nominal.objects.get(first_name="Liam", last_name="Doherty")
        report = management_report_for_user(User.objects.get(username="helen.morris"), liam)
        assert report.plan_actions
        assert report.decisions
        assert report.compliance.missed

    def test_the_demo_has_deregistrations_ratified_waiting_and_a_person_who_came_back(self):
        from cohorts.deregistration.models import Deregistration

        ratified = Deregistration.objects.filter(status="ratified")
        reasons = set(ratified.values_list("reason", flat=True))
        assert {"licence_completed", "moved_out_of_area", "long_custody"} <= reasons
        assert set(ratified.values_list("decided_by__username", flat=True)) == {"mark.reynolds"}
        assert Deregistration.objects.filter(status="proposed").exists()
        came_back = ratified.filter(nominal__memberships__ended_on__isnull=True).values("nominal").distinct()
        assert came_back.count() >= 1


# --- Meetings ----------------------------------------------------------------


@pytest.mark.usefixtures("demo_loaded", "db")
class TestTheDemoMeetings:
    def test_the_past_selection_panel_was_run_with_decisions_dissent_actions_and_approved_minutes(self):
        from meetings.agenda.models import AgendaItem
        from meetings.minutes.models import MinutesDistribution
        from meetings.running.models import Attendance, Dissent
        from meetings.scheduling.models import Meeting

        today = timezone.localdate()
        (panel,) = Meeting.objects.filter(kind="selection_panel", date__lt=today)
        assert panel.date.weekday() == 3
        assert today - datetime.timedelta(days=10) <= panel.date <= today - datetime.timedelta(days=4)
        assert panel.status == Meeting.Status.MINUTES_APPROVED
        assert panel.chair.username == "mark.reynolds"
        assert panel.confidentiality_read_at is not None
        assert timezone.localtime(panel.confidentiality_read_at).date() == panel.date
        present = panel.attendances.filter(status=Attendance.Status.PRESENT)
        assert present.values("agency").distinct().count() >= 4
        assert all(present.values_list("acknowledged_confidentiality", flat=True))
        assert panel.attendances.filter(status=Attendance.Status.APOLOGIES).exists()
        decided = AgendaItem.objects.filter(meeting=panel, decided_at__isnull=False)
        outcomes = set(decided.filter(kind="referral").values_list("referral_decision__outcome", flat=True))
        assert outcomes == {"accepted", "deferred", "rejected"}
        for item in decided:
            assert item.decided_at is not None
            assert timezone.localtime(item.decided_at).date() == panel.date
            if item.kind == "referral":
                assert item.referral_decision is not None
                assert item.referral_decision.decided_at == item.decided_at
        ratified = decided.get(kind="deregistration").deregistration
        assert ratified is not None
        assert ratified.status == "ratified"
        assert ratified.ends_on == panel.date
        assert Dissent.objects.filter(item__meeting=panel, person__username="jo.evans").exists()
        assert panel.actions.filter(status="open").count() >= 2
        received = {d.recipient.username: d for d in MinutesDistribution.objects.filter(meeting=panel)}
        assert received["mark.reynolds"].items_restricted == 0
        assert received["jo.evans"].items_shown >= 1
        assert received["jo.evans"].items_restricted >= 1

    def test_a_partner_reads_only_their_share_of_the_past_panels_minutes(self):
        from meetings.minutes.services import minutes_for
        from meetings.scheduling.models import Meeting

        (panel,) = Meeting.objects.filter(kind="selection_panel", date__lt=timezone.localdate())
        chair, partner = User.objects.get(username="mark.reynolds"), User.objects.get(username="jo.evans")

        full, share = minutes_for(panel, chair), minutes_for(panel, partner)

        assert full.available
        assert share.available
        assert len(share.items) == len(full.items)
        assert share.items_restricted >= 1
        (own,) = [item for item in share.items if item.visible]
        assert "Nathan Quigley" in own.title
        assert own.dissents
        assert all(item.title == "" and item.decision == "" for item in share.items if not item.visible)

    def test_next_thursdays_selection_panel_has_every_listed_referral_on_its_built_agenda(self):
        from meetings.scheduling.models import Meeting

        listed = Referral.objects.filter(status=Referral.Status.LISTED)
        (panel_day,) = set(listed.values_list("panel_date", flat=True))
        assert panel_day is not None
        panel = Meeting.objects.get(kind="selection_panel", date=panel_day)

        assert panel.series is not None
        assert panel.status == Meeting.Status.SCHEDULED
        assert panel.agenda_built_at is not None
        on_agenda = panel.items.filter(removed_at__isnull=True, dropped_at__isnull=True)
        assert set(on_agenda.filter(kind="referral").values_list("referral_id", flat=True)) == set(
            listed.values_list("pk", flat=True)
        )
        kinds = set(on_agenda.values_list("kind", flat=True))
        assert {"referral", "urgent_ratification", "deregistration", "open_action"} <= kinds

    def test_this_weeks_map_meeting_has_its_agenda_built_from_the_cohort_and_last_weeks_actions(self):
        from meetings.actions.models import MeetingAction
        from meetings.scheduling.models import Meeting

        today = timezone.localdate()
        this_week = Meeting.objects.get(kind="map", series__isnull=False, date=today)
        last_week = Meeting.objects.get(kind="map", date=today - datetime.timedelta(days=7))

        assert this_week.agenda_built_at is not None
        kinds = set(this_week.items.values_list("kind", flat=True))
        assert {"top_rag", "rag_change", "overdue_review", "transition_starting", "open_action"} <= kinds
        assert last_week.status == Meeting.Status.MINUTES_APPROVED
        still_open = MeetingAction.objects.filter(meeting=last_week, status="open")
        assert still_open.exists()
        assert MeetingAction.objects.filter(meeting=last_week, status="done").exists()
        carried = set(this_week.items.filter(kind="open_action").values_list("action_id", flat=True))
        assert set(still_open.values_list("pk", flat=True)) <= carried

    def test_next_quarters_youth_to_adult_panel_has_young_people_on_its_agenda(self):
        from meetings.scheduling.models import Meeting

        today = timezone.localdate()
        (panel,) = Meeting.objects.filter(kind="y2a_panel").order_by("date")[:1]
        quarter = (today.month - 1) // 3
        assert (panel.date.year * 4 + (panel.date.month - 1) // 3) == today.year * 4 + quarter + 1
        candidates = panel.items.filter(kind="y2a_candidate", dropped_at__isnull=True)
        assert candidates.count() >= 2
        for item in candidates:
            assert item.nominal is not None
            assert item.nominal.date_of_birth > add_months(panel.date, -18 * 12)

    def test_a_case_conference_held_two_working_days_ago_was_recorded_today(self):
        from meetings.scheduling.models import Meeting

        today = timezone.localdate()
        (conference,) = Meeting.objects.filter(kind="case_conference", date__lt=today)
        assert today - datetime.timedelta(days=7) <= conference.date < today
        assert conference.status == Meeting.Status.HELD
        assert conference.recorded_on == today
        assert conference.items.filter(decided_at__isnull=False).exists()
        assert conference.attendances.count() == 3

    def test_the_agreements_meetings_and_actions_sweeps_find_work_on_the_day_it_is_loaded(self):
        from cohorts.agreement_sweeps import agreement_reminders
        from meetings.sweeps import action_reminders, meeting_reminders

        today = timezone.localdate()
        told = {r.recipient_id for r in meeting_reminders(today)}

        assert {"mark.reynolds", "priya.shah", "tom.byrne"} <= set(
            User.objects.filter(pk__in=told).values_list("username", flat=True)
        )
        assert agreement_reminders(today)
        assert action_reminders(today)


def test_the_demo_supervisors_find_their_teams_reviews_in_their_inbox(client, demo_loaded, db):
    from notifications.models import Notification, SweepRun

    supervisor = User.objects.get(username="helen.morris")
    client.force_login(supervisor)

    home = client.get("/").content.decode()
    overdue = Notification.objects.filter(recipient=supervisor, kind=Notification.Kind.REVIEW_OVERDUE)

    assert overdue.exists()
    assert 'data-testid="unread-count">' in home
    assert SweepRun.objects.filter(sweep="reviews", status=SweepRun.Status.SUCCEEDED, stored__gt=0).exists()


def test_the_demo_shows_a_reminder_no_longer_due_after_a_licence_end_moved(client, demo_loaded, db):
    from notifications.models import Notification

    moved = Notification.objects.filter(kind=Notification.Kind.TRANSITION_NO_PLAN).exclude(no_longer_due_at=None)
    reader = moved.order_by("pk").values_list("recipient", flat=True).first()
    assert reader is not None
    subject = moved.order_by("pk")[0].subject
    client.force_login(User.objects.get(pk=reader))

    # Those no longer due come last in the inbox: on one of its first pages here.
    pages = [client.get(f"/notifications/?page={n}").content.decode() for n in range(1, 4)]

    assert any('data-testid="no-longer-due"' in page for page in pages)
    assert Notification.objects.filter(
        kind=Notification.Kind.TRANSITION_NO_PLAN, subject=subject, no_longer_due_at=None, recipient_id=reader
    ).exists()  # the new date's own


def test_the_demo_iom_team_finds_possible_duplicates_to_check(client, demo_loaded, db):
    """A partner's second record of someone the police hold (to merge), and a partner's two attempts at
    a police-held PNC ID (nothing recorded; to share): on the IOM team's home page and queue."""
    from cohorts.duplicates.models import PossibleDuplicate

    checks = PossibleDuplicate.objects.filter(status=PossibleDuplicate.Status.OPEN)
    client.force_login(User.objects.get(username="daniel.okafor"))
    home = client.get("/").content.decode()
    queue = client.get("/people/duplicates/").content.decode()

    assert {(check.reason, check.agency.name, check.attempts) for check in checks} >= {
        ("name_and_birth", "Northmoor Housing Partnership", 1),
        ("identifier", "Compass Recovery Northmoor", 2),
    }
    assert "possible duplicates to check" in home
    assert queue.count('data-testid="duplicate"') == checks.count()
    assert not PossibleDuplicate.objects.filter(existing__last_name="Walters", recorded__isnull=False).exists()


def test_every_notification_in_the_demo_opens_for_its_reader(client, demo_loaded, db):
    """Each kind goes to those who can act on it: opening a notification lands on a page its reader
    may use, never a 403 or a 404 (a police practitioner's 23 unread were 20 supervisor reviews they
    may not record). Every reader, every kind they hold, up to three of each."""
    from notifications.models import Notification

    opened: dict[tuple[str, str], int] = {}
    refused: list[str] = []
    for notification in Notification.objects.select_related("recipient").order_by("recipient_id", "kind", "pk"):
        key = (notification.recipient.username, notification.kind)
        if opened.get(key, 0) >= 3:
            continue
        opened[key] = opened.get(key, 0) + 1
        client.force_login(notification.recipient)
        response = client.get(f"/notifications/{notification.pk}/open/", follow=True)
        if response.status_code != 200:
            refused.append(f"{key[0]} {key[1]} {notification.link}: {response.status_code}")
    assert len({kind for _, kind in opened}) >= 8
    assert not refused, "\n".join(refused)
