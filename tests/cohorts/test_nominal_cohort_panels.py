"""The person page's panels: their time on IOM (strand, level, RAG history, leads) and their
referrals (registered by the referrals app through cohorts.records.panels)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.management.models import CaseAssignment, ManagementLevel, PriorityCohort, RagRating
from cohorts.records.panels import person_page_panels
from cohorts.records.services import case_assign, cohort_membership_end, cohort_membership_start, rag_assess
from referrals.models import ReferralDecision
from referrals.panels import referrals_panel
from referrals.services import referral_decide
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.referrals.factories import accept_terms, draft_referral, listed_referral, submitted_referral
from tests.sharing.factories import UserFactory


@pytest.fixture
def chair(partnership):
    return UserFactory.create(
        agency=partnership.police, roles=[Role.PANEL_CHAIR], first_name="Inspector", last_name="Vale"
    )


@pytest.fixture
def accepted(partnership, chair):
    """Accepted by the panel: Fixed, Enhanced, Red, combined with MAPPA level 2, domestic abuse."""
    partnership.probation_officer.first_name, partnership.probation_officer.last_name = "Priya", "Lead"
    partnership.probation_officer.save()
    partnership.officer.first_name, partnership.officer.last_name = "Pat", "Constable"
    partnership.officer.save()
    screener = UserFactory.create(agency=partnership.police, roles=[Role.PRACTITIONER])
    nominal = make_nominal(partnership.officer, first_name="Aaron", last_name="Panelson")
    referral_decide(
        referral=listed_referral(nominal, partnership.officer, screener),
        by=chair,
        outcome=ReferralDecision.Outcome.ACCEPTED,
        rationale="Meets the Fixed criteria",
        accept=accept_terms(
            partnership.probation_officer,
            partnership.officer,
            mappa_level="2",
            priority_cohorts=[PriorityCohort.objects.get(code="domestic-abuse")],
        ),
    )
    return nominal


def person_page(client, user, nominal):
    client.force_login(user)
    response = client.get(reverse("nominal-detail", args=[nominal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def section(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}"')
    return body[start : body.index("</section>", start)]


def test_the_person_page_shows_their_time_on_iom_with_rag_and_leads(client, partnership, accepted):
    body = person_page(client, partnership.prison_officer, accepted)

    panel = section(body, "on-iom")
    today = timezone.localdate()
    assert ">On IOM</h2>" in panel
    assert f"{today:%-d %B %Y}" in panel
    assert "Fixed" in panel
    assert "Enhanced" in panel
    assert "Domestic abuse perpetrators" in panel
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in panel
    assert "Offending escalating since release." in panel
    assert f"By Inspector Vale, Northmoor Police, on {today:%-d %B %Y}" in panel
    assert "Reviewed every 2 weeks" in panel
    assert "Priya Lead, Probation Northmoor" in panel
    assert "Pat Constable, Northmoor Police" in panel
    assert "None assigned" in panel  # no key workers yet


def test_the_rag_history_is_listed_newest_first_and_the_latest_is_current(client, partnership, accepted):
    rag_assess(
        nominal=accepted,
        rating=RagRating.objects.get(code="amber"),
        rationale="Engaging better",
        by=partnership.officer,
    )
    rag_assess(
        nominal=accepted,
        rating=RagRating.objects.get(code="green"),
        rationale="Stable housing, engaging",
        by=partnership.probation_officer,
    )

    panel = section(person_page(client, partnership.probation_officer, accepted), "on-iom")

    current = panel[panel.index('data-testid="current-rag"') : panel.index('data-testid="rag-history"')]
    assert "govuk-tag--green" in current
    assert "Stable housing, engaging" in current
    assert "By Priya Lead, Probation Northmoor" in current
    history = panel[panel.index('data-testid="rag-history"') :]
    assert '<details class="govuk-details"' in panel
    assert "RAG history (3 ratings)" in history
    rationales = ["Stable housing, engaging", "Engaging better", "Offending escalating since release."]
    positions = [history.index(rationale) for rationale in rationales]
    assert positions == sorted(positions)
    assert history.count('data-testid="rag-history-row"') == 3


def test_key_workers_show_with_their_agency_and_since_date(client, partnership, accepted):
    started = timezone.localdate() - datetime.timedelta(days=3)
    partnership.drugs_worker.first_name, partnership.drugs_worker.last_name = "Kim", "Keyworker"
    partnership.drugs_worker.save()
    case_assign(
        nominal=accepted,
        role=CaseAssignment.Role.KEY_WORKER,
        worker=partnership.drugs_worker,
        by=partnership.officer,
        started_on=started,
    )

    panel = section(person_page(client, partnership.officer, accepted), "on-iom")

    key_workers = panel[panel.index('data-testid="key-workers"') :]
    assert f'Kim Keyworker, Compass Recovery <span class="govuk-body-s">(since {started:%-d %B %Y})' in key_workers


@pytest.mark.parametrize(
    ("agency", "shown"), [("police", True), ("probation", True), ("prison", True), ("drugs", False)]
)
def test_the_mappa_combination_shows_only_where_offending_and_risk_is_shared(
    client, partnership, accepted, agency, shown
):
    body = person_page(client, partnership.user_of(getattr(partnership, agency)), accepted)

    panel = section(body, "on-iom")
    assert ("MAPPA level 2" in panel) is shown
    assert ('data-testid="mappa-combination"' in panel) is shown
    # Strand, level, RAG and leads are the panel's decision, shared with every agency that sees the person.
    assert "Enhanced" in panel
    assert "govuk-tag--red" in panel
    assert "Priya Lead" in panel


def test_past_periods_on_iom_are_listed(client, partnership):
    today = timezone.localdate()
    started, ended = today - datetime.timedelta(days=200), today - datetime.timedelta(days=10)
    nominal = make_nominal(partnership.officer)
    cohort_membership_start(
        nominal=nominal, started_on=started, strand="flex", level=ManagementLevel.objects.get(code="standard")
    )
    rag_assess(nominal=nominal, rating=RagRating.objects.get(code="green"), rationale="Panel", by=partnership.officer)
    cohort_membership_end(nominal=nominal, ended_on=ended)

    panel = section(person_page(client, partnership.officer, nominal), "on-iom")

    assert ">Time on IOM</h2>" in panel
    assert "On IOM since" not in panel
    assert f"{started:%-d %B %Y} to {ended:%-d %B %Y}: Flex, Standard" in panel
    assert "RAG history (1 rating)" in panel


def test_a_person_never_on_iom_has_no_iom_panel(client, partnership):
    nominal = make_nominal(partnership.officer)

    body = person_page(client, partnership.officer, nominal)

    assert 'data-testid="on-iom"' not in body
    assert "Not on the IOM cohort" in body


# --- The referrals panel ---------------------------------------------------------------------------


def test_the_referrals_panel_is_registered_by_the_referrals_app():
    assert referrals_panel in person_page_panels()


def test_the_referrals_panel_lists_only_referrals_the_user_may_see(client, partnership):
    nominal = make_nominal(partnership.officer)
    probation_draft = draft_referral(nominal, partnership.probation_officer)  # started before the police submitted
    submitted = submitted_referral(nominal, partnership.officer)
    cohort_membership_start(nominal=nominal)  # so the prison sees the person
    probation_supervisor = UserFactory.create(agency=partnership.probation, roles=[Role.SUPERVISOR])
    partnership.probation_officer.supervisor = probation_supervisor
    partnership.probation_officer.save()

    police = section(person_page(client, partnership.officer, nominal), "referrals-panel")
    probation = section(person_page(client, partnership.probation_officer, nominal), "referrals-panel")
    supervisor = section(person_page(client, probation_supervisor, nominal), "referrals-panel")
    prison = section(person_page(client, partnership.prison_officer, nominal), "referrals-panel")

    for panel in (police, probation, supervisor, prison):
        assert f'href="/referrals/{submitted.pk}/">{submitted.reference}</a>' in panel
        assert "Submitted" in panel
        assert "Northmoor Police" in panel
        assert f"{timezone.localtime(submitted.submitted_at):%-d %b %Y}" in panel
    for panel in (police, prison):  # someone else's draft
        assert probation_draft.reference not in panel
        assert panel.count('data-testid="referral-row"') == 1
    for panel in (probation, supervisor):  # their own, or their team's
        assert f'href="/referrals/{probation_draft.pk}/">{probation_draft.reference}</a>' in panel
        assert "Not submitted" in panel
    client.force_login(partnership.outsider)
    assert client.get(reverse("nominal-detail", args=[nominal.pk])).status_code == 404


def test_refer_this_person_is_offered_to_referrers_only_while_nothing_is_in_progress(client, partnership):
    nominal = make_nominal(partnership.officer)
    refer = f'href="/referrals/new/?nominal={nominal.pk}"'
    analyst = UserFactory.create(agency=partnership.police, roles=[Role.ANALYST])

    assert refer in person_page(client, partnership.officer, nominal)
    assert "No referrals of this person that your agency may see." in person_page(client, partnership.officer, nominal)
    assert refer not in person_page(client, analyst, nominal)

    submitted_referral(nominal, partnership.officer)
    assert refer not in person_page(client, partnership.officer, nominal)


def test_refer_this_person_is_not_offered_for_someone_on_the_cohort(client, partnership):
    nominal = make_nominal(partnership.officer)
    cohort_membership_start(nominal=nominal)

    assert f"/referrals/new/?nominal={nominal.pk}" not in person_page(client, partnership.officer, nominal)


def count_queries(client, nominal) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("nominal-detail", args=[nominal.pk])).status_code == 200
    return len(queries)


def test_the_panels_run_the_same_queries_however_long_the_history(client, partnership, accepted):
    client.force_login(partnership.probation_officer)
    before = count_queries(client, accepted)

    for code in ("amber", "green", "red", "amber"):
        rag_assess(
            nominal=accepted, rating=RagRating.objects.get(code=code), rationale="Review", by=partnership.officer
        )
    for worker in (partnership.drugs_worker, partnership.prison_officer, partnership.probation_officer):
        case_assign(nominal=accepted, role=CaseAssignment.Role.KEY_WORKER, worker=worker, by=partnership.officer)
    cohort_membership_end(nominal=accepted, ended_on=timezone.localdate())
    draft_referral(accepted, partnership.probation_officer)  # a referral back onto IOM, started once they left
    cohort_membership_start(nominal=accepted, started_on=timezone.localdate() + datetime.timedelta(days=1))

    assert count_queries(client, accepted) == before
