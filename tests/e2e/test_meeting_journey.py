"""A selection panel in the browser: the panel chair opens this week's panel, whose agenda was built
from the referrals listed for it, starts it, records who is there and the confidentiality statement,
accepts one referral (strand, level, RAG rating and leads) and defers the other, sets an action,
ends the meeting and approves the minutes. The drug service's worker, who attended but whose agency
the agreements do not share offending and risk information with, then reads the minutes: the items
about the two people are shown as restricted, with nothing of their decisions. axe checks every page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from meetings.actions.models import MeetingAction
from meetings.agenda.models import AgendaItem
from meetings.agenda.services import agenda_item_add
from meetings.minutes.models import MinutesDistribution
from meetings.scheduling.models import Meeting, MeetingKind
from meetings.scheduling.services import meeting_create
from referrals.models import Referral
from referrals.services import referral_list_for_panel
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.e2e.journeys import fill_date
from tests.partnership import Partnership, build_partnership
from tests.referrals.factories import screened_referral
from tests.sharing.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def listed_for(partnership: Partnership, first_name: str, last_name: str, panel_day: datetime.date) -> Referral:
    nominal = make_nominal(partnership.officer, first_name=first_name, last_name=last_name)
    referral = screened_referral(nominal, partnership.officer, partnership.officer)
    return referral_list_for_panel(referral=referral, by=partnership.officer, panel_date=panel_day)


def this_weeks_panel(partnership: Partnership) -> tuple[Any, Meeting, Referral, Referral]:
    """A police panel chair's selection panel today, the police, probation and the drug service invited,
    two referrals listed for it and a piece of other business for everyone."""
    p = partnership
    today = timezone.localdate()
    chair = UserFactory.create(
        agency=p.police, roles=[Role.PANEL_CHAIR], first_name="Mark", last_name="Reynolds", job_title="Inspector"
    )
    meeting = meeting_create(
        by=chair,
        kind=MeetingKind.SELECTION_PANEL,
        title="Northmoor selection panel",
        date=today,
        starts_at=datetime.time(10, 0),
        duration_minutes=120,
        location="Northmoor Police HQ, Conference Room 2",
        online_link="",
        chair=chair,
        invited_agencies=[p.police, p.probation, p.drugs],
        invited_people=[p.probation_officer, p.drugs_worker],
    )
    burglar = listed_for(p, "Dean", "Fletcher", today)  # for the panel scheduled today
    thief = listed_for(p, "Lee", "Ashworth", today)
    agenda_item_add(meeting=meeting, by=chair, title="Compass Recovery's new drop-in at the Hub")
    return chair, meeting, burglar, thief


def test_a_chair_runs_the_selection_panel_and_a_partner_reads_only_their_share_of_the_minutes(open_as, axe):
    p = build_partnership()
    chair, meeting, burglar, thief = this_weeks_panel(p)
    in_a_week = timezone.localdate() + datetime.timedelta(days=7)

    # 1. The chair finds this week's panel among the meetings and opens run mode.
    page = open_as(chair)
    page.goto("/meetings/")
    axe(page)
    page.get_by_test_id("meeting-row").get_by_role("link", name="Northmoor selection panel").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    assert "Dean Fletcher" in page.content()  # the agenda, built from the referrals listed
    assert "Lee Ashworth" in page.content()
    axe(page)
    page.get_by_role("link", name="Run the meeting").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/run/")
    axe(page)
    page.get_by_role("button", name="Start the meeting").click()
    assert "In progress" in page.get_by_test_id("meeting-status").inner_text()
    axe(page)

    # 2. Attendance: the chair and the probation officer present, the drug worker too.
    page.get_by_role("link", name="Record attendance").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/run/attendance/")
    axe(page)
    for person in (chair, p.probation_officer, p.drugs_worker):
        page.get_by_test_id("attendee").filter(has_text=person.get_full_name()).get_by_label("Present").check()
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/run/attendance/")
    assert "There is a problem" not in page.content()
    assert page.get_by_test_id("not-represented").count() == 0  # every invited agency is there
    axe(page)

    # 3. The confidentiality statement, read aloud and recorded.
    page.get_by_role("link", name="Back to run mode").click()
    page.get_by_role("link", name="Read the statement").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/run/confidentiality/")
    axe(page)
    page.get_by_role("button", name="Record the statement as read").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/run/")
    assert "Read by Mark Reynolds" in page.get_by_test_id("statement-state").inner_text()
    axe(page)

    # 4. Dean Fletcher's referral is accepted, with every field of the decision.
    page.get_by_test_id("run-agenda").get_by_role("link", name=f"Dean Fletcher: referral {burglar.reference}").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/run/items/*/")
    axe(page)
    page.get_by_role("group", name="Decision").get_by_label("Accepted onto IOM").check()
    page.get_by_label("Reasons for the decision").fill("Meets the Fixed criteria: dwelling burglary on licence.")
    page.get_by_role("group", name="Strand").get_by_label("Fixed").check()
    page.get_by_role("group", name="Level or team").get_by_label("Enhanced").check()
    page.get_by_role("group", name="Initial RAG rating").get_by_label("Red").check()
    page.get_by_label("Reason for the RAG rating").fill("Two burglaries in a month since release.")
    page.get_by_label("Lead professional").select_option(str(p.probation_officer.pk))
    page.get_by_label("IOM police lead officer").select_option(str(p.officer.pk))
    page.get_by_role("button", name="Record the decision").click()
    assert "There is a problem" not in page.content()
    assert "Accepted onto IOM" in page.get_by_test_id("outcome").inner_text()
    axe(page)

    # 5. An action on the accepted referral, for the probation officer.
    page.get_by_role("link", name="Set an action on this item").click()
    page.wait_for_url("**/actions/new/")
    axe(page)
    page.get_by_label("Who owns the action?").select_option(str(p.probation_officer.pk))
    page.get_by_label("What is to be done?").fill("Arrange the first joint home visit with the police lead.")
    fill_date(page.get_by_role("group", name="Due date"), in_a_week)
    page.get_by_role("button", name="Set the action").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    axe(page)

    # 6. Lee Ashworth's referral is deferred for more information.
    page.get_by_role("link", name="Run the meeting").click()
    page.get_by_test_id("run-agenda").get_by_role("link", name=f"Lee Ashworth: referral {thief.reference}").click()
    page.get_by_role("group", name="Decision").get_by_label("Deferred for more information").check()
    page.get_by_label("Reasons for the decision").fill("Waiting for the updated OASys and housing's confirmation.")
    page.get_by_role("button", name="Record the decision").click()
    assert "There is a problem" not in page.content()
    assert "Deferred" in page.get_by_test_id("outcome").inner_text()
    axe(page)

    # 7. The chair ends the meeting and approves the minutes.
    page.get_by_role("link", name="Back to run mode").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/run/")
    assert "2 of 3 decided" in page.content()
    page.get_by_role("button", name="End the meeting").click()
    assert "Held" in page.get_by_test_id("meeting-status").inner_text()
    axe(page)
    page.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Minutes").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/minutes/")
    assert "Draft" in page.get_by_test_id("minutes-status").inner_text()
    axe(page)
    page.get_by_role("button", name="Approve and send the minutes").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/minutes/")
    assert "Approved by Mark Reynolds" in page.get_by_test_id("minutes-status").inner_text()
    assert "Dean Fletcher" in page.get_by_test_id("minutes-body").inner_text()
    axe(page)

    # The decision is the referral's own, with a link back to the meeting it was taken in.
    page.goto(f"/referrals/{burglar.pk}/")
    assert "Northmoor selection panel" in page.get_by_test_id("decided-at-meeting").inner_text()
    axe(page)

    # What the pages recorded, where it belongs.
    burglar.refresh_from_db()
    thief.refresh_from_db()
    assert burglar.status == Referral.Status.ACCEPTED
    assert thief.status == Referral.Status.DEFERRED
    decided = AgendaItem.objects.get(meeting=meeting, referral=burglar)
    assert decided.referral_decision is not None
    assert decided.referral_decision.referral_id == burglar.pk
    (action,) = MeetingAction.objects.filter(meeting=meeting)
    assert (action.owner, action.item, action.due_on) == (p.probation_officer, decided, in_a_week)
    assert MinutesDistribution.objects.filter(meeting=meeting, recipient=p.drugs_worker).exists()

    # 8. The drug worker opens the minutes: the other business, and two items restricted to them.
    partner = open_as(p.drugs_worker)
    partner.goto(f"/meetings/{meeting.pk}/")
    axe(partner)
    partner.get_by_role("link", name="Minutes").click()
    partner.wait_for_url(f"**/meetings/{meeting.pk}/minutes/")
    minutes = partner.get_by_test_id("minutes-body").inner_text()
    assert "Compass Recovery: 1 of 3 items" in partner.get_by_test_id("minutes-share").inner_text()
    assert partner.get_by_test_id("minutes-item-restricted").count() == 2
    assert "restricted: not shared with your agency under the information sharing agreements" in minutes
    assert "Compass Recovery's new drop-in at the Hub" in minutes
    for withheld in (
        "Fletcher",
        "Ashworth",
        "Accepted onto IOM",
        "Deferred",
        "Meets the Fixed criteria",
        "joint home visit",
        burglar.reference,
    ):
        assert withheld not in minutes
    axe(partner)
