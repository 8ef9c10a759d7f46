"""Referrals into a service from every route (self, staff, drop-in, ward, GP, criminal justice),
their status history, and drop-in visits recorded with minimal identity (R12).

A referral may arrive before anyone knows which person record it belongs to (a self-referral, a
GP letter about someone new): it then holds the identity and contact the referrer gave, and
`person` stays empty until triage links it to an existing person or creates one. Status changes
only through the named transitions in `services.py`, each writing a `ReferralStatusChange`.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from coexist.people.rules import ContactMethod
from coexist.referrals.rules import REFERENCE_ALPHABET, DeclineReason, reference_format


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


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Soon"
    URGENT = "urgent", "Urgent"


# Triage order: urgent first.
URGENCY_RANK = {Urgency.URGENT: 0, Urgency.SOON: 1, Urgency.ROUTINE: 2}


def new_reference() -> str:
    """A short public reference, read out over the phone: CX-7K3M-9Q (no 0/O, 1/I, 5/S...)."""
    return reference_format("".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6)))


# A referral is open until the service decides on it; while open, the service's team may read the
# record to triage it (DOMAIN.md, "Who may see what", 1).
OPEN_STATUSES = frozenset({Status.RECEIVED, Status.TRIAGED})


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Referral(models.Model):
    """A request for a service to help a person (ServiceRequest in FHIR)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    # Empty until triage links the referral to an existing person or creates one.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="referrals"
    )
    to_service = models.ForeignKey("organisations.Service", on_delete=models.PROTECT, related_name="referrals")
    route = models.CharField(max_length=20, choices=Route.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    reason = models.TextField(blank=True)

    # Who referred: a member of staff with an account, or someone outside (GP, probation, a ward
    # elsewhere) by name, organisation and phone. A self-referral has neither.
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_phone = models.CharField(max_length=32, blank=True)

    # The identity and contact the referrer gave, kept as given, for triage to match to a person.
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    contact_method = models.CharField(max_length=16, choices=ContactMethod.choices, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    safe_to_contact_note = models.CharField(
        max_length=300, blank=True, help_text="For example: only text, do not leave voicemail."
    )

    # Dates the uptake and waiting-time figures are measured from.
    received_at = models.DateTimeField(default=timezone.now)
    triaged_at = models.DateTimeField(null=True, blank=True)
    first_offered_at = models.DateTimeField(null=True, blank=True, help_text="When the first appointment was offered.")
    assessed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    # R1: a decline has a coded reason and somewhere onward to go.
    decline_reason = models.CharField(max_length=32, choices=DeclineReason.choices, blank=True)
    onward_referral = models.TextField(blank=True, help_text="Where the person was referred on or signposted to.")
    onward_service = models.ForeignKey(
        "organisations.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    redirected_to = models.ForeignKey(
        "organisations.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    redirected_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="redirected_as"
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["to_service", "status"]),
            # Outcome measures read a service's referrals by the day received or decided (issue 6).
            models.Index(fields=["to_service", "received_at"]),
            models.Index(fields=["to_service", "decided_at"]),
        ]
        constraints = [
            # An episode of care is always someone's: acceptance needs a linked person.
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(person__isnull=False), name="referral_accepted_has_person"
            ),
            # R1, as a last line of defence under the service: a decline always has a reason and
            # somewhere onward. Which reasons a service may give is decided in rules.py.
            models.CheckConstraint(
                condition=~Q(status="declined")
                | (~Q(decline_reason="") & (~Q(onward_referral="") | Q(onward_service__isnull=False))),
                name="referral_declined_has_reason_and_onward_route",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_route_display()} to {self.to_service} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def submitted_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def display_name(self) -> str:
        """The person's name if linked, else the name the referrer gave."""
        if self.person is not None:
            return self.person.full_name
        return self.submitted_name or "Name not given"

    @property
    def referrer_label(self) -> str:
        # An outside referrer (GP, probation) is named before the member of staff who entered it.
        if self.referrer_name:
            return ", ".join(filter(None, [self.referrer_name, self.referrer_organisation]))
        if self.referrer is not None:
            return self.referrer.display_name
        return "The person themselves" if self.route == Route.SELF else "Not recorded"


class ReferralStatusChange(models.Model):
    """One step in a referral's life: from which status to which, who (empty for the public), when, why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"


class DropInVisit(models.Model):
    """A visit to a drop-in recorded with minimal identity (R12), which may become a referral later."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey("organisations.Service", on_delete=models.PROTECT, related_name="drop_in_visits")
    visited_at = models.DateTimeField(default=timezone.now)
    # A first name or an alias: people come to a drop-in before they are ready to say who they are.
    name_or_alias = models.CharField(max_length=100)
    year_of_birth = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    discussed = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="drop_in_visit"
    )

    class Meta:
        ordering = ["-visited_at"]
        indexes = [models.Index(fields=["service", "visited_at"])]

    def __str__(self) -> str:
        return f"Drop-in visit: {self.name_or_alias} at {self.service}"
