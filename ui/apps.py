from django.apps import AppConfig


class UiConfig(AppConfig):
    """The pages' shared building blocks, used by every app: GOV.UK form layouts and fields, the
    filter panel and its template tags, request helpers. It imports no app of the service."""

    default = True
    name = "ui"
    verbose_name = "Page building blocks"

    def ready(self) -> None:
        # A model's date in a ModelSerializer is an API date under the service's date rules too, as
        # every date a serializer declares is (ui/dates.py; tested over every serializer).
        from django.db import models
        from rest_framework.serializers import ModelSerializer

        from ui.dates import ApiDateField

        ModelSerializer.serializer_field_mapping[models.DateField] = ApiDateField
