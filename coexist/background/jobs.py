"""Background work on the Django tasks API (django-tasks): the safety-net sweep, every minute.

One job, `safety_net_sweep`, runs each sweep in turn: R6 escalation of overdue follow-ups to the
team leader, R6 loss of contact after a failed follow-up, R11 appointment reminders and R7 overdue
case reviews. Each sweep reads deadlines that were saved with the event that caused them, so the
queue holds no duty of its own: a worker that was down finds everything still due when it starts
and catches up; a sweep run twice does nothing twice.

The job keeps itself going: before doing its work it queues the next run (`SWEEP_EVERY` later)
unless one is already waiting, so a sweep that fails still leaves the next one queued. `make run`
starts the database-backed worker (`manage.py db_worker`) after `manage.py start_background_work`,
which queues a first sweep if none is waiting (scripts/serve.sh)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

logger = logging.getLogger(__name__)

SWEEP_TASK_PATH = "coexist.background.jobs.safety_net_sweep"


def _sweeps() -> list[tuple[str, Callable[[datetime], int]]]:
    # Imported here: the apps' models must be loaded before this module is used by the worker.
    from coexist.care.reviews.services import case_review_overdue_tasks
    from coexist.engagement.sweeps import follow_up_escalation_sweep, loss_of_contact_sweep
    from coexist.notifications.services import send_due_reminders

    return [
        ("R6 follow-ups escalated", lambda now: len(follow_up_escalation_sweep(now=now))),
        ("R6 losses of contact marked", lambda now: len(loss_of_contact_sweep(now=now))),
        ("R11 reminders", lambda now: send_due_reminders(now=now).total),
        ("R7 overdue case review tasks", lambda now: case_review_overdue_tasks(now=now)),
    ]


Sweep = tuple[str, Callable[[datetime], int]]


def run_safety_net(*, now: datetime | None = None, sweeps: list[Sweep] | None = None) -> dict[str, int]:
    """Run every sweep once (or the `sweeps` given). One failing does not stop the others; the failure
    is logged and raised at the end so the task result shows it."""
    moment = now or timezone.now()
    done: dict[str, int] = {}
    failures: list[BaseException] = []
    for name, sweep in _sweeps() if sweeps is None else sweeps:
        try:
            done[name] = sweep(moment)
        except Exception as exc:  # one sweep failing must not stop the others; re-raised below
            logger.exception("Safety-net sweep failed: %s", name)
            failures.append(exc)
    if failures:
        raise failures[0]
    if any(done.values()):
        logger.info("Safety-net sweep: %s", ", ".join(f"{name}: {count}" for name, count in done.items()))
    return done


def sweep_waiting() -> bool:
    """Is a sweep already queued and not yet started? Only the database backend can tell."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=SWEEP_TASK_PATH, status=TaskResultStatus.READY).exists()


def queue_next_sweep(*, after: timedelta | None = None) -> bool:
    """Queue the next sweep unless one is waiting. Backends that cannot defer (the immediate backend
    the tests use) are left alone: a sweep there runs when called, and would otherwise recurse."""
    if not default_task_backend.supports_defer or sweep_waiting():
        return False
    delay = settings.COEXIST_SWEEP_EVERY if after is None else after
    if delay:
        safety_net_sweep.using(run_after=timezone.now() + delay).enqueue()
    else:
        safety_net_sweep.enqueue()
    return True


@task()
def safety_net_sweep() -> dict[str, int]:
    """The safety-net sweep as a background job: queue the next run first, then do the work."""
    queue_next_sweep()
    return run_safety_net()
