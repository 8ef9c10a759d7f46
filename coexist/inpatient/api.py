"""API endpoints for inpatient stays (R9, R15), under /api/v1/inpatient: the same selectors, services and
permission function as the pages.

Errors are problem+json: 401 without a token; 403 when the permission function refuses (logged), or
for the ward list when the caller does not work on the ward; 404 for an unknown person, ward, admission
or leave; 422 for invalid input or a refused change, naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.inpatient import selectors, services
from coexist.inpatient.models import Admission, Leave, LeaveKind, LegalStatus
from coexist.interop.problems import ERRORS
from coexist.organisations.models import Service, ServiceKind, Team
from coexist.people.models import Person

router = Router(tags=["inpatient stays"])

LegalStatusCode = Literal[
    "informal", "section_2", "section_3", "section_4", "section_5_2", "section_136", "section_37", "other"
]
LeaveKindCode = Literal["escorted", "unescorted", "overnight"]
assert set(LegalStatusCode.__args__) == set(LegalStatus.values)  # type: ignore[attr-defined]
assert set(LeaveKindCode.__args__) == set(LeaveKind.values)  # type: ignore[attr-defined]


class LeaveOut(Schema):
    id: UUID
    kind: str
    starts_at: datetime
    ends_at: datetime
    returned_at: datetime | None
    purpose: str


class AdmissionOut(Schema):
    id: UUID
    person: UUID
    episode: UUID
    ward: UUID
    ward_name: str
    admitted_at: datetime
    legal_status: str
    detained: bool
    reason: str
    screen_done: bool = Field(description="R9/R15: a substance screen was recorded since admission.")
    screen_task: UUID | None
    ward_substance_worker: UUID | None
    ward_substance_worker_since: datetime | None
    on_leave_now: bool
    discharged_at: datetime | None
    leaves: list[LeaveOut]


class WardLineOut(Schema):
    admission: UUID
    person: UUID
    name: str
    admitted_at: datetime
    days_since_admission: int
    legal_status: str
    screen_done: bool
    ward_substance_worker: UUID | None
    on_leave_now: bool


class AdmitIn(Schema):
    """R9: admit a person to a ward you work on. `team` is one of your teams on the ward (optional when you
    have one). A substance screen task (R9) is created unless a screen was recorded since admission."""

    model_config = ConfigDict(extra="forbid")

    person: UUID
    ward: UUID
    admitted_at: datetime
    legal_status: LegalStatusCode = "informal"
    reason: str = Field("", max_length=5000)
    team: UUID | None = None


class WardWorkerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    worker: UUID


class LeaveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: LeaveKindCode
    starts_at: datetime
    ends_at: datetime
    purpose: str = Field("", max_length=5000)


class ReturnIn(Schema):
    model_config = ConfigDict(extra="forbid")

    returned_at: datetime


class LeaveAssessmentIn(Schema):
    """R9 (seed 002): an assessment by the community drug and alcohol service inside the leave window."""

    model_config = ConfigDict(extra="forbid")

    service: UUID
    staff: UUID
    starts_at: datetime
    duration_minutes: int = Field(60, ge=15, le=240)


class LeaveAppointmentOut(Schema):
    id: UUID
    service: UUID
    staff: UUID
    starts_at: datetime
    duration_minutes: int


def _leave_out(leave: Leave) -> LeaveOut:
    return LeaveOut(
        id=leave.public_id,
        kind=leave.kind,
        starts_at=leave.starts_at,
        ends_at=leave.ends_at,
        returned_at=leave.returned_at,
        purpose=leave.purpose,
    )


def _admission_out(view: selectors.AdmissionView) -> AdmissionOut:
    a = view.admission
    return AdmissionOut(
        id=a.public_id,
        person=a.person.public_id,
        episode=a.episode.public_id,
        ward=a.ward.public_id,
        ward_name=a.ward.name,
        admitted_at=a.admitted_at,
        legal_status=a.legal_status,
        detained=a.detained,
        reason=a.reason,
        screen_done=view.screen_done,
        screen_task=a.screen_task.public_id if a.screen_task else None,
        ward_substance_worker=a.ward_substance_worker.public_id if a.ward_substance_worker else None,
        ward_substance_worker_since=a.ward_substance_worker_since,
        on_leave_now=view.on_leave_now is not None,
        discharged_at=a.discharged_at,
        leaves=[_leave_out(x) for x in view.leaves],
    )


def _open(request: HttpRequest, admission_id: UUID, detail: str) -> selectors.AdmissionView:
    try:
        return selectors.admission_get(
            viewer=staff_of(request), public_id=admission_id, channel=Channel.API, detail=detail
        )
    except Admission.DoesNotExist as exc:
        raise Http404("No admission with that id.") from exc


def _unopened(admission_id: UUID) -> Admission:
    admission = Admission.objects.select_related("person", "episode", "ward").filter(public_id=admission_id).first()
    if admission is None:
        raise Http404("No admission with that id.")
    return admission


def _leave(leave_id: UUID) -> Leave:
    leave = Leave.objects.select_related("admission__person", "admission__ward").filter(public_id=leave_id).first()
    if leave is None:
        raise Http404("No leave with that id.")
    return leave


def _user(public_id: UUID, what: str) -> User:
    user = User.objects.filter(public_id=public_id).first()
    if user is None:
        raise Http404(f"No {what} with that id.")
    return user


@router.post("/admissions", response={201: AdmissionOut, **ERRORS}, summary="Admit a person to a ward (R9)")
def admit(request: HttpRequest, payload: AdmitIn) -> Status[AdmissionOut]:
    person = Person.objects.filter(public_id=payload.person).first()
    if person is None:
        raise Http404("No person with that id.")
    ward = Service.objects.filter(public_id=payload.ward, kind=ServiceKind.INPATIENT_WARD).first()
    if ward is None:
        raise Http404("No ward with that id.")
    team = None
    if payload.team is not None:
        team = Team.objects.filter(public_id=payload.team).first()
        if team is None:
            raise Http404("No team with that id.")
    admission = services.admission_record(
        person=person, ward=ward, admitted_at=payload.admitted_at, legal_status=payload.legal_status,
        reason=payload.reason, team=team, by=staff_of(request), channel=Channel.API,
    )  # fmt: skip
    return Status(201, _admission_out(_open(request, admission.public_id, "POST admission (response)")))


@router.get("/admissions/{admission_id}", response={200: AdmissionOut, **ERRORS}, summary="One ward stay")
def get_admission(request: HttpRequest, admission_id: UUID) -> AdmissionOut:
    return _admission_out(_open(request, admission_id, "GET admission"))


@router.post(
    "/admissions/{admission_id}/ward-worker",
    response={200: AdmissionOut, **ERRORS},
    summary="Name the ward substance misuse worker from the drug and alcohol service (R9)",
)
def ward_worker(request: HttpRequest, admission_id: UUID, payload: WardWorkerIn) -> AdmissionOut:
    admission = _unopened(admission_id)
    worker = _user(payload.worker, "member of staff")
    services.admission_assign_ward_worker(admission=admission, worker=worker, by=staff_of(request), channel=Channel.API)
    return _admission_out(_open(request, admission_id, "POST ward worker (response)"))


@router.post(
    "/admissions/{admission_id}/leaves", response={201: LeaveOut, **ERRORS}, summary="Record leave from the ward"
)
def record_leave(request: HttpRequest, admission_id: UUID, payload: LeaveIn) -> Status[LeaveOut]:
    admission = _unopened(admission_id)
    leave = services.leave_record(
        admission=admission, kind=payload.kind, starts_at=payload.starts_at, ends_at=payload.ends_at,
        purpose=payload.purpose, by=staff_of(request), channel=Channel.API,
    )  # fmt: skip
    return Status(201, _leave_out(leave))


@router.post("/leaves/{leave_id}/return", response={200: LeaveOut, **ERRORS}, summary="Record return from leave")
def record_return(request: HttpRequest, leave_id: UUID, payload: ReturnIn) -> LeaveOut:
    leave = services.leave_return(
        leave=_leave(leave_id), returned_at=payload.returned_at, by=staff_of(request), channel=Channel.API
    )
    return _leave_out(leave)


@router.post(
    "/leaves/{leave_id}/assessment",
    response={201: LeaveAppointmentOut, **ERRORS},
    summary="Book an assessment by the community drug and alcohol service during leave (R9)",
)
def book_assessment(request: HttpRequest, leave_id: UUID, payload: LeaveAssessmentIn) -> Status[LeaveAppointmentOut]:
    leave = _leave(leave_id)
    service = Service.objects.filter(public_id=payload.service).first()
    if service is None:
        raise Http404("No service with that id.")
    staff = _user(payload.staff, "member of staff")
    appointment = services.leave_book_assessment(
        leave=leave, service=service, staff=staff, starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes, by=staff_of(request), channel=Channel.API,
    )  # fmt: skip
    return Status(
        201,
        LeaveAppointmentOut(
            id=appointment.public_id,
            service=service.public_id,
            staff=staff.public_id,
            starts_at=appointment.starts_at,
            duration_minutes=appointment.duration_minutes,
        ),
    )


@router.get("/wards/{service_id}", response={200: list[WardLineOut], **ERRORS}, summary="A ward's current admissions")
def ward_list(request: HttpRequest, service_id: UUID) -> list[WardLineOut]:
    ward = Service.objects.filter(public_id=service_id, kind=ServiceKind.INPATIENT_WARD).first()
    if ward is None:
        raise Http404("No ward with that id.")
    lines = selectors.ward_list(viewer=staff_of(request), ward=ward, channel=Channel.API)
    return [
        WardLineOut(
            admission=line.admission.public_id,
            person=line.admission.person.public_id,
            name=line.admission.person.full_name,
            admitted_at=line.admission.admitted_at,
            days_since_admission=line.days,
            legal_status=line.admission.legal_status,
            screen_done=line.screen_done,
            ward_substance_worker=(
                line.admission.ward_substance_worker.public_id if line.admission.ward_substance_worker else None
            ),
            on_leave_now=line.on_leave,
        )
        for line in lines
    ]
