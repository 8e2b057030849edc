from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


def layout_helper(*fields: Any) -> FormHelper:
    """A GOV.UK form helper laying out these fields, for a page whose template holds the <form>
    and its CSRF token."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields)
    return helper


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK wording and layout."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been deactivated. Ask your agency administrator.",
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Username"
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's template holds the <form> and its CSRF token
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.text("username", field_width=20),
            Field.text("password", field_width=20),
            Button("submit", "Sign in"),
        )


def attach_service_errors(form: Any, error: ValidationError) -> None:
    """Put a service's errors on the form's fields, so the page shows them beside what was typed
    (an error about no field, or a field the form lacks, goes to the top of the error summary)."""
    if hasattr(error, "error_dict"):
        for field_name, errors in error.message_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
