"""API endpoints for discharges and transfers, under /api/v1/transitions: the same selectors, services and permission
function as the pages.

Errors are problem+json: 401 without a token; 403 when the permission function refuses (logged); 404 for an
unknown episode, transition, team or member of staff; 422 for invalid input or a refused change, naming the
field (`checklist` lists every open item when a discharge or transfer is refused).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.care.models import EpisodeOfCare
from coexist.interop.problems import ERRORS
from coexist.organisations.models import Team
from coexist.transitions.models import Transition
from coexist.transitions.rules import ChecklistItem
from coexist.transitions.selectors import checklist_for, discharge_figures_for, incoming_for, transition_get
from coexist.transitions.services import (
    transition_answer,
    transition_complete,
    transition_housing,
    transition_invite,
    transition_send,
    transition_start,
)
from coexist.transitions.views import parse_period

router = Router(tags=["discharges and transfers"])

Text = Field("", max_length=5000)


class ChecklistItemOut(Schema):
    key: str
    title: str
    met: bool
    applies: bool
    explanation: str
    overridden: bool = False


class TransitionOut(Schema):
    id: UUID
    person: UUID
    episode: UUID
    kind: str
    status: str
    discharge_reason: str
    to_team: UUID | None
    planned_for: date | None
    meeting_at: datetime | None
    invitees: list[UUID]
    housing_support: str
    checklist: list[ChecklistItemOut]
    override_by: UUID | None
    override_reason: str
    follow_up_task: UUID | None
    new_coordinator: UUID | None
    decline_reason: str


class TransitionStartIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["discharge", "transfer"]
    to_team: UUID | None = None
    discharge_reason: str = Field("", max_length=32)
    planned_for: date | None = None
    destination: str = Text


class InviteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    meeting_at: datetime
    invitees: list[UUID] = Field(..., max_length=100)


class HousingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    housing_support: Literal["in_place", "not_needed", "not_arranged"]
    note: str = Text


class FinishIn(Schema):
    """Leave `override_reason` empty unless a senior clinician overrides open items (R8)."""

    model_config = ConfigDict(extra="forbid")

    override_reason: str = Text


class TransitionAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    accept: bool
    new_coordinator: UUID | None = None
    decline_code: str = Field("", max_length=32)
    decline_reason: str = Text


class IncomingOut(Schema):
    id: UUID
    person: UUID
    person_name: str
    from_team: str
    to_team: str
    requested_at: datetime | None


class OverrideOut(Schema):
    transition: UUID
    person: UUID
    completed_at: datetime
    by: str
    reason: str
    items: list[str]


class FiguresOut(Schema):
    start: date
    end: date
    services: list[str]
    discharges: int
    on_opiate_substitution: int
    with_continuity: int
    continuity_share: int | None
    opioid_users: int
    naloxone_offered: int
    naloxone_share: int | None
    followed_up_72h: int
    follow_up_share: int | None
    dose_days_median: float | None
    dose_days_min: int | None
    dose_days_max: int | None
    overrides: list[OverrideOut]


def _items(transition: Transition) -> list[ChecklistItemOut]:
    overridden = set(transition.overridden_items)
    if transition.is_open:
        items: list[ChecklistItem] = checklist_for(transition)
        return [ChecklistItemOut(**i.as_dict(), overridden=i.key in overridden) for i in items]  # type: ignore[arg-type]
    return [
        ChecklistItemOut(key=str(i.get("key", "")), title=str(i.get("title", "")), met=bool(i.get("met")),
                applies=bool(i.get("applies")), explanation=str(i.get("explanation", "")),
                overridden=i.get("key") in overridden)
        for i in transition.checklist_at_completion
    ]  # fmt: skip


def _out(request: HttpRequest, transition_id: UUID, detail: str) -> TransitionOut:
    try:
        _, t = transition_get(viewer=staff_of(request), public_id=transition_id, channel=Channel.API, detail=detail)
    except Transition.DoesNotExist as exc:
        raise Http404("No discharge or transfer with that id.") from exc
    return TransitionOut(
        id=t.public_id, person=t.person.public_id, episode=t.episode.public_id, kind=t.kind, status=t.status,
        discharge_reason=t.discharge_reason, to_team=t.to_team.public_id if t.to_team else None,
        planned_for=t.planned_for, meeting_at=t.meeting_at,
        invitees=[i.user.public_id for i in t.invitees.select_related("user")],
        housing_support=t.housing_support, checklist=_items(t),
        override_by=t.override_by.public_id if t.override_by else None, override_reason=t.override_reason,
        follow_up_task=t.follow_up_task.public_id if t.follow_up_task else None,
        new_coordinator=t.new_coordinator.public_id if t.new_coordinator else None, decline_reason=t.decline_reason,
    )  # fmt: skip


def _unopened(transition_id: UUID) -> Transition:
    found = (
        Transition.objects.select_related("person", "episode", "to_team__service")
        .filter(public_id=transition_id)
        .first()
    )
    if found is None:
        raise Http404("No discharge or transfer with that id.")
    return found


def _staff(ids: list[UUID], field: str) -> list[User]:
    wanted = list(dict.fromkeys(ids))
    found = {u.public_id: u for u in User.objects.filter(public_id__in=wanted)}
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ValidationError({field: f"No member of staff with id {', '.join(missing)}."})
    return [found[i] for i in wanted]


@router.get("/incoming", response={200: list[IncomingOut], **ERRORS}, summary="Transfers waiting for your teams")
def incoming(request: HttpRequest) -> list[IncomingOut]:
    return [
        IncomingOut(id=t.public_id, person=t.person.public_id, person_name=t.person.full_name,
                    from_team=str(t.episode.team), to_team=str(t.to_team), requested_at=t.requested_at)
        for t in incoming_for(viewer=staff_of(request), channel=Channel.API)
    ]  # fmt: skip


@router.get("/figures", response={200: FiguresOut, **ERRORS}, summary="Ward discharge figures for a period (R9)")
def figures(
    request: HttpRequest,
    start: str = Query("", alias="from", max_length=32),  # type: ignore[type-arg]
    end: str = Query("", alias="to", max_length=32),  # type: ignore[type-arg]
) -> FiguresOut:
    start_on, end_on, errors = parse_period(start, end, today=timezone.localdate())
    if errors or start_on is None or end_on is None:
        raise ValidationError(errors)
    page = discharge_figures_for(viewer=staff_of(request), start=start_on, end=end_on, channel=Channel.API)
    f = page.figures
    return FiguresOut(
        start=page.start, end=page.end, services=page.services, discharges=f.discharges,
        on_opiate_substitution=f.on_opiate_substitution, with_continuity=f.with_continuity,
        continuity_share=f.continuity_share, opioid_users=f.opioid_users, naloxone_offered=f.naloxone_offered,
        naloxone_share=f.naloxone_share, followed_up_72h=f.followed_up_72h, follow_up_share=f.follow_up_share,
        dose_days_median=f.dose_days_median, dose_days_min=f.dose_days_min, dose_days_max=f.dose_days_max,
        overrides=[
            OverrideOut(transition=r.transition.public_id, person=r.transition.person.public_id,
                        completed_at=r.completed_at, by=r.by, reason=r.reason, items=r.items)
            for r in page.overrides
        ],
    )  # fmt: skip


@router.post(
    "/episodes/{episode_id}/start", response={201: TransitionOut, **ERRORS}, summary="Start a discharge or transfer"
)
def start(request: HttpRequest, episode_id: UUID, payload: TransitionStartIn) -> Status[TransitionOut]:
    episode = EpisodeOfCare.objects.select_related("person", "service", "team").filter(public_id=episode_id).first()
    if episode is None:
        raise Http404("No episode of care with that id.")
    to_team = None
    if payload.to_team is not None:
        to_team = Team.objects.select_related("service").filter(public_id=payload.to_team).first()
        if to_team is None:
            raise ValidationError({"to_team": "No team with that id."})
    created = transition_start(
        episode=episode, kind=payload.kind, to_team=to_team, discharge_reason=payload.discharge_reason,
        planned_for=payload.planned_for, destination=payload.destination, by=staff_of(request), channel=Channel.API,
    )  # fmt: skip
    return Status(201, _out(request, created.public_id, "POST start transition (response)"))


@router.get(
    "/{transition_id}", response={200: TransitionOut, **ERRORS}, summary="A discharge or transfer and its checklist"
)
def get_transition(request: HttpRequest, transition_id: UUID) -> TransitionOut:
    return _out(request, transition_id, "GET transition checklist")


@router.post(
    "/{transition_id}/invite", response={200: TransitionOut, **ERRORS}, summary="Set the meeting and invitees (R8)"
)
def invite(request: HttpRequest, transition_id: UUID, payload: InviteIn) -> TransitionOut:
    transition = _unopened(transition_id)
    transition_invite(
        transition=transition, users=_staff(payload.invitees, "invitees"), meeting_at=payload.meeting_at,
        by=staff_of(request), channel=Channel.API,
    )  # fmt: skip
    return _out(request, transition_id, "POST transition invite (response)")


@router.post("/{transition_id}/housing", response={200: TransitionOut, **ERRORS}, summary="Record housing support (R8)")
def housing(request: HttpRequest, transition_id: UUID, payload: HousingIn) -> TransitionOut:
    transition = _unopened(transition_id)
    transition_housing(
        transition=transition, support=payload.housing_support, note=payload.note, by=staff_of(request),
        channel=Channel.API,
    )  # fmt: skip
    return _out(request, transition_id, "POST transition housing (response)")


@router.post(
    "/{transition_id}/complete", response={200: TransitionOut, **ERRORS}, summary="Complete a discharge (R8, R9)"
)
def complete(request: HttpRequest, transition_id: UUID, payload: FinishIn) -> TransitionOut:
    transition = _unopened(transition_id)
    transition_complete(
        transition=transition, by=staff_of(request), channel=Channel.API, override_reason=payload.override_reason
    )
    return _out(request, transition_id, "POST transition complete (response)")


@router.post("/{transition_id}/send", response={200: TransitionOut, **ERRORS}, summary="Send a transfer for acceptance")
def send(request: HttpRequest, transition_id: UUID, payload: FinishIn) -> TransitionOut:
    transition = _unopened(transition_id)
    transition_send(
        transition=transition, by=staff_of(request), channel=Channel.API, override_reason=payload.override_reason
    )
    return _out(request, transition_id, "POST transition send (response)")


@router.post("/{transition_id}/answer", response={200: TransitionOut, **ERRORS}, summary="Accept or decline a transfer")
def answer(request: HttpRequest, transition_id: UUID, payload: TransitionAnswerIn) -> TransitionOut:
    transition = _unopened(transition_id)
    coordinator = _staff([payload.new_coordinator], "new_coordinator")[0] if payload.new_coordinator else None
    transition_answer(
        transition=transition, by=staff_of(request), channel=Channel.API, accept=payload.accept,
        new_coordinator=coordinator, decline_code=payload.decline_code, decline_reason=payload.decline_reason,
    )  # fmt: skip
    return _out(request, transition_id, "POST transition answer (response)")
