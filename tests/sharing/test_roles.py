from django.contrib.auth.models import Group

from sharing.models import Agency
from sharing.roles import REFERRER_ROLES, Role, is_iom_team, is_iom_unit_agency, may_refer


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

    AgencyFactory.create(name="Northmoor Police")
    with pytest.raises(IntegrityError):
        AgencyFactory.create(name="NORTHMOOR POLICE")


def test_the_iom_team_is_the_case_roles_of_the_iom_units_agencies_for_every_role_and_agency(db):
    from tests.sharing.factories import AgencyFactory, UserFactory

    case_roles = {Role.PRACTITIONER, Role.SUPERVISOR, Role.PANEL_CHAIR}
    differ = []
    for kind in Agency.Kind:
        agency = AgencyFactory.create(kind=kind)
        for role in Role:
            user = UserFactory.create(agency=agency, roles=[role])
            expected = kind in (Agency.Kind.POLICE, Agency.Kind.PROBATION) and role in case_roles
            if is_iom_team(user) != expected:
                differ.append((kind.value, role.value))

    assert differ == []


def test_the_iom_team_is_asked_of_the_roles_not_of_the_screening_permission(db, django_assert_num_queries):
    from django.contrib.auth.models import Permission

    from tests.sharing.factories import PoliceFactory, UserFactory

    police = PoliceFactory.create()
    granted_directly = UserFactory.create(agency=police)
    granted_directly.user_permissions.add(Permission.objects.get(codename="screen_referral"))
    practitioner = UserFactory.create(agency=police, roles=[Role.PRACTITIONER])
    practitioner.role_names  # noqa: B018  (loaded once per request, as on every page)

    assert not is_iom_team(UserFactory.create(agency=police, is_superuser=True))
    assert not is_iom_team(granted_directly)
    with django_assert_num_queries(0):
        assert is_iom_team(practitioner)


def test_the_iom_units_agencies_are_configurable(db, settings):
    from tests.sharing.factories import AgencyFactory, UserFactory

    settings.IOM_UNIT_AGENCY_KINDS = ["police", "probation", "yot"]
    youth_offending_team = AgencyFactory.create(kind=Agency.Kind.YOUTH_OFFENDING_TEAM)
    youth_worker = UserFactory.create(agency=youth_offending_team, roles=[Role.PRACTITIONER])

    assert is_iom_unit_agency(youth_worker.agency)
    assert is_iom_team(youth_worker)


def test_the_case_checks_and_the_referral_checks_ask_the_same_iom_team(db):
    from cohorts.deregistration.services import may_propose
    from cohorts.duplicates.services import may_check_duplicates
    from cohorts.management.permissions import may_assign
    from cohorts.tags.services import may_record_tags
    from cohorts.transitions.services import may_manage_transition
    from referrals.permissions import may_read_selection_matrix
    from tests.sharing.factories import PoliceFactory, UserFactory

    police = PoliceFactory.create()
    superuser = UserFactory.create(agency=police, is_superuser=True)  # no role: Django lets them do anything
    supervisor = UserFactory.create(agency=police, roles=[Role.SUPERVISOR])

    for user, on_the_team in ((supervisor, True), (superuser, False)):
        assert may_record_tags(user) is on_the_team
        assert may_manage_transition(user, []) is on_the_team
        assert may_propose(user, []) is on_the_team
        assert may_assign(user, []) is on_the_team
        assert may_check_duplicates(user) is on_the_team
    assert may_read_selection_matrix(supervisor)


def test_referrers_are_practitioners_partner_workers_supervisors_and_panel_chairs(make_user):
    referrers = {role for role in Role if may_refer(make_user(role))}

    assert referrers == REFERRER_ROLES == {Role.PRACTITIONER, Role.PARTNER_WORKER, Role.SUPERVISOR, Role.PANEL_CHAIR}
