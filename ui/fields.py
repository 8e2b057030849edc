"""Form fields shared by the apps' page forms."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError

from ui.dates import date_from_parts


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
        day, month, year = (str(value).strip() for value in data_list)
        try:
            return date_from_parts(day, month, year, self.what)
        except ValueError as error:
            raise ValidationError(str(error)) from error


# Records' versions start at 1, so a version that reads as 0 never matches: a save from a page whose
# version is missing or has been tampered with is refused as stale, never let through unchecked.
UNREADABLE_VERSION = 0
LARGEST_VERSION = 2**31 - 1


def version_read(value: Any) -> int:
    """The version a page was read at, from its hidden field; UNREADABLE_VERSION if missing or not one."""
    try:
        version = int(str(value).strip())
    except (TypeError, ValueError):
        return UNREADABLE_VERSION
    return version if 1 <= version <= LARGEST_VERSION else UNREADABLE_VERSION


class VersionField(forms.IntegerField):
    """The hidden version of the record a form changes. It never fails: an unreadable one reads as
    UNREADABLE_VERSION, which the service refuses as stale, with what was typed kept."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> int:
        return version_read(value)

    def validate(self, value: Any) -> None:
        pass

    def run_validators(self, value: Any) -> None:
        pass


# The largest id a record has (the columns are bigint): a larger number names no record, and is
# refused as one before it reaches the database, where it would not fit.
LARGEST_ID = 2**63 - 1


def record_number(label: str, **kwargs: Any) -> forms.IntegerField:
    """An optional number naming a record (a filter's person or user), refused unless it could be one."""
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=LARGEST_ID,
        error_messages={
            "invalid": f"The {label[0].lower() + label[1:]} must be a number, like 1234",
            "min_value": f"The {label[0].lower() + label[1:]} must be a number, like 1234",
            "max_value": f"The {label[0].lower() + label[1:]} is not one of the service's: it is too long",
        },
        **kwargs,
    )


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
