import pytest
from django.urls import reverse

from sharing.roles import Role


@pytest.mark.parametrize("role", list(Role))
def test_home_tells_each_role_what_it_is_for(make_user, signed_in, role):
    user = make_user(role)

    response = signed_in(user).get(reverse("home"))

    assert response.status_code == 200
    assert f"As {role.label.lower()}" in response.text
    assert user.agency.name in response.text


def test_home_offers_system_administration_to_system_admins_only(make_user, signed_in):
    admin_page = f'href="{reverse("admin:index")}"'

    assert admin_page in signed_in(make_user(Role.SYSTEM_ADMIN)).get(reverse("home")).text
    assert admin_page not in signed_in(make_user(Role.PRACTITIONER)).get(reverse("home")).text


def test_a_user_without_a_role_is_told_to_ask_for_one(make_user, signed_in):
    response = signed_in(make_user()).get(reverse("home"))

    assert "Your account has no role yet" in response.text


def test_home_runs_a_constant_number_of_queries(make_user, signed_in, django_assert_max_num_queries):
    client = signed_in(make_user(*Role))

    # session, user with agency, roles, session save: a handful, whatever the user holds; and, for a
    # supervisor, one count of the overdue reviews in their team (shell.home.overdue_reviews_notice); and
    # the user's next meetings (shell.home.next_meetings, one query); and the count of their open
    # actions from meetings (shell.home.meeting_actions_notice, one query); and, for the IOM team and
    # system admins, the count of possible duplicates to check (shell.home.duplicates_notice, one query).
    with django_assert_max_num_queries(11):
        client.get(reverse("home"))


def test_pages_carry_the_govuk_shell(signed_in, practitioner):
    text = signed_in(practitioner).get(reverse("home")).text

    assert 'class="govuk-skip-link"' in text
    assert "govuk-phase-banner" in text
    assert "govuk-service-navigation" in text
    assert "govuk-footer" in text
    assert 'action="/sign-out/"' in text


# --- Referrals and the cohort ----------------------------------------------------------------------


def test_home_links_each_action_to_its_page_with_its_filter(make_user, signed_in):
    from shell.home import ROLE_ACTIONS

    for role, actions in ROLE_ACTIONS.items():
        text = signed_in(make_user(role)).get(reverse("home")).text
        for action in actions:
            url = reverse(action.url_name)  # every action's page exists
            href = f"{url}?{action.query}" if action.query else url
            assert f'href="{href}">{action.title}</a>' in text, (role, action.title)


def test_an_actions_query_opens_its_page_already_filtered():
    from shell.home import REFERRALS_TO_SCREEN, home_sections

    (supervisor,) = home_sections([Role.SUPERVISOR])

    assert (REFERRALS_TO_SCREEN, "/referrals/?status=submitted") in supervisor.actions


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        (Role.PRACTITIONER, True),
        (Role.SUPERVISOR, True),
        (Role.PANEL_CHAIR, True),
        (Role.PARTNER_WORKER, True),
        (Role.ANALYST, True),
        (Role.AGENCY_ADMIN, False),
        (Role.SYSTEM_ADMIN, False),
    ],
)
def test_the_iom_cohort_is_offered_to_those_who_work_with_it(make_user, signed_in, role, offered):
    text = signed_in(make_user(role)).get(reverse("home")).text

    assert ('href="/cohort/">The IOM cohort</a>' in text) is offered


def test_referral_actions_are_offered_by_role():
    from shell.home import ROLE_ACTIONS

    def offered(role: Role) -> set[tuple[str, str, str]]:
        return {(action.title, action.url_name, action.query) for action in ROLE_ACTIONS[role]}

    for role in (Role.PRACTITIONER, Role.PARTNER_WORKER):
        assert {("Refer a person", "referral-new", ""), ("Your referrals", "referral-list", "")} <= offered(role)
    for role in (Role.PRACTITIONER, Role.SUPERVISOR):
        assert ("Referrals to screen", "referral-list", "status=submitted") in offered(role)
    assert {
        ("Referrals listed for panel", "referral-list", "status=listed"),
        ("Urgent decisions to ratify", "referral-list", "to_be_ratified=on"),
    } <= offered(Role.PANEL_CHAIR)
    assert ("Selection matrix", "selection-matrix", "") in offered(Role.SYSTEM_ADMIN)


def navigation_links(text: str) -> list[str]:
    import re

    return re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', text)


@pytest.mark.parametrize("role", [role for role in Role if role != Role.SYSTEM_ADMIN])
def test_the_cohort_is_in_the_navigation_for_every_role_but_system_administration(make_user, signed_in, role):
    assert "/cohort/" in navigation_links(signed_in(make_user(role)).get(reverse("home")).text)


def test_a_system_administrator_only_has_no_cohort_link_unless_they_hold_another_role(make_user, signed_in, client):
    assert "/cohort/" not in navigation_links(signed_in(make_user(Role.SYSTEM_ADMIN)).get(reverse("home")).text)
    assert "/cohort/" in navigation_links(
        signed_in(make_user(Role.SYSTEM_ADMIN, Role.ANALYST)).get(reverse("home")).text
    )


def test_the_cohort_link_is_marked_current_on_the_cohort_page(signed_in, practitioner):
    text = signed_in(practitioner).get(reverse("cohort-list")).text

    assert 'href="/cohort/" aria-current="page"' in text


def test_only_the_iom_teams_agencies_are_offered_referrals_to_screen(make_user, signed_in):
    from sharing.models import Agency
    from tests.sharing.factories import AgencyFactory

    police = make_user(Role.PRACTITIONER)
    partner = make_user(Role.PRACTITIONER, agency=AgencyFactory.create(kind=Agency.Kind.YOUTH_OFFENDING_TEAM))

    assert "Referrals to screen" in signed_in(police).get("/").content.decode()
    assert "Referrals to screen" not in signed_in(partner).get("/").content.decode()
