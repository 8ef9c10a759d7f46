"""Writes for the service survey, staff training, recovery college sessions and service-user feedback
(issue 6 points 5 and 6). One function per change, validated before anything is saved, in one transaction.

Each checks that the acting user records for the service (rules.may_record) and raises AccessRefused if not,
or ValidationError by field. These are records about services and staff, not about a person, so there is no
per-person access log entry; each row keeps who recorded it and when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.organisations.models import Membership, Service
from coexist.survey.models import FeedbackRound, RecoveryCollegeSession, ServiceSurvey, StaffTraining, SurveyScore
from coexist.survey.rules import (
    MAX_NAME,
    MAX_NOTE,
    MAX_TEXT,
    Dimension,
    Question,
    attendees_refusal,
    date_refusal,
    feedback_refusals,
    hours_refusal,
    survey_refusals,
    text_refusal,
)
from coexist.survey.selectors import require_record

DUPLICATE_SURVEY = (
    "This service already has a survey completed on that date. A submitted survey is not changed: choose another date."
)
DUPLICATE_FEEDBACK = "This service already has feedback recorded for that date."


def service_survey_submit(
    *,
    service: Service,
    completed_on: date,
    provision: str,
    scores: Mapping[str, object],
    notes: Mapping[str, str] | None = None,
    by: User,
) -> ServiceSurvey:
    """RECO stage 2: record the service's self-assessment. Every dimension is scored 1 to 5; one survey per
    service per completion date; never changed afterwards."""
    require_record(by, service)
    notes = {key: (value or "").strip() for key, value in (notes or {}).items()}
    errors = survey_refusals(
        provision=provision, scores=scores, notes=notes, completed_on=completed_on, today=timezone.localdate()
    )
    if not errors and ServiceSurvey.objects.filter(service=service, completed_on=completed_on).exists():
        errors["completed_on"] = DUPLICATE_SURVEY
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            survey = ServiceSurvey.objects.create(
                service=service, completed_on=completed_on, provision=provision, submitted_by=by
            )
            SurveyScore.objects.bulk_create(
                SurveyScore(
                    survey=survey,
                    dimension=d.value,
                    score=int(str(scores[d.value])),
                    note=notes.get(d.value, "")[:MAX_NOTE],
                )
                for d in Dimension
            )
    except IntegrityError as exc:  # two people submitting for the same date at once
        raise ValidationError({"completed_on": DUPLICATE_SURVEY}) from exc
    return survey


def _text(errors: dict[str, str], field: str, value: str, *, limit: int, what: str, required: bool) -> str:
    value = value.strip()
    refusal = text_refusal(value, limit=limit, required=required, what=what)
    if refusal:
        errors[field] = refusal
    return value


def _day(errors: dict[str, str], field: str, value: date, *, what: str) -> None:
    refusal = date_refusal(value=value, today=timezone.localdate(), what=what)
    if refusal:
        errors[field] = refusal


def staff_training_record(
    *,
    service: Service,
    staff: User,
    course: str,
    provider: str,
    completed_on: date,
    hours: Decimal,
    certificate: bool,
    by: User,
) -> StaffTraining:
    """Issue 6 point 6: a member of staff of this service (now or before) completed a dual diagnosis course."""
    require_record(by, service)
    errors: dict[str, str] = {}
    if not Membership.objects.filter(user=staff, team__service=service).exists():
        errors["staff"] = f"{staff.display_name} has never worked in {service.name}."
    course = _text(errors, "course", course, limit=MAX_NAME, what="the name of the course", required=True)
    provider = _text(errors, "provider", provider, limit=MAX_NAME, what="who ran the course", required=True)
    _day(errors, "completed_on", completed_on, what="date the course was completed")
    try:
        hours = Decimal(hours)
    except (InvalidOperation, TypeError, ValueError):
        errors["hours"] = "Enter the hours of training as a number, for example 3.5."
    else:
        refusal = hours_refusal(hours)
        if refusal:
            errors["hours"] = refusal
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return StaffTraining.objects.create(
            service=service, staff=staff, course=course, provider=provider, completed_on=completed_on,
            hours=hours, certificate=bool(certificate), recorded_by=by,
        )  # fmt: skip


def recovery_session_record(
    *, service: Service, course: str, session_on: date, attendees: int, by: User
) -> RecoveryCollegeSession:
    """Issue 6 point 6: a recovery college session for service users was held, and this many came (a count;
    nobody is named)."""
    require_record(by, service)
    errors: dict[str, str] = {}
    course = _text(errors, "course", course, limit=MAX_NAME, what="the name of the course", required=True)
    _day(errors, "session_on", session_on, what="date of the session")
    if isinstance(attendees, bool) or not isinstance(attendees, int):
        errors["attendees"] = "Enter how many came, as a whole number."
    else:
        refusal = attendees_refusal(attendees)
        if refusal:
            errors["attendees"] = refusal
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return RecoveryCollegeSession.objects.create(
            service=service, course=course, session_on=session_on, attendees=attendees, recorded_by=by
        )


def feedback_round_record(
    *,
    service: Service,
    collected_on: date,
    counts: Mapping[str, Sequence[object]],
    you_said: str = "",
    we_did: str = "",
    by: User,
) -> FeedbackRound:
    """Co-production: how many service users gave each answer to each question, and 'you said, we did'.
    Counts only."""
    require_record(by, service)
    errors = feedback_refusals(counts=counts)
    _day(errors, "collected_on", collected_on, what="date the feedback was collected")
    you_said = _text(errors, "you_said", you_said, limit=MAX_TEXT, what="what people said", required=False)
    we_did = _text(errors, "we_did", we_did, limit=MAX_TEXT, what="what the service did", required=False)
    if "we_did" not in errors and you_said and not we_did:
        errors["we_did"] = "Say what the service did, or will do, about what people said."
    if not errors and FeedbackRound.objects.filter(service=service, collected_on=collected_on).exists():
        errors["collected_on"] = DUPLICATE_FEEDBACK
    if errors:
        raise ValidationError(errors)
    stored = {q.value: [int(str(c)) for c in counts.get(q.value, [0, 0, 0, 0, 0])] for q in Question}
    try:
        with transaction.atomic():
            return FeedbackRound.objects.create(
                service=service, collected_on=collected_on, counts=stored, you_said=you_said, we_did=we_did,
                recorded_by=by,
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError({"collected_on": DUPLICATE_FEEDBACK}) from exc
