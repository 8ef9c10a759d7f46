"""JSON API for episodes of care, the care team and the team leader's list: the same selectors,
services and permission function as the pages.

Errors are problem+json: 401 without a token; 403 when the permission function refuses (with its
reason; logged); 404 for an unknown person, episode or care team place; 422 for invalid input or a
refused change (for example a peer support worker named as care coordinator, R3), naming the field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.assessments.models import RiskFlag
from coexist.audit.models import Channel
from coexist.care import services
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.care.reviews.selectors import EpisodeReviewDue
from coexist.care.rules import CARE_TEAM_ROLES, FollowUpFigure
from coexist.care.selectors import (
    TeamWorklist,
    care_team_of,
    episode_get,
    episodes_of,
    organisations_of,
    team_leader_list,
)
from coexist.engagement.models import FollowUp
from coexist.interop.problems import ERRORS
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, RecordPart
from coexist.people.selectors import OpenedRecord, person_open

router = Router(tags=["care"])

CareTeamRole = Literal[
    "substance_misuse_worker", "ward_nurse", "psychiatrist", "addictions_consultant", "peer_support_worker",
    "team_leader", "dual_diagnosis_lead", "service_manager",
]  # fmt: skip
assert set(CareTeamRole.__args__) == set(CARE_TEAM_ROLES)  # type: ignore[attr-defined]


class StaffRef(Schema):
    id: UUID
    name: str


class PersonRef(Schema):
    id: UUID
    nhs_number: str | None
    given_name: str
    family_name: str


class ServiceRef(Schema):
    id: UUID
    name: str
    kind: str
    organisation: str


class TeamRef(Schema):
    id: UUID
    name: str


class CareTeamMemberOut(Schema):
    id: UUID
    person: UUID
    episode: UUID | None
    user: StaffRef
    organisations: list[str]
    role: str
    started_on: date
    ended_on: date | None


class EpisodeOut(Schema):
    id: UUID
    person: UUID
    service: ServiceRef
    team: TeamRef
    status: str
    coordinator: StaffRef | None
    coordinator_since: date | None
    referral: UUID | None
    opened_at: datetime
    finished_at: datetime | None
    care_team: list[CareTeamMemberOut] | None = None


class CoordinatorIn(Schema):
    """R3: the member of staff to name as care coordinator (their id)."""

    model_config = ConfigDict(extra="forbid")

    coordinator: UUID


class CareTeamIn(Schema):
    """A worker from any organisation joining the care team. The care coordinator is named on the episode."""

    model_config = ConfigDict(extra="forbid")

    user: UUID
    role: CareTeamRole
    episode: UUID | None = None
    started_on: date | None = None


class CareTeamEndIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ended_on: date | None = None


class EpisodeSummary(Schema):
    id: UUID
    person: PersonRef
    service: str
    opened_at: datetime


class FlagSummary(Schema):
    id: UUID
    person: PersonRef
    kind: str
    review_on: date


class FollowUpSummary(Schema):
    """R6: a missed appointment whose follow-up is past its due time."""

    id: UUID
    person: PersonRef
    missed_appointment_at: datetime
    due_at: datetime
    overdue_minutes: int
    owner: StaffRef | None
    url: str


class FollowUpFigureOut(Schema):
    """QS188 statement 4 (see `coexist.care.rules.qs188_statement_4` for what each number counts)."""

    period_start: datetime
    period_end: datetime
    missed: int
    decided: int
    followed_up: int
    on_time: int
    late: int
    overdue: int
    not_yet_due: int
    on_time_share: int | None
    discharged_for_non_attendance: int


class ReviewDueSummary(Schema):
    """R7: an open episode whose multi-agency case review is overdue or due within 28 days."""

    episode: UUID
    person: PersonRef
    service: str
    due_on: date
    state: str
    scheduled_review: UUID | None
    url: str


class TeamWorklistOut(Schema):
    team: TeamRef
    service: str
    secondary_open: int
    with_coordinator: int
    with_screen: int
    coordinator_share: int | None
    screen_share: int | None
    follow_up_figure: FollowUpFigureOut | None
    without_coordinator: list[EpisodeSummary]
    without_screen: list[EpisodeSummary]
    overdue_flags: list[FlagSummary]
    overdue_follow_ups: list[FollowUpSummary]
    reviews_due: list[ReviewDueSummary]


def _staff_ref(user: User) -> StaffRef:
    return StaffRef(id=user.public_id, name=user.display_name)


def _person_ref(person: Person) -> PersonRef:
    return PersonRef(
        id=person.public_id, nhs_number=person.nhs_number, given_name=person.given_name, family_name=person.family_name
    )


def _member_out(member: CareTeamMember) -> CareTeamMemberOut:
    return CareTeamMemberOut(
        id=member.public_id,
        person=member.person.public_id,
        episode=member.episode.public_id if member.episode else None,
        user=_staff_ref(member.user),
        organisations=getattr(member, "organisations", None) or organisations_of(member),
        role=member.role,
        started_on=member.started_on,
        ended_on=member.ended_on,
    )


def _episode_out(episode: EpisodeOfCare, care_team: list[CareTeamMember] | None = None) -> EpisodeOut:
    return EpisodeOut(
        id=episode.public_id,
        person=episode.person.public_id,
        service=ServiceRef(
            id=episode.service.public_id,
            name=episode.service.name,
            kind=episode.service.kind,
            organisation=episode.service.organisation.name,
        ),
        team=TeamRef(id=episode.team.public_id, name=episode.team.name),
        status=episode.status,
        coordinator=_staff_ref(episode.coordinator) if episode.coordinator else None,
        coordinator_since=episode.coordinator_since,
        referral=episode.referral.public_id if episode.referral else None,
        opened_at=episode.opened_at,
        finished_at=episode.finished_at,
        care_team=None if care_team is None else [_member_out(m) for m in care_team],
    )


def _open_person(request: HttpRequest, person_id: UUID, detail: str) -> OpenedRecord:
    try:
        record = person_open(viewer=staff_of(request), public_id=person_id, channel=Channel.API, detail=detail)
    except Person.DoesNotExist as exc:
        raise Http404("No person with that id.") from exc
    if not record.can_read(RecordPart.EPISODES):
        raise AccessRefused(
            AccessDecision(False, "The person has not agreed to share their episodes of care with your organisation.")
        )
    return record


def _open_episode(request: HttpRequest, episode_id: UUID, detail: str) -> tuple[OpenedRecord, EpisodeOfCare]:
    try:
        return episode_get(viewer=staff_of(request), public_id=episode_id, channel=Channel.API, detail=detail)
    except EpisodeOfCare.DoesNotExist as exc:
        raise Http404("No episode of care with that id.") from exc


def _staff_member(public_id: UUID, field: str) -> User:
    user = User.objects.filter(public_id=public_id).first()
    if user is None:
        raise ValidationError({field: "No member of staff with that id."})
    return user


@router.get(
    "/people/{person_id}/episodes",
    response={200: list[EpisodeOut], **ERRORS},
    summary="A person's episodes of care, open first",
)
def list_episodes(request: HttpRequest, person_id: UUID) -> list[EpisodeOut]:
    record = _open_person(request, person_id, "GET episodes")
    return [_episode_out(episode) for episode in episodes_of(record)]


@router.get(
    "/people/{person_id}/care-team",
    response={200: list[CareTeamMemberOut], **ERRORS},
    summary="A person's current care team, across organisations",
)
def list_care_team(request: HttpRequest, person_id: UUID) -> list[CareTeamMemberOut]:
    record = _open_person(request, person_id, "GET care team")
    return [_member_out(member) for member in care_team_of(record)]


@router.post(
    "/people/{person_id}/care-team",
    response={201: CareTeamMemberOut, **ERRORS},
    summary="Add a worker from any organisation to the care team",
)
def add_care_team_member(request: HttpRequest, person_id: UUID, payload: CareTeamIn) -> Status[CareTeamMemberOut]:
    person = Person.objects.filter(public_id=person_id).first()
    if person is None:
        raise Http404("No person with that id.")
    user = _staff_member(payload.user, "user")
    episode = None
    if payload.episode is not None:
        episode = EpisodeOfCare.objects.filter(public_id=payload.episode, person=person).first()
        if episode is None:
            raise ValidationError({"episode": "No episode of care with that id for this person."})
    member = services.care_team_add(
        episode=episode,
        person=person,
        user=user,
        role=payload.role,
        started_on=payload.started_on,
        by=staff_of(request),
        channel=Channel.API,
    )
    return Status(201, _member_out(member))


@router.post(
    "/care-team/{member_id}/end",
    response={200: CareTeamMemberOut, **ERRORS},
    summary="End a worker's place in the care team",
)
def end_care_team_member(request: HttpRequest, member_id: UUID, payload: CareTeamEndIn) -> CareTeamMemberOut:
    member = CareTeamMember.objects.select_related("person", "user", "episode").filter(public_id=member_id).first()
    if member is None:
        raise Http404("No care team place with that id.")
    ended = services.care_team_end(member=member, ended_on=payload.ended_on, by=staff_of(request), channel=Channel.API)
    return _member_out(ended)


@router.get(
    "/episodes/{episode_id}", response={200: EpisodeOut, **ERRORS}, summary="One episode of care, with its care team"
)
def get_episode(request: HttpRequest, episode_id: UUID) -> EpisodeOut:
    record, episode = _open_episode(request, episode_id, "GET episode")
    return _episode_out(episode, care_team_of(record, episode=episode, include_ended=True))


@router.post(
    "/episodes/{episode_id}/coordinator",
    response={200: EpisodeOut, **ERRORS},
    summary="Name the care coordinator (R3)",
)
def assign_coordinator(request: HttpRequest, episode_id: UUID, payload: CoordinatorIn) -> EpisodeOut:
    episode = EpisodeOfCare.objects.select_related("person").filter(public_id=episode_id).first()
    if episode is None:
        raise Http404("No episode of care with that id.")
    coordinator = _staff_member(payload.coordinator, "coordinator")
    services.episode_assign_coordinator(
        episode=episode, coordinator=coordinator, by=staff_of(request), channel=Channel.API
    )
    record, updated = _open_episode(request, episode_id, "POST coordinator (response)")
    return _episode_out(updated, care_team_of(record, episode=updated, include_ended=True))


def _summary(episode: EpisodeOfCare) -> EpisodeSummary:
    return EpisodeSummary(
        id=episode.public_id,
        person=_person_ref(episode.person),
        service=episode.service.name,
        opened_at=episode.opened_at,
    )


def _flag(flag: RiskFlag) -> FlagSummary:
    return FlagSummary(id=flag.public_id, person=_person_ref(flag.person), kind=flag.kind, review_on=flag.review_on)


def _follow_up(follow_up: FollowUp, now: datetime) -> FollowUpSummary:
    owner = follow_up.task.assigned_to
    return FollowUpSummary(
        id=follow_up.public_id,
        person=_person_ref(follow_up.person),
        missed_appointment_at=follow_up.appointment.starts_at,
        due_at=follow_up.due_at,
        overdue_minutes=max(0, int((now - follow_up.due_at).total_seconds() // 60)),
        owner=_staff_ref(owner) if owner else None,
        url=reverse("engagement:follow-up", args=[follow_up.public_id]),
    )


def _figure(figure: FollowUpFigure | None) -> FollowUpFigureOut | None:
    if figure is None:
        return None
    return FollowUpFigureOut(
        period_start=figure.period_start,
        period_end=figure.period_end,
        missed=figure.missed,
        decided=figure.decided,
        followed_up=figure.followed_up,
        on_time=figure.on_time,
        late=figure.late,
        overdue=figure.overdue,
        not_yet_due=figure.not_yet_due,
        on_time_share=figure.on_time_share,
        discharged_for_non_attendance=figure.discharged_with_open_follow_up,
    )


def _review_due(due: EpisodeReviewDue) -> ReviewDueSummary:
    scheduled = due.scheduled
    return ReviewDueSummary(
        episode=due.episode.public_id,
        person=_person_ref(due.episode.person),
        service=due.episode.service.name,
        due_on=due.due_on,
        state=due.state.value,
        scheduled_review=scheduled.public_id if scheduled else None,
        url=reverse("casereviews:outcome", args=[scheduled.public_id])
        if scheduled
        else reverse("casereviews:schedule", args=[due.episode.public_id]),
    )


def _worklist_out(worklist: TeamWorklist) -> TeamWorklistOut:
    now = timezone.now()
    return TeamWorklistOut(
        team=TeamRef(id=worklist.team.public_id, name=worklist.team.name),
        service=worklist.team.service.name,
        secondary_open=worklist.secondary_open,
        with_coordinator=worklist.with_coordinator,
        with_screen=worklist.with_screen,
        coordinator_share=worklist.coordinator_share,
        screen_share=worklist.screen_share,
        follow_up_figure=_figure(worklist.follow_up_figure),
        without_coordinator=[_summary(e) for e in worklist.without_coordinator],
        without_screen=[_summary(e) for e in worklist.without_screen],
        overdue_flags=[_flag(f) for f in worklist.overdue_flags],
        overdue_follow_ups=[_follow_up(f, now) for f in worklist.overdue_follow_ups],
        reviews_due=[_review_due(d) for d in worklist.reviews_due],
    )


@router.get(
    "/team-leader",
    response={200: list[TeamWorklistOut], **ERRORS},
    summary=(
        "Your team leader's list: no coordinator (R3), no substance screen (R15), flags past review (R13), "
        "overdue follow-ups of missed appointments (R6), case reviews due or overdue (R7), QS188 statements 1, 3 and 4"
    ),
)
def get_team_leader_list(request: HttpRequest) -> list[TeamWorklistOut]:
    return [_worklist_out(w) for w in team_leader_list(viewer=staff_of(request), channel=Channel.API)]
