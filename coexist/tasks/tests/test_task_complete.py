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


def test_r6_follow_up_task_closes_only_through_its_follow_up(cast: Cast, client_for: object) -> None:
    """R6: "done" on the task list would leave the follow-up open and the person unreached; the task's
    row and its completion page lead to the follow-up instead, where reaching the person closes both."""
    from django.urls import reverse

    from coexist.testing.factories import FollowUpFactory

    follow_up = FollowUpFactory(appointment__person=cast.ann, task__assigned_to=cast.coordinator)
    with pytest.raises(ValidationError, match="Record what you did on the follow-up"):
        task_complete(task=follow_up.task, by=cast.coordinator, outcome="Done", channel=Channel.PAGE)
    follow_up.task.refresh_from_db()
    assert follow_up.task.is_open

    client = client_for(cast.coordinator)  # type: ignore[operator]
    listing = client.get(reverse("tasks:mine")).content.decode()
    assert reverse("engagement:follow-up", args=[follow_up.public_id]) in listing
    assert reverse("tasks:complete", args=[follow_up.task.public_id]) not in listing
    page = client.get(reverse("tasks:complete", args=[follow_up.task.public_id]))
    assert page.status_code == 302 and page["Location"] == reverse("engagement:follow-up", args=[follow_up.public_id])
