import pytest

from sharing.roles import Role
from tests.sharing.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_practitioner_signs_in_through_the_form_and_reaches_home(page, axe):
    user = UserFactory.create(roles=[Role.PRACTITIONER], first_name="Priya", last_name="Shah")

    page.goto("/")
    assert page.url.endswith("/sign-in/?next=/")
    axe(page)

    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Priya"
    assert user.agency.name in page.get_by_test_id("signed-in-user").inner_text()
    axe(page)


def test_a_wrong_password_is_explained_on_the_page(page, axe):
    user = UserFactory.create(roles=[Role.PRACTITIONER])

    page.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct username and password" in summary.inner_text()
    assert page.get_by_label("Username").input_value() == user.username
    axe(page)


def test_sign_out_works_with_javascript_off(browser, live_server):
    user = UserFactory.create(roles=[Role.SUPERVISOR])
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()

    page.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").click()

    assert "/sign-in/" in page.url
    page.goto("/")
    assert "/sign-in/" in page.url
    context.close()


def test_the_404_page_is_accessible(page, axe):
    response = page.goto("/no-such-page/")

    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    axe(page)


def test_the_accessibility_check_catches_a_serious_violation(page):
    from tests.e2e.conftest import serious_accessibility_violations

    page.goto("/sign-in/")
    page.evaluate("document.querySelector('label[for=id_username]').remove()")

    violations = serious_accessibility_violations(page)

    assert "label" in {violation["id"] for violation in violations}


def test_the_checks_fail_on_anything_the_content_security_policy_refuses(page, axe, settings):
    # A policy that refuses our own stylesheet: the browser reports it, and the page check fails.
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "style-src": ["'none'"]}}

    page.goto("/sign-in/")

    with pytest.raises(AssertionError, match="Content Security Policy"):
        axe(page)


def test_a_locked_account_is_explained_and_the_right_password_then_refused(page, axe):
    user = UserFactory.create(roles=[Role.PRACTITIONER])
    page.goto("/sign-in/")

    def attempt(password: str) -> str:
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        return page.get_by_role("heading", level=1).inner_text()

    assert [attempt(f"wrong-{n}") for n in range(4)] == ["Sign in"] * 4
    assert attempt("wrong-5") == "You cannot sign in for now"
    page.get_by_role("link", name="Back to sign in").click()
    assert attempt(TEST_PASSWORD) == "You cannot sign in for now"
    assert "try again in 15 minutes" in page.get_by_test_id("locked-for").inner_text()
    axe(page)
