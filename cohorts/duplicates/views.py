"""The IOM team's possible duplicates: the queue, a check's page (both records' identity
side by side, and the merge's preview), and its resolutions: share the record with the agency,
merge the two records, or not the same person; and undoing a merge. Thin: parse, call
cohorts/duplicates/services.py, render. For the IOM team and system administrators; anyone else 403 (the
queue) or 404 (a check, as if it did not exist)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cohorts.duplicates.models import PossibleDuplicate
from cohorts.duplicates.services import (
    MERGE_UNDO_DAYS,
    agencies_involved,
    duplicate_check_log,
    duplicate_dismiss,
    duplicate_get_for_user,
    duplicate_share,
    duplicates_for_user,
    may_check_duplicates,
    merge_preview,
    merge_undoable,
    merges_for_user,
    nominal_merge,
    nominal_merge_undo,
)
from cohorts.records.identifiers import IDENTIFIER_LABELS
from sharing.errors import StateError
from sharing.http import signed_in_user
from sharing.models import User

PAGE_SIZE = 50
NOT_THE_TEAM = "Possible duplicates are checked by the IOM team."


def _checker(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not may_check_duplicates(user):
        raise PermissionDenied(NOT_THE_TEAM)
    return user


def _duplicate_or_404(user: User, pk: int) -> PossibleDuplicate:
    try:
        return duplicate_get_for_user(user, pk)
    except PossibleDuplicate.DoesNotExist as error:
        raise Http404("No such check") from error


@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """The checks to do, newest first, and the recent merges (undoable for MERGE_UNDO_DAYS)."""
    user = _checker(request)
    page = Paginator(duplicates_for_user(user), PAGE_SIZE).get_page(request.GET.get("page"))
    merges = [(merge, merge_undoable(merge)) for merge in merges_for_user(user)[:20]]
    return render(
        request,
        "cohorts/duplicates/list.html",
        {"page": page, "merges": merges, "undo_days": MERGE_UNDO_DAYS},
    )


@require_GET
def duplicate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One check: the two records' identity, who holds each, and what a merge would move. Reading
    them is logged against both records, with the check as the reason."""
    user = _checker(request)
    duplicate = _duplicate_or_404(user, pk)
    existing = duplicate.existing
    preview = None
    if duplicate.recorded is not None and duplicate.status == PossibleDuplicate.Status.OPEN:
        preview = merge_preview(survivor=existing, merged=duplicate.recorded)
    duplicate_check_log(user=user, duplicate=duplicate, path=request.path)
    return render(
        request,
        "cohorts/duplicates/detail.html",
        {
            "duplicate": duplicate,
            "records": [
                (label, nominal, agencies_involved(nominal))
                for label, nominal in (("Already recorded", existing), ("Just recorded", duplicate.recorded))
                if nominal is not None
            ],
            "preview": preview,
            "identifier_label": IDENTIFIER_LABELS.get(duplicate.identifier, ""),
        },
    )


def _act(request: HttpRequest, pk: int, act: str) -> HttpResponse:
    user = _checker(request)
    duplicate = _duplicate_or_404(user, pk)
    try:
        if act == "share":
            duplicate_share(duplicate=duplicate, by=user)
            messages.success(request, f"{duplicate.agency.name} now sees the record, as an involved agency.")
        elif act == "merge":
            if duplicate.recorded is None:
                raise StateError("There is only one record: share it with the agency instead.")
            merge = nominal_merge(survivor=duplicate.existing, merged=duplicate.recorded, by=user, duplicate=duplicate)
            messages.success(
                request, f"The two records are one. You can undo this for {MERGE_UNDO_DAYS} days from the checks page."
            )
            return redirect("nominal-detail", pk=merge.survivor_id)
        else:
            duplicate_dismiss(duplicate=duplicate, by=user)
            messages.success(request, "The check is closed: the two records stay as they are.")
    except StateError as error:
        messages.error(request, str(error))
        return redirect("duplicate-detail", pk=pk)
    return redirect("duplicate-list")


@require_POST
def duplicate_share_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "share")


@require_POST
def duplicate_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "merge")


@require_POST
def duplicate_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "dismiss")


@require_POST
def merge_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _checker(request)
    merge = merges_for_user(user).filter(pk=pk).first()
    if merge is None:
        raise Http404("No such merge")
    try:
        nominal_merge_undo(merge=merge, by=user)
    except StateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The merge is undone: the two records are as they were.")
    return redirect("duplicate-list")
