"""Reads of advice requests, scoped to the viewer and written to the access log. Advice requests are part
of the EPISODES part of the record (with tasks and the care team)."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from django.utils import timezone

from coexist.accounts.models import User
from coexist.advice import rules
from coexist.advice.models import AdviceRequest, AdviceStatus
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.care.models import EpisodeOfCare
from coexist.organisations.models import Membership
from coexist.people.permissions import AccessRefused, people_visible_to
from coexist.people.rules import AccessDecision, Action, RecordPart
from coexist.people.selectors import OpenedRecord, person_open

NOT_SHARED = AccessDecision(False, "You may not see this person's episodes of care, which advice requests are part of.")

_RELATED = ("person", "consultant", "asked_by", "answered_by", "withdrawn_by", "episode__service", "task")


def consultants() -> list[User]:
    """Everyone who works as an addictions consultant now, for the ask form."""
    ids = Membership.objects.current().filter(role=rules.CONSULTANT_ROLE, user__is_active=True).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk"))


def _refuse(*, viewer: User, record: OpenedRecord, channel: Channel, detail: str) -> None:
    access_log_append(
        actor=viewer,
        person_ids=[record.person.public_id],
        action=Action.READ,
        parts=[RecordPart.EPISODES],
        outcome=Outcome.REFUSED,
        basis=NOT_SHARED.basis,
        channel=channel,
        detail=detail,
    )
    raise AccessRefused(NOT_SHARED)


def open_for_episodes(*, viewer: User, person_id: UUID, channel: Channel, detail: str) -> OpenedRecord:
    """Open a person's record (logged), refusing (logged) unless the viewer may read episodes of care.
    Raises Person.DoesNotExist or AccessRefused."""
    record = person_open(viewer=viewer, public_id=person_id, channel=channel, detail=detail)
    if not record.can_read(RecordPart.EPISODES):
        _refuse(viewer=viewer, record=record, channel=channel, detail=detail)
    return record


def advice_of(record: OpenedRecord) -> list[AdviceRequest]:
    """A person's advice requests, newest first, for a viewer who has opened their record (the person page)."""
    if not record.can_read(RecordPart.EPISODES):
        return []
    return list(AdviceRequest.objects.filter(person=record.person).select_related(*_RELATED))


def person_advice(
    *, viewer: User, person_id: UUID, channel: Channel, detail: str
) -> tuple[OpenedRecord, list[AdviceRequest]]:
    record = open_for_episodes(viewer=viewer, person_id=person_id, channel=channel, detail=detail)
    return record, advice_of(record)


def advice_get(*, viewer: User, public_id: UUID, channel: Channel, detail: str) -> tuple[OpenedRecord, AdviceRequest]:
    """One advice request (the person's record opened and logged). Raises AdviceRequest.DoesNotExist or
    AccessRefused."""
    advice = AdviceRequest.objects.select_related(*_RELATED).get(public_id=public_id)
    record = open_for_episodes(viewer=viewer, person_id=advice.person.public_id, channel=channel, detail=detail)
    return record, advice


def open_episodes_of(record: OpenedRecord) -> list[EpisodeOfCare]:
    if not record.can_read(RecordPart.EPISODES):
        return []
    return list(
        EpisodeOfCare.objects.open().filter(person=record.person).select_related("service").order_by("-opened_at")
    )


@dataclass(frozen=True)
class WorklistLine:
    advice: AdviceRequest
    age: rules.Age


@dataclass
class Worklist:
    """The consultant's open requests (urgent first, then oldest first) and those answered recently."""

    open: list[WorklistLine] = field(default_factory=list)
    answered: list[AdviceRequest] = field(default_factory=list)


def advice_worklist(*, viewer: User, channel: Channel) -> Worklist:
    """Requests asked of the viewer, each listed person logged. Only people the viewer may still see are
    listed (a consultant whose care team place has ended no longer sees the question)."""
    now = timezone.now()
    # SECURITY: asked of this viewer, and only people they may see through the one permission module.
    mine = AdviceRequest.objects.filter(consultant=viewer, person__in=people_visible_to(viewer)).select_related(
        *_RELATED
    )
    open_requests = sorted(
        mine.filter(status=AdviceStatus.OPEN),
        key=lambda a: rules.worklist_key(urgent=a.urgent, asked_at=a.asked_at),
    )
    answered = list(
        mine.filter(status=AdviceStatus.ANSWERED, answered_at__gte=now - rules.RECENTLY_ANSWERED).order_by(
            "-answered_at"
        )
    )
    people = {a.person.public_id for a in [*open_requests, *answered]}
    if people:
        access_log_append(
            actor=viewer,
            person_ids=sorted(people),
            action=Action.READ,
            parts=[RecordPart.IDENTITY, RecordPart.EPISODES],
            outcome=Outcome.ALLOWED,
            basis="listed: advice requests asked of the viewer",
            channel=channel,
            detail="advice worklist",
        )
    return Worklist(
        open=[WorklistLine(a, rules.age(asked_at=a.asked_at, now=now)) for a in open_requests], answered=answered
    )
