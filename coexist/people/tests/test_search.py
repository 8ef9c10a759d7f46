from __future__ import annotations

from datetime import date

import pytest

from coexist.people.search import SearchTerms, parse_search


@pytest.mark.parametrize("typed", ["9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 "])
def test_ten_digits_are_an_nhs_number(typed: str) -> None:
    assert parse_search(typed) == SearchTerms(nhs_number="9434765919")


@pytest.mark.parametrize("typed", ["14/03/1985", "14-03-1985", "1985-03-14", "14 March 1985", "14 Mar 1985"])
def test_dates_are_a_date_of_birth(typed: str) -> None:
    assert parse_search(typed) == SearchTerms(date_of_birth=date(1985, 3, 14))


def test_anything_else_is_a_name() -> None:
    assert parse_search("Ann  Abbott") == SearchTerms(name_words=("Ann", "Abbott"))


def test_an_impossible_date_is_searched_as_a_name_not_an_error() -> None:
    assert parse_search("31/02/1985").name_words == ("31/02/1985",)
