"""The selection matrix: its criteria, its versions and how a score is worked out, for the IOM team,
panel chairs and system administrators; system administrators add and change criteria, and every
change re-scores the referrals in progress (their old scores stay as history)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from referrals import permissions
from referrals.matrix_forms import MEASURE_POINTS, CriterionForm
from referrals.models import SelectionCriterion, SelectionMatrixVersion
from referrals.services import selection_criterion_create, selection_criterion_update
from referrals.workflow_views import attach_errors
from sharing.errors import NotAllowed
from sharing.http import signed_in_user

VERSIONS_SHOWN = 50
MEASURE_LABELS = dict(SelectionCriterion.Measure.choices)


def _latest_version_number() -> int:
    return SelectionMatrixVersion.objects.aggregate(number=Max("number"))["number"] or 0


def _version_rows(version: SelectionMatrixVersion) -> list[dict[str, Any]]:
    """A version's stored criteria, with each measure's name for people."""
    return [
        {**item, "measure_label": MEASURE_LABELS.get(item["measure"], item["measure"])} for item in version.criteria
    ]


def selection_matrix(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not permissions.may_read_selection_matrix(user):
        raise PermissionDenied("The selection matrix is for the IOM team, panel chairs and system administrators.")
    versions = list(SelectionMatrixVersion.objects.select_related("created_by").order_by("-number")[:VERSIONS_SHOWN])
    return render(
        request,
        "referrals/matrix/matrix.html",
        {
            "criteria": list(SelectionCriterion.objects.order_by("order", "pk")),
            "current": versions[0] if versions else None,
            "versions": [(version, _version_rows(version)) for version in versions],
            "measures": [(label, MEASURE_POINTS[value]) for value, label in SelectionCriterion.Measure.choices],
            "may_change": permissions.may_change_selection_matrix(user),
        },
    )


def _rescored_message(before: int) -> str:
    """What a change did: the new version, and how many referrals in progress it re-scored."""
    latest = SelectionMatrixVersion.objects.order_by("-number").first()
    if latest is None or latest.number == before:
        return "Nothing changed, so no referral was re-scored."
    rescored = latest.scores.count()
    referrals = f"{rescored} open referral{'s were' if rescored != 1 else ' was'}"
    return f"The selection matrix is now version {latest.number}: {referrals} re-scored."


def _criterion_page(request: HttpRequest, criterion: SelectionCriterion | None) -> HttpResponse:
    user = signed_in_user(request)
    if not permissions.may_change_selection_matrix(user):
        raise PermissionDenied("Only a system administrator changes the selection matrix.")
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        before = _latest_version_number()
        try:
            if criterion is None:
                saved = selection_criterion_create(by=user, **fields)
            else:
                saved = selection_criterion_update(criterion=criterion, by=user, **fields)
        except NotAllowed as refused:
            raise PermissionDenied(str(refused)) from refused
        except ValidationError as error:
            attach_errors(form, error)
        else:
            done = "added" if criterion is None else "saved"
            messages.success(request, f"“{saved.name}” has been {done}. {_rescored_message(before)}")
            return redirect("selection-matrix")
    return render(
        request,
        "referrals/matrix/criterion_form.html",
        {"form": form, "criterion": criterion},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def criterion_new(request: HttpRequest) -> HttpResponse:
    """Add a criterion to the selection matrix."""
    return _criterion_page(request, None)


@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a criterion's weight, window, cap or whether it is in use."""
    if not permissions.may_change_selection_matrix(signed_in_user(request)):
        raise PermissionDenied("Only a system administrator changes the selection matrix.")
    return _criterion_page(request, get_object_or_404(SelectionCriterion, pk=pk))
