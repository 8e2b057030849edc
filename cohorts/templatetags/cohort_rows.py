"""The cohort list's rows, written straight to GOV.UK markup.

Fifty rows of seven cells cost the Django template engine more than a tenth of the page's time at
20,000 people (`manage.py benchmark`, where the page must stay within twice its rows' SQL), and
format_html's lazy-string checks about a twentieth: each cell here is an f-string whose every value
goes through `_e` (the standard library's html.escape, quotes included, as Django's escape does).
The markup is the page's (templates/cohorts/cohort_list.html keeps the table around it)."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from cohorts.management.selectors import CohortRow

register = template.Library()


def _e(value: object) -> str:
    """A value as HTML text: every one of a row's values goes through here."""
    return escape(str(value), quote=True)


def _hint(text: str) -> str:
    return f'<span class="govuk-hint govuk-!-font-size-16">{_e(text)}</span>'


def _name(row: CohortRow, person_url_prefix: str) -> str:
    area = f'<br><span class="govuk-body-s">{_e(row.area_name)}</span>' if row.area_name else ""
    return f'<a class="govuk-link" href="{_e(person_url_prefix)}{int(row.nominal.pk)}/">{_e(row.name)}</a>{area}'


def _rag(row: CohortRow) -> str:
    if row.rag is None:
        return _hint("Not rated")
    return f'<strong class="govuk-tag govuk-tag--{_e(row.rag.colour)}">{_e(row.rag.label)}</strong>'


def _strand_and_level(row: CohortRow) -> str:
    if not row.strand_label and row.level is None:
        return _hint("Not recorded")
    strand = row.strand_label or "Strand not recorded"
    level = row.level.name if row.level else "Level not recorded"
    return f'{_e(strand)}<br><span class="govuk-body-s">{_e(level)}</span>'


def _leads(row: CohortRow) -> str:
    lead, police = row.lead_professional, row.police_lead
    if lead:
        agency = lead.agency.short_name or lead.agency.name
        lead_html = f'{_e(lead.worker)} <span class="govuk-hint govuk-!-font-size-16">({_e(agency)})</span>'
    else:
        lead_html = _hint("No lead professional")
    if police:
        police_html = (
            f'<span class="govuk-visually-hidden">IOM police lead: </span>{_e(police.worker)} '
            '<span class="govuk-hint govuk-!-font-size-16">(police lead)</span>'
        )
    else:
        police_html = _hint("No police lead")
    return f"{lead_html}<br>{police_html}"


def _custody_and_licence(row: CohortRow) -> str:
    if row.in_community:
        custody = '<span class="govuk-body-s">In the community</span>'
    else:
        custody = (
            f'<strong class="govuk-tag govuk-tag--{_e(row.custody_colour)}">'
            f"{_e(row.nominal.get_custody_status_display())}</strong>"
        )
    if not row.offending_shown:
        licence = _hint("Licence: not shared")
    elif row.licence_text:
        licence = f'<span class="govuk-body-s iom-nowrap">Licence ends {_e(row.licence_text)}</span>'
    else:
        licence = _hint("No licence end")
    transition = (
        f'<br><strong class="govuk-tag govuk-tag--{_e(row.transition_colour)} govuk-!-margin-top-1" '
        f'data-testid="transition-status">{_e(row.transition_text)}</strong>'
        if row.transition_shown
        else ""
    )
    return f"{custody}<br>{licence}{transition}"


def _review(row: CohortRow) -> str:
    if not row.review_text:
        return ""
    overdue = (
        '<br><strong class="govuk-tag govuk-tag--red" data-testid="review-overdue">Overdue</strong>'
        if row.review_overdue
        else ""
    )
    return f'<span class="govuk-body-s">{_e(row.review_text)}</span>{overdue}'


def _row(row: CohortRow, person_url_prefix: str) -> str:
    return (
        '<tr class="govuk-table__row" data-testid="cohort-row">'
        f'<td class="govuk-table__cell">{_name(row, person_url_prefix)}</td>'
        f'<td class="govuk-table__cell">{_rag(row)}</td>'
        f'<td class="govuk-table__cell">{_strand_and_level(row)}</td>'
        f'<td class="govuk-table__cell govuk-body-s">{_leads(row)}</td>'
        f'<td class="govuk-table__cell" data-testid="custody-licence">{_custody_and_licence(row)}</td>'
        f'<td class="govuk-table__cell iom-nowrap">{_review(row)}</td>'
        f'<td class="govuk-table__cell iom-nowrap govuk-body-s">{_e(row.since_text)}</td></tr>'
    )


@register.simple_tag
def cohort_rows(rows: list[CohortRow], person_url_prefix: str) -> SafeString:
    """The table body's rows (the cells as the column headers of cohort_list.html order them)."""
    return mark_safe("\n".join(_row(row, person_url_prefix) for row in rows))  # noqa: S308 (every value through _e)
