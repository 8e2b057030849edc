"""The referral journey in the browser: a probation practitioner refers a person through the task
list, an IOM screener (police) screens and lists it, a panel chair accepts it with a lead
professional; the person is then on the cohort with their RAG rating and lead, the partner agency
in the ISA sees them and an agency outside gets 404. axe checks every page on the way."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cohorts.records.models import Nominal
from referrals.models import Referral
from sharing.roles import Role
from tests.partnership import build_partnership
from tests.referrals.factories import LISTING_PANEL_TITLE, selection_panel_on
from tests.sharing.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_date(page: Any, within: Any, day: datetime.date) -> None:
    within.get_by_label("Day").fill(str(day.day))
    within.get_by_label("Month").fill(str(day.month))
    within.get_by_label("Year").fill(str(day.year))


def section(page: Any, axe: Any, title: str) -> None:
    page.get_by_role("link", name=title).click()
    axe(page)


def save_section(page: Any, axe: Any) -> None:
    page.get_by_role("button", name="Save and return to the task list").click()
    assert "There is a problem" not in page.content(), page.content()[:2000]
    axe(page)


def test_probation_refers_the_iom_team_lists_and_the_panel_accepts(open_as, axe):
    partnership = build_partnership()
    referrer = UserFactory.create(
        agency=partnership.probation, roles=[Role.PRACTITIONER], first_name="Priya", last_name="Shah"
    )
    screener = UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER])
    chair = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR], first_name="Mark")
    police_lead = UserFactory.create(
        agency=partnership.police, roles=[Role.PRACTITIONER], first_name="Sam", last_name="Carter"
    )
    today = timezone.localdate()

    # 1. The probation practitioner refers a new person through the task list.
    page = open_as(referrer)
    page.get_by_role("link", name="Refer a person").first.click()
    axe(page)
    page.get_by_label("First name").fill("Kieran")
    page.get_by_label("Last name").fill("Walsh")
    fill_date(page, page.get_by_role("group", name="Date of birth"), datetime.date(1996, 4, 12))
    page.get_by_label("Adult referral").check()
    page.get_by_role("button", name="Continue").click()
    if page.get_by_role("button", name="None of these: record a new person").count():
        page.get_by_role("button", name="None of these: record a new person").click()
    assert page.get_by_test_id("task-list").is_visible(), page.locator("main").inner_text()
    axe(page)

    # Bad input first: the section says what is wrong and keeps what was typed.
    section(page, axe, "Why now, and the criteria met")
    page.get_by_label("Why should the person be referred now?").fill("Three burglaries since his release in June.")
    page.get_by_role("button", name="Save and return to the task list").click()
    assert "There is a problem" in page.content()
    assert page.get_by_label("Why should the person be referred now?").input_value().startswith("Three burglaries")
    axe(page)
    page.get_by_label("High risk of reoffending").check()
    save_section(page, axe)

    section(page, axe, "Proposed strand and priority cohorts")
    page.get_by_role("group", name="Proposed strand").get_by_label("Fixed").check()
    save_section(page, axe)

    section(page, axe, "Offending history")
    page.get_by_label("Offence type, row 1").select_option("burglary")
    fill_date(page, page.get_by_role("group", name="Date of the offence, row 1"), today - datetime.timedelta(days=12))
    page.get_by_label("Offence type, row 2").select_option("vehicle")
    fill_date(page, page.get_by_role("group", name="Date of the offence, row 2"), today - datetime.timedelta(days=70))
    save_section(page, axe)

    section(page, axe, "Current risk information")
    page.get_by_role("group", name="Statutory supervision").get_by_label("On licence").check()
    page.get_by_label("OGRS score (%)").fill("78")
    page.get_by_role("group", name="Risk of serious harm (RoSH)").get_by_label("Medium").check()
    save_section(page, axe)

    section(page, axe, "Pathway needs")
    page.locator("[name=level_accommodation]").select_option("high")
    page.locator("[name=note_accommodation]").fill("Sofa-surfing since release")
    save_section(page, axe)

    section(page, axe, "Urgency")
    page.get_by_role("group", name="Is the referral urgent?").get_by_label("No").check()
    save_section(page, axe)

    page.get_by_role("link", name="Check answers and submit").click()
    axe(page)
    page.get_by_role("button", name="Submit referral").click()
    assert "submitted" in page.get_by_role("alert").or_(page.locator(".govuk-notification-banner")).first.inner_text()
    axe(page)
    referral = Referral.objects.get(nominal__last_name="Walsh")
    assert referral.status == Referral.Status.SUBMITTED
    assert referral.referring_agency == partnership.probation

    # 2. The IOM screener (police) screens it and lists it for a panel.
    page = open_as(screener)
    page.goto("/referrals/?status=submitted")
    axe(page)
    page.get_by_role("link", name=referral.reference).click()
    assert "Three burglaries since his release in June." in page.content()
    # The panel sees why the referral scores what it does: each criterion's contribution, and the total.
    assert page.get_by_test_id("score-total").inner_text() == str(referral.score)
    assert "OGRS 78%: high band" in page.get_by_test_id("score-explanation").inner_text()
    axe(page)
    page.get_by_role("link", name="Screen the referral").click()
    axe(page)
    page.get_by_role("button", name="Mark as screened").click()
    axe(page)
    panel_day = selection_panel_on(today + datetime.timedelta(days=7), screener)  # scheduled by a chair
    page.get_by_role("link", name="List for a panel").click()
    axe(page)
    page.get_by_role("radio", name=f"{panel_day:%A %-d %B %Y}, 10:00: {LISTING_PANEL_TITLE}").check()
    page.get_by_role("button", name="List for the panel").click()
    axe(page)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.LISTED

    # 3. The panel chair accepts it, with a probation lead professional and a police lead officer.
    page = open_as(chair)
    page.goto(f"/referrals/{referral.pk}/")
    page.get_by_role("link", name="Record the panel's decision").click()
    axe(page)
    page.get_by_role("button", name="Record the decision").click()  # nothing chosen: errors, nothing decided
    assert "There is a problem" in page.content()
    axe(page)
    page.get_by_role("group", name="Decision").get_by_label("Accepted onto IOM").check()
    page.get_by_label("Reasons for the decision").fill("Meets the Fixed criteria; burglary escalating.")
    page.get_by_role("group", name="Strand").get_by_label("Fixed").check()
    page.get_by_role("group", name="Level or team").get_by_label("Enhanced").check()
    page.get_by_role("group", name="Initial RAG rating").get_by_label("Red").check()
    page.get_by_label("Reason for the RAG rating").fill("Offending twice in the last month.")
    page.get_by_label("Lead professional").select_option(str(referrer.pk))
    page.get_by_label("IOM police lead officer").select_option(str(police_lead.pk))
    page.get_by_role("button", name="Record the decision").click()
    axe(page)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    nominal = Nominal.objects.get(pk=referral.nominal_id)

    # 4. The person is on the cohort with their RAG rating and lead professional.
    page.goto("/cohort/")
    axe(page)
    row = page.get_by_test_id("cohort-row").filter(has_text="Walsh")
    assert "Red" in row.inner_text()
    assert "Priya Shah" in row.inner_text()
    page.goto(f"/people/{nominal.pk}/")
    axe(page)
    assert "Red" in page.content()
    assert "Priya Shah" in page.content()

    # 5. The drug service, party to an agreement covering the cohort, sees the person; another force does not.
    partner = open_as(partnership.drugs_worker)
    assert partner.goto(f"/people/{nominal.pk}/").status == 200
    axe(partner)
    partner.goto("/cohort/")
    assert "walsh" in partner.get_by_test_id("cohort").inner_text().lower()
    axe(partner)
    outsider = open_as(partnership.outsider)
    assert outsider.goto(f"/people/{nominal.pk}/").status == 404
    assert outsider.goto(f"/referrals/{referral.pk}/").status == 404
    assert "Walsh" not in outsider.content()


def test_every_referral_page_passes_the_accessibility_check(open_as, axe):
    from referrals.models import SelectionCriterion
    from referrals.services import referral_decide
    from tests.cohorts.factories import make_nominal
    from tests.referrals.factories import accept_terms, draft_referral, listed_referral, submitted_referral

    partnership = build_partnership()
    everyone = UserFactory.create(
        agency=partnership.police,
        roles=[Role.PRACTITIONER, Role.PANEL_CHAIR, Role.SYSTEM_ADMIN],
    )
    today = timezone.localdate()
    young = make_nominal(everyone, date_of_birth=today.replace(year=today.year - 17) - datetime.timedelta(days=200))
    y2a = draft_referral(
        young, everyone, kind=Referral.Kind.Y2A, y2a={"order_ends_on": today.replace(year=today.year + 2)}
    )
    submitted = submitted_referral(make_nominal(everyone), everyone)
    listed = listed_referral(make_nominal(everyone), everyone, everyone)
    urgent = submitted_referral(
        make_nominal(everyone), everyone, urgency={"urgent": True, "urgency_reason": "Released tomorrow"}
    )
    referral_decide(
        referral=urgent,
        by=everyone,
        outcome="accepted",
        rationale="Released tomorrow to no address",
        accept=accept_terms(partnership.probation_officer, everyone),
        outside_meeting=True,
    )
    criterion = SelectionCriterion.objects.first()
    assert criterion is not None

    page = open_as(everyone)
    paths = [
        "/referrals/",
        "/referrals/?status=listed&sort=panel",
        "/referrals/new/",
        f"/referrals/{y2a.pk}/",
        *(f"/referrals/{y2a.pk}/sections/{code}/" for code in ("why", "strand", "offending", "risk", "needs")),
        f"/referrals/{y2a.pk}/sections/urgency/",
        f"/referrals/{y2a.pk}/sections/y2a/",
        f"/referrals/{y2a.pk}/check/",
        f"/referrals/{submitted.pk}/",
        f"/referrals/{submitted.pk}/screen/",
        f"/referrals/{submitted.pk}/return/",
        f"/referrals/{submitted.pk}/withdraw/",
        f"/referrals/{listed.pk}/",
        f"/referrals/{listed.pk}/decide/",
        f"/referrals/{urgent.pk}/",
        f"/referrals/{urgent.pk}/ratify/",
        "/referrals/selection-matrix/",
        "/referrals/selection-matrix/criteria/new/",
        f"/referrals/selection-matrix/criteria/{criterion.pk}/change/",
        "/cohort/",
    ]
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        axe(page)

    # Error states too: the check page of an ineligible draft refuses to submit, and says why.
    shoplifting = draft_referral(
        make_nominal(everyone),
        everyone,
        offending={"offences": [{"offence_type": "shoplifting", "committed_on": today - datetime.timedelta(days=3)}]},
    )
    page.goto(f"/referrals/{shoplifting.pk}/check/")
    page.get_by_role("button", name="Submit referral").click()
    assert "There is a problem" in page.content()
    assert "Shoplifting alone does not qualify" in page.locator(".govuk-error-summary").inner_text()
    axe(page)
