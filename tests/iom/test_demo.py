import pytest
from django.core.management import CommandError, call_command

from iom.demo import AGENCIES, USERS
from sharing.models import Agency, User
from sharing.roles import Role


def test_the_demo_is_a_whole_partnership_with_every_role(db):
    call_command("seed_demo")

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


def test_the_demo_loads_twice_without_change(db):
    call_command("seed_demo")
    call_command("seed_demo")

    assert Agency.objects.count() == len(AGENCIES)
    assert User.objects.count() == len(USERS)


def test_demo_users_can_sign_in_with_the_printed_password(client, db, capsys):
    call_command("seed_demo")
    printed = capsys.readouterr().out
    password = printed.split("every password is ")[1].split(")")[0]

    assert client.login(username="sam.carter", password=password)
    assert "sam.carter" in printed


def test_the_demo_refuses_to_load_outside_development(db, settings):
    settings.DEVELOPMENT = False

    with pytest.raises(CommandError, match="development only"):
        call_command("seed_demo")
    assert not User.objects.exists()
