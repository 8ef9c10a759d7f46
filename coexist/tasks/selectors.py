"""Reads of tasks, scoped to the viewer and written to the access log."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.organisations.models import Membership
from coexist.people.permissions import AccessRefused, people_visible_to
from coexist.people.rules import AccessDecision, Action, RecordPart
from coexist.people.selectors import OpenedRecord, person_open
from coexist.tasks.models import Priority, Task

LIST_LIMIT = 200

_URGENCY = Case(
    When(priority=Priority.URGENT, then=Value(0)),
    When(priority=Priority.SOON, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _mine(user: User) -> QuerySet[Task]:
    """Open tasks the user owns: named to them, or to a team they work in until someone is named."""
    teams = Membership.objects.current().clinical().filter(user=user).values("team_id")
    # SECURITY: only people whose record the user may open; a task never shows someone they cannot see.
    return Task.objects.open().filter(
        Q(assigned_to=user) | Q(assigned_to__isnull=True, assigned_team__in=teams),
        person__in=people_visible_to(user),
    )


def tasks_mine(*, viewer: User, channel: Channel, limit: int = LIST_LIMIT) -> list[Task]:
    """The viewer's open tasks: overdue first, then by urgency, then by due time.

    Each person named on the list gets one access log entry (one INSERT for the whole list)."""
    now = timezone.now()
    tasks: list[Task] = list(
        _mine(viewer)
        .select_related(
            "person",
            "episode__service",
            "assigned_team",
            "follow_up",
            "escalates__follow_up",
            "advice_request",
            "prescribing_handover",
        )
        .annotate(
            overdue_first=Case(When(due_at__lt=now, then=Value(0)), default=Value(1), output_field=IntegerField()),
            urgency=_URGENCY,
        )
        .order_by("overdue_first", "urgency", "due_at", "pk")[:limit]
    )
    people = sorted({task.person.public_id for task in tasks})
    if people:
        access_log_append(
            actor=viewer,
            person_ids=people,
            action=Action.READ,
            parts=[RecordPart.IDENTITY, RecordPart.EPISODES],
            outcome=Outcome.ALLOWED,
            basis="listed: tasks owned by the viewer or their team",
            channel=channel,
            detail="my tasks",
        )
    return tasks


def open_task_count(user: User) -> int:
    """How many open tasks the user owns, for the header. Shows no one, so it is not logged."""
    return _mine(user).count()


def task_get(*, viewer: User, public_id: UUID, channel: Channel, detail: str) -> tuple[OpenedRecord, Task]:
    """Open one task: opens (and logs a read of) the person's record; refuses unless the viewer may
    read their episodes. Raises Task.DoesNotExist or AccessRefused."""
    task = Task.objects.select_related("person", "episode__service", "assigned_to", "assigned_team").get(
        public_id=public_id
    )
    record = person_open(viewer=viewer, public_id=task.person.public_id, channel=channel, detail=detail)
    if not record.can_read(RecordPart.EPISODES):
        raise AccessRefused(
            AccessDecision(False, "The person has not agreed to share their tasks with your organisation.")
        )
    return record, task
