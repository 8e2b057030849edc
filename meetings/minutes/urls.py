"""Pages and API of minutes, their distribution, and the meeting pack (meetings/minutes/views.py,
meetings/minutes/api.py). Pages under /meetings/, the API under /api/v1/."""

from django.urls import URLPattern, URLResolver, path

from meetings.minutes import api as minutes_api
from meetings.minutes import views as minutes_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/minutes/", minutes_views.minutes_view, name="meeting-minutes"),
    path("<int:pk>/minutes/print/", minutes_views.minutes_print, name="meeting-minutes-print"),
    path("<int:pk>/minutes/approve/", minutes_views.minutes_approve_view, name="meeting-minutes-approve"),
    path("<int:pk>/pack/", minutes_views.pack_view, name="meeting-pack"),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("meetings/<int:pk>/minutes/", minutes_api.MinutesView.as_view(), name="api-meeting-minutes"),
    path(
        "meetings/<int:pk>/minutes/approve/",
        minutes_api.MinutesApproveView.as_view(),
        name="api-meeting-minutes-approve",
    ),
    path("meetings/<int:pk>/pack/", minutes_api.PackView.as_view(), name="api-meeting-pack"),
]
