from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class IomConfig(AppConfig):
    default = True
    name = "iom"
    verbose_name = "IOM service"

    def ready(self) -> None:
        from iom import signals  # noqa: F401  (connects the sign-in receiver)


class IOMAdminConfig(admin_apps.AdminConfig):
    """Django admin with the service's own site class (system administrators only)."""

    default = False
    default_site = "iom.admin_site.IOMAdminSite"
