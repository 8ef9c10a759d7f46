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


# --- R6 loss of contact -------------------------------------------------------------------------


def test_r6_two_missed_appointments_in_a_row_are_loss_of_contact() -> None:
    assert not rules.loss_of_contact(consecutive_missed=1, failed_follow_ups=0)
    assert rules.loss_of_contact(consecutive_missed=2, failed_follow_ups=0)
    assert not rules.loss_of_contact(consecutive_missed=2, failed_follow_ups=0, threshold_missed=3)


def test_r6_one_failed_follow_up_is_loss_of_contact() -> None:
    assert rules.loss_of_contact(consecutive_missed=1, failed_follow_ups=1)
    assert not rules.loss_of_contact(consecutive_missed=0, failed_follow_ups=1, threshold_failed=2)


def test_r6_thresholds_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        rules.loss_of_contact(consecutive_missed=0, failed_follow_ups=0, threshold_missed=0)


def test_r6_consecutive_missed_counts_back_to_the_last_time_the_person_was_seen() -> None:
    newest_first = [
        Attendance.DID_NOT_ATTEND,
        Attendance.CANCELLED_BY_PROVIDER,  # the service's failure: neither breaks nor extends the run
        Attendance.CANCELLED_BY_PERSON,  # rebooked: not a miss, not a contact
        Attendance.ARRIVED_LATE_NOT_SEEN,
        Attendance.ATTENDED_ON_TIME,
        Attendance.DID_NOT_ATTEND,
    ]
    assert rules.consecutive_missed(newest_first) == 2
    assert rules.consecutive_missed([Attendance.ARRIVED_LATE_SEEN, Attendance.DID_NOT_ATTEND]) == 0
    assert rules.consecutive_missed([]) == 0


def test_r6_a_follow_up_fails_when_overdue_with_every_attempt_unanswered() -> None:
    due = FRIDAY_10AM
    later = due + timedelta(hours=1)
    assert rules.follow_up_failed(due_at=due, now=later, attempts=2, reached=False)
    assert not rules.follow_up_failed(due_at=due, now=due - timedelta(minutes=1), attempts=2, reached=False)
    assert not rules.follow_up_failed(due_at=due, now=later, attempts=0, reached=False)  # overdue: escalation
    assert not rules.follow_up_failed(due_at=due, now=later, attempts=3, reached=True)


# --- R6 discharge ----------------------------------------------------------------------------------


def test_r6_non_attendance_is_not_a_discharge_reason_code() -> None:
    assert not any("attend" in value for value in rules.DischargeReason.values)
    refusal = rules.discharge_refused(reason="did_not_attend", open_follow_ups=[])
    assert "reason" in refusal and "not attending" in refusal["reason"][0].lower()
    assert rules.discharge_refused(reason=rules.DischargeReason.GOALS_MET, open_follow_ups=[]) == {}


def test_r6_discharge_refused_names_each_open_follow_up() -> None:
    follow_up = rules.OpenFollowUp(appointment_at=FRIDAY_10AM, due_at=FRIDAY_10AM + timedelta(hours=24))
    refusal = rules.discharge_refused(reason=rules.DischargeReason.MOVED_AWAY, open_follow_ups=[follow_up])
    assert list(refusal) == ["open_follow_ups"]
    assert any("20 Nov 2026 10:00" in line and "21 Nov 2026 10:00" in line for line in refusal["open_follow_ups"])


# --- repeating appointments, per-service working days, R6 escalation ------------------------------

from zoneinfo import ZoneInfo as _ZoneInfo  # noqa: E402

from coexist.engagement.rules import (  # noqa: E402
    ESCALATION_GRACE,
    escalation_due_at,
    needs_escalation,
    series_starts,
    working_days_for,
)

_LONDON = _ZoneInfo("Europe/London")


def test_series_keeps_the_clock_time_across_the_end_of_british_summer_time() -> None:
    first = datetime(2026, 10, 19, 10, 0, tzinfo=_LONDON)  # BST; clocks go back on 25 October
    starts = series_starts(first, every_days=7, occurrences=3)
    assert [(s.date().isoformat(), s.hour, s.minute) for s in starts] == [
        ("2026-10-19", 10, 0), ("2026-10-26", 10, 0), ("2026-11-02", 10, 0),
    ]  # fmt: skip
    utc = _ZoneInfo("UTC")
    assert starts[1].astimezone(utc) - starts[0].astimezone(utc) == timedelta(days=7, hours=1)  # real time


@pytest.mark.parametrize(("every_days", "occurrences"), [(0, 3), (92, 3), (7, 1), (7, 53)])
def test_series_refuses_sizes_outside_the_limits(every_days: int, occurrences: int) -> None:
    with pytest.raises(ValueError, match="must be between"):
        series_starts(datetime(2026, 11, 2, 10, tzinfo=_LONDON), every_days=every_days, occurrences=occurrences)


def test_r6_working_days_come_from_the_service_when_it_sets_them() -> None:
    assert working_days_for(None, 3) == 3
    assert working_days_for(5, 3) == 5
    with pytest.raises(ValueError, match="at least 1"):
        working_days_for(0, 3)


def test_r6_escalation_grace_is_an_hour_for_suicide_risk_and_none_otherwise() -> None:
    due = datetime(2026, 11, 20, 10, 0, tzinfo=_LONDON)
    assert escalation_due_at(due_at=due, risk=RiskLevel.SELF_HARM_OR_SUICIDE) == due + timedelta(hours=1)
    assert escalation_due_at(due_at=due, risk=RiskLevel.EXISTING_CONCERNS) == due
    assert set(ESCALATION_GRACE) == set(RiskLevel)


@pytest.mark.parametrize(
    ("minutes_after", "completed", "escalated", "expected"),
    [(59, False, False, False), (60, False, False, True), (120, True, False, False), (120, False, True, False)],
)
def test_r6_needs_escalation_only_when_open_overdue_and_not_yet_escalated(
    minutes_after: int, completed: bool, escalated: bool, expected: bool
) -> None:
    due = datetime(2026, 11, 20, 10, 0, tzinfo=_LONDON)
    assert (
        needs_escalation(
            due_at=due,
            risk=RiskLevel.SELF_HARM_OR_SUICIDE,
            now=due + timedelta(minutes=minutes_after),
            completed=completed,
            escalated=escalated,
        )
        is expected
    )
