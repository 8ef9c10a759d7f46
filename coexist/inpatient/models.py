"""Inpatient stays (R9, seeds 001 and 002): admission to a ward, its legal status, the ward substance
misuse worker from the drug and alcohol provider, and leave periods (when the community service can
assess the person off the ward). An admission belongs to the ward's episode of care; discharge from the
ward is the episode's discharge, gated by the checklist in `coexist.transitions`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class LegalStatus(models.TextChoices):
    """Mental Health Act 1983 status at admission (MHSDS legal status, simplified)."""

    INFORMAL = "informal", "Informal (voluntary)"
    SECTION_2 = "section_2", "Detained: section 2 (assessment)"
    SECTION_3 = "section_3", "Detained: section 3 (treatment)"
    SECTION_4 = "section_4", "Detained: section 4 (emergency)"
    SECTION_5_2 = "section_5_2", "Detained: section 5(2) (holding power)"
    SECTION_136 = "section_136", "Detained: section 136 (place of safety)"
    SECTION_37 = "section_37", "Detained: section 37 (hospital order)"
    OTHER = "other", "Detained: another section"


DETAINED = frozenset(status for status in LegalStatus if status != LegalStatus.INFORMAL)


class AdmissionQuerySet(models.QuerySet["Admission"]):
    def current(self) -> AdmissionQuerySet:
        return self.filter(discharged_at__isnull=True)


class Admission(models.Model):
    """A stay on a mental health ward (FHIR Encounter, class inpatient), within the ward's episode of care."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="admissions")
    episode = models.OneToOneField("care.EpisodeOfCare", on_delete=models.PROTECT, related_name="admission")
    ward = models.ForeignKey("organisations.Service", on_delete=models.PROTECT, related_name="admissions")
    admitted_at = models.DateTimeField()
    legal_status = models.CharField(max_length=16, choices=LegalStatus.choices, default=LegalStatus.INFORMAL)
    reason = models.TextField(blank=True)
    # R9: the substance misuse worker from the drug and alcohol provider who works on the ward; they join
    # the care team for the stay.
    ward_substance_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="ward_admissions"
    )
    ward_substance_worker_since = models.DateTimeField(null=True, blank=True)
    # R9/R15: the duty to ask about alcohol and drugs within 24 hours of admission, created with the
    # admission (none when a screen was already recorded since admission); closed when a screen is recorded.
    screen_task = models.OneToOneField(
        "tasks.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="admission_screen"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Set when the ward's episode is discharged (coexist.transitions completes both in one transaction).
    discharged_at = models.DateTimeField(null=True, blank=True)

    objects = AdmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-admitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discharged_at__isnull=True) | Q(discharged_at__gte=models.F("admitted_at")),
                name="admission_discharged_after_admitted",
            )
        ]
        indexes = [models.Index(fields=["ward", "discharged_at"]), models.Index(fields=["person", "admitted_at"])]

    def __str__(self) -> str:
        return f"Admission of {self.person} to {self.ward} on {self.admitted_at:%d %b %Y}"

    @property
    def is_current(self) -> bool:
        return self.discharged_at is None

    @property
    def detained(self) -> bool:
        return self.legal_status in DETAINED


class LeaveKind(models.TextChoices):
    ESCORTED = "escorted", "Escorted leave"
    UNESCORTED = "unescorted", "Unescorted leave"
    OVERNIGHT = "overnight", "Overnight or home leave"


class Leave(models.Model):
    """A period of leave from the ward (section 17 leave when detained). The community drug and alcohol
    service can assess the person during it, before discharge (R9)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="leaves")
    kind = models.CharField(max_length=12, choices=LeaveKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(help_text="When the person is due back on the ward.")
    returned_at = models.DateTimeField(null=True, blank=True)
    purpose = models.TextField(blank=True, help_text="e.g. assessment by the community drug and alcohol service")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="leave_ends_after_start"),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=models.F("starts_at")),
                name="leave_returned_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.starts_at:%d %b %Y %H:%M}"
