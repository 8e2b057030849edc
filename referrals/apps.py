from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from cohorts.panels import person_page_panel_register
        from referrals.panels import referrals_panel

        person_page_panel_register(referrals_panel)
