"""Permission matrix entries of the scheduling group of meetings/urls.py (see tests/permission_matrix.py,
MeetingData)."""

from __future__ import annotations

from sharing.roles import Role
from tests.permission_matrix import Entry, Exempt, MeetingData, RolesOnly, SignedIn

PANEL_CHAIRS = frozenset({Role.PANEL_CHAIR})

ENTRIES: dict[str, Entry] = {
    # The list and the calendar show each user only the meetings they may see
    # (tests/meetings/test_schedule_pages.py checks no other meeting appears).
    "meeting-list": SignedIn("/meetings/"),
    "meeting-calendar": SignedIn("/meetings/calendar/"),
    "meeting-new": RolesOnly("/meetings/new/", PANEL_CHAIRS),
    "meeting-series-new": RolesOnly("/meetings/series/new/", PANEL_CHAIRS),
    "meeting-detail": MeetingData(lambda s: f"/meetings/{s.meeting_pk}/"),
    "meeting-edit": MeetingData(lambda s: f"/meetings/{s.meeting_pk}/edit/", chair_only=True),
    "meeting-cancel": MeetingData(lambda s: f"/meetings/{s.meeting_pk}/cancel/", chair_only=True),
    # The scenario's series (series_pk): its chair changes it; those invited to its meetings get 404.
    "meeting-series-edit": MeetingData(lambda s: f"/meetings/series/{s.series_pk}/edit/", chair_only=True),
    # The API: the list shows only the meetings the caller may see (tests/meetings/test_schedule_api.py).
    "api-meeting-list": SignedIn("/api/v1/meetings/", api=True),
    "api-meeting-detail": MeetingData(lambda s: f"/api/v1/meetings/{s.meeting_pk}/", api=True),
    # Read by whoever may see its meetings; PATCH (its chair only, others who see it 403) is run in
    # tests/meetings/test_series_edit.py.
    "api-meeting-series-detail": MeetingData(lambda s: f"/api/v1/meeting-series/{s.series_pk}/", api=True),
    "api-meeting-series": Exempt(
        "POST-only: panel chairs schedule a series, other roles 403", covered_by="tests/meetings/test_schedule_api.py"
    ),
}
