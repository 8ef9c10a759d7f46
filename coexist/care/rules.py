"""Pure rules about episodes of care, the care team and the team leader's figures (R3, R6, R15).
Plain values in, decisions out.

No ORM and no request here: services and selectors gather the facts and these functions decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from coexist.instruments.definitions import SUBSTANCE_SCREEN_CODES
from coexist.organisations.models import Role, ServiceKind

# R3: who may be named care coordinator. Under the Care Programme Approach the coordinator is a
# registered mental health professional who holds the plan together day to day: a care coordinator,
# a ward nurse (for an inpatient episode) or the dual diagnosis lead (NG58: mental health leads
# assessment and care planning). Not the psychiatrist (the responsible clinician sits beside the
# coordinator, not in their place), not a team leader or service manager (they assign, they do not
# hold a caseload), not a peer support worker (lived experience, not a registered professional),
# and never an administrator or researcher (they see no clinical content at all).
COORDINATOR_ROLES: frozenset[str] = frozenset({Role.CARE_COORDINATOR, Role.WARD_NURSE, Role.DUAL_DIAGNOSIS_LEAD})

# Who leads a team and so sees its team leader's list (R3, R13, R15).
LEADER_ROLES: frozenset[str] = frozenset({Role.TEAM_LEADER, Role.DUAL_DIAGNOSIS_LEAD, Role.SERVICE_MANAGER})

# Roles a care team place may be given on a page or through the API. The care coordinator's place is
# made only by naming them on the episode (R3), so the episode and the care team cannot disagree;
# administrators and researchers never join a care team.
CARE_TEAM_ROLES: tuple[str, ...] = tuple(
    role for role in Role.values if role not in {Role.CARE_COORDINATOR, Role.ADMINISTRATOR, Role.RESEARCHER}
)

# Secondary mental health care (QS188 statements 1 and 3): community mental health teams and wards.
SECONDARY_MENTAL_HEALTH_KINDS: frozenset[str] = frozenset(
    {ServiceKind.COMMUNITY_MENTAL_HEALTH, ServiceKind.INPATIENT_WARD}
)

# R15: the validated measures that count as asking about alcohol or drug use are those whose
# definition says `screens_substance_use` (coexist/instruments/definitions/).


def coordinator_refusal(*, roles_in_service: Iterable[str]) -> str | None:
    """R3: may a member of staff with these current roles in the episode's service be its care coordinator?

    Returns None if they may, otherwise the reason they may not, in words for the person assigning."""
    roles = set(roles_in_service)
    if not roles:
        return "They do not work in this service now. The care coordinator must be a member of the service."
    if roles & COORDINATOR_ROLES:
        return None
    return (
        "A care coordinator must be a care coordinator, ward nurse or dual diagnosis lead in this service. "
        "Add other workers to the care team instead."
    )


def needs_named_coordinator(*, service_kind: str) -> bool:
    """R3 (QS188 statement 3): an open episode in secondary mental health care must have a named coordinator."""
    return service_kind in SECONDARY_MENTAL_HEALTH_KINDS


def needs_substance_screen(*, service_kind: str, screened: bool) -> bool:
    """R15 (QS188 statement 1): someone in secondary mental health care is asked about alcohol and drug use."""
    return service_kind in SECONDARY_MENTAL_HEALTH_KINDS and not screened


def is_substance_screen(*, instrument_code: str) -> bool:
    """R15: does a completed measure with this code count as asking about alcohol and drug use?"""
    return instrument_code in SUBSTANCE_SCREEN_CODES


def percentage(part: int, whole: int) -> int | None:
    """A whole-number share for the headline figures; None when there is nothing to count."""
    if whole <= 0:
        return None
    return round(100 * part / whole)


# --- QS188 statement 4: missed appointments followed up, and no discharge for non-attendance (R6) --


@dataclass(frozen=True)
class MissFacts:
    """One missed appointment's follow-up, as plain values: when it was created, due and completed."""

    created_at: datetime
    due_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class FinishFacts:
    """One finished episode: when it finished, and its person's follow-ups (created, completed) at any time."""

    finished_at: datetime
    follow_ups: tuple[tuple[datetime, datetime | None], ...]


@dataclass(frozen=True)
class FollowUpFigure:
    """QS188 statement 4 for one team over one period, with the numbers behind the percentage."""

    period_start: datetime
    period_end: datetime
    missed: int  # missed appointments in the period (follow-ups created)
    decided: int  # denominator: those done, or whose deadline has passed
    followed_up: int  # done at all, on time or late
    on_time: int  # numerator: done by the deadline
    not_yet_due: int  # still open and not yet due: neither on time nor late yet
    discharged_with_open_follow_up: int  # must be 0

    @property
    def on_time_share(self) -> int | None:
        """on_time of decided, as a whole-number percentage; None when nothing is decided yet."""
        return percentage(self.on_time, self.decided)

    @property
    def late(self) -> int:
        return self.followed_up - self.on_time

    @property
    def overdue(self) -> int:
        """Still open and past the due time: counted in the denominator, never in the numerator."""
        return self.decided - self.followed_up


FOLLOW_UP_FIGURE_MONTHS = 12


def twelve_months_before(moment: datetime) -> datetime:
    """The same moment a year earlier (29 February falls back to 28 February)."""
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)


def follow_up_open_at(*, created_at: datetime, completed_at: datetime | None, moment: datetime) -> bool:
    """R6: was a follow-up still open at this moment (created by then and not yet completed)?"""
    return created_at <= moment and (completed_at is None or completed_at > moment)


def qs188_statement_4(
    *,
    misses: Iterable[MissFacts],
    finishes: Iterable[FinishFacts],
    period_start: datetime,
    period_end: datetime,
    now: datetime,
) -> FollowUpFigure:
    """QS188 statement 4 (R6): people who miss appointments are followed up, not discharged.

    Period: `period_start` to `period_end`, both inclusive; the team leader's page uses the last
    12 months up to now. The caller passes the facts for one team: follow-ups of missed
    appointments on the team's episodes, and the team's finished episodes.

    Share followed up on time:
      numerator   = follow-ups created in the period completed at or before their due time
                    (`completed_at <= due_at`);
      denominator = follow-ups created in the period whose outcome is known: completed (on time or
                    late) or past their due time at `now`. One still open and not yet due has neither
                    succeeded nor failed, so it is counted apart (`not_yet_due`), not as a failure.
      An open follow-up past its due time counts against the share, as does a late one.

    Discharges for non-attendance (must be 0): episodes finished in the period while the person had
    a follow-up of a missed appointment still open. No finish reason or code means "did not attend"
    and none ever will (R6: nothing discharges because of non-attendance), so a finish reason cannot
    be counted. What can be counted is the act the rule forbids: finishing an episode while a missed
    appointment is still unresolved. The discharge service refuses that, so any number but 0 means
    the rule was got round (an import, the admin site, a database edit) and the page shows it.
    """
    missed = decided = followed_up = on_time = not_yet_due = 0
    for miss in misses:
        if not period_start <= miss.created_at <= period_end:
            continue
        missed += 1
        if miss.completed_at is not None:
            decided += 1
            followed_up += 1
            on_time += miss.completed_at <= miss.due_at
        elif miss.due_at < now:
            decided += 1
        else:
            not_yet_due += 1
    discharged = sum(
        1
        for finish in finishes
        if period_start <= finish.finished_at <= period_end
        and any(
            follow_up_open_at(created_at=created, completed_at=completed, moment=finish.finished_at)
            for created, completed in finish.follow_ups
        )
    )
    return FollowUpFigure(
        period_start=period_start,
        period_end=period_end,
        missed=missed,
        decided=decided,
        followed_up=followed_up,
        on_time=on_time,
        not_yet_due=not_yet_due,
        discharged_with_open_follow_up=discharged,
    )
