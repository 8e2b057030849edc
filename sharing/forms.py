from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Button, Field, Fieldset, Size
from django import forms

from sharing.models import Agency, DataCategory, SharingAgreement
from sharing.validators import DOCUMENT_VALIDATORS
from ui.fields import GovDateField, text_area
from ui.forms import layout_helper


class AgreementForm(forms.Form):
    """Draft an information sharing agreement: who shares what, why, on what basis, when."""

    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the sharing is for, as the signed agreement says.",
        error_messages={"required": "Enter the purpose of the sharing"},
    )
    legal_basis = forms.ChoiceField(
        choices=SharingAgreement.LegalBasis.choices, error_messages={"required": "Choose the legal basis"}
    )
    legal_basis_detail = text_area("Legal basis: details", rows=2, required=False)
    parties = forms.ModelMultipleChoiceField(
        Agency.objects.filter(is_active=True),
        label="Other agencies party to the agreement",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one other agency"},
    )
    categories = forms.ModelMultipleChoiceField(
        DataCategory.objects.all(),
        label="Data categories shared",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one data category"},
    )
    consent_categories = forms.ModelMultipleChoiceField(
        DataCategory.objects.all(),
        label="Categories shared only with the person's consent",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = GovDateField(label="Start date")
    review_on = GovDateField(label="Review date", required=False)
    ends_on = GovDateField(label="End date", required=False)
    document = forms.FileField(
        label="The signed agreement",
        required=False,
        help_text="PDF, Word or OpenDocument, at most 10 MB.",
        validators=DOCUMENT_VALIDATORS,
    )

    def __init__(self, *args: Any, own_agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own_agency = own_agency
        self.fields["parties"].queryset = Agency.objects.filter(is_active=True).exclude(pk=own_agency.pk)  # type: ignore[attr-defined]
        self.helper = layout_helper(
            Fieldset(
                Field.text("title"),
                Field.textarea("purpose", rows=4),
                Field.radios("legal_basis", legend_size=Size.SMALL),
                Field.textarea("legal_basis_detail", rows=2),
                legend="The agreement",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.checkboxes("parties", legend_size=Size.SMALL, small=True),
                Field.checkboxes("categories", legend_size=Size.SMALL, small=True),
                Field.checkboxes("consent_categories", legend_size=Size.SMALL, small=True),
                legend="Who shares what",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(Field("starts_on"), Field("review_on"), Field("ends_on"), legend="Dates", legend_size=Size.MEDIUM),
            Field("document"),
            Button("save", "Save as draft"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, review_on, ends_on = cleaned.get("starts_on"), cleaned.get("review_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The end date must be on or after the start date")
        if starts_on and review_on and review_on < starts_on:
            self.add_error("review_on", "The review date must be on or after the start date")
        shared, consent = set(cleaned.get("categories") or []), set(cleaned.get("consent_categories") or [])
        if consent - shared:
            names = ", ".join(sorted(category.name.lower() for category in consent - shared))
            self.add_error(
                "consent_categories",
                f"Consent can only be asked for categories the agreement shares ({names} is not shared)",
            )
        return cleaned


class DocumentForm(forms.Form):
    document = forms.FileField(
        label="The signed agreement",
        help_text="PDF, Word or OpenDocument, at most 10 MB.",
        validators=DOCUMENT_VALIDATORS,
        error_messages={"required": "Choose the signed agreement to upload"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field("document"), Button("upload", "Upload"))


def agreement_initial(agreement: SharingAgreement) -> dict[str, Any]:
    """The draft form's starting values for an agreement being changed."""
    clauses = list(agreement.clauses.all())
    return {
        "title": agreement.title,
        "purpose": agreement.purpose,
        "legal_basis": agreement.legal_basis,
        "legal_basis_detail": agreement.legal_basis_detail,
        "parties": [party.pk for party in agreement.parties.all()],
        "categories": [clause.category_id for clause in clauses],
        "consent_categories": [clause.category_id for clause in clauses if clause.consent_required],
        "starts_on": agreement.starts_on,
        "review_on": agreement.review_on,
        "ends_on": agreement.ends_on,
    }
