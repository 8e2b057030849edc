"""Form fields shared by the apps' page forms."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError


class GovDateField(DateInputField):
    """The GOV.UK date input (day, month, year boxes), with errors that name the date."""

    def __init__(self, *, label: str, required: bool = True, **kwargs: Any) -> None:
        super().__init__(label=label, required=required, require_all_fields=False, **kwargs)
        what = label[0].lower() + label[1:]
        self.error_messages["required"] = f"Enter the {what}"
        self.error_messages["incomplete"] = f"The {what} must include a day, month and year"
        self.what = what

    def compress(self, data_list: Any) -> datetime.date | None:
        if not data_list or all(value in self.empty_values for value in data_list):
            return None
        day, month, year = (int(value) for value in data_list)
        if year < 1900:
            raise ValidationError(f"The {self.what} year must have 4 digits, like 1994")
        try:
            return datetime.date(year, month, day)
        except ValueError as error:
            raise ValidationError(f"The {self.what} must be a real date") from error


def _required(required: str | bool, error_messages: dict[str, str] | None) -> tuple[bool, dict[str, str] | None]:
    """A question's `required`: the message shown when it is left unanswered, or False if optional."""
    if isinstance(required, str):
        return True, {"required": required, **(error_messages or {})}
    return required, error_messages


def text_area(
    label: str,
    *,
    rows: int,
    required: str | bool = True,
    error_messages: dict[str, str] | None = None,
    **kwargs: Any,
) -> forms.CharField:
    """A GOV.UK textarea question of `rows` lines; `required` is the message when it is left empty."""
    is_required, messages = _required(required, error_messages)
    return forms.CharField(
        label=label,
        required=is_required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=messages,
        **kwargs,
    )


def radios(
    label: str,
    *,
    choices: Any,
    required: str | bool = True,
    error_messages: dict[str, str] | None = None,
    **kwargs: Any,
) -> forms.ChoiceField:
    """A GOV.UK radios question; `required` is the message when no answer is chosen."""
    is_required, messages = _required(required, error_messages)
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=is_required,
        widget=forms.RadioSelect,
        error_messages=messages,
        **kwargs,
    )
