"""The permission matrix's entries for the meetings' pages and endpoints (tests/permission_matrix.py
merges them), one file per part of the work."""

from __future__ import annotations

from tests.meetings.matrix_action import ENTRIES as ACTION
from tests.meetings.matrix_agenda import ENTRIES as AGENDA
from tests.meetings.matrix_minutes import ENTRIES as MINUTES
from tests.meetings.matrix_run import ENTRIES as RUN
from tests.meetings.matrix_schedule import ENTRIES as SCHEDULE
from tests.permission_matrix import Entry

MEETINGS_MATRIX: dict[str, Entry] = {**SCHEDULE, **AGENDA, **RUN, **MINUTES, **ACTION}
