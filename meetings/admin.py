"""System administration of the meetings: read only. Meetings are scheduled, run and minuted through
the pages and services, where the rules, the version checks and the access log apply. Agenda items,
actions and dissents are not shown here: they hold what is known about people, which only the
sharing rules may show (meetings/access.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from meetings.minutes.models import MinutesDistribution
from meetings.running.models import Attendance
from meetings.scheduling.models import Meeting, MeetingSeries
from sharing.roles import Role


class ReadOnlyAdmin(admin.ModelAdmin):
    """Seen by system administrators, changed by no one here."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or user.has_role(Role.SYSTEM_ADMIN)))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "frequency", "first_date", "until", "chair", "agency"]
    list_filter = ["kind", "frequency", "agency"]
    search_fields = ["title"]
    list_select_related = ["chair", "agency"]
    exclude = ["invited_people"]
    readonly_fields = ["created_by", "created_at"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ("person", "agency", "status", "acknowledged_confidentiality", "recorded_at")
    readonly_fields = ("person", "agency", "status", "acknowledged_confidentiality", "recorded_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "date", "starts_at", "status", "chair", "agency"]
    list_filter = ["kind", "status", "agency"]
    search_fields = ["title"]
    date_hierarchy = "date"
    list_select_related = ["chair", "agency"]
    exclude = ["invited_people"]
    inlines = [AttendanceInline]


@admin.register(MinutesDistribution)
class MinutesDistributionAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "recipient", "agency", "sent_at", "items_shown", "items_restricted"]
    list_filter = ["agency"]
    list_select_related = ["meeting", "recipient", "agency"]
    exclude = ["nominal_ids"]
