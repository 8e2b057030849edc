from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Development only: the demo data (seed_demo), the benchmark and the local launcher.

    Installed only when IOM_DEVELOPMENT is set; the production image does not copy it.
    """

    default = True
    name = "demo"
    verbose_name = "Demo data and benchmark (development only)"
