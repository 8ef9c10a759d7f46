"""Research projects with an approval, and the log of every de-identified extract made for them (issue 6 point 7)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def new_project_key() -> bytes:
    """A project's secret pseudonymisation key: 32 random bytes, made on the server, never shown or exported."""
    return secrets.token_bytes(32)


class ResearchProject(models.Model):
    """An approved research or evaluation project that may take de-identified extracts, and its researchers."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    approval_reference = models.CharField(
        max_length=100, help_text="The ethics or governance approval, for example an REC or HRA reference."
    )
    purpose = models.TextField(help_text="What the project studies and why it needs these data.")
    data_controller_contact = models.CharField(
        max_length=300, help_text="Who is responsible for the data once extracted: a name and how to reach them."
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    # The HMAC key for pseudonyms and date shifts. Per project, so two projects' extracts cannot be
    # linked person by person. Kept out of every form, page, API and log.
    key = models.BinaryField(default=new_project_key, editable=False)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="research_projects", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="research_project_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.approval_reference})"

    def is_current(self, on: Any = None) -> bool:
        day = on or timezone.localdate()
        return bool(self.starts_on <= day <= self.ends_on)


class ExtractLog(models.Model):
    """One extract made for a project: who, when, why, what (fields, period, rows) and the file's SHA-256.

    Append-only: written in the same transaction as the extract, before the file is returned."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(ResearchProject, on_delete=models.PROTECT, related_name="extracts")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Copied, so the entry still says who after the account is gone.
    by_username = models.CharField(max_length=150)
    by_name = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now)
    why = models.TextField()
    kind = models.CharField(max_length=20)
    fields = models.JSONField(help_text="The columns in the file, in order.")
    period_start = models.DateField()
    period_end = models.DateField()
    options = models.JSONField(default=dict, help_text="Date handling, age handling, k, cut.")
    row_count = models.PositiveIntegerField()
    rows_dropped = models.PositiveIntegerField(default=0, help_text="Rows left out to keep k-anonymity.")
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"Extract for {self.project.name} by {self.by_name} at {self.at:%d %b %Y %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("An extract log entry cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("An extract log entry cannot be deleted.")
