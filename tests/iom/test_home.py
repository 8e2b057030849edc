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

    # session, user with agency, roles, session save: a handful, whatever the user holds.
    with django_assert_max_num_queries(6):
        client.get(reverse("home"))


def test_pages_carry_the_govuk_shell(signed_in, practitioner):
    text = signed_in(practitioner).get(reverse("home")).text

    assert 'class="govuk-skip-link"' in text
    assert "govuk-phase-banner" in text
    assert "govuk-service-navigation" in text
    assert "govuk-footer" in text
    assert 'action="/sign-out/"' in text
