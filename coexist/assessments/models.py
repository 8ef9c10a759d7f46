"""Assessments and risk: the joint comprehensive assessment (R2) and risk flags (R13)."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RiskKind(models.TextChoices):
    """R13: the kinds of risk a flag can carry."""

    SELF_HARM_SUICIDE = "self_harm_suicide", "Self-harm or suicide"
    OVERDOSE = "overdose", "Overdose"
    HARM_TO_OTHERS = "harm_to_others", "Harm to others"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    EXPLOITATION = "exploitation", "Exploitation"


class RiskFlagQuerySet(models.QuerySet["RiskFlag"]):
    def current(self, on: date | None = None) -> RiskFlagQuerySet:
        """Raised and not ended. A flag past its review date is still current: it needs review, not forgetting."""
        day = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day), raised_at__date__lte=day)

    def review_overdue(self, on: date | None = None) -> RiskFlagQuerySet:
        """R13: current flags whose review date has passed; these go on the worklist."""
        day = on or timezone.localdate()
        return self.current(day).filter(review_on__lt=day)


class RiskFlag(models.Model):
    """A risk to or from the person that everyone in the care team must see, with a date to review it (R13)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="risk_flags")
    kind = models.CharField(max_length=24, choices=RiskKind.choices)
    note = models.TextField(blank=True)
    source = models.CharField(max_length=200, help_text="Where it came from, e.g. 'PHQ-9 item 9 answered 2'.")
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_on = models.DateField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    objects = RiskFlagQuerySet.as_manager()

    class Meta:
        ordering = ["review_on"]
        indexes = [models.Index(fields=["person", "ended_on"]), models.Index(fields=["review_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (review by {self.review_on:%d %b %Y})"


class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class JointAssessment(models.Model):
    """A joint comprehensive assessment by mental health and substance use workers together (NG58, R2)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="assessments")
    episode = models.ForeignKey(
        "care.EpisodeOfCare", on_delete=models.SET_NULL, null=True, blank=True, related_name="assessments"
    )
    status = models.CharField(max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Joint assessment of {self.person} ({self.get_status_display()})"
