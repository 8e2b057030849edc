from __future__ import annotations

from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Button, Field, Fieldset, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html

from cohorts.management.models import CaseAssignment, RagRating
from cohorts.models import AccessEvent
from cohorts.records.identifiers import normalise_crn, normalise_pnc_id, normalise_prison_number
from cohorts.records.models import CommunitySafetyPartnership, Nominal, Pathway, PathwayNeed, PolicingArea, RecordedItem
from cohorts.records.services import nominal_dates_check
from sharing.models import Agency, DataCategory, User
from ui.fields import GovDateField, radios, record_number, text_area
from ui.forms import layout_helper


class NominalFilterForm(forms.Form):
    """The search box and filters of the people list (MoJ filter pattern); all optional."""

    q = forms.CharField(
        label="Name, PNC ID, CRN, prison number or date of birth",
        required=False,
        max_length=100,
        error_messages={
            "max_length": "Search for 100 characters or fewer",
            "null_characters_not_allowed": "Search with letters, numbers and dates only",
        },
    )
    area = forms.ModelChoiceField(
        PolicingArea.objects.filter(is_active=True),
        label="Neighbourhood policing area",
        required=False,
        empty_label="Any",
    )
    custody = forms.ChoiceField(
        label="Custody status", required=False, choices=[("", "Any"), *Nominal.CustodyStatus.choices]
    )
    cohort = forms.ChoiceField(
        label="On the IOM cohort",
        required=False,
        choices=[("", "Either"), ("yes", "On the cohort"), ("no", "Not on the cohort")],
    )
    agency = forms.ModelChoiceField(
        Agency.objects.filter(is_active=True), label="Agency involved", required=False, empty_label="Any"
    )


class NominalForm(forms.ModelForm[Nominal]):
    """Record a person. Identifiers are checked and normalised by the service."""

    date_of_birth = GovDateField(label="Date of birth")
    sentence_ends_on = GovDateField(label="Sentence end date", required=False)
    licence_ends_on = GovDateField(label="Licence end date", required=False)
    pnc_id = forms.CharField(label="PNC ID", required=False, max_length=20, help_text="For example, 2019/0123456Q")
    crn = forms.CharField(
        label="CRN (probation case reference)", required=False, max_length=10, help_text="For example, X123456"
    )
    prison_number = forms.CharField(
        label="Prison number", required=False, max_length=10, help_text="For example, A1234BC"
    )

    class Meta:
        model = Nominal
        fields = [*Nominal.IDENTITY_FIELDS, *Nominal.OFFENDING_AND_RISK_FIELDS]
        error_messages = {
            "first_name": {"required": "Enter the first name"},
            "last_name": {"required": "Enter the last name"},
            "ogrs_percent": {"invalid": "OGRS must be a whole number from 0 to 100"},
        }

    def validate_unique(self) -> None:
        """Identifiers are checked by the service, with a message that says what to do next."""

    def clean_pnc_id(self) -> str:
        return normalise_pnc_id(self.cleaned_data["pnc_id"]) if self.cleaned_data["pnc_id"] else ""

    def clean_crn(self) -> str:
        return normalise_crn(self.cleaned_data["crn"]) if self.cleaned_data["crn"] else ""

    def clean_prison_number(self) -> str:
        return normalise_prison_number(self.cleaned_data["prison_number"]) if self.cleaned_data["prison_number"] else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            nominal_dates_check(cleaned)
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                self.add_error(field_name, messages)
        return cleaned

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policing_area"].queryset = PolicingArea.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["community_safety_partnership"].queryset = CommunitySafetyPartnership.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["ogrs_percent"].widget.attrs.update({"inputmode": "numeric"})
        self.helper = layout_helper(
            Fieldset(
                Field.text("first_name", field_width=20),
                Field.text("middle_names", field_width=20),
                Field.text("last_name", field_width=20),
                Field("date_of_birth"),
                Field.select("gender"),
                Field.text("nationality", field_width=20),
                legend="The person",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("pnc_id", field_width=10),
                Field.text("crn", field_width=10),
                Field.text("prison_number", field_width=10),
                legend="Identifiers",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.select("policing_area"),
                Field.select("community_safety_partnership"),
                Field.select("custody_status"),
                legend="Where they are",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.select("statutory_status"),
                Field("sentence_ends_on"),
                Field("licence_ends_on"),
                Field.select("mappa_category"),
                Field.select("mappa_level"),
                Field.text("ogrs_percent", field_width=3),
                Field.select("risk_of_serious_harm"),
                legend="Offending and risk",
                legend_size=Size.MEDIUM,
            ),
        )


class SensitiveReasonForm(forms.Form):
    reason = text_area(
        "Why do you need to see these items?",
        rows=3,
        required="Enter why you need to see these items",
        help_text="Your reason is recorded in the access log with your name.",
        max_length=500,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field.textarea("reason", rows=3), Button("show", "Show the items"))


class ItemForm(forms.ModelForm[RecordedItem]):
    occurred_on = GovDateField(label="Date")

    class Meta:
        model = RecordedItem
        fields = ["kind", "category", "summary", "detail", "occurred_on"]
        labels = {"kind": "Type", "category": "What it is about", "summary": "Summary", "detail": "Details"}
        help_texts = {"category": "Who may see it depends on this: your agency's sharing agreements share by category."}
        error_messages = {
            "summary": {"required": "Enter a summary"},
            "category": {"required": "Choose what it is about"},
            "kind": {"required": "Choose the type"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = DataCategory.objects.all()  # type: ignore[attr-defined]
        self.fields["category"].empty_label = None  # type: ignore[attr-defined]
        self.fields["kind"].choices = [c for c in RecordedItem.Kind.choices if c[0] in RecordedItem.PLAIN_KINDS]  # type: ignore[attr-defined]
        self.helper = layout_helper(
            Field.radios("kind", inline=False),
            Field.radios("category"),
            Field.text("summary"),
            Field.textarea("detail", rows=6),
            Field("occurred_on"),
            Button("save", "Save"),
        )


class AccessLogFilterForm(forms.Form):
    username = forms.CharField(label="Username", required=False, max_length=150)
    # One user by id: the link a burst of their refusals is told with (cohorts/refusals.py).
    user = record_number("User", widget=forms.HiddenInput)
    person = record_number("Person's record number")
    action = forms.ChoiceField(
        label="What they did", required=False, choices=[("", "Anything"), *AccessEvent.Action.choices]
    )
    date_from = GovDateField(label="From", required=False)
    date_to = GovDateField(label="To", required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_to"] < cleaned["date_from"]:
            self.add_error("date_to", "The 'to' date must be on or after the 'from' date")
        return cleaned


class ConsentForm(forms.Form):
    given = forms.TypedChoiceField(
        label="Consent",
        choices=[("yes", "Consent given"), ("no", "Consent refused or withdrawn")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether consent was given or withdrawn"},
    )
    agency = forms.ModelChoiceField(
        Agency.objects.filter(is_active=True), label="Sharing with", required=False, empty_label="Every agency"
    )
    category = forms.ModelChoiceField(
        DataCategory.objects.all(), label="For", required=False, empty_label="Every category"
    )
    recorded_on = GovDateField(label="Date given or withdrawn")
    note = text_area("Note", rows=2, required=False, max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.radios("given", legend_size=Size.SMALL),
            Field.select("agency"),
            Field.select("category"),
            Field("recorded_on"),
            Field.textarea("note", rows=2),
            Button("save", "Record consent"),
        )


class PathwayNeedForm(forms.Form):
    pathway = forms.ChoiceField(
        choices=Pathway.choices, widget=forms.RadioSelect, error_messages={"required": "Choose the pathway"}
    )
    level = radios("Level of need", choices=PathwayNeed.Level.choices, required="Choose the level of need")
    note = text_area("What the need is", rows=3, required=False)
    assessed_on = GovDateField(label="Date assessed")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.radios("pathway", legend_size=Size.SMALL),
            Field.radios("level", legend_size=Size.SMALL, inline=True),
            Field.textarea("note", rows=3),
            Field("assessed_on"),
            Button("save", "Save the need"),
        )


# --- Managing the cohort: RAG ratings, assignments and caseloads -------------------------------------


def rating_choice(rating: RagRating) -> Choice:
    """A rating as a radio: its colour tag, and the review cadence it sets as the hint."""
    label = format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', rating.colour, rating.label)
    hint = f"Supervisor reviews {rating.review_cadence}." + (f" {rating.description}" if rating.description else "")
    return Choice(rating.code, label, hint=hint)


class RagChangeForm(forms.Form):
    """A new RAG rating for a person on the cohort, with the reason for it."""

    rating = forms.ChoiceField(
        label="New RAG rating", widget=forms.RadioSelect, error_messages={"required": "Select the RAG rating"}
    )
    rationale = text_area(
        "Why this rating?",
        rows=4,
        required="Give the reason for the rating",
        help_text="What has changed, and the evidence for it. It is kept in the RAG history with your name.",
        max_length=4000,
    )

    def __init__(self, *args: Any, ratings: list[RagRating], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ratings = {rating.code: rating for rating in ratings}
        self.fields["rating"].choices = [rating_choice(rating) for rating in ratings]  # type: ignore[attr-defined]
        self.helper = layout_helper(
            Field.radios("rating", legend_size=Size.MEDIUM),
            Field.textarea("rationale", rows=4),
            Button("save", "Save the RAG rating"),
        )

    def clean_rationale(self) -> str:
        rationale: str = self.cleaned_data["rationale"].strip()
        if not rationale:
            raise ValidationError("Give the reason for the rating")
        return rationale

    @property
    def chosen_rating(self) -> RagRating:
        return self.ratings[self.cleaned_data["rating"]]


ROLE_WORDS = {
    CaseAssignment.Role.LEAD_PROFESSIONAL: "lead professional",
    CaseAssignment.Role.POLICE_LEAD: "IOM police lead officer",
    CaseAssignment.Role.KEY_WORKER: "key worker",
}


def worker_label(user: User) -> str:
    return f"{user.get_full_name() or user.username}" + (f" ({user.job_title})" if user.job_title else "")


def workers_by_agency(workers: list[User], empty: str) -> list[Any]:
    """Select choices with an <optgroup> per agency (the workers come ordered by agency)."""
    groups: list[Any] = [("", empty)]
    current: Agency | None = None
    for user in workers:
        if current is None or user.agency_id != current.pk:
            current = user.agency
            groups.append((current.name, []))
        groups[-1][1].append((str(user.pk), worker_label(user)))
    return groups


class AssignmentForm(forms.Form):
    """Assign a worker to a role in the case, or transfer it from whoever holds it. The service's
    check (case_assignment_check) says when a reason is needed and which start dates are possible."""

    worker = forms.ChoiceField(label="Who?")
    started_on = GovDateField(label="Start date", help_text="Today, unless the change took effect earlier.")
    reason = text_area("Reason for the transfer", rows=3, required=False, max_length=300)

    def __init__(self, *args: Any, role: str, workers: list[User], held: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        words = ROLE_WORDS[CaseAssignment.Role(role)]
        self.workers = {str(user.pk): user for user in workers}
        transfer = held and role != CaseAssignment.Role.KEY_WORKER
        self.fields["worker"].label = f"New {words}" if transfer else words[:1].upper() + words[1:]
        self.fields["worker"].choices = workers_by_agency(workers, f"Choose the {words}")  # type: ignore[attr-defined]
        self.fields["worker"].error_messages["required"] = f"Choose the {words}"
        self.fields["worker"].error_messages["invalid_choice"] = f"Choose the {words} from the list"
        reason = self.fields["reason"]
        if role == CaseAssignment.Role.KEY_WORKER:
            reason.label = "Reason"
            reason.help_text = (
                "Needed if the worker's agency already has a key worker for this person: they are replaced."
            )
        elif held:
            reason.help_text = "Why the case moves: it is kept in the assignment history."
        else:
            reason.label = "Reason (optional)"
        self.initial.setdefault("started_on", timezone.localdate())
        self.helper = layout_helper(
            Field.select("worker"),
            Field("started_on"),
            Field.textarea("reason", rows=3),
            Button("save", "Transfer" if transfer else "Assign"),
        )

    @property
    def chosen_worker(self) -> User:
        return self.workers[self.cleaned_data["worker"]]


class WorkloadFilterForm(forms.Form):
    """The workload page's filters; supervisors also choose to see only their team."""

    agency = forms.ModelChoiceField(
        Agency.objects.filter(is_active=True).order_by("name"),
        label="Agency",
        required=False,
        empty_label="All agencies",
    )
    team = forms.BooleanField(label="Only my team (the workers I supervise)", required=False)

    def __init__(self, *args: Any, supervisor: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not supervisor:
            del self.fields["team"]
        fields: list[Any] = [Field.select("agency")]
        if supervisor:
            fields.append(Field.checkbox("team", small=True))
        self.helper = layout_helper(*fields)
