"""JSON API for appointments (R4) and missed-appointment follow-up (R6): the same services, selectors and
permission function as the pages. A missed appointment's response includes the follow-up and its task."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.engagement import services
from coexist.engagement.models import ActionKind, ActionResult, Appointment, FollowUp, FollowUpAction, Mode
from coexist.engagement.rules import (
    SERIES_MAX_EVERY_DAYS,
    SERIES_MAX_OCCURRENCES,
    Attendance,
    PlanReview,
    is_missed,
)
from coexist.engagement.selectors import (
    appointments_of,
    check_starts_at,
    follow_up_actions,
    open_appointments_record,
    service_for,
    worker_named,
)
from coexist.interop.problems import ERRORS
from coexist.interop.schemas import Text2000
from coexist.people.models import Person

router = Router(tags=["appointments"])

ModeCode = Literal["in_person", "phone", "video", "home_visit"]
OutcomeCode = Literal[
    "attended_on_time", "arrived_late_seen", "arrived_late_not_seen", "cancelled_by_person", "did_not_attend",
    "cancelled_by_provider",
]  # fmt: skip
PlanReviewCode = Literal["", "unchanged", "changed"]
ActionKindCode = Literal["call", "text", "letter", "home_visit", "other_practitioners", "carers"]
ActionResultCode = Literal["reached", "not_reached", "message_left"]

# The Literal types above must list exactly the model's choices; checked at import.
assert set(ModeCode.__args__) == set(Mode.values)  # type: ignore[attr-defined]
assert set(OutcomeCode.__args__) == set(Attendance.values) - {Attendance.BOOKED}  # type: ignore[attr-defined]
assert set(PlanReviewCode.__args__) == {"", *PlanReview.values}  # type: ignore[attr-defined]
assert set(ActionKindCode.__args__) == set(ActionKind.values)  # type: ignore[attr-defined]
assert set(ActionResultCode.__args__) == set(ActionResult.values)  # type: ignore[attr-defined]


class WorkerOut(Schema):
    id: UUID
    name: str


class FollowUpTaskOut(Schema):
    id: UUID
    title: str
    priority: str
    status: str
    due_at: datetime
    assigned_to: WorkerOut | None


class ActionOut(Schema):
    kind: str
    result: str
    note: str
    at: datetime
    by: WorkerOut


class FollowUpOut(Schema):
    id: UUID
    appointment: UUID
    person: UUID
    risk_level: str
    missed_at: datetime
    due_at: datetime
    overdue: bool
    completed_at: datetime | None
    task: FollowUpTaskOut
    actions: list[ActionOut]


class AppointmentOut(Schema):
    id: UUID
    person: UUID
    service: UUID
    episode: UUID | None
    staff: WorkerOut
    second_staff: WorkerOut | None
    mode: str
    starts_at: datetime
    duration_minutes: int
    status: str = Field(..., description="NHS Data Dictionary attendance outcome; 'booked' until recorded.")
    outcome_recorded_at: datetime | None
    plan_reviewed: str = Field(..., description="R4: 'unchanged' or 'changed' when the person was seen, else ''.")
    plan_change: str
    follow_up: FollowUpOut | None = Field(None, description="R6: the follow-up a missed appointment created.")
    series: UUID | None = Field(None, description="The repeating series this appointment belongs to, if any.")


class AppointmentIn(Schema):
    """Book an appointment. The worker is you unless another member of the care team is named."""

    model_config = ConfigDict(extra="forbid")

    starts_at: datetime = Field(..., description="Within two years of now; without an offset, UK local time.")
    duration_minutes: int = Field(60, ge=1, le=480)
    mode: ModeCode = "in_person"
    staff: UUID | None = Field(None, description="You, or someone in the person's care team. Default: you.")
    second_staff: UUID | None = Field(None, description="A joint appointment's second worker, from the care team.")
    repeat_every_days: int | None = Field(
        None, ge=1, le=SERIES_MAX_EVERY_DAYS, description="Book a repeating series: the days between appointments."
    )
    occurrences: int = Field(
        1, ge=1, le=SERIES_MAX_OCCURRENCES, description="How many appointments in the series, counting the first."
    )


class CancelSeriesIn(Schema):
    """Cancel this appointment and the later ones of its series still booked; say who cancelled."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["cancelled_by_person", "cancelled_by_provider"]


class OutcomeIn(Schema):
    """R4: when the person was seen, say whether the plan was reviewed unchanged or what changed.
    R6: a missed appointment creates a follow-up and a task for the care coordinator."""

    model_config = ConfigDict(extra="forbid")

    outcome: OutcomeCode
    plan_reviewed: PlanReviewCode = ""
    plan_change: Text2000 = ""


class ActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: ActionKindCode
    result: ActionResultCode
    note: Text2000 = ""


def _worker(user: User | None) -> WorkerOut | None:
    return WorkerOut(id=user.public_id, name=user.display_name) if user is not None else None


def _follow_up_out(follow_up: FollowUp, actions: list[FollowUpAction] | None = None) -> FollowUpOut:
    task = follow_up.task
    return FollowUpOut(
        id=follow_up.public_id,
        appointment=follow_up.appointment.public_id,
        person=follow_up.person.public_id,
        risk_level=follow_up.risk_level,
        missed_at=follow_up.missed_at,
        due_at=follow_up.due_at,
        overdue=follow_up.is_open and follow_up.due_at < timezone.now(),
        completed_at=follow_up.completed_at,
        task=FollowUpTaskOut(
            id=task.public_id,
            title=task.title,
            priority=task.priority,
            status=task.status,
            due_at=task.due_at,
            assigned_to=_worker(task.assigned_to),
        ),
        actions=[
            ActionOut(kind=a.kind, result=a.result, note=a.note, at=a.at, by=_worker(a.by))  # type: ignore[arg-type]
            for a in (actions if actions is not None else follow_up_actions(follow_up))
        ],
    )


def _follow_up_of(appointment: Appointment) -> FollowUp | None:
    if not is_missed(appointment.status):
        return None
    try:
        return appointment.follow_up
    except FollowUp.DoesNotExist:
        return None


def _appointment_out(appointment: Appointment) -> AppointmentOut:
    follow_up = _follow_up_of(appointment)
    return AppointmentOut(
        id=appointment.public_id,
        person=appointment.person.public_id,
        service=appointment.service.public_id,
        episode=appointment.episode.public_id if appointment.episode_id and appointment.episode else None,
        staff=_worker(appointment.staff),  # type: ignore[arg-type]
        second_staff=_worker(appointment.second_staff),
        mode=appointment.mode,
        starts_at=appointment.starts_at,
        duration_minutes=appointment.duration_minutes,
        status=appointment.status,
        outcome_recorded_at=appointment.outcome_recorded_at,
        plan_reviewed=appointment.plan_reviewed,
        plan_change=appointment.plan_change,
        follow_up=_follow_up_out(follow_up) if follow_up is not None else None,
        series=appointment.series.public_id if appointment.series_id and appointment.series else None,
    )


def _person_or_404(person_id: UUID) -> Person:
    person = Person.objects.filter(public_id=person_id).first()
    if person is None:
        raise Http404("No person with that id.")
    return person


def _appointment_or_404(appointment_id: UUID) -> Appointment:
    appointment = (
        Appointment.objects.select_related("person", "service", "episode", "staff", "second_staff", "series")
        .filter(public_id=appointment_id)
        .first()
    )
    if appointment is None:
        raise Http404("No appointment with that id.")
    return appointment


@router.get(
    "/people/{person_id}",
    response={200: list[AppointmentOut], **ERRORS},
    summary="A person's appointments, oldest first, with any follow-ups",
)
def list_appointments(request: HttpRequest, person_id: UUID) -> list[AppointmentOut]:
    found = appointments_of(
        viewer=staff_of(request), person=_person_or_404(person_id), channel=Channel.API, detail="GET appointments"
    )
    rows = sorted([*found.upcoming, *found.past], key=lambda a: (a.starts_at, a.pk))
    return [_appointment_out(a) for a in rows]


@router.post("/people/{person_id}", response={201: AppointmentOut, **ERRORS}, summary="Book an appointment")
def book_appointment(request: HttpRequest, person_id: UUID, payload: AppointmentIn) -> Status[AppointmentOut]:
    person = _person_or_404(person_id)
    me = staff_of(request)
    open_appointments_record(viewer=me, person=person, channel=Channel.API, detail="book appointment", to_change=True)
    starts_at = check_starts_at(payload.starts_at)
    staff = worker_named(person, me, payload.staff, "staff") if payload.staff else me
    second = worker_named(person, me, payload.second_staff, "second_staff") if payload.second_staff else None
    service, episode = service_for(staff, person)
    appointment = services.appointment_book(
        person=person,
        service=service,
        staff=staff,
        second_staff=second,
        starts_at=starts_at,
        mode=payload.mode,
        duration_minutes=payload.duration_minutes,
        episode=episode,
        every_days=payload.repeat_every_days,
        occurrences=payload.occurrences,
        by=me,
        channel=Channel.API,
    )
    return Status(201, _appointment_out(appointment))


@router.post(
    "/{appointment_id}/cancel-series",
    response={200: list[AppointmentOut], **ERRORS},
    summary="Cancel this and the later booked appointments of its series (never a miss, so no follow-up)",
)
def cancel_series(request: HttpRequest, appointment_id: UUID, payload: CancelSeriesIn) -> list[AppointmentOut]:
    appointment = _appointment_or_404(appointment_id)
    cancelled = services.series_cancel_remaining(
        appointment=appointment, outcome=payload.outcome, by=staff_of(request), channel=Channel.API
    )
    return [_appointment_out(a) for a in cancelled]


@router.post(
    "/{appointment_id}/outcome",
    response={200: AppointmentOut, **ERRORS},
    summary="Record what happened (R4); a miss creates the R6 follow-up and its task",
)
def record_outcome(request: HttpRequest, appointment_id: UUID, payload: OutcomeIn) -> AppointmentOut:
    appointment = _appointment_or_404(appointment_id)
    recorded = services.appointment_record_outcome(
        appointment=appointment,
        outcome=payload.outcome,
        plan_reviewed=payload.plan_reviewed,
        plan_change=payload.plan_change,
        by=staff_of(request),
        channel=Channel.API,
    )
    return _appointment_out(recorded)


@router.post(
    "/follow-ups/{follow_up_id}/actions",
    response={201: FollowUpOut, **ERRORS},
    summary="Record an attempt to reach the person (R6); reaching them completes the follow-up",
)
def record_follow_up_action(request: HttpRequest, follow_up_id: UUID, payload: ActionIn) -> Status[FollowUpOut]:
    follow_up = (
        FollowUp.objects.select_related("appointment", "person", "task__assigned_to")
        .filter(public_id=follow_up_id)
        .first()
    )
    if follow_up is None:
        raise Http404("No follow-up with that id.")
    services.follow_up_record_action(
        follow_up=follow_up,
        kind=payload.kind,
        result=payload.result,
        note=payload.note,
        by=staff_of(request),
        channel=Channel.API,
    )
    follow_up = FollowUp.objects.select_related("appointment", "person", "task__assigned_to").get(pk=follow_up.pk)
    return Status(201, _follow_up_out(follow_up))
