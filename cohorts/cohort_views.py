"""The IOM cohort: everyone on IOM now whom the user may see, with their RAG rating, strand, level and
leads (the panel's decisions, shared with the partnership). Thin: parse, call the selectors, render."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cohorts.forms import WorkloadFilterForm
from cohorts.models import AccessEvent, ManagementLevel, RagRating
from cohorts.selectors import (
    COHORT_SORTS,
    CohortFilters,
    WorkloadFilters,
    cohort_counts,
    cohort_list,
    cohort_rows,
    workload,
)
from cohorts.services import access_event_record
from sharing.models import User
from sharing.roles import Role

PAGE_SIZE = 50

# The sortable columns; a first click sorts ascending (for RAG: the highest risk first).
SORTABLE_COLUMNS = [("name", "Name"), ("rag", "RAG rating"), ("since", "On IOM since")]


class CohortFilterForm(forms.Form):
    """The simple filters of the cohort list (the fuller filters come with the cohort reports)."""

    rag = forms.MultipleChoiceField(label="RAG rating", required=False, widget=forms.CheckboxSelectMultiple)
    level = forms.MultipleChoiceField(label="Level", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, ratings: list[RagRating], levels: list[ManagementLevel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rag"].choices = [(rating.code, rating.label) for rating in ratings]  # type: ignore[attr-defined]
        self.fields["level"].choices = [(level.code, level.name) for level in levels]  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's template holds the <form>
        self.helper.disable_csrf = True


def _sort_headers(query: QueryDict, sort: str) -> dict[str, dict[str, str]]:
    """Each sortable column's link: a click sorts by it, a second click reverses it."""
    headers = {}
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    for key, label in SORTABLE_COLUMNS:
        params = query.copy()
        params.pop("page", None)
        params["sort"] = f"-{key}" if key == current and not descending else key
        aria_sort = ("descending" if descending else "ascending") if key == current else "none"
        headers[key] = {"label": label, "href": "?" + params.urlencode(), "aria_sort": aria_sort}
    return headers


@require_GET
def cohort_list_view(request: HttpRequest) -> HttpResponse:
    """The IOM cohort: counts at the top, then the people, filtered by RAG rating and level."""
    user: User = request.user  # type: ignore[assignment]
    ratings = list(RagRating.objects.order_by("order", "label"))
    levels = list(ManagementLevel.objects.order_by("order", "name"))
    form = CohortFilterForm(
        request.GET or None,
        ratings=[rating for rating in ratings if rating.is_active],
        levels=[level for level in levels if level.is_active],
    )
    filters = CohortFilters()
    sort = request.GET.get("sort", "")
    if sort.removeprefix("-") not in COHORT_SORTS:
        sort = "name"
    if form.is_valid():
        rag_codes, level_codes = set(form.cleaned_data["rag"]), set(form.cleaned_data["level"])
        filters = CohortFilters(
            rag_rating_ids=tuple(rating.pk for rating in ratings if rating.code in rag_codes),
            level_ids=tuple(level.pk for level in levels if level.code in level_codes),
        )
    counts = cohort_counts(user, levels)
    page = Paginator(cohort_list(user, filters, sort), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = cohort_rows(
        list(page.object_list),
        ratings={rating.pk: rating for rating in ratings},
        levels={level.pk: level for level in levels},
    )
    if rows:
        access_event_record(
            user=user,
            action=AccessEvent.Action.SEARCH,
            nominal_ids=[row.nominal.pk for row in rows],
            categories=["identity"],
            query=request.GET.urlencode(),
            path=request.path,
        )
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "cohorts/cohort_list.html",
        {
            "form": form,
            "counts": counts,
            "page": page,
            "rows": rows,
            "filtered": bool(filters.rag_rating_ids or filters.level_ids),
            "sort_headers": _sort_headers(request.GET, sort),
            "sort": sort,
            "query_without_page": query_without_page.urlencode(),
        },
        status=400 if form.errors else 200,
    )


# Who reads caseloads: those who hold cases or allocate them, and analysts reporting on the cohort.
WORKLOAD_ROLES = frozenset({Role.PRACTITIONER, Role.PARTNER_WORKER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.ANALYST})


@require_GET
def workload_view(request: HttpRequest) -> HttpResponse:
    """Each worker's caseload by RAG rating, counting only the people on the cohort the user may see.
    A supervisor sees their own team first, and only their team until they choose otherwise."""
    user: User = request.user  # type: ignore[assignment]
    if not any(user.has_role(role) for role in WORKLOAD_ROLES):
        raise PermissionDenied("Caseloads are for case workers, supervisors, panel chairs and analysts.")
    supervisor = user.has_role(Role.SUPERVISOR)
    # The form says it was sent (a hidden field), so that unticking "only my team" sticks.
    sent = request.GET.get("filtered") == "1"
    form = WorkloadFilterForm(request.GET if sent else None, supervisor=supervisor, initial={"team": supervisor})
    filters = WorkloadFilters(supervisor_id=user.pk if supervisor else None)
    if form.is_bound and form.is_valid():
        agency = form.cleaned_data["agency"]
        filters = WorkloadFilters(
            agency_id=agency.pk if agency else None,
            supervisor_id=user.pk if form.cleaned_data.get("team") else None,
        )
    return render(
        request,
        "cohorts/workload.html",
        {"form": form, "workload": workload(user, filters), "filters": filters, "supervisor": supervisor},
        status=400 if form.errors else 200,
    )
