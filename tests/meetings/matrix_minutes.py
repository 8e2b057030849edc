"""Permission matrix entries of meetings/minutes_urls.py (see tests/permission_matrix.py, MeetingData)."""

from __future__ import annotations

from tests.permission_matrix import Entry

ENTRIES: dict[str, Entry] = {}
