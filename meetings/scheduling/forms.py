"""The forms of the scheduling pages (meetings/scheduling/views.py). They parse what was typed; the
rules (who may chair, which recurrence each kind of meeting has, how far back a date may be) are the services'
(meetings/scheduling/services.py), whose errors are put back on these fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crispy_forms_gds.layout import Button, Field, Size
from django import forms

from meetings.scheduling.models import MeetingKind, MeetingSeries
from meetings.scheduling.services import FREQUENCIES, panel_chairs, record_days_back, selection_panel_frequency
from sharing.models import Agency, User
from ui.fields import GovDateField, VersionField, radios, text_area
from ui.forms import layout_helper


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}, {obj.agency.name}"


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}, {obj.agency.name}"


@dataclass(frozen=True)
class Invitable:
    pk: int
    name: str
    invited: bool


@dataclass(frozen=True)
class InvitableAgency:
    """One agency's people in the invited-people picker: a section of its own, open when any of
    them is invited, so a partnership of hundreds of users is a list of agencies, not of people."""

    name: str
    people: list[Invitable]

    @property
    def invited(self) -> int:
        return sum(person.invited for person in self.people)


def invitable_people() -> Any:
    return (
        User.objects.filter(is_active=True, agency__isnull=False)
        .select_related("agency")
        .order_by("agency__name", "last_name", "first_name", "pk")
    )


class MeetingDetailsForm(forms.Form):
    """What every meeting has: title, time, length, place or link, chair and who is invited."""

    title = forms.CharField(
        label="Title (optional)",
        required=False,
        max_length=150,
        help_text="For example, Northmoor MAP meeting. The kind of meeting if you leave it blank.",
    )
    starts_at = forms.TimeField(
        label="Start time",
        help_text="In 24-hour time, for example 10:00 or 14:30.",
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        widget=forms.TextInput,
        error_messages={"required": "Enter the start time", "invalid": "Enter the start time like 10:00 or 14:30"},
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        initial=120,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the length of the meeting in minutes",
            "invalid": "Enter the length of the meeting as a number of minutes, like 90",
        },
    )
    location = forms.CharField(
        label="Location",
        required=False,
        max_length=200,
        help_text="Where it is held. Leave blank if it is online only.",
    )
    online_link = forms.CharField(
        label="Online link (optional)",
        required=False,
        max_length=200,
        help_text="The address to join online, like https://meet.example.org/iom-map.",
    )
    chair = UserChoiceField(
        label="Chair",
        queryset=User.objects.none(),
        empty_label="Select the chair",
        help_text="A panel chair.",
        error_messages={"required": "Select the chair", "invalid_choice": "Select the chair from the list"},
    )
    invited_agencies = forms.ModelMultipleChoiceField(
        label="Invited agencies",
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone in an invited agency sees the meeting and its agenda, as their agency may.",
        error_messages={"invalid_choice": "Select agencies from the list"},
    )
    invited_people = UsersChoiceField(
        label="Invited people (optional)",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Anyone else, from any agency.",
        error_messages={"invalid_choice": "Select people from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = panel_chairs()  # type: ignore[attr-defined]
        self.fields["invited_people"].queryset = invitable_people()  # type: ignore[attr-defined]

    def people_by_agency(self) -> list[InvitableAgency]:
        """The invited-people picker's sections (templates/meetings/_invited_people.html): every
        active user by agency, with who is invited now (as typed, or as stored). One query."""
        bound = self["invited_people"].value() or []
        chosen = {str(value) for value in (bound if isinstance(bound, list | tuple) else [bound])}
        sections: dict[str, list[Invitable]] = {}
        for person in self.fields["invited_people"].queryset:  # type: ignore[attr-defined]
            sections.setdefault(person.agency.name, []).append(
                Invitable(person.pk, person.get_full_name() or person.username, str(person.pk) in chosen)
            )
        return [InvitableAgency(name, people) for name, people in sections.items()]

    def detail_fields(self) -> list[Any]:
        return [
            Field.text("title"),
            Field.text("starts_at", field_width=5),
            Field.text("duration_minutes", field_width=5),
            Field.text("location"),
            Field.text("online_link"),
            Field.select("chair"),
            Field.checkboxes("invited_agencies", legend_size=Size.SMALL, small=True),
            Field("invited_people", template="meetings/_invited_people.html"),
        ]


def date_hint() -> str:
    """The date's hint: a meeting already held may be recorded, as far back as the deployment allows."""
    days = record_days_back()
    if days == 0:
        return "For example, 27 3 2027."
    return (
        f"For example, 27 3 2027. A meeting already held in the last {days} day{'' if days == 1 else 's'} "
        "can be recorded: enter the day it was held."
    )


class MeetingForm(MeetingDetailsForm):
    """One meeting: an ad hoc case conference, or a panel outside any series."""

    kind = radios("What kind of meeting is it?", choices=MeetingKind.choices, required="Select the kind of meeting")
    date = GovDateField(label="Date of the meeting", help_text="For example, 27 3 2027.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].help_text = date_hint()
        fields = self.detail_fields()
        self.helper = layout_helper(
            Field.radios("kind", legend_size=Size.MEDIUM),
            fields[0],
            Field("date"),
            *fields[1:],
            Button("schedule", "Schedule the meeting"),
        )


class SeriesForm(MeetingDetailsForm):
    """A recurring meeting: a selection panel, a MAP meeting, a Y2A transfer panel."""

    kind = radios(
        "What kind of meeting is it?",
        choices=[(value, label) for value, label in MeetingKind.choices if FREQUENCIES[value]],
        required="Select the kind of meeting",
    )
    frequency = radios(
        "How often does it meet?",
        choices=MeetingSeries.Frequency.choices,
        required="Select how often it meets",
        help_text="A selection panel meets weekly, every 2 weeks or monthly; a MAP meeting weekly or every "
        "2 weeks; a Y2A transfer panel every 3 months.",
    )
    first_date = GovDateField(label="Date of the first meeting", help_text="For example, 27 3 2027.")
    until = GovDateField(
        label="Last date (optional)",
        required=False,
        help_text="No meeting is scheduled after it. Leave blank to keep meeting.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["frequency"].initial = selection_panel_frequency()
        fields = self.detail_fields()
        self.helper = layout_helper(
            Field.radios("kind", legend_size=Size.MEDIUM),
            Field.radios("frequency", legend_size=Size.MEDIUM),
            fields[0],
            Field("first_date"),
            Field("until"),
            *fields[1:],
            Button("schedule", "Schedule the series"),
        )


class MeetingEditForm(MeetingDetailsForm):
    """Change a scheduled meeting; its version refuses a stale save."""

    date = GovDateField(label="Date of the meeting", help_text="For example, 27 3 2027.")
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].help_text = date_hint()
        fields = self.detail_fields()
        self.helper = layout_helper(
            fields[0], Field("date"), *fields[1:], Field("version"), Button("save", "Save the changes")
        )


class SeriesEditForm(MeetingDetailsForm):
    """Change a series' details and its last date (not its recurrence); its version refuses a stale save."""

    until = GovDateField(
        label="Last date (optional)",
        required=False,
        help_text="No meeting is scheduled after it: set it to end the series, or leave it blank to keep meeting. "
        "For example, 27 3 2027.",
    )
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            *self.detail_fields(), Field("until"), Field("version"), Button("save", "Save the changes to the series")
        )


class MeetingCancelForm(forms.Form):
    reason = text_area(
        "Why is the meeting cancelled?",
        rows=3,
        required="Enter why the meeting is cancelled",
        max_length=300,
        help_text="Those invited see it on the meeting page.",
    )
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.textarea("reason", rows=3), Field("version"), Button("cancel", "Cancel the meeting")
        )
