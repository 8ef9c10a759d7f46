"""Discharge and transfer (R8, R9): one checklist, derived from the person's record, gates the move out
of a service. A discharge finishes the episode; a transfer moves it to another team, service or
organisation, keeping its history, plan, open tasks and care team, and the receiving team must accept
before the sender lets go. A senior clinician may override open items with a written reason, which is
reported. FHIR: EpisodeOfCare status changes and a Task for the checklist."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class TransitionKind(models.TextChoices):
    DISCHARGE = "discharge", "Discharge"
    TRANSFER = "transfer", "Transfer"


class TransitionStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    AWAITING_ACCEPTANCE = "awaiting_acceptance", "Waiting for the receiving team to accept"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined by the receiving team"
    CANCELLED = "cancelled", "Cancelled"


OPEN_TRANSITION_STATUSES = frozenset({TransitionStatus.PLANNING, TransitionStatus.AWAITING_ACCEPTANCE})


class HousingSupport(models.TextChoices):
    IN_PLACE = "in_place", "Housing support is in place"
    NOT_NEEDED = "not_needed", "Not needed: the person has settled housing and needs no support"
    NOT_ARRANGED = "not_arranged", "Not yet arranged"


class Transition(models.Model):
    """A planned discharge or transfer of one episode of care, with its checklist evidence."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="transitions")
    episode = models.ForeignKey("care.EpisodeOfCare", on_delete=models.PROTECT, related_name="transitions")
    kind = models.CharField(max_length=12, choices=TransitionKind.choices)
    status = models.CharField(max_length=24, choices=TransitionStatus.choices, default=TransitionStatus.PLANNING)
    # Discharge: the coded reason (coexist.engagement.rules.DischargeReason) and where the person goes.
    discharge_reason = models.CharField(max_length=32, blank=True)
    destination = models.TextField(blank=True, help_text="Where the person will live or be cared for next.")
    planned_for = models.DateField(null=True, blank=True)
    # Transfer: the receiving team, and who there takes on coordination.
    to_team = models.ForeignKey(
        "organisations.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="incoming_transfers"
    )
    # The discharge or transfer meeting (R8).
    meeting_at = models.DateTimeField(null=True, blank=True)
    housing_support = models.CharField(
        max_length=16, choices=HousingSupport.choices, default=HousingSupport.NOT_ARRANGED
    )
    housing_note = models.TextField(blank=True)
    # R9 and the NHS 72-hour standard: the first contact after leaving a mental health ward.
    follow_up_appointment = models.ForeignKey(
        "engagement.Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    follow_up_task = models.OneToOneField(
        "tasks.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="discharge_follow_up"
    )
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(null=True, blank=True, help_text="When a transfer was sent for acceptance.")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField(blank=True)
    # A transfer sent for acceptance opens a referral to the receiving service, which is what lets the
    # receiving team read the record to decide (the one permission function: open referral); it closes on
    # the answer.
    request_referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="transfer"
    )
    new_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The checklist as it stood at completion: [{"key", "title", "met", "explanation"}], for reporting.
    checklist_at_completion = models.JSONField(default=list, blank=True)
    # A senior clinician's override of open items (R8), always with a written reason; reported.
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_reason = models.TextField(blank=True)
    overridden_items = models.JSONField(default=list, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="transfer") | Q(to_team__isnull=False), name="transition_transfer_has_team"
            ),
            models.CheckConstraint(
                condition=Q(override_by__isnull=True) | ~Q(override_reason=""),
                name="transition_override_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="transition_completed_is_dated",
            ),
            # One open transition per episode at a time.
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(status__in=["planning", "awaiting_acceptance"]),
                name="transition_one_open_per_episode",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status"]),
            models.Index(fields=["kind", "status", "completed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.person} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TRANSITION_STATUSES


class TransitionInvitee(models.Model):
    """A practitioner invited to the discharge or transfer meeting (R8), and the agency they speak for."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    transition = models.ForeignKey(Transition, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    attended = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["transition", "user"], name="transition_invitee_once")]

    def __str__(self) -> str:
        return f"{self.user} invited to {self.transition}"
