"""A continuity record of the medicines that transitions need (R9), not a prescribing system: opiate
substitution treatment with its dose history and the last dose given, naloxone offers, other medicines
that matter at handover, and the community prescriber's acceptance of a handover so that no day's dose
is missed. FHIR: MedicationStatement (what the person takes), MedicationAdministration (a dose given),
MedicationRequest (the handover)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OpioidSubstitute(models.TextChoices):
    METHADONE = "methadone", "Methadone oral solution"
    BUPRENORPHINE = "buprenorphine", "Buprenorphine sublingual"
    BUPRENORPHINE_NALOXONE = "buprenorphine_naloxone", "Buprenorphine with naloxone sublingual"
    BUPRENORPHINE_DEPOT = "buprenorphine_depot", "Buprenorphine prolonged-release injection"


class OpiateSubstitution(models.Model):
    """One course of opiate substitution treatment: the drug, who prescribes it, and its doses over time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="opiate_substitutions")
    drug = models.CharField(max_length=24, choices=OpioidSubstitute.choices)
    # Who prescribes now: a service (the community drug and alcohol service, the ward) and, where known,
    # the named prescriber. Changes when a handover is accepted.
    prescribing_service = models.ForeignKey(
        "organisations.Service", on_delete=models.PROTECT, related_name="opiate_substitutions"
    )
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prescriber_name = models.CharField(max_length=200, blank=True, help_text="When the prescriber has no account.")
    started_on = models.DateField()
    stopped_on = models.DateField(null=True, blank=True)
    stop_reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stopped_on__isnull=True) | Q(stopped_on__gte=models.F("started_on")),
                name="opiate_substitution_stops_after_start",
            ),
            # One current course per person: two at once would make "the current dose" ambiguous at handover.
            models.UniqueConstraint(
                fields=["person"], condition=Q(stopped_on__isnull=True), name="one_current_opiate_substitution"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_drug_display()} for {self.person}"

    @property
    def is_current(self) -> bool:
        return self.stopped_on is None


class DoseChange(models.Model):
    """The dose from a date on: every change is a new row, so the history is kept."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    treatment = models.ForeignKey(OpiateSubstitution, on_delete=models.CASCADE, related_name="doses")
    daily_dose_mg = models.DecimalField(max_digits=6, decimal_places=2)
    supervised = models.BooleanField(help_text="Taken under supervision at the pharmacy.")
    pharmacy = models.CharField("Dispensing pharmacy", max_length=200, blank=True)
    effective_from = models.DateField()
    reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from", "-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(daily_dose_mg__gt=0), name="dose_change_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.daily_dose_mg} mg a day from {self.effective_from:%d %b %Y}"


class DoseGiven(models.Model):
    """A dose actually given or supervised (on the ward or at the pharmacy): the last one matters at handover."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    treatment = models.ForeignKey(OpiateSubstitution, on_delete=models.CASCADE, related_name="doses_given")
    given_at = models.DateTimeField()
    dose_mg = models.DecimalField(max_digits=6, decimal_places=2)
    where = models.CharField(max_length=200, help_text="The ward or pharmacy where it was given.")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-given_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(dose_mg__gt=0), name="dose_given_positive")]
        indexes = [models.Index(fields=["treatment", "given_at"])]

    def __str__(self) -> str:
        return f"{self.dose_mg} mg given at {self.given_at:%d %b %Y %H:%M}"


class NaloxoneOutcome(models.TextChoices):
    SUPPLIED = "supplied", "Offered and supplied"
    DECLINED = "declined", "Offered and declined"
    ALREADY_HAS = "already_has", "Offered: already has an in-date kit"


class NaloxoneKit(models.TextChoices):
    INTRAMUSCULAR = "intramuscular", "Intramuscular (Prenoxad)"
    NASAL = "nasal", "Nasal spray (Nyxoid)"


class NaloxoneOffer(models.Model):
    """Naloxone offered to someone who uses opioids (R9), what came of it, and whether training was given."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="naloxone_offers")
    offered_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=NaloxoneOutcome.choices)
    kit = models.CharField(max_length=16, choices=NaloxoneKit.choices, blank=True)
    training_given = models.BooleanField(default=False)
    carer_trained = models.BooleanField(default=False, help_text="A carer or family member was trained too.")
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-offered_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="supplied") | ~Q(kit=""), name="naloxone_supplied_names_the_kit"
            )
        ]
        indexes = [models.Index(fields=["person", "offered_at"])]

    def __str__(self) -> str:
        return f"Naloxone {self.get_outcome_display().lower()} on {self.offered_at:%d %b %Y}"


class OtherMedicine(models.Model):
    """Another medicine that matters at handover (e.g. clozapine, a depot antipsychotic, a benzodiazepine)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="other_medicines")
    name = models.CharField(max_length=200)
    dose = models.CharField(max_length=200, help_text="Dose and frequency, as prescribed.")
    why_it_matters = models.TextField(blank=True, help_text="What the next service must know.")
    started_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.dose}"


class HandoverStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PrescribingHandover(models.Model):
    """A request to a community prescriber to take over opiate substitution at discharge (R9), and their
    answer. Accepted means the prescriber confirmed drug, dose, last dose given and the date of the first
    community dose, so that no day is missed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    treatment = models.ForeignKey(OpiateSubstitution, on_delete=models.PROTECT, related_name="handovers")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="prescribing_handovers")
    # The episode being left (usually the ward's) and the service taking over prescribing.
    from_episode = models.ForeignKey(
        "care.EpisodeOfCare", on_delete=models.PROTECT, null=True, blank=True, related_name="prescribing_handovers"
    )
    to_service = models.ForeignKey("organisations.Service", on_delete=models.PROTECT, related_name="+")
    # What the sender states, copied at the time so the acceptance is of exactly this.
    drug = models.CharField(max_length=24, choices=OpioidSubstitute.choices)
    daily_dose_mg = models.DecimalField(max_digits=6, decimal_places=2)
    supervised = models.BooleanField()
    pharmacy = models.CharField(max_length=200, blank=True)
    last_dose_given_at = models.DateTimeField()
    first_community_dose_on = models.DateField()
    status = models.CharField(max_length=12, choices=HandoverStatus.choices, default=HandoverStatus.REQUESTED)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer_note = models.TextField(blank=True)
    # The task on the community prescriber's team to answer.
    task = models.OneToOneField(
        "tasks.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="prescribing_handover"
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="requested") | Q(status="withdrawn") | Q(answered_at__isnull=False),
                name="prescribing_handover_answer_dated",
            ),
            models.CheckConstraint(condition=Q(daily_dose_mg__gt=0), name="prescribing_handover_dose_positive"),
            # One open request per course, so the receiver never answers two versions of the facts.
            models.UniqueConstraint(
                fields=["treatment"], condition=Q(status="requested"), name="one_open_prescribing_handover"
            ),
        ]
        indexes = [models.Index(fields=["person", "status"]), models.Index(fields=["to_service", "status"])]

    def __str__(self) -> str:
        return f"Prescribing handover of {self.get_drug_display()} to {self.to_service} ({self.get_status_display()})"
