"""R9/R15 rules for inpatient stays, without a database."""

from __future__ import annotations

from datetime import datetime, timedelta

from coexist.inpatient import rules
from coexist.inpatient.rules import LeavePeriod

NOW = datetime(2026, 3, 10, 12, 0)


def test_r9_screen_is_due_24_hours_after_admission() -> None:
    assert rules.screen_due_at(NOW) == NOW + timedelta(hours=24)


def test_r9_only_a_screen_since_admission_counts() -> None:
    assert not rules.screen_done(admitted_at=NOW, screens_completed_at=[NOW - timedelta(days=3)])
    assert rules.screen_done(admitted_at=NOW, screens_completed_at=[NOW - timedelta(days=3), NOW + timedelta(hours=2)])


def test_r9_a_second_current_admission_is_refused() -> None:
    errors = rules.admission_errors(admitted_at=NOW, now=NOW, legal_status="informal", reason="", already_admitted=True)
    assert "already admitted" in errors["person"]


def test_r9_admission_dates_in_the_future_or_long_past_are_refused() -> None:
    future = rules.admission_errors(
        admitted_at=NOW + timedelta(hours=1), now=NOW, legal_status="informal", reason="", already_admitted=False
    )
    past = rules.admission_errors(
        admitted_at=NOW - timedelta(days=31), now=NOW, legal_status="informal", reason="", already_admitted=False
    )
    assert "future" in future["admitted_at"] and "30 days" in past["admitted_at"]


def test_r9_admission_refuses_an_unknown_legal_status_and_bad_text() -> None:
    errors = rules.admission_errors(
        admitted_at=NOW, now=NOW, legal_status="section_99", reason="a\x00b", already_admitted=False
    )
    assert set(errors) == {"legal_status", "reason"}
    long = rules.admission_errors(
        admitted_at=NOW, now=NOW, legal_status="section_3", reason="x" * 10_000, already_admitted=False
    )
    assert "5,000" in long["reason"]


def test_r9_ward_worker_must_come_from_the_drug_and_alcohol_service() -> None:
    assert rules.ward_worker_refusal(roles_in_drug_alcohol_services=["substance_misuse_worker"], is_active=True) is None
    assert rules.ward_worker_refusal(roles_in_drug_alcohol_services=["addictions_consultant"], is_active=True) is None
    assert "drug and alcohol service" in (
        rules.ward_worker_refusal(roles_in_drug_alcohol_services=[], is_active=True) or ""
    )
    assert rules.ward_worker_refusal(roles_in_drug_alcohol_services=["team_leader"], is_active=True)
    assert rules.ward_worker_refusal(roles_in_drug_alcohol_services=["substance_misuse_worker"], is_active=False)


def _leave(start_h: int, end_h: int, returned_h: int | None = None) -> LeavePeriod:
    back = NOW + timedelta(hours=returned_h) if returned_h is not None else None
    return LeavePeriod(NOW + timedelta(hours=start_h), NOW + timedelta(hours=end_h), back)


def test_r9_overlapping_leave_is_refused() -> None:
    errors = rules.leave_errors(
        admitted_at=NOW - timedelta(days=5), kind="escorted", starts_at=NOW + timedelta(hours=3),
        ends_at=NOW + timedelta(hours=8), purpose="", others=[_leave(2, 6)], now=NOW,
    )  # fmt: skip
    assert "overlap" in errors["starts_at"]


def test_r9_leave_after_an_earlier_return_is_allowed() -> None:
    errors = rules.leave_errors(
        admitted_at=NOW - timedelta(days=5), kind="escorted", starts_at=NOW + timedelta(hours=1),
        ends_at=NOW + timedelta(hours=4), purpose="", others=[_leave(-10, 5, returned_h=-6)], now=NOW,
    )  # fmt: skip
    assert errors == {}


def test_r9_no_new_leave_while_the_person_is_still_away() -> None:
    errors = rules.leave_errors(
        admitted_at=NOW - timedelta(days=5), kind="overnight", starts_at=NOW + timedelta(days=2),
        ends_at=NOW + timedelta(days=3), purpose="", others=[_leave(-30, -20)], now=NOW,
    )  # fmt: skip
    assert "Record their return" in errors["starts_at"]


def test_r9_leave_only_during_the_stay_and_within_bounds() -> None:
    before = rules.leave_errors(
        admitted_at=NOW, kind="escorted", starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=1),
        purpose="", others=[], now=NOW,
    )  # fmt: skip
    backwards = rules.leave_errors(
        admitted_at=NOW, kind="nonsense", starts_at=NOW + timedelta(hours=2), ends_at=NOW + timedelta(hours=1),
        purpose="", others=[], now=NOW,
    )  # fmt: skip
    too_long = rules.leave_errors(
        admitted_at=NOW, kind="overnight", starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(days=40),
        purpose="", others=[], now=NOW,
    )  # fmt: skip
    far = rules.leave_errors(
        admitted_at=NOW, kind="overnight", starts_at=NOW + timedelta(days=400), ends_at=NOW + timedelta(days=401),
        purpose="", others=[], now=NOW,
    )  # fmt: skip
    assert "before" in before["starts_at"]
    assert set(backwards) == {"kind", "ends_at"}
    assert "28 days" in too_long["ends_at"]
    assert "60 days" in far["starts_at"]


def test_r9_assessment_must_fall_inside_the_leave() -> None:
    leave = _leave(2, 8)
    assert rules.assessment_refusal(starts_at=NOW + timedelta(hours=3), duration_minutes=60, leave=leave) is None
    assert rules.assessment_refusal(starts_at=NOW + timedelta(hours=1), duration_minutes=60, leave=leave)
    assert rules.assessment_refusal(starts_at=NOW + timedelta(hours=7, minutes=30), duration_minutes=60, leave=leave)


def test_return_cannot_be_before_leave_or_in_the_future_or_twice() -> None:
    start = NOW - timedelta(hours=5)
    assert rules.return_errors(starts_at=start, returned_at=NOW, now=NOW, already_returned=False) == {}
    assert rules.return_errors(starts_at=start, returned_at=start - timedelta(hours=1), now=NOW, already_returned=False)
    assert rules.return_errors(starts_at=start, returned_at=NOW + timedelta(hours=1), now=NOW, already_returned=False)
    assert rules.return_errors(starts_at=start, returned_at=NOW, now=NOW, already_returned=True)


def test_text_error_messages() -> None:
    assert rules.text_error("", label="Reason", required=True) == "Enter reason."
    assert rules.text_error("ok", label="Reason", required=True) is None
