"""Custody and court events (cohorts/events/views.py), under /people/ (iom/urls.py includes this
before cohorts/records/urls.py)."""

from django.urls import path

from cohorts.events import views as event_views

urlpatterns = [
    path("events/import/", event_views.event_import, name="event-import"),
    path("events/imports/<int:import_pk>/", event_views.event_import_detail, name="event-import-detail"),
    path("<int:pk>/events/", event_views.nominal_events, name="nominal-events"),
    path("<int:pk>/events/new/", event_views.custody_event_new, name="custody-event-new"),
]
