"""Pure rules for appointments and missed-appointment follow-up (R4, R6).

Plain values in, decisions out; no ORM and no request, so these are tested without a database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
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


def follow_up_reason(risk: RiskLevel, *, working_days: int) -> str:
    """R6: why the follow-up is due when it is, in the words the task shows."""
    if risk is RiskLevel.SELF_HARM_OR_SUICIDE:
        return "current self-harm or suicide risk: follow up now"
    if risk is RiskLevel.EXISTING_CONCERNS:
        return "existing risk concerns: follow up within 24 hours"
    return f"follow up within {working_days} working days"


def follow_up_priority(risk: RiskLevel) -> Literal["urgent", "soon", "routine"]:
    """R6: urgent for self-harm or suicide risk; soon for existing concerns; routine otherwise.

    The values are those of `tasks.models.Priority`."""
    if risk is RiskLevel.SELF_HARM_OR_SUICIDE:
        return "urgent"
    if risk is RiskLevel.EXISTING_CONCERNS:
        return "soon"
    return "routine"


def working_days_for(service_setting: int | None, default: int) -> int:
    """R6: the service's own number of working days for a routine follow-up, else the default setting."""
    days = default if service_setting is None else service_setting
    if days < 1:
        raise ValueError("working days must be at least 1")
    return days


# --- Repeating appointments ----------------------------------------------------------------------

SERIES_MAX_OCCURRENCES = 52
SERIES_MAX_EVERY_DAYS = 91


def series_starts(first: datetime, *, every_days: int, occurrences: int) -> list[datetime]:
    """The start of each appointment in a repeating series, keeping the same clock time.

    `first` must be aware and in local time: days are added to the wall clock, so a weekly 10:00
    appointment stays at 10:00 across the change to or from British Summer Time."""
    if not 1 <= every_days <= SERIES_MAX_EVERY_DAYS:
        raise ValueError(f"every_days must be between 1 and {SERIES_MAX_EVERY_DAYS}")
    if not 2 <= occurrences <= SERIES_MAX_OCCURRENCES:
        raise ValueError(f"occurrences must be between 2 and {SERIES_MAX_OCCURRENCES}")
    if first.tzinfo is None:
        raise ValueError("first must be an aware datetime")
    # Python adds a timedelta to the wall clock of an aware datetime and zoneinfo works out the
    # offset afresh, which is exactly "same time next week" (fold=0 in the repeated autumn hour).
    return [first + timedelta(days=every_days * n) for n in range(occurrences)]


# --- R6 escalation -------------------------------------------------------------------------------
#
# A follow-up not done by its deadline goes to the team leader (ARCHITECTURE: "sweeps only
# escalate"). With a current self-harm or suicide flag the follow-up is due at once, so the
# coordinator gets an hour to act before the leader is told; otherwise the leader is told as soon
# as the deadline passes. The duty stays with the coordinator: escalation adds an owner, never moves it.

ESCALATION_GRACE: dict[RiskLevel, timedelta] = {
    RiskLevel.SELF_HARM_OR_SUICIDE: timedelta(hours=1),
    RiskLevel.EXISTING_CONCERNS: timedelta(0),
    RiskLevel.NONE: timedelta(0),
}


def escalation_due_at(*, due_at: datetime, risk: RiskLevel) -> datetime:
    """R6: when an open follow-up is escalated to the team leader."""
    return due_at + ESCALATION_GRACE[risk]


def needs_escalation(*, due_at: datetime, risk: RiskLevel, now: datetime, completed: bool, escalated: bool) -> bool:
    """R6: an open follow-up past its escalation time that has not been escalated yet."""
    return not completed and not escalated and now >= escalation_due_at(due_at=due_at, risk=risk)


# --- R6 loss of contact ------------------------------------------------------------------------
#
# "Repeated non-attendance or failed follow-up marks the person loss of contact" (R6). The thresholds:
#
# - two missed appointments in a row (`LOSS_OF_CONTACT_MISSED_IN_A_ROW`): one miss is common and is
#   what a follow-up is for; a second before the person is seen or reached is a pattern. Counted back
#   to the last time the person was seen or reached, so contact regained starts the count again.
#   Cancellations (by the person or the service) neither count nor break the run: nobody was seen.
# - one failed follow-up (`LOSS_OF_CONTACT_FAILED_FOLLOW_UPS`): a follow-up past its deadline with at
#   least one attempt and none reaching the person ("left a message" is not reaching them). With a
#   current self-harm or suicide flag the follow-up is due at once, so the first unanswered attempt
#   marks loss of contact. A follow-up overdue with no attempt at all is the service's failure, not
#   the person's: that is escalated to the team leader, not called loss of contact.

LOSS_OF_CONTACT_MISSED_IN_A_ROW = 2
LOSS_OF_CONTACT_FAILED_FOLLOW_UPS = 1


def loss_of_contact(
    *,
    consecutive_missed: int,
    failed_follow_ups: int,
    threshold_missed: int = LOSS_OF_CONTACT_MISSED_IN_A_ROW,
    threshold_failed: int = LOSS_OF_CONTACT_FAILED_FOLLOW_UPS,
) -> bool:
    """R6: has the service lost contact with the person? Never a reason to discharge them."""
    if threshold_missed < 1 or threshold_failed < 1:
        raise ValueError("loss of contact thresholds must be at least 1")
    return consecutive_missed >= threshold_missed or failed_follow_ups >= threshold_failed


def consecutive_missed(outcomes_newest_first: Iterable[str]) -> int:
    """R6: missed appointments in a row, newest first, back to the last one at which the person was seen.

    Cancellations and appointments with no outcome yet are passed over: nobody was seen or missed."""
    count = 0
    for outcome in outcomes_newest_first:
        if outcome in SEEN_OUTCOMES:
            break
        if outcome in MISSED_OUTCOMES:
            count += 1
    return count


def follow_up_failed(*, due_at: datetime, now: datetime, attempts: int, reached: bool) -> bool:
    """R6: a follow-up past its deadline whose every attempt so far failed to reach the person."""
    return not reached and attempts > 0 and now > due_at


# --- R6 discharge --------------------------------------------------------------------------------


class DischargeReason(TextChoices):
    """Why an episode of care finished. Deliberately no "did not attend" or "disengaged": not attending
    is never a reason for discharge (R6, QS188 statement 4). The coded list is the control; free text
    is not searched for words about attendance."""

    GOALS_MET = "goals_met", "Goals in the care plan met"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    TRANSFERRED = "transferred", "Care transferred to another service"
    PERSON_CHOSE_TO_LEAVE = "person_chose_to_leave", "The person chose to leave the service"
    DIED = "died", "Died"


@dataclass(frozen=True)
class OpenFollowUp:
    """A missed appointment still being followed up: when it was, and when the follow-up is due."""

    appointment_at: datetime
    due_at: datetime


def discharge_refused(*, reason: str, open_follow_ups: Sequence[OpenFollowUp]) -> dict[str, list[str]]:
    """R6: why a discharge may not go ahead, by field; empty when it may.

    Times are shown as given, so pass them in local time."""
    errors: dict[str, list[str]] = {}
    if reason not in DischargeReason.values:
        errors["reason"] = [
            "Choose a discharge reason from the list. Not attending is never a reason for discharge (R6)."
        ]
    if open_follow_ups:
        errors["open_follow_ups"] = [
            "This episode cannot finish while a missed appointment is still being followed up (R6). "
            "Reach the person and record it on each follow-up first."
        ] + [
            f"Missed appointment on {f.appointment_at:%d %b %Y %H:%M}: follow-up due {f.due_at:%d %b %Y %H:%M}, "
            "still open."
            for f in open_follow_ups
        ]
    return errors
