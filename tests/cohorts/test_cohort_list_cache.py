"""The cohort list caches its board counts, filter choices, compiled rows query and match counts
under the cohort's generation (cohorts/cohort_list.py, migration cohorts 0009). What a change moves
shows on the very next request, whatever path made the change: these tests change the data, then
read the page again."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from cohorts.cohort_list import cohort_generation
from cohorts.models import CaseAssignment, ManagementLevel, RagRating
from cohorts.services import case_assign, cohort_membership_end, cohort_membership_start, nominal_update, rag_assess
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
