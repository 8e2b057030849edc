"""Pages and API of actions set in meetings (meetings/actions/views.py, meetings/actions/api.py). Pages
under /meetings/, the API under /api/v1/."""

from django.urls import URLPattern, URLResolver, path

from meetings.actions import api as action_api
from meetings.actions import views as action_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("actions/", action_views.actions_mine, name="meeting-actions-mine"),
    path("actions/<int:pk>/", action_views.action_detail, name="meeting-action-detail"),
    path("actions/<int:pk>/cancel/", action_views.action_cancel_view, name="meeting-action-cancel"),
    path("<int:pk>/actions/new/", action_views.action_new, name="meeting-action-new"),
    path("<int:pk>/items/<int:item_pk>/actions/new/", action_views.action_new, name="meeting-item-action-new"),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("meetings/actions/", action_api.MyActionsView.as_view(), name="api-meeting-actions-mine"),
    path("meetings/actions/<int:pk>/", action_api.ActionDetailView.as_view(), name="api-meeting-action-detail"),
    path(
        "meetings/actions/<int:pk>/complete/",
        action_api.ActionCompleteView.as_view(),
        name="api-meeting-action-complete",
    ),
    path("meetings/actions/<int:pk>/cancel/", action_api.ActionCancelView.as_view(), name="api-meeting-action-cancel"),
    path("meetings/<int:pk>/actions/", action_api.MeetingActionsView.as_view(), name="api-meeting-actions"),
]
