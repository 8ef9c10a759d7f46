"""Pure rules for multi-agency case reviews (R7). Plain values in, decisions out; no ORM.

R7 (PRODUCT.md): a multi-agency, multidisciplinary case review is held at least every 12 months,
sooner when circumstances say so; an overdue review is on the worklist.

Which episodes need one: those held by secondary mental health care (community mental health
teams and wards, where the Care Programme Approach has always meant a yearly multi-agency review)
and by the drug and alcohol service (NG58 1.5: the two services plan care jointly, so the drug and
alcohol service is held to the same duty). Drop-ins, housing, primary care, social care and the
recovery college do not hold a care-coordination episode of their own: they take part in reviews as
invited agencies, not as the service that must call one.

A review belongs to an episode, but it is a review of the person: a review held since an episode
opened counts for every open episode the person has (one meeting of all the agencies, not one per
service).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from coexist.organisations.models import ServiceKind

REVIEW_SERVICE_KINDS: frozenset[str] = frozenset(
    {ServiceKind.COMMUNITY_MENTAL_HEALTH, ServiceKind.INPATIENT_WARD, ServiceKind.DRUG_ALCOHOL}
)

REVIEW_INTERVAL_MONTHS = 12
DUE_SOON_DAYS = 28


class ReviewState(StrEnum):
    """Where an episode stands against its R7 due date."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    NOT_DUE = "not_due"


def needs_case_review(*, service_kind: str) -> bool:
    """R7: does an open episode in a service of this kind need a multi-agency case review every year?"""
    return service_kind in REVIEW_SERVICE_KINDS


def twelve_months_after(day: date) -> date:
    """The same day a year later; 29 February becomes 28 February (never a day later than 12 months)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


@dataclass(frozen=True)
class HeldReview:
    """A held review of the person, as plain values: when it was held and when it said the next is due."""

    held_on: date
    next_review_on: date


def review_due_on(*, episode_opened_on: date, held: Iterable[HeldReview]) -> date:
    """R7: when this episode's next review is due.

    The `next_review_on` of the most recent review held on or after the day the episode opened; if
    none has been held since then, 12 months after the episode opened. A review merely scheduled
    does not move the date: only a held review does, so a review booked after the due date does not
    make the episode on time."""
    since = [review for review in held if review.held_on >= episode_opened_on]
    if not since:
        return twelve_months_after(episode_opened_on)
    latest = max(since, key=lambda review: (review.held_on, review.next_review_on))
    return latest.next_review_on


def review_state(*, due_on: date, today: date) -> ReviewState:
    """R7: overdue once the due date has passed; due soon on the due date and the 28 days before it."""
    if due_on < today:
        return ReviewState.OVERDUE
    if due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return ReviewState.DUE_SOON
    return ReviewState.NOT_DUE


def missing_organisations(*, care_team: Iterable[str], invited: Iterable[str]) -> list[str]:
    """R7: the organisations represented in the person's current care team with nobody invited, by name."""
    return sorted(set(care_team) - set(invited))


def invitation_refusal(*, care_team: Iterable[str], invited: Iterable[str], any_invited: bool) -> str | None:
    """R7: a multi-agency review must invite at least one practitioner from every organisation in the
    care team. Returns None when it does, otherwise what to put right, naming the organisations."""
    if not any_invited:
        return "Invite at least one practitioner."
    missing = missing_organisations(care_team=care_team, invited=invited)
    if not missing:
        return None
    return (
        "A multi-agency review must invite someone from every organisation in the care team. "
        f"Nobody is invited from: {', '.join(missing)}."
    )


def schedule_refusals(*, scheduled_on: date, today: date) -> dict[str, str]:
    """R7: a review is scheduled for today or later, and within the next 12 months."""
    if scheduled_on < today:
        return {"scheduled_for": "The review date must be today or in the future."}
    if scheduled_on > twelve_months_after(today):
        return {"scheduled_for": "Schedule the review within the next 12 months."}
    return {}


def outcome_refusals(*, held_on: date, next_review_on: date, today: date) -> dict[str, str]:
    """R7: a review is recorded as held on a day that has come, and names its next review date, which is
    after the day it was held and no later than 12 months after it (29 February counts to 28 February)."""
    errors: dict[str, str] = {}
    if held_on > today:
        errors["held_on"] = "The date it was held cannot be in the future."
    if next_review_on <= held_on:
        errors["next_review_on"] = "The next review must be after the day this one was held."
    elif next_review_on > twelve_months_after(held_on):
        latest = twelve_months_after(held_on)
        errors["next_review_on"] = (
            f"The next review must be within 12 months: on or before {latest.day} {latest:%B %Y}."
        )
    return errors
