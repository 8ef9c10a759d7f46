"""Pure rules for appointments and missed-appointment follow-up (R4, R6).

Plain values in, decisions out; no ORM and no request, so these are tested without a database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from django.db.models import TextChoices


class Attendance(TextChoices):
    """Attendance outcome, in the NHS Data Dictionary's categories so figures match national returns."""

    BOOKED = "booked", "Booked (no outcome yet)"
    ATTENDED_ON_TIME = "attended_on_time", "Attended on time"
    ARRIVED_LATE_SEEN = "arrived_late_seen", "Arrived late but was seen"
    ARRIVED_LATE_NOT_SEEN = "arrived_late_not_seen", "Arrived late and could not be seen"
    CANCELLED_BY_PERSON = "cancelled_by_person", "Cancelled by the person"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend without warning"
    CANCELLED_BY_PROVIDER = "cancelled_by_provider", "Cancelled or postponed by the service"


SEEN_OUTCOMES = frozenset({Attendance.ATTENDED_ON_TIME, Attendance.ARRIVED_LATE_SEEN})
"""A contact took place, so the care plan was reviewed at it (R4)."""

MISSED_OUTCOMES = frozenset({Attendance.DID_NOT_ATTEND, Attendance.ARRIVED_LATE_NOT_SEEN})
"""R6: the person was expected and was not seen, so someone must find out why.

"Arrived late and not seen" counts: the person left without being seen, and is as much at risk as
one who did not come. "Cancelled by the person" does not: they were in touch, and the appointment
is rebooked. "Cancelled by the service" is the service's failure, not the person's."""

AFTER_START_OUTCOMES = SEEN_OUTCOMES | MISSED_OUTCOMES
"""Outcomes that can only be known once the appointment time has come."""


class PlanReview(TextChoices):
    """R4: the care plan is reviewed at every contact, and the contact says what came of it."""

    UNCHANGED = "unchanged", "Plan reviewed: unchanged"
    CHANGED = "changed", "Plan reviewed: changed"


class RiskLevel(StrEnum):
    """R6: how soon a missed appointment must be followed up depends on the person's current risk."""

    SELF_HARM_OR_SUICIDE = "self_harm_or_suicide"
    EXISTING_CONCERNS = "existing_concerns"
    NONE = "none"


SELF_HARM_SUICIDE_FLAG = "self_harm_suicide"
"""The risk-flag kind (assessments.RiskKind.SELF_HARM_SUICIDE) that makes a missed appointment urgent."""

EXISTING_CONCERNS_DEADLINE = timedelta(hours=24)

# England and Wales bank holidays (GOV.UK, https://www.gov.uk/bank-holidays), skipped as working days.
ENGLAND_AND_WALES_BANK_HOLIDAYS: frozenset[date] = frozenset(
    {
        date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26),
        date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26),
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25),
        date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
        date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3), date(2027, 5, 31),
        date(2027, 8, 30), date(2027, 12, 27), date(2027, 12, 28),
    }
)  # fmt: skip


def risk_level(current_flag_kinds: Iterable[str]) -> RiskLevel:
    """R6: a current self-harm or suicide flag outranks every other; any other current flag is a concern."""
    kinds = set(current_flag_kinds)
    if SELF_HARM_SUICIDE_FLAG in kinds:
        return RiskLevel.SELF_HARM_OR_SUICIDE
    if kinds:
        return RiskLevel.EXISTING_CONCERNS
    return RiskLevel.NONE


def is_missed(outcome: str) -> bool:
    """R6: does this attendance outcome create a follow-up duty?"""
    return outcome in MISSED_OUTCOMES


def add_working_days(start: datetime, working_days: int, holidays: Collection[date] = ()) -> datetime:
    """The same clock time `working_days` working days after `start`'s date (weekends and holidays skipped).

    `start` should be in local time: weekdays are judged on its date."""
    if working_days < 1:
        raise ValueError("working_days must be at least 1")
    moment = start
    counted = 0
    while counted < working_days:
        moment += timedelta(days=1)
        if moment.weekday() < 5 and moment.date() not in holidays:
            counted += 1
    return moment


def follow_up_deadline(
    *, missed_at: datetime, risk: RiskLevel, working_days: int, holidays: Collection[date] = ()
) -> datetime:
    """R6 (NG58 1.6): immediately for self-harm or suicide risk, 24 h for existing concerns, otherwise
    within `working_days` working days. A missed appointment never discharges anyone."""
    if risk is RiskLevel.SELF_HARM_OR_SUICIDE:
        return missed_at
    if risk is RiskLevel.EXISTING_CONCERNS:
        return missed_at + EXISTING_CONCERNS_DEADLINE
    return add_working_days(missed_at, working_days, holidays)


def follow_up_priority(risk: RiskLevel) -> Literal["urgent", "soon", "routine"]:
    """R6: urgent for self-harm or suicide risk; soon for existing concerns; routine otherwise.

    The values are those of `tasks.models.Priority`."""
    if risk is RiskLevel.SELF_HARM_OR_SUICIDE:
        return "urgent"
    if risk is RiskLevel.EXISTING_CONCERNS:
        return "soon"
    return "routine"
