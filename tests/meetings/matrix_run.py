"""Permission matrix entries of the running group of meetings/urls.py
(see tests/permission_matrix.py, MeetingData).

Run mode is the chair's only (chair_only: invited people get 404, as if it did not exist). Pages and
reads are on the scenario's held meeting (its minutes in draft, the record open) and its item;
starting is on the meeting still to come (tests/meetings/scenario.py). Where the scenario's state
refuses an action once the chair is let through (ending a held meeting, recording the statement a
second time), the answer is 409 (the API) or a redirect with the message (the pages); a dissent
without a person is 400."""

from __future__ import annotations

from tests.permission_matrix import Entry, MeetingData

JSON = "application/json"

ENTRIES: dict[str, Entry] = {
    "meeting-run": MeetingData(lambda s: f"/meetings/{s.meeting_pk}/run/", chair_only=True),
    "meeting-start": MeetingData(
        lambda s: f"/meetings/{s.scheduled_meeting_pk}/run/start/", method="post", chair_only=True, ok_status=302
    ),
    "meeting-end": MeetingData(
        lambda s: f"/meetings/{s.meeting_pk}/run/end/", method="post", chair_only=True, ok_status=302
    ),
    "meeting-attendance": MeetingData(lambda s: f"/meetings/{s.meeting_pk}/run/attendance/", chair_only=True),
    "meeting-confidentiality": MeetingData(lambda s: f"/meetings/{s.meeting_pk}/run/confidentiality/", chair_only=True),
    "meeting-run-item": MeetingData(lambda s: f"/meetings/{s.meeting_pk}/run/items/{s.item_pk}/", chair_only=True),
    "api-meeting-start": MeetingData(
        lambda s: f"/api/v1/meetings/{s.scheduled_meeting_pk}/start/",
        method="post",
        content_type=JSON,
        api=True,
        chair_only=True,
    ),
    "api-meeting-end": MeetingData(
        lambda s: f"/api/v1/meetings/{s.meeting_pk}/end/",
        method="post",
        content_type=JSON,
        api=True,
        chair_only=True,
        ok_status=409,
    ),
    # Read by anyone who may see the meeting (its minutes name who attended); recorded by the chair
    # only (tests/meetings/test_run_api.py).
    "api-meeting-attendance": MeetingData(lambda s: f"/api/v1/meetings/{s.meeting_pk}/attendance/", api=True),
    "api-meeting-confidentiality": MeetingData(
        lambda s: f"/api/v1/meetings/{s.meeting_pk}/confidentiality/",
        method="post",
        content_type=JSON,
        api=True,
        chair_only=True,
        ok_status=409,
    ),
    "api-meeting-run-item": MeetingData(
        lambda s: f"/api/v1/meetings/{s.meeting_pk}/items/{s.item_pk}/", api=True, chair_only=True
    ),
    "api-meeting-item-decision": MeetingData(
        lambda s: f"/api/v1/meetings/{s.meeting_pk}/items/{s.item_pk}/decision/",
        method="post",
        data={"outcome": "Noted by the panel"},
        content_type=JSON,
        api=True,
        chair_only=True,
        ok_status=201,
    ),
    "api-meeting-item-dissents": MeetingData(
        lambda s: f"/api/v1/meetings/{s.meeting_pk}/items/{s.item_pk}/dissents/",
        method="post",
        data={"reason": "Not persuaded"},
        content_type=JSON,
        api=True,
        chair_only=True,
        ok_status=400,
    ),
}
