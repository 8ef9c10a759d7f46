"""Service survey, training records and service-user feedback (issue 6 points 5 and 6). Pure; no ORM.

The service survey is the RECO study's stage 2 (seed 000): a service's own structured self-assessment of
its form of provision and of its dual diagnosis capability, dimension by dimension, scored 1 to 5. The
anchors are plain descriptions written for Coexist in the spirit of the DDCAT/DDCMHT indexes (1 = serves
addiction only or mental health only, 3 = dual diagnosis capable, 5 = dual diagnosis enhanced); they are
not the licensed item text.

The evidence shown beside the staffing and training dimensions is computed here from plain values, so the
numbers a service sees can be worked out by hand.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

# -- the survey ------------------------------------------------------------------------------------------

SCORE_MIN = 1
SCORE_MAX = 5
MAX_NOTE = 2000
MAX_TEXT = 5000
MAX_NAME = 200
# Earliest date a survey, a course or a feedback round may carry: older records belong to paper archives, and
# a year like 0202 is a typing slip.
EARLIEST = date(2000, 1, 1)


class Provision(StrEnum):
    """The three forms of dual diagnosis provision the RECO study found."""

    NETWORK = "network"
    CONSULTANCY = "consultancy"
    LEAD_AND_LINK = "lead_and_link_worker"


PROVISION_LABELS: dict[str, str] = {
    Provision.NETWORK: "Network: dual diagnosis practitioners across services meet and share practice",
    Provision.CONSULTANCY: "Consultancy: a specialist dual diagnosis team advises and trains other teams",
    Provision.LEAD_AND_LINK: "Lead and link workers: a lead supports a named link worker in each team",
}


class Dimension(StrEnum):
    """The dual diagnosis capability dimensions, in the order the form asks them."""

    PROGRAMME_STRUCTURE = "programme_structure"
    MILIEU = "milieu"
    ASSESSMENT = "assessment"
    TREATMENT = "treatment"
    CONTINUITY = "continuity_of_care"
    STAFFING = "staffing"
    TRAINING = "training"


DIMENSION_LABELS: dict[str, str] = {
    Dimension.PROGRAMME_STRUCTURE: "Programme structure",
    Dimension.MILIEU: "Milieu (the service's setting and welcome)",
    Dimension.ASSESSMENT: "Assessment",
    Dimension.TREATMENT: "Treatment",
    Dimension.CONTINUITY: "Continuity of care",
    Dimension.STAFFING: "Staffing",
    Dimension.TRAINING: "Training",
}

# The same plain anchors for every dimension: the scale is the point, the dimension gives it its subject.
ANCHORS: dict[int, str] = {
    1: "Addiction only or mental health only: the other condition is not addressed here.",
    2: "Some awareness: the other condition is noticed and referred on, with no routine practice.",
    3: "Dual diagnosis capable: both conditions are routinely addressed, with set procedures.",
    4: "Between capable and enhanced: integrated practice in most of the work.",
    5: "Dual diagnosis enhanced: integrated care for both conditions is the service's normal way of working.",
}

# Which dimensions show evidence from the record beside them (issue 6 point 6).
EVIDENCE_DIMENSIONS = frozenset({Dimension.STAFFING, Dimension.TRAINING})


def score_refusal(value: object) -> str | None:
    """A score is a whole number from 1 to 5; anything else is refused with a message."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"Choose a score from {SCORE_MIN} to {SCORE_MAX}."
    if not SCORE_MIN <= value <= SCORE_MAX:
        return f"Choose a score from {SCORE_MIN} to {SCORE_MAX}."
    return None


def text_refusal(value: str, *, limit: int, required: bool = False, what: str = "this") -> str | None:
    """Free text: no NUL bytes, no longer than the limit, present when required."""
    if "\x00" in value:
        return "Remove the unprintable characters."
    if len(value) > limit:
        return f"Use {limit} characters or fewer."
    if required and not value.strip():
        return f"Enter {what}."
    return None


def date_refusal(*, value: date, today: date, what: str) -> str | None:
    """Recorded dates are in the past or today, and not before 2000."""
    if value > today:
        return f"The {what} cannot be in the future."
    if value < EARLIEST:
        return f"The {what} must be in {EARLIEST.year} or later."
    return None


def survey_refusals(
    *, provision: str, scores: Mapping[str, object], notes: Mapping[str, str], completed_on: date, today: date
) -> dict[str, str]:
    """Every problem with a survey at once, by field (`provision`, `completed_on`, `<dimension>`,
    `<dimension>_note`). Every dimension must be scored: a survey with gaps cannot be compared."""
    errors: dict[str, str] = {}
    if provision not in set(Provision):
        errors["provision"] = "Choose the form of dual diagnosis provision."
    refusal = date_refusal(value=completed_on, today=today, what="date the survey was completed")
    if refusal:
        errors["completed_on"] = refusal
    for dimension in Dimension:
        refusal = score_refusal(scores.get(dimension))
        if refusal:
            errors[dimension.value] = refusal
        note_refusal = text_refusal(notes.get(dimension, ""), limit=MAX_NOTE)
        if note_refusal:
            errors[f"{dimension.value}_note"] = note_refusal
    unknown = set(scores) - set(Dimension)
    if unknown:
        errors["scores"] = f"Unknown dimensions: {', '.join(sorted(unknown))}."
    return errors


# -- who may do what -------------------------------------------------------------------------------------

RECORDER_ROLES = frozenset({"team_leader", "service_manager", "dual_diagnosis_lead"})
COMPARISON_ROLES = RECORDER_ROLES | {"researcher"}
NON_CLINICAL = frozenset({"administrator", "researcher"})


def may_view_service(*, roles_in_service: Iterable[str]) -> bool:
    """Members of the service (current, clinical roles) may view its surveys, training and feedback.
    Administrators and researchers are not: training records name staff."""
    return any(role not in NON_CLINICAL for role in roles_in_service)


def may_record(*, roles_in_service: Iterable[str]) -> bool:
    """Team leaders, service managers and dual diagnosis leads of the service record surveys, training and
    feedback for it."""
    return any(role in RECORDER_ROLES for role in roles_in_service)


def may_compare(*, roles: Iterable[str]) -> bool:
    """The comparison across services is for leaders (team leaders, service managers, dual diagnosis leads)
    and researchers, anywhere: it shows services' own scores, no person and no member of staff."""
    return any(role in COMPARISON_ROLES for role in roles)


# -- training and feedback -------------------------------------------------------------------------------

TRAINING_YEARS = 3
MAX_HOURS = Decimal("500")
MAX_ATTENDEES = 500
MAX_RESPONSES = 10_000


def years_before(day: date, years: int) -> date:
    """The same calendar date `years` earlier; 29 February becomes 28 February in a common year."""
    year = day.year - years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def training_is_current(*, completed_on: date, today: date, years: int = TRAINING_YEARS) -> bool:
    """Training counts for `years` years: completed on or after the same date `years` ago, and not later
    than today (a course booked for next month is not training yet)."""
    return years_before(today, years) <= completed_on <= today


def hours_refusal(value: Decimal) -> str | None:
    if not value.is_finite() or value <= 0:
        return "Enter the hours of training, more than 0."
    if value > MAX_HOURS:
        return f"Enter {MAX_HOURS} hours or fewer."
    if value != value.quantize(Decimal("0.1")):
        return "Enter hours to one decimal place at most, for example 3.5."
    return None


def attendees_refusal(value: int) -> str | None:
    if value < 0:
        return "The number who came cannot be negative."
    if value > MAX_ATTENDEES:
        return f"Enter {MAX_ATTENDEES} or fewer."
    return None


@dataclass(frozen=True)
class TrainingFact:
    """One dual diagnosis course a member of staff completed (whoever recorded it)."""

    staff_id: int
    completed_on: date
    hours: Decimal


@dataclass(frozen=True)
class TrainingEvidence:
    """Issue 6 point 6: how trained the service's current clinical staff are."""

    staff: int
    trained: int
    hours: Decimal
    since: date

    @property
    def share(self) -> Decimal | None:
        """Trained staff as a percentage of current clinical staff, to one decimal place; None with no staff."""
        if not self.staff:
            return None
        return (Decimal(100) * self.trained / self.staff).quantize(Decimal("0.1"))

    @property
    def hours_per_staff(self) -> Decimal | None:
        if not self.staff:
            return None
        return (self.hours / self.staff).quantize(Decimal("0.1"))


def training_evidence(
    *, staff_ids: Iterable[int], training: Iterable[TrainingFact], today: date, years: int = TRAINING_YEARS
) -> TrainingEvidence:
    """Of the service's current clinical staff (numerator and denominator are the same people): how many
    completed dual diagnosis training in the last `years` years, and the hours they did in that window.
    Training of people no longer on the staff is ignored; a person with two courses counts once."""
    staff = set(staff_ids)
    current = [
        t
        for t in training
        if t.staff_id in staff and training_is_current(completed_on=t.completed_on, today=today, years=years)
    ]
    return TrainingEvidence(
        staff=len(staff),
        trained=len({t.staff_id for t in current}),
        hours=sum((t.hours for t in current), Decimal(0)),
        since=years_before(today, years),
    )


@dataclass(frozen=True)
class SessionEvidence:
    sessions: int
    attendances: int
    since: date


def session_evidence(*, sessions: Iterable[tuple[date, int]], today: date) -> SessionEvidence:
    """Recovery college sessions held in the last 12 months (after the same date a year ago, up to today) and
    the attendances at them (one person at three sessions is three attendances)."""
    since = years_before(today, 1)
    held = [count for on, count in sessions if since <= on <= today]
    return SessionEvidence(sessions=len(held), attendances=sum(held), since=since)


class Question(StrEnum):
    """The service-user feedback questions, each answered 1 (strongly disagree) to 5 (strongly agree)."""

    LISTENED = "listened"
    INVOLVED = "involved"
    BOTH_NEEDS = "both_needs"
    RESPECT = "respect"
    RECOMMEND = "recommend"


QUESTION_LABELS: dict[str, str] = {
    Question.LISTENED: "I felt listened to",
    Question.INVOLVED: "I was involved in decisions about my care",
    Question.BOTH_NEEDS: "Staff helped with both my mental health and my alcohol or drug use",
    Question.RESPECT: "I was treated with dignity and respect",
    Question.RECOMMEND: "I would recommend this service to someone in my position",
}

ANSWER_LABELS = ("Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree")


def feedback_refusals(*, counts: Mapping[str, Sequence[object]]) -> dict[str, str]:
    """Each question has five whole, non-negative counts (one per answer 1 to 5), each no more than 10,000.
    A question nobody answered has five zeros; at least one question must have an answer."""
    errors: dict[str, str] = {}
    for key in set(counts) - set(Question):
        errors["counts"] = f"Unknown question: {key}."
    total = 0
    for question in Question:
        row = counts.get(question, (0, 0, 0, 0, 0))
        if len(row) != 5 or any(isinstance(c, bool) or not isinstance(c, int) for c in row):
            errors[question.value] = "Enter five whole numbers, one for each answer."
            continue
        numbers = [int(c) for c in row if isinstance(c, int)]
        if any(c < 0 for c in numbers):
            errors[question.value] = "Counts cannot be negative."
        elif any(c > MAX_RESPONSES for c in numbers):
            errors[question.value] = f"Enter {MAX_RESPONSES} or fewer for each answer."
        else:
            total += sum(numbers)
    if not errors and total == 0:
        errors["counts"] = "Enter the number of people who gave each answer to at least one question."
    return errors


@dataclass(frozen=True)
class QuestionResult:
    question: str
    label: str
    responses: int
    mean: Decimal | None  # None when too few answered to show (small-number suppression)
    agree: Decimal | None  # percentage answering 4 or 5


def feedback_results(*, counts: Mapping[str, Sequence[int]], threshold: int) -> list[QuestionResult]:
    """Mean score (1 to 5, two decimals) and percentage agreeing (4 or 5, one decimal) per question. A question
    answered by fewer than `threshold` people shows its count only: a mean of three answers can be traced to
    the three people who gave them."""
    results = []
    for question in Question:
        row = list(counts.get(question, [0, 0, 0, 0, 0]))
        n = sum(row)
        mean: Decimal | None = None
        agree: Decimal | None = None
        if n and n >= threshold:
            mean = (Decimal(sum(score * c for score, c in enumerate(row, start=1))) / n).quantize(Decimal("0.01"))
            agree = (Decimal(100) * (row[3] + row[4]) / n).quantize(Decimal("0.1"))
        results.append(QuestionResult(question.value, QUESTION_LABELS[question], n, mean, agree))
    return results
