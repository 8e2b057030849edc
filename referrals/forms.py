"""Referral page forms: the list's filters, starting a referral and one form per task list section.

Section forms check only what a form can (a real date, a number in range); what makes a section
complete is the service's rule (referrals.services._check_section), and its errors are put back
on these forms' fields by the views."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any, ClassVar

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone

from cohorts.management.models import ManagementLevel, PriorityCohort, Strand
from cohorts.records.identifiers import normalise_pnc_id
from cohorts.records.models import Nominal, OffenceType, Pathway, PathwayNeed
from referrals.models import Referral
from referrals.selectors import ReferralFilters
from sharing.models import Agency
from ui.fields import GovDateField, radios, text_area
from ui.forms import layout_helper

YES_NO = [("yes", "Yes"), ("no", "No")]
STRAND_HINTS = {
    Strand.FIXED: "Neighbourhood crime (burglary, robbery, vehicle crime, theft other than shoplifting) by a person "
    "under statutory supervision.",
    Strand.FLEX: "People whose offending the partnership agrees to manage, with or without statutory supervision.",
    Strand.FREE: "A local priority, such as domestic abuse perpetrators.",
}
UNSURE_LEVEL = "unsure"


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _yes_no_field(label: str, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        **kwargs,
    )


# --- The list ---------------------------------------------------------------------------------------


class ReferralFilterForm(forms.Form):
    """The referrals list's filters (MoJ filter pattern); all optional. The panel renders them
    (templates/_moj_filter.html, shell/templatetags/filter_panel.py)."""

    filter_widths = {"min_score": 5}

    q = forms.CharField(label="Reference or surname", required=False, max_length=100)
    status = forms.MultipleChoiceField(
        label="Status", choices=Referral.Status.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    strand = forms.MultipleChoiceField(
        label="Proposed strand", choices=Strand.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    urgency = forms.MultipleChoiceField(
        label="Urgency",
        choices=[("urgent", "Urgent"), ("not_urgent", "Not urgent")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agency = forms.ModelMultipleChoiceField(
        Agency.objects.filter(is_active=True).order_by("name"),
        label="Referring agency",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    min_score = forms.DecimalField(
        label="Minimum score",
        required=False,
        min_value=Decimal(0),
        max_digits=7,
        decimal_places=2,
        error_messages={"invalid": "Enter the minimum score as a number, like 12.5"},
    )
    to_be_ratified = forms.BooleanField(label="Urgent decisions to be ratified", required=False)
    mine = forms.BooleanField(label="Only my referrals and my team's", required=False)

    def __init__(self, *args: Any, iom_team: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not iom_team:
            del self.fields["mine"]  # everyone else sees only their own and their team's already
        self.fields["min_score"].widget.attrs.update({"inputmode": "decimal"})
        self.helper = FormHelper()  # no layout: only the error summary reads it (the panel is filter_fields)

    def filters(self) -> ReferralFilters:
        data = self.cleaned_data
        urgency = set(data["urgency"])
        return ReferralFilters(
            statuses=tuple(data["status"]),
            strands=tuple(data["strand"]),
            urgent=True if urgency == {"urgent"} else False if urgency == {"not_urgent"} else None,
            agency_ids=tuple(agency.pk for agency in data["agency"]),
            min_score=data["min_score"],
            to_be_ratified=data["to_be_ratified"],
            mine=data.get("mine", False),
            query=data["q"],
        )


SORT_LABELS = {"score": "Score (highest first)", "newest": "Newest", "oldest": "Oldest", "panel": "Panel date"}


# --- Starting a referral -----------------------------------------------------------------------------

KIND_CHOICES = [
    Choice(Referral.Kind.ADULT.value, "Adult referral"),
    Choice(
        Referral.Kind.Y2A.value,
        "Youth-to-adult (Y2A) referral",
        hint="A youth offending team case, referred before the 18th birthday.",
    ),
]


class ReferralKindForm(forms.Form):
    kind = radios("What kind of referral is it?", choices=KIND_CHOICES, required="Select the kind of referral")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(Field.radios("kind", legend_size=Size.MEDIUM))


class ReferralPersonForm(forms.Form):
    """Who is referred: enough to find them if they are already recorded, or to record them."""

    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the first name"}
    )
    last_name = forms.CharField(label="Last name", max_length=100, error_messages={"required": "Enter the last name"})
    date_of_birth = GovDateField(label="Date of birth")
    pnc_id = forms.CharField(
        label="PNC ID (optional)", required=False, max_length=20, help_text="For example, 2019/0123456Q"
    )
    kind = ReferralKindForm.base_fields["kind"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Fieldset(
                Field.text("first_name", field_width=20),
                Field.text("last_name", field_width=20),
                Field("date_of_birth"),
                Field.text("pnc_id", field_width=10),
                legend="The person",
                legend_size=Size.MEDIUM,
            ),
            Field.radios("kind", legend_size=Size.MEDIUM),
        )

    def clean_pnc_id(self) -> str:
        return normalise_pnc_id(self.cleaned_data["pnc_id"]) if self.cleaned_data["pnc_id"] else ""

    def clean_date_of_birth(self) -> datetime.date:
        date_of_birth: datetime.date = self.cleaned_data["date_of_birth"]
        if date_of_birth >= timezone.localdate():
            raise ValidationError("Date of birth must be in the past")
        return date_of_birth


# --- The task list's sections ---------------------------------------------------------------------


class SectionForm(forms.Form):
    """One section of the task list: prefilled from the referral, and the fields the service takes."""

    section: ClassVar[str]

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        self.referral = referral
        if not args or args[0] is None:
            kwargs.setdefault("initial", self.initial_from(referral))
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_from(cls, referral: Referral) -> dict[str, Any]:
        raise NotImplementedError

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class WhySectionForm(SectionForm):
    section = "why"

    why_now = text_area(
        "Why should the person be referred now?",
        rows=8,
        required=False,
        help_text="What has changed, what the partnership could do that is not being done, and anything the panel "
        "should know.",
        max_length=5000,
    )
    criteria = forms.MultipleChoiceField(
        label="Which criteria does the person meet?",
        help_text="Select all that apply.",
        choices=Referral.Criterion.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.textarea("why_now", rows=8, label_size=Size.SMALL),
            Field.checkboxes("criteria", legend_size=Size.SMALL),
        )

    @classmethod
    def initial_from(cls, referral: Referral) -> dict[str, Any]:
        return {"why_now": referral.why_now, "criteria": list(referral.criteria)}


class StrandSectionForm(SectionForm):
    section = "strand"

    strand = radios(
        "Proposed strand",
        choices=[Choice(value, label, hint=STRAND_HINTS[Strand(value)]) for value, label in Strand.choices],
        required=False,
    )
    proposed_level = forms.ChoiceField(label="Proposed level of management", required=False, widget=forms.RadioSelect)
    priority_cohorts = forms.ModelMultipleChoiceField(
        PriorityCohort.objects.filter(is_active=True).order_by("name"),
        label="Local priority cohorts",
        help_text="Select all that apply.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.levels = {str(level.pk): level for level in ManagementLevel.objects.filter(is_active=True)}
        self.fields["proposed_level"].choices = [  # type: ignore[attr-defined]
            *(
                Choice(pk, level.name, hint=level.description + (" Adults only." if level.adults_only else ""))
                for pk, level in self.levels.items()
            ),
            Choice(UNSURE_LEVEL, "Not sure: leave to the panel"),
        ]
        self.helper = layout_helper(
            Field.radios("strand", legend_size=Size.SMALL),
            Field.radios("proposed_level", legend_size=Size.SMALL),
            Field.checkboxes("priority_cohorts", legend_size=Size.SMALL),
        )

    @classmethod
    def initial_from(cls, referral: Referral) -> dict[str, Any]:
        done = cls.section in referral.sections_done
        level = str(referral.proposed_level_id) if referral.proposed_level_id else (UNSURE_LEVEL if done else None)
        return {
            "strand": referral.strand,
            "proposed_level": level,
            "priority_cohorts": [cohort.pk for cohort in referral.priority_cohorts.all()],
        }

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "strand": data["strand"],
            "proposed_level": self.levels.get(data["proposed_level"] or ""),
            "priority_cohorts": list(data["priority_cohorts"]),
        }


class RiskSectionForm(SectionForm):
    section = "risk"

    statutory_status = radios("Statutory supervision", choices=Nominal.StatutoryStatus.choices, required=False)
    ogrs_percent = forms.IntegerField(
        label="OGRS score (%)",
        help_text="The Offender Group Reconviction Scale score, from 0 to 100. Leave empty if not known.",
        required=False,
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": "Enter the OGRS score as a whole number from 0 to 100",
            "min_value": "The OGRS score must be 0 or more",
            "max_value": "The OGRS score must be 100 or less",
        },
    )
    risk_of_serious_harm = radios(
        "Risk of serious harm (RoSH)",
        choices=[
            *(choice for choice in Nominal.RiskOfSeriousHarm.choices if choice[0]),
            ("", "Not assessed"),
        ],
        required=False,
    )
    mappa_category = forms.ChoiceField(label="MAPPA category", choices=Nominal.MappaCategory.choices, required=False)
    mappa_level = forms.ChoiceField(label="MAPPA level", choices=Nominal.MappaLevel.choices, required=False)
    release_expected_on = GovDateField(
        label="Expected release date",
        required=False,
        help_text="Only if the person is in custody. For example, 27 3 2026",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ogrs_percent"].widget.attrs.update({"inputmode": "numeric"})
        self.helper = layout_helper(
            Field.radios("statutory_status", legend_size=Size.SMALL),
            Field.text("ogrs_percent", field_width=3, label_size=Size.SMALL),
            Field.radios("risk_of_serious_harm", legend_size=Size.SMALL),
            Field.select("mappa_category"),
            Field.select("mappa_level"),
            Field("release_expected_on"),
        )

    @classmethod
    def initial_from(cls, referral: Referral) -> dict[str, Any]:
        return {
            "statutory_status": referral.statutory_status,
            "ogrs_percent": referral.ogrs_percent,
            "risk_of_serious_harm": referral.risk_of_serious_harm,
            "mappa_category": referral.mappa_category,
            "mappa_level": referral.mappa_level,
            "release_expected_on": referral.release_expected_on,
        }


NEED_LEVELS = [("", "Not assessed"), *PathwayNeed.Level.choices]


class NeedsSectionForm(SectionForm):
    """A level and a note for each of the seven pathways; "Not assessed" leaves the pathway out."""

    section = "needs"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        layout = []
        for pathway, label in Pathway.choices:
            self.fields[f"level_{pathway}"] = forms.ChoiceField(
                label="Level of need", choices=NEED_LEVELS, required=False
            )
            self.fields[f"note_{pathway}"] = text_area("What the need is", rows=2, required=False, max_length=2000)
            layout.append(
                Fieldset(
                    Field.select(f"level_{pathway}"),
                    Field.textarea(f"note_{pathway}", rows=2),
                    legend=label,
                    legend_size=Size.SMALL,
                )
            )
        self.helper = layout_helper(*layout)

    @classmethod
    def initial_from(cls, referral: Referral) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for need in referral.needs.all():
            initial[f"level_{need.pathway}"] = need.level
            initial[f"note_{need.pathway}"] = need.note
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for pathway, label in Pathway.choices:
            if cleaned.get(f"note_{pathway}") and not cleaned.get(f"level_{pathway}"):
                self.add_error(f"level_{pathway}", f"Select the level of need for {label.lower()}, or delete the note")
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "needs": [
                {"pathway": pathway, "level": data[f"level_{pathway}"], "note": data[f"note_{pathway}"]}
                for pathway, _ in Pathway.choices
                if data.get(f"level_{pathway}")
            ]
        }


class UrgencySectionForm(SectionForm):
    section = "urgency"

    urgent = _yes_no_field(
        "Is the referral urgent?",
        help_text="An urgent referral can be decided by a panel chair before the next panel, which then ratifies "
        "the decision.",
    )
    urgency_reason = text_area(
        "Why is it urgent?", rows=4, required=False, help_text="Needed if the referral is urgent.", max_length=2000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.radios("urgent", legend_size=Size.SMALL, inline=True),
            Field.textarea("urgency_reason", rows=4, label_size=Size.SMALL),
        )

    @classmethod
    def initial_from(cls, referral: Referral) -> dict[str, Any]:
        return {"urgent": _yes_no(referral.urgent), "urgency_reason": referral.urgency_reason}


class Y2ASectionForm(SectionForm):
    section = "y2a"

    management_passed_to_probation = _yes_no_field(
        "Will the case's management pass to probation at 18?",
        help_text="Answer no if the youth offending team keeps the case after the 18th birthday.",
    )
    youth_order = radios("The young person's order", choices=Referral.YouthOrder.choices, required=False)
    order_ends_on = GovDateField(label="Date the order ends", required=False, help_text="For example, 27 3 2027")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = layout_helper(
            Field.radios("management_passed_to_probation", legend_size=Size.SMALL, inline=True),
            Field.radios("youth_order", legend_size=Size.SMALL),
            Field("order_ends_on"),
        )

    @classmethod
    def initial_from(cls, referral: Referral) -> dict[str, Any]:
        return {
            "management_passed_to_probation": _yes_no(referral.management_passed_to_probation),
            "youth_order": referral.youth_order,
            "order_ends_on": referral.order_ends_on,
        }


SECTION_FORMS: dict[str, type[SectionForm]] = {
    form.section: form
    for form in (
        WhySectionForm,
        StrandSectionForm,
        RiskSectionForm,
        NeedsSectionForm,
        UrgencySectionForm,
        Y2ASectionForm,
    )
}


# --- The offending history: a table of rows, which works without JavaScript -------------------------

BLANK_ROWS = 3


class OffenceRowForm(forms.Form):
    offence_type = forms.ChoiceField(
        label="Offence type", choices=[("", "Choose an offence type"), *OffenceType.choices], required=False
    )
    committed_on = GovDateField(label="Date of the offence", required=False)
    description = forms.CharField(label="Description (optional)", required=False, max_length=200)

    def has_anything(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("offence_type") or data.get("committed_on") or data.get("description"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or not self.has_anything():
            return cleaned
        if not cleaned.get("offence_type"):
            self.add_error("offence_type", "Choose the offence type")
        if not cleaned.get("committed_on"):
            self.add_error("committed_on", "Enter the date of the offence")
        return cleaned


OffenceFormSet = formset_factory(OffenceRowForm, extra=0)
MAX_ROWS = 200
_ROW_FIELD = re.compile(r"^offences-(\d{1,3})-")


def offence_formset(referral: Referral, data: Any = None, *, more_rows: bool = False) -> Any:
    """The saved rows and 3 blank ones; "Add more rows" re-renders what was typed with 3 more."""
    if data is None:
        initial = [
            {
                "offence_type": offence.offence_type,
                "committed_on": offence.committed_on,
                "description": offence.description,
            }
            for offence in referral.offences.all()
        ]
        return OffenceFormSet(prefix="offences", initial=initial + [{}] * BLANK_ROWS)
    data = data.copy()
    data["offences-TOTAL_FORMS"] = str(min(offence_rows_posted(data) + (BLANK_ROWS if more_rows else 0), MAX_ROWS))
    data["offences-INITIAL_FORMS"] = "0"
    return OffenceFormSet(data, prefix="offences")


def offence_rows_posted(data: Any) -> int:
    """How many rows the page posted, counted from the rows' own fields (offences-<n>-...), never from
    the management form's count, which the browser sends and anyone can change."""
    indexes = [int(match[1]) for key in data if (match := _ROW_FIELD.match(key))]
    return min(max(indexes, default=-1) + 1, MAX_ROWS)


def offence_rows_tampered(data: Any) -> bool:
    """The management form's count disagrees with the rows posted: an old page or a changed one, which
    is refused as stale rather than read (a lower count would drop saved rows)."""
    return data.get("offences-TOTAL_FORMS", "") != str(offence_rows_posted(data))


def offences_from(formset: Any) -> list[dict[str, Any]]:
    """The rows the user filled in (blank rows are ignored), for the service."""
    return [
        {
            "offence_type": form.cleaned_data["offence_type"],
            "committed_on": form.cleaned_data["committed_on"],
            "description": form.cleaned_data["description"],
        }
        for form in formset.forms
        if form.has_anything()
    ]
