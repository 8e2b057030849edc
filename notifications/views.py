"""The notifications inbox, its settings, and the sweeps' operations page. Thin: parse,
call notifications/services.py or notifications/sweeps.py, render."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications.models import Notification
from notifications.outbox import outbox_backlog
from notifications.services import (
    due_this_week,
    inbox_groups,
    inbox_listed,
    notification_get_for_user,
    notification_read,
    notifications_all_read,
    notifications_tell,
    preferences_of,
    preferences_save,
    unread_count,
)
from notifications.sweeps import sweep_statuses
from sharing.http import signed_in_user
from sharing.roles import Role

PAGE_SIZE = 50
WITHDRAWN = "This notification is withdrawn: you can no longer see what it was about."


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The inbox: each notification told now, through the sharing rules (one withdrawn says so).
    Many unread of one kind are one entry ("47 x Supervisor review overdue") opening on their list
    (?kind=); ?due=week lists what is due within a week, the overdue first."""
    user = signed_in_user(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Notification.Kind.values else ""
    week = request.GET.get("due") == "week" and not kind
    today = timezone.localdate()
    groups = [] if kind or week else inbox_groups(user)
    listed = inbox_listed(
        user,
        kind=kind,
        due_by=today + datetime.timedelta(days=7) if week else None,
        grouped=[group.kind for group in groups],
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    told = notifications_tell(user, page.object_list)
    rows = list(zip(page.object_list, told, strict=True))
    query = f"kind={kind}&" if kind else ("due=week&" if week else "")
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "rows": rows,
            "unread": unread_count(user),
            "groups": groups,
            "kind_label": Notification.Kind(kind).label if kind else "",
            "week": week,
            "due_this_week": due_this_week(user, today),
            "query": query,
        },
    )


@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification: it is read, and the user lands on the thing due; on one withdrawn since
    (its subject no longer theirs to see), back in the inbox, told so without naming anyone."""
    user = signed_in_user(request)
    notification = notification_read(notification=notification_get_for_user(user, pk))
    if notifications_tell(user, [notification]) == [None]:
        messages.info(request, WITHDRAWN)
        return redirect("notification-list")
    target = notification.link
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):  # only paths of this service
        target = "/"
    return redirect(target)


@require_POST
def notification_all_read(request: HttpRequest) -> HttpResponse:
    marked = notifications_all_read(user=signed_in_user(request))
    messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked as read.")
    return redirect("notification-list")


class PreferencesForm(forms.Form):
    """How each kind of notification reaches the user."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for kind, label in Notification.Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=Notification.Delivery.choices, widget=forms.RadioSelect
            )


@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = PreferencesForm(request.POST or None, initial=preferences_of(user))
    if request.method == "POST" and form.is_valid():
        preferences_save(user=user, deliveries=form.cleaned_data)
        messages.success(request, "Your notification settings are saved.")
        return redirect("notification-preferences")
    return render(request, "notifications/preferences.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def sweep_operations(request: HttpRequest) -> HttpResponse:
    """Each sweep's last run, duration, what it found, stored and emailed, how it ended, and the
    outbox's backlog: for system admins."""
    user = signed_in_user(request)
    if not user.has_role(Role.SYSTEM_ADMIN):
        raise PermissionDenied("The sweeps' operations are for system administrators.")
    backlog = outbox_backlog()
    late = backlog.age is not None and backlog.age.total_seconds() > settings.IOM_OUTBOX_LATE_AFTER
    return render(
        request, "notifications/sweeps.html", {"statuses": sweep_statuses(), "backlog": backlog, "outbox_late": late}
    )
