"""The chair's agenda pages and the agenda API (meetings/agenda/views.py, meetings/agenda/api.py): what
the chair sees and does, bad input, restricted items, 404s, and a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.management.models import RagRating
from cohorts.models import AccessEvent
from cohorts.records.models import Nominal
from cohorts.records.services import cohort_membership_start, rag_assess
from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting, MeetingKind
from sharing.models import User
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.meetings.factories import MeetingFactory, category, make_item
from tests.partnership import Partnership
from tests.referrals.factories import listed_referral
from tests.sharing.factories import UserFactory

DAY = datetime.timedelta(days=1)
RESTRICTED = "Restricted: not shared with your agency under the information sharing agreements"


@dataclass
class Setting:
    p: Partnership
    chair: User
    meeting: Meeting
    person: Nominal


@pytest.fixture
def setting(partnership: Partnership) -> Setting:
    chair = UserFactory.create(agency=partnership.police, roles=[Role.PANEL_CHAIR])
    meeting = MeetingFactory.create(
        chair=chair,
        kind=MeetingKind.MAP,
        date=timezone.localdate() + 2 * DAY,
        invited=[partnership.police, partnership.probation, partnership.drugs],
    )
    person = make_nominal(partnership.officer, first_name="Casey", last_name="Agendaperson")
    cohort_membership_start(nominal=person, started_on=timezone.localdate() - 10 * DAY)
    return Setting(p=partnership, chair=chair, meeting=meeting, person=person)


def shared_item(s: Setting, **fields: object) -> AgendaItem:
    """About the person, police-owned offending and risk: probation sees it, the drug service does not."""
    defaults: dict[str, object] = {
        "kind": AgendaItem.Kind.TOP_RAG,
        "source": AgendaItem.Source.BUILT,
        "title": "Casey Agendaperson: rated Red",
        "summary": "Three burglaries in a fortnight",
        "nominal": s.person,
        "owning_agency": s.p.police,
        "category": category("offending-risk"),
    }
    defaults.update(fields)
    return make_item(s.meeting, **defaults)


def drugs_item(s: Setting) -> AgendaItem:
    """Substance misuse information of the drug service, shared only with consent: restricted to the police."""
    return make_item(
        s.meeting,
        kind=AgendaItem.Kind.NEW_EVENT,
        source=AgendaItem.Source.BUILT,
        source_key="drugs:1",
        title="Casey Agendaperson: relapsed",
        summary="Missed three appointments at the clinic",
        nominal=s.person,
        owning_agency=s.p.drugs,
        category=category("substance-misuse"),
    )


def url(s: Setting, suffix: str = "") -> str:
    return f"/meetings/{s.meeting.pk}/agenda/{suffix}"


# --- The page ---------------------------------------------------------------------------------------


def test_the_chair_sees_the_agenda_by_section_with_restricted_items_shown_as_restricted(signed_in, setting):
    shared_item(setting)
    drugs_item(setting)
    make_item(setting.meeting, title="Date of the next meeting")

    response = signed_in(setting.chair).get(url(setting))

    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("At the top RAG rating") < body.index("New event") < body.index("Other business")
    assert "Casey Agendaperson: rated Red" in body
    assert "govuk-tag--red" in body
    assert "Owned by Northmoor Police" in body
    assert RESTRICTED in body
    assert "relapsed" not in body
    assert "Missed three appointments" not in body
    assert "Refresh from the data" in body
    assert "Not built from the data yet" in body
    logged = AccessEvent.objects.get(user=setting.chair)
    assert logged.nominal_ids == [setting.person.pk]


def test_an_invited_user_who_is_not_a_chair_and_an_outsider_get_404(signed_in, client, setting):
    assert signed_in(setting.p.probation_officer).get(url(setting)).status_code == 404
    client.logout()
    assert signed_in(setting.p.outsider).get(url(setting)).status_code == 404
    assert signed_in(setting.chair).get("/meetings/999999999/agenda/").status_code == 404


def test_another_panel_chair_of_the_agency_running_the_meeting_may_deputise(signed_in, setting):
    deputy = UserFactory.create(agency=setting.p.police, roles=[Role.PANEL_CHAIR])
    assert signed_in(deputy).get(url(setting)).status_code == 200


def test_refresh_from_the_data_builds_the_agenda_and_says_what_changed(signed_in, setting):
    rag_assess(
        nominal=setting.person, rating=RagRating.objects.get(code="red"), rationale="Escalating", by=setting.p.officer
    )
    client = signed_in(setting.chair)

    response = client.post(url(setting, "refresh/"), follow=True)

    assert response.status_code == 200
    body = response.content.decode()
    assert "The agenda has been refreshed from the data" in body
    assert setting.meeting.items.filter(source_key=f"top_rag:{setting.person.pk}").exists()
    setting.meeting.refresh_from_db()
    assert setting.meeting.agenda_built_at is not None


def test_refreshing_a_held_meeting_is_refused_with_a_message(signed_in, setting):
    Meeting.objects.filter(pk=setting.meeting.pk).update(status=Meeting.Status.HELD)

    response = signed_in(setting.chair).post(url(setting, "refresh/"), follow=True)

    body = response.content.decode()
    assert "can only change while the meeting is scheduled or in progress" in body
    assert "Refresh from the data" not in body


def test_the_chair_removes_restores_and_moves_items(signed_in, setting):
    first, second = shared_item(setting, source_key="a:1"), shared_item(setting, source_key="a:2", title="Second")
    client = signed_in(setting.chair)

    response = client.post(url(setting, f"items/{second.pk}/move/"), {"direction": "up"})
    assert response.status_code == 302
    assert list(setting.meeting.items.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]

    client.post(url(setting, f"items/{first.pk}/remove/"))
    first.refresh_from_db()
    assert first.removed_by == setting.chair
    body = client.get(url(setting)).content.decode()
    assert "Taken off the agenda" in body
    assert "Put back on the agenda" in body

    client.post(url(setting, f"items/{first.pk}/restore/"))
    first.refresh_from_db()
    assert first.removed_at is None


def test_moving_past_the_end_of_a_section_or_a_bad_direction_says_why(signed_in, setting):
    only = shared_item(setting)
    client = signed_in(setting.chair)

    body = client.post(url(setting, f"items/{only.pk}/move/"), {"direction": "up"}, follow=True).content.decode()
    assert "already first in its section" in body
    body = client.post(url(setting, f"items/{only.pk}/move/"), {"direction": "sideways"}, follow=True).content.decode()
    assert "Choose whether to move the item up or down" in body


def test_an_item_of_another_meeting_is_not_found(signed_in, setting):
    other = MeetingFactory.create(chair=setting.chair, kind=MeetingKind.MAP)
    foreign = make_item(other, title="Elsewhere")

    response = signed_in(setting.chair).post(url(setting, f"items/{foreign.pk}/remove/"))

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.removed_at is None


def test_add_other_business_about_a_person_by_crn(signed_in, setting):
    from cohorts.records.services import nominal_update

    nominal_update(nominal=setting.person, by=setting.p.officer, crn="X123456")
    client = signed_in(setting.chair)
    assert client.get(url(setting, "add/")).status_code == 200

    response = client.post(
        url(setting, "add/"),
        {"title": "Housing referral", "summary": "Needs a bed", "person": "x123456", "category": "accommodation"},
    )

    assert response.status_code == 302
    added = setting.meeting.items.get(kind=AgendaItem.Kind.OTHER)
    assert (added.nominal, added.owning_agency, added.category.code) == (
        setting.person,
        setting.p.police,
        "accommodation",
    )


def test_add_other_business_shows_errors_and_keeps_what_was_typed(signed_in, setting):
    unseen = make_nominal(setting.p.outsider, crn="Z654321")
    client = signed_in(setting.chair)

    empty = client.post(url(setting, "add/"), {"title": "", "person": "", "category": ""})
    assert empty.status_code == 400
    assert "Enter what the item is about" in empty.content.decode()
    assert "govuk-error-summary" in empty.content.decode()

    response = client.post(url(setting, "add/"), {"title": "About someone", "person": unseen.crn, "category": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert "No person with that CRN, PNC ID or number that your agency may see" in body
    assert 'value="About someone"' in body
    assert not setting.meeting.items.exists()

    no_category = client.post(url(setting, "add/"), {"title": "About Casey", "person": str(setting.person.pk)})
    assert no_category.status_code == 400
    assert "Select what kind of information the item is about" in no_category.content.decode()


def test_the_agenda_page_runs_the_same_number_of_queries_for_5_and_60_items(signed_in, setting):
    client = signed_in(setting.chair)
    counts = []
    for total, batch in ((5, 5), (60, 55)):
        for _ in range(batch):
            shared_item(setting, source_key=f"k:{setting.meeting.items.count()}")
        drugs_key = f"drugs:{total}"
        make_item(
            setting.meeting,
            source_key=drugs_key,
            nominal=setting.person,
            owning_agency=setting.p.drugs,
            category=category("substance-misuse"),
            removed_at=timezone.now(),
            removed_by=setting.chair,
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(setting))
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="agenda-item"') == total + (1 if total == 5 else 2)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


# --- The API ----------------------------------------------------------------------------------------


def api(s: Setting, suffix: str = "") -> str:
    return f"/api/v1/meetings/{s.meeting.pk}/agenda/{suffix}"


def test_the_api_agenda_hides_the_content_of_items_the_callers_agency_may_not_see(signed_in, client, setting):
    shared = shared_item(setting)
    drugs = drugs_item(setting)

    as_probation = signed_in(setting.p.probation_officer).get(api(setting)).json()
    items = {item["id"]: item for item in as_probation["items"]}
    assert items[shared.pk]["restricted"] is False
    assert items[shared.pk]["title"] == "Casey Agendaperson: rated Red"
    assert items[drugs.pk] == {
        "id": drugs.pk,
        "position": drugs.position,
        "restricted": True,
        "kind": None,
        "kind_label": None,
        "origin": None,
        "title": None,
        "summary": None,
        "nominal": None,
        "owning_agency": None,
        "category": None,
        "on_agenda": True,
        "decided": False,
    }
    assert [item["id"] for item in as_probation["items"]] == [shared.pk, drugs.pk]
    client.logout()

    as_drugs = signed_in(setting.p.drugs_worker).get(api(setting)).json()
    # The drug service reads its own item, not the police's offending and risk information.
    assert {item["id"]: item["restricted"] for item in as_drugs["items"]} == {shared.pk: True, drugs.pk: False}
    client.logout()
    assert signed_in(setting.p.housing_worker).get(api(setting)).status_code == 404


def test_the_api_refresh_is_for_the_chair(signed_in, client, setting):
    referral = listed_referral(make_nominal(setting.p.officer), setting.p.officer, setting.p.officer)
    panel = MeetingFactory.create(
        chair=setting.chair,
        kind=MeetingKind.SELECTION_PANEL,
        date=timezone.localdate() + 7 * DAY,
        invited=[setting.p.probation],
    )

    assert (
        signed_in(setting.p.probation_officer).post(f"/api/v1/meetings/{panel.pk}/agenda/refresh/").status_code == 404
    )
    client.logout()
    response = signed_in(setting.chair).post(f"/api/v1/meetings/{panel.pk}/agenda/refresh/")

    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == [panel.items.get().title]
    assert panel.items.get().referral == referral
    assert response.json()["built_at"] is not None


def test_the_api_adds_other_business_with_field_errors_for_bad_input(signed_in, setting):
    unseen = make_nominal(setting.p.outsider)
    client = signed_in(setting.chair)

    missing = client.post(api(setting, "items/"), {}, content_type="application/json")
    assert missing.status_code == 400
    assert "title" in missing.json()
    hidden = client.post(
        api(setting, "items/"),
        {"title": "Who?", "nominal": unseen.pk, "category": "identity"},
        content_type="application/json",
    )
    assert hidden.status_code == 400
    assert "nominal" in hidden.json()["errors"]
    no_category = client.post(
        api(setting, "items/"), {"title": "Casey", "nominal": setting.person.pk}, content_type="application/json"
    )
    assert no_category.status_code == 400
    assert "category" in no_category.json()["errors"]

    created = client.post(
        api(setting, "items/"),
        {"title": "Casey's housing", "nominal": setting.person.pk, "category": "accommodation"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["owning_agency"] == "Northmoor Police"
    assert created.json()["category"] == "accommodation"


def test_the_api_removes_restores_and_moves_items(signed_in, setting):
    first, second = shared_item(setting, source_key="a:1"), shared_item(setting, source_key="a:2")
    client = signed_in(setting.chair)

    removed = client.post(api(setting, f"items/{first.pk}/remove/"))
    assert removed.status_code == 200
    assert removed.json()["on_agenda"] is False
    assert client.post(api(setting, f"items/{first.pk}/remove/")).status_code == 200  # twice: no change
    assert client.get(api(setting)).json()["items"][0]["id"] == second.pk
    assert client.post(api(setting, f"items/{first.pk}/restore/")).json()["on_agenda"] is True

    moved = client.post(api(setting, f"items/{second.pk}/move/"), {"direction": "up"}, content_type="application/json")
    assert moved.status_code == 200
    edge = client.post(api(setting, f"items/{second.pk}/move/"), {"direction": "up"}, content_type="application/json")
    assert edge.status_code == 409
    bad = client.post(api(setting, f"items/{second.pk}/move/"), {"direction": "left"}, content_type="application/json")
    assert "direction" in bad.json()["errors"]


def test_the_api_edits_are_not_found_for_a_user_who_may_not_chair(signed_in, setting):
    item = shared_item(setting)
    client = signed_in(setting.p.probation_officer)
    for suffix in ("items/", f"items/{item.pk}/remove/", f"items/{item.pk}/restore/", f"items/{item.pk}/move/"):
        assert (
            client.post(
                api(setting, suffix), {"title": "x", "direction": "up"}, content_type="application/json"
            ).status_code
            == 404
        )
    item.refresh_from_db()
    assert item.removed_at is None
