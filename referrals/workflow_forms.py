"""Forms of the IOM team's and panel chairs' actions on a referral (referrals/workflow_views.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Size
from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html

from cohorts.management.models import CohortManagement, ManagementLevel, PriorityCohort, RagRating, Strand
from referrals.models import Referral, ReferralDecision
from referrals.panel_dates import panel_scheduling_url, panels_offered
from referrals.services import AcceptTerms
from sharing.models import Agency, User
from sharing.roles import Role
from ui.fields import radios, text_area
from ui.forms import layout_helper

LEAD_PROFESSIONAL_ROLES = (Role.PRACTITIONER, Role.PARTNER_WORKER, Role.SUPERVISOR)
POLICE_LEAD_ROLES = (Role.PRACTITIONER, Role.SUPERVISOR)


class ScreenForm(forms.Form):
    note = text_area(
        "Note (optional)",
        rows=3,
        required=False,
        help_text="For example, what you checked. It is kept on the referral's timeline.",
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field.textarea("note", rows=3), Button("screen", "Mark as screened"))


class ReturnForm(forms.Form):
    questions = text_area(
        "Questions for the referrer",
        rows=5,
        required="Enter the questions for the referrer",
        help_text="Say what is missing or unclear. The referrer answers them and submits the referral again.",
        max_length=4000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field.textarea("questions", rows=5), Button("return", "Return to the referrer"))


class ListForPanelForm(forms.Form):
    """One of the next scheduled selection panels the user may see (referrals/panel_dates.py), never a
    typed date: a date with no panel put the referral on no agenda."""

    panel_date = forms.TypedChoiceField(
        label="Which selection panel?",
        coerce=datetime.date.fromisoformat,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the selection panel",
            "invalid_choice": "Choose one of the scheduled selection panels",
        },
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.panels = panels_offered(user, timezone.localdate())
        self.schedule_url = panel_scheduling_url(user)
        self.fields["panel_date"].choices = [  # type: ignore[attr-defined]
            (panel.date.isoformat(), panel.label) for panel in self.panels
        ]
        self.fields["panel_date"].help_text = "The next scheduled selection panels; a chair decides it there."
        self.helper = layout_helper(Field.radios("panel_date", small=True), Button("list", "List for the panel"))


class RatifyForm(forms.Form):
    note = text_area(
        "Note (optional)",
        rows=3,
        required=False,
        help_text="For example, the panel meeting that ratified it.",
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field.textarea("note", rows=3), Button("ratify", "Ratify the decision"))


class WithdrawForm(forms.Form):
    reason = text_area(
        "Why is the referral withdrawn?",
        rows=3,
        required="Enter why the referral is withdrawn",
        help_text="The reason is kept on the referral's timeline.",
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.textarea("reason", rows=3), Button.warning("withdraw", "Withdraw the referral")
        )


# --- The decision ---------------------------------------------------------------------------------


def _workers(roles: tuple[Role, ...], agency_kinds: tuple[str, ...] = ()) -> QuerySet[User]:
    holders = User.groups.through.objects.filter(group__name__in=[role.value for role in roles]).values("user_id")
    workers = User.objects.filter(is_active=True, agency__is_active=True, pk__in=holders)
    if agency_kinds:
        workers = workers.filter(agency__kind__in=agency_kinds)
    return workers.select_related("agency").order_by("agency__name", "agency_id", "last_name", "first_name", "pk")


@dataclass(frozen=True)
class DecisionChoices:
    """Everything the decision form offers, each list fetched once (a fixed number of queries)."""

    levels: dict[str, ManagementLevel]
    ratings: dict[str, RagRating]
    cohorts: dict[str, PriorityCohort]
    leads: dict[str, User]
    police_leads: dict[str, User]

    @classmethod
    def load(cls) -> DecisionChoices:
        return cls(
            levels={str(level.pk): level for level in ManagementLevel.objects.filter(is_active=True)},
            ratings={str(rating.pk): rating for rating in RagRating.objects.filter(is_active=True)},
            cohorts={str(cohort.pk): cohort for cohort in PriorityCohort.objects.filter(is_active=True)},
            leads={str(user.pk): user for user in _workers(LEAD_PROFESSIONAL_ROLES)},
            police_leads={str(user.pk): user for user in _workers(POLICE_LEAD_ROLES, (Agency.Kind.POLICE,))},
        )


def _worker_label(user: User) -> str:
    return f"{user.get_full_name() or user.username}" + (f" ({user.job_title})" if user.job_title else "")


def _grouped_by_agency(workers: dict[str, User], empty: str) -> list[Any]:
    """Select choices with an <optgroup> per agency (the workers come ordered by agency)."""
    groups: list[Any] = [("", empty)]
    current: Agency | None = None
    for pk, user in workers.items():
        if current is None or user.agency_id != current.pk:
            current = user.agency
            groups.append((current.name, []))
        groups[-1][1].append((pk, _worker_label(user)))
    return groups


def _level_choice(level: ManagementLevel) -> Choice:
    label = f"{level.name} (adults only: {settings.IOM_PRIORITY_MIN_AGE} or over)" if level.adults_only else level.name
    if level.description:
        return Choice(str(level.pk), label, hint=level.description)
    return Choice(str(level.pk), label)


def _rating_choice(rating: RagRating) -> Choice:
    label = format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', rating.colour, rating.label)
    hint = f"Supervisor reviews {rating.review_cadence}." + (f" {rating.description}" if rating.description else "")
    return Choice(str(rating.pk), label, hint=hint)


ACCEPT_REQUIRED = {
    "strand": "Select the strand",
    "level": "Select the level or team",
    "rag": "Select the initial RAG rating",
    "rag_rationale": "Give the reason for the initial RAG rating",
    "lead_professional": "Select the lead professional",
    "police_lead": "Select the IOM police lead officer",
}


class DecideForm(forms.Form):
    """The panel's decision. Without JavaScript every field is shown; the terms of acceptance are
    required only when the outcome is to accept."""

    outcome = radios("Decision", choices=ReferralDecision.Outcome.choices, required="Select the decision")
    rationale = text_area(
        "Reasons for the decision",
        rows=4,
        required="Give the reason for the decision",
        help_text="If the referral is rejected, this is the reason the referrer is told.",
        max_length=4000,
    )
    strand = radios("Strand", choices=Strand.choices, required=False)
    level = forms.ChoiceField(label="Level or team", widget=forms.RadioSelect, required=False)
    rag = forms.ChoiceField(label="Initial RAG rating", widget=forms.RadioSelect, required=False)
    rag_rationale = text_area("Reason for the RAG rating", rows=3, required=False, max_length=4000)
    lead_professional = forms.ChoiceField(
        label="Lead professional",
        help_text="From any agency: the person responsible for the plan.",
        required=False,
    )
    police_lead = forms.ChoiceField(label="IOM police lead officer", required=False)
    mappa_level = radios(
        "Combined with MAPPA", choices=CohortManagement.CombinedMappaLevel.choices, required=False, initial=""
    )
    priority_cohorts = forms.MultipleChoiceField(
        label="Local priority cohorts", widget=forms.CheckboxSelectMultiple, required=False
    )
    outside_meeting = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        choices: DecisionChoices,
        referral: Referral,
        outside_meeting: bool,
        content_visible: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        fields = self.fields
        fields["level"].choices = [_level_choice(level) for level in choices.levels.values()]  # type: ignore[attr-defined]
        fields["rag"].choices = [_rating_choice(rating) for rating in choices.ratings.values()]  # type: ignore[attr-defined]
        fields["priority_cohorts"].choices = [(pk, cohort.name) for pk, cohort in choices.cohorts.items()]  # type: ignore[attr-defined]
        fields["lead_professional"].choices = _grouped_by_agency(choices.leads, "Choose the lead professional")  # type: ignore[attr-defined]
        fields["police_lead"].choices = _grouped_by_agency(  # type: ignore[attr-defined]
            choices.police_leads, "Choose the IOM police lead officer"
        )
        self.initial["outside_meeting"] = outside_meeting
        if content_visible:  # the proposal is the referring agency's offending and risk information
            self.initial.setdefault("strand", referral.strand)
            if referral.proposed_level_id is not None:
                self.initial.setdefault("level", str(referral.proposed_level_id))
            self.initial.setdefault("priority_cohorts", [str(cohort.pk) for cohort in referral.priority_cohorts.all()])
        self.helper = self.layout("outside_meeting")

    @staticmethod
    def layout(*after_terms: str) -> FormHelper:
        """The outcome, its rationale and the terms of acceptance, then `after_terms`, then the button."""
        return layout_helper(
            Field.radios("outcome", legend_size=Size.MEDIUM),
            Field.textarea("rationale", rows=4),
            Fieldset(
                Field.radios("strand", legend_size=Size.SMALL, inline=True),
                Field.radios("level", legend_size=Size.SMALL),
                Field.radios("rag", legend_size=Size.SMALL),
                Field.textarea("rag_rationale", rows=3),
                Field.select("lead_professional"),
                Field.select("police_lead"),
                Field.radios("mappa_level", legend_size=Size.SMALL),
                Field.checkboxes("priority_cohorts", legend_size=Size.SMALL, small=True),
                legend="If the referral is accepted",
                legend_size=Size.MEDIUM,
            ),
            *after_terms,
            Button("decide", "Record the decision"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("outcome") == ReferralDecision.Outcome.ACCEPTED:
            for name, message in ACCEPT_REQUIRED.items():
                if name not in self.errors and not (cleaned.get(name) or "").strip():
                    self.add_error(name, message)
        return cleaned

    def accept_terms(self) -> AcceptTerms | None:
        """The terms of acceptance, for referral_decide; None unless the outcome is to accept."""
        data = self.cleaned_data
        if data["outcome"] != ReferralDecision.Outcome.ACCEPTED:
            return None
        return AcceptTerms(
            strand=data["strand"],
            level=self.choices.levels[data["level"]],
            rag=self.choices.ratings[data["rag"]],
            rag_rationale=data["rag_rationale"],
            lead_professional=self.choices.leads[data["lead_professional"]],
            police_lead=self.choices.police_leads[data["police_lead"]],
            mappa_level=data["mappa_level"],
            priority_cohorts=[self.choices.cohorts[pk] for pk in data["priority_cohorts"]],
        )
