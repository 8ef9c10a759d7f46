"""Answered copies of validated measures. The measures themselves are data, in `definitions/`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class InstrumentResponse(models.Model):
    """One completed validated measure (AUDIT, PHQ-9, TOP, ...) for a person, scored by the version used."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="instrument_responses")
    assessment = models.ForeignKey(
        "assessments.JointAssessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instrument_responses",
    )
    instrument_code = models.CharField(max_length=20, help_text="e.g. 'audit', 'phq9'.")
    instrument_version = models.CharField(max_length=40)
    answers = models.JSONField(help_text="Item code -> answer value, exactly as given.")
    score = models.JSONField(help_text="Scores by scale (e.g. {'total': 14}), from the scoring engine.")
    band = models.CharField(max_length=100, blank=True)
    completed_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-completed_at"]
        indexes = [
            models.Index(fields=["person", "instrument_code", "completed_at"]),
            # Outcome measures read one instrument's responses in a period (changes in TOP and DIALOG).
            models.Index(fields=["instrument_code", "completed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.instrument_version} for {self.person}"
