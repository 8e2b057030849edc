"""The MoJ filter pattern's "selected filters" for any list page: each chosen value is a tag whose
link removes it, keeping the rest of the query."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict


def query_without(query: QueryDict, name: str, value: str | None = None) -> str:
    changed = query.copy()
    changed.pop("page", None)
    if value is None:
        changed.pop(name, None)
    else:
        changed.setlist(name, [item for item in changed.getlist(name) if item != value])
    return changed.urlencode()


def selected_filters(form: forms.Form, query: QueryDict) -> list[dict[str, Any]]:
    """The MoJ filter's selected filters: each a tag whose link removes it."""
    if not form.is_bound or not form.is_valid():
        return []
    categories = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if name in getattr(form, "not_filters", ()) or value == field.initial:
            continue  # e.g. the sort order, or a choice left at its default
        if value is None or value is False or (isinstance(value, str | list) and not value):
            continue
        if hasattr(value, "exists") and not value.exists():
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            items = [(field.label_from_instance(obj), query_without(query, name, str(obj.pk))) for obj in value]
        elif isinstance(field, forms.MultipleChoiceField):
            labels: dict[str, Any] = dict(field.choices)  # type: ignore[arg-type]
            items = [(str(labels[item]), query_without(query, name, item)) for item in value]
        elif isinstance(field, forms.ChoiceField):
            items = [(str(dict(field.choices).get(value, value)), query_without(query, name))]  # type: ignore[arg-type]
        elif isinstance(field, forms.BooleanField):
            items = [("Yes", query_without(query, name))]
        else:
            items = [(str(value), query_without(query, name))]
        categories.append({"heading": field.label, "items": [{"text": t, "href": f"?{h}"} for t, h in items]})
    return categories
