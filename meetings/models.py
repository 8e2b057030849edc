"""The meetings app's models module: each capability's models (scheduling, agenda, running,
minutes, actions) imported so that Django finds them all.
"""

from meetings.actions.models import MeetingAction  # noqa: F401
from meetings.agenda.models import AgendaItem  # noqa: F401
from meetings.minutes.models import MinutesDistribution  # noqa: F401
from meetings.running.models import Attendance, Dissent  # noqa: F401
from meetings.scheduling.models import DEFAULT_CONFIDENTIALITY_STATEMENT, Meeting, MeetingKind, MeetingSeries  # noqa: F401
