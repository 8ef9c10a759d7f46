"""Reads about episodes of care, care teams and the team leader's list, scoped to the viewer and
written to the access log. `coordinating_episode` and `duty_owner` are for services that have
already opened the person's record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.models import AssessmentStatus, JointAssessment, RiskFlag
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.care.models import CareTeamMember, EpisodeOfCare, EpisodeStatus
from coexist.care.reviews.rules import ReviewState
from coexist.care.reviews.selectors import EpisodeReviewDue, due_for_episodes
from coexist.care.rules import (
    COORDINATOR_ROLES,
    LEADER_ROLES,
    FinishFacts,
    FollowUpFigure,
    MissFacts,
    needs_named_coordinator,
    needs_substance_screen,
    percentage,
    qs188_statement_4,
    twelve_months_before,
)
from coexist.engagement.models import FollowUp
from coexist.engagement.rules import RiskLevel, escalation_due_at
from coexist.instruments.definitions import SUBSTANCE_SCREEN_CODES
from coexist.instruments.models import InstrumentResponse
from coexist.organisations.models import Membership, Role, Team
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused, people_visible_to
from coexist.people.rules import AccessDecision, Action, RecordPart
from coexist.people.selectors import OpenedRecord, person_open


def coordinating_episode(person: Person) -> EpisodeOfCare | None:
    """The person's open episode with a named care coordinator, most recently opened first (R3)."""
    return (
        EpisodeOfCare.objects.open()
        .filter(person=person, coordinator__isnull=False)
        .select_related("coordinator", "team")
        .order_by("-opened_at")
        .first()
    )


def duty_owner(person: Person, *, otherwise: User) -> tuple[User, EpisodeOfCare | None]:
    """Who a new duty about this person goes to: the care coordinator, or else the worker who found it.

    R3: the coordinator holds everything together; when there is none yet, the worker who raised the
    duty keeps it rather than it landing nowhere."""
    episode = coordinating_episode(person)
    if episode is not None and episode.coordinator is not None:
        return episode.coordinator, episode
    return otherwise, None


# --- Episodes and the care team, for someone whose record the viewer has opened -------------------


def episodes_of(record: OpenedRecord) -> list[EpisodeOfCare]:
    """The person's episodes of care, open ones first, if the viewer may read that part of the record."""
    if not record.can_read(RecordPart.EPISODES):
        return []
    return list(
        EpisodeOfCare.objects.filter(person=record.person)
        .select_related("service__organisation", "team", "coordinator", "referral")
        .annotate(is_finished=Case(When(status=EpisodeStatus.FINISHED, then=1), default=0))
        .order_by("is_finished", "-opened_at")
    )


def _with_organisations(members: QuerySet[CareTeamMember]) -> QuerySet[CareTeamMember]:
    """Each member's current teams (and so organisations), fetched in one query for the whole list."""
    return members.select_related("user", "episode__service").prefetch_related(
        Prefetch(
            "user__memberships",
            queryset=Membership.objects.current().select_related("team__service__organisation"),
            to_attr="current_memberships",
        )
    )


def organisations_of(member: CareTeamMember) -> list[str]:
    """Names of the organisations a care team member works for now (prefetched by `_with_organisations`)."""
    memberships = getattr(member.user, "current_memberships", None)
    if memberships is None:
        memberships = list(
            Membership.objects.current().filter(user=member.user).select_related("team__service__organisation")
        )
    return sorted({m.team.service.organisation.name for m in memberships})


def care_team_of(
    record: OpenedRecord, *, episode: EpisodeOfCare | None = None, include_ended: bool = False
) -> list[CareTeamMember]:
    """The person's care team across organisations (R11: who, in what role, since when), coordinator first.

    With an episode: that episode's members and those outside any episode (a peer support worker from a
    voluntary organisation works with the person, not with one service)."""
    if not record.can_read(RecordPart.EPISODES):
        return []
    members = CareTeamMember.objects.filter(person=record.person)
    if not include_ended:
        members = members.current()
    if episode is not None:
        members = members.filter(Q(episode=episode) | Q(episode__isnull=True))
    ordered = members.annotate(
        is_coordinator=Case(When(role=Role.CARE_COORDINATOR, then=0), default=1),
        has_ended=Case(When(ended_on__lt=timezone.localdate(), then=1), default=0),
    ).order_by("has_ended", "is_coordinator", "started_on", "pk")
    found = list(_with_organisations(ordered))
    for member in found:
        member.organisations = organisations_of(member)  # type: ignore[attr-defined]
        episode_of = member.episode
        # R3: the named coordinator's place ends only by naming another, so the page offers no "End".
        member.is_named_coordinator = (  # type: ignore[attr-defined]
            member.role == Role.CARE_COORDINATOR
            and episode_of is not None
            and episode_of.is_open
            and episode_of.coordinator_id == member.user_id
        )
    return found


def episode_get(*, viewer: User, public_id: UUID, channel: Channel, detail: str) -> tuple[OpenedRecord, EpisodeOfCare]:
    """Open one episode of care: opens (and logs a read of) the person's record, then refuses, logged,
    unless the viewer may read episodes. Raises EpisodeOfCare.DoesNotExist or AccessRefused."""
    episode = EpisodeOfCare.objects.select_related(
        "person", "service__organisation", "team", "coordinator", "referral", "opened_by"
    ).get(public_id=public_id)
    record = person_open(viewer=viewer, public_id=episode.person.public_id, channel=channel, detail=detail)
    if not record.can_read(RecordPart.EPISODES):
        decision = AccessDecision(
            False, "The person has not agreed to share their episodes of care with your organisation."
        )
        access_log_append(
            actor=viewer,
            person_ids=[episode.person.public_id],
            action=Action.READ,
            parts=[RecordPart.EPISODES],
            outcome=Outcome.REFUSED,
            basis=decision.basis,
            channel=channel,
            detail=detail,
        )
        raise AccessRefused(decision)
    return record, episode


def care_team_member_get(
    *, viewer: User, public_id: UUID, channel: Channel, detail: str
) -> tuple[OpenedRecord, CareTeamMember]:
    """Open one care team place (to end it). Raises CareTeamMember.DoesNotExist or AccessRefused."""
    member = CareTeamMember.objects.select_related("person", "user", "episode__service").get(public_id=public_id)
    record = person_open(viewer=viewer, public_id=member.person.public_id, channel=channel, detail=detail)
    if not record.can_read(RecordPart.EPISODES):
        raise AccessRefused(
            AccessDecision(False, "The person has not agreed to share their care team with your organisation.")
        )
    return record, member


def coordinator_candidates(episode: EpisodeOfCare) -> list[User]:
    """R3: who may be named care coordinator: staff with a coordinator role in the episode's service now."""
    ids = (
        Membership.objects.current()
        .filter(team__service=episode.service_id, role__in=COORDINATOR_ROLES)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("last_name", "first_name", "username"))


def care_team_candidates() -> list[tuple[str, list[User]]]:
    """Staff who may join a care team, by organisation: anyone with a current clinical role anywhere."""
    memberships = (
        Membership.objects.current()
        .clinical()
        .filter(user__is_active=True)
        .select_related("user", "team__service__organisation")
        .order_by("team__service__organisation__name", "user__last_name", "user__first_name", "user__username")
    )
    grouped: dict[str, dict[int, User]] = {}
    for membership in memberships:
        grouped.setdefault(membership.team.service.organisation.name, {})[membership.user_id] = membership.user
    return [(organisation, list(users.values())) for organisation, users in grouped.items()]


# --- The team leader's list (R3, R6, R13, R15) ---------------------------------------------------------


@dataclass
class TeamWorklist:
    """One led team's worklist and its QS188 headline figures."""

    team: Team
    without_coordinator: list[EpisodeOfCare] = field(default_factory=list)
    without_screen: list[EpisodeOfCare] = field(default_factory=list)
    overdue_flags: list[RiskFlag] = field(default_factory=list)
    overdue_follow_ups: list[FollowUp] = field(default_factory=list)
    reviews_due: list[EpisodeReviewDue] = field(default_factory=list)
    secondary_open: int = 0
    with_coordinator: int = 0
    with_screen: int = 0
    follow_up_figure: FollowUpFigure | None = None

    @property
    def coordinator_share(self) -> int | None:
        """QS188 statement 3: % of open secondary-care episodes with a named care coordinator."""
        return percentage(self.with_coordinator, self.secondary_open)

    @property
    def screen_share(self) -> int | None:
        """QS188 statement 1: % of open secondary-care episodes whose person has been asked about substance use."""
        return percentage(self.with_screen, self.secondary_open)

    @property
    def is_clear(self) -> bool:
        return not (
            self.without_coordinator
            or self.without_screen
            or self.overdue_flags
            or self.overdue_follow_ups
            or self.reviews_due
        )


def led_teams(user: User) -> list[Team]:
    """The teams this member of staff leads now (team leader, dual diagnosis lead or service manager)."""
    ids = Membership.objects.current().filter(user=user, role__in=LEADER_ROLES).values("team_id")
    return list(Team.objects.filter(pk__in=ids).select_related("service__organisation").order_by("name"))


def _screened(field_name: str) -> Exists:
    return Exists(
        InstrumentResponse.objects.filter(person=OuterRef(field_name), instrument_code__in=SUBSTANCE_SCREEN_CODES)
    )


def _assessed(field_name: str) -> Exists:
    # R15: a completed joint assessment asks about alcohol and drug use (NG58 1.3); which rows it
    # holds is the assessments app's business, so only completion is read here.
    return Exists(JointAssessment.objects.filter(person=OuterRef(field_name), status=AssessmentStatus.COMPLETED))


def team_leader_list(*, viewer: User, channel: Channel) -> list[TeamWorklist]:
    """R3, R6, R7, R13, R15: for each team the viewer leads, open episodes without a named coordinator,
    secondary-care episodes whose person has not been asked about substance use, risk flags past
    their review date, follow-ups of missed appointments past their due time (oldest due first) and
    multi-agency case reviews overdue or due within 28 days (R7),
    with the QS188 statement 1, 3 and 4 figures. Each person listed gets one access log entry.
    A fixed number of queries."""
    teams = led_teams(viewer)
    if not teams:
        return []
    now = timezone.now()
    lists = {team.pk: TeamWorklist(team=team) for team in teams}
    # SECURITY: only people the viewer may open, whatever else the team's episodes say.
    episodes = list(
        EpisodeOfCare.objects.open()
        .filter(team__in=list(lists), person__in=people_visible_to(viewer))
        .select_related("person", "service", "team", "coordinator")
        .annotate(has_measure=_screened("person"), has_assessment=_assessed("person"))
        .order_by("opened_at", "pk")
    )
    parts_by_person: dict[UUID, set[str]] = {}
    teams_by_person: dict[int, set[int]] = {}
    for episode in episodes:
        worklist = lists[episode.team_id]
        teams_by_person.setdefault(episode.person_id, set()).add(episode.team_id)
        screened = bool(episode.has_measure or episode.has_assessment)  # type: ignore[attr-defined]
        if needs_named_coordinator(service_kind=episode.service.kind):
            worklist.secondary_open += 1
            worklist.with_coordinator += episode.coordinator_id is not None
            worklist.with_screen += screened
            if episode.coordinator_id is None:
                worklist.without_coordinator.append(episode)
        if needs_substance_screen(service_kind=episode.service.kind, screened=screened):
            worklist.without_screen.append(episode)
        if episode in worklist.without_coordinator or episode in worklist.without_screen:
            parts_by_person.setdefault(episode.person.public_id, set()).update(
                {RecordPart.IDENTITY, RecordPart.EPISODES}
            )
    flags = (
        RiskFlag.objects.review_overdue()
        .filter(person__in=list(teams_by_person))
        .select_related("person")
        .order_by("review_on", "pk")
    )
    for flag in flags:
        for team_id in sorted(teams_by_person[flag.person_id]):
            lists[team_id].overdue_flags.append(flag)
        parts_by_person.setdefault(flag.person.public_id, set()).update({RecordPart.IDENTITY, RecordPart.RISK})
    # R7: multi-agency case reviews overdue or due within 28 days, soonest due first (one query).
    reviews = due_for_episodes(episodes, today=timezone.localdate(now)).values()
    for due in sorted(reviews, key=lambda d: (d.due_on, d.episode.opened_at, d.episode.pk)):
        if due.state == ReviewState.NOT_DUE:
            continue
        lists[due.episode.team_id].reviews_due.append(due)
        parts_by_person.setdefault(due.episode.person.public_id, set()).update(
            {RecordPart.IDENTITY, RecordPart.EPISODES}
        )
    # R6: a missed appointment not followed up in time, for anyone the team holds an open episode for.
    follow_ups = (
        FollowUp.objects.filter(completed_at__isnull=True, due_at__lt=now, person__in=list(teams_by_person))
        .select_related("person", "appointment", "task__assigned_to")
        .order_by("due_at", "pk")
    )
    for follow_up in follow_ups:
        for team_id in sorted(teams_by_person[follow_up.person_id]):
            lists[team_id].overdue_follow_ups.append(follow_up)
        # Appointments and their follow-ups are part of the episodes of care (engagement.selectors.PART).
        parts_by_person.setdefault(follow_up.person.public_id, set()).update({RecordPart.IDENTITY, RecordPart.EPISODES})
    _add_follow_up_figures(lists, now=now)
    _log_listed(viewer=viewer, parts_by_person=parts_by_person, channel=channel, detail="team leader's list")
    return [lists[team.pk] for team in teams]


def _add_follow_up_figures(lists: dict[int, TeamWorklist], *, now: datetime) -> None:
    """QS188 statement 4 for each team (see `rules.qs188_statement_4`), over the last 12 months.

    A follow-up belongs to a team when its missed appointment, or its task, is on one of the team's
    episodes. The figure names nobody, so it counts every such follow-up and finished episode,
    including people the leader can no longer open (someone discharged is exactly who must be
    counted), and logs no one. Two or three queries, however many rows."""
    start = twelve_months_before(now)
    team_ids = list(lists)
    misses: dict[int, list[MissFacts]] = {team_id: [] for team_id in team_ids}
    rows = (
        FollowUp.objects.filter(created_at__gte=start, created_at__lte=now)
        .filter(Q(appointment__episode__team__in=team_ids) | Q(task__episode__team__in=team_ids))
        .values_list(
            "appointment__episode__team_id", "task__episode__team_id", "created_at", "due_at", "risk_level",
            "completed_at",
        )
        .order_by()
    )  # fmt: skip
    for appointment_team, task_team, created_at, due_at, risk, completed_at in rows:
        # On time means done before it had to be escalated: a follow-up due "now" (suicide risk) has the
        # hour's grace, or none could ever be on time (the miss is recorded after the appointment).
        deadline = escalation_due_at(due_at=due_at, risk=RiskLevel(risk))
        for team_id in {appointment_team, task_team} & misses.keys():
            misses[team_id].append(MissFacts(created_at=created_at, due_at=deadline, completed_at=completed_at))
    finished_in_period = EpisodeOfCare.objects.filter(
        team__in=team_ids, status=EpisodeStatus.FINISHED, finished_at__gte=start, finished_at__lte=now
    )
    finished = list(finished_in_period.values_list("team_id", "person_id", "finished_at"))
    of_person: dict[int, list[tuple[datetime, datetime | None]]] = {}
    if finished:
        # A subquery, not a list of ids: no limit on how many people it can cover.
        for person_id, created_at, completed_at in (
            FollowUp.objects.filter(person__in=finished_in_period.values("person_id"))
            .values_list("person_id", "created_at", "completed_at")
            .order_by()
        ):
            of_person.setdefault(person_id, []).append((created_at, completed_at))
    finishes: dict[int, list[FinishFacts]] = {team_id: [] for team_id in team_ids}
    for team_id, person_id, finished_at in finished:
        if finished_at is None:  # excluded by the query; here for the type checker
            continue
        finishes[team_id].append(FinishFacts(finished_at=finished_at, follow_ups=tuple(of_person.get(person_id, []))))
    for team_id, worklist in lists.items():
        worklist.follow_up_figure = qs188_statement_4(
            misses=misses[team_id], finishes=finishes[team_id], period_start=start, period_end=now, now=now
        )


def _log_listed(*, viewer: User, parts_by_person: dict[UUID, set[str]], channel: Channel, detail: str) -> None:
    """One access log entry per person listed; one INSERT per distinct set of parts shown."""
    by_parts: dict[frozenset[str], list[UUID]] = {}
    for person_id, parts in parts_by_person.items():
        by_parts.setdefault(frozenset(parts), []).append(person_id)
    for shown, person_ids in sorted(by_parts.items(), key=lambda item: sorted(item[0])):
        access_log_append(
            actor=viewer,
            person_ids=person_ids,
            action=Action.READ,
            parts=shown,
            outcome=Outcome.ALLOWED,
            basis="listed: open episode of care held by a team the viewer leads",
            channel=channel,
            detail=detail,
        )
