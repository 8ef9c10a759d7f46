"""Pure rules for continuity of provider (R10): what a handover moves, when staff change employer,
how soon a rebooking or a fresh consent is due, and whether the counts before and after agree.

No ORM here: the services gather the facts and these functions decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class MoveKind(StrEnum):
    """What one HandoverMove row records (R10: "every episode, plan, task and document, with an audit trail")."""

    EPISODE = "episode"
    REFERRAL = "referral"
    TASK = "task"
    APPOINTMENT = "appointment"
    APPOINTMENT_REBOOK = "appointment_rebook"
    CARE_TEAM_ENDED = "care_team_ended"
    OPIATE_SUBSTITUTION = "opiate_substitution"
    PRESCRIBING_HANDOVER = "prescribing_handover"
    GROUP = "group"
    FACILITATOR_REMOVED = "facilitator_removed"
    TRANSFER = "transfer"
    STAFF = "staff"


MOVE_LABELS: Mapping[str, str] = {
    MoveKind.EPISODE: "Open episodes of care",
    MoveKind.REFERRAL: "Open referrals",
    MoveKind.TASK: "Open tasks",
    MoveKind.APPOINTMENT: "Future appointments moved with their worker",
    MoveKind.APPOINTMENT_REBOOK: "Future appointments flagged for rebooking",
    MoveKind.CARE_TEAM_ENDED: "Care team places ended (worker not transferring)",
    MoveKind.OPIATE_SUBSTITUTION: "Current opiate substitution courses (prescribing service)",
    MoveKind.PRESCRIBING_HANDOVER: "Prescribing handovers waiting for an answer",
    MoveKind.GROUP: "Groups and drop-ins",
    MoveKind.FACILITATOR_REMOVED: "Future group sessions losing a facilitator who does not transfer",
    MoveKind.TRANSFER: "Transfers waiting for the old service to accept",
    MoveKind.STAFF: "Staff transferring to the new provider",
}


class CountKind(StrEnum):
    """What the reconciliation counts before and after the move. Each must be equal (R10: nothing lost)."""

    PEOPLE = "people"
    EPISODES = "episodes"
    EPISODE_HISTORY = "episode_history"
    REFERRALS = "referrals"
    CLOSED_REFERRALS = "closed_referrals"
    TASKS = "tasks"
    APPOINTMENTS = "appointments"
    CARE_TEAM = "care_team"
    CARE_PLANS = "care_plans"
    CARE_PLAN_VERSIONS = "care_plan_versions"
    CARE_PLAN_SHARES = "care_plan_shares"
    CONSENTS = "consents"
    OPIATE_SUBSTITUTIONS = "opiate_substitutions"
    PRESCRIBING_HANDOVERS = "prescribing_handovers"
    GROUPS = "groups"
    GROUP_ENROLMENTS = "group_enrolments"
    TRANSFERS = "transfers"
    STAFF = "staff"


COUNT_LABELS: Mapping[str, str] = {
    CountKind.PEOPLE: "People with an open episode",
    CountKind.EPISODES: "Open episodes of care",
    CountKind.EPISODE_HISTORY: "Episodes of care of these people, open and finished (history)",
    CountKind.REFERRALS: "Open referrals",
    CountKind.CLOSED_REFERRALS: "Closed referrals to the old service (history, stays)",
    CountKind.TASKS: "Open tasks",
    CountKind.APPOINTMENTS: "Future booked appointments (moved or flagged for rebooking)",
    CountKind.CARE_TEAM: "Care team places of workers who do not transfer (ended, not deleted)",
    CountKind.CARE_PLANS: "Care plans",
    CountKind.CARE_PLAN_VERSIONS: "Care plan versions",
    CountKind.CARE_PLAN_SHARES: "Care plan copies shared (documents)",
    CountKind.CONSENTS: "Consents to share (none changed)",
    CountKind.OPIATE_SUBSTITUTIONS: "Current opiate substitution courses",
    CountKind.PRESCRIBING_HANDOVERS: "Prescribing handovers waiting for an answer",
    CountKind.GROUPS: "Groups and drop-ins",
    CountKind.GROUP_ENROLMENTS: "Current group enrolments",
    CountKind.TRANSFERS: "Transfers waiting for acceptance",
    CountKind.STAFF: "Team memberships of transferring staff",
}


@dataclass(frozen=True)
class StaffDates:
    """TUPE: the last day in the old provider's team and the first day in the new provider's."""

    old_membership_ends_on: date
    new_membership_starts_on: date


def staff_transfer_dates(*, contract_ends_on: date, run_on: date) -> StaffDates:
    """R10: transferring staff leave the old team on the day the contract ends and join the new team
    the next day. Run late (after the contract ended), they leave the day before the run and join on
    the run day, so there is neither a gap nor an overlap in who is responsible."""
    starts = max(contract_ends_on + timedelta(days=1), run_on)
    return StaffDates(old_membership_ends_on=starts - timedelta(days=1), new_membership_starts_on=starts)


def days_until(*, today: date, ends_on: date) -> int:
    """Days from today until the contract's last day (negative once it has ended)."""
    return (ends_on - today).days


def contract_state(*, today: date, ends_on: date, handed_over: bool) -> str:
    """Plain words for the contracts list."""
    if handed_over:
        return "Handed over"
    days = days_until(today=today, ends_on=ends_on)
    if days < 0:
        return f"Ended {-days} day{'s' if days != -1 else ''} ago: not handed over"
    if days == 0:
        return "Ends today"
    return f"Ends in {days} day{'s' if days != 1 else ''}"


def rebook_due(*, now: datetime, first_appointment_at: datetime) -> datetime:
    """R10, R6 spirit: a flagged appointment is rebooked with a worker of the new provider the day before it
    was due at the latest, and never later than now if it is that close."""
    return max(now, first_appointment_at - timedelta(days=1))


# R10: the person agreed to share with the old organisation, not its successor; ask within two weeks.
ASK_CONSENT_WITHIN = timedelta(days=14)


def ask_consent_due(*, now: datetime) -> datetime:
    return now + ASK_CONSENT_WITHIN


@dataclass(frozen=True)
class Difference:
    kind: str
    before: int
    after: int


def reconcile(*, before: Mapping[str, int], after: Mapping[str, int]) -> list[Difference]:
    """R10: every count before the move equals the count after it. Returns the kinds that differ (none
    when reconciled); a kind present on one side only counts as zero on the other."""
    kinds = sorted(set(before) | set(after))
    return [
        Difference(kind=k, before=before.get(k, 0), after=after.get(k, 0))
        for k in kinds
        if before.get(k, 0) != after.get(k, 0)
    ]
