"""Supervisor review pages: record a review of a person's management report, read their
reviews, and the reviews due for a supervisor. Thin: parse, call cohorts/reviews/services.py, render. A
person the user may not see is a 404; one they see but may not review, a 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cohorts.records.selectors import nominal_cohort_panel, nominal_or_404
from cohorts.records.services import nominal_view_log
from cohorts.reviews.forms import ReviewForm, ReviewsDueFilterForm
from cohorts.reviews.services import (
    REVIEW_CATEGORY,
    ManagementReportSummary,
    case_leads,
    due_rows_shown,
    management_report_summary,
    may_review,
    review_schedule,
    reviews_due,
    reviews_for_user,
    supervisor_review_record,
)
from sharing.error_policy import refusals_on
from sharing.http import signed_in_user
from sharing.roles import Role

PAGE_SIZE = 50
NOT_A_REVIEWER = (
    "Only a supervisor of the lead professional or IOM police lead, or a supervisor of the IOM team, reviews the case."
)


def _review_form(request: HttpRequest, summary: ManagementReportSummary) -> ReviewForm | None:
    if not summary.schedule.on_cohort:
        return None
    schedule = summary.schedule
    return ReviewForm(
        request.POST or None,
        latest_allowed=schedule.latest_allowed,
        cadence=schedule.cadence,
        rating_label=schedule.rating.label if schedule.rating else "",
    )


@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The management report summary a supervisor reviews, and the review: are the interventions
    commensurate with the risk, the actions set, the next review date."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    summary = management_report_summary(user, nominal)
    if not may_review(user, case_leads(summary.cohort)):
        raise PermissionDenied(NOT_A_REVIEWER)
    form = _review_form(request, summary)
    state_error = ""
    if request.method == "POST" and form is None:
        state_error = f"{nominal.full_name} is not on the IOM cohort. Only people on the cohort are reviewed."
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        with refusals_on(form):
            review = supervisor_review_record(
                nominal=nominal,
                by=user,
                commensurate=data["commensurate"],
                actions_set=data["actions_set"],
                next_review_on=data["next_review_on"],
                note=data["note"],
            )
            messages.success(
                request, f"The review has been recorded. The next review is due by {review.next_review_on:%-d %B %Y}."
            )
            return redirect("review-list", pk=nominal.pk)
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=summary.categories_shown, path=request.path)
    return render(
        request,
        "cohorts/reviews/review_new.html",
        {"nominal": nominal, "summary": summary, "form": form, "state_error": state_error},
        status=400 if state_error or (form is not None and form.errors) else 200,
    )


@require_GET
def review_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's supervisor reviews the user's agency may read, with when the next is due."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    cohort = nominal_cohort_panel(nominal)
    history = reviews_for_user(user, nominal)
    categories = ["identity", REVIEW_CATEGORY] if history.reviews else ["identity"]
    nominal_view_log(user=user, nominal=nominal, categories=categories, path=request.path)
    return render(
        request,
        "cohorts/reviews/review_list.html",
        {
            "nominal": nominal,
            "history": history,
            "schedule": review_schedule(nominal, cohort),
            "may_review": cohort.membership is not None and may_review(user, case_leads(cohort)),
        },
    )


@require_GET
def reviews_due_view(request: HttpRequest) -> HttpResponse:
    """A supervisor's reviews due: the cases of the workers they supervise first, then everyone on the
    cohort their agency may see; overdue first, then by due date."""
    user = signed_in_user(request)
    if not user.has_role(Role.SUPERVISOR):
        raise PermissionDenied("Reviews due are for supervisors.")
    form = ReviewsDueFilterForm(request.GET or None)
    people = reviews_due(user, supervisor=user)
    overdue_only = team_only = False
    if form.is_valid():
        overdue_only, team_only = form.cleaned_data["overdue"], form.cleaned_data["team"]
    if overdue_only:
        people = people.filter(Q(is_overdue=True))
    if team_only:
        people = people.filter(Q(in_team=True))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = due_rows_shown(user, page.object_list, query=request.GET.urlencode(), path=request.path)
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "cohorts/reviews/reviews_due.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": overdue_only or team_only,
            "query_without_page": query_without_page.urlencode(),
        },
    )
