"""JSON API for joint assessments (R2) and risk flags (R13): the same selectors, services and permission
function as the pages. Parts the caller may not read are null, not empty."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.assessments import services
from coexist.assessments.models import JointAssessment, RiskFlag, RiskKind, SubstanceUse
from coexist.assessments.rules import ChildrenContact, Domain, Frequency, Need, Route, Substance
from coexist.assessments.selectors import OpenedAssessment, assessment_open, risk_flag_open, risk_flags_open
from coexist.audit.models import Channel
from coexist.interop.problems import ERRORS
from coexist.interop.schemas import Text100, Text200, Text2000
from coexist.people.models import Person

router = Router(tags=["assessments"])

DomainCode = Literal[
    "mental_health", "substance_use", "physical_health", "housing", "benefits_money", "social_isolation",
    "safeguarding_person", "safeguarding_carers", "safeguarding_children", "strengths", "risks",
]  # fmt: skip
NeedCode = Literal["", "none", "routine", "urgent"]
SubstanceCode = Literal[
    "alcohol", "opioids", "crack", "cocaine", "cannabis", "amphetamines", "benzodiazepines", "nps",
    "prescribed_misused", "other",
]  # fmt: skip
RouteCode = Literal["oral", "smoked", "snorted", "injected", "other"]
FrequencyCode = Literal["daily", "most_days", "weekly", "less_than_weekly", "not_in_28_days"]
ChildrenCode = Literal["not_asked", "none", "live_with", "cares_for", "both"]
RiskKindCode = Literal["self_harm_suicide", "overdose", "harm_to_others", "safeguarding", "exploitation"]

# The Literal types above must list exactly the model's choices; checked at import.
assert set(DomainCode.__args__) == set(Domain.values)  # type: ignore[attr-defined]
assert set(NeedCode.__args__) == {"", *Need.values}  # type: ignore[attr-defined]
assert set(SubstanceCode.__args__) == set(Substance.values)  # type: ignore[attr-defined]
assert set(RouteCode.__args__) == set(Route.values)  # type: ignore[attr-defined]
assert set(FrequencyCode.__args__) == set(Frequency.values)  # type: ignore[attr-defined]
assert set(ChildrenCode.__args__) == set(ChildrenContact.values)  # type: ignore[attr-defined]
assert set(RiskKindCode.__args__) == set(RiskKind.values)  # type: ignore[attr-defined]


class AssessorOut(Schema):
    user: UUID
    name: str
    organisation: UUID
    organisation_name: str


class DomainOut(Schema):
    domain: str
    notes: str
    need: str
    urgent_task: UUID | None


class SubstanceOut(Schema):
    id: UUID
    substance: str
    substance_other: str
    route: str
    frequency: str
    injecting: bool
    last_used_on: date | None
    notes: str


class RiskFlagOut(Schema):
    id: UUID
    person: UUID
    kind: str
    note: str
    source: str
    raised_at: datetime
    review_on: date
    reviewed_at: datetime | None
    review_overdue: bool
    ended_on: date | None
    end_reason: str
    assessment: UUID | None


class AssessmentOut(Schema):
    id: UUID
    person: UUID
    status: str
    started_at: datetime
    completed_at: datetime | None
    joint: bool
    assessors: list[AssessorOut]
    diagnosis: str | None = Field(None, description="Null when mental health is not shared with you.")
    children_contact: str | None = Field(None, description="Null when mental health is not shared with you.")
    domains: list[DomainOut] = Field(..., description="Only the domains whose part of the record you may read.")
    substances: list[SubstanceOut] | None = Field(None, description="Null when substance use is not shared with you.")
    risk_flags: list[RiskFlagOut] | None = Field(None, description="Current flags; null when risk is not shared.")
    withheld: list[str]


class AssessmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: UUID


class DomainIn(Schema):
    model_config = ConfigDict(extra="forbid")

    notes: Text2000 | None = None
    need: NeedCode | None = None


class AssessmentPatch(Schema):
    """Send only what changes. A domain marked urgent for the first time creates an urgent task (R2)."""

    model_config = ConfigDict(extra="forbid")

    diagnosis: Text200 | None = None
    children_contact: ChildrenCode | None = None
    domains: dict[DomainCode, DomainIn] = Field(default_factory=dict)


class AssessorIn(Schema):
    model_config = ConfigDict(extra="forbid")

    user: UUID


class SubstanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    substance: SubstanceCode
    substance_other: Text100 = ""
    route: RouteCode
    frequency: FrequencyCode
    injecting: bool
    last_used_on: date | None = None
    notes: Text2000 = ""


class RiskFlagIn(Schema):
    """R13: a review date is required, today or later."""

    model_config = ConfigDict(extra="forbid")

    kind: RiskKindCode
    review_on: date
    note: Text2000 = ""
    source: Text200 = "API"
    assessment: UUID | None = None


class RiskFlagReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    review_on: date
    note: Text2000 = Field(..., min_length=1)


class RiskFlagEndIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text2000 = Field(..., min_length=1)


def _flag_out(flag: RiskFlag) -> RiskFlagOut:
    return RiskFlagOut(
        id=flag.public_id,
        person=flag.person.public_id,
        kind=flag.kind,
        note=flag.note,
        source=flag.source,
        raised_at=flag.raised_at,
        review_on=flag.review_on,
        reviewed_at=flag.reviewed_at,
        review_overdue=flag.is_review_overdue,
        ended_on=flag.ended_on,
        end_reason=flag.end_reason,
        assessment=flag.assessment.public_id if flag.assessment_id and flag.assessment else None,
    )


def _substance_out(row: SubstanceUse) -> SubstanceOut:
    return SubstanceOut(
        id=row.public_id,
        substance=row.substance,
        substance_other=row.substance_other,
        route=row.route,
        frequency=row.frequency,
        injecting=row.injecting,
        last_used_on=row.last_used_on,
        notes=row.notes,
    )


def _assessment_out(opened: OpenedAssessment) -> AssessmentOut:
    a = opened.assessment
    return AssessmentOut(
        id=a.public_id,
        person=opened.person.public_id,
        status=a.status,
        started_at=a.started_at,
        completed_at=a.completed_at,
        joint=opened.is_joint,
        assessors=[
            AssessorOut(
                user=x.user.public_id,
                name=x.user.display_name,
                organisation=x.organisation.public_id,
                organisation_name=x.organisation.name,
            )
            for x in opened.assessors
        ],
        diagnosis=opened.diagnosis,
        children_contact=opened.children_contact,
        domains=[
            DomainOut(
                domain=f.domain,
                notes=f.notes,
                need=f.need,
                urgent_task=f.urgent_task.public_id if f.urgent_task else None,
            )
            for f in opened.findings
        ],
        substances=[_substance_out(s) for s in opened.substances] if opened.substance_use_readable else None,
        risk_flags=[_flag_out(f) for f in opened.flags] if opened.risk_readable else None,
        withheld=opened.withheld,
    )


def _open(request: HttpRequest, assessment_id: UUID, detail: str) -> OpenedAssessment:
    try:
        return assessment_open(viewer=staff_of(request), public_id=assessment_id, channel=Channel.API, detail=detail)
    except JointAssessment.DoesNotExist as exc:
        raise Http404("No assessment with that id.") from exc


def _assessment_or_404(assessment_id: UUID) -> JointAssessment:
    assessment = JointAssessment.objects.select_related("person").filter(public_id=assessment_id).first()
    if assessment is None:
        raise Http404("No assessment with that id.")
    return assessment


def _person_or_404(person_id: UUID) -> Person:
    person = Person.objects.filter(public_id=person_id).first()
    if person is None:
        raise Http404("No person with that id.")
    return person


def _flag_or_404(flag_id: UUID) -> RiskFlag:
    flag = RiskFlag.objects.select_related("person", "assessment").filter(public_id=flag_id).first()
    if flag is None:
        raise Http404("No risk flag with that id.")
    return flag


@router.post("", response={201: AssessmentOut, **ERRORS}, summary="Start a joint assessment")
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Status[AssessmentOut]:
    person = _person_or_404(payload.person)
    assessment = services.assessment_start(person=person, by=staff_of(request), channel=Channel.API)
    return Status(201, _assessment_out(_open(request, assessment.public_id, "POST assessment (response)")))


@router.get("/{assessment_id}", response={200: AssessmentOut, **ERRORS}, summary="An assessment, as you may see it")
def get_assessment(request: HttpRequest, assessment_id: UUID) -> AssessmentOut:
    return _assessment_out(_open(request, assessment_id, "GET assessment"))


@router.patch(
    "/{assessment_id}",
    response={200: AssessmentOut, **ERRORS},
    summary="Save domains, diagnosis or children (R2: urgent needs create tasks)",
)
def patch_assessment(request: HttpRequest, assessment_id: UUID, payload: AssessmentPatch) -> AssessmentOut:
    assessment = _assessment_or_404(assessment_id)
    services.assessment_save(
        assessment=assessment,
        by=staff_of(request),
        channel=Channel.API,
        domains={d: services.DomainChange(notes=c.notes, need=c.need) for d, c in payload.domains.items()},
        diagnosis=payload.diagnosis,
        children_contact=payload.children_contact,
    )
    return _assessment_out(_open(request, assessment_id, "PATCH assessment (response)"))


@router.post("/{assessment_id}/complete", response={200: AssessmentOut, **ERRORS}, summary="Complete an assessment")
def complete_assessment(request: HttpRequest, assessment_id: UUID) -> AssessmentOut:
    assessment = _assessment_or_404(assessment_id)
    services.assessment_complete(assessment=assessment, by=staff_of(request), channel=Channel.API)
    return _assessment_out(_open(request, assessment_id, "complete assessment (response)"))


@router.post("/{assessment_id}/assessors", response={201: AssessorOut, **ERRORS}, summary="Add the second assessor")
def add_assessor(request: HttpRequest, assessment_id: UUID, payload: AssessorIn) -> Status[AssessorOut]:
    assessment = _assessment_or_404(assessment_id)
    user = User.objects.filter(public_id=payload.user, is_active=True).first()
    if user is None:
        raise ValidationError({"user": "No active member of staff with that id."})
    added = services.assessment_assessor_add(
        assessment=assessment, assessor=user, by=staff_of(request), channel=Channel.API
    )
    return Status(
        201,
        AssessorOut(
            user=user.public_id,
            name=user.display_name,
            organisation=added.organisation.public_id,
            organisation_name=added.organisation.name,
        ),
    )


@router.post("/{assessment_id}/substances", response={201: SubstanceOut, **ERRORS}, summary="Record a substance used")
def add_substance(request: HttpRequest, assessment_id: UUID, payload: SubstanceIn) -> Status[SubstanceOut]:
    assessment = _assessment_or_404(assessment_id)
    row = services.substance_add(
        assessment=assessment, by=staff_of(request), channel=Channel.API, **payload.model_dump()
    )
    return Status(201, _substance_out(row))


@router.delete(
    "/{assessment_id}/substances/{substance_id}",
    response={204: None, **ERRORS},
    summary="Remove a substance recorded in error",
)
def remove_substance(request: HttpRequest, assessment_id: UUID, substance_id: UUID) -> Status[None]:
    row = (
        SubstanceUse.objects.select_related("assessment__person")
        .filter(public_id=substance_id, assessment__public_id=assessment_id)
        .first()
    )
    if row is None:
        raise Http404("No substance with that id in this assessment.")
    services.substance_remove(substance_use=row, by=staff_of(request), channel=Channel.API)
    return Status(204, None)


@router.get(
    "/people/{person_id}/risk-flags",
    response={200: list[RiskFlagOut], **ERRORS},
    summary="A person's risk flags, current and ended (R13)",
)
def list_risk_flags(request: HttpRequest, person_id: UUID) -> list[RiskFlagOut]:
    try:
        found = risk_flags_open(viewer=staff_of(request), person_id=person_id, channel=Channel.API, detail="GET flags")
    except Person.DoesNotExist as exc:
        raise Http404("No person with that id.") from exc
    return [_flag_out(f) for f in [*found.current, *found.ended]]


@router.post("/people/{person_id}/risk-flags", response={201: RiskFlagOut, **ERRORS}, summary="Raise a risk flag (R13)")
def raise_risk_flag(request: HttpRequest, person_id: UUID, payload: RiskFlagIn) -> Status[RiskFlagOut]:
    person = _person_or_404(person_id)
    assessment = None
    if payload.assessment is not None:
        assessment = JointAssessment.objects.filter(public_id=payload.assessment, person=person).first()
        if assessment is None:
            raise ValidationError({"assessment": "No assessment of this person with that id."})
    flag = services.risk_flag_raise(
        person=person,
        kind=RiskKind(payload.kind),
        source=payload.source or "API",
        review_on=payload.review_on,
        note=payload.note,
        assessment=assessment,
        by=staff_of(request),
        channel=Channel.API,
    )
    return Status(201, _flag_out(flag))


@router.post("/risk-flags/{flag_id}/review", response={200: RiskFlagOut, **ERRORS}, summary="Review a risk flag (R13)")
def review_risk_flag(request: HttpRequest, flag_id: UUID, payload: RiskFlagReviewIn) -> RiskFlagOut:
    flag = _flag_or_404(flag_id)
    reviewed = services.risk_flag_review(
        flag=flag, review_on=payload.review_on, note=payload.note, by=staff_of(request), channel=Channel.API
    )
    return _flag_out(reviewed)


@router.post("/risk-flags/{flag_id}/end", response={200: RiskFlagOut, **ERRORS}, summary="End a risk flag (R13)")
def end_risk_flag(request: HttpRequest, flag_id: UUID, payload: RiskFlagEndIn) -> RiskFlagOut:
    flag = _flag_or_404(flag_id)
    ended = services.risk_flag_end(flag=flag, reason=payload.reason, by=staff_of(request), channel=Channel.API)
    return _flag_out(ended)


@router.get("/risk-flags/{flag_id}", response={200: RiskFlagOut, **ERRORS}, summary="One risk flag")
def get_risk_flag(request: HttpRequest, flag_id: UUID) -> RiskFlagOut:
    try:
        opened = risk_flag_open(viewer=staff_of(request), public_id=flag_id, channel=Channel.API, detail="GET flag")
    except RiskFlag.DoesNotExist as exc:
        raise Http404("No risk flag with that id.") from exc
    return _flag_out(opened.flag)
