"""Pure rules about episodes of care and the care team (R3, R15). Plain values in, decisions out.

No ORM and no request here: services and selectors gather the facts and these functions decide.
"""

from __future__ import annotations

from collections.abc import Iterable

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
