"""Assessments and risk: the joint comprehensive assessment (R2) and risk flags (R13)."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coexist.assessments.rules import (
    ChildrenContact,
    Domain,
    Frequency,
    Need,
    Route,
    Substance,
)

__all__ = [
    "AssessmentStatus",
    "Assessor",
    "ChildrenContact",
    "Domain",
    "DomainFinding",
    "Frequency",
    "JointAssessment",
    "Need",
    "RiskFlag",
    "RiskFlagReview",
    "RiskKind",
    "Route",
    "Substance",
    "SubstanceUse",
]


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
    assessment = models.ForeignKey(
        "JointAssessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risk_flags",
        help_text="The joint assessment the flag was raised from, if any.",
    )

    objects = RiskFlagQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["review_on"]
        indexes = [models.Index(fields=["person", "ended_on"]), models.Index(fields=["review_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (review by {self.review_on:%d %b %Y})"

    @property
    def is_review_overdue(self) -> bool:
        """R13: not ended and past its review date (the same test as `RiskFlag.objects.review_overdue()`)."""
        today = timezone.localdate()
        return self.review_on < today and (self.ended_on is None or self.ended_on > today)


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
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Mental health domain: the presentation is that domain's notes; the diagnosis only if one is known.
    diagnosis = models.CharField(max_length=200, blank=True, help_text="Only if known; leave blank otherwise.")
    # Safeguarding of children (NG58 first contact): whether children live with or are cared for by the person.
    children_contact = models.CharField(
        max_length=16, choices=ChildrenContact.choices, default=ChildrenContact.NOT_ASKED
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]
        # Outcome measures read the joint assessments completed in a period (days to assessment, QS188 s1).
        indexes = [models.Index(fields=["status", "completed_at"])]

    def __str__(self) -> str:
        return f"Joint assessment of {self.person} ({self.get_status_display()})"

    @property
    def is_completed(self) -> bool:
        return self.status == AssessmentStatus.COMPLETED


class Assessor(models.Model):
    """A worker who carried out the joint assessment, and the organisation they came from."""

    assessment = models.ForeignKey(JointAssessment, on_delete=models.CASCADE, related_name="assessors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "user"], name="assessor_once_per_assessment")]

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class DomainFinding(models.Model):
    """What the assessors found in one domain of the assessment (housing, physical health...) and the need."""

    assessment = models.ForeignKey(JointAssessment, on_delete=models.CASCADE, related_name="findings")
    domain = models.CharField(max_length=24, choices=Domain.choices)
    notes = models.TextField(blank=True)
    need = models.CharField(max_length=8, choices=Need.choices, blank=True, help_text="Blank: not yet assessed.")
    # R2: the urgent task this need created, so saving again does not create another.
    urgent_task = models.ForeignKey("tasks.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    history = HistoricalRecords(excluded_fields=["urgent_task"])

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "domain"], name="one_finding_per_domain")]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.get_need_display() or 'not yet assessed'}"


class SubstanceUse(models.Model):
    """One substance the person uses, how, how often and when last, recorded in a joint assessment."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(JointAssessment, on_delete=models.CASCADE, related_name="substances")
    substance = models.CharField(max_length=24, choices=Substance.choices)
    substance_other = models.CharField(max_length=100, blank=True, help_text="Name it if 'other'.")
    route = models.CharField(max_length=12, choices=Route.choices)
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    injecting = models.BooleanField()
    last_used_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name}, {self.get_route_display().lower()}, {self.get_frequency_display().lower()}"

    @property
    def name(self) -> str:
        if self.substance == Substance.OTHER and self.substance_other:
            return self.substance_other
        return self.get_substance_display()


class RiskFlagReview(models.Model):
    """R13: one review of a risk flag: when, by whom, what was decided and the next review date."""

    flag = models.ForeignKey(RiskFlag, on_delete=models.CASCADE, related_name="reviews")
    reviewed_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    previous_review_on = models.DateField()
    next_review_on = models.DateField()
    note = models.TextField()

    class Meta:
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"Review of {self.flag} on {self.reviewed_at:%d %b %Y}"
