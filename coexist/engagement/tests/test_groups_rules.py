"""Pure rules for groups (seed 002, R6, R12) and the facilitator relationship (decision 0012)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from coexist.engagement.groups import rules
from coexist.engagement.groups.rules import GroupAttendanceStatus
from coexist.people.rules import SHAREABLE_PARTS, AccessFacts, Action, RecordPart, decide_access

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=LONDON)


def test_weekly_set_keeps_the_clock_time_across_summer_time() -> None:
    starts = rules.session_starts(datetime(2026, 3, 24, 10, 0, tzinfo=LONDON), every_days=7, occurrences=3)
    assert [s.hour for s in starts] == [10, 10, 10]
    assert starts[1].utcoffset() != starts[0].utcoffset()


def test_a_single_session_needs_no_repeat() -> None:
    assert rules.schedule_errors(first=NOW, every_days=0, occurrences=1, duration_minutes=60, now=NOW) == {}


def test_schedule_refuses_silly_ranges() -> None:
    errors = rules.schedule_errors(
        first=NOW + timedelta(days=900), every_days=0, occurrences=60, duration_minutes=5, now=NOW
    )
    assert set(errors) == {"first", "every_days", "occurrences", "duration_minutes"}


def test_schedule_refuses_a_set_running_past_two_years() -> None:
    errors = rules.schedule_errors(
        first=NOW + timedelta(days=600), every_days=91, occurrences=52, duration_minutes=60, now=NOW
    )
    assert "occurrences" in errors


def test_apologies_may_be_sent_before_a_session_but_attendance_waits_for_it() -> None:
    later = NOW + timedelta(days=1)
    assert (
        rules.register_errors(status=GroupAttendanceStatus.APOLOGIES, starts_at=later, cancelled=False, now=NOW) == {}
    )
    assert rules.register_errors(status=GroupAttendanceStatus.ATTENDED, starts_at=later, cancelled=False, now=NOW)


def test_a_cancelled_session_has_no_register() -> None:
    assert rules.register_errors(status="attended", starts_at=NOW, cancelled=True, now=NOW)


@given(count=st.integers(min_value=-1000, max_value=1000))
def test_r12_anonymous_count_is_a_whole_number_from_zero(count: int) -> None:
    errors = rules.anonymous_count_errors(count=count, starts_at=NOW - timedelta(hours=1), cancelled=False, now=NOW)
    assert (errors == {}) == (0 <= count <= rules.MAX_ANONYMOUS_COUNT)


def test_r12_session_total_adds_named_and_anonymous() -> None:
    assert rules.session_total(named_attended=4, anonymous=3) == 7


@given(status=st.sampled_from(GroupAttendanceStatus.values))
def test_r6_missing_a_group_session_is_never_a_missed_appointment(status: str) -> None:
    assert rules.missing_a_session_needs_follow_up(status) is False


FACILITATOR = AccessFacts(
    has_clinical_role=True, in_care_team=False, referred_to=(), consented_parts=None, facilitated_groups=("Recovery",)
)


def test_0012_facilitator_reads_identity_and_changes_only_group_attendance() -> None:
    assert decide_access(facts=FACILITATOR, action=Action.READ, part=RecordPart.IDENTITY).allowed
    assert decide_access(facts=FACILITATOR, action=Action.READ, part=RecordPart.GROUPS).allowed
    assert decide_access(facts=FACILITATOR, action=Action.WRITE, part=RecordPart.GROUPS).allowed
    assert not decide_access(facts=FACILITATOR, action=Action.WRITE, part=RecordPart.IDENTITY).allowed
    for part in RecordPart.values:
        if part not in (RecordPart.IDENTITY, RecordPart.GROUPS):
            for action in Action:
                assert not decide_access(facts=FACILITATOR, action=action, part=part).allowed, part


def test_0012_facilitator_basis_names_the_group() -> None:
    assert (
        decide_access(facts=FACILITATOR, action=Action.READ, part=RecordPart.GROUPS).basis == "facilitator of Recovery"
    )


def test_0012_facilitator_with_consent_still_reads_the_consented_parts() -> None:
    both = AccessFacts(
        has_clinical_role=True,
        in_care_team=False,
        referred_to=(),
        consented_parts=frozenset({"care_plan"}),
        facilitated_groups=("Recovery",),
    )
    assert decide_access(facts=both, action=Action.READ, part=RecordPart.CARE_PLAN).allowed
    assert decide_access(facts=both, action=Action.WRITE, part=RecordPart.GROUPS).allowed
    assert not decide_access(facts=both, action=Action.READ, part=RecordPart.RISK).allowed


def test_0012_non_clinical_facilitator_sees_nothing() -> None:
    admin = AccessFacts(
        has_clinical_role=False, in_care_team=False, referred_to=(), consented_parts=None, facilitated_groups=("R",)
    )
    assert not decide_access(facts=admin, action=Action.READ, part=RecordPart.IDENTITY).allowed


def test_care_team_reads_and_changes_group_attendance() -> None:
    team = AccessFacts(has_clinical_role=True, in_care_team=True, referred_to=(), consented_parts=None)
    assert decide_access(facts=team, action=Action.WRITE, part=RecordPart.GROUPS).allowed


def test_group_attendance_is_not_shareable_by_consent() -> None:
    assert RecordPart.GROUPS not in SHAREABLE_PARTS
    consent = AccessFacts(
        has_clinical_role=True, in_care_team=False, referred_to=(), consented_parts=frozenset(SHAREABLE_PARTS)
    )
    assert not decide_access(facts=consent, action=Action.READ, part=RecordPart.GROUPS).allowed


def test_facilitator_window_is_four_weeks_either_side() -> None:
    assert rules.in_facilitator_window(starts_at=NOW + timedelta(days=27), cancelled=False, now=NOW)
    assert not rules.in_facilitator_window(starts_at=NOW - timedelta(days=29), cancelled=False, now=NOW)
    assert not rules.in_facilitator_window(starts_at=NOW, cancelled=True, now=NOW)
