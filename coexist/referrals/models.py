"""Referrals into a service.

The pathway issue adds triage, decline with onward referral (R1), status history and drop-in
visits. The foundation needs only what the permission check reads: which service holds an open
referral for which person.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Route(models.TextChoices):
    SELF = "self", "Self-referral"
    STAFF = "staff", "Staff referral"
    DROP_IN = "drop_in", "Drop-in"
    WARD = "ward", "Ward"
    GP = "gp", "GP"
    CRIMINAL_JUSTICE = "criminal_justice", "Criminal justice"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    TRIAGED = "triaged", "Triaged"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    REDIRECTED = "redirected", "Redirected"
    CANCELLED = "cancelled", "Cancelled"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A referral is open until the service decides on it; while open, the service's team may read the
# record to triage it (DOMAIN.md, "Who may see what", 1).
OPEN_STATUSES = frozenset({Status.RECEIVED, Status.TRIAGED})


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Referral(models.Model):
    """A request for a service to help a person (ServiceRequest in FHIR)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="referrals")
    to_service = models.ForeignKey("organisations.Service", on_delete=models.PROTECT, related_name="referrals")
    route = models.CharField(max_length=20, choices=Route.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    reason = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["to_service", "status"])]

    def __str__(self) -> str:
        return f"{self.get_route_display()} to {self.to_service} ({self.get_status_display()})"
