"""Run mode, for the chair (meetings.access.may_chair; anyone else gets 404, as if the
meeting did not exist): the agenda with each item's state, start and end, attendance, the
confidentiality statement, and one item's page (notes, the decision, dissent). Thin: parse, call
meetings/running/services.py, render. Refusals show on the page with what was typed kept."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cohorts.records.services import nominal_search_log, nominal_view_log
from meetings.access import meeting_get_to_chair
from meetings.agenda.models import AgendaItem
from meetings.running.forms import (
    AddAttendeeForm,
    AttendanceForm,
    CohortDecisionForm,
    DissentForm,
    ItemDeregistrationForm,
    NotesForm,
    ReferralDecisionForm,
    UrgentRatifyForm,
)
from meetings.running.models import Attendance
from meetings.running.services import (
    COHORT_KINDS,
    attendance_record,
    attendance_roster,
    attendees_addable,
    confidentiality_record,
    dissent_record,
    dissents_of,
    item_decide_cohort,
    item_decide_deregistration,
    item_decide_referral,
    item_notes_save,
    item_ratify_urgent,
    meeting_end,
    meeting_start,
    present_attendees,
    run_item_get,
    run_items,
    statement_of,
)
from meetings.scheduling.models import Meeting
from referrals.workflow_forms import DecisionChoices
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.http import signed_in_user
from sharing.models import User
from ui.forms import attach_service_errors, kept_unchecked


def _meeting(request: HttpRequest, pk: int) -> tuple[User, Meeting]:
    user = signed_in_user(request)
    return user, meeting_get_to_chair(user, pk)


def _log_items_listed(request: HttpRequest, user: User, items: list[AgendaItem]) -> None:
    """The agenda names people: log whose items were shown (as a list of search results is)."""
    visible = [item for item in items if getattr(item, "visible", False)]
    shown = sorted({item.nominal_id for item in visible if item.nominal_id})
    nominal_search_log(
        user=user,
        nominal_ids=shown,
        categories=sorted({item.category.code for item in visible if item.category}),
        path=request.path,
    )


@require_http_methods(["GET"])
def meeting_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Run mode: the meeting's state, attendance and statement at a glance, and the agenda with each
    item's state. A fixed number of queries whatever the length of the agenda."""
    user, meeting = _meeting(request, pk)
    items = run_items(meeting, user.agency)
    _log_items_listed(request, user, items)
    counts = dict.fromkeys(Attendance.Status.values, 0)
    for status in meeting.attendances.values_list("status", flat=True):
        counts[status] += 1
    return render(
        request,
        "meetings/run/meeting.html",
        {
            "meeting": meeting,
            # Held before it was put in: starting it now records it, its pages saying both days.
            "date_passed": meeting.status == Meeting.Status.SCHEDULED and meeting.date < timezone.localdate(),
            "items": items,
            "decided": sum(1 for item in items if item.decided_at),
            "present": counts[Attendance.Status.PRESENT],
            "apologies": counts[Attendance.Status.APOLOGIES],
            "absent": counts[Attendance.Status.ABSENT],
        },
    )


@require_POST
def meeting_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _meeting(request, pk)
    try:
        started = meeting_start(meeting=meeting, by=user)
    except (StateError, NotAllowed) as refused:
        messages.error(request, str(refused))
    else:
        if started.recorded_on:
            messages.success(
                request,
                f"You are recording the meeting held on {started.date:%-d %B %Y}. Record who attended, then the "
                "confidentiality statement as read, then the decisions.",
            )
        else:
            messages.success(
                request, "The meeting has started. Record attendance, then read the confidentiality statement."
            )
    return redirect("meeting-run", pk=meeting.pk)


@require_POST
def meeting_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _meeting(request, pk)
    try:
        meeting_end(meeting=meeting, by=user)
    except (StateError, NotAllowed) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, "The meeting has ended. Open items can still be recorded until the minutes are approved."
        )
    return redirect("meeting-run", pk=meeting.pk)


@require_http_methods(["GET", "POST"])
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Who came, by agency: present, apologies or absent for each person listed, and add someone of an
    invited agency. Agencies invited with nobody present show as not represented."""
    user, meeting = _meeting(request, pk)
    roster = attendance_roster(meeting)
    people = [person for group in roster for person, _ in group.rows]
    addable = attendees_addable(meeting)
    adding = request.method == "POST" and "add" in request.POST
    form = AttendanceForm(request.POST if request.method == "POST" and not adding else None, people=people)
    add_form = AddAttendeeForm(request.POST if adding else None, people=addable)
    refusal = ""
    if request.method == "POST":
        bound = add_form if adding else form
        if bound.is_valid():
            entries = [(add_form.chosen(), add_form.cleaned_data["status"])] if adding else form.entries()
            try:
                attendance_record(meeting=meeting, by=user, entries=entries)
            except ValidationError as error:
                attach_service_errors(bound, error)
            except (StateError, NotAllowed) as refused:
                refusal = str(refused)
            else:
                messages.success(request, "Attendance recorded." if not adding else f"{entries[0][0]} added.")
                return redirect("meeting-attendance", pk=meeting.pk)
    chosen = {person.pk: (form.data.get(f"status_{person.pk}") if form.is_bound else None) for person in people}
    groups = [
        {
            "agency": group.agency,
            "invited": group.invited,
            "represented": group.represented,
            "rows": [
                {
                    "person": person,
                    "attendance": attendance,
                    "field": f"status_{person.pk}",
                    "value": chosen[person.pk] or (attendance.status if attendance else ""),
                    "errors": form.errors.get(f"status_{person.pk}", []),
                }
                for person, attendance in group.rows
            ],
        }
        for group in roster
    ]
    errors = bool(form.errors or add_form.errors or refusal)
    return render(
        request,
        "meetings/run/attendance.html",
        {
            "meeting": meeting,
            "groups": groups,
            "statuses": Attendance.Status.choices,
            "form": form,
            "add_form": add_form,
            "addable": addable,
            "refusal": refusal,
            "has_errors": errors,
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def meeting_confidentiality(request: HttpRequest, pk: int) -> HttpResponse:
    """The statement to read out; the chair records it as read, and everyone present acknowledges it."""
    user, meeting = _meeting(request, pk)
    refusal = ""
    if request.method == "POST":
        try:
            confidentiality_record(meeting=meeting, by=user)
        except (StateError, NotAllowed) as refused:
            refusal = str(refused)
        else:
            messages.success(
                request, "The confidentiality statement is recorded as read; those present acknowledged it."
            )
            return redirect("meeting-run", pk=meeting.pk)
    present = present_attendees(meeting)
    return render(
        request,
        "meetings/run/confidentiality.html",
        {
            "meeting": meeting,
            "statement": statement_of(meeting),
            "present": present,
            "read_by": meeting.confidentiality_read_by if meeting.confidentiality_read_at else None,
            "refusal": refusal,
        },
        status=400 if refusal else 200,
    )


def _decision_form(item: AgendaItem, data: Any) -> Any:
    """The decision form for the item's kind, or None where the item takes none (or has been decided)."""
    if item.decided_at is not None:
        return None
    if item.kind == AgendaItem.Kind.REFERRAL and item.referral is not None:
        return ReferralDecisionForm(data, choices=DecisionChoices.load(), referral=item.referral, content_visible=True)
    if item.kind == AgendaItem.Kind.URGENT_RATIFICATION and item.referral is not None:
        return UrgentRatifyForm(data)
    if item.kind == AgendaItem.Kind.DEREGISTRATION and item.deregistration is not None:
        return ItemDeregistrationForm(data)
    if item.kind in COHORT_KINDS:
        return CohortDecisionForm(data, about_a_person=item.nominal_id is not None)
    return None


def _decide(item: AgendaItem, user: User, form: Any) -> str:
    """Call the service for the item's kind; the message for the chair."""
    data = form.cleaned_data
    if isinstance(form, ReferralDecisionForm):
        decision = item_decide_referral(
            item=item, by=user, outcome=data["outcome"], rationale=data["rationale"], accept=form.accept_terms()
        )
        return f"{item.referral.reference}: {decision.get_outcome_display().lower()}."  # type: ignore[union-attr]
    if isinstance(form, UrgentRatifyForm):
        item_ratify_urgent(item=item, by=user, note=data["note"])
        return "The urgent decision is ratified."
    if isinstance(form, ItemDeregistrationForm):
        ratify = data["decision"] == "ratify"
        item_decide_deregistration(item=item, by=user, ratify=ratify, ends_on=data["ends_on"], note=data["note"])
        return "Deregistration ratified." if ratify else "Deregistration not ratified."
    item_decide_cohort(
        item=item, by=user, outcome=data["outcome"], rating=form.chosen_rating(), rationale=data.get("rationale", "")
    )
    return "Outcome recorded."


def _typed_decision(item: AgendaItem, post: Any) -> Any:
    """The decision form holding what was typed into it, unchecked: shown again after the same page
    form saved only its notes, so a half-typed decision is not lost."""
    form = _decision_form(item, post)
    if form is not None and any(post.get(name, "").strip() for name in form.fields):
        return kept_unchecked(form)
    return _decision_form(item, None)


def _item_act(item: AgendaItem, user: User, action: str, forms: dict[str, Any]) -> str:
    """Record what the chair pressed: the notes alone, the notes with the decision (one transaction,
    so a decision is never saved without the notes typed beside it), or a dissent. The message."""
    notes = forms["save_notes"]
    with transaction.atomic():
        if action in {"save_notes", "decide"} and notes.is_bound and notes.cleaned_data["notes"] != item.notes:
            item_notes_save(
                item=item, by=user, notes=notes.cleaned_data["notes"], version=notes.cleaned_data["version"]
            )
        if action == "save_notes":
            return "Notes saved."
        if action == "decide":
            return _decide(item, user, forms["decide"])
        dissent = forms["dissent"]
        dissent_record(item=item, by=user, person=dissent.chosen(), reason=dissent.cleaned_data["reason"])
        return "Dissent recorded."


@require_http_methods(["GET", "POST"])
def run_item(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """One item in run mode: its notes, its decision (by the owning app's service) and any dissent. A
    restricted item shows as restricted, with no form: its owning agency discusses and decides it.

    The notes and the decision are one page form: "Record the decision" saves the notes typed above
    it too, and "Save the notes" keeps a decision being typed."""
    user, meeting = _meeting(request, pk)
    item = run_item_get(meeting, user.agency, item_pk)
    if item is None:
        raise Http404("No such item")
    visible = bool(item.visible)  # type: ignore[attr-defined]
    post = request.POST if request.method == "POST" else None
    action = next((name for name in ("save_notes", "decide", "dissent") if post and name in post), "")
    if post is not None and not action:
        raise Http404("Unknown action")
    if post is not None and not visible:
        raise PermissionDenied("This item is restricted: it is not shared with your agency.")
    present = [attendance.person for attendance in present_attendees(meeting)]
    notes_posted = action in {"save_notes", "decide"} and "notes" in (post or {})
    notes_form = NotesForm(post if notes_posted else None, initial={"notes": item.notes, "version": item.version})
    decision_form = None
    if visible:
        decision_form = (
            _typed_decision(item, post)
            if action == "save_notes"
            else _decision_form(item, post if action == "decide" else None)
        )
    dissent_form = DissentForm(post if action == "dissent" else None, present=present)
    refusal = stale = ""
    forms = {"save_notes": notes_form, "decide": decision_form, "dissent": dissent_form}
    bound = forms.get(action)
    checked = [
        form for form in (bound, notes_form if action == "decide" else None) if form is not None and form.is_bound
    ]
    valid = [form.is_valid() for form in checked]  # every form checked, so each shows its errors
    if action == "decide" and bound is None:
        refusal = "This item has already been decided." if item.decided_at else "This item takes no decision."
    elif bound is not None and all(valid):
        try:
            done = _item_act(item, user, action, forms)
        except ValidationError as error:
            attach_service_errors(bound, error)
        except StaleVersion as error:
            stale = str(error)
        except (StateError, NotAllowed) as refused:
            refusal = str(refused)
        else:
            if action == "save_notes" and decision_form is not None and decision_form.is_bound:
                messages.success(request, "Notes saved. The decision is not recorded yet: check it, then record it.")
                item.refresh_from_db(fields=["notes", "version"])
                notes_form = NotesForm(initial={"notes": item.notes, "version": item.version})
            else:
                messages.success(request, done)
                return redirect("meeting-run-item", pk=meeting.pk, item_pk=item.pk)
    if request.method == "GET" and visible and item.nominal_id is not None:
        nominal_view_log(
            user=user,
            nominal=item.nominal,  # type: ignore[arg-type]
            categories=[item.category.code] if item.category else [],
            path=request.path,
        )
    current_notes = AgendaItem.objects.only("notes", "version").get(pk=item.pk) if stale else None
    if current_notes is not None:
        typed = request.POST.copy()  # what they typed stays; the version becomes the one now saved
        typed["version"] = str(current_notes.version)
        notes_form.data = typed
    errored = [
        form for form in (notes_form, decision_form, dissent_form) if form is not None and form.is_bound and form.errors
    ]
    errors = bool(refusal or stale or errored)
    return render(
        request,
        "meetings/run/item.html",
        {
            "meeting": meeting,
            "item": item,
            "visible": visible,
            "notes_form": notes_form,
            "decision_form": decision_form,
            "dissent_form": dissent_form if visible else None,
            "dissents": dissents_of(item) if visible else [],
            "bound": bound,
            "errored": errored,
            "refusal": refusal,
            "stale": stale,
            "current_notes": current_notes,
            "statement_read": meeting.confidentiality_read_at is not None,
        },
        status=400 if errors else 200,
    )
