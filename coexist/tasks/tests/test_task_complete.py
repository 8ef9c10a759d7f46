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


def test_an_advice_task_closes_only_with_the_consultants_answer(cast: Cast) -> None:
    """Seeds 001, 002: ticking the task off would leave the question unanswered on the consultant's worklist."""
    from coexist.advice.services import advice_answer, advice_ask

    advice = advice_ask(
        person=cast.ann, consultant=cast.addictions_consultant, question="Safe to restart methadone at 60 mg?",
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    assert advice.task is not None
    with pytest.raises(ValidationError, match="Answer it on the advice page"):
        task_complete(task=advice.task, by=cast.addictions_consultant, outcome="Done")
    advice_answer(advice=advice, answer="Restart at 30 mg and titrate.", by=cast.addictions_consultant,
                  channel=Channel.PAGE)  # fmt: skip
    advice.task.refresh_from_db()
    assert advice.task.status == TaskStatus.DONE


def test_r9_a_prescribing_handover_task_closes_only_with_the_prescribers_answer(
    cast: Cast, time_machine: object
) -> None:
    from coexist.medicines.tests.world import NOW, give, request, start

    time_machine.move_to(NOW, tick=False)  # type: ignore[attr-defined]
    course = start(cast)
    give(cast)
    handover = request(cast, course)
    assert handover.task is not None
    with pytest.raises(ValidationError, match="Accept or decline it on the handover page"):
        task_complete(task=handover.task, by=cast.addictions_consultant, outcome="Done")
    rows = {t.pk: t.answered_elsewhere for t in Task.objects.filter(pk=handover.task.pk)}
    assert rows[handover.task.pk] == (f"/medicines/handovers/{handover.public_id}/answer/", "Accept or decline")
