import datetime

import pytest
from django.core.exceptions import ValidationError

from cohorts.records.identifiers import normalise_crn, normalise_pnc_id, normalise_prison_number, pnc_check_letter
from cohorts.records.services import nominal_create
from tests.cohorts.factories import make_nominal, valid_pnc_id


def test_a_pnc_id_is_stored_in_one_form_whichever_form_is_typed():
    check = pnc_check_letter("2019", "123456")

    assert normalise_pnc_id(f"19/123456{check}") == f"2019/0123456{check}"
    assert normalise_pnc_id(f" 2019/0123456{check.lower()} ") == f"2019/0123456{check}"


@pytest.mark.parametrize("typed", ["2019-0123456X", "2019/12345678X", "19/123456", "ABC", ""])
def test_a_malformed_pnc_id_is_explained(typed):
    with pytest.raises(ValidationError, match="format 2019/0123456Q"):
        normalise_pnc_id(typed)


def test_a_pnc_id_with_the_wrong_check_letter_is_refused():
    right = pnc_check_letter("2019", "123456")
    wrong = "A" if right != "A" else "B"

    with pytest.raises(ValidationError, match="check letter"):
        normalise_pnc_id(f"2019/0123456{wrong}")


def test_crn_and_prison_number_formats():
    assert normalise_crn("x123456") == "X123456"
    assert normalise_prison_number("a 1234 bc") == "A1234BC"
    with pytest.raises(ValidationError, match="letter and 6 digits"):
        normalise_crn("123456")
    with pytest.raises(ValidationError, match="A1234BC"):
        normalise_prison_number("A12345")


def test_a_duplicate_identifier_is_a_field_error_naming_no_one_the_user_may_not_see(partnership):
    from cohorts.duplicates.services import HeldElsewhere

    pnc_id = valid_pnc_id()
    held = make_nominal(partnership.officer, pnc_id=pnc_id)

    with pytest.raises(ValidationError) as seen:
        make_nominal(partnership.officer, pnc_id=pnc_id.replace("/", "/ "))
    with pytest.raises(HeldElsewhere) as hidden:  # the police's record: probation may not see it
        make_nominal(partnership.probation_officer, pnc_id=pnc_id.replace("/", "/ "))

    assert "already recorded for another person" in seen.value.message_dict["pnc_id"][0]
    assert "may already be recorded by another agency" in hidden.value.message_dict["pnc_id"][0]
    assert (hidden.value.existing_id, hidden.value.identifier) == (held.pk, "pnc_id")


def test_dates_in_the_wrong_order_are_field_errors(partnership):
    with pytest.raises(ValidationError) as error:
        nominal_create(
            by=partnership.officer,
            first_name="A",
            last_name="B",
            date_of_birth=datetime.date(1990, 1, 1),
            sentence_ends_on=datetime.date(2026, 1, 1),
            licence_ends_on=datetime.date(2027, 1, 1),
        )

    assert error.value.message_dict == {
        "licence_ends_on": ["Licence end date must be on or before the sentence end date"]
    }
