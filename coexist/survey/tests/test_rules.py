"""Pure rules of the service survey, training evidence and feedback (issue 6 points 5 and 6): no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coexist.survey.rules import (
    Dimension,
    TrainingFact,
    date_refusal,
    feedback_refusals,
    feedback_results,
    hours_refusal,
    may_compare,
    may_record,
    may_view_service,
    score_refusal,
    session_evidence,
    survey_refusals,
    training_evidence,
    training_is_current,
    years_before,
)

TODAY = date(2026, 3, 15)
ALL_THREE = {d.value: 3 for d in Dimension}


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_scores_1_to_5_are_accepted(value: int) -> None:
    assert score_refusal(value) is None


@pytest.mark.parametrize("value", [0, 6, -1, 100, None, "3", 3.0, True])
def test_scores_outside_1_to_5_or_not_whole_numbers_are_refused(value: object) -> None:
    assert score_refusal(value) == "Choose a score from 1 to 5."


def test_a_complete_survey_has_no_refusals() -> None:
    assert survey_refusals(provision="network", scores=ALL_THREE, notes={}, completed_on=TODAY, today=TODAY) == {}


def test_every_dimension_must_be_scored_and_each_problem_is_named() -> None:
    scores = {**ALL_THREE, "staffing": 6}
    del scores["milieu"]
    errors = survey_refusals(
        provision="hub", scores=scores, notes={"treatment": "x\x00"}, completed_on=TODAY, today=TODAY
    )
    assert set(errors) == {"provision", "milieu", "staffing", "treatment_note"}


def test_notes_over_2000_characters_and_unknown_dimensions_are_refused() -> None:
    errors = survey_refusals(
        provision="consultancy", scores={**ALL_THREE, "vibes": 5}, notes={"training": "a" * 2001},
        completed_on=TODAY, today=TODAY,
    )  # fmt: skip
    assert errors == {"training_note": "Use 2000 characters or fewer.", "scores": "Unknown dimensions: vibes."}


def test_dates_today_and_1_january_2000_are_the_boundaries() -> None:
    assert date_refusal(value=TODAY, today=TODAY, what="date") is None
    assert date_refusal(value=date(2000, 1, 1), today=TODAY, what="date") is None
    assert date_refusal(value=date(2026, 3, 16), today=TODAY, what="date") == "The date cannot be in the future."
    assert date_refusal(value=date(1999, 12, 31), today=TODAY, what="date") == "The date must be in 2000 or later."


def test_three_years_before_29_february_is_28_february() -> None:
    assert years_before(date(2028, 2, 29), 3) == date(2025, 2, 28)
    assert years_before(TODAY, 3) == date(2023, 3, 15)


def test_training_counts_from_the_same_date_three_years_ago_up_to_today() -> None:
    assert training_is_current(completed_on=date(2023, 3, 15), today=TODAY)
    assert not training_is_current(completed_on=date(2023, 3, 14), today=TODAY)
    assert training_is_current(completed_on=TODAY, today=TODAY)
    assert not training_is_current(completed_on=date(2026, 3, 16), today=TODAY)


def test_training_share_worked_by_hand() -> None:
    """Staff 1 to 4 are the service's clinical staff now.
    1: a 6-hour course exactly three years ago today            -> trained, 6 h
    2: a course three years and a day ago                       -> not trained
    3: two courses (3 h and 4.5 h) within three years           -> trained once, 7.5 h
    4: a course booked for next week                            -> not trained
    5: not on the staff now, trained last month                 -> ignored
    Trained 2 of 4 = 50.0%; hours 13.5; 13.5 / 4 = 3.375 -> 3.4 per member of staff."""
    training = [
        TrainingFact(1, date(2023, 3, 15), Decimal("6")),
        TrainingFact(2, date(2023, 3, 14), Decimal("8")),
        TrainingFact(3, date(2024, 6, 1), Decimal("3")),
        TrainingFact(3, date(2025, 6, 1), Decimal("4.5")),
        TrainingFact(4, date(2026, 3, 22), Decimal("7")),
        TrainingFact(5, date(2026, 2, 1), Decimal("10")),
    ]
    evidence = training_evidence(staff_ids=[1, 2, 3, 4], training=training, today=TODAY)
    assert (evidence.staff, evidence.trained, evidence.hours) == (4, 2, Decimal("13.5"))
    assert evidence.share == Decimal("50.0")
    assert evidence.hours_per_staff == Decimal("3.4")
    assert evidence.since == date(2023, 3, 15)


def test_one_of_three_trained_is_33_point_3_percent_and_no_staff_is_no_share() -> None:
    evidence = training_evidence(staff_ids=[1, 2, 3], training=[TrainingFact(2, TODAY, Decimal("1"))], today=TODAY)
    assert evidence.share == Decimal("33.3")
    empty = training_evidence(staff_ids=[], training=[], today=TODAY)
    assert empty.share is None and empty.hours_per_staff is None


def test_recovery_sessions_count_from_a_year_ago_today_to_today() -> None:
    sessions = [(date(2025, 3, 15), 4), (date(2025, 3, 14), 9), (TODAY, 6), (date(2026, 3, 16), 20)]
    evidence = session_evidence(sessions=sessions, today=TODAY)
    assert (evidence.sessions, evidence.attendances, evidence.since) == (2, 10, date(2025, 3, 15))


@pytest.mark.parametrize(
    ("hours", "ok"),
    [("0.1", True), ("500", True), ("3.5", True), ("0", False), ("-1", False), ("500.1", False), ("1.25", False),
     ("NaN", False), ("Infinity", False)],
)  # fmt: skip
def test_training_hours_bounds(hours: str, ok: bool) -> None:
    assert (hours_refusal(Decimal(hours)) is None) is ok


def test_feedback_mean_and_agreement_worked_by_hand() -> None:
    """[0, 1, 2, 3, 4] people answered 1..5: 10 answers; (2 + 6 + 12 + 20) / 10 = 4.00; 7 of 10 agree = 70.0%."""
    results = feedback_results(counts={"listened": [0, 1, 2, 3, 4]}, threshold=5)
    listened = results[0]
    assert (listened.responses, listened.mean, listened.agree) == (10, Decimal("4.00"), Decimal("70.0"))
    assert all(r.responses == 0 and r.mean is None for r in results[1:])


def test_feedback_mean_is_hidden_under_the_threshold() -> None:
    four, five = feedback_results(counts={"listened": [0, 0, 1, 1, 2], "involved": [1, 1, 1, 1, 1]}, threshold=5)[:2]
    assert (four.responses, four.mean, four.agree) == (4, None, None)
    assert (five.responses, five.mean) == (5, Decimal("3.00"))


def test_feedback_counts_are_five_whole_non_negative_numbers() -> None:
    assert feedback_refusals(counts={"listened": [1, 2, 3, 4, 5]}) == {}
    assert feedback_refusals(counts={"listened": [1, 2, 3]}) == {
        "listened": "Enter five whole numbers, one for each answer."
    }
    assert feedback_refusals(counts={"listened": [1, -2, 3, 4, 5]}) == {"listened": "Counts cannot be negative."}
    assert feedback_refusals(counts={"listened": [True, 0, 0, 0, 0]})["listened"]
    assert feedback_refusals(counts={"listened": [10_001, 0, 0, 0, 0]})["listened"]
    assert feedback_refusals(counts={"listened": [0] * 5}) == {
        "counts": "Enter the number of people who gave each answer to at least one question."
    }
    assert feedback_refusals(counts={"mood": [1, 1, 1, 1, 1]}) == {"counts": "Unknown question: mood."}


def test_who_may_view_record_and_compare() -> None:
    assert may_view_service(roles_in_service={"care_coordinator"})
    assert not may_view_service(roles_in_service={"researcher", "administrator"})
    assert not may_view_service(roles_in_service=set())
    assert may_record(roles_in_service={"dual_diagnosis_lead"})
    assert may_record(roles_in_service={"team_leader"}) and may_record(roles_in_service={"service_manager"})
    assert not may_record(roles_in_service={"care_coordinator", "psychiatrist"})
    assert may_compare(roles={"researcher"}) and may_compare(roles={"team_leader"})
    assert not may_compare(roles={"care_coordinator", "administrator"})
