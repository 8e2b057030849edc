"""The forms of the action pages (meetings/actions/views.py) and of approving minutes
(meetings/minutes/views.py). The services check the rules (an active owner, a due date not in the
past, the state); these parse what was typed."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Button, Field
from django import forms

from sharing.models import User
from ui.fields import GovDateField, VersionField, text_area
from ui.forms import layout_helper


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username}, {obj.agency.name}"


class ActionForm(forms.Form):
    """A chair sets an action: who, what, by when."""

    owner = OwnerChoiceField(
        label="Who owns the action?",
        queryset=User.objects.none(),
        empty_label="Choose a person",
        help_text="Anyone in any agency of the partnership.",
        error_messages={"required": "Choose who owns the action", "invalid_choice": "Choose who owns the action"},
    )
    description = text_area("What is to be done?", rows=4, required="Describe the action", max_length=4000)
    due_on = GovDateField(label="Due date", help_text="Today or later. For example, 27 3 2026.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field: forms.ModelChoiceField = self.fields["owner"]  # type: ignore[assignment]
        owner_field.queryset = (
            User.objects.filter(is_active=True)
            .select_related("agency")
            .order_by("agency__name", "last_name", "first_name", "pk")
        )
        self.helper = layout_helper(
            Field("owner"),
            Field.textarea("description", rows=4),
            Field("due_on"),
            Button("set", "Set the action"),
        )


class VersionedForm(forms.Form):
    version = VersionField()


class CompleteForm(VersionedForm):
    """The owner, or a chair, marks an action done."""

    note = text_area("What was done? (optional)", rows=3, required=False, max_length=4000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field("version"), Field.textarea("note", rows=3), Button("complete", "Mark as done")
        )


class CancelForm(VersionedForm):
    """A chair cancels an action no longer needed."""

    note = text_area("Why is it cancelled?", rows=3, required="Say why the action is cancelled", max_length=4000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field("version"),
            Field.textarea("note", rows=3),
            Button("cancel", "Cancel the action", css_class="govuk-button--warning"),
        )


class ApproveForm(VersionedForm):
    """The chair approves the minutes (the version guards against a record changed meanwhile)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field("version"), Button("approve", "Approve and send the minutes"))
