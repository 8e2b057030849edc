from django.urls import reverse

from sharing.roles import Role


def test_system_admins_manage_agencies_and_users(signed_in, system_admin):
    client = signed_in(system_admin)

    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:sharing_user_changelist")).status_code == 200
    assert client.get(reverse("admin:sharing_agency_changelist")).status_code == 200


def test_other_roles_are_refused_system_administration(make_user, signed_in):
    for role in set(Role) - {Role.SYSTEM_ADMIN}:
        response = signed_in(make_user(role)).get(reverse("admin:index"))

        assert response.status_code == 403, role


def test_a_signed_out_visit_to_administration_goes_to_the_services_sign_in(client, db):
    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "Sign in" in response.text


def test_a_system_admin_creates_a_user_in_an_agency(signed_in, system_admin, other_agency):
    client = signed_in(system_admin)

    response = client.post(
        reverse("admin:sharing_user_add"),
        {
            "username": "new.officer",
            "first_name": "New",
            "last_name": "Officer",
            "email": "new.officer@example.org",
            "agency": other_agency.pk,
            "job_title": "PC",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302, response.content
    from sharing.models import User

    assert User.objects.get(username="new.officer").agency == other_agency


def test_system_admins_manage_the_configurable_lists(signed_in, system_admin):
    client = signed_in(system_admin)

    for name in (
        "admin:sharing_datacategory_changelist",
        "admin:cohorts_policingarea_changelist",
        "admin:cohorts_communitysafetypartnership_changelist",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    response = client.post(reverse("admin:cohorts_policingarea_add"), {"name": "Harbour", "is_active": "on"})
    assert response.status_code == 302
