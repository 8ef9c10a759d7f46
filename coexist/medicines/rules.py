"""Pure rules for the medicines continuity record (R9). Plain values in, decisions out; no ORM.

R9 (PRODUCT.md): "a person on opiate substitution is not discharged until the community prescriber has
accepted the handover (drug, dose, last dose given, first community dose date), so no day is missed;
naloxone is offered to anyone who uses opioids."

Dose bounds. A continuity record, not a prescribing system: the bounds catch typing slips (600 for 60,
0.6 for 6), not clinical judgement. Methadone oral solution 1 to 300 mg a day; buprenorphine sublingual
(alone or with naloxone, the buprenorphine part) 0.4 to 32 mg a day. The prolonged-release buprenorphine
injection (depot) is recorded as the MONTHLY dose in mg as given (not divided into a daily figure, which
nobody prescribes or checks against): 64 to 300 mg a month, which covers the monthly Buvidal doses (64 to 160 mg)
and Sublocade (100 or 300 mg). A clinician who needs a dose outside a range asks an administrator to
widen it here (`DOSE_BOUNDS`); the refusal says so.

The first community dose (R9, "so no day is missed"). For the daily drugs the first community dose must
be on the day after the day of the last dose given: later and a day is missed (withdrawal, and the
overdose risk of using on top when tolerance is falling); the same day risks a double dose, which is the
danger with supervised methadone. We keep it simple and do not take the sender's word that today's dose
was not given: if the ward has not given today's dose, it gives it (and records it) before the person
leaves, or the last dose recorded is yesterday's and the first community dose is today. So for daily
drugs there is exactly one right date, and the rule says which. For the monthly depot the next injection
is due within 28 days of the last one: the first community dose must fall after the day of the last and
no later than 28 days after it. Either way the first community dose cannot be in the past: a date that
has passed means doses were given and not recorded, or a day has already been missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from coexist.organisations.models import Role

METHADONE = "methadone"
BUPRENORPHINE = "buprenorphine"
BUPRENORPHINE_NALOXONE = "buprenorphine_naloxone"
BUPRENORPHINE_DEPOT = "buprenorphine_depot"

DRUG_NAMES: dict[str, str] = {
    METHADONE: "Methadone oral solution",
    BUPRENORPHINE: "Buprenorphine sublingual",
    BUPRENORPHINE_NALOXONE: "Buprenorphine with naloxone sublingual",
    BUPRENORPHINE_DEPOT: "Buprenorphine prolonged-release injection",
}


@dataclass(frozen=True)
class DoseBounds:
    """The sensible range for one drug, and the period its dose is recorded for."""

    low: Decimal
    high: Decimal
    per: str  # "day" or "month"


DOSE_BOUNDS: dict[str, DoseBounds] = {
    METHADONE: DoseBounds(Decimal("1"), Decimal("300"), "day"),
    BUPRENORPHINE: DoseBounds(Decimal("0.4"), Decimal("32"), "day"),
    BUPRENORPHINE_NALOXONE: DoseBounds(Decimal("0.4"), Decimal("32"), "day"),
    BUPRENORPHINE_DEPOT: DoseBounds(Decimal("64"), Decimal("300"), "month"),
}

DEPOT_INTERVAL_DAYS = 28
EARLIEST_YEARS = 60  # a course, dose or offer recorded further back than this is a typing slip
MAX_TEXT = 5000
MAX_SHORT = 200

# Who may answer a prescribing handover for the receiving service: it is a commitment to prescribe, so a
# prescriber answers (the addictions consultant; a psychiatrist or a dual diagnosis lead, who are often
# prescribers too). A substance misuse worker in the same team sees the task but cannot commit a prescription.
PRESCRIBING_ROLES: frozenset[str] = frozenset({Role.ADDICTIONS_CONSULTANT, Role.PSYCHIATRIST, Role.DUAL_DIAGNOSIS_LEAD})


def is_daily(drug: str) -> bool:
    """The depot is recorded per month; every other drug per day."""
    return drug != BUPRENORPHINE_DEPOT


def format_mg(value: Decimal) -> str:
    """60.00 -> "60", 0.40 -> "0.4", 8.50 -> "8.5"."""
    return f"{value.normalize():f}"


def describe_dose(*, drug: str, dose_mg: Decimal, supervised: bool, pharmacy: str) -> str:
    """R9: the figure as clinicians say it, e.g. "60 mg a day, supervised, at Boots, High Street"."""
    per = DOSE_BOUNDS[drug].per if drug in DOSE_BOUNDS else "day"
    parts = [f"{format_mg(dose_mg)} mg a {per}"]
    if drug == BUPRENORPHINE_DEPOT:
        parts.append("by injection")
    else:
        parts.append("supervised" if supervised else "not supervised")
    text = ", ".join(parts)
    if pharmacy.strip():
        text += f", at {pharmacy.strip()}"
    return text


def dose_refusal(*, drug: str, dose_mg: Decimal | None, what: str = "dose") -> str | None:
    """R9: a dose within the sensible range for the drug; the refusal names the range."""
    bounds = DOSE_BOUNDS.get(drug)
    if bounds is None:
        return "Choose the drug first."
    if dose_mg is None or not dose_mg.is_finite():
        return f"Enter the {what} in mg, for example 60."
    if dose_mg < bounds.low or dose_mg > bounds.high:
        name = DRUG_NAMES[drug]
        return (
            f"{name} doses must be between {format_mg(bounds.low)} and {format_mg(bounds.high)} mg a {bounds.per}. "
            "If a dose outside this range is really prescribed, ask an administrator to widen the range."
        )
    if dose_mg != dose_mg.quantize(Decimal("0.01")):
        return f"Enter the {what} with no more than 2 decimal places."
    return None


def dose_given_refusal(*, drug: str, dose_mg: Decimal | None) -> str | None:
    """R9: a single dose given is more than 0 and no more than the most a day (or month) may hold."""
    bounds = DOSE_BOUNDS.get(drug)
    if bounds is None:
        return "Choose the drug first."
    if dose_mg is None or not dose_mg.is_finite():
        return "Enter the dose given in mg, for example 60."
    if dose_mg <= 0 or dose_mg > bounds.high:
        return (
            f"A dose of {DRUG_NAMES[drug].lower()} given must be more than 0 and no more than "
            f"{format_mg(bounds.high)} mg. If more was really given, ask an administrator to widen the range."
        )
    if dose_mg != dose_mg.quantize(Decimal("0.01")):
        return "Enter the dose with no more than 2 decimal places."
    return None


def earliest(today: date) -> date:
    return today - timedelta(days=365 * EARLIEST_YEARS)


def date_refusal(*, day: date, today: date, not_before: date | None = None, before_text: str = "") -> str | None:
    """A date that has come, not absurdly long ago, and not before another date the caller names."""
    if day > today:
        return "The date cannot be in the future."
    if day < earliest(today):
        return f"Enter a date within the last {EARLIEST_YEARS} years."
    if not_before is not None and day < not_before:
        return before_text or f"The date cannot be before {not_before:%d %B %Y}."
    return None


def time_refusal(*, at: datetime, now: datetime, not_before: date | None = None, before_text: str = "") -> str | None:
    """R9: a dose given or an offer made is recorded once it has happened, not ahead of time."""
    if at > now:
        return "The time cannot be in the future: record a dose once it has been given."
    return date_refusal(day=at.date(), today=now.date(), not_before=not_before, before_text=before_text)


def first_community_dose_latest(*, drug: str, last_dose_on: date) -> date:
    """R9: the latest date the first community dose can be without a day (or the monthly depot) being missed."""
    if is_daily(drug):
        return last_dose_on + timedelta(days=1)
    return last_dose_on + timedelta(days=DEPOT_INTERVAL_DAYS)


def first_community_dose_refusal(*, drug: str, last_dose_at: datetime, first_dose_on: date, today: date) -> str | None:
    """R9 ("so no day is missed"): is this first community dose date safe, given the last dose given?

    `last_dose_at` is in the trust's local time. Daily drugs: exactly the day after the last dose given.
    Monthly depot: after the day of the last dose and within 28 days of it. Never in the past."""
    last_on = last_dose_at.date()
    latest = first_community_dose_latest(drug=drug, last_dose_on=last_on)
    last_text = f"{last_dose_at:%d %B %Y at %H:%M}"
    if first_dose_on > latest:
        if is_daily(drug):
            return (
                f"A day would be missed: the last dose was given on {last_text}, so the first community dose "
                f"must be on {latest:%d %B %Y}."
            )
        return (
            f"The depot would be late: the last injection was given on {last_text}, so the first community dose "
            f"must be by {latest:%d %B %Y}."
        )
    if first_dose_on <= last_on:
        if is_daily(drug):
            return (
                f"Risk of a double dose: the last dose was given on {last_text}, so the first community dose must be "
                f"the next day, {latest:%d %B %Y}. If today's dose has not been given, give and record it before "
                "the person leaves, or record the last dose actually given."
            )
        return f"The first community dose must be after the last injection, given on {last_text}."
    if first_dose_on < today:
        return (
            f"The first community dose date {first_dose_on:%d %B %Y} has passed. Record the doses given since "
            f"{last_dose_at:%d %B %Y}, then ask again."
        )
    return None


def text_refusal(*, value: str, required: str | None, limit: int = MAX_TEXT) -> str | None:
    """Plain text: required (when a message is given), no longer than the limit, no NUL bytes."""
    if "\x00" in value:
        return "Remove the unusual characters from this text."
    if required is not None and not value.strip():
        return required
    if len(value) > limit:
        return f"Use {limit} characters or fewer."
    return None


def may_answer_handover(*, roles_in_receiving_service: frozenset[str]) -> bool:
    """R9: a prescriber of the receiving service answers a prescribing handover (see PRESCRIBING_ROLES)."""
    return bool(roles_in_receiving_service & PRESCRIBING_ROLES)
