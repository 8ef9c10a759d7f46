"""API endpoints for advice requests to the addictions consultant (seeds 001, 002), under /api/v1/advice:
the same selectors, services and permission function as the pages.

Errors are problem+json: 401 without a token; 403 when the permission function refuses (logged); 404 for
an unknown person, consultant, episode or request; 422 for invalid input or a refused change, naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.advice import selectors, services
from coexist.advice.models import AdviceRequest
from coexist.audit.models import Channel
from coexist.care.models import EpisodeOfCare
from coexist.interop.problems import ERRORS
from coexist.people.models import Person

router = Router(tags=["advice requests"])


class AdviceOut(Schema):
    id: UUID
    person: UUID
    episode: UUID | None
    consultant: UUID
    consultant_name: str
    asked_by: UUID
    asked_at: datetime
    urgent: bool
    question: str
    status: str
    answer: str
    answered_at: datetime | None
    withdrawn_at: datetime | None
    withdraw_reason: str
    task: UUID | None
    due_at: datetime | None


class WorklistLineOut(AdviceOut):
    age_days: int
    age_hours: int


class WorklistOut(Schema):
    open: list[WorklistLineOut] = Field(description="Waiting for an answer: urgent first, then oldest first.")
    answered: list[AdviceOut] = Field(description="Answered in the last 14 days, newest first.")


class AskIn(Schema):
    """Ask a named addictions consultant. They join the person's care team (if not in it) so they can read the
    record; their task is due in 2 working days, or the same day when urgent."""

    model_config = ConfigDict(extra="forbid")

    person: UUID
    consultant: UUID
    question: str = Field(..., max_length=5000)
    urgent: bool = False
    episode: UUID | None = None


class AdviceAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(..., max_length=5000)


class AdviceWithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(..., max_length=5000)


def _out(a: AdviceRequest) -> dict[str, Any]:
    return {
        "id": a.public_id,
        "person": a.person.public_id,
        "episode": a.episode.public_id if a.episode else None,
        "consultant": a.consultant.public_id,
        "consultant_name": a.consultant.display_name,
        "asked_by": a.asked_by.public_id,
        "asked_at": a.asked_at,
        "urgent": a.urgent,
        "question": a.question,
        "status": a.status,
        "answer": a.answer,
        "answered_at": a.answered_at,
        "withdrawn_at": a.withdrawn_at,
        "withdraw_reason": a.withdraw_reason,
        "task": a.task.public_id if a.task else None,
        "due_at": a.task.due_at if a.task else None,
    }


def _open(request: HttpRequest, public_id: UUID, detail: str) -> AdviceRequest:
    try:
        return selectors.advice_get(viewer=staff_of(request), public_id=public_id, channel=Channel.API, detail=detail)[
            1
        ]
    except AdviceRequest.DoesNotExist as exc:
        raise Http404("No advice request with that id.") from exc


def _unopened(public_id: UUID) -> AdviceRequest:
    advice = AdviceRequest.objects.select_related("person", "consultant").filter(public_id=public_id).first()
    if advice is None:
        raise Http404("No advice request with that id.")
    return advice


@router.post("", response={201: AdviceOut, **ERRORS}, summary="Ask the addictions consultant a question")
def ask(request: HttpRequest, payload: AskIn) -> Status[AdviceOut]:
    person = Person.objects.filter(public_id=payload.person).first()
    if person is None:
        raise Http404("No person with that id.")
    consultant = User.objects.filter(public_id=payload.consultant).first()
    if consultant is None:
        raise Http404("No member of staff with that id.")
    episode = None
    if payload.episode is not None:
        episode = EpisodeOfCare.objects.filter(public_id=payload.episode).first()
        if episode is None:
            raise Http404("No episode of care with that id.")
    advice = services.advice_ask(
        person=person, consultant=consultant, question=payload.question, urgent=payload.urgent, episode=episode,
        by=staff_of(request), channel=Channel.API,
    )  # fmt: skip
    return Status(201, AdviceOut(**_out(_open(request, advice.public_id, "POST advice request (response)"))))


@router.get("/worklist", response={200: WorklistOut, **ERRORS}, summary="Advice requests asked of me, with their age")
def worklist(request: HttpRequest) -> WorklistOut:
    lines = selectors.advice_worklist(viewer=staff_of(request), channel=Channel.API)
    return WorklistOut(
        open=[WorklistLineOut(**_out(x.advice), age_days=x.age.days, age_hours=x.age.hours) for x in lines.open],
        answered=[AdviceOut(**_out(a)) for a in lines.answered],
    )


@router.get("/people/{person_id}", response={200: list[AdviceOut], **ERRORS}, summary="A person's advice requests")
def for_person(request: HttpRequest, person_id: UUID) -> list[AdviceOut]:
    try:
        _, requests = selectors.person_advice(
            viewer=staff_of(request), person_id=person_id, channel=Channel.API, detail="GET advice requests"
        )
    except Person.DoesNotExist as exc:
        raise Http404("No person with that id.") from exc
    return [AdviceOut(**_out(a)) for a in requests]


@router.get("/{advice_id}", response={200: AdviceOut, **ERRORS}, summary="One advice request")
def get_one(request: HttpRequest, advice_id: UUID) -> AdviceOut:
    return AdviceOut(**_out(_open(request, advice_id, "GET advice request")))


@router.post("/{advice_id}/answer", response={200: AdviceOut, **ERRORS}, summary="Answer (the consultant asked)")
def answer(request: HttpRequest, advice_id: UUID, payload: AdviceAnswerIn) -> AdviceOut:
    services.advice_answer(
        advice=_unopened(advice_id), answer=payload.answer, by=staff_of(request), channel=Channel.API
    )
    return AdviceOut(**_out(_open(request, advice_id, "POST advice answer (response)")))


@router.post("/{advice_id}/withdraw", response={200: AdviceOut, **ERRORS}, summary="Withdraw (the asker)")
def withdraw(request: HttpRequest, advice_id: UUID, payload: AdviceWithdrawIn) -> AdviceOut:
    services.advice_withdraw(
        advice=_unopened(advice_id), reason=payload.reason, by=staff_of(request), channel=Channel.API
    )
    return AdviceOut(**_out(_open(request, advice_id, "POST advice withdraw (response)")))
