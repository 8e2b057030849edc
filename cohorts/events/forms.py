"""The forms of the custody and court event pages (cohorts/events/views.py). They read what was typed;
the rules of each kind of event are the service's (cohorts.events.services.custody_event_errors)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Button, Field, Fieldset, Size
from django import forms

from cohorts.events.models import CustodyEvent
from cohorts.events.services import MAX_UPLOAD_BYTES, ONLY_FOR, EventFields, custody_event_errors
from cohorts.records.models import OffenceType
from ui.fields import GovDateField, radios, text_area
from ui.forms import layout_helper

Kind = CustodyEvent.Kind


def _yes_no(value: str) -> bool:
    return value == "yes"


class CustodyEventForm(forms.Form):
    """An event: its type, the questions only some types ask, each group under its type's name, then
    what every type may say.

    The groups are always shown, with JavaScript or without: GOV.UK Frontend's conditional reveal
    sets aria-expanded on the radios, which the ARIA radio role does not allow (axe reports it as
    critical), so the type's questions are not hidden under its radio."""

    kind = radios(
        "What happened?",
        choices=Kind.choices,
        required="Choose the type of event",
        help_text="A court outcome, a sentence and a release each have questions of their own below.",
    )
    convicted = forms.TypedChoiceField(
        label="Was the person convicted?",
        choices=[("yes", "Convicted"), ("no", "Not convicted")],
        coerce=_yes_no,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    custodial = forms.TypedChoiceField(
        label="Is the sentence custodial?",
        choices=[
            ("yes", "Custodial: the person goes to, or stays in, prison"),
            ("no", "Non-custodial: a community order, a suspended sentence, a fine or a discharge"),
        ],
        coerce=_yes_no,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    release_on = GovDateField(label="Release date", required=False, help_text="The day the person left custody.")
    licence_ends_on = GovDateField(
        label="Licence end date", required=False, help_text="If they are released on licence: its last day."
    )
    occurred_on = GovDateField(label="Date of the event", help_text="For example, 27 3 2026.")
    offence_type = forms.ChoiceField(
        label="Offence type",
        choices=[("", "Not known or not relevant"), *OffenceType.choices],
        required=False,
        help_text="Needed for a charge and a court outcome.",
        error_messages={"invalid_choice": "Choose an offence type from the list"},
    )
    crime_reference = forms.CharField(
        label="Crime reference (optional)",
        required=False,
        max_length=50,
        error_messages={"max_length": "The crime reference must be 50 characters or fewer"},
    )
    court = forms.CharField(
        label="Court (optional)",
        required=False,
        max_length=200,
        help_text="For a remand, a court outcome or a sentence.",
        error_messages={"max_length": "The court must be 200 characters or fewer"},
    )
    note = text_area("Note (optional)", rows=3, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.radios("kind", legend_size=Size.MEDIUM),
            Field("occurred_on"),
            Field.select("offence_type"),
            Fieldset(
                Field.radios("convicted", inline=True),
                legend="For a court outcome",
                legend_size=Size.SMALL,
            ),
            Fieldset(Field.radios("custodial"), legend="For a sentence", legend_size=Size.SMALL),
            Fieldset(
                Field("release_on"),
                Field("licence_ends_on"),
                legend="For a release from custody",
                legend_size=Size.SMALL,
            ),
            Field.text("crime_reference", field_width=20),
            Field.text("court", field_width=30),
            Field.textarea("note", rows=3),
            Button("save", "Record the event"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        # Every type's questions show: answers to another type's are left out, and so are their
        # errors (a half-typed release date given for a court outcome).
        for name, (only_for, _) in ONLY_FOR.items():
            if kind != only_for:
                cleaned[name] = None
                self.errors.pop(name, None)
        if kind and self.errors:
            # Say at once everything the type needs (the service checks again, with the person's record).
            fields = EventFields(
                kind=kind,
                occurred_on=cleaned.get("occurred_on"),
                offence_type=cleaned.get("offence_type") or "",
                convicted=cleaned.get("convicted"),
                custodial=cleaned.get("custodial"),
                release_on=cleaned.get("release_on"),
                licence_ends_on=cleaned.get("licence_ends_on"),
            )
            for name, messages in custody_event_errors(fields).items():
                if name not in self.errors:
                    self.add_error(name, messages)
        return cleaned


class EventImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="UTF-8 text (a spreadsheet's CSV UTF-8), up to 20 MB, with the header row below.",
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field("file"), Button("import", "Check and import"))
        self.helper.label_size = Size.MEDIUM

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV file (ending .csv)")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 20 MB")
        return upload
