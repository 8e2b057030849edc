"""The pages' form building blocks: GOV.UK layouts and the service's errors shown on a form."""

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict


def layout_helper(*fields: Any) -> FormHelper:
    """A GOV.UK form helper laying out these fields, for a page whose template holds the <form>
    and its CSRF token."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields)
    return helper


def attach_service_errors(form: Any, error: ValidationError) -> None:
    """Put a service's errors on the form's fields, so the page shows them beside what was typed
    (an error about no field, or a field the form lacks, goes to the top of the error summary)."""
    if hasattr(error, "error_dict"):
        for field_name, errors in error.message_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def kept_unchecked(form: Any) -> Any:
    """A bound form shown again with what was typed in it and no errors: another button of the same
    page form was pressed, so nothing in it was asked to be checked (or saved) yet."""
    form._errors = ErrorDict()
    form.cleaned_data = {}
    return form
