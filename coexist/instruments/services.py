"""Recording a validated measure. Checks the permission function, scores with the one engine
(`rules.evaluate`), and in the same transaction acts on any alert (R15) and appends to the access log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.models import JointAssessment, RiskFlag, RiskKind
from coexist.assessments.services import risk_flag_raise
from coexist.audit.models import Channel
from coexist.care.selectors import duty_owner
from coexist.instruments.definitions import DEFINITIONS
from coexist.instruments.models import InstrumentResponse
from coexist.instruments.rules import Instrument, InvalidAnswers, evaluate
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused, may, require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write
from coexist.tasks.models import Priority, Task
from coexist.tasks.services import task_create

# R13: a flag raised by a measure is reviewed within a week; the urgent task is the immediate response.
ALERT_REVIEW_DAYS = 7


@dataclass(frozen=True)
class Recorded:
    """A recorded measure and what it set off: the risk flags and urgent tasks raised under R15."""

    response: InstrumentResponse
    flags: tuple[RiskFlag, ...]
    tasks: tuple[Task, ...]


def record_part_for(instrument: Instrument) -> RecordPart:
    """Which part of the record a measure belongs to: substance use (AUDIT, TOP, ...) or mental health
    (PHQ-9, GAD-7, DIALOG). Decides who may record and read it, and what consent to share covers."""
    return RecordPart(instrument.record_part)


def _instrument(code: str) -> Instrument:
    instrument = DEFINITIONS.get(code)
    if instrument is None:
        raise ValidationError({"instrument": f"There is no measure with the code {code!r}."})
    return instrument


def instrument_response_record(
    *,
    person: Person,
    instrument_code: str,
    answers: Mapping[str, object],
    by: User,
    channel: Channel,
    assessment: JointAssessment | None = None,
    completed_at: datetime | None = None,
) -> InstrumentResponse:
    """Record a completed measure, scored by the version in use. Raises ValidationError (item code ->
    message) or AccessRefused. R15: an answer that signals self-harm raises a risk flag and an urgent task."""
    return instrument_response_record_with_alerts(
        person=person,
        instrument_code=instrument_code,
        answers=answers,
        by=by,
        channel=channel,
        assessment=assessment,
        completed_at=completed_at,
    ).response


def instrument_response_record_with_alerts(
    *,
    person: Person,
    instrument_code: str,
    answers: Mapping[str, object],
    by: User,
    channel: Channel,
    assessment: JointAssessment | None = None,
    completed_at: datetime | None = None,
) -> Recorded:
    """As `instrument_response_record`, also returning the flags and tasks raised, for pages and the API."""
    instrument = _instrument(instrument_code)
    part = record_part_for(instrument)
    decision = require(
        user=by,
        person=person,
        action=Action.WRITE,
        parts=[part],
        channel=channel,
        detail=f"record {instrument.short_name}",
    )
    now = timezone.now()
    errors: dict[str, str] = {}
    if assessment is not None and assessment.person_id != person.pk:
        errors["assessment"] = "That joint assessment is not for this person."
    if completed_at is not None and completed_at > now:
        errors["completed_at"] = "The date it was completed cannot be in the future."
    try:
        outcome = evaluate(instrument, answers)
    except InvalidAnswers as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        response = InstrumentResponse.objects.create(
            person=person,
            assessment=assessment,
            instrument_code=instrument.code,
            # Kept on every response: a later version of a measure must not re-score old answers.
            instrument_version=instrument.version,
            answers=outcome.answers,
            score=outcome.scores,
            band=outcome.band,
            completed_at=completed_at or now,
            recorded_by=by,
        )
        flags: list[RiskFlag] = []
        tasks: list[Task] = []
        for alert in outcome.alerts:
            # R15 (and R13): a validated measure that signals risk raises a flag the whole care team
            # sees, and an urgent task due now for whoever holds the duty: the care coordinator, or
            # else the worker who recorded it. Both in this transaction, so neither can be lost.
            kind = RiskKind(alert.risk)
            flags.append(
                risk_flag_raise(
                    person=person,
                    kind=kind,
                    source=alert.source,
                    review_on=timezone.localdate() + timedelta(days=ALERT_REVIEW_DAYS),
                    by=by,
                    channel=channel,
                    note=f"Raised automatically when {instrument.short_name} was recorded.",
                )
            )
            owner, episode = duty_owner(person, otherwise=by)
            tasks.append(
                task_create(
                    person=person,
                    rule="R15",
                    title=f"Respond to {kind.label.lower()} risk: {alert.source}",
                    detail=(
                        f"{instrument.short_name} recorded by {by.display_name} on "
                        f"{timezone.localtime(response.completed_at):%d %B %Y}. Review the risk with the person "
                        "today and update their care plan."
                    ),
                    due_at=now,
                    priority=Priority.URGENT,
                    assigned_to=owner,
                    episode=episode,
                    by=by,
                )
            )
        # STYLE 4: inside the transaction, the writer may still see what they wrote.
        still = may(by, person, Action.READ, part)
        if not still.allowed:
            raise AccessRefused(still)
        log_write(
            by=by,
            person=person,
            parts=[part],
            basis=decision.basis,
            channel=channel,
            detail=f"recorded {instrument.short_name} ({instrument.version}): {_summary(outcome.scores, outcome.band)}",
        )
        # R9/R15: a substance screen closes the ward's admission screen task, in this transaction.
        from coexist.inpatient.services import admission_screen_recorded

        admission_screen_recorded(response=response, by=by, channel=channel)
    return Recorded(response=response, flags=tuple(flags), tasks=tuple(tasks))


def _summary(scores: Mapping[str, int | float], band: str) -> str:
    text = ", ".join(f"{name} {value}" for name, value in scores.items())
    return f"{text}; {band}" if band else text
