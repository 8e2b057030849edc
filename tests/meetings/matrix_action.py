"""Permission matrix entries of the actions group of meetings/urls.py
(see tests/permission_matrix.py, MeetingData).

The scenario's action (tests/meetings/scenario.py) is owned by the probation officer, on an item the
probation service may see: everyone who sees its meeting reads it; only its owner or a chair marks
it done, and only a chair cancels it (others who see it: 403; the owner is run in
tests/meetings/test_actions_pages.py). Setting an action is the chair's (chair_only)."""

from __future__ import annotations

from tests.permission_matrix import Entry, MeetingData, SignedIn

NOBODY_BUT_THE_CHAIR: frozenset = frozenset()

ENTRIES: dict[str, Entry] = {
    "meeting-actions-mine": SignedIn("/meetings/actions/"),
    "api-meeting-actions-mine": SignedIn("/api/v1/meetings/actions/", api=True),
    "meeting-action-detail": MeetingData(lambda s: f"/meetings/actions/{s.action_pk}/"),
    "meeting-action-cancel": MeetingData(
        lambda s: f"/meetings/actions/{s.action_pk}/cancel/", roles=NOBODY_BUT_THE_CHAIR
    ),
    "meeting-action-new": MeetingData(lambda s: f"/meetings/{s.meeting_pk}/actions/new/", chair_only=True),
    "meeting-item-action-new": MeetingData(
        lambda s: f"/meetings/{s.meeting_pk}/items/{s.item_pk}/actions/new/", chair_only=True
    ),
    "api-meeting-action-detail": MeetingData(lambda s: f"/api/v1/meetings/actions/{s.action_pk}/", api=True),
    "api-meeting-action-complete": MeetingData(
        lambda s: f"/api/v1/meetings/actions/{s.action_pk}/complete/",
        method="post",
        data={"note": "Visited on Tuesday", "version": "1"},
        content_type="application/json",
        api=True,
        roles=NOBODY_BUT_THE_CHAIR,
    ),
    "api-meeting-action-cancel": MeetingData(
        lambda s: f"/api/v1/meetings/actions/{s.action_pk}/cancel/",
        method="post",
        data={"note": "No longer needed", "version": "1"},
        content_type="application/json",
        api=True,
        roles=NOBODY_BUT_THE_CHAIR,
    ),
    # GET: everyone who sees the meeting (restricted actions marked). POST (set one) is the chair's:
    # run in tests/meetings/test_actions_api.py.
    "api-meeting-actions": MeetingData(lambda s: f"/api/v1/meetings/{s.meeting_pk}/actions/", api=True),
}
