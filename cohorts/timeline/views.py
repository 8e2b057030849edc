"""The nominal's timeline page (cohorts/timeline/selectors.py): everything about the person the viewer may see,
newest first, filtered by kind, 100 entries a page. A person the user may not see is a 404. Each view
is logged with the categories it showed."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cohorts.records.selectors import nominal_or_404
from cohorts.records.services import nominal_view_log
from cohorts.timeline.selectors import nominal_timeline, timeline_kinds
from sharing.models import User

PAGE_SIZE = 100


class TimelineFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(label="Show only", required=False, widget=forms.CheckboxSelectMultiple, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = timeline_kinds()  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field.checkboxes("kind", legend_size=Size.SMALL, small=True))


@require_GET
def nominal_timeline_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    nominal = nominal_or_404(user, pk)
    form = TimelineFilterForm(request.GET or None)
    kinds: list[str] = form.cleaned_data["kind"] if form.is_valid() else []
    timeline = nominal_timeline(user, nominal, kinds=kinds)
    page = Paginator(timeline.entries, PAGE_SIZE).get_page(request.GET.get("page"))
    nominal_view_log(user=user, nominal=nominal, categories=timeline.categories_shown, path=request.path)
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "cohorts/timeline.html",
        {
            "nominal": nominal,
            "timeline": timeline,
            "page": page,
            "form": form,
            "filtered": bool(kinds),
            "query_without_page": query_without_page.urlencode(),
        },
        status=400 if form.errors else 200,
    )
