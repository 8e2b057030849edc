"""The head of a GOV.UK table, from its column headings, so that each table names its columns once."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

register = template.Library()


@dataclass(frozen=True)
class Column:
    heading: str
    numeric: bool
    hidden: bool


def _names(listed: str) -> set[str]:
    return {name.strip() for name in listed.split(",") if name.strip()}


@register.inclusion_tag("_table_head.html")
def table_head(*headings: str, numeric: str = "", hidden: str = "", small: bool = False) -> dict[str, object]:
    """`{% table_head "Name" "Score" numeric="Score" %}`: `numeric` and `hidden` (shown to screen
    readers only) list headings by name, comma-separated; `small` sets every heading in 16px type."""
    numeric_names, hidden_names = _names(numeric), _names(hidden)
    columns = [Column(heading, heading in numeric_names, heading in hidden_names) for heading in headings]
    return {"columns": columns, "small": small}
