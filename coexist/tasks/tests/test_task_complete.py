"""Closing a task: outcome required, permission checked, logged, once only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coexist.audit.models import AccessLogEntry, Channel
from coexist.people.permissions import AccessRefused
from coexist.tasks.models import Task, TaskStatus
from coexist.tasks.services import task_complete
from coexist.testing.cast import Cast
from coexist.testing.factories import TaskFactory


def test_completing_a_task_records_who_what_and_when_and_logs(cast: Cast) -> None:
    task = TaskFactory(person=cast.ann, assigned_to=cast.coordinator, title="Phone Ann after missed appointment")
    done = task_complete(task=task, by=cast.coordinator, outcome="  Spoke to Ann; rebooked.  ", channel=Channel.PAGE)
    assert (done.status, done.completed_by, done.outcome) == (
        TaskStatus.DONE,
        cast.coordinator,
        "Spoke to Ann; rebooked.",
    )
    assert done.completed_at is not None
    entry = AccessLogEntry.objects.get(person_public_id=cast.ann.public_id)
    assert (entry.action, entry.parts, entry.channel) == ("write", ["episodes"], "page")
    assert "Phone Ann after missed appointment" in entry.detail


def test_an_outcome_is_required(cast: Cast) -> None:
    task = TaskFactory(person=cast.ann, assigned_to=cast.coordinator)
    with pytest.raises(ValidationError, match="Say what was done"):
        task_complete(task=task, by=cast.coordinator, outcome="   ")


def test_a_task_is_done_once(cast: Cast) -> None:
    task = TaskFactory(person=cast.ann, assigned_to=cast.coordinator)
    task_complete(task=task, by=cast.coordinator, outcome="Done")
    with pytest.raises(ValidationError, match="already closed"):
        task_complete(task=task, by=cast.coordinator, outcome="Again")


def test_someone_who_may_not_change_the_record_cannot_complete_and_is_logged(cast: Cast) -> None:
    task = TaskFactory(person=cast.ben, assigned_to=cast.coordinator)
    with pytest.raises(AccessRefused):
        task_complete(task=task, by=cast.da_worker, outcome="Done", channel=Channel.API)
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN
    entry = AccessLogEntry.objects.get(person_public_id=cast.ben.public_id)
    assert (entry.actor_username, entry.outcome) == ("da_worker", "refused")


def test_a_colleague_in_the_care_team_may_complete_it_for_cover(cast: Cast) -> None:
    task = TaskFactory(person=cast.ann, assigned_to=cast.coordinator)
    done = task_complete(task=task, by=cast.da_worker_in_team, outcome="Covered while Alex was on leave")
    assert done.completed_by == cast.da_worker_in_team
