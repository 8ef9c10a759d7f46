"""Pure rules for groups and drop-in sessions (seed 002, R6, R12).

Plain values in, decisions out; no ORM and no request, so these are tested without a database.

- Seed 002: group programmes stay open to people after they leave the service that runs them.
  Discharge from a ward, or the end of any episode of care, never ends a group enrolment; only
  the person leaving the group (recorded with a reason) does.
- R6 does not apply to groups. Groups are open and optional, so missing a group session is not a
  missed appointment: it creates no follow-up and no task, and it never counts towards loss of
  contact. `missing_a_session_needs_follow_up` states this as a rule so that it is tested.
- R12: a drop-in may count people who came without giving their name; the count is a
  non-negative whole number kept beside the named register.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import TextChoices


class GroupKind(TextChoices):
    """Whether a group is a programme people enrol in, or a drop-in anyone may come to."""

    PROGRAMME = "programme", "Group programme"
    DROP_IN = "drop_in", "Drop-in"


class GroupAttendanceStatus(TextChoices):
    """What the register says about one enrolled person at one session."""

    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    APOLOGIES = "apologies", "Sent apologies"


MAX_EVERY_DAYS = 91
MAX_OCCURRENCES = 52
MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 480
MAX_ANONYMOUS_COUNT = 500
SCHEDULE_WINDOW = timedelta(days=2 * 366)
"""How far either side of now a session may be scheduled (catches mistyped years)."""

FACILITATOR_WINDOW = timedelta(days=28)
"""Decision 0012: a facilitator sees the register of a session starting within this long before or
after today (preparing the register, and recording it late), and no longer."""


def schedule_errors(
    *, first: datetime, every_days: int, occurrences: int, duration_minutes: int, now: datetime
) -> dict[str, str]:
    """Whether a set of sessions can be scheduled. Returns field -> message for what is wrong."""
    errors: dict[str, str] = {}
    if not 1 <= occurrences <= MAX_OCCURRENCES:
        errors["occurrences"] = f"Schedule between 1 and {MAX_OCCURRENCES} sessions at a time."
    if occurrences > 1 and not 1 <= every_days <= MAX_EVERY_DAYS:
        errors["every_days"] = f"Repeat every 1 to {MAX_EVERY_DAYS} days (7 for weekly)."
    if not MIN_DURATION_MINUTES <= duration_minutes <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = (
            f"A session lasts between {MIN_DURATION_MINUTES} and {MAX_DURATION_MINUTES} minutes."
        )
    if abs(first - now) > SCHEDULE_WINDOW:
        errors["first"] = "Enter a first date within two years of today."
    elif "occurrences" not in errors and "every_days" not in errors:
        last = session_starts(first, every_days=every_days, occurrences=occurrences)[-1]
        if last - now > SCHEDULE_WINDOW:
            errors["occurrences"] = "The last session would be more than two years away; schedule fewer."
    return errors


def session_starts(first: datetime, *, every_days: int, occurrences: int) -> list[datetime]:
    """The start of each session in a repeating set, keeping the same clock time.

    `first` should be aware and in local time: days are added to the wall clock, so a weekly 10:00
    group stays at 10:00 across the change to or from British Summer Time."""
    if occurrences < 1:
        raise ValueError("occurrences must be at least 1")
    if occurrences > 1 and every_days < 1:
        raise ValueError("every_days must be at least 1")
    return [first + timedelta(days=every_days * n) for n in range(occurrences)]


def register_errors(*, status: str, starts_at: datetime, cancelled: bool, now: datetime) -> dict[str, str]:
    """Whether one register mark may be recorded. Apologies may be sent before a session; whether
    someone came can only be said once it has started. A cancelled session has no register."""
    if cancelled:
        return {"status": "This session was cancelled, so there is no register to record."}
    if status not in GroupAttendanceStatus.values:
        return {"status": "Choose attended, did not attend or sent apologies."}
    if status != GroupAttendanceStatus.APOLOGIES and starts_at > now:
        return {"status": "This session has not started yet; only apologies can be recorded."}
    return {}


def anonymous_count_errors(*, count: int, starts_at: datetime, cancelled: bool, now: datetime) -> dict[str, str]:
    """R12: how many came without giving their name is a whole number from 0, once the session has started."""
    if cancelled:
        return {"anonymous_count": "This session was cancelled, so nobody can have attended."}
    if count < 0 or count > MAX_ANONYMOUS_COUNT:
        return {"anonymous_count": f"Enter a whole number from 0 to {MAX_ANONYMOUS_COUNT}."}
    if count and starts_at > now:
        return {"anonymous_count": "This session has not started yet, so nobody has attended."}
    return {}


def missing_a_session_needs_follow_up(status: str) -> bool:
    """R6 does not apply to groups: missing a group or drop-in session is never a missed appointment.

    Groups are open and optional (seed 002), so "did not attend" on a register creates no follow-up
    task and never counts towards loss of contact. Always False; a rule so a test can hold it."""
    return False


def in_facilitator_window(*, starts_at: datetime, cancelled: bool, now: datetime) -> bool:
    """Decision 0012: whether a session's facilitators see its group's register today."""
    return not cancelled and abs(starts_at - now) <= FACILITATOR_WINDOW


def session_total(*, named_attended: int, anonymous: int) -> int:
    """Everyone who came: named people marked attended plus those counted without a name (R12)."""
    return named_attended + anonymous
