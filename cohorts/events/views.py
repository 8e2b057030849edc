"""Pages of custody and court events: a person's events, recording one, and importing a CSV file of
them. Thin: parse, call cohorts/events/services.py, render. A person the user may not see is a 404; a person
in scope whom the user's role or agency may not record events about is a 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cohorts.events.forms import CustodyEventForm, EventImportForm
from cohorts.events.models import EventImport
from cohorts.events.services import (
    NOT_A_RECORDER,
    NOT_AN_IMPORTER,
    EventImportOutcome,
    csv_format,
    custody_event_record,
    event_import_get_for_user,
    event_imports_of_agency,
    events_for_user,
    events_import,
    latest_custody_event_is_release,
    may_import_events,
    may_record_events,
    previously_on_iom,
    refer_again_url,
    released_previously_on_iom,
)
from cohorts.models import AccessEvent
from cohorts.records.models import Nominal
from cohorts.records.panels import PanelResult
from cohorts.records.selectors import nominal_or_404
from cohorts.records.services import access_event_record, nominal_view_log
from sharing.http import signed_in_user
from sharing.models import User
from sharing.roles import may_refer
from ui.forms import attach_service_errors


def _reentry_offer(user: User, nominal: Nominal) -> str | None:
    """The offer "Previously on IOM: refer again", where the person's latest custody event is a
    release and they were on IOM before but are not now, for a user who refers people."""
    if not may_refer(user) or not previously_on_iom([nominal.pk]):
        return None
    return refer_again_url(nominal.pk) if latest_custody_event_is_release(nominal) else None


@require_GET
def nominal_events(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's custody and court events the user's agency may see, newest first; those withheld
    are counted. The view is logged."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    shown = events_for_user(user, nominal)
    nominal_view_log(user=user, nominal=nominal, categories=shown.categories_shown, path=request.path)
    return render(
        request,
        "cohorts/events/nominal_events.html",
        {
            "nominal": nominal,
            "events": shown.events,
            "withheld": shown.withheld,
            "may_record": may_record_events(user),
            "refer_again": _reentry_offer(user, nominal),
        },
    )


@require_http_methods(["GET", "POST"])
def custody_event_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an arrest, charge, remand, court outcome, sentence, recall or release; the person's
    custody status follows."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    if not may_record_events(user):
        raise PermissionDenied(NOT_A_RECORDER)
    form = CustodyEventForm(request.POST) if request.method == "POST" else CustodyEventForm()
    if request.method == "POST" and form.is_valid():
        try:
            recorded = custody_event_record(nominal=nominal, by=user, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            message = f"{recorded.event.item.summary}: recorded."
            if recorded.custody_changed:
                nominal.refresh_from_db(fields=["custody_status"])
                message += f" {nominal.full_name} is now {nominal.get_custody_status_display().lower()}."
            messages.success(request, message)
            return redirect("nominal-events", pk=nominal.pk)
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=["identity"], path=request.path)
    return render(
        request,
        "cohorts/events/event_form.html",
        {"nominal": nominal, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def event_import(request: HttpRequest) -> HttpResponse:
    """Import a CSV file of events: all its rows, or none and a report of every rejected row."""
    user = signed_in_user(request)
    if not may_import_events(user):
        raise PermissionDenied(NOT_AN_IMPORTER)
    form = EventImportForm(request.POST, request.FILES) if request.method == "POST" else EventImportForm()
    outcome: EventImportOutcome | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = events_import(by=user, file=upload.file, file_name=upload.name)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            if outcome.event_import is not None:
                return redirect("event-import-detail", import_pk=outcome.event_import.pk)
    rejected = bool(outcome and outcome.rejected)
    return render(
        request,
        "cohorts/events/event_import.html",
        {
            "form": form,
            "outcome": outcome,
            "columns": csv_format(),
            "imports": event_imports_of_agency(user),
        },
        status=400 if form.errors or rejected else 200,
    )


@require_GET
def event_import_detail(request: HttpRequest, import_pk: int) -> HttpResponse:
    """What an import of the user's agency recorded, and the people it released who were on IOM
    before: each is offered a new referral."""
    user = signed_in_user(request)
    if not may_import_events(user):
        raise PermissionDenied(NOT_AN_IMPORTER)
    try:
        event_import = event_import_get_for_user(user, import_pk)
    except EventImport.DoesNotExist as error:
        raise Http404("No such import") from error
    released = released_previously_on_iom(user, event_import)
    if released:
        access_event_record(
            user=user,
            action=AccessEvent.Action.VIEW,
            nominal_ids=[nominal.pk for nominal in released],
            categories=["identity"],
            path=request.path,
        )
    return render(
        request,
        "cohorts/events/event_import_detail.html",
        {
            "event_import": event_import,
            "released": [(nominal, refer_again_url(nominal.pk)) for nominal in released],
            "may_refer": may_refer(user),
        },
    )


PANEL_EVENTS = 3


def events_panel(request: HttpRequest, nominal: Nominal) -> PanelResult:
    """The person page's "Custody and court events" panel: the latest events the user's agency may
    see, how many are withheld, and where to see and record them (two queries)."""
    user = signed_in_user(request)
    shown = events_for_user(user, nominal, limit=PANEL_EVENTS)
    return "cohorts/events/_person_panel.html", {
        "latest_events": shown.events,
        "events_withheld": shown.withheld,
        "may_record_events": may_record_events(user),
    }
