"""Tasks: duties with an owner and a deadline (R2 urgent needs, R15 self-harm signals; R6 follow-ups later).

A deadline is data. A task is created, with its due time, in the same transaction as the event
that caused it, so nothing depends on a queue remembering (ARCHITECTURE, "Background work").
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Priority(models.TextChoices):
    URGENT = "urgent", "Urgent"
    SOON = "soon", "Soon"
    ROUTINE = "routine", "Routine"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_TASK_STATUSES = frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS})


class TaskQuerySet(models.QuerySet["Task"]):
    def open(self) -> TaskQuerySet:
        return self.filter(status__in=OPEN_TASK_STATUSES)

    def overdue(self, at: object | None = None) -> TaskQuerySet:
        return self.open().filter(due_at__lt=at or timezone.now())


class Task(models.Model):
    """A duty someone must do for a person by a time, and the clinical rule that created it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="tasks")
    episode = models.ForeignKey(
        "care.EpisodeOfCare", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    rule = models.CharField(max_length=8, help_text="The clinical rule that created it, e.g. R2 or R15.")
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    due_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    assigned_team = models.ForeignKey(
        "organisations.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(blank=True)
    # Escalation is an event, not a state (DOMAIN): when this overdue duty was raised with a team
    # leader, and, on the leader's task, which duty it escalates.
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalates = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="escalations")

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "created_at"]
        constraints = [
            # Somebody always owns a duty: a named worker, or a team until one is named.
            models.CheckConstraint(
                condition=Q(assigned_to__isnull=False) | Q(assigned_team__isnull=False),
                name="task_has_an_owner",
            )
        ]
        indexes = [
            models.Index(fields=["assigned_to", "status", "due_at"]),
            models.Index(fields=["person", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due_at:%d %b %Y %H:%M})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    @property
    def answered_elsewhere(self) -> tuple[str, str] | None:
        """Issue 5: a task that is a question to answer on its own page (advice to the addictions consultant, a
        prescribing handover to accept or decline) closes with the answer; (link, words) for its list row.

        Select `advice_request` and `prescribing_handover` with the task to keep this free of queries."""
        from django.urls import reverse

        try:
            advice = self.advice_request
            if advice.status == "open":
                return reverse("advice:answer", args=[advice.public_id]), "Answer the question"
        except ObjectDoesNotExist:
            pass
        try:
            handover = self.prescribing_handover
            if handover.status == "requested":
                return reverse("medicines:handover_answer", args=[handover.public_id]), "Accept or decline"
        except ObjectDoesNotExist:
            pass
        return None

    @property
    def follow_up_to_clear(self) -> models.Model | None:
        """R6: the missed-appointment follow-up this task (or the duty it escalates) is cleared by, if any.

        Such a task closes when the follow-up reaches the person, so its list row links there.
        Select `follow_up` and `escalates__follow_up` with the task to keep this free of queries."""
        for task in (self, self.escalates):
            if task is None:
                continue
            try:
                return task.follow_up
            except ObjectDoesNotExist:
                continue
        return None
