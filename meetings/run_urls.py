"""Pages and API of running a meeting: attendance, confidentiality, notes, decisions, dissent."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

api_urlpatterns: list[URLPattern | URLResolver] = []
