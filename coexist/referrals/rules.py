"""Pure rules for referrals: R1 (no exclusion), R12 (self-referral with minimal fields) and where a
self-referral goes. Plain values in, decisions out; no ORM, no request.
"""

from __future__ import annotations

import re
from datetime import date

from django.db.models import TextChoices

from coexist.organisations.models import ServiceKind
from coexist.people.rules import ContactMethod, contact_details_missing


class DeclineReason(TextChoices):
    """Coded reasons a service may give for declining a referral (R1 removes some per service kind)."""

    SUBSTANCE_USE = "substance_use", "Substance use"
    MENTAL_ILLNESS = "mental_illness", "Mental illness"
    OUTSIDE_AREA = "outside_area", "Lives outside the area the service covers"
    BETTER_MET_ELSEWHERE = "better_met_elsewhere", "Needs are better met by another service"
    ALREADY_SUPPORTED = "already_supported", "Already getting this support from another service"
    PERSON_DECLINED = "person_declined", "The person does not want this service"
    NOT_ELIGIBLE_AGE = "not_eligible_age", "Outside the age range the service is commissioned for"


# R1: a mental health service may not decline because of substance use...
MENTAL_HEALTH_KINDS = frozenset({ServiceKind.COMMUNITY_MENTAL_HEALTH, ServiceKind.INPATIENT_WARD})
# ...nor a substance, housing or physical health service because of mental illness.
NOT_FOR_MENTAL_ILLNESS_KINDS = frozenset(
    {ServiceKind.DRUG_ALCOHOL, ServiceKind.HOUSING_SUPPORT, ServiceKind.PRIMARY_CARE}
)


def decline_reasons_for(service_kind: str) -> list[DeclineReason]:
    """R1 (NG58 1.1.4, QS188 statement 2): the reasons a service of this kind may give for declining.

    Substance use is never a reason for a mental health service (community team, ward); mental
    illness is never a reason for a drug and alcohol, housing or physical health service."""
    excluded: set[DeclineReason] = set()
    if service_kind in MENTAL_HEALTH_KINDS:
        excluded.add(DeclineReason.SUBSTANCE_USE)
    if service_kind in NOT_FOR_MENTAL_ILLNESS_KINDS:
        excluded.add(DeclineReason.MENTAL_ILLNESS)
    return [reason for reason in DeclineReason if reason not in excluded]


def decline_refused(
    *, service_kind: str, reason: str, onward_referral: str, has_onward_service: bool
) -> dict[str, str]:
    """R1: why this decline may not be recorded, as field -> message; empty if it may.

    The reason must be one this kind of service may give, and the person must be referred on or
    signposted somewhere: nobody is declined into a gap."""
    refused: dict[str, str] = {}
    allowed = {r.value for r in decline_reasons_for(service_kind)}
    if reason == DeclineReason.SUBSTANCE_USE and reason not in allowed:
        refused["reason"] = (
            "A mental health service cannot decline a referral because of substance use (R1). "
            "Choose another reason, or accept the referral and work jointly with the drug and alcohol service."
        )
    elif reason == DeclineReason.MENTAL_ILLNESS and reason not in allowed:
        refused["reason"] = (
            "This service cannot decline a referral because of mental illness (R1). "
            "Choose another reason, or accept the referral and work jointly with the mental health service."
        )
    elif reason not in allowed:
        refused["reason"] = "Choose a reason from the list."
    if not onward_referral.strip() and not has_onward_service:
        refused["onward_referral"] = (
            "Say where the person has been referred on or signposted to. Nobody is declined without somewhere to go."
        )
    return refused


class HelpKind(TextChoices):
    """What a self-referrer says they would like help with, in their words."""

    MENTAL_HEALTH = "mental_health", "My mental health"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs or alcohol"
    NOT_SURE = "not_sure", "Both, or I'm not sure"


def self_referral_service_kinds(help_kind: str) -> tuple[str, ...]:
    """R12: which kinds of service take a self-referral for this kind of help, best first.

    The first existing service of the first kind receives it. "Not sure" and "both" go to the
    drop-in first: the dual diagnosis workers there see both sides (001, weekly drop-in)."""
    if help_kind == HelpKind.MENTAL_HEALTH:
        return (ServiceKind.COMMUNITY_MENTAL_HEALTH, ServiceKind.DROP_IN, ServiceKind.DRUG_ALCOHOL)
    if help_kind == HelpKind.DRUGS_ALCOHOL:
        return (ServiceKind.DRUG_ALCOHOL, ServiceKind.DROP_IN, ServiceKind.COMMUNITY_MENTAL_HEALTH)
    return (ServiceKind.DROP_IN, ServiceKind.DRUG_ALCOHOL, ServiceKind.COMMUNITY_MENTAL_HEALTH)


# Contact methods a self-referrer can choose on the public form: those that need only a phone
# number or an email address (a letter needs an address, which we do not ask for there).
SELF_REFERRAL_CONTACT_METHODS = (ContactMethod.PHONE, ContactMethod.TEXT, ContactMethod.EMAIL)

NAME_MAX = 100
REASON_MAX = 1000
NOTE_MAX = 300
EARLIEST_BIRTH_YEAR = 1900

# Markup has no place in a name or a note typed into a form; refusing it keeps it out of every
# later use (letters, exports, FHIR), not only the pages that escape it. "<3" is still fine.
_MARKUP = re.compile(r"<\s*[/!?a-zA-Z]")
_PHONE = re.compile(r"\+?[0-9 ()-]{6,32}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def text_problem(value: str, *, max_length: int, required: bool, label: str) -> str | None:
    """One free-text answer: what is wrong with it, in plain words, or None."""
    if "\x00" in value:
        return f"{label} has a hidden character we cannot store. Type it again without copying and pasting."
    if _MARKUP.search(value):
        return f"{label} cannot contain the < and > characters around words. Remove them."
    if required and not value.strip():
        return f"Enter {label.lower()}."
    if len(value) > max_length:
        return f"{label} must be {max_length} characters or fewer. You have {len(value)}."
    return None


def birth_date_problem(value: date | None, *, today: date, required: bool) -> str | None:
    """A date of birth must be real: not in the future, not before 1900."""
    if value is None:
        return "Enter your date of birth." if required else None
    if value > today:
        return "Date of birth must be in the past."
    if value.year < EARLIEST_BIRTH_YEAR:
        return f"Date of birth must be after {EARLIEST_BIRTH_YEAR}."
    return None


def self_referral_problems(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    contact_method: str,
    phone: str,
    email: str,
    help_kind: str,
    reason: str,
    safe_to_contact_note: str,
    today: date,
) -> dict[str, str]:
    """R12: a self-referral needs only a name, a date of birth, a way to reach the person and what
    they would like help with. Returns field -> message for what is missing or not usable."""
    problems: dict[str, str] = {}
    texts = {
        "given_name": (given_name, NAME_MAX, True, "Your first name"),
        "family_name": (family_name, NAME_MAX, True, "Your last name"),
        "phone": (phone, 32, False, "Phone number"),
        "email": (email, 254, False, "Email address"),
        "reason": (reason, REASON_MAX, True, "What you would like help with"),
        "safe_to_contact_note": (
            safe_to_contact_note,
            NOTE_MAX,
            False,
            "Anything we should know before we contact you",
        ),
    }
    for field, (value, max_length, required, label) in texts.items():
        problem = text_problem(value, max_length=max_length, required=required, label=label)
        if problem:
            problems[field] = problem
    if "phone" not in problems and phone.strip() and not _PHONE.fullmatch(phone.strip()):
        problems["phone"] = "Enter a phone number using only numbers, like 07700 900123."
    if "email" not in problems and email.strip() and not _EMAIL.fullmatch(email.strip()):
        problems["email"] = "Enter an email address in the right format, like name@example.com."
    dob = birth_date_problem(date_of_birth, today=today, required=True)
    if dob:
        problems["date_of_birth"] = dob
    if contact_method not in SELF_REFERRAL_CONTACT_METHODS:
        problems["contact_method"] = "Choose how you would like us to contact you."
    else:
        for field, message in contact_details_missing(
            method=contact_method, phone=phone, email=email, address="", postcode=""
        ).items():
            problems.setdefault(field, message)
    if help_kind not in HelpKind.values:
        problems["help_kind"] = "Choose what you would like help with."
    return problems


# Letters and digits that cannot be mistaken for each other when read aloud or handwritten:
# no 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V.
REFERENCE_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"


def reference_format(chars: str) -> str:
    """A referral reference as people read it: CX-7K3M-9Q."""
    return f"CX-{chars[:4]}-{chars[4:6]}"


def reference_normalise(raw: str) -> str:
    """What someone typed or read out ('cx 7k3m 9q') as the stored form ('CX-7K3M-9Q')."""
    compact = "".join(ch for ch in raw.upper() if ch.isalnum())
    if compact.startswith("CX"):
        compact = compact[2:]
    return reference_format(compact) if len(compact) == 6 else raw.strip().upper()
