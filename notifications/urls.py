"""The inbox, its settings and the sweeps' operations page; included at the root from iom/urls.py."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("notifications/read/", views.notification_all_read, name="notification-all-read"),
    path("notifications/settings/", views.notification_preferences, name="notification-preferences"),
    path("operations/sweeps/", views.sweep_operations, name="sweep-operations"),
]
