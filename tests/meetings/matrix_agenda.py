"""Permission matrix entries of the agenda group of meetings/urls.py
(see tests/permission_matrix.py, MeetingData).

The chair's pages and endpoints are chair_only: the meeting's chair and the panel chairs of the agency
running it reach them; invited users get 404, as if the meeting did not exist. POST pages answer with
a redirect to the agenda whatever the service says (its refusal shows there as a message). Removing
and restoring are idempotent (a second call changes nothing), so the matrix may call them in any order.
Reading the agenda through the API is open to everyone who may see the meeting, restricted items
hiding their content (tests/meetings/test_agenda_pages.py). The entries use the scenario's scheduled
meeting (tests/meetings/scenario.py): an agenda changes only while the meeting is scheduled or in
progress, and its item (added by the chair, not discussed) may be removed, restored and moved."""

from __future__ import annotations

from tests.permission_matrix import Entry, Exempt, MeetingData

JSON = "application/json"

ENTRIES: dict[str, Entry] = {
    "meeting-agenda": MeetingData(lambda s: f"/meetings/{s.scheduled_meeting_pk}/agenda/", chair_only=True),
    "meeting-agenda-refresh": MeetingData(
        lambda s: f"/meetings/{s.scheduled_meeting_pk}/agenda/refresh/", method="post", chair_only=True, ok_status=302
    ),
    "meeting-agenda-add": MeetingData(lambda s: f"/meetings/{s.scheduled_meeting_pk}/agenda/add/", chair_only=True),
    "meeting-agenda-item-remove": MeetingData(
        lambda s: f"/meetings/{s.scheduled_meeting_pk}/agenda/items/{s.scheduled_item_pk}/remove/",
        method="post",
        chair_only=True,
        ok_status=302,
    ),
    "meeting-agenda-item-restore": MeetingData(
        lambda s: f"/meetings/{s.scheduled_meeting_pk}/agenda/items/{s.scheduled_item_pk}/restore/",
        method="post",
        chair_only=True,
        ok_status=302,
    ),
    "meeting-agenda-item-move": MeetingData(
        lambda s: f"/meetings/{s.scheduled_meeting_pk}/agenda/items/{s.scheduled_item_pk}/move/",
        method="post",
        data={"direction": "up"},
        chair_only=True,
        ok_status=302,
    ),
    "api-meeting-agenda": MeetingData(lambda s: f"/api/v1/meetings/{s.scheduled_meeting_pk}/agenda/", api=True),
    "api-meeting-agenda-refresh": MeetingData(
        lambda s: f"/api/v1/meetings/{s.scheduled_meeting_pk}/agenda/refresh/",
        method="post",
        content_type=JSON,
        api=True,
        chair_only=True,
    ),
    "api-meeting-agenda-items": MeetingData(
        lambda s: f"/api/v1/meetings/{s.scheduled_meeting_pk}/agenda/items/",
        method="post",
        data={"title": "Date of the next meeting"},
        content_type=JSON,
        api=True,
        chair_only=True,
        ok_status=201,
    ),
    "api-meeting-agenda-item-remove": MeetingData(
        lambda s: f"/api/v1/meetings/{s.scheduled_meeting_pk}/agenda/items/{s.scheduled_item_pk}/remove/",
        method="post",
        content_type=JSON,
        api=True,
        chair_only=True,
    ),
    "api-meeting-agenda-item-restore": MeetingData(
        lambda s: f"/api/v1/meetings/{s.scheduled_meeting_pk}/agenda/items/{s.scheduled_item_pk}/restore/",
        method="post",
        content_type=JSON,
        api=True,
        chair_only=True,
    ),
    # Moving answers 400 at the top or bottom of a section, which depends on the scenario's items.
    "api-meeting-agenda-item-move": Exempt(
        "the chair only (others 404); 200, or 400 at the edge of a section",
        covered_by="tests/meetings/test_agenda_pages.py",
    ),
}
