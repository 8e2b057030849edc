"""The identifiers a nominal is known by in police, probation and prison systems: validation and the
one canonical form each is stored in, so that the same person is found whichever form is typed."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils import timezone

# PNC ID: year (2 or 4 digits) / serial (up to 7 digits) and a check letter, e.g. 2019/0123456Q.
PNC_PATTERN = re.compile(r"^(?P<year>\d{2}|\d{4})/(?P<serial>\d{1,7})(?P<check>[A-Z])$")
PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
CRN_PATTERN = re.compile(r"^[A-Z]\d{6}$")
PRISON_NUMBER_PATTERN = re.compile(r"^[A-Z]\d{4}[A-Z]{2}$")
# Each identifier field, as a sentence names it ("This PNC ID is ...").
IDENTIFIER_LABELS = {"pnc_id": "PNC ID", "crn": "CRN", "prison_number": "prison number"}


def already_recorded(field_name: str) -> str:
    """The error for an identifier held by a record the user may see (and so may find)."""
    return f"This {IDENTIFIER_LABELS[field_name]} is already recorded for another person: search for it in People"


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def pnc_check_letter(year: str, serial: str) -> str:
    return PNC_CHECK_LETTERS[int(f"{year[-2:]}{int(serial):07d}") % 23]


def normalise_pnc_id(value: str) -> str:
    """The canonical PNC ID (four-digit year, seven-digit serial), or a ValidationError saying why not."""
    squashed = _squash(value)
    match = PNC_PATTERN.match(squashed)
    if not match:
        raise ValidationError(
            "Enter a PNC ID in the format 2019/0123456Q: the year, a slash, up to 7 digits and a check letter",
            code="pnc_format",
        )
    year, serial, check = match["year"], match["serial"], match["check"]
    if len(year) == 2:
        this_year = timezone.localdate().year % 100
        year = f"{20 if int(year) <= this_year else 19}{year}"
    if check != pnc_check_letter(year, serial):
        raise ValidationError(
            "This PNC ID's check letter does not match its number: check it for a typing mistake",
            code="pnc_check",
        )
    return f"{year}/{int(serial):07d}{check}"


def normalise_crn(value: str) -> str:
    squashed = _squash(value)
    if not CRN_PATTERN.match(squashed):
        raise ValidationError(
            "Enter a probation case reference number (CRN) as a letter and 6 digits, like X123456",
            code="crn_format",
        )
    return squashed


def normalise_prison_number(value: str) -> str:
    squashed = _squash(value)
    if not PRISON_NUMBER_PATTERN.match(squashed):
        raise ValidationError(
            "Enter a prison number as a letter, 4 digits and 2 letters, like A1234BC",
            code="prison_number_format",
        )
    return squashed
