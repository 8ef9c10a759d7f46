"""The access log: an append-only record of who saw or changed whose record, when, and why."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.db import models


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an access log entry."""


class AccessLogQuerySet(models.QuerySet["AccessLogEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Access log entries cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Access log entries cannot be deleted.")


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    REFUSED = "refused", "Refused"


class Channel(models.TextChoices):
    PAGE = "page", "Web page"
    API = "api", "JSON API"
    TASK = "task", "Background task"
    COMMAND = "command", "Management command"


class AccessLogEntry(models.Model):
    """One read or write of a person's record, or a refused attempt (AuditEvent in FHIR).

    Copies the actor's id and name and the person's id rather than pointing at them, so an entry
    survives the deletion of either. The database refuses UPDATE and DELETE on this table (see the
    migration), and the model and queryset refuse them before they get there.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_public_id = models.UUIDField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150)
    actor_name = models.CharField(max_length=300)
    person_public_id = models.UUIDField(db_index=True)
    action = models.CharField(max_length=10)  # people.rules.Action
    parts = models.JSONField(default=list)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    basis = models.TextField(help_text="The relationship that allowed it, or why it was refused.")
    purpose = models.CharField(max_length=200, help_text="Why the record was opened, e.g. direct care.")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    detail = models.CharField(max_length=300, help_text="What was seen or changed, e.g. 'person page'.")

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "access log entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.person_public_id} ({self.outcome})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Access log entries cannot be changed.")
        missing = [f for f in ("actor_username", "purpose", "channel", "detail", "basis") if not getattr(self, f)]
        if missing:
            raise ValueError(f"An access log entry needs its context: {', '.join(missing)} missing")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Access log entries cannot be deleted.")
