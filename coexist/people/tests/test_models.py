"""Person invariants: NHS number validity and uniqueness when present."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from coexist.people.models import normalise_nhs_number, validate_nhs_number
from coexist.testing.factories import PersonFactory


@pytest.mark.parametrize("valid", ["9434765919", "9999999999", "4010232137"])
def test_valid_nhs_numbers_pass(valid: str) -> None:
    validate_nhs_number(valid)


@pytest.mark.parametrize("invalid", ["9434765918", "943476591", "94347659190", "abcdefghij", "0000000001"])
def test_invalid_nhs_numbers_are_refused_with_a_clear_message(invalid: str) -> None:
    with pytest.raises(ValidationError, match="valid 10-digit NHS number"):
        validate_nhs_number(invalid)


def test_nhs_number_is_normalised_from_how_people_type_it() -> None:
    assert normalise_nhs_number("943 476 5919") == "9434765919"
    assert normalise_nhs_number("943-476-5919") == "9434765919"


@pytest.mark.django_db
def test_nhs_number_is_unique_when_present() -> None:
    PersonFactory(nhs_number="9434765919")
    with pytest.raises(IntegrityError):
        PersonFactory(nhs_number="9434765919")


@pytest.mark.django_db
def test_many_people_may_have_no_nhs_number() -> None:
    PersonFactory(nhs_number=None)
    PersonFactory(nhs_number=None)


@pytest.mark.django_db
def test_an_empty_nhs_number_is_stored_as_null_never_blank() -> None:
    with pytest.raises(IntegrityError):
        PersonFactory(nhs_number="")
