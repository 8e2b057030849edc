"""What a reminder tells its recipient, as the inbox would tell it on a day (notifications/services.py)."""

from __future__ import annotations

import datetime

from notifications.services import Reminder, reminders_tell


def said(reminder: Reminder, on: datetime.date | None = None) -> str:
    """The text told to the reminder's recipient on the day; fails if they would be told nothing."""
    [text] = reminders_tell([reminder], on)
    assert text is not None, f"{reminder} tells its recipient nothing"
    return text
