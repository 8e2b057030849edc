"""Pages of people's records. Thin: parse, call a selector or a service, render. A person the user
may not see is a 404, the same as one that does not exist."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cohorts.access import offending_and_risk_shared, reasons_to_see_item
from cohorts.duplicates.services import RECORDED_AND_CHECKED, held_elsewhere_reported, possibly_recorded_elsewhere
from cohorts.management.models import CaseAssignment, RagRating
from cohorts.management.permissions import case_holders, check_assigner, check_rag_change, may_assign, may_change_rag
from cohorts.models import AccessEvent
from cohorts.records.forms import (
    ROLE_WORDS,
    AccessLogFilterForm,
    AssignmentForm,
    ConsentForm,
    ItemForm,
    NominalFilterForm,
    NominalForm,
    PathwayNeedForm,
    RagChangeForm,
    SensitiveReasonForm,
)
from cohorts.records.models import Nominal, RecordedItem
from cohorts.records.panels import person_page_panels_render
from cohorts.records.selectors import (
    AccessLogFilters,
    CohortPanel,
    NominalFilters,
    access_log_for_user,
    assignment_eligible_workers,
    assignment_history,
    assignment_of,
    consents_for_user,
    item_get_for_user,
    nominal_cohort_panel,
    nominal_history_for_user,
    nominal_or_404,
    nominal_possible_matches,
    nominal_record_for_user,
    nominal_search,
    user_may_read_access_log,
    visible_nominal_ids,
)
from cohorts.records.services import (
    access_event_record,
    case_assign,
    case_assignment_end,
    consent_record,
    item_record,
    item_update,
    nominal_create,
    nominal_search_log,
    nominal_update,
    nominal_view_log,
    pathway_need_record,
    rag_assess,
)
from sharing.error_policy import refusals_on
from sharing.errors import StateError
from sharing.http import signed_in_user
from sharing.roles import Role
from ui.fields import version_read
from ui.forms import attach_service_errors

PAGE_SIZE = 50
SENSITIVE_UNLOCK_SECONDS = 30 * 60


def _sensitive_unlock_key(nominal: Nominal) -> str:
    return f"sensitive-unlocked-{nominal.pk}"


def _sensitive_unlocked(request: HttpRequest, nominal: Nominal) -> bool:
    unlocked_at = request.session.get(_sensitive_unlock_key(nominal))
    return unlocked_at is not None and time.time() - float(unlocked_at) < SENSITIVE_UNLOCK_SECONDS


def nominal_list(request: HttpRequest) -> HttpResponse:
    """Search and filter the people the user's agency may see."""
    form = NominalFilterForm(request.GET or None)
    filters = NominalFilters()
    if form.is_bound and not form.is_valid():
        # Nothing is searched, shown or logged: the filters are not what the user meant.
        return render(
            request,
            "cohorts/nominal_list.html",
            {
                "form": form,
                "page": Paginator([], PAGE_SIZE).get_page(1),
                "nominals": [],
                "errors": [
                    {"href": f"#{form[name].id_for_label}", "text": said[0]} for name, said in form.errors.items()
                ],
                "can_record": False,
            },
            status=400,
        )
    if form.is_valid():
        data = form.cleaned_data
        filters = NominalFilters(
            query=data["q"],
            policing_area_id=data["area"].pk if data["area"] else None,
            custody_status=data["custody"],
            on_cohort={"yes": True, "no": False}.get(data["cohort"]),
            agency_id=data["agency"].pk if data["agency"] else None,
        )
    user = signed_in_user(request)
    page = Paginator(nominal_search(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    nominal_search_log(
        user=user,
        nominal_ids=[nominal.pk for nominal in shown],
        query=request.GET.urlencode(),
        path=request.path,
    )
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "cohorts/nominal_list.html",
        {
            "form": form,
            "page": page,
            "nominals": shown,
            "searched": bool(filters.query or request.GET),
            "query_without_page": query_without_page.urlencode(),
            "can_record": user.has_role(Role.PRACTITIONER) or user.has_role(Role.PARTNER_WORKER),
        },
    )


def nominal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's record as the user's agency may see it; each view is logged."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    record = nominal_record_for_user(user, nominal, sensitive_unlocked=_sensitive_unlocked(request, nominal))
    access_event_record(
        user=user,
        action=AccessEvent.Action.VIEW,
        nominal=nominal,
        categories=record.categories_shown,
        allowed_by="; ".join(record.reasons) or "System administration",
        path=request.path,
    )
    recent_access = (
        list(access_log_for_user(user, AccessLogFilters(nominal_id=nominal.pk))[:10])
        if user_may_read_access_log(user)
        else None
    )
    return render(
        request,
        "cohorts/nominal_detail.html",
        {
            **_person_panels(request, nominal),
            "nominal": nominal,
            "record": record,
            "reason_form": SensitiveReasonForm(),
            "recent_access": recent_access,
        },
    )


def _person_panels(request: HttpRequest, nominal: Nominal) -> dict[str, Any]:
    """The person page's panels: their time on IOM, with what the user may change there, and those
    other apps register (cohorts/records/panels.py)."""
    cohort = nominal_cohort_panel(nominal)
    holders = case_holders(cohort)
    user = signed_in_user(request)
    return {
        "cohort": cohort,
        "may_change_rag": cohort.membership is not None and may_change_rag(user, holders),
        "may_assign": cohort.membership is not None and may_assign(user, holders),
        "panels": person_page_panels_render(request, nominal),
    }


@require_POST
def nominal_sensitive_reason(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a reason, then see the sensitive items for half an hour; the reason is logged."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    form = SensitiveReasonForm(request.POST)
    if not form.is_valid():
        record = nominal_record_for_user(user, nominal)
        return render(
            request,
            "cohorts/nominal_detail.html",
            {
                **_person_panels(request, nominal),
                "nominal": nominal,
                "record": record,
                "reason_form": form,
                "reason_error": True,
            },
            status=400,
        )
    unlocked = nominal_record_for_user(user, nominal, sensitive_unlocked=True)
    sensitive = sorted({item.category.code for item in unlocked.items if item.category.is_sensitive})
    access_event_record(
        user=user,
        action=AccessEvent.Action.VIEW_SENSITIVE,
        nominal=nominal,
        categories=sensitive,
        allowed_by="; ".join(unlocked.reasons),
        reason=form.cleaned_data["reason"],
        path=request.path,
    )
    request.session[_sensitive_unlock_key(nominal)] = time.time()
    return redirect(reverse("nominal-detail", args=[nominal.pk]) + "#record")


def item_why(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Why the user's agency may see this item: the agreement and clause, or its own record."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    try:
        item = item_get_for_user(signed_in_user(request), nominal, item_pk)
    except RecordedItem.DoesNotExist as error:
        raise Http404("No such item") from error
    if item.category.is_sensitive and not _sensitive_unlocked(request, nominal):
        raise Http404("No such item")
    nominal_view_log(user=signed_in_user(request), nominal=nominal, categories=[item.category.code], path=request.path)
    return render(
        request,
        "cohorts/item_why.html",
        {"nominal": nominal, "item": item, "reasons": reasons_to_see_item(signed_in_user(request).agency, item)},
    )


@require_http_methods(["GET", "POST"])
def nominal_new(request: HttpRequest) -> HttpResponse:
    """Record a person, after showing anyone already recorded who may be them."""
    user = signed_in_user(request)
    form = NominalForm(request.POST or None)
    matches: list[Nominal] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identifiers = {name: data.get(name) or "" for name in ("pnc_id", "crn", "prison_number")}
        if request.POST.get("confirmed") != "yes":
            matches = nominal_possible_matches(
                user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                identifiers=identifiers,
            )
        if not matches:
            try:
                with held_elsewhere_reported(user, request.path):
                    nominal = nominal_create(by=user, **data)
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(request, f"{nominal.full_name} has been recorded.")
                if possibly_recorded_elsewhere(nominal):
                    messages.info(request, RECORDED_AND_CHECKED)
                return redirect("nominal-detail", pk=nominal.pk)
    return render(
        request, "cohorts/nominal_form.html", {"form": form, "matches": matches}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def nominal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct or update a person's details: the agency that recorded them keeps them."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    if nominal.owning_agency_id != user.agency_id:
        raise Http404("No such person")
    form = NominalForm(request.POST or None, instance=nominal if request.method == "GET" else None)
    if request.method == "GET":
        for name in ("date_of_birth", "sentence_ends_on", "licence_ends_on"):
            form.initial[name] = getattr(nominal, name)
        nominal_view_log(
            user=user, nominal=nominal, categories=["identity", Nominal.OFFENDING_AND_RISK_CATEGORY], path=request.path
        )
    if request.method == "POST" and form.is_valid():
        try:
            nominal_update(nominal=nominal, by=user, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, f"{nominal.full_name}'s details have been changed.")
            return redirect("nominal-detail", pk=nominal.pk)
    return render(
        request,
        "cohorts/nominal_form.html",
        {"form": form, "matches": [], "nominal": nominal},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item_record(nominal=nominal, by=user, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, "The item has been added to the record.")
            return redirect(reverse("nominal-detail", args=[nominal.pk]) + "#record")
    return render(
        request, "cohorts/item_form.html", {"form": form, "nominal": nominal}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def need_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the person's need on one of the seven pathways."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    form = PathwayNeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pathway_need_record(nominal=nominal, by=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, "The need has been recorded.")
            return redirect(reverse("nominal-detail", args=[nominal.pk]) + "#needs")
    return render(
        request, "cohorts/need_form.html", {"form": form, "nominal": nominal}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Change an item your agency recorded; a save based on an older version is refused, keeping
    what was typed."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    try:
        item = item_get_for_user(user, nominal, item_pk)
    except RecordedItem.DoesNotExist as error:
        raise Http404("No such item") from error
    if item.owning_agency_id != user.agency_id or not item.is_plain:
        raise Http404("No such item")  # another agency's, or one changed through its own page
    form = ItemForm(request.POST or None, instance=item if request.method == "GET" else None)
    if request.method == "GET":
        form.initial["occurred_on"] = item.occurred_on
        nominal_view_log(user=user, nominal=nominal, categories=[item.category.code], path=request.path)
    version = version_read(request.POST.get("version")) if request.method == "POST" else item.version
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            item_update(item=item, by=user, version=version, **form.cleaned_data)
            messages.success(request, "The item has been changed.")
            return redirect(reverse("nominal-detail", args=[nominal.pk]) + "#record")
    return render(
        request,
        "cohorts/item_form.html",
        {"form": form, "nominal": nominal, "item": item, "version": version},
        status=400 if form.errors else 200,
    )


ACCESS_LOG_PAGE_SIZE = 100


def access_log(request: HttpRequest) -> HttpResponse:
    """Supervisors and agency administrators search their agency's access log (s.62 DPA 2018)."""
    user = signed_in_user(request)
    if not user_may_read_access_log(user):
        raise PermissionDenied("The access log is for supervisors and agency administrators.")
    form = AccessLogFilterForm(request.GET or None)
    filters = AccessLogFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = AccessLogFilters(
            username=data["username"],
            user_id=data["user"],
            nominal_id=data["person"],
            action=data["action"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    page = Paginator(access_log_for_user(user, filters), ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    nameable = visible_nominal_ids(user, {event.nominal_id for event in events if event.nominal_id})
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "cohorts/access_log.html",
        {
            "form": form,
            "page": page,
            "events": events,
            "nameable": nameable,
            "query_without_page": query_without_page.urlencode(),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def nominal_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's consent to share: what the user's agency recorded or what concerns it; record more."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(nominal=nominal, by=user, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, "The consent has been recorded. What is shared follows it from now.")
            return redirect("nominal-consent", pk=nominal.pk)
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=["identity"], path=request.path)
    return render(
        request,
        "cohorts/nominal_consent.html",
        {"nominal": nominal, "form": form, "consents": list(consents_for_user(user, nominal))},
        status=400 if form.errors else 200,
    )


def nominal_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Changes to the person's details, limited to the fields the user may see."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    shown = offending_and_risk_shared(user.agency, nominal)
    entries = nominal_history_for_user(user, nominal, offending_and_risk_shown=shown)
    categories = ["identity", Nominal.OFFENDING_AND_RISK_CATEGORY] if shown else ["identity"]
    nominal_view_log(user=user, nominal=nominal, categories=categories, path=request.path)
    return render(request, "cohorts/nominal_history.html", {"nominal": nominal, "entries": entries})


# --- Managing the cohort: RAG ratings and assignments ------------------------------------------------


def _not_on_cohort(nominal: Nominal) -> str:
    return f"{nominal.full_name} is not on the IOM cohort. Only people on the cohort are managed here."


@require_http_methods(["GET", "POST"])
def nominal_rag(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the RAG rating of a person on the cohort, with the reason; the IOM team and the agencies
    working the case do it."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    cohort = nominal_cohort_panel(nominal)
    check_rag_change(user, case_holders(cohort))
    ratings = list(RagRating.objects.filter(is_active=True).order_by("order", "label"))
    form = RagChangeForm(request.POST or None, ratings=ratings) if cohort.membership else None
    state_error = _not_on_cohort(nominal) if request.method == "POST" and form is None else ""
    if request.method == "POST" and form is not None and form.is_valid():
        rating = form.chosen_rating
        try:
            rag_assess(nominal=nominal, rating=rating, rationale=form.cleaned_data["rationale"], by=user)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, f"{nominal.full_name}'s RAG rating is now {rating.label}.")
            return redirect(reverse("nominal-detail", args=[nominal.pk]) + "#on-iom")
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=["identity"], path=request.path)
    return render(
        request,
        "cohorts/nominal_rag.html",
        {"nominal": nominal, "cohort": cohort, "form": form, "state_error": state_error},
        status=400 if state_error or (form is not None and form.errors) else 200,
    )


def _role_or_404(role: str) -> CaseAssignment.Role:
    if role not in CaseAssignment.Role.values:
        raise Http404("No such role")
    return CaseAssignment.Role(role)


def _assignment_page(
    request: HttpRequest,
    nominal: Nominal,
    role: CaseAssignment.Role,
    cohort: CohortPanel,
    *,
    form: AssignmentForm | None,
    state_error: str = "",
) -> HttpResponse:
    current = [assignment for assignment in case_holders(cohort) if assignment.role == role]
    transfer = bool(current) and role != CaseAssignment.Role.KEY_WORKER
    if role == CaseAssignment.Role.KEY_WORKER:
        title = "Key workers"
    else:
        title = f"{'Transfer' if transfer else 'Assign'} the {ROLE_WORDS[role]}"
    return render(
        request,
        "cohorts/nominal_assignment.html",
        {
            "nominal": nominal,
            "cohort": cohort,
            "role": role,
            "role_words": ROLE_WORDS[role],
            "title": title,
            "current": current,
            "transfer": transfer,
            "history": assignment_history(nominal, role),
            "form": form,
            "state_error": state_error,
        },
        status=400 if state_error or (form is not None and form.errors) else 200,
    )


def _assignment_form(
    request: HttpRequest, role: CaseAssignment.Role, cohort: CohortPanel, *, bound: bool = True
) -> AssignmentForm | None:
    if cohort.membership is None:
        return None
    held = any(assignment.role == role for assignment in case_holders(cohort))
    workers = list(assignment_eligible_workers(role))
    return AssignmentForm((request.POST or None) if bound else None, role=role, workers=workers, held=held)


@require_http_methods(["GET", "POST"])
def nominal_assignment(request: HttpRequest, pk: int, role: str) -> HttpResponse:
    """Assign the lead professional, the IOM police lead officer or a key worker, or transfer the
    role from whoever holds it: their agency's access follows at once. The IOM team and the current
    lead professional do it."""
    case_role = _role_or_404(role)
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    cohort = nominal_cohort_panel(nominal)
    check_assigner(user, case_holders(cohort))
    form = _assignment_form(request, case_role, cohort)
    state_error = _not_on_cohort(nominal) if request.method == "POST" and form is None else ""
    if request.method == "POST" and form is not None and form.is_valid():
        worker, data = form.chosen_worker, form.cleaned_data
        with refusals_on(form):
            case_assign(
                nominal=nominal,
                role=case_role,
                worker=worker,
                by=user,
                reason=data["reason"].strip(),
                started_on=data["started_on"],
            )
            messages.success(request, f"{worker} ({worker.agency.name}) is now the {ROLE_WORDS[case_role]}.")
            return redirect(reverse("nominal-detail", args=[nominal.pk]) + "#on-iom")
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=["identity"], path=request.path)
    return _assignment_page(request, nominal, case_role, cohort, form=form, state_error=state_error)


@require_POST
def nominal_assignment_end(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    """End a key worker's assignment (a lead is transferred instead); their agency's access follows."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    cohort = nominal_cohort_panel(nominal)
    check_assigner(user, case_holders(cohort), ending=True)
    assignment = assignment_of(nominal, assignment_pk)
    if assignment is None:
        raise Http404("No such assignment")
    try:
        ended = case_assignment_end(assignment=assignment, by=user)
    except (StateError, ValidationError) as refused:
        message = str(refused) if isinstance(refused, StateError) else " ".join(refused.messages)
        role = CaseAssignment.Role(assignment.role)
        return _assignment_page(
            request,
            nominal,
            role,
            cohort,
            form=_assignment_form(request, role, cohort, bound=False),
            state_error=message,
        )
    messages.success(
        request, f"{ended.worker} ({ended.agency.name}) is no longer a key worker for {nominal.full_name}."
    )
    return redirect("nominal-assignment", pk=nominal.pk, role=CaseAssignment.Role.KEY_WORKER)
