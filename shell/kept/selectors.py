"""Reading kept forms: the one a user may see on a page, and what it holds, in the page's own words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.utils import timezone

from shell.kept.models import KeptForm
from shell.kept.services import KEEP_FOR


def kept_form_for(*, user_id: int, tokens: Iterable[str], path: str) -> KeptForm | None:
    """The user's form kept from the page at `path`, among those their browser holds (`tokens`), if it
    was kept less than KEEP_FOR ago; the latest if several were."""
    candidates = KeptForm.objects.filter(
        token__in=list(tokens), user_id=user_id, kept_at__gt=timezone.now() - KEEP_FOR
    ).order_by("-kept_at")
    return next((kept for kept in candidates if urlsplit(kept.path).path == path), None)


@dataclass(frozen=True)
class KeptField:
    """One answer of a kept form as the kept page lists it: the question and what was typed."""

    label: str
    value: str


@dataclass
class PageField:
    """A field of the page's form as the page shows it: its question, whether a person fills it in
    (not a hidden field or a button), and the words of its choices."""

    label: str = ""
    filled_in: bool = True
    choices: dict[str, str] = field(default_factory=dict)


# GOV.UK date inputs post a field's day, month and year as name_0, name_1 and name_2.
DATE_PART = re.compile(r"^(?P<name>.+)_(?P<part>[012])$")


def kept_fields_shown(kept: KeptForm, page_html: str) -> list[KeptField]:
    """What the user typed, in the order of the form, with the page's questions and choices where
    the page (as it is now) has them, else the field's name made readable. Hidden fields, buttons and
    empty answers are left out; a date's day, month and year are one answer."""
    on_page = page_fields(page_html)
    shown: list[KeptField] = []
    dates: dict[str, list[str]] = {}
    for name, values in kept.fields:
        page_field = on_page.get(name, PageField())
        if not page_field.filled_in:
            continue
        date_part = DATE_PART.match(name)
        if date_part:
            parts = dates.setdefault(date_part["name"], ["", "", ""])
            parts[int(date_part["part"])] = " ".join(values).strip()
            if date_part["part"] == "2" and any(parts):
                label = page_field.label or readable_name(date_part["name"])
                shown.append(KeptField(label, "/".join(part or "?" for part in parts)))
            continue
        answers = [page_field.choices.get(value, value) for value in values if value.strip()]
        if answers:
            shown.append(KeptField(page_field.label or readable_name(name), "\n\n".join(answers)))
    return shown


def readable_name(name: str) -> str:
    """A field's name as words: "next_review_on" is "Next review on"."""
    words = re.sub(r"[_\-\[\].]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else name


class _FormReader(HTMLParser):
    """Collects a page's form fields: each named control, its label or its fieldset's legend, and
    the words of the choices of radios, checkboxes and selects."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.labels: dict[str, str] = {}  # an element's id: its label's text
        self.controls: list[tuple[str, str, str, str, str]] = []  # name, kind, id, value, legend
        self.options: dict[str, dict[str, str]] = {}  # a select's name: its options' words
        self._legends: list[str] = []  # the enclosing fieldsets' legends
        self._text_for: tuple[str, str] | None = None  # ("label", id), ("legend", ""), ("option", value)
        self._text: list[str] = []
        self._select = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        name = attributes.get("name", "")
        if tag == "fieldset":
            self._legends.append("")
        elif tag == "legend":
            self._start_text(("legend", ""))
        elif tag == "label":
            self._start_text(("label", attributes.get("for", "")))
        elif tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            legend = self._legends[-1] if self._legends else ""
            self.controls.append((name, kind, attributes.get("id", ""), attributes.get("value", ""), legend))
        elif tag in ("textarea", "select") and name:
            legend = self._legends[-1] if self._legends else ""
            self.controls.append((name, tag, attributes.get("id", ""), "", legend))
            self._select = name if tag == "select" else ""
        elif tag == "option" and self._select:
            self._start_text(("option", attributes.get("value", "")))
        elif tag == "button" and name:
            self.controls.append((name, "button", "", "", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset" and self._legends:
            self._legends.pop()
        elif tag in ("legend", "label", "option") and self._text_for is not None:
            kind, key = self._text_for
            text = " ".join("".join(self._text).split())
            if kind == "legend" and self._legends:
                self._legends[-1] = text
            elif kind == "label" and key:
                self.labels[key] = text
            elif kind == "option":
                self.options.setdefault(self._select, {})[key] = text
            self._text_for = None
        elif tag == "select":
            self._select = ""

    def handle_data(self, data: str) -> None:
        if self._text_for is not None:
            self._text.append(data)

    def _start_text(self, text_for: tuple[str, str]) -> None:
        self._text_for, self._text = text_for, []


def page_fields(page_html: str) -> dict[str, PageField]:
    """The page's form fields by name: what each asks, whether a person fills it in, its choices."""
    reader = _FormReader()
    reader.feed(page_html)
    reader.close()
    fields: dict[str, PageField] = {}
    for name, kind, element_id, value, legend in reader.controls:
        page_field = fields.setdefault(name, PageField())
        if kind in ("hidden", "submit", "button", "reset", "image"):
            page_field.filled_in = False
        elif kind in ("radio", "checkbox"):
            page_field.label = page_field.label or legend or reader.labels.get(element_id, "")
            page_field.choices[value] = reader.labels.get(element_id, value)
        elif DATE_PART.match(name):
            page_field.label = page_field.label or legend
        else:
            page_field.label = page_field.label or reader.labels.get(element_id, "") or legend
            page_field.choices.update(reader.options.get(name, {}))
    return fields
