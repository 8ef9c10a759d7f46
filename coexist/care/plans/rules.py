"""Pure rules about care plans (R4, NG58 1.3 and 1.6): what a complete plan holds, what changed between two
versions, when a save would overwrite someone else's, and when a copy may be shared.

Plain values in, decisions out: no ORM and no request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coexist.care.plans.content import PlanContent
from coexist.people.rules import RecordPart

# Every section of a plan, in the order the pages show them, with the words staff see.
SECTIONS: dict[str, str] = {
    "summary_for_person": "Summary written for the person",
    "person_goals": "The person's own goals, in their words",
    "service_goals": "The service's goals",
    "reconciliation": "How differences between the goals were agreed",
    "strengths": "Strengths and abilities",
    "coping_strategies": "Coping strategies",
    "carers": "Carers and the support they give",
    "services": "Services involved and who to contact",
    "crisis_plan": "Crisis plan",
    "contingency_mental_health": "If mental health gets worse",
    "contingency_physical_health": "If physical health gets worse",
    "contingency_suicide": "If there is a risk of suicide",
    "contingency_overdose": "If there is a risk of overdose",
}

CONTINGENCIES = (
    "contingency_mental_health",
    "contingency_physical_health",
    "contingency_suicide",
    "contingency_overdose",
)


@dataclass(frozen=True)
class Gap:
    """A required part of the plan that is missing, and what to do about it."""

    section: str
    message: str


def section_lines(content: PlanContent, section: str) -> list[str]:
    """A section as lines of plain text, for comparing versions and showing differences side by side."""
    if section == "person_goals":
        return content.person_goals
    if section == "service_goals":
        return content.service_goals
    if section == "carers":
        return [f"{c.name or 'A carer'}: {c.support}" if c.support else (c.name or "A carer") for c in content.carers]
    if section == "services":
        return [", ".join(part for part in (s.service, s.contact_name, s.phone) if part) for s in content.services]
    if section not in SECTIONS:
        raise KeyError(section)
    text = str(getattr(content, section))
    return text.splitlines() if text else []


def plan_gaps(content: PlanContent) -> list[Gap]:
    """R4 (NG58 1.3.3, 1.6.1): what a plan must hold before it is complete.

    The person's own goals; a crisis plan; contingency plans for mental and physical deterioration,
    suicide and overdose; and every service involved with a named contact and a phone number.
    An incomplete plan may still be saved as a draft: the gaps are listed, not enforced.
    """
    gaps: list[Gap] = []
    if not content.person_goals:
        gaps.append(Gap("person_goals", "Add the person's own goals, in their words."))
    if not content.crisis_plan:
        gaps.append(Gap("crisis_plan", "Add a crisis plan: what to do and who to call in a crisis."))
    for section in CONTINGENCIES:
        if not getattr(content, section):
            gaps.append(Gap(section, f"Add a contingency plan: {SECTIONS[section].lower()}."))
    if not content.services:
        gaps.append(Gap("services", "Add every service involved, with a named contact and phone number."))
    else:
        for service in content.services:
            if not (service.contact_name and service.phone):
                gaps.append(Gap("services", f"Add a named contact and phone number for {service.service}."))
    return gaps


def changed_sections(old: PlanContent | None, new: PlanContent) -> list[str]:
    """The sections that differ between two versions, in page order. Against no earlier version,
    every section with something in it counts as changed."""
    if old is None:
        return [section for section in SECTIONS if section_lines(new, section)]
    changed = [section for section in SECTIONS if section_lines(old, section) != section_lines(new, section)]
    # A carer's support can change without its shown text changing only if ids differ: compare those too.
    if "carers" not in changed and [c.carer for c in old.carers] != [c.carer for c in new.carers]:
        changed.append("carers")
    return [section for section in SECTIONS if section in changed]


def version_conflict(loaded_number: int | None, latest_number: int | None) -> bool:
    """DOMAIN.md care plan life cycle: saving over a version you did not load is refused.

    `loaded_number` is the version the editor started from (None: they started a new plan);
    `latest_number` is the newest saved version (None: there is no plan yet). Any difference is a
    conflict: someone else saved while they were editing, and their work must not be overwritten.
    """
    return loaded_number != latest_number


def share_refusal(*, person_name: str, recipient_name: str, consented_parts: Iterable[Iterable[str]]) -> str | None:
    """R4 (NG58 1.3.6): a copy of the plan goes to family, carers or other services only as the person agreed.

    `consented_parts` are the parts of each CURRENT consent the person gave to this recipient.
    Returns why sharing is refused, or None when a current consent includes the care plan.
    """
    if any(RecordPart.CARE_PLAN in parts for parts in consented_parts):
        return None
    return (
        f"{person_name} has not agreed to share their care plan with {recipient_name}. "
        "Record their consent to share the care plan first, if they agree."
    )
