"""R6: how soon a missed appointment must be followed up, as pure rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coexist.assessments.models import RiskKind
from coexist.engagement import rules
from coexist.engagement.rules import (
    ENGLAND_AND_WALES_BANK_HOLIDAYS,
    Attendance,
    RiskLevel,
    follow_up_deadline,
    follow_up_priority,
    is_missed,
    risk_level,
)
from coexist.tasks.models import Priority

LONDON = ZoneInfo("Europe/London")
FRIDAY_10AM = datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)


def test_r6_missed_appointment_with_suicide_risk_is_due_now() -> None:
    due = follow_up_deadline(missed_at=FRIDAY_10AM, risk=RiskLevel.SELF_HARM_OR_SUICIDE, working_days=3)
    assert due == FRIDAY_10AM
    assert follow_up_priority(RiskLevel.SELF_HARM_OR_SUICIDE) == Priority.URGENT


def test_r6_existing_concerns_due_within_24_hours() -> None:
    due = follow_up_deadline(missed_at=FRIDAY_10AM, risk=RiskLevel.EXISTING_CONCERNS, working_days=3)
    assert due == FRIDAY_10AM + timedelta(hours=24)  # Saturday: concerns do not wait for Monday
    assert follow_up_priority(RiskLevel.EXISTING_CONCERNS) == Priority.SOON


def test_r6_routine_miss_due_in_configured_working_days_skipping_weekend() -> None:
    due = follow_up_deadline(missed_at=FRIDAY_10AM, risk=RiskLevel.NONE, working_days=3)
    assert due == datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)  # Mon, Tue, Wed
    assert follow_up_deadline(missed_at=FRIDAY_10AM, risk=RiskLevel.NONE, working_days=1).weekday() == 0
    assert follow_up_priority(RiskLevel.NONE) == Priority.ROUTINE


def test_r6_routine_miss_skips_bank_holidays() -> None:
    maundy_thursday = datetime(2026, 4, 2, 9, 30, tzinfo=LONDON)  # Good Friday 3 Apr, Easter Monday 6 Apr
    due = follow_up_deadline(
        missed_at=maundy_thursday, risk=RiskLevel.NONE, working_days=1, holidays=ENGLAND_AND_WALES_BANK_HOLIDAYS
    )
    assert due == datetime(2026, 4, 7, 9, 30, tzinfo=LONDON)


def test_r6_working_days_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        follow_up_deadline(missed_at=FRIDAY_10AM, risk=RiskLevel.NONE, working_days=0)


def test_r6_risk_level_from_current_flags() -> None:
    assert rules.SELF_HARM_SUICIDE_FLAG == RiskKind.SELF_HARM_SUICIDE
    assert risk_level([RiskKind.OVERDOSE, RiskKind.SELF_HARM_SUICIDE]) is RiskLevel.SELF_HARM_OR_SUICIDE
    assert risk_level([RiskKind.SAFEGUARDING]) is RiskLevel.EXISTING_CONCERNS
    assert risk_level([]) is RiskLevel.NONE


@pytest.mark.parametrize(
    ("outcome", "missed"),
    [
        (Attendance.DID_NOT_ATTEND, True),
        (Attendance.ARRIVED_LATE_NOT_SEEN, True),
        (Attendance.ATTENDED_ON_TIME, False),
        (Attendance.ARRIVED_LATE_SEEN, False),
        (Attendance.CANCELLED_BY_PERSON, False),
        (Attendance.CANCELLED_BY_PROVIDER, False),
    ],
)
def test_r6_which_outcomes_are_missed_appointments(outcome: str, missed: bool) -> None:
    assert is_missed(outcome) is missed
