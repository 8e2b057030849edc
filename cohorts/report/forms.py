"""The forms of the management report pages (cohorts/report/views.py). They read what was typed; the
rules (dates, who, what is required together) are the services' (cohorts/report/services.py)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Button, Field, Size
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from cohorts.records.models import Pathway
from cohorts.report.models import Contact, EnforcementAction, Intervention, PlanAction
from sharing.models import User
from ui.fields import GovDateField, radios, text_area
from ui.forms import layout_helper


def _limit(what: str, limit: int) -> dict[str, str]:
    return {"max_length": f"The {what} must be {limit} characters or fewer"}


def owner_choices(user: User, current: User | None = None) -> QuerySet[User]:
    """Who may own an action: the active users of the recorder's agency, and its current owner."""
    mine = Q(is_active=True, agency_id=user.agency_id)
    if current is not None:
        mine |= Q(pk=current.pk)
    return User.objects.filter(mine).select_related("agency").order_by("last_name", "first_name", "pk")


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.agency.name})"


def _status_fields(form: forms.Form, *, user: User, current_owner: User | None) -> None:
    form.fields["owner"] = OwnerField(
        label="Owner (optional)",
        queryset=owner_choices(user, current_owner),
        required=False,
        empty_label="No owner yet",
        help_text="Who is to see the action through.",
    )


class PlanActionForm(forms.Form):
    """A new action of the plan on one pathway."""

    pathway = forms.ChoiceField(
        label="Pathway",
        choices=[("", "Choose a pathway"), *Pathway.choices],
        error_messages={"required": "Choose the pathway"},
    )
    action = forms.CharField(
        label="Action",
        max_length=200,
        help_text="What is to be done, for example: Refer to the Tenancy Sustainment Team.",
        error_messages={"required": "Enter the action", **_limit("action", 200)},
    )
    status = radios(
        "Status",
        choices=PlanAction.Status.choices,
        required="Choose the action's status",
        initial=PlanAction.Status.IDENTIFIED,
    )
    due_on = GovDateField(label="Due date", required=False, help_text="Optional. For example, 27 3 2026.")
    note = text_area("Note (optional)", rows=3, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _status_fields(self, user=user, current_owner=None)
        self.helper = layout_helper(
            Field.select("pathway"),
            Field.text("action"),
            Field.radios("status", legend_size=Size.SMALL, inline=True),
            Field.select("owner"),
            Field("due_on"),
            Field.textarea("note", rows=3),
            Button("save", "Add the action"),
        )


class PlanActionChangeForm(forms.Form):
    """An action's progress: its status, owner and due date."""

    status = radios("Status", choices=PlanAction.Status.choices, required="Choose the action's status")
    due_on = GovDateField(label="Due date", required=False, help_text="Optional. For example, 27 3 2026.")

    def __init__(self, *args: Any, user: User, plan_action: PlanAction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _status_fields(self, user=user, current_owner=plan_action.owner)
        self.initial.setdefault("status", plan_action.status)
        self.initial.setdefault("owner", plan_action.owner_id)
        self.initial.setdefault("due_on", plan_action.due_on)
        self.helper = layout_helper(
            Field.radios("status", legend_size=Size.SMALL, inline=True),
            Field.select("owner"),
            Field("due_on"),
            Button("save", "Save the action"),
        )


class InterventionForm(forms.Form):
    """A new intervention: what, on which pathway, by which provider, and when."""

    name = forms.CharField(
        label="Intervention",
        max_length=200,
        help_text="The programme, course or service, for example: Building Better Relationships.",
        error_messages={"required": "Enter the intervention", **_limit("intervention", 200)},
    )
    pathway = forms.ChoiceField(
        label="Pathway (optional)",
        choices=[("", "None: offending and risk"), *Pathway.choices],
        required=False,
        help_text="The intervention is shared as the pathway's category of information.",
    )
    provider = forms.CharField(
        label="Provider",
        max_length=200,
        error_messages={"required": "Enter the provider", **_limit("provider", 200)},
    )
    status = radios(
        "Status",
        choices=Intervention.Status.choices,
        required="Choose the intervention's status",
        initial=Intervention.Status.PLANNED,
    )
    starts_on = GovDateField(label="Start date", help_text="For example, 27 3 2026.")
    ends_on = GovDateField(label="End date", required=False, help_text="Optional until it has ended.")
    note = text_area("Note (optional)", rows=3, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.text("name"),
            Field.select("pathway"),
            Field.text("provider"),
            Field.radios("status", legend_size=Size.SMALL, inline=True),
            Field("starts_on"),
            Field("ends_on"),
            Field.textarea("note", rows=3),
            Button("save", "Add the intervention"),
        )


class InterventionChangeForm(forms.Form):
    """An intervention's progress: its status, provider and dates."""

    provider = forms.CharField(
        label="Provider",
        max_length=200,
        error_messages={"required": "Enter the provider", **_limit("provider", 200)},
    )
    status = radios("Status", choices=Intervention.Status.choices, required="Choose the intervention's status")
    starts_on = GovDateField(label="Start date", help_text="For example, 27 3 2026.")
    ends_on = GovDateField(label="End date", required=False, help_text="Optional until it has ended.")

    def __init__(self, *args: Any, intervention: Intervention, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("provider", "status", "starts_on", "ends_on"):
            self.initial.setdefault(name, getattr(intervention, name))
        self.helper = layout_helper(
            Field.text("provider"),
            Field.radios("status", legend_size=Size.SMALL, inline=True),
            Field("starts_on"),
            Field("ends_on"),
            Button("save", "Save the intervention"),
        )


class ContactForm(forms.Form):
    """A contact with the person, its outcome, and when the next is due."""

    contact_type = radios("Type of contact", choices=Contact.Type.choices, required="Choose the type of contact")
    occurred_on = GovDateField(label="Date of the contact", help_text="For example, 27 3 2026.")
    outcome = radios(
        "Outcome",
        choices=Contact.Outcome.choices,
        required="Choose the outcome of the contact",
        help_text="Failed to attend and not at home count as missed in the compliance summary.",
    )
    next_contact_on = GovDateField(label="Next contact", required=False, help_text="Optional. After this contact.")
    note = text_area("Note (optional)", rows=3, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("occurred_on", timezone.localdate())
        self.helper = layout_helper(
            Field.radios("contact_type", legend_size=Size.SMALL),
            Field("occurred_on"),
            Field.radios("outcome", legend_size=Size.SMALL),
            Field("next_contact_on"),
            Field.textarea("note", rows=3),
            Button("save", "Record the contact"),
        )


class DecisionForm(forms.Form):
    """A decision about the person's management, with its rationale."""

    decision = forms.CharField(
        label="Decision",
        max_length=200,
        help_text="For example: Move to weekly contact with the IOM police lead.",
        error_messages={"required": "Enter the decision", **_limit("decision", 200)},
    )
    rationale = text_area(
        "Rationale",
        rows=5,
        required="Enter the rationale for the decision",
        error_messages={**_limit("rationale", 4000)},
        max_length=4000,
        help_text="Why it was decided: what was known and weighed.",
    )
    decided_on = GovDateField(label="Date of the decision", help_text="For example, 27 3 2026.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("decided_on", timezone.localdate())
        self.helper = layout_helper(
            Field.text("decision"),
            Field.textarea("rationale", rows=5),
            Field("decided_on"),
            Button("save", "Record the decision"),
        )


class EnforcementForm(forms.Form):
    """A warning, breach, recall or arrest."""

    kind = radios(
        "Enforcement action", choices=EnforcementAction.Kind.choices, required="Choose the enforcement action"
    )
    occurred_on = GovDateField(label="Date of the action", help_text="For example, 27 3 2026.")
    reason = text_area(
        "Why it was taken",
        rows=4,
        required="Enter why the action was taken",
        error_messages={**_limit("reason", 4000)},
        max_length=4000,
    )
    outcome = forms.CharField(
        label="Outcome (optional)",
        required=False,
        max_length=200,
        help_text="For example: Recalled to HMP Fenwick.",
        error_messages=_limit("outcome", 200),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("occurred_on", timezone.localdate())
        self.helper = layout_helper(
            Field.radios("kind", legend_size=Size.SMALL, inline=True),
            Field("occurred_on"),
            Field.textarea("reason", rows=4),
            Field.text("outcome"),
            Button("save", "Record the enforcement action"),
        )
