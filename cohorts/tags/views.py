"""GPS tag pages: a person's tag periods and location hits, fitting and removing a tag,
recording a hit and its outcome. Thin: parse, call cohorts/tags/services.py, render.

Tags and hits are intelligence, a sensitive category: their content shows only after the user has
given a reason, logged, as on the person page (one reason unlocks the person's sensitive items for
half an hour, whichever page it was given on). Without it the pages show counts. A person the user
may not see is a 404; a tag or hit their agency may not see, a 404; a role that may not record, 403."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohorts.access import reasons_to_see_nominal
from cohorts.models import AccessEvent
from cohorts.records.forms import SensitiveReasonForm
from cohorts.records.models import Nominal
from cohorts.records.panels import PanelResult
from cohorts.records.selectors import nominal_or_404
from cohorts.records.services import access_event_record, nominal_view_log
from cohorts.records.views import _sensitive_unlock_key, _sensitive_unlocked
from cohorts.tags.forms import TagFitForm, TagHitForm, TagHitOutcomeForm, TagRemoveForm
from cohorts.tags.models import TagHit, TagPeriod
from cohorts.tags.services import (
    TAG_CATEGORY,
    check_tag_recorder,
    may_record_tags,
    tag_fit,
    tag_get_for_user,
    tag_hit_get_for_user,
    tag_hit_outcome,
    tag_hit_record,
    tag_period_end,
    tag_remove,
    tag_summary_for_user,
    tags_for_user,
)
from sharing.error_policy import refusals_on
from sharing.http import signed_in_user
from sharing.models import User


def _recorder(request: HttpRequest, pk: int) -> Nominal:
    nominal = nominal_or_404(signed_in_user(request), pk)
    check_tag_recorder(signed_in_user(request))
    return nominal


def _tag_or_404(request: HttpRequest, nominal: Nominal, tag_pk: int) -> TagPeriod:
    try:
        return tag_get_for_user(signed_in_user(request), nominal, tag_pk)
    except TagPeriod.DoesNotExist as error:
        raise Http404("No such tag") from error


def _tag_list_page(request: HttpRequest, nominal: Nominal, reason_form: SensitiveReasonForm) -> HttpResponse:
    user = signed_in_user(request)
    unlocked = _sensitive_unlocked(request, nominal)
    record = tags_for_user(user, nominal) if unlocked else None
    summary = tag_summary_for_user(user, nominal)
    shown = record is not None and bool(record.periods)
    if request.method == "GET":
        nominal_view_log(
            user=user,
            nominal=nominal,
            categories=["identity", TAG_CATEGORY] if shown else ["identity"],
            path=request.path,
        )
    return render(
        request,
        "cohorts/tags/tag_list.html",
        {
            "nominal": nominal,
            "record": record,
            "summary": summary,
            "reason_form": reason_form,
            "may_record": may_record_tags(user),
        },
        status=400 if reason_form.errors else 200,
    )


@require_GET
def tag_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's tag periods and hits the user's agency may see, once a reason is given; counts before."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    return _tag_list_page(request, nominal, SensitiveReasonForm())


@require_POST
def tag_reason(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the reason to see the person's sensitive items (tags among them); the reason is logged."""
    nominal = nominal_or_404(signed_in_user(request), pk)
    user = signed_in_user(request)
    form = SensitiveReasonForm(request.POST)
    if not form.is_valid():
        return _tag_list_page(request, nominal, form)
    access_event_record(
        user=user,
        action=AccessEvent.Action.VIEW_SENSITIVE,
        nominal=nominal,
        categories=[TAG_CATEGORY],
        allowed_by="; ".join(reasons_to_see_nominal(user.agency, nominal)) or "System administration",
        reason=form.cleaned_data["reason"],
        path=request.path,
    )
    request.session[_sensitive_unlock_key(nominal)] = time.time()
    return redirect("tag-list", pk=nominal.pk)


def _locked(request: HttpRequest, nominal: Nominal) -> HttpResponse | None:
    """Back to the tags page, to give the reason first, if the user has not given it."""
    if _sensitive_unlocked(request, nominal):
        return None
    messages.info(request, "Give your reason to see the person's GPS tags first.")
    return redirect("tag-list", pk=nominal.pk)


def _tag_form_page(
    request: HttpRequest,
    nominal: Nominal,
    form_class: type[forms.Form],
    *,
    save: Callable[[User, dict[str, Any]], object],
    done: str,
    title: str,
    context: dict[str, Any],
    categories: list[str],
) -> HttpResponse:
    """A page recording something about the person's tags: the form, its save through the service
    (a refusal on the form), back to the tags page when saved; a GET is logged as seeing categories."""
    user = signed_in_user(request)
    form = form_class(request.POST) if request.method == "POST" else form_class()
    if request.method == "POST" and form.is_valid():
        with refusals_on(form):
            save(user, form.cleaned_data)
            messages.success(request, done)
            return redirect("tag-list", pk=nominal.pk)
    if request.method == "GET":
        nominal_view_log(user=user, nominal=nominal, categories=categories, path=request.path)
    return render(
        request,
        "cohorts/tags/tag_form.html",
        {"nominal": nominal, "form": form, "title": title, **context},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def tag_fit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a GPS tag fitted to the person."""
    nominal = _recorder(request, pk)
    return _tag_form_page(
        request,
        nominal,
        TagFitForm,
        save=lambda user, data: tag_fit(nominal=nominal, by=user, **data),
        done="The GPS tag has been recorded.",
        title="Record a GPS tag fitted",
        context={"tag": None},
        categories=["identity"],
    )


@require_http_methods(["GET", "POST"])
def tag_remove_view(request: HttpRequest, pk: int, tag_pk: int) -> HttpResponse:
    """Record that the tag came off, when and why."""
    nominal = _recorder(request, pk)
    tag = _tag_or_404(request, nominal, tag_pk)
    if (locked := _locked(request, nominal)) is not None:
        return locked
    return _tag_form_page(
        request,
        nominal,
        TagRemoveForm,
        save=lambda user, data: tag_remove(tag=tag, by=user, **data),
        done="The tag's removal has been recorded.",
        title="Record the tag's removal",
        context={"tag": tag},
        categories=["identity", TAG_CATEGORY],
    )


@require_http_methods(["GET", "POST"])
def tag_hit_new(request: HttpRequest, pk: int, tag_pk: int) -> HttpResponse:
    """Record a location hit the central monitoring team notified."""
    nominal = _recorder(request, pk)
    tag = _tag_or_404(request, nominal, tag_pk)
    if (locked := _locked(request, nominal)) is not None:
        return locked
    return _tag_form_page(
        request,
        nominal,
        TagHitForm,
        save=lambda user, data: tag_hit_record(tag=tag, by=user, **data),
        done="The location hit has been recorded: its outcome is pending.",
        title="Record a location hit",
        context={"tag": tag, "tag_ends": tag_period_end(tag)},
        categories=["identity", TAG_CATEGORY],
    )


@require_http_methods(["GET", "POST"])
def tag_hit_outcome_view(request: HttpRequest, pk: int, hit_pk: int) -> HttpResponse:
    """Rule a pending hit in or out."""
    nominal = _recorder(request, pk)
    try:
        hit = tag_hit_get_for_user(signed_in_user(request), nominal, hit_pk)
    except TagHit.DoesNotExist as error:
        raise Http404("No such hit") from error
    if (locked := _locked(request, nominal)) is not None:
        return locked
    return _tag_form_page(
        request,
        nominal,
        TagHitOutcomeForm,
        save=lambda user, data: tag_hit_outcome(hit=hit, by=user, **data),
        done="The hit's outcome has been recorded.",
        title="Record the hit's outcome",
        context={"tag": hit.tag_period, "hit": hit},
        categories=["identity", TAG_CATEGORY],
    )


def tag_panel(request: HttpRequest, nominal: Nominal) -> PanelResult:
    """The person page's "GPS tag" panel: whether a tag is on and how many hits are pending, counts
    only (the content is behind the reason), and the link (one query)."""
    user = signed_in_user(request)
    return "cohorts/tags/_person_panel.html", {
        "tag_summary": tag_summary_for_user(user, nominal),
        "may_record_tags": may_record_tags(user),
    }
