from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from cohorts.records.panels import person_page_panel_register
        from cohorts.timeline.selectors import timeline_source_register
        from referrals import timeline
        from referrals.panels import referrals_panel

        person_page_panel_register(referrals_panel)
        timeline_source_register(kind=timeline.KIND, label=timeline.LABEL, source=timeline.referrals_timeline)
