"""The forms of the supervisor review pages (cohorts/reviews/views.py)."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Button, Field, Size
from django import forms

from ui.fields import GovDateField, text_area
from ui.forms import layout_helper


class ReviewForm(forms.Form):
    """A supervisor's review of the management report. The service checks the next review date
    against the cadence of the person's RAG rating, and asks for actions when the interventions are
    not commensurate with the risk."""

    commensurate = forms.TypedChoiceField(
        label="Are the interventions commensurate with the risk?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the interventions are commensurate with the risk"},
    )
    actions_set = text_area(
        "Actions set",
        rows=5,
        required=False,
        max_length=4000,
        help_text="What the lead professional and the partnership are to do before the next review. "
        "Needed when the interventions are not commensurate with the risk.",
    )
    next_review_on = GovDateField(label="Next review date")
    note = text_area(
        "Note (optional)",
        rows=3,
        required=False,
        max_length=4000,
        help_text="Anything else about the review: it is kept with it.",
    )

    def __init__(
        self, *args: Any, latest_allowed: datetime.date, cadence: str, rating_label: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("next_review_on", latest_allowed)
        rated = f"{rating_label} is reviewed {cadence}" if rating_label else f"Not rated: reviewed {cadence}"
        self.fields["next_review_on"].help_text = (
            f"After today, and on or before {latest_allowed:%-d %B %Y} ({rated}). "
            f"For example, {latest_allowed.day} {latest_allowed.month} {latest_allowed.year}"
        )
        self.helper = layout_helper(
            Field.radios("commensurate", legend_size=Size.SMALL, inline=True),
            Field.textarea("actions_set", rows=5),
            Field("next_review_on"),
            Field.textarea("note", rows=3),
            Button("save", "Record the review"),
        )


class ReviewsDueFilterForm(forms.Form):
    """The reviews due list's filters."""

    overdue = forms.BooleanField(label="Overdue only", required=False)
    team = forms.BooleanField(label="Only my team (cases whose lead I supervise)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field.checkbox("overdue", small=True), Field.checkbox("team", small=True))
