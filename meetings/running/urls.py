"""Pages and API of running a meeting: attendance, confidentiality, notes, decisions, dissent
(meetings/running/views.py, meetings/running/api.py). Pages under /meetings/, the API under /api/v1/."""

from django.urls import URLPattern, URLResolver, path

from meetings.running import api as run_api
from meetings.running import views as run_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/run/", run_views.meeting_run, name="meeting-run"),
    path("<int:pk>/run/start/", run_views.meeting_start_view, name="meeting-start"),
    path("<int:pk>/run/end/", run_views.meeting_end_view, name="meeting-end"),
    path("<int:pk>/run/attendance/", run_views.meeting_attendance, name="meeting-attendance"),
    path("<int:pk>/run/confidentiality/", run_views.meeting_confidentiality, name="meeting-confidentiality"),
    path("<int:pk>/run/items/<int:item_pk>/", run_views.run_item, name="meeting-run-item"),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("meetings/<int:pk>/start/", run_api.MeetingStartView.as_view(), name="api-meeting-start"),
    path("meetings/<int:pk>/end/", run_api.MeetingEndView.as_view(), name="api-meeting-end"),
    path("meetings/<int:pk>/attendance/", run_api.MeetingAttendanceView.as_view(), name="api-meeting-attendance"),
    path(
        "meetings/<int:pk>/confidentiality/",
        run_api.MeetingConfidentialityView.as_view(),
        name="api-meeting-confidentiality",
    ),
    path("meetings/<int:pk>/items/<int:item_pk>/", run_api.RunItemView.as_view(), name="api-meeting-run-item"),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/decision/",
        run_api.RunItemDecisionView.as_view(),
        name="api-meeting-item-decision",
    ),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/dissents/",
        run_api.RunItemDissentsView.as_view(),
        name="api-meeting-item-dissents",
    ),
]
