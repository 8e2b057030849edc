"""A decision taken in a meeting is visible where it belongs, with a link back to the meeting: on the
referral's page, and on the person's timeline (meetings/timeline.py) as the viewer's rights allow."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts.timeline.selectors import nominal_timeline
from meetings.running.services import item_decide_cohort, item_decide_referral
from meetings.timeline import KIND, meetings_timeline
from tests.meetings.factories import make_item
from tests.meetings.test_running_support import cohort_item, on_iom, panel_of, referral_item, running, urgent_item
from tests.referrals.factories import LISTING_PANEL_TITLE


def test_the_referral_page_says_at_which_meeting_it_was_decided(partnership, signed_in):
    panel = panel_of(partnership)
    running(panel)
    item = referral_item(panel)
    item_decide_referral(item=item, by=panel.chair, outcome="deferred", rationale="More information")

    body = signed_in(partnership.officer).get(f"/referrals/{item.referral_id}/").content.decode()

    assert 'data-testid="decided-at-meeting"' in body
    assert "Decided at" in body
    assert f'href="/meetings/{panel.meeting.pk}/"' in body


def test_a_ratification_in_a_meeting_says_ratified_at(partnership, signed_in):
    from meetings.running.services import item_ratify_urgent

    panel = panel_of(partnership)
    running(panel)
    item = urgent_item(panel)
    item_ratify_urgent(item=item, by=panel.chair)

    body = signed_in(partnership.officer).get(f"/referrals/{item.referral_id}/").content.decode()

    assert "Ratified at" in body
    assert f'href="/meetings/{panel.meeting.pk}/"' in body


def test_a_decision_outside_a_meeting_names_no_meeting(partnership, signed_in):
    panel = panel_of(partnership)
    item = urgent_item(panel)  # decided outside a meeting, not yet ratified

    body = signed_in(partnership.officer).get(f"/referrals/{item.referral_id}/").content.decode()

    assert 'data-testid="decided-at-meeting"' not in body


def test_the_referral_page_runs_no_more_queries_for_a_meeting_decision(partnership, signed_in):
    panel = panel_of(partnership)
    running(panel)
    in_meeting, not_yet = referral_item(panel), referral_item(panel)
    item_decide_referral(item=in_meeting, by=panel.chair, outcome="deferred", rationale="More information")
    from referrals.services import referral_decide

    assert not_yet.referral is not None
    referral_decide(referral=not_yet.referral, by=panel.chair, outcome="deferred", rationale="Elsewhere")
    client = signed_in(partnership.officer)
    client.get(f"/referrals/{not_yet.referral_id}/")

    counts = []
    for item in (in_meeting, not_yet):
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/referrals/{item.referral_id}/")
        counts.append(len(captured))

    assert counts[0] == counts[1]


def entries_of(user, nominal):
    """The person's meeting entries, but for the panel the factories listed their referral for."""
    return [
        entry
        for entry in nominal_timeline(user, nominal).entries
        if entry.kind == KIND and LISTING_PANEL_TITLE not in entry.title
    ]


def test_a_decision_in_a_meeting_is_on_the_persons_timeline_with_a_link_to_the_meeting(partnership):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)
    item_decide_cohort(item=item, by=panel.chair, outcome="Joint home visit agreed")

    for viewer in (panel.chair, partnership.officer, partnership.probation_officer):
        [entry] = entries_of(viewer, item.nominal)
        assert entry.title == f"Decided at {panel.meeting}: Joint home visit agreed"
        assert entry.url == f"/meetings/{panel.meeting.pk}/"


def test_a_partner_invited_but_without_the_category_sees_the_meeting_but_not_what_was_decided(partnership):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)  # offending and risk information: not shared with the drug service
    item_decide_cohort(item=item, by=panel.chair, outcome="SECRET-OUTCOME")

    [entry] = entries_of(partnership.drugs_worker, item.nominal)

    assert "SECRET-OUTCOME" not in entry.title + entry.detail
    assert item.title not in entry.title + entry.detail
    assert "Restricted" in entry.detail
    assert entry.url == f"/meetings/{panel.meeting.pk}/"


def test_an_agency_sharing_the_content_but_not_invited_sees_it_without_a_link(partnership):
    panel = panel_of(partnership, kind="map")
    running(panel)
    item = cohort_item(panel)

    [entry] = entries_of(partnership.prison_officer, item.nominal)  # the core agreement shares it

    assert entry.title == f"Discussed at {panel.meeting}"
    assert entry.detail == item.title
    assert entry.url == ""


def test_an_agency_seeing_neither_the_meeting_nor_the_content_has_no_entry(partnership):
    panel = panel_of(partnership, kind="map")
    panel.meeting.invited_agencies.remove(partnership.drugs)
    running(panel)
    item = cohort_item(panel)

    assert entries_of(partnership.drugs_worker, item.nominal) == []


def test_cancelled_meetings_and_items_off_the_agenda_are_not_on_the_timeline(partnership):
    from django.utils import timezone

    panel, cancelled = panel_of(partnership, kind="map"), panel_of(partnership, kind="map", status="cancelled")
    nominal = on_iom(panel)
    cohort_item(panel, nominal, removed_at=timezone.now(), removed_by=panel.chair)
    cohort_item(cancelled, nominal)

    assert entries_of(panel.chair, nominal) == []


def test_the_timeline_source_runs_the_same_queries_whatever_the_number_of_items(partnership):
    counts = []
    nominals = []
    for size in (1, 8):
        panel = panel_of(partnership, kind="map")
        nominal = on_iom(panel)
        nominals.append(nominal)
        for position in range(size):
            make_item(panel.meeting, nominal=nominal, source_key=f"x:{position}", owning_agency=partnership.police)
    for nominal in nominals:
        viewer = type(partnership.probation_officer).objects.get(pk=partnership.probation_officer.pk)
        with CaptureQueriesContext(connection) as captured:
            assert meetings_timeline(viewer, nominal).entries
        counts.append(len(captured))

    assert counts[0] == counts[1] <= 4  # the items; the viewer's agency and permissions once
