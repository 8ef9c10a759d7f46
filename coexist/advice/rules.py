"""Pure rules about advice requests to the addictions consultant (seeds 001, 002; NICE NG58 1.2). Plain
values in, decisions out. No ORM and no request here."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from coexist.engagement.rules import ENGLAND_AND_WALES_BANK_HOLIDAYS, add_working_days
from coexist.inpatient.rules import text_error
from coexist.organisations.models import Role

# Task.rule for advice duties: NICE NG58 recommendation 1.2 (advice and support from specialist substance
# misuse services to mental health services). Task.rule holds at most 8 characters.
ADVICE_RULE = "NG58"

# Seed 001: the addictions consultant advises psychiatrists on prescribing. A routine question is answered
# within two working days; an urgent one the same day, by the end of the working day (17:00), or within
# four hours when asked after 13:00 (so the consultant always has a real chance to answer).
ROUTINE_WORKING_DAYS = 2
END_OF_WORKING_DAY = time(17, 0)
URGENT_AT_LEAST = timedelta(hours=4)

# Answered requests stay on the consultant's worklist, below the open ones, for two weeks.
RECENTLY_ANSWERED = timedelta(days=14)

CONSULTANT_ROLE = Role.ADDICTIONS_CONSULTANT


def advice_due_at(
    *, asked_at: datetime, urgent: bool, holidays: Collection[date] = ENGLAND_AND_WALES_BANK_HOLIDAYS
) -> datetime:
    """NG58 1.2: when the consultant's answer is due. `asked_at` in local time."""
    if not urgent:
        return add_working_days(asked_at, ROUTINE_WORKING_DAYS, holidays)
    end_of_day = asked_at.replace(
        hour=END_OF_WORKING_DAY.hour, minute=END_OF_WORKING_DAY.minute, second=0, microsecond=0
    )
    return max(end_of_day, asked_at + URGENT_AT_LEAST)


def consultant_refusal(*, roles: Iterable[str], is_active: bool) -> str | None:
    """Seed 001: advice is asked of a named addictions consultant: someone with that role in a team now."""
    if not is_active or CONSULTANT_ROLE not in set(roles):
        return "Choose an addictions consultant: someone who works as one now."
    return None


def ask_errors(*, question: str, asker_is_consultant: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    problem = text_error(question, label="Your question", required=True)
    if problem:
        errors["question"] = problem
    if asker_is_consultant:
        errors["consultant"] = "You cannot ask yourself for advice. Choose another addictions consultant."
    return errors


@dataclass(frozen=True)
class Age:
    """How long a request has waited: whole days and the hours beyond them."""

    days: int
    hours: int

    def __str__(self) -> str:
        parts = []
        if self.days:
            parts.append(f"{self.days} day{'s' if self.days != 1 else ''}")
        parts.append(f"{self.hours} hour{'s' if self.hours != 1 else ''}")
        return " ".join(parts)


def age(*, asked_at: datetime, now: datetime) -> Age:
    """The age of a request (never negative)."""
    seconds = max(0, int((now - asked_at).total_seconds()))
    return Age(days=seconds // 86400, hours=(seconds % 86400) // 3600)


def worklist_key(*, urgent: bool, asked_at: datetime) -> tuple[bool, datetime]:
    """Open requests: urgent first, then oldest first."""
    return (not urgent, asked_at)
