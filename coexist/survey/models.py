"""Service surveys (RECO stage 2), staff dual diagnosis training, recovery college sessions and service-user
feedback rounds: all about a service, none about a person (issue 6 points 5 and 6)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from coexist.organisations.models import Service
from coexist.survey.rules import DIMENSION_LABELS, PROVISION_LABELS, SCORE_MAX, SCORE_MIN

PROVISION_CHOICES = list(PROVISION_LABELS.items())
DIMENSION_CHOICES = list(DIMENSION_LABELS.items())


class ServiceSurvey(models.Model):
    """A service's self-assessment of its dual diagnosis capability on one date. Never edited once
    submitted: a later view of the service is a new survey."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="surveys")
    completed_on = models.DateField()
    provision = models.CharField(max_length=32, choices=PROVISION_CHOICES)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service__name", "-completed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "completed_on"],
                name="survey_one_per_service_per_date",
                violation_error_message="This service already has a survey completed on that date.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} survey, {self.completed_on:%d %B %Y}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A submitted survey is a record of what the service said on that date; changing it would rewrite the
        # comparison over time. A correction is a new survey.
        if not self._state.adding:
            raise ValueError("A submitted service survey is never changed; record a new one.")
        super().save(*args, **kwargs)


class SurveyScore(models.Model):
    """One dimension's score (1 to 5) and note in a service survey."""

    survey = models.ForeignKey(ServiceSurvey, on_delete=models.CASCADE, related_name="scores")
    dimension = models.CharField(max_length=32, choices=DIMENSION_CHOICES)
    score = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["survey", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "dimension"], name="survey_score_one_per_dimension"),
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN) & Q(score__lte=SCORE_MAX),
                name="survey_score_1_to_5",
                violation_error_message="A score is from 1 to 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()}: {self.score}"


class StaffTraining(models.Model):
    """A dual diagnosis course a member of staff completed, recorded by their service."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="staff_training")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dd_training")
    course = models.CharField(max_length=200)
    provider = models.CharField(max_length=200)
    completed_on = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=1)
    certificate = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=500), name="staff_training_hours_range")
        ]
        indexes = [models.Index(fields=["staff", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.course}, {self.completed_on:%d %B %Y}"


class RecoveryCollegeSession(models.Model):
    """A recovery college course session for service users, with how many came. A count, not a register:
    a named register would make course attendance a new part of people's records, with its own consent and
    access rules, for a figure the evaluation only ever uses as a total."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="recovery_college_sessions")
    course = models.CharField(max_length=200)
    session_on = models.DateField()
    attendees = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-session_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(attendees__lte=500), name="recovery_session_attendees_at_most_500")
        ]

    def __str__(self) -> str:
        return f"{self.course}, {self.session_on:%d %B %Y}"


class FeedbackRound(models.Model):
    """A round of service-user feedback (co-production): how many gave each answer to each question, and
    'you said, we did'. Counts only; no person-level answers are kept."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="feedback_rounds")
    collected_on = models.DateField()
    # {question: [count answering 1, 2, 3, 4, 5]} for the questions in rules.Question.
    counts = models.JSONField()
    you_said = models.TextField(blank=True)
    we_did = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-collected_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "collected_on"],
                name="feedback_one_round_per_service_per_date",
                violation_error_message="This service already has feedback recorded for that date.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} feedback, {self.collected_on:%d %B %Y}"
