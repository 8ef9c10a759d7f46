"""JSON API for groups and drop-in sessions (seed 002, R12): the same services, selectors and permission
function as the pages. Registers name only the people the caller may see (decision 0012)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.engagement.groups import selectors, services
from coexist.engagement.groups.rules import (
    MAX_ANONYMOUS_COUNT,
    MAX_DURATION_MINUTES,
    MAX_EVERY_DAYS,
    MAX_OCCURRENCES,
    MIN_DURATION_MINUTES,
    GroupAttendanceStatus,
)
from coexist.engagement.models import Group, GroupEnrolment, GroupSession
from coexist.interop.problems import ERRORS
from coexist.interop.schemas import Text200, Text2000
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision

router = Router(tags=["groups"])

MarkCode = Literal["attended", "did_not_attend", "apologies"]
assert set(MarkCode.__args__) == set(GroupAttendanceStatus.values)  # type: ignore[attr-defined]


class StaffOut(Schema):
    id: UUID
    name: str


class SessionOut(Schema):
    id: UUID
    group: UUID
    starts_at: datetime
    duration_minutes: int
    place: str
    facilitators: list[StaffOut]
    cancelled: bool
    cancel_reason: str
    named_attended: int = Field(..., description="People on the register marked attended (all, named or not to you).")
    anonymous_count: int = Field(..., description="R12: people who came without giving their name.")
    total_attended: int


class GroupOut(Schema):
    id: UUID
    name: str
    kind: str = Field(..., description="'programme' or 'drop_in'.")
    description: str
    service: UUID
    service_name: str
    next_session: SessionOut | None


class RegisterLineOut(Schema):
    person: UUID
    name: str
    enrolled: bool
    status: str | None = Field(None, description="attended, did_not_attend, apologies, or null if not recorded.")


class GroupDetailOut(GroupOut):
    sessions: list[SessionOut]
    enrolled: list[RegisterLineOut] = Field(..., description="People enrolled whom you may see.")
    enrolled_hidden: int = Field(..., description="People enrolled whose records you may not open (never named).")


class SessionDetailOut(SessionOut):
    attendance: list[RegisterLineOut] = Field(..., description="The register: people you may see.")
    attendance_hidden: int = Field(..., description="People on the register you may not see (never named).")


class ScheduleIn(Schema):
    """One session, or a set every `every_days` days. Each session can be changed on its own later."""

    model_config = ConfigDict(extra="forbid")

    first: datetime = Field(..., description="The first session's start; without an offset, UK local time.")
    duration_minutes: int = Field(90, ge=MIN_DURATION_MINUTES, le=MAX_DURATION_MINUTES)
    place: Text200 = Field(..., description="Where the sessions take place.")
    facilitators: list[UUID] = Field(..., min_length=1, description="Staff who run the sessions (at least one).")
    every_days: int = Field(7, ge=1, le=MAX_EVERY_DAYS)
    occurrences: int = Field(1, ge=1, le=MAX_OCCURRENCES)


class EnrolIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: UUID


class EnrolmentOut(Schema):
    id: UUID
    group: UUID
    person: UUID
    enrolled_at: datetime
    ended_at: datetime | None


class MarkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: UUID
    status: MarkCode


class AttendanceIn(Schema):
    """Marks for people on the register (enrolled in the group). A person not enrolled is enrolled first
    when `enrol` is true, which needs permission to change their record. Not an R6 missed appointment."""

    model_config = ConfigDict(extra="forbid")

    marks: list[MarkIn] = Field(..., min_length=1, max_length=200)
    enrol: bool = False


class AnonymousCountIn(Schema):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(..., ge=0, le=MAX_ANONYMOUS_COUNT, description="R12: people who came without giving a name.")


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text2000


def _staff(user: User) -> StaffOut:
    return StaffOut(id=user.public_id, name=user.display_name)


def _session_out(session: GroupSession) -> SessionOut:
    named = session.attendances.filter(status=GroupAttendanceStatus.ATTENDED).count()
    return SessionOut(
        id=session.public_id,
        group=session.group.public_id,
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
        place=session.place,
        facilitators=[_staff(u) for u in session.facilitators.all()],
        cancelled=session.is_cancelled,
        cancel_reason=session.cancel_reason,
        named_attended=named,
        anonymous_count=session.anonymous_count,
        total_attended=named + session.anonymous_count,
    )


def _group_out(group: Group) -> GroupOut:
    next_session = getattr(group, "next_session", None)
    return GroupOut(
        id=group.public_id,
        name=group.name,
        kind=group.kind,
        description=group.description,
        service=group.service.public_id,
        service_name=group.service.name,
        next_session=_session_out(next_session) if next_session else None,
    )


def _lines(register: selectors.Register) -> list[RegisterLineOut]:
    return [
        RegisterLineOut(
            person=line.person.public_id,
            name=line.person.full_name,
            enrolled=line.enrolment is not None,
            status=line.attendance.status if line.attendance else None,
        )
        for line in register.lines
    ]


def _group_or_404(group_id: UUID) -> Group:
    group = Group.objects.select_related("service").filter(public_id=group_id).first()
    if group is None:
        raise Http404("No group with that id.")
    return group


def _session_or_404(session_id: UUID) -> GroupSession:
    session = GroupSession.objects.select_related("group__service").filter(public_id=session_id).first()
    if session is None:
        raise Http404("No session with that id.")
    return session


def _person_or_404(person_id: UUID) -> Person:
    person = Person.objects.filter(public_id=person_id).first()
    if person is None:
        raise Http404(f"No person with the id {person_id}.")
    return person


@router.get(
    "", response={200: list[GroupOut], **ERRORS}, summary="Groups of the services you work in, with the next session"
)
def list_groups(request: HttpRequest) -> list[GroupOut]:
    return [_group_out(g) for g in selectors.groups_for(staff_of(request))]


@router.get(
    "/{group_id}", response={200: GroupDetailOut, **ERRORS}, summary="A group, its sessions and the people enrolled"
)
def group_detail(request: HttpRequest, group_id: UUID) -> GroupDetailOut:
    group = _group_or_404(group_id)
    me = staff_of(request)
    selectors.require_group(me, group)
    register = selectors.group_register(viewer=me, group=group, channel=Channel.API, detail="GET group")
    sessions = group.sessions.select_related("group").prefetch_related("facilitators").order_by("starts_at")
    return GroupDetailOut(
        **_group_out(group).model_dump(),
        sessions=[_session_out(s) for s in sessions],
        enrolled=_lines(register),
        enrolled_hidden=register.hidden,
    )


@router.post(
    "/{group_id}/sessions",
    response={201: list[SessionOut], **ERRORS},
    summary="Schedule one session or a repeating set",
)
def schedule_sessions(request: HttpRequest, group_id: UUID, payload: ScheduleIn) -> Status[list[SessionOut]]:
    group = _group_or_404(group_id)
    me = staff_of(request)
    facilitators = list(User.objects.filter(public_id__in=payload.facilitators, is_active=True))
    if len(facilitators) != len(set(payload.facilitators)):
        raise ValidationError({"facilitators": "Each facilitator must be an active member of staff."})
    sessions = services.group_sessions_schedule(
        group=group,
        first=payload.first,
        duration_minutes=payload.duration_minutes,
        place=payload.place,
        facilitators=facilitators,
        every_days=payload.every_days,
        occurrences=payload.occurrences,
        by=me,
        channel=Channel.API,
    )
    return Status(201, [_session_out(s) for s in sessions])


@router.post("/{group_id}/enrolments", response={201: EnrolmentOut, **ERRORS}, summary="Enrol a person in the group")
def enrol(request: HttpRequest, group_id: UUID, payload: EnrolIn) -> Status[EnrolmentOut]:
    group = _group_or_404(group_id)
    enrolment = services.group_enrol(
        group=group, person=_person_or_404(payload.person), by=staff_of(request), channel=Channel.API
    )
    return Status(201, _enrolment_out(enrolment))


def _enrolment_out(enrolment: GroupEnrolment) -> EnrolmentOut:
    return EnrolmentOut(
        id=enrolment.public_id,
        group=enrolment.group.public_id,
        person=enrolment.person.public_id,
        enrolled_at=enrolment.enrolled_at,
        ended_at=enrolment.ended_at,
    )


def _session_detail(request: HttpRequest, session: GroupSession, detail: str) -> SessionDetailOut:
    register = selectors.session_register(viewer=staff_of(request), session=session, channel=Channel.API, detail=detail)
    return SessionDetailOut(
        **_session_out(session).model_dump(), attendance=_lines(register), attendance_hidden=register.hidden
    )


@router.get("/sessions/{session_id}", response={200: SessionDetailOut, **ERRORS}, summary="A session and its register")
def session_detail(request: HttpRequest, session_id: UUID) -> SessionDetailOut:
    session = _session_or_404(session_id)
    selectors.require_group(staff_of(request), session.group)
    return _session_detail(request, session, "GET group session")


@router.post(
    "/sessions/{session_id}/attendance",
    response={200: SessionDetailOut, **ERRORS},
    summary="Record the register (by a facilitator); not an R6 missed appointment",
)
def record_attendance(request: HttpRequest, session_id: UUID, payload: AttendanceIn) -> SessionDetailOut:
    session = _session_or_404(session_id)
    me = staff_of(request)
    if not session.facilitators.filter(pk=me.pk).exists():
        raise AccessRefused(AccessDecision(False, "Only the session's facilitators record its register."))
    marks = {_person_or_404(m.person): m.status for m in payload.marks}
    if payload.enrol:
        enrolled = set(
            GroupEnrolment.objects.current().filter(group_id=session.group_id).values_list("person_id", flat=True)
        )
        for person, status in marks.items():
            if person.pk not in enrolled:
                services.group_register_add(session=session, person=person, status=status, by=me, channel=Channel.API)
        marks = {p: s for p, s in marks.items() if p.pk in enrolled}
    if marks:
        services.group_register_record(session=session, marks=marks, by=me, channel=Channel.API)
    session.refresh_from_db()
    return _session_detail(request, session, "record group register")


@router.put(
    "/sessions/{session_id}/anonymous-count",
    response={200: SessionOut, **ERRORS},
    summary="R12: how many came without giving their name",
)
def set_anonymous_count(request: HttpRequest, session_id: UUID, payload: AnonymousCountIn) -> SessionOut:
    session = _session_or_404(session_id)
    updated = services.group_register_record(
        session=session, marks={}, anonymous_count=payload.count, by=staff_of(request), channel=Channel.API
    )
    return _session_out(updated)


@router.post(
    "/sessions/{session_id}/cancel", response={200: SessionOut, **ERRORS}, summary="Cancel one session, with a reason"
)
def cancel_session(request: HttpRequest, session_id: UUID, payload: CancelIn) -> SessionOut:
    session = _session_or_404(session_id)
    cancelled = services.group_session_cancel(
        session=session, reason=payload.reason, by=staff_of(request), channel=Channel.API
    )
    return _session_out(cancelled)
