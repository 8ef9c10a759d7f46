"""R10 pure rules: staff transfer dates, contract state, rebooking deadline, reconciliation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from coexist.handover.rules import contract_state, rebook_due, reconcile, staff_transfer_dates


def test_r10_staff_join_the_new_team_the_day_after_the_contract_ends() -> None:
    dates = staff_transfer_dates(contract_ends_on=date(2026, 3, 31), run_on=date(2026, 3, 20))
    assert (dates.old_membership_ends_on, dates.new_membership_starts_on) == (date(2026, 3, 31), date(2026, 4, 1))


def test_r10_run_late_staff_change_on_the_run_day_with_no_gap() -> None:
    dates = staff_transfer_dates(contract_ends_on=date(2026, 3, 31), run_on=date(2026, 4, 10))
    assert (dates.old_membership_ends_on, dates.new_membership_starts_on) == (date(2026, 4, 9), date(2026, 4, 10))


def test_r10_contract_state_in_plain_words() -> None:
    today = date(2026, 3, 1)
    assert contract_state(today=today, ends_on=date(2026, 3, 31), handed_over=False) == "Ends in 30 days"
    assert contract_state(today=today, ends_on=today, handed_over=False) == "Ends today"
    assert (
        contract_state(today=today, ends_on=date(2026, 2, 28), handed_over=False) == "Ended 1 day ago: not handed over"
    )
    assert contract_state(today=today, ends_on=date(2026, 2, 28), handed_over=True) == "Handed over"


def test_r10_rebooking_is_due_the_day_before_the_appointment_or_now() -> None:
    now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert rebook_due(now=now, first_appointment_at=now + timedelta(days=5)) == now + timedelta(days=4)
    assert rebook_due(now=now, first_appointment_at=now + timedelta(hours=3)) == now


def test_r10_reconcile_names_each_difference() -> None:
    assert reconcile(before={"episodes": 3, "tasks": 2}, after={"episodes": 3, "tasks": 2}) == []
    diffs = reconcile(before={"episodes": 3, "tasks": 2}, after={"episodes": 2, "tasks": 2, "groups": 1})
    assert [(d.kind, d.before, d.after) for d in diffs] == [("episodes", 3, 2), ("groups", 0, 1)]
