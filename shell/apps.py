from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ShellConfig(AppConfig):
    """The service's shell: home, sign-in, the pages' frame, shared form fields, health."""

    default = True
    name = "shell"
    verbose_name = "IOM service"

    def ready(self) -> None:
        from shell import signals  # noqa: F401  (connects the sign-in receiver)


class IOMAdminConfig(admin_apps.AdminConfig):
    """Django admin with the service's own site class (system administrators only)."""

    default = False
    default_site = "shell.admin_site.IOMAdminSite"
