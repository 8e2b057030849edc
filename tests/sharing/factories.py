from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from sharing.models import Agency, User
from sharing.roles import Role

TEST_PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    short_name = factory.Sequence(lambda n: f"AG{n}")
    kind = Agency.Kind.POLICE


class PoliceFactory(AgencyFactory):
    name = factory.Sequence(lambda n: f"Force {n} Police")
    kind = Agency.Kind.POLICE


class ProbationFactory(AgencyFactory):
    name = factory.Sequence(lambda n: f"Probation Region {n}")
    kind = Agency.Kind.PROBATION


class PartnerAgencyFactory(AgencyFactory):
    name = factory.Sequence(lambda n: f"Recovery Service {n}")
    kind = Agency.Kind.DRUG_AND_ALCOHOL


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A user with a known password; pass roles=[Role.SUPERVISOR, ...] to give roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    # Without apostrophes (O'Sullivan): pages escape them, and tests look for names in the HTML.
    last_name = factory.LazyAttribute(lambda user: user.any_last_name.replace("'", ""))
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    agency = factory.SubFactory(PoliceFactory)
    job_title = "Case manager"
    password = factory.django.Password(TEST_PASSWORD)

    class Params:
        any_last_name = factory.Faker("last_name", locale="en_GB")

    @factory.post_generation
    def roles(user: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            user.groups.set(Group.objects.filter(name__in=[Role(role).value for role in extracted]))
