"""Pages and API of building and editing agendas (meetings/agenda/views.py, meetings/agenda/api.py).
Pages under /meetings/, the API under /api/v1/."""

from django.urls import URLPattern, URLResolver, path

from meetings.agenda import api as agenda_api
from meetings.agenda import views as agenda_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/agenda/", agenda_views.agenda_page, name="meeting-agenda"),
    path("<int:pk>/agenda/refresh/", agenda_views.agenda_refresh_view, name="meeting-agenda-refresh"),
    path("<int:pk>/agenda/add/", agenda_views.agenda_item_add_view, name="meeting-agenda-add"),
    path(
        "<int:pk>/agenda/items/<int:item_pk>/remove/",
        agenda_views.agenda_item_remove_view,
        name="meeting-agenda-item-remove",
    ),
    path(
        "<int:pk>/agenda/items/<int:item_pk>/restore/",
        agenda_views.agenda_item_restore_view,
        name="meeting-agenda-item-restore",
    ),
    path(
        "<int:pk>/agenda/items/<int:item_pk>/move/",
        agenda_views.agenda_item_move_view,
        name="meeting-agenda-item-move",
    ),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("meetings/<int:pk>/agenda/", agenda_api.MeetingAgendaView.as_view(), name="api-meeting-agenda"),
    path(
        "meetings/<int:pk>/agenda/refresh/",
        agenda_api.MeetingAgendaRefreshView.as_view(),
        name="api-meeting-agenda-refresh",
    ),
    path(
        "meetings/<int:pk>/agenda/items/",
        agenda_api.MeetingAgendaItemsView.as_view(),
        name="api-meeting-agenda-items",
    ),
    path(
        "meetings/<int:pk>/agenda/items/<int:item_pk>/remove/",
        agenda_api.MeetingAgendaItemRemoveView.as_view(),
        name="api-meeting-agenda-item-remove",
    ),
    path(
        "meetings/<int:pk>/agenda/items/<int:item_pk>/restore/",
        agenda_api.MeetingAgendaItemRestoreView.as_view(),
        name="api-meeting-agenda-item-restore",
    ),
    path(
        "meetings/<int:pk>/agenda/items/<int:item_pk>/move/",
        agenda_api.MeetingAgendaItemMoveView.as_view(),
        name="api-meeting-agenda-item-move",
    ),
]
