"""System administration of the cohort's configurable lists: levels, priority cohorts, RAG ratings."""

import pytest
from django.urls import reverse

from cohorts.management.models import ManagementLevel, RagRating
from sharing.roles import Role

LISTS = ("managementlevel", "prioritycohort", "ragrating")


def test_system_admins_see_the_cohort_lists_with_their_useful_columns(signed_in, system_admin):
    client = signed_in(system_admin)

    levels = client.get(reverse("admin:cohorts_managementlevel_changelist")).text
    cohorts = client.get(reverse("admin:cohorts_prioritycohort_changelist")).text
    ratings = client.get(reverse("admin:cohorts_ragrating_changelist")).text

    assert "Enhanced" in levels
    assert "Adults only" in levels
    assert "Domestic abuse perpetrators" in cohorts
    assert "Police and crime commissioner priority" in cohorts
    assert "Amber" in ratings
    assert "every 2 weeks" in ratings
    assert "Supervisor review" in ratings


def test_a_system_admin_adds_a_level_and_a_rating(signed_in, system_admin):
    client = signed_in(system_admin)

    level = client.post(
        reverse("admin:cohorts_managementlevel_add"),
        {"name": "Prison team", "code": "prison-team", "order": "4", "is_active": "on", "description": ""},
    )
    rating = client.post(
        reverse("admin:cohorts_ragrating_add"),
        {
            "code": "gold",
            "label": "Gold",
            "order": "0",
            "colour": "yellow",
            "review_every": "1",
            "review_unit": "weeks",
            "description": "",
            "is_active": "on",
        },
    )

    assert level.status_code == 302, level.text
    assert rating.status_code == 302, rating.text
    assert ManagementLevel.objects.get(code="prison-team").name == "Prison team"
    assert RagRating.objects.get(code="gold").review_cadence == "every week"


@pytest.mark.parametrize("model", LISTS)
@pytest.mark.parametrize("role", [role for role in Role if role != Role.SYSTEM_ADMIN])
def test_other_roles_are_refused_the_cohort_lists(make_user, signed_in, model, role):
    response = signed_in(make_user(role)).get(reverse(f"admin:cohorts_{model}_changelist"))

    assert response.status_code == 403
