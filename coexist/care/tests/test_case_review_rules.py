"""R7 pure rules: when a multi-agency case review is due, overdue or due soon; which agencies are
missing from an invitation; what a recorded outcome may say (12 months at most, 29 February included)."""

from __future__ import annotations

from datetime import date

import pytest

from coexist.care.reviews.rules import (
    HeldReview,
    ReviewState,
    invitation_refusal,
    missing_organisations,
    needs_case_review,
    outcome_refusals,
    review_due_on,
    review_state,
    schedule_refusals,
    twelve_months_after,
)


@pytest.mark.parametrize(
    ("kind", "needed"),
    [("cmht", True), ("inpatient_ward", True), ("drug_alcohol", True), ("drop_in", False), ("housing_support", False)],
)
def test_r7_secondary_mental_health_and_drug_and_alcohol_episodes_need_reviews(kind: str, needed: bool) -> None:
    assert needs_case_review(service_kind=kind) is needed


def test_r7_first_review_is_due_twelve_months_after_the_episode_opened() -> None:
    assert review_due_on(episode_opened_on=date(2025, 3, 10), held=[]) == date(2026, 3, 10)


def test_r7_episode_opened_on_29_february_is_due_on_28_february() -> None:
    assert review_due_on(episode_opened_on=date(2028, 2, 29), held=[]) == date(2029, 2, 28)


def test_r7_due_date_is_the_next_review_date_of_the_latest_held_review() -> None:
    held = [HeldReview(date(2025, 6, 1), date(2026, 6, 1)), HeldReview(date(2025, 9, 1), date(2026, 1, 15))]
    assert review_due_on(episode_opened_on=date(2025, 1, 1), held=held) == date(2026, 1, 15)


def test_r7_a_review_held_before_the_episode_opened_does_not_count() -> None:
    held = [HeldReview(date(2024, 6, 1), date(2025, 6, 1))]
    assert review_due_on(episode_opened_on=date(2025, 1, 1), held=held) == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 3, 11), ReviewState.OVERDUE),
        (date(2026, 3, 10), ReviewState.DUE_SOON),
        (date(2026, 2, 10), ReviewState.DUE_SOON),  # 28 days before
        (date(2026, 2, 9), ReviewState.NOT_DUE),  # 29 days before
    ],
)
def test_r7_overdue_after_the_due_date_and_due_soon_within_28_days(today: date, state: ReviewState) -> None:
    assert review_state(due_on=date(2026, 3, 10), today=today) == state


def test_r7_missing_organisations_are_named_in_order() -> None:
    assert missing_organisations(care_team=["Trust", "Pathways", "Housing"], invited=["Trust"]) == [
        "Housing",
        "Pathways",
    ]
    refusal = invitation_refusal(care_team=["Trust", "Pathways"], invited=["Trust"], any_invited=True)
    assert refusal is not None and "Nobody is invited from: Pathways." in refusal
    assert invitation_refusal(care_team=["Trust"], invited=["Trust", "GP"], any_invited=True) is None
    assert invitation_refusal(care_team=[], invited=[], any_invited=False) == "Invite at least one practitioner."


@pytest.mark.parametrize(
    ("held_on", "next_on", "ok"),
    [
        (date(2026, 3, 10), date(2027, 3, 10), True),  # exactly 12 months
        (date(2026, 3, 10), date(2027, 3, 11), False),  # a day over
        (date(2026, 3, 10), date(2026, 3, 10), False),  # not after the day it was held
        (date(2028, 2, 29), date(2029, 2, 28), True),  # 29 February: 12 months is 28 February
        (date(2028, 2, 29), date(2029, 3, 1), False),
        (date(2027, 2, 28), date(2028, 2, 28), True),
        (date(2027, 2, 28), date(2028, 2, 29), False),  # a leap day is a day later than 12 months
    ],
)
def test_r7_next_review_is_after_the_review_and_within_12_months(held_on: date, next_on: date, ok: bool) -> None:
    errors = outcome_refusals(held_on=held_on, next_review_on=next_on, today=date(2030, 1, 1))
    assert ("next_review_on" not in errors) is ok


def test_r7_a_review_cannot_be_recorded_as_held_in_the_future() -> None:
    errors = outcome_refusals(held_on=date(2026, 3, 11), next_review_on=date(2026, 9, 1), today=date(2026, 3, 10))
    assert set(errors) == {"held_on"}


def test_r7_schedule_today_or_later_within_12_months() -> None:
    today = date(2026, 3, 10)
    assert schedule_refusals(scheduled_on=today, today=today) == {}
    assert set(schedule_refusals(scheduled_on=date(2026, 3, 9), today=today)) == {"scheduled_for"}
    assert set(schedule_refusals(scheduled_on=date(2027, 3, 11), today=today)) == {"scheduled_for"}
    assert twelve_months_after(date(2024, 2, 29)) == date(2025, 2, 28)
