"""The safety-net sweep as background work: queued once, run by the real database-backed worker,
keeping itself going, and catching up after the worker was down (deadlines are data)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from coexist.audit.models import Channel
from coexist.background.jobs import SWEEP_TASK_PATH, queue_next_sweep, run_safety_net
from coexist.engagement.rules import Attendance
from coexist.engagement.services import appointment_book, appointment_record_outcome
from coexist.tasks.models import Task
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory

LONDON = ZoneInfo("Europe/London")
MISSED_AT = datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _run_ready_tasks() -> None:
    """What `manage.py db_worker --batch` does, through its own Worker, but without the connection
    recycling between tasks, which would close the test's transaction on PostgreSQL."""
    worker = Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )  # fmt: skip
    while (ready := DBTaskResult.objects.ready().get_locked()) is not None:
        ready.claim(worker.worker_id)
        worker.run_task(ready)


def _waiting() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=SWEEP_TASK_PATH, status=TaskResultStatus.READY))


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_start_background_work_queues_one_sweep_however_often_it_is_run() -> None:
    call_command("start_background_work")
    call_command("start_background_work")
    assert len(_waiting()) == 1


@pytest.mark.django_db
def test_the_immediate_backend_is_never_asked_to_defer_a_sweep() -> None:
    """The tests' immediate backend would run a queued sweep at once, and that sweep would queue the next."""
    assert queue_next_sweep() is False


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_r6_a_worker_down_for_days_catches_up_on_its_first_sweep_and_queues_the_next(cast: Cast) -> None:
    with time_machine.travel(MISSED_AT - timedelta(days=7), tick=False) as clock:
        episode = EpisodeFactory(person=cast.ann, team=cast.north, coordinator=cast.coordinator)
        appointment = appointment_book(
            person=cast.ann, service=cast.cmht, staff=cast.coordinator, starts_at=MISSED_AT, episode=episode,
            by=cast.coordinator, channel=Channel.PAGE,
        )  # fmt: skip
        call_command("start_background_work")  # queued before the worker went down
        clock.move_to(MISSED_AT + timedelta(minutes=30))
        appointment_record_outcome(
            appointment=appointment, outcome=Attendance.DID_NOT_ATTEND, by=cast.coordinator, channel=Channel.PAGE,
            plan_reviewed="",
        )  # fmt: skip
        clock.move_to(MISSED_AT + timedelta(days=9))  # the worker comes back nine days later
        _run_ready_tasks()

    (ran,) = DBTaskResult.objects.filter(task_path=SWEEP_TASK_PATH, status=TaskResultStatus.SUCCESSFUL)
    assert ran.return_value["R6 follow-ups escalated"] == 1
    assert Task.objects.filter(escalates__isnull=False, assigned_to=cast.team_leader).count() == 1
    (following,) = _waiting()  # the sweep queued its successor a minute on
    assert following.run_after > ran.finished_at


def test_a_failing_sweep_does_not_stop_the_others() -> None:
    """One sweep raising is logged and raised at the end, after the others ran."""
    ran: list[str] = []

    def broken(now: datetime) -> int:
        ran.append("broken")
        raise RuntimeError("Notify is down")

    def fine(now: datetime) -> int:
        ran.append("fine")
        return 0

    with pytest.raises(RuntimeError, match="Notify is down"):
        run_safety_net(sweeps=[("broken", broken), ("fine", fine)])
    assert ran == ["broken", "fine"]
