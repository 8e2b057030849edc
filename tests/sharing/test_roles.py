from django.contrib.auth.models import Group

from sharing.roles import Role


def test_every_role_exists_as_a_group(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_roles_are_exactly_the_designed_seven():
    assert [role.label for role in Role] == [
        "Practitioner",
        "Supervisor",
        "Panel chair",
        "Partner worker",
        "Agency admin",
        "Analyst",
        "System admin",
    ]


def test_a_user_holds_the_roles_given(make_user):
    user = make_user(Role.PANEL_CHAIR, Role.SUPERVISOR)

    assert user.has_role(Role.PANEL_CHAIR)
    assert not user.has_role(Role.SYSTEM_ADMIN)
    assert set(user.roles) == {Role.PANEL_CHAIR, Role.SUPERVISOR}


def test_agency_names_are_unique_whatever_their_case(db):
    import pytest
    from django.db import IntegrityError

    from tests.sharing.factories import AgencyFactory

    AgencyFactory(name="Northmoor Police")
    with pytest.raises(IntegrityError):
        AgencyFactory(name="NORTHMOOR POLICE")
