"""Continuity of provider (R10): commissioning contracts per service, and the handover of an ending
contract's open caseload to the next provider. A dry run says what will move; the move runs in one
transaction with an audit row per record moved; a reconciliation compares counts before and after."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Contract(models.Model):
    """A commissioning contract: a provider organisation runs a service from a start to an end date.
    Not exposed over FHIR (DOMAIN.md)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, help_text="e.g. Northshire adult drug and alcohol service 2024-2027")
    provider = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="contracts")
    service = models.ForeignKey("organisations.Service", on_delete=models.PROTECT, related_name="contracts")
    starts_on = models.DateField()
    ends_on = models.DateField()
    successor = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="predecessor"
    )

    class Meta:
        ordering = ["service", "starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="contract_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%Y}-{self.ends_on:%Y})"


class HandoverStatus(models.TextChoices):
    DRY_RUN = "dry_run", "Dry run"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed: nothing moved"


class ProviderHandover(models.Model):
    """One run of a provider handover, from an ending contract to its successor."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    from_contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="handovers_out")
    to_contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="handovers_in")
    status = models.CharField(max_length=12, choices=HandoverStatus.choices)
    run_at = models.DateTimeField(default=timezone.now)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # {"people": n, "episodes": n, ...}: what the dry run found, and the counts before and after the move.
    plan = models.JSONField(default=dict)
    counts_before = models.JSONField(default=dict)
    counts_after = models.JSONField(default=dict)
    failure = models.TextField(blank=True)

    class Meta:
        ordering = ["-run_at", "-pk"]

    def __str__(self) -> str:
        return f"Handover {self.from_contract} to {self.to_contract} ({self.get_status_display()})"

    @property
    def reconciled(self) -> bool:
        return self.status == HandoverStatus.COMPLETED and self.counts_before == self.counts_after


class HandoverMove(models.Model):
    """The audit entry for one record moved by a handover: what it was, whose, and from where to where."""

    handover = models.ForeignKey(ProviderHandover, on_delete=models.CASCADE, related_name="moves")
    kind = models.CharField(max_length=32, help_text="e.g. episode, referral, task, appointment, care team, staff")
    record_id = models.UUIDField()
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    moved_from = models.CharField(max_length=300)
    moved_to = models.CharField(max_length=300)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["handover", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} moved from {self.moved_from} to {self.moved_to}"
