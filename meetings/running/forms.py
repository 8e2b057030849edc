"""The forms of running a meeting (meetings/running/views.py). The services check the rules; these parse
what was typed. Each form of the item page is sent by its own button (its name says which)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Button, Field, Size
from django import forms
from django.utils.html import format_html

from cohorts.deregistration.forms import DecisionForm as DeregistrationDecisionForm
from cohorts.management.models import RagRating
from meetings.running.models import Attendance
from referrals.workflow_forms import DecideForm
from sharing.models import User
from ui.fields import VersionField, radios, text_area
from ui.forms import layout_helper

__all__ = [
    "AddAttendeeForm",
    "AttendanceForm",
    "CohortDecisionForm",
    "DeregistrationDecisionForm",
    "DissentForm",
    "NotesForm",
    "ReferralDecisionForm",
    "UrgentRatifyForm",
]

STATUS_CHOICES = Attendance.Status.choices


class AttendanceForm(forms.Form):
    """Present / apologies / absent for each person listed (a radio group per person, status_<id>).
    Leaving a person unanswered records nothing for them."""

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        for person in people:
            self.fields[f"status_{person.pk}"] = radios(str(person), choices=STATUS_CHOICES, required=False)

    def entries(self) -> list[tuple[User, str]]:
        return [
            (person, self.cleaned_data[f"status_{pk}"])
            for pk, person in self.people.items()
            if self.cleaned_data.get(f"status_{pk}")
        ]


def _people_by_agency(people: list[User]) -> list[Any]:
    """Select choices with an <optgroup> per agency (the people come ordered by agency)."""
    groups: list[Any] = [("", "Choose a person")]
    current: int | None = None
    for user in people:
        if user.agency_id != current:
            current = user.agency_id
            groups.append((user.agency.name, []))
        label = (user.get_full_name() or user.username) + (f" ({user.job_title})" if user.job_title else "")
        groups[-1][1].append((str(user.pk), label))
    return groups


class AddAttendeeForm(forms.Form):
    """Add someone of an invited agency who is not listed yet."""

    person = forms.ChoiceField(
        label="Person",
        help_text="Active users of the invited agencies, by agency.",
        error_messages={"required": "Choose the person to add"},
    )
    status = radios(
        "Attendance",
        choices=STATUS_CHOICES,
        required="Choose present, apologies or absent",
        initial=Attendance.Status.PRESENT,
    )

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in people}
        self.fields["person"].choices = _people_by_agency(people)  # type: ignore[attr-defined]
        self.fields["person"].error_messages["invalid_choice"] = "Choose a person of an invited agency"
        self.helper = layout_helper(
            Field.select("person"),
            Field.radios("status", legend_size=Size.SMALL, inline=True, small=True),
            Button.secondary("add", "Add the attendee"),
        )

    def chosen(self) -> User:
        return self.people[self.cleaned_data["person"]]


class NotesForm(forms.Form):
    notes = text_area(
        "Discussion notes", rows=8, required=False, help_text="What was discussed, for the minutes.", max_length=20000
    )
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.textarea("notes", rows=8), "version", Button.secondary("save_notes", "Save the notes")
        )


class ReferralDecisionForm(DecideForm):
    """The referral issue's decision form (every field of it), taken in the meeting: never "outside a
    meeting"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, outside_meeting=False, **kwargs)
        del self.fields["outside_meeting"]
        self.helper = self.layout()


class UrgentRatifyForm(forms.Form):
    note = text_area("Note (optional)", rows=3, required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field.textarea("note", rows=3), Button("decide", "Ratify the decision"))


class ItemDeregistrationForm(DeregistrationDecisionForm):
    """cohorts' deregistration decision form (its layout too), sent by the item page's "decide" button."""


def _rating_choice(rating: RagRating) -> Choice:
    label = format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', rating.colour, rating.label)
    return Choice(str(rating.pk), label)


class CohortDecisionForm(forms.Form):
    """The outcome of a cohort item in a line and, optionally, a new RAG rating with why."""

    outcome = forms.CharField(
        label="Outcome",
        help_text="The decision in a line, for the minutes. Set actions from the item's page.",
        max_length=300,
        error_messages={
            "required": "Enter the outcome in a line",
            "max_length": "The outcome must be 300 characters or fewer",
        },
    )
    rating = forms.ChoiceField(label="Change the RAG rating (optional)", widget=forms.RadioSelect, required=False)
    rationale = text_area(
        "Reason for the RAG rating",
        rows=3,
        required=False,
        help_text="Needed if you change the rating.",
        max_length=4000,
    )

    def __init__(self, *args: Any, about_a_person: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ratings = {str(rating.pk): rating for rating in RagRating.objects.filter(is_active=True)}
        fields: list[Any] = [Field.text("outcome")]
        if about_a_person:
            self.fields["rating"].choices = [("", "No change"), *(_rating_choice(r) for r in self.ratings.values())]  # type: ignore[attr-defined]
            fields += [Field.radios("rating", legend_size=Size.SMALL, small=True), Field.textarea("rationale", rows=3)]
        else:
            del self.fields["rating"], self.fields["rationale"]
        self.helper = layout_helper(*fields, Button("decide", "Record the outcome"))

    def clean_rating(self) -> str:
        value: str = self.cleaned_data.get("rating") or ""
        return value

    def chosen_rating(self) -> RagRating | None:
        return self.ratings.get(self.cleaned_data.get("rating") or "")


class DissentForm(forms.Form):
    person = forms.ChoiceField(label="Who disagrees?", error_messages={"required": "Choose who disagrees"})
    reason = text_area("Why?", rows=3, required="Say why they disagree", max_length=4000)

    def __init__(self, *args: Any, present: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.present = {str(person.pk): person for person in present}
        self.fields["person"].choices = [("", "Choose an attendee present")] + [  # type: ignore[attr-defined]
            (pk, f"{person}, {person.agency.name}") for pk, person in self.present.items()
        ]
        self.fields["person"].error_messages["invalid_choice"] = "Choose an attendee present"
        self.helper = layout_helper(
            Field.select("person"), Field.textarea("reason", rows=3), Button.secondary("dissent", "Record the dissent")
        )

    def chosen(self) -> User:
        return self.present[self.cleaned_data["person"]]
