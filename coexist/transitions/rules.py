"""Pure rules for discharge and transfer (R8, R9): the checklist that gates the move out of a service, the
senior override, and the team leader's discharge figures.

Plain values in, decisions out: no ORM and no request. `selectors.checklist_facts` gathers the facts from
the person's record; `checklist` turns them into items that each say why they are met or not and what to do.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from coexist.organisations.models import Role

# R9 and the NHS standard: a follow-up contact within 72 hours of leaving a mental health ward.
FOLLOW_UP_WINDOW = timedelta(hours=72)

# R8: who may override an open item. Senior clinicians who carry responsibility for the decision in the
# episode's service; not a care coordinator, nurse or substance misuse worker on their own.
SENIOR_ROLES: frozenset[str] = frozenset(
    {
        Role.PSYCHIATRIST,
        Role.ADDICTIONS_CONSULTANT,
        Role.TEAM_LEADER,
        Role.DUAL_DIAGNOSIS_LEAD,
        Role.SERVICE_MANAGER,
    }
)
OVERRIDE_REASON_MIN = 20
TEXT_MAX = 5000

# Keys of the checklist items, in the order the page shows them.
INVITE = "invite"
HOUSING = "housing"
RISK_SAFETY = "risk_safety"
CRISIS_CONTINGENCY = "crisis_contingency"
RECONTACT = "recontact"
DA_REFERRAL = "drug_alcohol_referral"
PRESCRIBING = "prescribing_handover"
NALOXONE = "naloxone"
FOLLOW_UP = "follow_up_72h"

_PHONE_NUMBER = re.compile(r"\d[\d ]{5,}\d")


@dataclass(frozen=True)
class PractitionerFact:
    """Someone who should be at the meeting: an id the caller can match on, their name and organisation."""

    key: str
    name: str
    organisation: str


@dataclass(frozen=True)
class HandoverFact:
    """A prescribing handover to the community prescriber, as plain values."""

    status: str  # requested, accepted, declined, withdrawn
    drug: str
    daily_dose_mg: str
    last_dose_given_at: datetime
    first_community_dose_on: date
    to_service: str
    answered_by: str = ""
    overtaken_at: datetime | None = None
    """A dose given on the ward after the last dose the handover states (e.g. the discharge slipped a day):
    the agreed first community dose date no longer follows it."""


@dataclass(frozen=True)
class AppointmentFact:
    """A booked appointment that might be the first contact after discharge."""

    starts_at: datetime
    worker: str
    service: str
    community: bool
    booked: bool


@dataclass(frozen=True)
class ChecklistFacts:
    """Everything the checklist needs, read from the person's record at one moment."""

    kind: str  # "discharge" or "transfer"
    person_name: str
    from_ward: bool
    now: datetime
    # (a) the meeting
    meeting_at: datetime | None = None
    care_team: tuple[PractitionerFact, ...] = ()
    invited: frozenset[str] = frozenset()
    receiving_team: str = ""
    receiving_team_invited: bool = False
    # (b) housing
    housing_support: str = "not_arranged"
    housing_status: str = "not_known"
    housing_status_label: str = "Not known"
    homeless: bool = False
    # (c) the care plan (None: there is no plan at all)
    has_plan: bool = False
    coping_strategies: bool = False
    crisis_plan: bool = False
    contingencies_missing: tuple[str, ...] = ()
    contingencies_present: int = 0
    service_with_phone: str = ""
    summary_gives_number: bool = False
    # (d) R9 substance use
    substances: tuple[str, ...] = ()
    da_referral: str = ""
    da_episode: str = ""
    # (e) R9 opiate substitution
    on_opiate_substitution: bool = False
    opiate_substitution: str = ""
    handover: HandoverFact | None = None
    # (f) R9 naloxone
    uses_opioids: bool = False
    naloxone_offer: str = ""
    # (g) 72-hour follow-up when leaving a ward
    discharge_at: datetime | None = None
    appointments: tuple[AppointmentFact, ...] = ()


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    met: bool
    applies: bool
    explanation: str
    # What clears it: "invite", "housing", "care_plan", "referral", "medicines", "booking", "" for nothing.
    clears_with: str = ""

    @property
    def is_open(self) -> bool:
        return self.applies and not self.met

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "title": self.title,
            "met": self.met,
            "applies": self.applies,
            "explanation": self.explanation,
        }


def _names(items: Iterable[str]) -> str:
    listed = list(items)
    if len(listed) <= 1:
        return "".join(listed)
    return ", ".join(listed[:-1]) + " and " + listed[-1]


def _when(moment: datetime) -> str:
    return f"{moment:%d %B %Y at %H:%M}"


def _invite_item(facts: ChecklistFacts) -> ChecklistItem:
    title = f"Everyone involved is invited to the {facts.kind} meeting"
    missing = [p for p in facts.care_team if p.key not in facts.invited]
    problems = [f"Invite {p.name} ({p.organisation}): they are in the care team." for p in missing]
    if facts.kind == "transfer" and not facts.receiving_team_invited:
        problems.append(f"Invite someone from the receiving team, {facts.receiving_team}, to agree the transfer.")
    if facts.meeting_at is None:
        problems.append("Set the date and time of the meeting.")
    if problems:
        return ChecklistItem(INVITE, title, False, True, " ".join(problems), "invite")
    who = _names(f"{p.name} ({p.organisation})" for p in facts.care_team) or "the receiving team"
    assert facts.meeting_at is not None
    return ChecklistItem(INVITE, title, True, True, f"Meeting on {_when(facts.meeting_at)}; invited: {who}.", "invite")


def _housing_item(facts: ChecklistFacts) -> ChecklistItem:
    title = "Housing support is in place"
    status = f"Housing recorded as: {facts.housing_status_label.lower()}."
    if facts.housing_support == "in_place":
        return ChecklistItem(HOUSING, title, True, True, f"Housing support is in place. {status}", "housing")
    if facts.housing_support == "not_needed":
        if facts.homeless:
            return ChecklistItem(
                HOUSING,
                title,
                False,
                True,
                f"'Not needed' cannot be the answer: {facts.person_name} is recorded as "
                f"{facts.housing_status_label.lower()}. Arrange housing support and record it as in place.",
                "housing",
            )
        if facts.housing_status == "not_known":
            return ChecklistItem(
                HOUSING,
                title,
                False,
                True,
                "'Not needed' was recorded, but where the person lives is not known. Record their housing "
                "status first, or arrange support.",
                "housing",
            )
        return ChecklistItem(HOUSING, title, True, True, f"Recorded as not needed. {status}", "housing")
    return ChecklistItem(
        HOUSING,
        title,
        False,
        True,
        f"Housing support is not yet arranged. {status} Arrange it, or record that it is not needed.",
        "housing",
    )


def _plan_items(facts: ChecklistFacts) -> list[ChecklistItem]:
    if not facts.has_plan:
        no_plan = f"{facts.person_name} has no care plan. Write one before the {facts.kind}."
        return [
            ChecklistItem(RISK_SAFETY, "The care plan holds a risk and safety strategy", False, True, no_plan,
                          "care_plan"),
            ChecklistItem(CRISIS_CONTINGENCY, "The care plan holds crisis and contingency plans", False, True,
                          no_plan, "care_plan"),
            ChecklistItem(RECONTACT, "The care plan says how to contact services again", False, True, no_plan,
                          "care_plan"),
        ]  # fmt: skip
    items = []
    if facts.coping_strategies or facts.contingencies_present:
        risk = ChecklistItem(
            RISK_SAFETY,
            "The care plan holds a risk and safety strategy",
            True,
            True,
            "The care plan has coping strategies or contingency plans for the risks.",
            "care_plan",
        )
    else:
        risk = ChecklistItem(
            RISK_SAFETY,
            "The care plan holds a risk and safety strategy",
            False,
            True,
            "Add coping strategies and what to do if risks rise (self-harm, suicide, overdose) to the care plan.",
            "care_plan",
        )
    items.append(risk)
    missing = (["a crisis plan"] if not facts.crisis_plan else []) + [
        f"a contingency plan ({m})" for m in facts.contingencies_missing
    ]
    if missing:
        crisis = ChecklistItem(
            CRISIS_CONTINGENCY,
            "The care plan holds crisis and contingency plans",
            False,
            True,
            f"Add {_names(missing)} to the care plan.",
            "care_plan",
        )
    else:
        crisis = ChecklistItem(
            CRISIS_CONTINGENCY,
            "The care plan holds crisis and contingency plans",
            True,
            True,
            "The care plan has a crisis plan and every contingency plan.",
            "care_plan",
        )
    items.append(crisis)
    if facts.service_with_phone:
        recontact = ChecklistItem(
            RECONTACT,
            "The care plan says how to contact services again",
            True,
            True,
            f"The plan gives a phone number for {facts.service_with_phone}.",
            "care_plan",
        )
    elif facts.summary_gives_number:
        recontact = ChecklistItem(
            RECONTACT,
            "The care plan says how to contact services again",
            True,
            True,
            "The summary written for the person gives a number to call.",
            "care_plan",
        )
    else:
        recontact = ChecklistItem(
            RECONTACT,
            "The care plan says how to contact services again",
            False,
            True,
            "Add a service with a named contact and phone number to the care plan, so the person knows how to "
            "get back in touch.",
            "care_plan",
        )
    items.append(recontact)
    return items


def _referral_item(facts: ChecklistFacts) -> ChecklistItem:
    title = "Referral to the community drug and alcohol service (R9)"
    uses = bool(facts.substances) or facts.on_opiate_substitution
    if not uses:
        return ChecklistItem(
            DA_REFERRAL,
            title,
            False,
            False,
            "Does not apply: no substance use is recorded in a joint assessment and there is no opiate substitution.",
        )
    what = f"uses {_names(facts.substances)}" if facts.substances else "is on opiate substitution"
    if facts.da_episode:
        return ChecklistItem(
            DA_REFERRAL, title, True, True, f"{facts.person_name} {what}; {facts.da_episode}.", "referral"
        )
    if facts.da_referral:
        return ChecklistItem(
            DA_REFERRAL, title, True, True, f"{facts.person_name} {what}; {facts.da_referral}.", "referral"
        )
    return ChecklistItem(
        DA_REFERRAL,
        title,
        False,
        True,
        f"{facts.person_name} {what}. Refer them to the community drug and alcohol service before the {facts.kind}.",
        "referral",
    )


def handover_summary(handover: HandoverFact) -> str:
    """The four facts the prescriber accepts (R9): drug, dose, last dose given and first community dose."""
    return (
        f"{handover.drug} {handover.daily_dose_mg} mg a day; last dose given {_when(handover.last_dose_given_at)}; "
        f"first community dose {handover.first_community_dose_on:%d %B %Y}"
    )


def _prescribing_item(facts: ChecklistFacts) -> ChecklistItem:
    title = "The community prescriber has accepted the opiate substitution handover (R9)"
    if not facts.on_opiate_substitution:
        return ChecklistItem(PRESCRIBING, title, False, False, "Does not apply: no current opiate substitution.")
    handover = facts.handover
    if handover is None:
        return ChecklistItem(
            PRESCRIBING,
            title,
            False,
            True,
            f"{facts.person_name} is on {facts.opiate_substitution}. Send the handover to the community prescriber "
            "(drug, dose, last dose given, date of the first community dose) and wait for them to accept it, so "
            "no day is missed.",
            "medicines",
        )
    summary = handover_summary(handover)
    if handover.status == "accepted" and handover.overtaken_at is not None:
        return ChecklistItem(
            PRESCRIBING,
            title,
            False,
            True,
            f"Accepted ({summary}), but another dose was given at {_when(handover.overtaken_at)}, after the last "
            "dose the handover states: the first community dose date may now double a dose or miss a day. Ask the "
            "community prescriber for a new handover.",
            "medicines",
        )
    if handover.status == "accepted":
        by = f" by {handover.answered_by}" if handover.answered_by else ""
        return ChecklistItem(
            PRESCRIBING, title, True, True, f"Accepted{by} ({handover.to_service}): {summary}.", "medicines"
        )
    if handover.status == "requested":
        return ChecklistItem(
            PRESCRIBING,
            title,
            False,
            True,
            f"Sent to {handover.to_service} and not yet accepted: {summary}. The {facts.kind} waits for the "
            "prescriber to accept it.",
            "medicines",
        )
    return ChecklistItem(
        PRESCRIBING,
        title,
        False,
        True,
        f"The handover to {handover.to_service} was {handover.status}. Agree a new one with a community prescriber.",
        "medicines",
    )


def _naloxone_item(facts: ChecklistFacts) -> ChecklistItem:
    title = "Naloxone offered (R9)"
    if not facts.uses_opioids:
        return ChecklistItem(
            NALOXONE, title, False, False, "Does not apply: no opioid use or opiate substitution is recorded."
        )
    if facts.naloxone_offer:
        return ChecklistItem(NALOXONE, title, True, True, facts.naloxone_offer, "medicines")
    return ChecklistItem(
        NALOXONE,
        title,
        False,
        True,
        f"{facts.person_name} uses opioids, and overdose risk is highest in the first weeks after leaving. "
        "Offer naloxone and record the outcome.",
        "medicines",
    )


def follow_up_appointment(facts: ChecklistFacts) -> AppointmentFact | None:
    """The first booked community appointment starting within 72 hours after the (planned) discharge."""
    if facts.discharge_at is None:
        return None
    deadline = facts.discharge_at + FOLLOW_UP_WINDOW
    fitting = [
        a for a in facts.appointments if a.booked and a.community and facts.discharge_at <= a.starts_at <= deadline
    ]
    return min(fitting, key=lambda a: a.starts_at) if fitting else None


def _follow_up_item(facts: ChecklistFacts) -> ChecklistItem:
    title = "A follow-up contact is booked within 72 hours of leaving the ward"
    if not facts.from_ward:
        why = "a transfer" if facts.kind == "transfer" else "this is not a discharge from a mental health ward"
        return ChecklistItem(FOLLOW_UP, title, False, False, f"Does not apply: {why}.")
    found = follow_up_appointment(facts)
    if found is not None:
        return ChecklistItem(
            FOLLOW_UP,
            title,
            True,
            True,
            f"Booked with {found.worker} ({found.service}) on {_when(found.starts_at)}.",
            "booking",
        )
    assert facts.discharge_at is not None
    deadline = facts.discharge_at + FOLLOW_UP_WINDOW
    return ChecklistItem(
        FOLLOW_UP,
        title,
        False,
        True,
        f"Book a contact with a community mental health or drug and alcohol worker between the discharge and "
        f"{_when(deadline)} (the NHS 72-hour standard).",
        "booking",
    )


def checklist(facts: ChecklistFacts) -> list[ChecklistItem]:
    """R8 and R9: every item, met or not, with why; items that do not apply say why not."""
    return [
        _invite_item(facts),
        _housing_item(facts),
        *_plan_items(facts),
        _referral_item(facts),
        _prescribing_item(facts),
        _naloxone_item(facts),
        _follow_up_item(facts),
    ]


def open_items(items: Iterable[ChecklistItem]) -> list[ChecklistItem]:
    return [item for item in items if item.is_open]


def uncleared(items: Iterable[ChecklistItem], *, overridden: Iterable[str]) -> list[ChecklistItem]:
    """The open items a senior clinician has not overridden: any of these stops the move (R8)."""
    skip = set(overridden)
    return [item for item in open_items(items) if item.key not in skip]


def is_senior(roles: Iterable[str]) -> bool:
    return bool(set(roles) & SENIOR_ROLES)


def completion_refusal(
    *, items: Sequence[ChecklistItem], override_reason: str, senior: bool, verb: str = "discharge"
) -> dict[str, list[str]]:
    """R8: why the discharge (or the sending of a transfer) may not go ahead, by field; empty when it may.

    With every item met (or not applying) it may. With items open it may only if a senior clinician
    overrides with a written reason of at least OVERRIDE_REASON_MIN characters; each open item is named."""
    still_open = open_items(items)
    reason = override_reason.strip()
    if not still_open:
        return {}
    named = [f"{item.title}: {item.explanation}" for item in still_open]
    if not reason:
        return {"checklist": [f"The {verb} cannot go ahead while an item on the checklist is open (R8).", *named]}
    if not senior:
        return {
            "override_reason": [
                "Only a senior clinician in this service (psychiatrist, addictions consultant, team leader, dual "
                "diagnosis lead or service manager) can override the checklist."
            ]
        }
    if len(reason) < OVERRIDE_REASON_MIN:
        return {
            "override_reason": [
                f"Write the reason for overriding in full, at least {OVERRIDE_REASON_MIN} characters: it is reported."
            ]
        }
    if len(reason) > TEXT_MAX:
        return {"override_reason": [f"Use {TEXT_MAX} characters or fewer."]}
    return {}


def housing_refusal(*, support: str, housing_status: str, housing_status_label: str, homeless: bool) -> str | None:
    """R8: 'not needed' is not an answer for someone homeless, in temporary housing or of unknown housing."""
    if support != "not_needed":
        return None
    if homeless:
        return (
            f"Housing support cannot be 'not needed': the person is recorded as {housing_status_label.lower()}. "
            "Arrange support and record it as in place."
        )
    if housing_status == "not_known":
        return "Record where the person lives before saying housing support is not needed."
    return None


def summary_gives_number(text: str) -> bool:
    """Does the summary for the person give a phone number to call?"""
    return bool(_PHONE_NUMBER.search(text))


def follow_up_owner(
    *, other_coordinator: str | None, appointment_worker: str | None, ward_team: str
) -> tuple[str, str]:
    """Who the 72-hour follow-up task goes to: ("coordinator" | "worker" | "team", name)."""
    if other_coordinator:
        return "coordinator", other_coordinator
    if appointment_worker:
        return "worker", appointment_worker
    return "team", ward_team


# --- The team leader's discharge figures (R9, issue 5 "done when") -------------------------------------


@dataclass(frozen=True)
class DischargeFact:
    """One discharge from a ward, as stored: what the checklist said at completion and what happened after."""

    discharged_at: datetime
    on_opiate_substitution: bool
    handover_accepted: bool
    uses_opioids: bool
    naloxone_offered: bool
    seen_at: tuple[datetime, ...] = ()  # attended community contacts (seen) after discharge
    first_dose_on: date | None = None  # first community dose: a dose given after discharge, else the handover's date


@dataclass(frozen=True)
class DischargeFigures:
    discharges: int = 0
    on_opiate_substitution: int = 0
    with_continuity: int = 0
    opioid_users: int = 0
    naloxone_offered: int = 0
    followed_up_72h: int = 0
    dose_days: tuple[int, ...] = field(default_factory=tuple)

    @staticmethod
    def _share(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole > 0 else None

    @property
    def continuity_share(self) -> int | None:
        return self._share(self.with_continuity, self.on_opiate_substitution)

    @property
    def naloxone_share(self) -> int | None:
        return self._share(self.naloxone_offered, self.opioid_users)

    @property
    def follow_up_share(self) -> int | None:
        return self._share(self.followed_up_72h, self.discharges)

    @property
    def dose_days_median(self) -> float | None:
        return statistics.median(self.dose_days) if self.dose_days else None

    @property
    def dose_days_min(self) -> int | None:
        return min(self.dose_days) if self.dose_days else None

    @property
    def dose_days_max(self) -> int | None:
        return max(self.dose_days) if self.dose_days else None


def followed_up_within_72_hours(fact: DischargeFact) -> bool:
    """A contact that took place (seen) after the discharge and no later than 72 hours after it."""
    return any(fact.discharged_at <= seen <= fact.discharged_at + FOLLOW_UP_WINDOW for seen in fact.seen_at)


def discharge_figures(
    facts: Iterable[DischargeFact], *, local_date: dict[datetime, date] | None = None
) -> DischargeFigures:
    """The team leader's figures for ward discharges in a period.

    - continuity: of those on opiate substitution at discharge, the share whose handover the community
      prescriber had accepted (an override does not count as continuity);
    - naloxone: of those who use opioids (or are on opiate substitution), the share offered naloxone;
    - follow-up: of all discharges, the share seen (attended on time, or late but seen) within 72 hours;
    - days to first community dose: for people on opiate substitution with a known first community dose,
      the days from the discharge date to it (0 = the same day), as median and range.
    `local_date` maps a discharge time to its local date; without it the time's own date is used."""
    discharges = ost = continuity = opioid = naloxone = followed = 0
    days: list[int] = []
    for fact in facts:
        discharges += 1
        if fact.on_opiate_substitution:
            ost += 1
            continuity += fact.handover_accepted
            if fact.first_dose_on is not None:
                day = (local_date or {}).get(fact.discharged_at, fact.discharged_at.date())
                days.append((fact.first_dose_on - day).days)
        if fact.uses_opioids or fact.on_opiate_substitution:
            opioid += 1
            naloxone += fact.naloxone_offered
        followed += followed_up_within_72_hours(fact)
    return DischargeFigures(
        discharges=discharges,
        on_opiate_substitution=ost,
        with_continuity=continuity,
        opioid_users=opioid,
        naloxone_offered=naloxone,
        followed_up_72h=followed,
        dose_days=tuple(sorted(days)),
    )


def period_refusal(*, start: date | None, end: date | None, today: date) -> dict[str, str]:
    """The figures' period: both dates, start not after end, within 2000 and a year from today, at most 5 years."""
    errors: dict[str, str] = {}
    earliest = date(2000, 1, 1)
    latest = today + timedelta(days=366)
    for name, value in (("from", start), ("to", end)):
        if value is None:
            errors[name] = "Enter a date, for example 2026-01-31."
        elif not earliest <= value <= latest:
            errors[name] = f"Enter a date between {earliest:%d %B %Y} and {latest:%d %B %Y}."
    if not errors and start is not None and end is not None:
        if start > end:
            errors["to"] = "The end of the period must be on or after its start."
        elif (end - start).days > 5 * 366:
            errors["from"] = "Choose a period of five years or less."
    return errors
