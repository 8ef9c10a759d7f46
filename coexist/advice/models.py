"""Advice requests to the addictions consultant (seeds 001, 002): a psychiatrist or other clinician asks,
the consultant answers, and both stay on the person's record. Open requests are on the consultant's
worklist with their age. FHIR: CommunicationRequest with its Communication."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AdviceStatus(models.TextChoices):
    OPEN = "open", "Waiting for an answer"
    ANSWERED = "answered", "Answered"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AdviceRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="advice_requests")
    episode = models.ForeignKey(
        "care.EpisodeOfCare", on_delete=models.SET_NULL, null=True, blank=True, related_name="advice_requests"
    )
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="advice_asked")
    question = models.TextField()
    urgent = models.BooleanField(default=False)
    asked_at = models.DateTimeField(default=timezone.now)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=AdviceStatus.choices, default=AdviceStatus.OPEN)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The asker may withdraw an open request, with a reason (kept on the record with the question).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdraw_reason = models.TextField(blank=True)
    task = models.OneToOneField(
        "tasks.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="advice_request"
    )

    class Meta:
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="advice_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | (Q(withdrawn_at__isnull=False) & ~Q(withdraw_reason="")),
                name="advice_withdrawn_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["consultant", "status"]), models.Index(fields=["person", "asked_at"])]

    def __str__(self) -> str:
        return f"Advice request for {self.person} ({self.get_status_display()})"
