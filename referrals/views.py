"""Referral pages: the list, starting a referral, the task list's sections, check answers and the
referral page. Thin: parse, call a selector or a service, render. A referral the user may not see is
a 404, the same as one that does not exist; one they see but may not change is a 403."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cohorts.access import current_memberships
from cohorts.duplicates.services import RECORDED_AND_CHECKED, held_elsewhere_reported, possibly_recorded_elsewhere
from cohorts.records.models import PATHWAY_CATEGORY, Nominal, Pathway
from cohorts.records.selectors import NominalFilters, nominal_get_for_user, nominal_search
from cohorts.records.services import nominal_create, nominal_search_log, nominal_view_log
from referrals import permissions, selectors
from referrals.dates import y2a_milestones
from referrals.eligibility import Outcome, check_eligibility
from referrals.forms import (
    SECTION_FORMS,
    SORT_LABELS,
    ReferralFilterForm,
    ReferralKindForm,
    ReferralPersonForm,
    offence_formset,
    offence_rows_tampered,
    offences_from,
)
from referrals.models import Referral
from referrals.services import (
    matrix_current,
    open_referral_of,
    referral_facts,
    referral_section_save,
    referral_start,
    referral_submit,
    score_preview,
    sections_for,
    sections_to_do,
)
from sharing.errors import NotAllowed, StaleVersion, StateError
from sharing.http import signed_in_user
from sharing.models import User
from sharing.roles import is_iom_team, may_refer
from ui.fields import version_read
from ui.filters import query_without, selected_filters
from ui.forms import attach_service_errors

PAGE_SIZE = 50
EDITABLE = (Referral.Status.DRAFT, Referral.Status.RETURNED)
CONTENT = Referral.CONTENT_CATEGORY
# Which section puts each eligibility rule right, for links from the problems on submit.
RULE_SECTIONS = {
    "fixed-statutory": "strand",
    "fixed-neighbourhood-crime": "strand",
    "priority-adults": "strand",
    "y2a-probation": "y2a",
    "y2a-order": "y2a",
    "y2a-three-months": "y2a",
}


def _field_anchor(form: Any, name: str) -> str:
    """Where an error summary link takes the user: the field, or its first radio, checkbox or box."""
    field = form[name]
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"#id_{field.html_name}_1"
    if hasattr(widget, "widgets"):
        return f"#{field.auto_id}_0"
    return f"#{field.auto_id}"


def _form_errors(form: Any, first_field: str | None = None) -> list[dict[str, str]]:
    """A form's errors for the GOV.UK error summary: each with a link to its field."""
    errors: list[dict[str, str]] = []
    first = first_field or next(iter(form.fields), None)
    for message in form.non_field_errors():
        errors.append({"text": message, "href": _field_anchor(form, first) if first else "#main-content"})
    for name in form.fields:
        for message in form.errors.get(name, []):
            errors.append({"text": message, "href": _field_anchor(form, name)})
    return errors


def _criteria_labels(referral: Referral) -> list[str]:
    return [str(Referral.Criterion(code).label) for code in referral.criteria if code in Referral.Criterion.values]


def _eligibility(referral: Referral) -> list[Outcome]:
    """Each rule in force and how the referral fares; the youth-to-adult rules only for Y2A referrals."""
    return [
        outcome
        for outcome in check_eligibility(referral_facts(referral))
        if referral.is_y2a or not outcome.rule.code.startswith("y2a-")
    ]


def _content_categories(content_shown: bool) -> list[str]:
    return ["identity", CONTENT] if content_shown else ["identity"]


# --- The list ---------------------------------------------------------------------------------------


def referral_list(request: HttpRequest) -> HttpResponse:
    """Referrals, filtered and sorted: all the IOM team may see, or the user's own and their team's."""
    user = signed_in_user(request)
    iom_team = is_iom_team(user)
    form = ReferralFilterForm(request.GET or None, iom_team=iom_team)
    filters = form.filters() if form.is_bound and form.is_valid() else selectors.ReferralFilters()
    sort = request.GET.get("sort", "score")
    sort = sort if sort in SORT_LABELS else "score"
    page = Paginator(selectors.referral_list(user, filters, sort), PAGE_SIZE).get_page(request.GET.get("page"))
    referrals = list(page.object_list)
    if referrals:
        # As the people list does: a list that names people is a search, logged with who it returned.
        nominal_search_log(
            user=user,
            nominal_ids=sorted({referral.nominal_id for referral in referrals}),
            categories=_content_categories(any(getattr(referral, "content_visible", False) for referral in referrals)),
            query=request.GET.urlencode(),
            path=request.path,
        )
    sorts = []
    for key, label in SORT_LABELS.items():
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = key
        sorts.append({"label": label, "href": f"?{query.urlencode()}", "current": key == sort})
    return render(
        request,
        "referrals/referral_list.html",
        {
            "form": form,
            "errors": _form_errors(form) if form.is_bound and form.errors else [],
            "page": page,
            "referrals": referrals,
            "selected_filters": selected_filters(form, request.GET),
            "sorts": sorts,
            "sort": sort,
            "query_without_page": query_without(request.GET, "page"),
            "iom_team": iom_team,
            "may_refer": may_refer(user),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Starting a referral -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a person cannot be referred now, with a link to what already exists."""

    message: str
    href: str
    link_text: str


def _already_referred(nominal: Nominal) -> Problem | None:
    existing = open_referral_of(nominal)
    if existing is not None:
        return Problem(
            f"{nominal.full_name} already has a referral in progress, so cannot be referred again.",
            reverse("referral-detail", args=[existing.pk]),
            f"Go to the referral {existing.reference}",
        )
    if current_memberships(timezone.localdate()).filter(nominal=nominal).exists():
        return Problem(
            f"{nominal.full_name} is already on the IOM cohort, so cannot be referred again.",
            reverse("nominal-detail", args=[nominal.pk]),
            f"Go to {nominal.full_name}'s record",
        )
    return None


def _start(request: HttpRequest, nominal: Nominal, kind: str) -> HttpResponse:
    user = signed_in_user(request)
    resumed = selectors.referrals_for_nominal(user, nominal.pk).filter(status=Referral.Status.DRAFT, referred_by=user)
    had_draft = resumed.exists()
    try:
        referral = referral_start(nominal=nominal, by=user, kind=kind)
    except NotAllowed as refused:
        raise PermissionDenied(str(refused)) from refused
    except StateError as refused:  # referred by someone else, or put on the cohort, just now
        messages.error(request, str(refused))
        return redirect(f"{reverse('referral-new')}?nominal={nominal.pk}")
    if had_draft:
        messages.info(request, f"You had already started a referral of {nominal.full_name}: carry on with it here.")
    return redirect("referral-detail", pk=referral.pk)


def _possible_matches(user: User, data: dict[str, Any]) -> list[Nominal]:
    """People the user may see who may be the person: by name (spelling-tolerant), by date of birth
    and by PNC ID."""
    searches = [f"{data['first_name']} {data['last_name']}", data["date_of_birth"].isoformat()]
    if data.get("pnc_id"):
        searches.append(data["pnc_id"])
    ids: set[int] = set()
    for text in searches:
        ids.update(nominal_search(user, NominalFilters(query=text)).values_list("pk", flat=True)[:50])
    if not ids:
        return []
    in_progress = Referral.objects.in_progress().filter(nominal=OuterRef("pk"))
    return list(
        nominal_search(user, NominalFilters())
        .filter(pk__in=ids)
        .annotate(has_referral_in_progress=Exists(in_progress))
        .order_by("last_name", "first_name", "date_of_birth", "pk")[:25]
    )


@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest) -> HttpResponse:
    """Refer a person: find them first (so no one is recorded twice), then start the task list."""
    user = signed_in_user(request)
    if not may_refer(user):
        raise PermissionDenied("Your role does not include making referrals.")
    nominal_pk = request.POST.get("nominal") if request.method == "POST" else request.GET.get("nominal")
    if nominal_pk:
        return _refer_someone_recorded(request, nominal_pk)
    form = ReferralPersonForm(request.POST or None)
    matches: list[Nominal] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirmed") != "yes":
            matches = _possible_matches(user, data)
        if matches:
            nominal_search_log(
                user=user,
                nominal_ids=[match.pk for match in matches],
                query=f"Referral duplicate check: {data['first_name']} {data['last_name']}, {data['date_of_birth']}"
                + (f", {data['pnc_id']}" if data.get("pnc_id") else ""),
                path=request.path,
            )
        else:
            details = {name: data[name] for name in ("first_name", "last_name", "date_of_birth", "pnc_id")}
            try:
                with held_elsewhere_reported(user, request.path), transaction.atomic():
                    nominal = nominal_create(by=user, **details)
                    referral = referral_start(nominal=nominal, by=user, kind=data["kind"])
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(request, f"{nominal.full_name} has been recorded and the referral started.")
                if possibly_recorded_elsewhere(nominal):
                    messages.info(request, RECORDED_AND_CHECKED)
                return redirect("referral-detail", pk=referral.pk)
    return render(
        request,
        "referrals/referral_new.html",
        {
            "form": form,
            "errors": _form_errors(form) if form.errors else [],
            "matches": matches,
            "kind": form.cleaned_data.get("kind", "") if form.is_bound and not form.errors else "",
        },
        status=400 if form.errors else 200,
    )


def _refer_someone_recorded(request: HttpRequest, nominal_pk: str) -> HttpResponse:
    user = signed_in_user(request)
    try:
        nominal = nominal_get_for_user(user, int(nominal_pk))
    except (ValueError, Nominal.DoesNotExist) as error:
        raise Http404("No such person") from error
    problem = _already_referred(nominal)
    form = ReferralKindForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and problem is None and form.is_valid():
        return _start(request, nominal, form.cleaned_data["kind"])
    nominal_view_log(user=user, nominal=nominal, categories=["identity"], path=request.path)
    refused = problem is not None or bool(form.errors)
    return render(
        request,
        "referrals/referral_new_recorded.html",
        {
            "nominal": nominal,
            "form": form,
            "problem": problem,
            "errors": _form_errors(form) if form.errors else [],
        },
        status=400 if refused and request.method == "POST" else 200,
    )


# --- The referral page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    label: str
    href: str
    secondary: bool = True
    warning: bool = False


def _actions(user: User, referral: Referral, *, editable: bool) -> list[Action]:
    """Buttons for the workflow pages the user may use in this state."""
    status = referral.status
    wanted: list[tuple[str, str, bool, bool]] = []  # url name, label, secondary, warning
    if is_iom_team(user):
        if status == Referral.Status.SUBMITTED:
            wanted.append(("referral-screen", "Screen the referral", False, False))
        if status in (Referral.Status.SUBMITTED, Referral.Status.SCREENED):
            wanted.append(("referral-return", "Return to the referrer with questions", True, False))
        if status in (Referral.Status.SCREENED, Referral.Status.DEFERRED):
            wanted.append(("referral-list-for-panel", "List for a panel", False, False))
    if permissions.may_decide(user):
        if status == Referral.Status.LISTED:
            wanted.append(("referral-decide", "Record the panel's decision", False, False))
        elif referral.urgent and status in (
            Referral.Status.SUBMITTED,
            Referral.Status.SCREENED,
            Referral.Status.DEFERRED,
        ):
            wanted.append(("referral-decide", "Decide now (urgent)", False, True))
        if referral.to_be_ratified:
            wanted.append(("referral-ratify", "Ratify the urgent decision", False, False))
    # The referrer withdraws from the task list, while they can still change the referral.
    if not editable and status in Referral.OPEN_STATUSES and permissions.may_withdraw_referral(referral, user):
        wanted.append(("referral-withdraw", "Withdraw the referral", True, True))
    return [
        Action(label, reverse(name, args=[referral.pk]), secondary, warning)
        for name, label, secondary, warning in wanted
    ]


@dataclass(frozen=True)
class TaskListItem:
    code: str
    title: str
    done: bool
    href: str


def _task_list(referral: Referral) -> list[TaskListItem]:
    return [
        TaskListItem(
            section.code,
            section.title,
            section.code in referral.sections_done,
            reverse("referral-section", args=[referral.pk, section.code]),
        )
        for section in sections_for(referral)
    ]


def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral: its task list while it is a draft, what it says (as the sharing rules allow),
    eligibility, score, key dates, decisions and timeline."""
    user = signed_in_user(request)
    referral = selectors.referral_get_for_user(user, pk)
    content_visible = selectors.referral_content_visible(user, referral)
    editable = referral.status in EDITABLE and permissions.may_edit_referral(referral, user)
    today = timezone.localdate()

    needs, needs_withheld = selectors.referral_needs_for_user(user, referral, content_visible=content_visible)
    score = score_history = preview = None
    outcomes = []
    if content_visible:
        outcomes = _eligibility(referral) if referral.is_open else []
        if referral.status == Referral.Status.DRAFT:
            preview = score_preview(referral)
        else:
            scores = list(referral.scores.select_related("matrix").order_by("-computed_at", "-pk"))
            score = next((row for row in scores if row.is_current), None)
            score_history = [row for row in scores if not row.is_current]
    milestone_rows: list[tuple[str, datetime.date]] = []
    next_milestone = None
    if referral.is_y2a and selectors.eighteenth_birthday_countdown(referral, today):
        milestones = y2a_milestones(referral.nominal.date_of_birth)
        milestone_rows = [
            ("17 years 6 months: transfer considered", milestones.consider_transfer),
            ("17 years 9 months: IOM liaison with the youth offending team starts", milestones.start_liaison),
            ("18th birthday: IOM takes over", milestones.eighteenth_birthday),
        ]
        next_milestone = milestones.next_after(today)

    categories = _content_categories(content_visible) + [PATHWAY_CATEGORY[Pathway(need.pathway)] for need in needs]
    nominal_view_log(user=user, nominal=referral.nominal, categories=categories, path=request.path)
    tasks = _task_list(referral) if editable else []
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "content_visible": content_visible,
            "editable": editable,
            "tasks": tasks,
            "tasks_done": sum(task.done for task in tasks),
            "check_href": (
                reverse("referral-check", args=[referral.pk]) if editable and all(task.done for task in tasks) else None
            ),
            "sections": [section for section in sections_for(referral) if section.code != "needs"],
            "criteria": _criteria_labels(referral),
            "needs": needs,
            "needs_withheld": needs_withheld,
            "outcomes": outcomes,
            "score": score,
            "score_history": score_history,
            "preview": preview,
            "milestones": bool(milestone_rows),
            "milestone_rows": milestone_rows,
            "next_milestone": next_milestone,
            "preview_matrix": matrix_current() if preview is not None else None,
            "decisions": list(referral.decisions.all()),
            "activities": list(referral.activities.all()),
            "actions": _actions(user, referral, editable=editable),
            "withdraw_href": reverse("referral-withdraw", args=[referral.pk]) if editable else None,
        },
    )


# --- The task list's sections and check answers -------------------------------------------------------


def _referral_to_change(request: HttpRequest, pk: int) -> Referral | HttpResponse:
    """The referral, if the user may change it now; a redirect with the reason if its state does not
    allow it. Only the referring agency changes a referral: anyone else who sees it gets 403."""
    user = signed_in_user(request)
    referral = selectors.referral_get_for_user(user, pk)
    if not permissions.may_edit_referral(referral, user):
        raise PermissionDenied("Only the referring agency can change this referral.")
    if referral.status not in EDITABLE:
        messages.error(
            request, f"{referral.reference} is {referral.get_status_display().lower()}: it cannot be changed."
        )
        return redirect("referral-detail", pk=referral.pk)
    return referral


@require_http_methods(["GET", "POST"])
def referral_section(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One section of the task list. A save with an error changes nothing and keeps what was typed."""
    found = _referral_to_change(request, pk)
    if isinstance(found, HttpResponse):
        return found
    referral = found
    sections = {section.code: section for section in sections_for(referral)}
    if code not in sections:
        raise Http404("No such section")
    user = signed_in_user(request)
    posted = request.method == "POST"
    version = version_read(request.POST.get("version")) if posted else referral.version
    if code == "offending":
        return _offending_section(request, referral, sections[code].title, version)
    form = SECTION_FORMS[code](request.POST if posted else None, referral=referral)
    if posted and form.is_valid():
        try:
            referral_section_save(
                referral=referral, by=user, section=code, fields=form.service_fields(), version=version
            )
        except StaleVersion as stale:
            form.add_error(None, str(stale))
        except ValidationError as error:
            attach_service_errors(form, error)
        except StateError as refused:
            messages.error(request, str(refused))
            return redirect("referral-detail", pk=referral.pk)
        except NotAllowed as refused:
            raise PermissionDenied(str(refused)) from refused
        else:
            messages.success(request, f"{sections[code].title} saved.")
            return redirect("referral-detail", pk=referral.pk)
    if not posted:
        nominal_view_log(user=user, nominal=referral.nominal, categories=_content_categories(True), path=request.path)
    return render(
        request,
        "referrals/referral_section.html",
        {
            "referral": referral,
            "section": sections[code],
            "form": form,
            "errors": _form_errors(form),
            "version": version,
        },
        status=400 if form.errors else 200,
    )


STALE_ROWS = (
    "This page is out of date or has been changed: nothing was saved. Your rows are kept below; check them, "
    "then save again."
)


def _offending_section(request: HttpRequest, referral: Referral, title: str, version: int) -> HttpResponse:
    """The offending history as a table of rows: the saved ones and 3 blank; "Add more rows" gives 3
    more without JavaScript, keeping what was typed."""
    user = signed_in_user(request)
    posted = request.method == "POST"
    more_rows = posted and "add_rows" in request.POST
    formset = offence_formset(referral, request.POST if posted else None, more_rows=more_rows)
    problems: list[str] = []
    if posted and not more_rows and offence_rows_tampered(request.POST):
        problems.append(STALE_ROWS)
    elif posted and not more_rows and formset.is_valid():
        try:
            referral_section_save(
                referral=referral,
                by=user,
                section="offending",
                fields={"offences": offences_from(formset)},
                version=version,
            )
        except StaleVersion as stale:
            problems.append(str(stale))
        except ValidationError as error:
            problems.extend(error.messages)
        except StateError as refused:
            messages.error(request, str(refused))
            return redirect("referral-detail", pk=referral.pk)
        except NotAllowed as refused:
            raise PermissionDenied(str(refused)) from refused
        else:
            messages.success(request, f"{title} saved.")
            return redirect("referral-detail", pk=referral.pk)
    if not posted:
        nominal_view_log(user=user, nominal=referral.nominal, categories=_content_categories(True), path=request.path)
    show_errors = posted and not more_rows
    errors = [{"text": text, "href": "#id_offences-0-offence_type"} for text in problems]
    if show_errors:
        for index, row in enumerate(formset.forms, start=1):
            for item in _form_errors(row):
                errors.append({"text": f"Row {index}: {item['text']}", "href": item["href"]})
    return render(
        request,
        "referrals/referral_offending.html",
        {
            "referral": referral,
            "title": title,
            "formset": formset,
            "show_errors": show_errors,
            "problems": problems,
            "errors": errors,
            "version": version,
        },
        status=400 if errors else 200,
    )


@dataclass(frozen=True)
class SubmitProblem:
    text: str
    href: str


def _submit_problems(referral: Referral, error: ValidationError) -> list[SubmitProblem]:
    """Each reason the submit was refused, linked to the section that puts it right."""
    rule_of_problem = {
        outcome.problem: outcome.rule.code for outcome in check_eligibility(referral_facts(referral)) if outcome.problem
    }
    codes = {section.code for section in sections_for(referral)}
    problems = []
    by_key = error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
    for key, texts in by_key:
        for text in texts:
            section = RULE_SECTIONS.get(rule_of_problem.get(text, "")) if key == "eligibility" else key
            href = reverse("referral-section", args=[referral.pk, section]) if section in codes else "#eligibility"
            problems.append(SubmitProblem(text, href))
    return problems


@require_http_methods(["GET", "POST"])
def referral_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers, see whether the referral is eligible and its provisional score, and submit."""
    found = _referral_to_change(request, pk)
    if isinstance(found, HttpResponse):
        return found
    referral = found
    user = signed_in_user(request)
    problems: list[SubmitProblem] = []
    if request.method == "POST":
        try:
            referral = referral_submit(referral=referral, by=user)
        except ValidationError as error:
            problems = _submit_problems(referral, error)
        except StateError as refused:
            messages.error(request, str(refused))
            return redirect("referral-detail", pk=referral.pk)
        except NotAllowed as refused:
            raise PermissionDenied(str(refused)) from refused
        else:
            messages.success(request, f"Referral {referral.reference} submitted")
            return redirect("referral-detail", pk=referral.pk)
    else:
        nominal_view_log(user=user, nominal=referral.nominal, categories=_content_categories(True), path=request.path)
    needs, _ = selectors.referral_needs_for_user(user, referral, content_visible=True)
    return render(
        request,
        "referrals/referral_check.html",
        {
            "referral": referral,
            "tasks": {task.code: task for task in _task_list(referral)},
            "sections": sections_for(referral),
            "sections_left": sections_to_do(referral),
            "criteria": _criteria_labels(referral),
            "needs": needs,
            "needs_withheld": 0,
            "outcomes": _eligibility(referral),
            "preview": score_preview(referral),
            "preview_matrix": matrix_current(),
            "problems": problems,
            "errors": [{"text": problem.text, "href": problem.href} for problem in problems],
        },
        status=400 if problems else 200,
    )
