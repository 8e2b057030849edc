"""The forms of the deregistration pages (cohorts/deregistration/views.py). The services check the
rules (an explanation, a note when not ratifying, the last day's range); these parse what was typed."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Button, Field, Size
from django import forms

from cohorts.deregistration.models import Deregistration
from ui.fields import GovDateField, radios, text_area
from ui.forms import layout_helper


class ProposeForm(forms.Form):
    """The lead professional's or the IOM team's proposal that the person leave IOM."""

    reason = radios(
        "Why should they leave IOM?",
        choices=Deregistration.Reason.choices,
        required="Select why the person should leave IOM",
    )
    explanation = text_area(
        "Explain the proposal",
        rows=5,
        required="Explain why the person should leave IOM",
        max_length=4000,
        help_text="What the panel needs to know: how the licence and transition went, the new area, the sentence.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.radios("reason", legend_size=Size.MEDIUM),
            Field.textarea("explanation", rows=5),
            Button("propose", "Propose deregistration"),
        )


class DecisionForm(forms.Form):
    """A panel chair's decision: ratify (the last day on IOM, today unless given) or not (with why)."""

    decision = radios(
        "Decision",
        choices=[("ratify", "Ratify: they leave IOM"), ("not_ratify", "Do not ratify: they stay on IOM")],
        required="Select whether to ratify the proposal",
    )
    ends_on = GovDateField(
        label="Last day on IOM",
        required=False,
        help_text="If you ratify. Today unless you give another day, not before the period on IOM started. "
        "For example, 27 3 2026.",
    )
    note = text_area(
        "Note",
        rows=3,
        required=False,
        max_length=4000,
        help_text="Needed if you do not ratify: say why. Optional otherwise.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field("ends_on"),
            Field.textarea("note", rows=3),
            Button("decide", "Record the decision"),
        )


class WithdrawForm(forms.Form):
    """Withdrawing a proposal that waits for a panel chair."""

    note = text_area("Why is it withdrawn? (optional)", rows=3, required=False, max_length=4000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field.textarea("note", rows=3), Button("withdraw", "Withdraw the proposal"))
