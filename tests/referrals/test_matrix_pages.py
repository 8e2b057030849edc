"""The selection matrix pages (referrals/matrix_views.py): who reads them, who changes them, and a
change re-scoring the referrals in progress while keeping their old scores."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from referrals import scoring
from referrals.matrix_forms import MEASURE_POINTS
from referrals.models import ReferralScore, SelectionCriterion, SelectionMatrixVersion
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.referrals.factories import submitted_referral
from tests.sharing.factories import UserFactory

MATRIX = "/referrals/selection-matrix/"


def criterion(measure: str = "ogrs_band") -> SelectionCriterion:
    return SelectionCriterion.objects.get(measure=measure)


def edit_data(item: SelectionCriterion, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": item.name,
        "measure": item.measure,
        "weight": str(item.weight),
        "window_days": item.window_days or "",
        "cap": "" if item.cap is None else item.cap,
        "description": item.description,
        "order": item.order,
        "is_active": "on" if item.is_active else "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin(partnership):
    return UserFactory.create(agency=partnership.police, roles=[Role.SYSTEM_ADMIN])


def test_every_measure_is_explained():
    assert set(MEASURE_POINTS) == set(scoring.MEASURES) == set(SelectionCriterion.Measure.values)


def test_the_iom_team_reads_the_criteria_versions_and_how_a_score_is_worked_out(client, partnership):
    submitted_referral(make_nominal(partnership.officer), partnership.officer)  # takes version 1
    client.force_login(partnership.probation_officer)

    response = client.get(MATRIX)
    body = response.content.decode()

    assert response.status_code == 200
    assert "Neighbourhood-crime offences in the last year" in body
    assert "365 days" in body
    assert "points times its weight" in body
    assert "75% to 89%: 2 points" in body
    assert "In force: <strong>version 1</strong>" in body
    assert "Criteria of version 1" in body
    assert "Add a criterion" not in body
    assert reverse("selection-criterion-edit", args=[criterion().pk]) not in body


@pytest.mark.parametrize(
    ("agency", "role", "status"),
    [
        ("police", Role.PRACTITIONER, 200),
        ("probation", Role.SUPERVISOR, 200),
        ("prison", Role.PANEL_CHAIR, 200),  # panel chairs of any agency
        ("prison", Role.PRACTITIONER, 403),  # not on the IOM team
        ("police", Role.PARTNER_WORKER, 403),
        ("police", Role.ANALYST, 403),
        ("police", Role.AGENCY_ADMIN, 403),
    ],
)
def test_who_reads_the_selection_matrix(client, partnership, agency, role, status):
    client.force_login(UserFactory.create(agency=getattr(partnership, agency), roles=[role]))

    assert client.get(MATRIX).status_code == status


def test_system_admins_see_how_to_change_it(client, admin):
    client.force_login(admin)

    body = client.get(MATRIX).content.decode()

    assert reverse("selection-criterion-new") in body
    assert reverse("selection-criterion-edit", args=[criterion().pk]) in body


def test_changing_a_weight_rescores_an_open_referral_and_keeps_its_old_score(client, partnership, admin):
    referral = submitted_referral(make_nominal(partnership.officer), partnership.officer)  # OGRS 82%: 2 points
    old = ReferralScore.objects.get(referral=referral)
    client.force_login(admin)

    shown = client.get(reverse("selection-criterion-edit", args=[criterion().pk]))
    assert shown.status_code == 200
    assert 'value="3.00"' in shown.content.decode()
    response = client.post(
        reverse("selection-criterion-edit", args=[criterion().pk]), edit_data(criterion(), weight="5")
    )

    assert response.status_code == 302
    assert response["Location"] == MATRIX
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "“OGRS band” has been saved. The selection matrix is now version 2: 1 open referral was re-scored."
    ]
    assert criterion().weight == Decimal("5.00")
    old.refresh_from_db()
    new = ReferralScore.objects.get(referral=referral, is_current=True)
    assert old.is_current is False
    assert new.total - old.total == Decimal("4.00")  # 2 points x (5 - 3)
    assert new.matrix.number == 2
    referral.refresh_from_db()
    assert referral.score == new.total


def test_saving_without_a_change_rescores_nothing(client, partnership, admin):
    submitted_referral(make_nominal(partnership.officer), partnership.officer)
    client.force_login(admin)

    response = client.post(reverse("selection-criterion-edit", args=[criterion().pk]), edit_data(criterion()))

    assert response.status_code == 302
    assert "Nothing changed" in str(next(iter(get_messages(response.wsgi_request))))
    assert SelectionMatrixVersion.objects.count() == 1


def test_adding_a_criterion_rescores_open_referrals(client, partnership, admin):
    referral = submitted_referral(make_nominal(partnership.officer), partnership.officer)
    client.force_login(admin)

    response = client.post(
        reverse("selection-criterion-new"),
        {
            "name": "Risk of serious harm (again)",
            "measure": "rosh",
            "weight": "1",
            "window_days": "",
            "cap": "",
            "description": "",
            "order": "9",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert SelectionCriterion.objects.filter(name="Risk of serious harm (again)", measure="rosh").exists()
    assert "1 open referral was re-scored" in str(next(iter(get_messages(response.wsgi_request))))
    assert referral.scores.count() == 2
    assert referral.scores.get(is_current=True).matrix.criteria[-1]["name"] == "Risk of serious harm (again)"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weight": "-1"}, "The weight must be 0 or more"),
        ({"weight": "lots"}, "The weight must be a number, like 2.5"),
        ({"name": ""}, "Enter the criterion&#x27;s name"),
        ({"name": "Risk of serious harm"}, "A criterion with this name already exists"),
        ({"measure": "astrology"}, "Select a valid choice"),
    ],
)
def test_bad_input_on_a_criterion_is_explained_and_changes_nothing(client, partnership, admin, changes, message):
    submitted_referral(make_nominal(partnership.officer), partnership.officer)
    client.force_login(admin)

    response = client.post(
        reverse("selection-criterion-edit", args=[criterion().pk]), edit_data(criterion(), **changes)
    )
    body = response.content.decode()

    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert message in body
    assert criterion().weight == Decimal("3.00")
    assert SelectionMatrixVersion.objects.count() == 1


@pytest.mark.parametrize("role", [Role.PANEL_CHAIR, Role.PRACTITIONER, Role.AGENCY_ADMIN])
def test_only_system_admins_change_the_matrix(client, partnership, role):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[role]))
    edit = reverse("selection-criterion-edit", args=[criterion().pk])

    assert client.get(reverse("selection-criterion-new")).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(edit, edit_data(criterion(), weight="9")).status_code == 403
    assert criterion().weight == Decimal("3.00")


def test_a_criterion_that_does_not_exist_is_not_found(client, admin):
    client.force_login(admin)

    assert client.get(reverse("selection-criterion-edit", args=[10**9])).status_code == 404
