"""The nominal's timeline (cohorts/timeline/views.py, cohorts/timeline/api.py). Pages (urlpatterns,
included at the root) and API endpoints (api_urlpatterns, under /api/v1/)."""

from django.urls import URLPattern, path

from cohorts.timeline import api as timeline_api
from cohorts.timeline import views as timeline_views

urlpatterns: list[URLPattern] = [
    path("people/<int:pk>/timeline/", timeline_views.nominal_timeline_view, name="nominal-timeline"),
]
api_urlpatterns: list[URLPattern] = [
    path("people/<int:pk>/timeline/", timeline_api.NominalTimelineView.as_view(), name="api-nominal-timeline"),
]
