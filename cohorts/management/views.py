"""The IOM cohort: everyone on IOM now whom the user may see, with their RAG rating, strand, level and
leads (the panel's decisions, shared with the partnership). Thin: parse, call the selectors, render."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from cohorts.access import today
from cohorts.management.models import ManagementLevel, PriorityCohort, RagRating, Strand
from cohorts.management.selectors import (
    CACHE_SECONDS,
    COHORT_SORTS,
    CohortFilters,
    CohortPages,
    CohortRow,
    LeadChoice,
    cohort_counts,
    cohort_generation,
    cohort_query,
    cohort_rows,
    lead_professionals_of_cohort,
)
from cohorts.records.forms import WorkloadFilterForm
from cohorts.records.models import Nominal, PolicingArea
from cohorts.records.selectors import WorkloadFilters, workload
from cohorts.records.services import nominal_search_log
from cohorts.transitions.services import TransitionStatus, transition_weeks
from sharing.models import User
from sharing.roles import Role
from ui.filters import query_without, selected_filters
from ui.templatetags.filter_panel import filter_fields

PAGE_SIZE = 50

# The sortable columns; a first click sorts ascending (for RAG: the highest risk first).
SORTABLE_COLUMNS = [
    ("name", "Name"),
    ("rag", "RAG rating"),
    ("since", "On IOM since"),
    ("licence", "Licence ends"),
    ("review", "Next review"),
]
ALL, MINE, TEAM = "all", "mine", "team"


class CohortFilterForm(forms.Form):
    """The cohort list's filters (MoJ filter pattern); all optional."""

    show = forms.ChoiceField(label="Show", required=False, widget=forms.RadioSelect, initial=ALL)
    rag = forms.MultipleChoiceField(label="RAG rating", required=False, widget=forms.CheckboxSelectMultiple)
    level = forms.MultipleChoiceField(label="Level or team", required=False, widget=forms.CheckboxSelectMultiple)
    strand = forms.MultipleChoiceField(
        label="Strand", choices=Strand.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    priority = forms.MultipleChoiceField(
        label="Local priority cohort", required=False, widget=forms.CheckboxSelectMultiple
    )
    custody = forms.MultipleChoiceField(
        label="Custody status",
        choices=Nominal.CustodyStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    area = forms.MultipleChoiceField(label="Area", required=False, widget=forms.CheckboxSelectMultiple)
    lead_agency = forms.MultipleChoiceField(
        label="Lead professional's agency", required=False, widget=forms.CheckboxSelectMultiple
    )
    lead = forms.ChoiceField(label="Lead professional", required=False)
    review_overdue = forms.BooleanField(label="Supervisor review overdue", required=False)
    licence_ending = forms.BooleanField(required=False)
    transition = forms.MultipleChoiceField(
        label="Transition plan", choices=TransitionStatus.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        ratings: list[RagRating],
        levels: list[ManagementLevel],
        priority_cohorts: list[PriorityCohort],
        areas: list[PolicingArea],
        agencies: list[tuple[int, str]],
        leads: list[LeadChoice],
        supervisor: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        show = [(ALL, "Everyone on the cohort"), (MINE, "My caseload")]
        if supervisor:
            show.append((TEAM, "My team's caseload"))
        self.fields["show"].choices = show  # type: ignore[attr-defined]
        self.fields["rag"].choices = [(rating.code, rating.label) for rating in ratings]  # type: ignore[attr-defined]
        self.fields["level"].choices = [(level.code, level.name) for level in levels]  # type: ignore[attr-defined]
        self.fields["priority"].choices = [(c.code, c.name) for c in priority_cohorts]  # type: ignore[attr-defined]
        self.fields["area"].choices = [(str(area.pk), area.name) for area in areas]  # type: ignore[attr-defined]
        self.fields["lead_agency"].choices = [(str(pk), name) for pk, name in agencies]  # type: ignore[attr-defined]
        self.fields["lead"].choices = [("", "Anyone")] + [  # type: ignore[attr-defined]
            (str(lead.pk), f"{lead.name} ({lead.agency_name})") for lead in leads
        ]
        self.fields["licence_ending"].label = f"Licence ends within {transition_weeks()} weeks"
        self.helper = FormHelper()  # no layout: only the error summary reads it (the panel is filter_fields)

    def filters(
        self, *, user: User, ratings: list[RagRating], levels: list[ManagementLevel], cohorts: list[PriorityCohort]
    ) -> CohortFilters:
        data = self.cleaned_data
        rag_codes, level_codes, cohort_codes = set(data["rag"]), set(data["level"]), set(data["priority"])
        return CohortFilters(
            rag_rating_ids=tuple(rating.pk for rating in ratings if rating.code in rag_codes),
            level_ids=tuple(level.pk for level in levels if level.code in level_codes),
            strands=tuple(data["strand"]),
            priority_cohort_ids=tuple(cohort.pk for cohort in cohorts if cohort.code in cohort_codes),
            custody_statuses=tuple(data["custody"]),
            area_ids=tuple(int(pk) for pk in data["area"]),
            lead_agency_ids=tuple(int(pk) for pk in data["lead_agency"]),
            lead_worker_ids=(int(data["lead"]),) if data["lead"] else (),
            review_overdue=data["review_overdue"],
            licence_ending=data["licence_ending"],
            transition_statuses=tuple(data["transition"]),
            caseload_of=user.pk if data["show"] == MINE else None,
            team_of=user.pk if data["show"] == TEAM else None,
        )


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


@dataclass(frozen=True)
class CohortLists:
    """The configurable lists the cohort list filters and shows by: read once, then cached under the
    cohort's generation (their tables move it), for everyone."""

    ratings: list[RagRating]
    levels: list[ManagementLevel]
    priority_cohorts: list[PriorityCohort]
    areas: list[PolicingArea]  # every area, those no longer in use too (people may still be in one)

    @classmethod
    def load(cls, *, generation: int | None = None) -> CohortLists:
        generation = cohort_generation() if generation is None else generation
        key = f"cohort-list:{generation}:lists"
        lists: CohortLists | None = cache.get(key)
        if lists is None:
            lists = cls(
                ratings=list(RagRating.objects.order_by("order", "label")),
                levels=list(ManagementLevel.objects.order_by("order", "name")),
                priority_cohorts=list(PriorityCohort.objects.filter(is_active=True).order_by("name")),
                areas=list(PolicingArea.objects.order_by("name")),
            )
            cache.set(key, lists, CACHE_SECONDS)
        return lists

    def rows(self, nominals: list[Nominal]) -> list[CohortRow]:
        return cohort_rows(
            nominals,
            ratings={rating.pk: rating for rating in self.ratings},
            levels={level.pk: level for level in self.levels},
        )


def cohort_filter_form(
    data: QueryDict | None, user: User, lists: CohortLists, *, generation: int | None = None
) -> CohortFilterForm:
    """The cohort list's filters for this user, bound to the query (the page's and the API's)."""
    leads = lead_professionals_of_cohort(user, generation=generation)
    # The agencies that lead someone the user may see: no more boxes than could match anyone.
    lead_agencies = sorted(
        {(lead.agency_id, lead.agency_name) for lead in leads}, key=lambda agency: (agency[1], agency[0])
    )
    return CohortFilterForm(
        data or None,
        ratings=[rating for rating in lists.ratings if rating.is_active],
        levels=[level for level in lists.levels if level.is_active],
        priority_cohorts=lists.priority_cohorts,
        areas=[area for area in lists.areas if area.is_active],
        agencies=lead_agencies,
        leads=leads,
        supervisor=user.has_role(Role.SUPERVISOR),
    )


def cohort_filters_of(form: CohortFilterForm, user: User, lists: CohortLists) -> CohortFilters:
    """The form's filters when valid; none otherwise (the page then shows its errors)."""
    if not form.is_bound or not form.is_valid():
        return CohortFilters()
    return form.filters(user=user, ratings=lists.ratings, levels=lists.levels, cohorts=lists.priority_cohorts)


def cohort_list_logged(request: HttpRequest, user: User, rows: list[CohortRow], query: str) -> None:
    """A page of the cohort names people: logged as a search, with the licence ends it showed."""
    if not rows:
        return
    categories = ["identity"]
    if any(row.offending_shown for row in rows):
        categories.append(Nominal.OFFENDING_AND_RISK_CATEGORY)
    nominal_search_log(
        user=user,
        nominal_ids=[row.nominal.pk for row in rows],
        categories=categories,
        query=query,
        path=request.path,
    )


@dataclass(frozen=True)
class FilterPanel:
    """The filter panel of one valid query, as the page shows it: the filters it sets, the selected
    filters' tags, and its fields written out. Building the form (300 lead professionals among its
    choices), validating it and writing it cost a page a fifth of its time at 20,000 people
    (`manage.py benchmark`); coming back to the same view, or paging, finds them cached for the
    user under the cohort's generation (which the lists and the leads move)."""

    filters: CohortFilters
    selected: list[dict[str, Any]]
    fields_html: str

    @staticmethod
    def _key(user: User, query: QueryDict, generation: int) -> str:
        # Per user: "my caseload" and "my team" filter by who asks, and only supervisors have a team.
        what = f"{user.pk}|{user.has_role(Role.SUPERVISOR)}|{today().isoformat()}|{sorted(query.lists())!r}"
        return f"cohort-list:{generation}:panel:{hashlib.sha256(what.encode()).hexdigest()[:32]}"

    @classmethod
    def cached(cls, user: User, query: QueryDict, generation: int) -> FilterPanel | None:
        panel: FilterPanel | None = cache.get(cls._key(user, query, generation))
        return panel

    @classmethod
    def of(cls, form: CohortFilterForm, filters: CohortFilters, user: User, query: QueryDict, generation: int) -> None:
        """Keep a valid form's panel (a form with errors is shown afresh, with its errors)."""
        if form.is_bound and not form.is_valid():
            return
        panel = cls(filters=filters, selected=selected_filters(form, query), fields_html=str(filter_fields(form)))
        cache.set(cls._key(user, query, generation), panel, CACHE_SECONDS)


@require_GET
def cohort_list_view(request: HttpRequest) -> HttpResponse:
    """The IOM cohort: counts at the top, then the people, filtered and sorted."""
    user: User = request.user  # type: ignore[assignment]
    generation = cohort_generation()
    lists = CohortLists.load(generation=generation)
    form: CohortFilterForm | None = None
    panel = FilterPanel.cached(user, request.GET, generation)
    if panel is None:
        form = cohort_filter_form(request.GET, user, lists, generation=generation)
        filters = cohort_filters_of(form, user, lists)
        FilterPanel.of(form, filters, user, request.GET, generation)
        selected, fields_html = selected_filters(form, request.GET), None
    else:
        filters, selected = panel.filters, panel.selected
        fields_html = mark_safe(panel.fields_html)  # noqa: S308 (written by filter_fields, which escapes)
    sort = request.GET.get("sort", "")
    if sort.removeprefix("-") not in COHORT_SORTS:
        sort = "name"
    counts = cohort_counts(user, lists.levels, generation=generation)
    # The whole cohort is counted already; a filtered list counts its matches (both cached).
    query = cohort_query(user, filters, sort, generation=generation, count=bool(filters))
    matching = counts.total if query.matching is None else query.matching
    pages = CohortPages(query, matching, areas={area.pk: area for area in lists.areas})
    paginator: Paginator[Nominal] = Paginator(pages, PAGE_SIZE)  # type: ignore[arg-type]
    page = paginator.get_page(request.GET.get("page"))
    rows = lists.rows(list(page.object_list))
    cohort_list_logged(request, user, rows, request.GET.urlencode())
    return render(
        request,
        "cohorts/cohort_list.html",
        {
            "form": form,
            "counts": counts,
            "page": page,
            "rows": rows,
            "filtered": bool(filters),
            "selected_filters": selected,
            "filter_fields_html": fields_html,
            "sort_headers": _sort_headers(request.GET, sort),
            "sort": sort,
            "query_without_page": query_without(request.GET, "page"),
            "transition_weeks": transition_weeks(),
            # Each row links to the person's record: the address reversed once, not per row.
            "person_url_prefix": reverse("nominal-detail", args=[0]).removesuffix("0/"),
        },
        status=400 if form is not None and form.errors else 200,
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
