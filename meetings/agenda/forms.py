"""The forms of the agenda pages (meetings/agenda/views.py): the chair's "other business" and the
move buttons. The services check the rules; these parse what was typed."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Button, Field
from django import forms
from django.core.exceptions import ValidationError

from cohorts.records.identifiers import normalise_crn, normalise_pnc_id
from cohorts.records.models import Nominal
from cohorts.records.selectors import nominals_visible_to
from meetings.agenda.services import nominal_for_chair
from sharing.models import DataCategory, User
from ui.fields import text_area
from ui.forms import layout_helper

NO_SUCH_PERSON = "No person with that CRN, PNC ID or number that your agency may see"


def person_for_chair(user: User, text: str) -> Nominal | None:
    """The person a CRN, a PNC ID or a record number names, among those the chair's agency may see."""
    text = text.strip()
    if text.isdigit():
        return nominal_for_chair(user, int(text))
    for normalise, field_name in ((normalise_crn, "crn"), (normalise_pnc_id, "pnc_id")):
        try:
            value = normalise(text)
        except ValidationError:
            continue
        return nominals_visible_to(user).filter(**{field_name: value}).first()
    return None


class OtherBusinessForm(forms.Form):
    """Other business the chair adds to the agenda, optionally about a person."""

    title = forms.CharField(
        label="What is the item?",
        max_length=200,
        error_messages={"required": "Enter what the item is about", "max_length": "Keep the title to 200 characters"},
    )
    summary = text_area("Summary (optional)", rows=3, required=False, max_length=4000)
    person = forms.CharField(
        label="About a person (optional)",
        required=False,
        max_length=20,
        help_text="Their CRN (for example, A123456), PNC ID (for example, 2019/0123456Q) or record number.",
    )
    category = forms.ChoiceField(
        label="What kind of information is it?",
        required=False,
        help_text="Needed for an item about a person: partners see it as the information sharing agreements "
        "allow for this kind of information.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        category_field: forms.ChoiceField = self.fields["category"]  # type: ignore[assignment]
        category_field.choices = [("", "Select a kind of information")] + [
            (category.code, category.name) for category in DataCategory.objects.order_by("position", "name")
        ]
        self.helper = layout_helper(
            Field.text("title"),
            Field.textarea("summary", rows=3),
            Field.text("person", field_width=20),
            Field.select("category"),
            Button("add", "Add to the agenda"),
        )

    def clean_person(self) -> Nominal | None:
        text = self.cleaned_data.get("person", "").strip()
        if not text:
            return None
        nominal = person_for_chair(self.user, text)
        if nominal is None:
            raise ValidationError(NO_SUCH_PERSON)
        return nominal

    def clean_category(self) -> DataCategory | None:
        code = self.cleaned_data.get("category") or ""
        return DataCategory.objects.filter(code=code).first() if code else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("person") is not None and cleaned.get("category") is None and "category" not in self.errors:
            self.add_error("category", "Select what kind of information the item is about")
        return cleaned


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])
