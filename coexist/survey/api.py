"""API endpoints for the service survey, staff training, recovery college sessions and service-user feedback,
under /api/v1/service-survey: the same selectors, services and access rules as the pages.

Errors are problem+json: 401 without a token; 403 when the viewer is not a member of the service (or, to
record, not its team leader, service manager or dual diagnosis lead; for the comparison, not a leader or
researcher); 404 for an unknown service or survey; 422 for invalid input, naming the field. These are
records about services and staff, not people: no per-person access log entry is written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.interop.problems import ERRORS
from coexist.organisations.models import Service
from coexist.survey.models import FeedbackRound, RecoveryCollegeSession, ServiceSurvey, StaffTraining
from coexist.survey.rules import MAX_NAME, MAX_NOTE, MAX_TEXT, Dimension, Provision, Question
from coexist.survey.selectors import (
    SurveyRow,
    latest_surveys,
    service_evidence,
    service_feedback,
    service_open,
    service_sessions,
    service_surveys,
    service_training,
    survey_open,
    survey_row,
)
from coexist.survey.services import (
    feedback_round_record,
    recovery_session_record,
    service_survey_submit,
    staff_training_record,
)

router = Router(tags=["service survey"])

ProvisionIn = Literal["network", "consultancy", "lead_and_link_worker"]
assert set(ProvisionIn.__args__) == {p.value for p in Provision}  # type: ignore[attr-defined]


class ScoreOut(Schema):
    dimension: str
    score: int | None


class SurveyOut(Schema):
    id: UUID
    service: UUID
    service_name: str
    completed_on: date
    provision: str
    scores: list[ScoreOut]


class SurveyDetailOut(SurveyOut):
    notes: dict[str, str]


class DimensionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    score: int = Field(..., ge=1, le=5)
    note: str = Field("", max_length=MAX_NOTE)


class SurveyIn(Schema):
    """Every dimension is scored: programme_structure, milieu, assessment, treatment, continuity_of_care,
    staffing, training."""

    model_config = ConfigDict(extra="forbid")

    completed_on: date
    provision: ProvisionIn
    dimensions: dict[str, DimensionIn] = Field(..., max_length=7)


class TrainingOut(Schema):
    id: UUID
    staff: UUID
    staff_name: str
    course: str
    provider: str
    completed_on: date
    hours: Decimal
    certificate: bool


class TrainingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    staff: UUID
    course: str = Field(..., max_length=MAX_NAME)
    provider: str = Field(..., max_length=MAX_NAME)
    completed_on: date
    hours: Decimal = Field(..., gt=0, le=500, max_digits=4, decimal_places=1)
    certificate: bool = False


class RecoverySessionOut(Schema):
    id: UUID
    course: str
    session_on: date
    attendees: int


class SessionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    course: str = Field(..., max_length=MAX_NAME)
    session_on: date
    attendees: int = Field(..., ge=0, le=500)


class FeedbackOut(Schema):
    id: UUID
    collected_on: date
    counts: dict[str, list[int]]
    you_said: str
    we_did: str


class FeedbackIn(Schema):
    """`counts`: for each question (listened, involved, both_needs, respect, recommend) the number of people
    answering 1 (strongly disagree) to 5 (strongly agree). Leave a question out if it was not asked."""

    model_config = ConfigDict(extra="forbid")

    collected_on: date
    counts: dict[str, list[int]] = Field(..., max_length=len(Question))
    you_said: str = Field("", max_length=MAX_TEXT)
    we_did: str = Field("", max_length=MAX_TEXT)


class QuestionOut(Schema):
    question: str
    responses: int
    mean: Decimal | None = Field(None, description="Hidden (null) when fewer than the threshold answered.")
    agree_percent: Decimal | None


class SurveyEvidenceOut(Schema):
    service: UUID
    clinical_staff: int
    trained_staff: int
    trained_percent: Decimal | None
    training_since: date
    training_hours: Decimal
    hours_per_staff: Decimal | None
    recovery_sessions: int
    recovery_attendances: int
    sessions_since: date
    feedback_collected_on: date | None
    feedback: list[QuestionOut]
    threshold: int


def _survey_out(row: SurveyRow) -> SurveyOut:
    s = row.survey
    return SurveyOut(
        id=s.public_id, service=s.service.public_id, service_name=s.service.name, completed_on=s.completed_on,
        provision=s.provision,
        scores=[ScoreOut(dimension=d.value, score=v) for d, v in zip(Dimension, row.scores, strict=True)],
    )  # fmt: skip


def _service(request: HttpRequest, service_id: UUID, *, to_record: bool = False) -> Service:
    try:
        return service_open(viewer=staff_of(request), public_id=service_id, to_record=to_record)
    except Service.DoesNotExist as exc:
        raise Http404("No service with that id.") from exc


def _training_out(t: StaffTraining) -> TrainingOut:
    return TrainingOut(
        id=t.public_id, staff=t.staff.public_id, staff_name=t.staff.display_name, course=t.course,
        provider=t.provider, completed_on=t.completed_on, hours=t.hours, certificate=t.certificate,
    )  # fmt: skip


def _session_out(s: RecoveryCollegeSession) -> RecoverySessionOut:
    return RecoverySessionOut(id=s.public_id, course=s.course, session_on=s.session_on, attendees=s.attendees)


def _feedback_out(f: FeedbackRound) -> FeedbackOut:
    return FeedbackOut(
        id=f.public_id, collected_on=f.collected_on, counts=f.counts, you_said=f.you_said, we_did=f.we_did
    )


@router.get("/compare", response={200: list[SurveyOut], **ERRORS}, summary="Latest survey of every service")
def compare(request: HttpRequest) -> list[SurveyOut]:
    return [_survey_out(row) for row in latest_surveys(viewer=staff_of(request))]


@router.get(
    "/services/{service_id}/surveys",
    response={200: list[SurveyOut], **ERRORS},
    summary="A service's surveys, oldest first",
)
def list_surveys(request: HttpRequest, service_id: UUID) -> list[SurveyOut]:
    return [_survey_out(row) for row in service_surveys(_service(request, service_id))]


@router.post(
    "/services/{service_id}/surveys", response={201: SurveyDetailOut, **ERRORS}, summary="Submit a service survey"
)
def submit_survey(request: HttpRequest, service_id: UUID, payload: SurveyIn) -> Status[SurveyDetailOut]:
    service = _service(request, service_id, to_record=True)
    survey = service_survey_submit(
        service=service, completed_on=payload.completed_on, provision=payload.provision,
        scores={key: d.score for key, d in payload.dimensions.items()},
        notes={key: d.note for key, d in payload.dimensions.items()}, by=staff_of(request),
    )  # fmt: skip
    return Status(201, _detail(request, survey.public_id))


def _detail(request: HttpRequest, survey_id: UUID) -> SurveyDetailOut:
    try:
        survey = survey_open(viewer=staff_of(request), public_id=survey_id)
    except ServiceSurvey.DoesNotExist as exc:
        raise Http404("No survey with that id.") from exc
    row = survey_row(survey)
    return SurveyDetailOut(**_survey_out(row).model_dump(), notes={s.dimension: s.note for s in survey.scores.all()})


@router.get("/surveys/{survey_id}", response={200: SurveyDetailOut, **ERRORS}, summary="One service survey with notes")
def get_survey(request: HttpRequest, survey_id: UUID) -> SurveyDetailOut:
    return _detail(request, survey_id)


@router.get(
    "/services/{service_id}/evidence",
    response={200: SurveyEvidenceOut, **ERRORS},
    summary="Evidence for staffing and training",
)
def evidence(request: HttpRequest, service_id: UUID) -> SurveyEvidenceOut:
    service = _service(request, service_id)
    e = service_evidence(service)
    return SurveyEvidenceOut(
        service=service.public_id, clinical_staff=e.training.staff, trained_staff=e.training.trained,
        trained_percent=e.training.share, training_since=e.training.since, training_hours=e.training.hours,
        hours_per_staff=e.training.hours_per_staff, recovery_sessions=e.sessions.sessions,
        recovery_attendances=e.sessions.attendances, sessions_since=e.sessions.since,
        feedback_collected_on=e.feedback.collected_on if e.feedback else None,
        feedback=[
            QuestionOut(question=r.question, responses=r.responses, mean=r.mean, agree_percent=r.agree)
            for r in e.feedback_results
        ],
        threshold=e.threshold,
    )  # fmt: skip


@router.get("/services/{service_id}/training", response={200: list[TrainingOut], **ERRORS}, summary="Staff training")
def list_training(request: HttpRequest, service_id: UUID) -> list[TrainingOut]:
    return [_training_out(t) for t in service_training(_service(request, service_id))]


@router.post("/services/{service_id}/training", response={201: TrainingOut, **ERRORS}, summary="Record staff training")
def record_training(request: HttpRequest, service_id: UUID, payload: TrainingIn) -> Status[TrainingOut]:
    service = _service(request, service_id, to_record=True)
    staff = User.objects.filter(public_id=payload.staff).first()
    if staff is None:
        raise ValidationError({"staff": "No member of staff with that id."})
    record = staff_training_record(
        service=service, staff=staff, course=payload.course, provider=payload.provider,
        completed_on=payload.completed_on, hours=payload.hours, certificate=payload.certificate, by=staff_of(request),
    )  # fmt: skip
    return Status(201, _training_out(record))


@router.get(
    "/services/{service_id}/recovery-college",
    response={200: list[RecoverySessionOut], **ERRORS},
    summary="Recovery college sessions",
)
def list_sessions(request: HttpRequest, service_id: UUID) -> list[RecoverySessionOut]:
    return [_session_out(s) for s in service_sessions(_service(request, service_id))]


@router.post(
    "/services/{service_id}/recovery-college",
    response={201: RecoverySessionOut, **ERRORS},
    summary="Record a recovery college session",
)
def record_session(request: HttpRequest, service_id: UUID, payload: SessionIn) -> Status[RecoverySessionOut]:
    service = _service(request, service_id, to_record=True)
    record = recovery_session_record(
        service=service, course=payload.course, session_on=payload.session_on, attendees=payload.attendees,
        by=staff_of(request),
    )  # fmt: skip
    return Status(201, _session_out(record))


@router.get("/services/{service_id}/feedback", response={200: list[FeedbackOut], **ERRORS}, summary="Feedback rounds")
def list_feedback(request: HttpRequest, service_id: UUID) -> list[FeedbackOut]:
    return [_feedback_out(f) for f in service_feedback(_service(request, service_id))]


@router.post(
    "/services/{service_id}/feedback", response={201: FeedbackOut, **ERRORS}, summary="Record a feedback round"
)
def record_feedback(request: HttpRequest, service_id: UUID, payload: FeedbackIn) -> Status[FeedbackOut]:
    service = _service(request, service_id, to_record=True)
    record = feedback_round_record(
        service=service, collected_on=payload.collected_on, counts=payload.counts, you_said=payload.you_said,
        we_did=payload.we_did, by=staff_of(request),
    )  # fmt: skip
    return Status(201, _feedback_out(record))
