from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from cohorts.timeline.selectors import timeline_source_register
        from meetings import timeline as meeting_timeline
        from meetings.actions import services as actions
        from meetings.scheduling.panels import SELECTION_PANELS
        from referrals.panel_dates import panel_source_register

        # The scheduled selection panels a referral is listed for (referrals/panel_dates.py).
        panel_source_register(SELECTION_PANELS)

        # Actions set in meetings, on the person's timeline (meetings/actions/services.py).
        timeline_source_register(
            kind=actions.TIMELINE_KIND, label=actions.TIMELINE_LABEL, source=actions.actions_timeline
        )
        # Items discussed and decided in meetings, on the person's timeline (meetings/timeline.py).
        timeline_source_register(
            kind=meeting_timeline.KIND, label=meeting_timeline.LABEL, source=meeting_timeline.meetings_timeline
        )
