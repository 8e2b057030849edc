from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = "Cohorts"

    def ready(self) -> None:
        from cohorts import receivers  # noqa: F401  (keeps grants in step with agreements)
