"""Background sweeps of the R6 safety net: escalate overdue follow-ups and mark loss of contact.

Deadlines are data (ARCHITECTURE, "Background work"): every follow-up and its due time were saved
with the missed appointment, so a sweep only reads them and escalates. Run late (a worker that was
down), a sweep finds everything still overdue and catches up; run twice, it does nothing twice.
Each person's work runs in its own transaction, with the person locked like the recording services,
so one failure cannot undo the rest. The sweeps act as the system user and write the access log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from coexist.accounts.models import User
from coexist.accounts.services import system_user
from coexist.audit.models import Channel
from coexist.care.rules import LEADER_ROLES
from coexist.engagement import rules
from coexist.engagement.models import FollowUp, LossOfContact
from coexist.engagement.rules import RiskLevel
from coexist.engagement.services import lock_person, mark_loss_of_contact_if_due
from coexist.organisations.models import Membership, Role, Team
from coexist.people.models import Person
from coexist.people.rules import RecordPart
from coexist.people.services import log_write
from coexist.tasks.models import Priority, Task
from coexist.tasks.services import task_create

logger = logging.getLogger(__name__)

_BASIS = "background job: R6 safety net"


@dataclass(frozen=True)
class Escalation:
    """Who an overdue follow-up went to: named leaders, or the team when it has none today."""

    follow_up: FollowUp
    leaders: tuple[User, ...]
    team: Team | None


def _team_of(follow_up: FollowUp) -> Team | None:
    """The team answerable for the follow-up: its task's episode, the appointment's episode, else the
    team the appointment's worker belongs to in the appointment's service."""
    for episode in (follow_up.task.episode, follow_up.appointment.episode):
        if episode is not None:
            return episode.team
    membership = (
        Membership.objects.current()
        .filter(user=follow_up.appointment.staff, team__service=follow_up.appointment.service)
        .select_related("team")
        .order_by("started_on", "pk")
        .first()
    )
    return membership.team if membership else None


def _leaders_of(team: Team | None, *, not_: User | None) -> list[User]:
    """R6: who an overdue follow-up goes to: the team's current team leaders, or, when it has none, its
    other leaders (dual diagnosis lead, service manager). The duty's own owner is left out when someone
    else leads: escalating to yourself tells nobody new."""
    if team is None:
        return []
    memberships = list(
        Membership.objects.current()
        .filter(team=team, role__in=LEADER_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("started_on", "pk")
    )
    team_leaders = [m for m in memberships if m.role == Role.TEAM_LEADER]
    leaders: dict[int, User] = {}
    for membership in team_leaders or memberships:
        leaders.setdefault(membership.user.pk, membership.user)
    others = [user for user in leaders.values() if not_ is None or user.pk != not_.pk]
    return others or list(leaders.values())


def follow_up_escalation_sweep(*, now: datetime | None = None) -> list[Escalation]:
    """R6: raise every open follow-up past its escalation time with the team leader, once.

    The leader gets an urgent task that names the overdue duty (`Task.escalates`); the coordinator
    keeps theirs, now marked escalated. A team with no leader today gets the task as a team."""
    moment = now or timezone.now()
    system = system_user()
    candidates = (
        FollowUp.objects.filter(completed_at__isnull=True, task__escalated_at__isnull=True, due_at__lte=moment)
        .order_by("due_at", "pk")
        .values_list("pk", "person_id")
    )
    done: list[Escalation] = []
    for pk, person_id in list(candidates):
        with transaction.atomic():
            lock_person(Person(pk=person_id))
            follow_up = FollowUp.objects.select_related(
                "person", "task__assigned_to", "task__episode__team", "appointment__episode__team",
                "appointment__staff", "appointment__service",
            ).get(pk=pk)  # fmt: skip
            task = Task.objects.select_for_update().get(pk=follow_up.task_id)
            if not rules.needs_escalation(
                due_at=follow_up.due_at,
                risk=RiskLevel(follow_up.risk_level),
                now=moment,
                completed=not follow_up.is_open,
                escalated=task.escalated_at is not None,
            ):
                continue
            team = _team_of(follow_up)
            leaders = _leaders_of(team, not_=task.assigned_to)
            missed = timezone.localtime(follow_up.missed_at)
            owner = task.assigned_to.display_name if task.assigned_to else "the team"
            title = f"Escalated: missed appointment on {missed:%d %b %Y %H:%M} not followed up in time"
            detail = (
                f"The R6 follow-up was due {timezone.localtime(follow_up.due_at):%d %b %Y %H:%M} and is still open "
                f"(owner: {owner}). Make sure someone reaches the person today. A missed appointment never "
                "discharges anyone."
            )
            owners: list[tuple[User | None, Team | None]] = [(leader, None) for leader in leaders] or [(None, team)]
            if owners == [(None, None)]:
                logger.error("R6 follow-up %s overdue and its team has no leader or team to escalate to", pk)
                owners = [(task.assigned_to, None)] if task.assigned_to else [(system, None)]
            for leader, as_team in owners:
                task_create(
                    person=follow_up.person,
                    rule="R6",
                    title=title,
                    detail=detail,
                    due_at=moment,
                    priority=Priority.URGENT,
                    assigned_to=leader,
                    assigned_team=as_team,
                    episode=task.episode,
                    escalates=task,
                    by=system,
                )
            task.escalated_at = moment
            task.save(update_fields=["escalated_at"])
            names = ", ".join(leader.display_name for leader in leaders) or (team.name if team else "nobody")
            log_write(
                by=system,
                person=follow_up.person,
                parts=[RecordPart.EPISODES],
                basis=_BASIS,
                channel=Channel.TASK,
                detail=f"escalated overdue R6 follow-up to {names}",
            )
            done.append(Escalation(follow_up=follow_up, leaders=tuple(leaders), team=team))
    return done


def loss_of_contact_sweep(*, now: datetime | None = None) -> list[LossOfContact]:
    """R6: mark loss of contact for people whose follow-up passed its deadline with every attempt
    failing, when no event has marked it already (the deadline passing is not an event anyone records)."""
    moment = now or timezone.now()
    system = system_user()
    people = (
        FollowUp.objects.filter(completed_at__isnull=True, due_at__lt=moment)
        .annotate(attempts=Count("actions"), reached=Count("actions", filter=Q(actions__result="reached")))
        .filter(attempts__gt=0, reached=0)
        .exclude(person__in=LossOfContact.objects.current().values("person"))
        .values_list("person_id", flat=True)
        .distinct()
    )
    marked: list[LossOfContact] = []
    for person_id in sorted(set(people)):
        with transaction.atomic():
            follow_up = (
                FollowUp.objects.filter(person_id=person_id, completed_at__isnull=True)
                .select_related("person", "appointment__episode")
                .order_by("-due_at")
                .first()
            )
            if follow_up is None:
                continue
            lock_person(follow_up.person)
            loss = mark_loss_of_contact_if_due(
                person=follow_up.person,
                episode=follow_up.appointment.episode,
                by=system,
                channel=Channel.TASK,
                basis=_BASIS,
            )
            if loss is not None:
                marked.append(loss)
    return marked
