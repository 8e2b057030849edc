"""Permission matrix entries of the minutes group of meetings/urls.py
(see tests/permission_matrix.py, MeetingData).

Minutes are read on the scenario's approved meeting (everyone who sees it: their agency's version);
approving is the chair's, on the held meeting whose minutes are in draft; the pack on the meeting
still to come (tests/meetings/scenario.py)."""

from __future__ import annotations

from tests.permission_matrix import Entry, MeetingData

ENTRIES: dict[str, Entry] = {
    "meeting-minutes": MeetingData(lambda s: f"/meetings/{s.approved_meeting_pk}/minutes/"),
    "meeting-minutes-print": MeetingData(lambda s: f"/meetings/{s.approved_meeting_pk}/minutes/print/"),
    "meeting-minutes-approve": MeetingData(
        lambda s: f"/meetings/{s.meeting_pk}/minutes/approve/",
        method="post",
        data={"version": "1"},
        chair_only=True,
        ok_status=302,
    ),
    "meeting-pack": MeetingData(lambda s: f"/meetings/{s.scheduled_meeting_pk}/pack/"),
    "api-meeting-minutes": MeetingData(lambda s: f"/api/v1/meetings/{s.approved_meeting_pk}/minutes/", api=True),
    "api-meeting-minutes-approve": MeetingData(
        lambda s: f"/api/v1/meetings/{s.meeting_pk}/minutes/approve/",
        method="post",
        data={"version": "1"},
        content_type="application/json",
        api=True,
        chair_only=True,
    ),
    "api-meeting-pack": MeetingData(lambda s: f"/api/v1/meetings/{s.scheduled_meeting_pk}/pack/", api=True),
}
