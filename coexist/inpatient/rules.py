"""Pure rules about inpatient stays (R9, R15; seeds 001 and 002). Plain values in, decisions out.

No ORM and no request here: services and selectors gather the facts and these functions decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from coexist.inpatient.models import LeaveKind, LegalStatus
from coexist.organisations.models import Role

# R9 and R15 (QS188 statement 1): everyone admitted is asked about alcohol and drugs within 24 hours.
SCREEN_WITHIN = timedelta(hours=24)
SCREEN_TASK_TITLE = "Ask about alcohol and drugs: substance screen within 24 hours of admission"

# An admission is recorded when it happens, or late (after a weekend, a missed entry) within 30 days.
ADMISSION_RECORDED_WITHIN = timedelta(days=30)
# A clock a few minutes ahead of the server's is not a mistake worth refusing.
CLOCK_SLACK = timedelta(minutes=5)

# R9: the ward substance misuse worker comes from the drug and alcohol provider, in one of these roles.
WARD_WORKER_ROLES: frozenset[str] = frozenset({Role.SUBSTANCE_MISUSE_WORKER, Role.ADDICTIONS_CONSULTANT})

# Leave is planned ahead by days or weeks, not months; one period lasts at most four weeks (a longer
# trial of living at home is recorded as several periods, each reviewed).
LEAVE_PLANNED_WITHIN = timedelta(days=60)
LEAVE_LONGEST = timedelta(days=28)

MAX_TEXT = 5000


def text_error(value: str, *, label: str, required: bool, max_length: int = MAX_TEXT) -> str | None:
    """Plain-English message for free text that is blank when it must not be, too long, or holds a NUL."""
    if "\x00" in value:
        return f"{label} contains a character that cannot be saved. Remove it and try again."
    if required and not value.strip():
        return f"Enter {label.lower()}."
    if len(value) > max_length:
        return f"{label} must be {max_length:,} characters or fewer."
    return None


def screen_due_at(admitted_at: datetime) -> datetime:
    """R9/R15: the substance screen is due 24 hours after admission."""
    return admitted_at + SCREEN_WITHIN


def screen_done(*, admitted_at: datetime, screens_completed_at: Iterable[datetime]) -> bool:
    """R9/R15: was a substance screen (AUDIT, DUDIT, TOP, ...) completed since admission?"""
    return any(at >= admitted_at for at in screens_completed_at)


def admission_errors(
    *, admitted_at: datetime, now: datetime, legal_status: str, reason: str, already_admitted: bool
) -> dict[str, str]:
    """R9: what is wrong with an admission, by field. Empty when it may be recorded."""
    errors: dict[str, str] = {}
    if already_admitted:
        errors["person"] = (
            "This person is already admitted to a ward. Discharge them from that stay before admitting them again."
        )
    if admitted_at > now + CLOCK_SLACK:
        errors["admitted_at"] = "The admission date and time cannot be in the future."
    elif admitted_at < now - ADMISSION_RECORDED_WITHIN:
        errors["admitted_at"] = "Record an admission within 30 days of it happening."
    if legal_status not in LegalStatus.values:
        errors["legal_status"] = "Choose the person's legal status: informal, or the section they are detained under."
    problem = text_error(reason, label="Reason for admission", required=False)
    if problem:
        errors["reason"] = problem
    return errors


def ward_worker_refusal(*, roles_in_drug_alcohol_services: Iterable[str], is_active: bool) -> str | None:
    """R9: may this worker be the ward's substance misuse worker? None if so, else why not.

    They must work now for a drug and alcohol service as a substance misuse worker or addictions
    consultant (seeds 001, 002: the commissioned provider's workers join the ward team)."""
    if not is_active:
        return "Their account is not active."
    roles = set(roles_in_drug_alcohol_services)
    if roles & WARD_WORKER_ROLES:
        return None
    if roles:
        return (
            "The ward substance misuse worker must be a substance misuse worker or addictions consultant "
            "in the drug and alcohol service."
        )
    return "The ward substance misuse worker must work for a drug and alcohol service now. Choose someone who does."


@dataclass(frozen=True)
class LeavePeriod:
    """A period of leave as plain values: when it starts, when the person is due back, when they came back."""

    starts_at: datetime
    ends_at: datetime
    returned_at: datetime | None = None

    def effective_end(self, now: datetime) -> datetime:
        """When the person is off the ward until: their return, or while they have not returned the later of
        the due-back time and now (someone overdue back is still away)."""
        if self.returned_at is not None:
            return self.returned_at
        return max(self.ends_at, now)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open periods [start, end) overlap."""
    return a_start < b_end and b_start < a_end


def leave_errors(
    *,
    admitted_at: datetime,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    others: Sequence[LeavePeriod],
    now: datetime,
) -> dict[str, str]:
    """R9: what is wrong with a leave period, by field. Leave is only during the stay, never overlapping
    another period, and a person still away on leave must be recorded as back before the next one."""
    errors: dict[str, str] = {}
    if kind not in LeaveKind.values:
        errors["kind"] = "Choose the kind of leave."
    problem = text_error(purpose, label="Purpose", required=False)
    if problem:
        errors["purpose"] = problem
    if starts_at < admitted_at:
        errors["starts_at"] = "Leave cannot start before the person was admitted."
    elif starts_at > now + LEAVE_PLANNED_WITHIN:
        errors["starts_at"] = "Record leave that starts within the next 60 days."
    if ends_at <= starts_at:
        errors["ends_at"] = "The time the person is due back must be after the leave starts."
    elif ends_at - starts_at > LEAVE_LONGEST:
        errors["ends_at"] = "One period of leave lasts at most 28 days. Record a longer absence as separate periods."
    if errors:
        return errors
    for other in others:
        if other.returned_at is None and other.starts_at <= now and other.starts_at < starts_at:
            errors["starts_at"] = (
                "The person has not been recorded as back from their current leave. Record their return first."
            )
            break
        if overlaps(starts_at, ends_at, other.starts_at, other.effective_end(now)):
            errors["starts_at"] = (
                f"This overlaps leave from {other.starts_at:%d %B %Y %H:%M}. Leave periods cannot overlap."
            )
            break
    return errors


def return_errors(
    *, starts_at: datetime, returned_at: datetime, now: datetime, already_returned: bool
) -> dict[str, str]:
    """The person came back to the ward: after the leave started and not in the future."""
    if already_returned:
        return {"returned_at": "The person's return from this leave is already recorded."}
    if returned_at > now + CLOCK_SLACK:
        return {"returned_at": "The time the person came back cannot be in the future."}
    if returned_at < starts_at:
        return {"returned_at": "The person cannot come back before their leave started."}
    return {}


def on_leave(leave: LeavePeriod, *, now: datetime) -> bool:
    """Is the person away on this leave now? (Started, and not yet recorded as back.)"""
    return leave.starts_at <= now and leave.returned_at is None


def assessment_refusal(*, starts_at: datetime, duration_minutes: int, leave: LeavePeriod) -> str | None:
    """R9 (seed 002): the community drug and alcohol service assesses the person during their leave, so the
    appointment must fit inside the leave window. None if it does."""
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    last_back = leave.returned_at or leave.ends_at
    if starts_at < leave.starts_at or ends_at > last_back:
        return (
            f"Book the assessment inside the leave: between {leave.starts_at:%d %B %Y %H:%M} "
            f"and {last_back:%d %B %Y %H:%M}."
        )
    return None


def days_since(start: datetime, now: datetime) -> int:
    """Whole days since a moment (0 on the day itself)."""
    return max(0, (now - start).days)
