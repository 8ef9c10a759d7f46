"""JSON API for validated measures: the definitions, and recording and reading a person's responses,
through the same scoring engine, service, selectors and permission function as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictInt

from coexist.accounts.requests import staff_of
from coexist.assessments.models import JointAssessment
from coexist.audit.models import Channel
from coexist.instruments import selectors, services
from coexist.instruments.definitions import DEFINITIONS
from coexist.instruments.models import InstrumentResponse
from coexist.instruments.rules import Instrument, alerts_fired
from coexist.interop.problems import ERRORS
from coexist.people.models import Person

router = Router(tags=["instruments"])

ItemCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]


class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    code: str
    text: str
    kind: str = Field(..., description="'choice' (answer with one option's value) or 'number' (a whole number).")
    options: list[OptionOut]
    minimum: int
    maximum: int
    required: bool
    reverse_scored: bool
    section: str
    hint: str
    unit: str


class ScaleOut(Schema):
    code: str
    label: str
    method: str = Field(..., description="'sum' of the items, or 'mean' of those answered.")
    items: list[str]
    minimum: int
    maximum: int


class BandOut(Schema):
    minimum: int
    maximum: int
    label: str
    meaning: str


class AlertRuleOut(Schema):
    item: str
    above: int
    risk: str


class DefinitionSummary(Schema):
    code: str
    name: str
    short_name: str
    version: str
    purpose: str
    record_part: str
    screens_substance_use: bool


class DefinitionOut(DefinitionSummary):
    instructions: str
    items: list[ItemOut]
    scales: list[ScaleOut]
    band_scale: str
    bands: list[BandOut]
    alerts: list[AlertRuleOut]
    licence: str
    source: str
    source_url: str


class AlertOut(Schema):
    item: str
    value: int
    risk: str
    source: str


class ResponseOut(Schema):
    id: UUID
    person_id: UUID
    instrument: str
    version: str
    answers: dict[str, int]
    score: dict[str, int | float]
    band: str
    completed_at: datetime
    recorded_by: str
    assessment_id: UUID | None
    alerts: list[AlertOut] = Field(..., description="R15: answers that signal risk, e.g. PHQ-9 item 9 above 0.")


class FlagOut(Schema):
    id: UUID
    kind: str
    source: str
    review_on: date


class InstrumentTaskOut(Schema):
    id: UUID
    rule: str
    title: str
    priority: str
    due_at: datetime


class ResponseRecordedOut(ResponseOut):
    flags_raised: list[FlagOut]
    tasks_created: list[InstrumentTaskOut]


class ResponseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: UUID
    instrument: Annotated[str, Field(min_length=1, max_length=20)]
    answers: Annotated[dict[ItemCode, StrictInt], Field(max_length=100)] = Field(
        ..., description="Item code -> answer value (see the definition's items)."
    )
    assessment_id: UUID | None = None
    completed_at: datetime | None = None


def _definition_out(instrument: Instrument) -> DefinitionOut:
    return DefinitionOut(
        code=instrument.code,
        name=instrument.name,
        short_name=instrument.short_name,
        version=instrument.version,
        purpose=instrument.purpose,
        record_part=instrument.record_part,
        screens_substance_use=instrument.screens_substance_use,
        instructions=instrument.instructions,
        items=[
            ItemOut(
                code=i.code,
                text=i.text,
                kind=i.kind,
                options=[OptionOut(value=o.value, label=o.label) for o in i.options],
                minimum=i.minimum,
                maximum=i.maximum,
                required=i.required,
                reverse_scored=i.reverse_scored,
                section=i.section,
                hint=i.hint,
                unit=i.unit,
            )
            for i in instrument.items
        ],
        scales=[
            ScaleOut(
                code=s.code, label=s.label, method=s.method, items=list(s.items), minimum=s.minimum, maximum=s.maximum
            )
            for s in instrument.scales
        ],
        band_scale=instrument.band_scale,
        bands=[
            BandOut(minimum=b.minimum, maximum=b.maximum, label=b.label, meaning=b.meaning) for b in instrument.bands
        ],
        alerts=[AlertRuleOut(item=a.item, above=a.above, risk=a.risk) for a in instrument.alerts],
        licence=instrument.licence,
        source=instrument.source,
        source_url=instrument.source_url,
    )


def _response_fields(response: InstrumentResponse) -> dict[str, object]:
    answers = {code: value for code, value in response.answers.items() if isinstance(value, int)}
    instrument = DEFINITIONS.get(response.instrument_code)
    alerts = alerts_fired(instrument, answers) if instrument else ()
    return {
        "id": response.public_id,
        "person_id": response.person.public_id,
        "instrument": response.instrument_code,
        "version": response.instrument_version,
        "answers": answers,
        "score": response.score,
        "band": response.band,
        "completed_at": response.completed_at,
        "recorded_by": response.recorded_by.display_name,
        "assessment_id": response.assessment.public_id if response.assessment else None,
        "alerts": [AlertOut(item=a.item, value=a.value, risk=a.risk, source=a.source) for a in alerts],
    }


def _person_or_404(person_id: UUID) -> Person:
    person = Person.objects.filter(public_id=person_id).first()
    if person is None:
        raise Http404("No person with that id.")
    return person


@router.get("/definitions", response={200: list[DefinitionSummary], **ERRORS}, summary="The measures in use")
def list_definitions(request: HttpRequest) -> list[DefinitionSummary]:
    return [
        DefinitionSummary(
            code=i.code,
            name=i.name,
            short_name=i.short_name,
            version=i.version,
            purpose=i.purpose,
            record_part=i.record_part,
            screens_substance_use=i.screens_substance_use,
        )
        for i in DEFINITIONS.values()
    ]


@router.get(
    "/definitions/{code}", response={200: DefinitionOut, **ERRORS}, summary="A measure: questions, scoring, bands"
)
def get_definition(request: HttpRequest, code: str) -> DefinitionOut:
    instrument = DEFINITIONS.get(code)
    if instrument is None:
        raise Http404("No measure with that code.")
    return _definition_out(instrument)


# Errors the service names by item code are answers; the API names them as such ('answers.phq9_9').
_NOT_ANSWERS = {"instrument", "assessment", "completed_at"}


@router.post(
    "/responses",
    response={201: ResponseRecordedOut, **ERRORS},
    summary="Record a completed measure (R15: may raise a risk flag and an urgent task)",
)
def create_response(request: HttpRequest, payload: ResponseIn) -> Status[ResponseRecordedOut]:
    person = _person_or_404(payload.person_id)
    assessment = None
    if payload.assessment_id is not None:
        assessment = JointAssessment.objects.filter(public_id=payload.assessment_id, person=person).first()
        if assessment is None:
            raise ValidationError({"assessment_id": "No joint assessment with that id for this person."})
    try:
        recorded = services.instrument_response_record_with_alerts(
            person=person,
            instrument_code=payload.instrument,
            answers=payload.answers,
            by=staff_of(request),
            channel=Channel.API,
            assessment=assessment,
            completed_at=payload.completed_at,
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {
                (field if field in _NOT_ANSWERS else f"answers.{field}"): messages
                for field, messages in exc.error_dict.items()
            }
        ) from exc
    out = ResponseRecordedOut(
        **_response_fields(recorded.response),  # type: ignore[arg-type]
        flags_raised=[
            FlagOut(id=f.public_id, kind=f.kind, source=f.source, review_on=f.review_on) for f in recorded.flags
        ],
        tasks_created=[
            InstrumentTaskOut(id=t.public_id, rule=t.rule, title=t.title, priority=t.priority, due_at=t.due_at)
            for t in recorded.tasks
        ],
    )
    return Status(201, out)


@router.get(
    "/people/{person_id}/responses",
    response={200: list[ResponseOut], **ERRORS},
    summary="A person's recorded measures that you may read, newest first",
)
def list_responses(request: HttpRequest, person_id: UUID) -> list[ResponseOut]:
    person = _person_or_404(person_id)
    responses = selectors.instrument_responses_for(viewer=staff_of(request), person=person, channel=Channel.API)
    return [ResponseOut(**_response_fields(r)) for r in responses]  # type: ignore[arg-type]


@router.get("/responses/{response_id}", response={200: ResponseOut, **ERRORS}, summary="One recorded measure")
def get_response(request: HttpRequest, response_id: UUID) -> ResponseOut:
    try:
        response = selectors.instrument_response_open(
            viewer=staff_of(request), public_id=response_id, channel=Channel.API
        )
    except InstrumentResponse.DoesNotExist as exc:
        raise Http404("No recorded measure with that id.") from exc
    return ResponseOut(**_response_fields(response))  # type: ignore[arg-type]
