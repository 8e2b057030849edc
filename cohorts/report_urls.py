"""Pages (urlpatterns, included at the root) and API endpoints (api_urlpatterns, under /api/v1/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
api_urlpatterns: list[URLPattern] = []
