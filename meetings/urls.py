"""The meetings app's pages (urlpatterns, under /meetings/) and API endpoints (api_urlpatterns, under
/api/v1/), one group per part of the work; each part's views are in meetings/<part>/views.py and api.py."""

from django.urls import URLPattern, path

from meetings.actions import api as action_api
from meetings.actions import views as action_views
from meetings.agenda import api as agenda_api
from meetings.agenda import views as agenda_views
from meetings.minutes import api as minutes_api
from meetings.minutes import views as minutes_views
from meetings.running import api as run_api
from meetings.running import views as run_views
from meetings.scheduling import api as schedule_api
from meetings.scheduling import views as schedule_views

urlpatterns: list[URLPattern] = [
    # Scheduling, the calendar, the list and the meeting page
    path("", schedule_views.meeting_list, name="meeting-list"),
    path("calendar/", schedule_views.meeting_calendar, name="meeting-calendar"),
    path("new/", schedule_views.meeting_new, name="meeting-new"),
    path("series/new/", schedule_views.meeting_series_new, name="meeting-series-new"),
    path("series/<int:pk>/edit/", schedule_views.meeting_series_edit, name="meeting-series-edit"),
    path("<int:pk>/", schedule_views.meeting_detail, name="meeting-detail"),
    path("<int:pk>/edit/", schedule_views.meeting_edit, name="meeting-edit"),
    path("<int:pk>/cancel/", schedule_views.meeting_cancel_view, name="meeting-cancel"),
    # Building and editing the agenda
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
    # Running the meeting: attendance, confidentiality, notes, decisions, dissent
    path("<int:pk>/run/", run_views.meeting_run, name="meeting-run"),
    path("<int:pk>/run/start/", run_views.meeting_start_view, name="meeting-start"),
    path("<int:pk>/run/end/", run_views.meeting_end_view, name="meeting-end"),
    path("<int:pk>/run/attendance/", run_views.meeting_attendance, name="meeting-attendance"),
    path("<int:pk>/run/confidentiality/", run_views.meeting_confidentiality, name="meeting-confidentiality"),
    path("<int:pk>/run/items/<int:item_pk>/", run_views.run_item, name="meeting-run-item"),
    # Minutes, their distribution, and the meeting pack
    path("<int:pk>/minutes/", minutes_views.minutes_view, name="meeting-minutes"),
    path("<int:pk>/minutes/print/", minutes_views.minutes_print, name="meeting-minutes-print"),
    path("<int:pk>/minutes/approve/", minutes_views.minutes_approve_view, name="meeting-minutes-approve"),
    path("<int:pk>/pack/", minutes_views.pack_view, name="meeting-pack"),
    # Actions set in meetings
    path("actions/", action_views.actions_mine, name="meeting-actions-mine"),
    path("actions/<int:pk>/", action_views.action_detail, name="meeting-action-detail"),
    path("actions/<int:pk>/cancel/", action_views.action_cancel_view, name="meeting-action-cancel"),
    path("<int:pk>/actions/new/", action_views.action_new, name="meeting-action-new"),
    path("<int:pk>/items/<int:item_pk>/actions/new/", action_views.action_new, name="meeting-item-action-new"),
]

api_urlpatterns: list[URLPattern] = [
    # Scheduling, the calendar, the list and the meeting page
    path("meetings/", schedule_api.MeetingListView.as_view(), name="api-meeting-list"),
    path("meetings/<int:pk>/", schedule_api.MeetingDetailView.as_view(), name="api-meeting-detail"),
    path("meeting-series/", schedule_api.MeetingSeriesView.as_view(), name="api-meeting-series"),
    path(
        "meeting-series/<int:pk>/",
        schedule_api.MeetingSeriesDetailView.as_view(),
        name="api-meeting-series-detail",
    ),
    # Building and editing the agenda
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
    # Running the meeting: attendance, confidentiality, notes, decisions, dissent
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
    # Minutes, their distribution, and the meeting pack
    path("meetings/<int:pk>/minutes/", minutes_api.MinutesView.as_view(), name="api-meeting-minutes"),
    path(
        "meetings/<int:pk>/minutes/approve/",
        minutes_api.MinutesApproveView.as_view(),
        name="api-meeting-minutes-approve",
    ),
    path("meetings/<int:pk>/pack/", minutes_api.PackView.as_view(), name="api-meeting-pack"),
    # Actions set in meetings
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
