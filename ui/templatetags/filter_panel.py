"""The fields of a list page's MoJ filter panel, written straight to GOV.UK Frontend markup.

The panel of the cohort list holds a few hundred options (every lead professional, their agencies);
crispy-forms renders each option through a template of its own, which cost more than the list's
rows query (`manage.py benchmark`: about 90 ms a page at 20,000 people). Here each field is one
format_html_join, with the same markup and ids as the crispy GDS templates, so the error summary's
links still land on their fields. Only the widgets filter panels use are supported."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms, template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _error_message(field: BoundField, error_id: str) -> SafeString:
    return format_html_join(
        "",
        '<p id="{}" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {}</p>',
        ((error_id, error) for error in field.errors),
    )


def _group(field: BoundField, inner: SafeString) -> SafeString:
    error_class = " govuk-form-group--error" if field.errors else ""
    return format_html('<div id="div_{}" class="govuk-form-group{}">{}</div>', field.auto_id, error_class, inner)


def _hint(field: BoundField) -> SafeString:
    if not field.help_text:
        return mark_safe("")
    return format_html('<div id="{}_hint" class="govuk-hint">{}</div>', field.auto_id, field.help_text)


def _selected(field: BoundField) -> set[str]:
    value = field.value()
    if value is None:
        return set()
    values: Iterable[object] = value if isinstance(value, list | tuple) else [value]
    return {str(v) for v in values}


def _choices(field: BoundField, kind: str) -> SafeString:
    """Radios or checkboxes: one fieldset, an item per choice (ids id_<name>_1, _2 ... as crispy's)."""
    selected = _selected(field)
    error_id = f"{field.auto_id}_error"
    described = f' aria-describedby="{error_id}"' if field.errors else ""
    items = format_html_join(
        "",
        '<div class="govuk-{0}__item"><input type="{1}" name="{2}" class="govuk-{0}__input" id="{3}_{4}" '
        'value="{5}"{6}><label class="govuk-label govuk-{0}__label" for="{3}_{4}">{7}</label></div>',
        (
            (
                kind,
                "radio" if kind == "radios" else "checkbox",
                field.html_name,
                field.auto_id,
                number,
                value,
                mark_safe(" checked") if str(value) in selected else "",
                label,
            )
            for number, (value, label) in enumerate(field.field.choices, start=1)  # type: ignore[attr-defined]
        ),
    )
    fieldset = format_html(
        '<fieldset class="govuk-fieldset"{}><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{}'
        '</legend>{}{}<div class="govuk-{} govuk-{}--small">{}</div></fieldset>',
        mark_safe(described),  # noqa: S308 (built from the field's id)
        field.label,
        _hint(field),
        _error_message(field, error_id),
        kind,
        kind,
        items,
    )
    return _group(field, fieldset)


def _select(field: BoundField) -> SafeString:
    selected = _selected(field)
    error_id = f"{field.auto_id}_error"
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) in selected else "", label)
            for value, label in field.field.choices  # type: ignore[attr-defined]
        ),
    )
    error_class = " govuk-select--error" if field.errors else ""
    described = format_html(' aria-describedby="{}"', error_id) if field.errors else ""
    return _group(
        field,
        format_html(
            '<label class="govuk-label" for="{}">{}</label>{}{}<select class="govuk-select{}" id="{}" name="{}"{}>'
            "{}</select>",
            field.auto_id,
            field.label,
            _hint(field),
            _error_message(field, error_id),
            error_class,
            field.auto_id,
            field.html_name,
            described,
            options,
        ),
    )


def _checkbox(field: BoundField) -> SafeString:
    checked = mark_safe(" checked") if field.value() else ""
    return _group(
        field,
        format_html(
            '{}<div class="govuk-checkboxes govuk-checkboxes--small"><div class="govuk-checkboxes__item">'
            '<input type="checkbox" name="{}" class="govuk-checkboxes__input" id="{}"{}>'
            '<label class="govuk-label govuk-checkboxes__label" for="{}">{}</label></div></div>',
            _error_message(field, f"{field.auto_id}_error"),
            field.html_name,
            field.auto_id,
            checked,
            field.auto_id,
            field.label,
        ),
    )


def _text(field: BoundField, width: int | None) -> SafeString:
    error_id = f"{field.auto_id}_error"
    classes = "govuk-input" + (f" govuk-input--width-{width}" if width else "")
    attrs: dict[str, str | bool] = {"class": classes + (" govuk-input--error" if field.errors else "")}
    if field.errors:
        attrs["aria-describedby"] = error_id
    return _group(
        field,
        format_html(
            '<label class="govuk-label" for="{}">{}</label>{}{}{}',
            field.auto_id,
            field.label,
            _hint(field),
            _error_message(field, error_id),
            field.as_widget(attrs=attrs),
        ),
    )


@register.simple_tag
def filter_fields(form: forms.Form) -> SafeString:
    """Every field of a filter form, in order: checkboxes and radios small, with small legends.
    A form may say how wide its text inputs are: `filter_widths = {"min_score": 5}`."""
    widths: dict[str, int] = getattr(form, "filter_widths", {})
    rendered = []
    for field in form.visible_fields():
        widget = field.field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):  # a subclass of RadioSelect: first
            rendered.append(_choices(field, "checkboxes"))
        elif isinstance(widget, forms.RadioSelect):
            rendered.append(_choices(field, "radios"))
        elif isinstance(widget, forms.CheckboxInput):
            rendered.append(_checkbox(field))
        elif isinstance(widget, forms.Select):
            rendered.append(_select(field))
        else:
            rendered.append(_text(field, widths.get(field.name)))
    return mark_safe("".join(rendered))  # noqa: S308 (each part is built by format_html)
