"""JSON API for tasks: your open tasks, and closing one with what was done.

Errors are problem+json: 401 without a token; 403 when the permission function refuses (logged);
404 for an unknown task; 422 for an empty outcome or a task already closed.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.interop.problems import ERRORS
from coexist.interop.schemas import Text2000
from coexist.tasks import services
from coexist.tasks.models import Task
from coexist.tasks.selectors import tasks_mine

router = Router(tags=["tasks"])


class TaskPerson(Schema):
    id: UUID
    given_name: str
    family_name: str


class TaskOut(Schema):
    id: UUID
    person: TaskPerson
    episode: UUID | None
    rule: str
    title: str
    detail: str
    priority: str
    due_at: datetime
    overdue: bool
    status: str
    assigned_to: UUID | None
    assigned_team: str | None
    completed_at: datetime | None
    outcome: str


class TaskCompleteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    outcome: Text2000 = Field(..., min_length=1, description="What was done.")


def _task_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.public_id,
        person=TaskPerson(
            id=task.person.public_id, given_name=task.person.given_name, family_name=task.person.family_name
        ),
        episode=task.episode.public_id if task.episode else None,
        rule=task.rule,
        title=task.title,
        detail=task.detail,
        priority=task.priority,
        due_at=task.due_at,
        overdue=task.is_open and task.due_at < timezone.now(),
        status=task.status,
        assigned_to=task.assigned_to.public_id if task.assigned_to else None,
        assigned_team=task.assigned_team.name if task.assigned_team else None,
        completed_at=task.completed_at,
        outcome=task.outcome,
    )


@router.get(
    "", response={200: list[TaskOut], **ERRORS}, summary="Your open tasks: overdue, then most urgent, then soonest"
)
def list_my_tasks(request: HttpRequest) -> list[TaskOut]:
    tasks = tasks_mine(viewer=staff_of(request), channel=Channel.API)
    return [_task_out(task) for task in tasks]


@router.post("/{task_id}/complete", response={200: TaskOut, **ERRORS}, summary="Close a task with what was done")
def complete_task(request: HttpRequest, task_id: UUID, payload: TaskCompleteIn) -> TaskOut:
    task = Task.objects.select_related("person").filter(public_id=task_id).first()
    if task is None:
        raise Http404("No task with that id.")
    done = services.task_complete(task=task, by=staff_of(request), outcome=payload.outcome, channel=Channel.API)
    done = Task.objects.select_related("person", "episode", "assigned_to", "assigned_team").get(pk=done.pk)
    return _task_out(done)
