"""Pure rules for the joint comprehensive assessment (R2) and risk flags (R13).

Plain values in, decisions out; no ORM and no request, so these are tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import TextChoices

from coexist.people.rules import RecordPart


class Domain(TextChoices):
    """The domains of a joint comprehensive assessment (NG58 first contact and comprehensive assessment)."""

    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Alcohol and drug use"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    HOUSING = "housing", "Housing"
    BENEFITS_MONEY = "benefits_money", "Benefits and money"
    SOCIAL_ISOLATION = "social_isolation", "Social isolation"
    SAFEGUARDING_PERSON = "safeguarding_person", "Safeguarding of the person"
    SAFEGUARDING_CARERS = "safeguarding_carers", "Safeguarding of carers"
    SAFEGUARDING_CHILDREN = "safeguarding_children", "Safeguarding of children"
    STRENGTHS = "strengths", "Strengths"
    RISKS = "risks", "Risks"


class Need(TextChoices):
    """Whether the domain shows a need, and how soon it must be met (R2)."""

    NONE = "none", "No need identified"
    ROUTINE = "routine", "Routine need"
    URGENT = "urgent", "Urgent need"


class Substance(TextChoices):
    ALCOHOL = "alcohol", "Alcohol"
    OPIOIDS = "opioids", "Opioids or heroin"
    CRACK = "crack", "Crack cocaine"
    COCAINE = "cocaine", "Powder cocaine"
    CANNABIS = "cannabis", "Cannabis"
    AMPHETAMINES = "amphetamines", "Amphetamines"
    BENZODIAZEPINES = "benzodiazepines", "Benzodiazepines"
    NPS = "nps", "Novel psychoactive substances"
    PRESCRIBED_MISUSED = "prescribed_misused", "Prescribed medicines misused"
    OTHER = "other", "Other"


class Route(TextChoices):
    ORAL = "oral", "Oral (swallowed or drunk)"
    SMOKED = "smoked", "Smoked"
    SNORTED = "snorted", "Snorted"
    INJECTED = "injected", "Injected"
    OTHER = "other", "Other"


class Frequency(TextChoices):
    """How often, over the last 28 days (the NDTMS window)."""

    DAILY = "daily", "Every day"
    MOST_DAYS = "most_days", "4 to 6 days a week"
    WEEKLY = "weekly", "1 to 3 days a week"
    LESS_THAN_WEEKLY = "less_than_weekly", "Less than once a week"
    NOT_IN_28_DAYS = "not_in_28_days", "Not in the last 28 days"


class ChildrenContact(TextChoices):
    """Safeguarding of children: do children live with the person, or does the person care for any?"""

    NOT_ASKED = "not_asked", "Not yet asked"
    NONE = "none", "No children live with them or are cared for by them"
    LIVE_WITH = "live_with", "Children live with them"
    CARES_FOR = "cares_for", "They care for children who live elsewhere"
    BOTH = "both", "Children live with them and they care for others"


# Which part of the record each domain belongs to, so access is decided part by part (DOMAIN.md).
# Mental health leads the joint assessment (NG58), so its social domains are mental health assessment;
# the substance use domain goes with the substance rows; the risks summary goes with the risk flags.
DOMAIN_PARTS: dict[str, RecordPart] = {
    domain.value: (
        RecordPart.SUBSTANCE_USE
        if domain == Domain.SUBSTANCE_USE
        else RecordPart.RISK
        if domain == Domain.RISKS
        else RecordPart.MENTAL_HEALTH
    )
    for domain in Domain
}

ASSESSMENT_PARTS = (RecordPart.MENTAL_HEALTH, RecordPart.SUBSTANCE_USE, RecordPart.RISK)


def parts_for_domains(domains: Iterable[str]) -> list[str]:
    """The record parts the given domains belong to, sorted and without repeats."""
    return sorted({DOMAIN_PARTS[d] for d in domains})


@dataclass(frozen=True)
class DomainNeed:
    """One domain's need as saved now, and what was true before this save."""

    domain: str
    need: str
    notes: str = ""
    previous_need: str = ""
    has_open_task: bool = False


@dataclass(frozen=True)
class UrgentTaskSpec:
    """R2: the urgent task a newly urgent need creates."""

    domain: str
    title: str
    detail: str


def urgent_needs(domains: Sequence[DomainNeed]) -> list[UrgentTaskSpec]:
    """R2 (NG58 first contact): an urgent need creates a task at once.

    Only a *newly* urgent need creates one: a domain that was already urgent at the last save already
    has its task, and a need whose task is still open is not given a second. A need that stops being
    urgent and later becomes urgent again (its first task closed) is new, and gets a new task."""
    specs: list[UrgentTaskSpec] = []
    for item in domains:
        if item.need != Need.URGENT or item.previous_need == Need.URGENT or item.has_open_task:
            continue
        label = Domain(item.domain).label
        notes = item.notes.strip()
        specs.append(
            UrgentTaskSpec(
                domain=item.domain,
                title=f"Urgent need: {label.lower()} (joint assessment)",
                detail=f"Found urgent in the joint assessment. {notes}"[:2000].strip(),
            )
        )
    return specs


def urgent_task_due(*, found_at: datetime) -> datetime:
    """R2: an urgent need is due the moment it is found.

    PRODUCT R2 says "an urgent need creates a task at once", and NG58 asks services to meet immediate
    needs wherever the person presents. A 24-hour window is R6's tier for existing concerns after a
    missed appointment; using it here would let an urgent housing or safeguarding need wait a day."""
    return found_at


def domain_errors(*, domain: str, need: str, notes: str) -> dict[str, str]:
    """An urgent need must say what it is: the task it creates carries these words to its owner."""
    if need == Need.URGENT and not notes.strip():
        return {f"{domain}_notes": f"Say what the urgent {Domain(domain).label.lower()} need is."}
    return {}


def substance_errors(
    *, substance: str, substance_other: str, route: str, injecting: bool, last_used_on: date | None, today: date
) -> dict[str, str]:
    """A substance row must be usable: name an 'other' substance; injected means injecting; no future dates."""
    errors: dict[str, str] = {}
    if substance == Substance.OTHER and not substance_other.strip():
        errors["substance_other"] = "Name the substance."
    if route == Route.INJECTED and not injecting:
        errors["injecting"] = "The route is injected, so answer yes to injecting."
    if last_used_on is not None and last_used_on > today:
        errors["last_used_on"] = "The date last used cannot be in the future."
    return errors


def completion_errors(*, needs: dict[str, str], assessor_count: int) -> dict[str, str]:
    """An assessment is complete only when every domain has been considered and someone assessed it.

    R2: the assessment covers immediate needs in every domain; a blank domain was not asked about."""
    errors: dict[str, str] = {}
    missing = [Domain(d).label.lower() for d in Domain.values if not needs.get(d)]
    if missing:
        errors["need"] = "Record whether there is a need for: " + ", ".join(missing) + "."
    if assessor_count < 1:
        errors["assessors"] = "Record who carried out the assessment."
    return errors


def review_date_errors(*, review_on: date | None, today: date) -> dict[str, str]:
    """R13: every risk flag carries a review date, today or later."""
    if review_on is None:
        return {"review_on": "Enter a date to review the flag by."}
    if review_on < today:
        return {"review_on": "The review date must be today or later."}
    return {}


def is_joint(organisation_ids: Iterable[int]) -> bool:
    """A joint assessment: assessors from two (or more) organisations, e.g. the trust and the provider."""
    return len(set(organisation_ids)) >= 2
