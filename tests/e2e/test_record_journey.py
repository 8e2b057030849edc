import pytest

from cohorts.records.services import cohort_membership_start
from sharing.roles import Role
from tests.cohorts.factories import make_item, make_nominal
from tests.partnership import build_partnership
from tests.sharing.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, user):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_a_probation_officer_finds_a_person_and_reads_what_is_shared(page, axe):
    partnership = build_partnership()
    nominal = make_nominal(partnership.officer, first_name="Jordan", last_name="Ashworth")
    cohort_membership_start(nominal=nominal)
    make_item(nominal, partnership.officer, "offending-risk", "Arrested for burglary on Mill Lane")
    make_item(nominal, partnership.officer, "accommodation", "Private police note on address")
    make_item(nominal, partnership.officer, "intelligence", "Graded intelligence about associates")
    officer = UserFactory.create(agency=partnership.probation, roles=[Role.PRACTITIONER])

    sign_in(page, officer)
    page.get_by_role("link", name="People").first.click()
    page.get_by_label("Name, PNC ID, CRN, prison number or date of birth").fill("jordan ashwerth")
    page.get_by_role("button", name="Apply filters").click()
    axe(page)
    page.get_by_role("link", name="ASHWORTH, Jordan").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Jordan Ashworth"
    assert "Arrested for burglary on Mill Lane" in page.content()
    assert "Private police note" not in page.content()
    assert (
        "1 item held by Northmoor Police is not shared with your agency" in page.get_by_test_id("withheld").inner_text()
    )
    axe(page)

    page.get_by_label("Why do you need to see these items?").fill("Preparing the MAP meeting")
    page.get_by_role("button", name="Show the items").click()
    assert "Graded intelligence about associates" in page.content()

    page.get_by_role("link", name="Why can I see this?").first.click()
    assert partnership.core.reference in page.get_by_test_id("reasons").inner_text()
    axe(page)


def test_every_page_of_the_record_and_the_agreements_passes_the_accessibility_check(page, axe):
    partnership = build_partnership()
    nominal = make_nominal(partnership.officer, first_name="Sam", last_name="Axecheck")
    cohort_membership_start(nominal=nominal)
    item = make_item(nominal, partnership.officer, "offending-risk", "Checked item")
    admin = UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.PRACTITIONER])

    sign_in(page, admin)
    for path in (
        "/people/",
        "/people/new/",
        f"/people/{nominal.pk}/",
        f"/people/{nominal.pk}/edit/",
        f"/people/{nominal.pk}/needs/new/",
        f"/people/{nominal.pk}/consent/",
        f"/people/{nominal.pk}/history/",
        f"/people/{nominal.pk}/items/new/",
        f"/people/{nominal.pk}/items/{item.pk}/edit/",
        f"/people/{nominal.pk}/items/{item.pk}/why/",
        "/people/access-log/",
        "/sharing/agreements/",
        "/sharing/agreements/new/",
        f"/sharing/agreements/{partnership.core.pk}/",
        f"/sharing/agreements/{partnership.core.pk}/suspend/",
        f"/sharing/agreements/{partnership.core.pk}/upload/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        axe(page)

    page.goto("/people/new/")
    page.get_by_role("button", name="Record the person").click()
    assert "There is a problem" in page.content()
    axe(page)
