"""The cohort list's rows, written straight to GOV.UK markup.

Fifty rows of seven cells cost the Django template engine more than a tenth of the page's time at
20,000 people (`manage.py benchmark`, where the page must stay within twice its rows' SQL); each row
here is a few format_html calls. The markup is the page's (templates/cohorts/cohort_list.html keeps
the table around it), and every value is escaped by format_html."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from cohorts.cohort_list import CohortRow

register = template.Library()

HINT = '<span class="govuk-hint govuk-!-font-size-16">{}</span>'


def _hint(text: str) -> SafeString:
    return format_html(HINT, text)


def _name(row: CohortRow, person_url_prefix: str) -> SafeString:
    area = format_html('<br><span class="govuk-body-s">{}</span>', row.area_name) if row.area_name else ""
    return format_html('<a class="govuk-link" href="{}{}/">{}</a>{}', person_url_prefix, row.nominal.pk, row.name, area)


def _rag(row: CohortRow) -> SafeString:
    if row.rag is None:
        return _hint("Not rated")
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', row.rag.colour, row.rag.label)


def _strand_and_level(row: CohortRow) -> SafeString:
    if not row.strand_label and row.level is None:
        return _hint("Not recorded")
    return format_html(
        '{}<br><span class="govuk-body-s">{}</span>',
        row.strand_label or "Strand not recorded",
        row.level.name if row.level else "Level not recorded",
    )


def _leads(row: CohortRow) -> SafeString:
    lead, police = row.lead_professional, row.police_lead
    lead_html = (
        format_html(
            '{} <span class="govuk-hint govuk-!-font-size-16">({})</span>',
            lead.worker,
            lead.agency.short_name or lead.agency.name,
        )
        if lead
        else _hint("No lead professional")
    )
    police_html = (
        format_html(
            '<span class="govuk-visually-hidden">IOM police lead: </span>{} '
            '<span class="govuk-hint govuk-!-font-size-16">(police lead)</span>',
            police.worker,
        )
        if police
        else _hint("No police lead")
    )
    return format_html("{}<br>{}", lead_html, police_html)


def _custody_and_licence(row: CohortRow) -> SafeString:
    custody = (
        mark_safe('<span class="govuk-body-s">In the community</span>')
        if row.in_community
        else format_html(
            '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
            row.custody_colour,
            row.nominal.get_custody_status_display(),
        )
    )
    if not row.offending_shown:
        licence = _hint("Licence: not shared")
    elif row.licence_text:
        licence = format_html('<span class="govuk-body-s iom-nowrap">Licence ends {}</span>', row.licence_text)
    else:
        licence = _hint("No licence end")
    transition = (
        format_html(
            '<br><strong class="govuk-tag govuk-tag--{} govuk-!-margin-top-1" '
            'data-testid="transition-status">{}</strong>',
            row.transition_colour,
            row.transition_text,
        )
        if row.transition_shown
        else ""
    )
    return format_html("{}<br>{}{}", custody, licence, transition)


def _review(row: CohortRow) -> SafeString:
    if not row.review_text:
        return mark_safe("")
    overdue = (
        mark_safe('<br><strong class="govuk-tag govuk-tag--red" data-testid="review-overdue">Overdue</strong>')
        if row.review_overdue
        else ""
    )
    return format_html('<span class="govuk-body-s">{}</span>{}', row.review_text, overdue)


@register.simple_tag
def cohort_rows(rows: list[CohortRow], person_url_prefix: str) -> SafeString:
    """The table body's rows (the cells as the column headers of cohort_list.html order them)."""
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row" data-testid="cohort-row">'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell govuk-body-s">{}</td>'
        '<td class="govuk-table__cell" data-testid="custody-licence">{}</td>'
        '<td class="govuk-table__cell iom-nowrap">{}</td>'
        '<td class="govuk-table__cell iom-nowrap govuk-body-s">{}</td></tr>',
        (
            (
                _name(row, person_url_prefix),
                _rag(row),
                _strand_and_level(row),
                _leads(row),
                _custody_and_licence(row),
                _review(row),
                row.since_text,
            )
            for row in rows
        ),
    )
