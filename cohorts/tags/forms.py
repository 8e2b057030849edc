"""The forms of the GPS tag pages (cohorts/tags/views.py). They read what was typed; the rules are the
services' (cohorts/tags/services.py), whose errors the views put back on these forms."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Button, Field, Size
from django import forms

from cohorts.tags.models import TagHit, TagPeriod
from ui.fields import GovDateField, radios, text_area
from ui.forms import layout_helper


class TagFitForm(forms.Form):
    basis = radios(
        "What is the tag a condition of?",
        choices=TagPeriod.Basis.choices,
        required="Choose what the tag is a condition of",
        initial=TagPeriod.Basis.LICENCE,
    )
    fitted_on = GovDateField(label="Date the tag was fitted", help_text="Today or in the past. For example, 27 3 2026.")
    ends_by = GovDateField(
        label="Date the tag is due off",
        help_text="On a licence condition, at most 12 months after it was fitted.",
    )
    note = text_area("Note (optional)", rows=3, required=False, max_length=4000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.radios("basis", legend_size=Size.SMALL),
            Field("fitted_on"),
            Field("ends_by"),
            Field.textarea("note", rows=3),
            Button("save", "Record the tag"),
        )


class TagRemoveForm(forms.Form):
    removed_on = GovDateField(label="Date the tag was removed", help_text="For example, 27 3 2026.")
    reason = forms.CharField(
        label="Why was the tag removed?",
        max_length=200,
        error_messages={"required": "Enter why the tag was removed"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field("removed_on"), Field.text("reason"), Button("save", "Record the removal"))


class TagHitForm(forms.Form):
    notified_on = GovDateField(
        label="Date the hit was notified",
        help_text="The day the central monitoring team notified it, within the tag period.",
    )
    crime_reference = forms.CharField(
        label="Crime reference", max_length=50, error_messages={"required": "Enter the crime reference"}
    )
    note = text_area("Note (optional)", rows=3, required=False, max_length=4000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field("notified_on"),
            Field.text("crime_reference", field_width=20),
            Field.textarea("note", rows=3),
            Button("save", "Record the hit"),
        )


class TagHitOutcomeForm(forms.Form):
    outcome = radios(
        "What was the outcome?",
        choices=[(TagHit.Outcome.RULED_IN, "Ruled in"), (TagHit.Outcome.RULED_OUT, "Ruled out")],
        required="Choose whether the hit was ruled in or ruled out",
    )
    outcome_on = GovDateField(label="Date of the outcome", help_text="For example, 27 3 2026.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.radios("outcome", legend_size=Size.SMALL, inline=True),
            Field("outcome_on"),
            Button("save", "Record the outcome"),
        )
