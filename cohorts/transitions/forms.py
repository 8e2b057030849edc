"""The forms of the transition plan pages (cohorts/transitions/views.py). The rules are the services'
(cohorts/transitions/services.py); each change carries the plan's version, so a stale save is refused."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Button, Field
from django import forms

from cohorts.records.forms import workers_by_agency
from sharing.models import Agency, User
from ui.fields import GovDateField, VersionField, text_area
from ui.forms import layout_helper


class VersionedForm(forms.Form):
    version = VersionField()


class TransitionStartForm(forms.Form):
    notes = text_area(
        "Notes (optional)",
        rows=4,
        required=False,
        max_length=4000,
        help_text="What the plan is to achieve as support is scaled back.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field.textarea("notes", rows=4), Button("save", "Start the transition plan"))


class TransitionStepForm(VersionedForm):
    description = forms.CharField(
        label="What is handed over?",
        max_length=300,
        help_text="For example, weekly drug testing continues with the drug service.",
        error_messages={"required": "Enter what the step is"},
    )
    agency = forms.ModelChoiceField(
        label="Agency taking over (optional)",
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label="Not set",
    )
    worker = forms.ChoiceField(
        label="Worker taking over (optional)",
        required=False,
        help_text="The agency follows the worker's.",
        error_messages={"invalid_choice": "Choose the worker from the list"},
    )
    due_on = GovDateField(label="Date the step is due", help_text="For example, 27 3 2026.")

    def __init__(self, *args: Any, workers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workers = {str(user.pk): user for user in workers}
        self.fields["worker"].choices = workers_by_agency(workers, "Not set")  # type: ignore[attr-defined]
        self.helper = layout_helper(
            Field.text("description"),
            Field.select("agency"),
            Field.select("worker"),
            Field("due_on"),
            Field("version"),
            Button("save", "Add the step"),
        )

    def clean_worker(self) -> User | None:
        return self.workers.get(self.cleaned_data["worker"])


class TransitionStepDoneForm(VersionedForm):
    done_on = GovDateField(label="Date the step was done", help_text="Today or in the past. For example, 27 3 2026.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field("done_on"), Field("version"), Button("save", "Mark the step done"))


class TransitionCompleteForm(VersionedForm):
    pass
