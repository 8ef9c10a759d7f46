"""R9 pure rules: dose bounds by drug (the refusal names the range), the first community dose date
(the day after the last dose given: later misses a day, the same day risks a double dose), and the
figure as clinicians say it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from coexist.medicines.rules import (
    describe_dose,
    dose_given_refusal,
    dose_refusal,
    first_community_dose_latest,
    first_community_dose_refusal,
    may_answer_handover,
    text_refusal,
    time_refusal,
)

LAST = datetime(2026, 11, 20, 9, 0)
TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("drug", "dose", "refused"),
    [
        ("methadone", "0.5", True),
        ("methadone", "1", False),
        ("methadone", "60", False),
        ("methadone", "300", False),
        ("methadone", "300.01", True),
        ("methadone", "600", True),
        ("buprenorphine", "0.3", True),
        ("buprenorphine", "0.4", False),
        ("buprenorphine", "32", False),
        ("buprenorphine", "33", True),
        ("buprenorphine_naloxone", "16", False),
        ("buprenorphine_depot", "128", False),
        ("buprenorphine_depot", "8", True),
        ("buprenorphine_depot", "301", True),
    ],
)
def test_r9_dose_bounds_by_drug(drug: str, dose: str, refused: bool) -> None:
    assert (dose_refusal(drug=drug, dose_mg=Decimal(dose)) is not None) is refused


def test_r9_dose_outside_the_range_is_refused_naming_the_range() -> None:
    message = dose_refusal(drug="methadone", dose_mg=Decimal("600"))
    assert message is not None
    assert "between 1 and 300 mg a day" in message and "administrator" in message
    message = dose_refusal(drug="buprenorphine", dose_mg=Decimal("40"))
    assert message is not None and "between 0.4 and 32 mg a day" in message
    message = dose_refusal(drug="buprenorphine_depot", dose_mg=Decimal("20"))
    assert message is not None and "between 64 and 300 mg a month" in message


def test_r9_dose_with_more_than_two_decimal_places_or_not_a_number_is_refused() -> None:
    assert dose_refusal(drug="methadone", dose_mg=Decimal("60.001")) is not None
    assert dose_refusal(drug="methadone", dose_mg=Decimal("NaN")) is not None
    assert dose_refusal(drug="methadone", dose_mg=None) is not None
    assert dose_refusal(drug="heroin", dose_mg=Decimal("60")) is not None


def test_r9_a_dose_given_can_be_part_of_the_day_but_not_more_than_the_most() -> None:
    assert dose_given_refusal(drug="methadone", dose_mg=Decimal("30")) is None
    assert dose_given_refusal(drug="methadone", dose_mg=Decimal("0")) is not None
    assert dose_given_refusal(drug="methadone", dose_mg=Decimal("301")) is not None


def test_r9_first_community_dose_the_day_after_the_last_dose_is_accepted() -> None:
    assert (
        first_community_dose_refusal(drug="methadone", last_dose_at=LAST, first_dose_on=date(2026, 11, 21), today=TODAY)
        is None
    )
    assert first_community_dose_latest(drug="methadone", last_dose_on=LAST.date()) == date(2026, 11, 21)


def test_r9_first_community_dose_after_a_missed_day_is_refused() -> None:
    message = first_community_dose_refusal(
        drug="methadone", last_dose_at=LAST, first_dose_on=date(2026, 11, 22), today=TODAY
    )
    assert message is not None
    assert message.startswith("A day would be missed") and "21 November 2026" in message


def test_r9_first_community_dose_on_the_day_of_the_last_dose_is_refused_as_a_double_dose() -> None:
    message = first_community_dose_refusal(drug="methadone", last_dose_at=LAST, first_dose_on=TODAY, today=TODAY)
    assert message is not None and message.startswith("Risk of a double dose")


def test_r9_first_community_dose_in_the_past_is_refused() -> None:
    message = first_community_dose_refusal(
        drug="buprenorphine", last_dose_at=datetime(2026, 11, 17, 9, 0), first_dose_on=date(2026, 11, 18), today=TODAY
    )
    assert message is not None and "has passed" in message


def test_r9_monthly_depot_first_community_dose_within_28_days() -> None:
    kwargs = {"drug": "buprenorphine_depot", "last_dose_at": LAST, "today": TODAY}
    assert first_community_dose_refusal(first_dose_on=date(2026, 12, 18), **kwargs) is None  # type: ignore[arg-type]
    assert first_community_dose_refusal(first_dose_on=date(2026, 12, 19), **kwargs) is not None  # type: ignore[arg-type]
    assert first_community_dose_refusal(first_dose_on=TODAY, **kwargs) is not None  # type: ignore[arg-type]


def test_r9_figure_as_clinicians_say_it() -> None:
    assert (
        describe_dose(drug="methadone", dose_mg=Decimal("60.00"), supervised=True, pharmacy="Boots, High Street")
        == "60 mg a day, supervised, at Boots, High Street"
    )
    assert describe_dose(drug="buprenorphine", dose_mg=Decimal("8.50"), supervised=False, pharmacy="") == (
        "8.5 mg a day, not supervised"
    )
    assert describe_dose(drug="buprenorphine_depot", dose_mg=Decimal("128"), supervised=False, pharmacy="") == (
        "128 mg a month, by injection"
    )


def test_r9_times_and_text() -> None:
    now = datetime(2026, 11, 20, 10, 0)
    assert time_refusal(at=datetime(2026, 11, 20, 10, 1), now=now) is not None
    assert time_refusal(at=datetime(1900, 1, 1), now=now) is not None
    assert time_refusal(at=datetime(2026, 11, 20, 9, 0), now=now) is None
    assert text_refusal(value="a\x00b", required=None) is not None
    assert text_refusal(value="x" * 10_000, required=None) is not None
    assert text_refusal(value="   ", required="Say why.") == "Say why."


def test_r9_only_a_prescriber_answers_a_handover() -> None:
    assert may_answer_handover(roles_in_receiving_service=frozenset({"addictions_consultant"}))
    assert not may_answer_handover(roles_in_receiving_service=frozenset({"substance_misuse_worker"}))
    assert not may_answer_handover(roles_in_receiving_service=frozenset())
