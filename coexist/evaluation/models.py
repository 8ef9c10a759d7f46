"""Programme theories (issue 6 point 4): context-mechanism-outcome (CMO) configurations an evaluator records,
the evidence behind them, and the binding that lets the service's own data test them.

The outcome is bound to a measure (a key of ``coexist.outcomes.definitions.MEASURES``, a proportion); the
context to a subgroup filter (a list of [cut, category key] pairs from ``coexist.outcomes.rules.subgroups``,
all of which must hold) and, optionally, a service. The comparison group is everyone else in the same
measure's denominator over the same period. Edits are kept with simple_history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coexist.evaluation.rules import Expects


class TheoryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class ExpectsChoice(models.TextChoices):
    HIGHER = Expects.HIGHER.value, "Higher in this context than for everyone else"
    LOWER = Expects.LOWER.value, "Lower in this context than for everyone else"


class ProgrammeTheory(models.Model):
    """A CMO configuration: for these people (context), this works (mechanism), so this happens (outcome)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    context = models.TextField(help_text="For whom and in what circumstances, in words.")
    mechanism = models.TextField(help_text="What it is about the service that the theory says makes the difference.")
    outcome = models.TextField(help_text="What the theory says happens, in words.")
    measure_key = models.CharField(max_length=64, help_text="The measure the outcome is bound to.")
    expects = models.CharField(max_length=8, choices=ExpectsChoice.choices, default=ExpectsChoice.HIGHER)
    context_filter = models.JSONField(
        default=list, blank=True, help_text='[[cut, category key], ...], e.g. [["housing_settled", "unsettled"]].'
    )
    service = models.ForeignKey(
        "organisations.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="programme_theories"
    )
    status = models.CharField(max_length=12, choices=TheoryStatus.choices, default=TheoryStatus.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name_plural = "programme theories"

    def __str__(self) -> str:
        return self.title


class EvidenceKind(models.TextChoices):
    LITERATURE = "literature", "Published literature"
    STAKEHOLDER_EVENT = "stakeholder_event", "Stakeholder event"
    INTERVIEW = "interview", "Interview"
    DOCUMENT = "document", "Service document"
    SERVICE_DATA = "service_data", "Service data"


class Evidence(models.Model):
    """Something that supports (or questions) a programme theory, with where it came from."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    theory = models.ForeignKey(ProgrammeTheory, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    source = models.TextField(help_text="The citation: author, title, year; or the event or interview and its date.")
    summary = models.TextField()
    dated = models.DateField(help_text="When it was published or took place.")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-dated", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.source[:60]}"
