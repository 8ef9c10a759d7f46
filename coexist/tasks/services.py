"""Creating and closing tasks. Callers create tasks inside their own transaction, so the duty and
the event that caused it are saved together or not at all."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.care.models import EpisodeOfCare
from coexist.organisations.models import Team
from coexist.people.models import Person
from coexist.people.permissions import require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write
from coexist.tasks.models import Priority, Task, TaskStatus


def task_create(
    *,
    person: Person,
    rule: str,
    title: str,
    due_at: datetime,
    priority: Priority,
    assigned_to: User | None,
    assigned_team: Team | None = None,
    detail: str = "",
    episode: EpisodeOfCare | None = None,
    escalates: Task | None = None,
    by: User | None,
) -> Task:
    """Create a duty. Someone must own it: a named worker, or a team until one is named.

    `escalates` names the overdue duty this one raises with a team leader."""
    if assigned_to is None and assigned_team is None:
        raise ValidationError("A task needs an owner: a member of staff or a team.")
    return Task.objects.create(
        person=person,
        rule=rule,
        title=title[:200],
        detail=detail,
        due_at=due_at,
        priority=priority,
        assigned_to=assigned_to,
        assigned_team=assigned_team,
        episode=episode,
        escalates=escalates,
        created_by=by,
    )


def task_complete(*, task: Task, by: User, outcome: str, channel: Channel = Channel.PAGE) -> Task:
    """Close a duty with what was done. A task is done once; closing it twice is refused.

    Anyone who may change the person's episodes may close it (cover for leave and duty), not only its
    owner; who closed it and what they did is kept on the task and in the access log."""
    decision = require(
        user=by,
        person=task.person,
        action=Action.WRITE,
        parts=[RecordPart.EPISODES],
        channel=channel,
        detail="complete task",
    )
    if not outcome.strip():
        raise ValidationError({"outcome": "Say what was done."})
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if not locked.is_open:
            raise ValidationError({"outcome": "This task is already closed."})
        # R6: a follow-up's own task closes only when the follow-up reaches the person (engagement).
        if Task.objects.filter(pk=locked.pk, follow_up__isnull=False, follow_up__completed_at__isnull=True).exists():
            raise ValidationError(
                {
                    "outcome": "This task follows up a missed appointment. Record what you did on the follow-up; "
                    "the task closes when the person is reached."
                }
            )
        # Issue 5: advice asked of the addictions consultant, or a prescribing handover, closes with its answer.
        if Task.objects.filter(pk=locked.pk, advice_request__status="open").exists():
            raise ValidationError(
                {"outcome": "This task is a question to the addictions consultant. Answer it on the advice page; "
                 "the task closes with the answer."}
            )  # fmt: skip
        if Task.objects.filter(pk=locked.pk, prescribing_handover__status="requested").exists():
            raise ValidationError(
                {"outcome": "This task is a prescribing handover. Accept or decline it on the handover page; the "
                 "task closes with the answer."}
            )  # fmt: skip
        locked.status = TaskStatus.DONE
        locked.completed_at = timezone.now()
        locked.completed_by = by
        locked.outcome = outcome.strip()
        locked.save(update_fields=["status", "completed_at", "completed_by", "outcome"])
        log_write(
            by=by,
            person=task.person,
            parts=[RecordPart.EPISODES],
            basis=decision.basis,
            channel=channel,
            detail=f"completed task ({locked.rule}): {locked.title}",
        )
    return locked
