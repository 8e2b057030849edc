"""Pages and API of scheduling, the calendar, the list and the meeting page (meetings/scheduling/views.py,
meetings/scheduling/api.py). Pages under /meetings/, the API under /api/v1/."""

from django.urls import URLPattern, URLResolver, path

from meetings.scheduling import api as schedule_api
from meetings.scheduling import views as schedule_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", schedule_views.meeting_list, name="meeting-list"),
    path("calendar/", schedule_views.meeting_calendar, name="meeting-calendar"),
    path("new/", schedule_views.meeting_new, name="meeting-new"),
    path("series/new/", schedule_views.meeting_series_new, name="meeting-series-new"),
    path("series/<int:pk>/edit/", schedule_views.meeting_series_edit, name="meeting-series-edit"),
    path("<int:pk>/", schedule_views.meeting_detail, name="meeting-detail"),
    path("<int:pk>/edit/", schedule_views.meeting_edit, name="meeting-edit"),
    path("<int:pk>/cancel/", schedule_views.meeting_cancel_view, name="meeting-cancel"),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("meetings/", schedule_api.MeetingListView.as_view(), name="api-meeting-list"),
    path("meetings/<int:pk>/", schedule_api.MeetingDetailView.as_view(), name="api-meeting-detail"),
    path("meeting-series/", schedule_api.MeetingSeriesView.as_view(), name="api-meeting-series"),
    path(
        "meeting-series/<int:pk>/",
        schedule_api.MeetingSeriesDetailView.as_view(),
        name="api-meeting-series-detail",
    ),
]
