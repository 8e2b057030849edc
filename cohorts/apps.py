from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = "Cohorts"

    def ready(self) -> None:
        from cohorts import receivers  # noqa: F401  (grants in step with agreements; lockouts logged)
        from cohorts.deregistration.views import deregistration_panel
        from cohorts.events.views import events_panel
        from cohorts.records.panels import person_page_panel_register
        from cohorts.report.views import report_panel
        from cohorts.tags.views import tag_panel
        from cohorts.transitions.views import transition_panel

        person_page_panel_register(events_panel)  # custody and court events (cohorts/events/services.py)
        person_page_panel_register(report_panel)  # the management report
        person_page_panel_register(deregistration_panel)
        person_page_panel_register(tag_panel)  # GPS tags
        person_page_panel_register(transition_panel)
