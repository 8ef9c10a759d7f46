"""Pure rules about a person's record: who may see or change which part of it, and R11 contact.

No ORM and no request here: the permission module gathers the facts and these functions decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db.models import TextChoices


class RecordPart(TextChoices):
    """A part of a person's record that access and consent to share are decided for."""

    IDENTITY = "identity", "Name, date of birth and NHS number"
    CONTACT = "contact", "Contact preference and details"
    EQUALITY = "equality", "Equality and circumstances"
    CARERS = "carers", "Carers and family"
    CONSENT = "consent", "Consent to share"
    EPISODES = "episodes", "Referrals, episodes of care, care team and tasks"
    CARE_PLAN = "care_plan", "Care plan"
    MENTAL_HEALTH = "mental_health", "Mental health assessments"
    SUBSTANCE_USE = "substance_use", "Substance use assessments"
    RISK = "risk", "Risk flags"
    GROUPS = "groups", "Group attendance"
    MEDICINES = "medicines", "Medicines continuity: opiate substitution, naloxone, handovers"


# Decision 0012: what a group's facilitator may read of a person enrolled in the group, and no more
# (they may change only GROUPS).
# Not shareable by consent: a partner organisation has no use for a register, and the facilitator
# relationship already covers the people who run the group.
FACILITATOR_PARTS = frozenset({RecordPart.IDENTITY, RecordPart.GROUPS})


# What a person may agree to share. Identity goes with any of them: a partner cannot use a care
# plan without knowing whose it is. Consent records themselves are not shared.
SHAREABLE_PARTS = (
    RecordPart.CONTACT,
    RecordPart.EPISODES,
    RecordPart.CARE_PLAN,
    RecordPart.CARERS,
    RecordPart.EQUALITY,
    RecordPart.MENTAL_HEALTH,
    RecordPart.SUBSTANCE_USE,
    RecordPart.RISK,
    RecordPart.MEDICINES,
)


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class AccessFacts:
    """What is true between one member of staff and one person, today."""

    has_clinical_role: bool
    in_care_team: bool
    referred_to: tuple[str, ...]
    """Names of the viewer's services that hold an open referral for the person."""
    consented_parts: frozenset[str] | None
    """Parts the person currently agrees to share with the viewer's organisation; None if no consent."""
    responsible_services: tuple[str, ...] = ()
    """Names of the viewer's teams that hold an open episode of care for the person."""
    facilitated_groups: tuple[str, ...] = ()
    """Names of groups the person is currently enrolled in where the viewer facilitates a session that is
    not cancelled and starts within four weeks of today (decision 0012)."""


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    basis: str
    """Why: the relationship that allows it, or what is missing. Written to the access log and shown on refusal."""


def decide_access(*, facts: AccessFacts, action: Action, part: str) -> AccessDecision:
    """DOMAIN.md "Who may see what": care team, open referral to the viewer's service, or consent.

    - Administrators and researchers never see a person's record, whatever else is true.
    - The care team, the team of a service holding an open referral (triage) and the team
      holding an open episode of care for the person (the duty worker and team leader before and beside the named
      coordinator, decision 0010) may read and change it.
    - A facilitator of a current session of a group the person is enrolled in (decision 0012) may read
      their identity and read and change their group attendance, nothing else: the register needs names,
      and facilitators are often not in the person's care team.
    - Consent to share with the viewer's organisation allows reading the agreed parts, never changing them:
      the person agreed to share information, not to have another organisation edit their record.
    Default deny.
    """
    if not facts.has_clinical_role:
        return AccessDecision(False, "Administrators and researchers do not see people's records.")
    if facts.in_care_team:
        return AccessDecision(True, "care team")
    if facts.referred_to:
        return AccessDecision(True, "open referral to " + ", ".join(facts.referred_to))
    if facts.responsible_services:
        return AccessDecision(True, "open episode of care with " + ", ".join(facts.responsible_services))
    if facts.facilitated_groups and (
        part == RecordPart.GROUPS or (part in FACILITATOR_PARTS and action is Action.READ)
    ):
        return AccessDecision(True, "facilitator of " + ", ".join(facts.facilitated_groups))
    if facts.consented_parts is not None:
        if action is Action.WRITE:
            return AccessDecision(False, "Consent to share lets your organisation read this record, not change it.")
        if part == RecordPart.IDENTITY or part in facts.consented_parts:
            return AccessDecision(True, "consent to share with your organisation")
        return AccessDecision(
            False, "The person has not agreed to share this part of their record with your organisation."
        )
    if facts.facilitated_groups:
        return AccessDecision(
            False, "As a group facilitator you may see only the person's name and their group attendance."
        )
    return AccessDecision(
        False,
        "You are not in this person's care team, your team holds no open referral or episode of care for "
        "them, and they have not agreed to share their record with your organisation.",
    )


class ContactMethod(TextChoices):
    """R11: how the person chose to be contacted; reminders use it."""

    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    VIDEO = "video", "Video call"
    IN_PERSON = "in_person", "In person"


def contact_details_missing(*, method: str, phone: str, email: str, address: str, postcode: str) -> dict[str, str]:
    """R11: the chosen contact method must be usable. Returns field -> message for what is missing."""
    missing: dict[str, str] = {}
    if method in (ContactMethod.PHONE, ContactMethod.TEXT) and not phone.strip():
        missing["phone"] = "Enter a phone number, because the chosen contact method needs one."
    if method == ContactMethod.EMAIL and not email.strip():
        missing["email"] = "Enter an email address, because the chosen contact method is email."
    if method == ContactMethod.LETTER:
        if not address.strip():
            missing["address"] = "Enter an address, because the chosen contact method is letter."
        if not postcode.strip():
            missing["postcode"] = "Enter a postcode, because the chosen contact method is letter."
    if method == ContactMethod.VIDEO and not (phone.strip() or email.strip()):
        missing["email"] = "Enter an email address or phone number to send the video call link to."
    return missing


# R5: an offer can be accepted or declined; an accepted assessment can be completed or later declined.
CARER_ASSESSMENT_NEXT: dict[str, frozenset[str]] = {
    "offered": frozenset({"accepted", "declined"}),
    "accepted": frozenset({"completed", "declined"}),
    "declined": frozenset(),
    "completed": frozenset(),
}


def carer_assessment_outcome_refused(
    *, current: str, outcome: str, offered_on: date, on: date, today: date
) -> dict[str, str]:
    """R5: whether an outcome may be recorded on a carer's assessment offer. Returns field -> message."""
    errors: dict[str, str] = {}
    if outcome not in CARER_ASSESSMENT_NEXT.get(current, frozenset()):
        errors["outcome"] = (
            f"An assessment that is {current} cannot be marked {outcome}."
            if CARER_ASSESSMENT_NEXT.get(current)
            else f"This offer is already {current}; record a new offer if the carer asks again."
        )
    if on > today:
        errors["on"] = "The date cannot be in the future."
    elif on < offered_on:
        errors["on"] = "The date cannot be before the assessment was offered."
    return errors
