"""The selection matrix's criterion form, and what each measure scores (referrals/scoring.py)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Button, Field, Size
from django import forms

from referrals import scoring
from referrals.models import SelectionCriterion
from ui.forms import layout_helper

Measure = SelectionCriterion.Measure

# How each measure of referrals/scoring.py turns a referral's facts into points, in words.
MEASURE_POINTS: dict[str, str] = {
    Measure.OGRS_BAND: "OGRS 50% to 74%: 1 point; 75% to 89%: 2 points; 90% or more: 3 points; lower or not known: 0.",
    Measure.NEIGHBOURHOOD_CRIME_COUNT: "1 point for each neighbourhood-crime offence (burglary, robbery, vehicle "
    "crime, theft other than shoplifting) in the window "
    f"(the last {scoring.DEFAULT_WINDOWS['nc_count']} days unless the criterion sets another).",
    Measure.NEIGHBOURHOOD_CRIME_RECENCY: "The latest neighbourhood-crime offence within 3 months: 3 points; "
    "within 6 months: 2; within a year: 1; older or none: 0.",
    Measure.RISK_OF_SERIOUS_HARM: "Risk of serious harm low: 0; medium: 1; high: 2; very high: 3 points; not "
    "assessed: 0.",
    Measure.DOMESTIC_ABUSE: "1 point for domestic abuse offending or the domestic abuse priority cohort.",
    Measure.PCC_PRIORITY: "1 point for each priority cohort the police and crime commissioner's plan names.",
    Measure.CUSTODY_RELEASE: "1 point when release from custody is expected within the window "
    f"({scoring.DEFAULT_WINDOWS['custody_release']} days unless the criterion sets another).",
}


class CriterionForm(forms.ModelForm[SelectionCriterion]):
    """Add or change a criterion. Saving re-scores every referral in progress."""

    class Meta:
        model = SelectionCriterion
        fields = ["name", "measure", "weight", "window_days", "cap", "description", "order", "is_active"]
        labels = {
            "name": "Name",
            "measure": "What it measures",
            "weight": "Weight",
            "window_days": "Window in days (optional)",
            "cap": "Most points (optional)",
            "description": "Description (optional)",
            "order": "Position in the list",
            "is_active": "In use",
        }
        help_texts = {
            "weight": "Each point the measure gives counts this many times in the score. For example, 2.5",
            "window_days": "Only for offence counts and release from custody.",
            "cap": "The most points the measure gives, whatever it finds.",
            "order": "Criteria are listed and explained in this order.",
            "is_active": "A criterion not in use stays in the list but adds nothing to scores.",
        }
        error_messages = {
            "name": {
                "required": "Enter the criterion's name",
                "unique": "A criterion with this name already exists",
            },
            "measure": {"required": "Choose what the criterion measures"},
            "weight": {"required": "Enter the weight", "invalid": "The weight must be a number, like 2.5"},
            "window_days": {"invalid": "The window must be a whole number of days"},
            "cap": {"invalid": "The most points must be a whole number"},
        }
        widgets = {"measure": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [  # type: ignore[attr-defined]
            Choice(value, label, hint=MEASURE_POINTS[value]) for value, label in Measure.choices
        ]
        self.fields["weight"].widget.attrs.update({"inputmode": "decimal"})
        for name in ("window_days", "cap", "order"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})
        self.helper = layout_helper(
            Field.text("name", field_width=20),
            Field.radios("measure", legend_size=Size.SMALL),
            Field.text("weight", field_width=5),
            Field.text("window_days", field_width=4),
            Field.text("cap", field_width=3),
            Field.text("description"),
            Field.text("order", field_width=3),
            Field.checkbox("is_active"),
            Button("save", "Save and re-score open referrals"),
        )

    def clean_weight(self) -> Any:
        weight = self.cleaned_data["weight"]
        if weight is not None and weight < 0:
            raise forms.ValidationError("The weight must be 0 or more")
        return weight
