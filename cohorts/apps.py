from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = "Cohorts"

    def ready(self) -> None:
        from cohorts import receivers  # noqa: F401  (grants in step with agreements; lockouts logged)
        from cohorts.event_views import events_panel
        from cohorts.panels import person_page_panel_register

        person_page_panel_register(events_panel)  # custody and court events (cohorts/events.py)
        person_page_panel_register(__import__("cohorts.report_views").report_views.report_panel)  # management report
        person_page_panel_register(__import__("cohorts.deregistration_views").deregistration_views.deregistration_panel)
        person_page_panel_register(__import__("cohorts.tag_views").tag_views.tag_panel)  # GPS tag
        person_page_panel_register(__import__("cohorts.transition_views").transition_views.transition_panel)
