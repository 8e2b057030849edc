"""The cohort list caches its board counts, filter choices, compiled rows query and match counts
under the cohort's generation (cohorts/management/selectors.py, migration cohorts 0009). What a change moves
shows on the very next request, whatever path made the change: these tests change the data, then
read the page again."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import CaseAssignment, ManagementLevel, RagRating
from cohorts.management.selectors import cohort_generation
from cohorts.records.services import (
    case_assign,
    cohort_membership_end,
    cohort_membership_start,
    nominal_update,
    rag_assess,
)
from sharing.models import SharingClause
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory


def put_on_cohort(partnership, last_name: str, *, rag: str = "amber", **fields):
    nominal = make_nominal(partnership.officer, last_name=last_name, **fields)
    cohort_membership_start(
        nominal=nominal,
        strand="flex",
        level=ManagementLevel.objects.get(code="standard"),
        started_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    rag_assess(nominal=nominal, rating=RagRating.objects.get(code=rag), rationale="Panel", by=partnership.officer)
    return nominal


def page(client, user, query: str = "") -> str:
    client.force_login(user)
    response = client.get(reverse("cohort-list") + query)
    assert response.status_code == 200
    return response.content.decode()


def counts_line(body: str) -> str:
    return body.split('data-testid="cohort-counts"')[1].split("</p>")[0]


def test_the_board_counts_follow_each_change_at_once(client, partnership):
    first = put_on_cohort(partnership, "Firstperson")
    assert "<strong>1</strong> on the cohort, <strong>1</strong> in the community" in counts_line(
        page(client, partnership.probation_officer)
    )

    second = put_on_cohort(partnership, "Secondperson")
    assert "<strong>2</strong> on the cohort" in counts_line(page(client, partnership.probation_officer))

    nominal_update(nominal=second, by=partnership.officer, custody_status="custody")
    assert "<strong>2</strong> on the cohort, <strong>1</strong> in the community" in counts_line(
        page(client, partnership.probation_officer)
    )

    cohort_membership_end(nominal=first, ended_on=timezone.localdate() - datetime.timedelta(days=1))
    assert "<strong>1</strong> on the cohort, <strong>0</strong> in the community" in counts_line(
        page(client, partnership.probation_officer)
    )


def test_a_new_lead_professional_is_offered_in_the_filter_at_once(client, partnership):
    nominal = put_on_cohort(partnership, "Ledperson")
    worker = UserFactory.create(
        agency=partnership.probation, roles=[Role.PRACTITIONER], first_name="Nia", last_name="Okafor"
    )
    assert "Nia Okafor" not in page(client, partnership.officer)

    case_assign(
        nominal=nominal,
        role=CaseAssignment.Role.LEAD_PROFESSIONAL,
        worker=worker,
        by=partnership.officer,
        reason="Allocated",
    )

    assert f'<option value="{worker.pk}">Nia Okafor (Probation Northmoor)</option>' in page(client, partnership.officer)


def test_a_filtered_lists_match_count_follows_a_rag_change(client, partnership):
    put_on_cohort(partnership, "Redone", rag="red")
    second = put_on_cohort(partnership, "Redtwo", rag="red")
    assert "2 people match" in page(client, partnership.officer, "?rag=red")

    rag_assess(nominal=second, rating=RagRating.objects.get(code="green"), rationale="Stable", by=partnership.officer)

    body = page(client, partnership.officer, "?rag=red")
    assert "1 person matches" in body
    assert f'href="/people/{second.pk}/"' not in body


def test_the_licence_end_is_hidden_at_once_when_the_agreement_stops_sharing_it(client, partnership):
    ends_on = timezone.localdate() + datetime.timedelta(weeks=20)
    put_on_cohort(partnership, "Licenced", licence_ends_on=ends_on)
    shown = ends_on.strftime("%-d %b %Y")
    assert f"Licence ends {shown}" in page(client, partnership.probation_officer, "?sort=licence")

    # However the clause goes (here a plain delete, as a repair by hand would), the next page knows.
    SharingClause.objects.filter(agreement=partnership.core, category__code="offending-risk").delete()

    body = page(client, partnership.probation_officer, "?sort=licence")
    assert "Licence: not shared" in body
    assert shown not in body


def test_the_generation_moves_on_cohort_changes_and_not_on_signing_in(client, partnership):
    before = cohort_generation()
    nominal = put_on_cohort(partnership, "Moving")
    after_joining = cohort_generation()
    client.force_login(partnership.officer)  # updates last_login only
    after_sign_in = cohort_generation()
    nominal_update(nominal=nominal, by=partnership.officer, first_name="Renamed")

    assert after_joining > before
    assert after_sign_in == after_joining
    assert cohort_generation() > after_sign_in


def filter_panel(body: str) -> str:
    return body.split('class="moj-filter"')[1].split('data-testid="cohort"')[0]


def test_the_filter_panel_comes_back_the_same_from_the_cache(client, partnership):
    put_on_cohort(partnership, "Panelperson", rag="red")
    query = "?rag=red&custody=community&sort=-rag"
    first = page(client, partnership.officer, query)
    again = page(client, partnership.officer, query)

    assert filter_panel(again) == filter_panel(first)
    assert 'value="red" checked' in filter_panel(again)
    assert "PANELPERSON" in again


def test_a_query_with_errors_shows_them_every_time(client, partnership):
    put_on_cohort(partnership, "Errorperson")
    client.force_login(partnership.officer)
    for _ in range(2):
        response = client.get(reverse("cohort-list") + "?rag=purple")
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()


def test_the_cached_panel_is_the_asking_users_own(client, partnership):
    """ "My team's caseload" is a supervisor's: a practitioner of the same agency asking for the same
    view after the supervisor is told it is not a choice, not given the supervisor's panel."""
    put_on_cohort(partnership, "Teamperson")
    supervisor = UserFactory.create(agency=partnership.police, roles=[Role.SUPERVISOR])
    assert "My team&#x27;s caseload" in page(client, supervisor, "?show=team")

    client.force_login(partnership.officer)
    response = client.get(reverse("cohort-list") + "?show=team")
    assert response.status_code == 400
    assert "My team&#x27;s caseload" not in response.content.decode()


def test_the_rows_escape_what_people_typed(client, partnership):
    """The rows are written without the template engine: names, areas and workers are escaped."""
    nominal = put_on_cohort(partnership, "<script>alert(1)</script>", first_name='Jo "Quote" O\'Neil')
    worker = UserFactory.create(
        agency=partnership.probation, roles=[Role.PRACTITIONER], first_name="<b>Bold</b>", last_name="Worker"
    )
    case_assign(
        nominal=nominal,
        role=CaseAssignment.Role.LEAD_PROFESSIONAL,
        worker=worker,
        by=partnership.officer,
        reason="Allocated",
    )
    rows = page(client, partnership.officer).split('data-testid="cohort"')[1]

    assert "<script>" not in rows
    assert "<b>Bold" not in rows
    assert "&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;, Jo &quot;Quote&quot; O&#x27;Neil" in rows
    assert "&lt;b&gt;Bold&lt;/b&gt; Worker" in rows
