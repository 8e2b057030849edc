from django.apps import AppConfig


class UiConfig(AppConfig):
    """The pages' shared building blocks, used by every app: GOV.UK form layouts and fields, the
    filter panel and its template tags, request helpers. It imports no app of the service."""

    default = True
    name = "ui"
    verbose_name = "Page building blocks"
