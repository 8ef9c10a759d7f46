"""Appointments and what happens when one is missed (R4 plan review at each contact, R6 follow-up).

A missed appointment creates a follow-up with its task in the same transaction; nothing here ever
discharges a person or finishes an episode of care."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coexist.engagement.rules import Attendance, PlanReview, RiskLevel


class Mode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    HOME_VISIT = "home_visit", "Home visit"


class AppointmentSeries(models.Model):
    """Repeating appointments booked together: the same worker, place and time every `every_days` days.

    Each occurrence is an ordinary Appointment with its own outcome, so a missed one is followed up
    on its own (R6) and cancelling the rest of a series leaves the past alone."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="appointment_series")
    every_days = models.PositiveSmallIntegerField()
    occurrences = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(every_days__range=(1, 91)), name="series_every_1_to_91_days"),
            models.CheckConstraint(condition=Q(occurrences__range=(2, 52)), name="series_2_to_52_occurrences"),
        ]

    def __str__(self) -> str:
        return f"{self.occurrences} appointments every {self.every_days} days"


class Appointment(models.Model):
    """A booked meeting with the person, its attendance outcome and whether the plan was reviewed (R4)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="appointments")
    episode = models.ForeignKey(
        "care.EpisodeOfCare", on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments"
    )
    service = models.ForeignKey("organisations.Service", on_delete=models.PROTECT, related_name="appointments")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    # Joint appointments: a worker from each organisation (NG58 joint working).
    second_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="joint_appointments"
    )
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.IN_PERSON)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    status = models.CharField(max_length=24, choices=Attendance.choices, default=Attendance.BOOKED)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan_reviewed = models.CharField(max_length=10, choices=PlanReview.choices, blank=True)
    plan_change = models.TextField(blank=True, help_text="What changed in the care plan, when it changed.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    series = models.ForeignKey(
        AppointmentSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(second_staff__isnull=True) | ~Q(second_staff=F("staff")),
                name="appointment_second_staff_differs",
            ),
            # R4: a changed plan says what changed.
            models.CheckConstraint(
                condition=~Q(plan_reviewed=PlanReview.CHANGED) | ~Q(plan_change=""),
                name="appointment_plan_change_described",
            ),
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="appointment_has_a_duration"),
        ]
        indexes = [models.Index(fields=["person", "starts_at"]), models.Index(fields=["staff", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} on {self.starts_at:%d %b %Y %H:%M} ({self.get_status_display()})"

    @property
    def has_outcome(self) -> bool:
        return self.status != Attendance.BOOKED


class FollowUp(models.Model):
    """R6: finding out about a missed appointment, with its task and how soon it had to be done."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="follow_up")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="follow_ups")
    task = models.OneToOneField("tasks.Task", on_delete=models.PROTECT, related_name="follow_up")
    risk_level = models.CharField(max_length=24, choices=[(r.value, r.value) for r in RiskLevel])
    missed_at = models.DateTimeField()
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["person", "completed_at"])]

    def __str__(self) -> str:
        return f"Follow-up of {self.appointment} (due {self.due_at:%d %b %Y %H:%M})"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


class ActionKind(models.TextChoices):
    CALL = "call", "Phone call"
    TEXT = "text", "Text message"
    LETTER = "letter", "Letter"
    HOME_VISIT = "home_visit", "Home visit"
    OTHER_PRACTITIONERS = "other_practitioners", "Contacted other practitioners"
    CARERS = "carers", "Contacted carers named in the plan"


class ActionResult(models.TextChoices):
    REACHED = "reached", "Reached the person"
    NOT_REACHED = "not_reached", "Did not reach the person"
    MESSAGE_LEFT = "message_left", "Left a message"


class FollowUpAction(models.Model):
    """R6: one thing done to reach a person after a missed appointment, and what came of it."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=24, choices=ActionKind.choices)
    result = models.CharField(max_length=16, choices=ActionResult.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_result_display()}"


class LossOfContactQuerySet(models.QuerySet["LossOfContact"]):
    def current(self) -> LossOfContactQuerySet:
        return self.filter(resolved_at__isnull=True)


class LossOfContact(models.Model):
    """R6: the service has lost contact with the person (repeated misses or a failed follow-up).

    Shown to and notified to every clinical member of the care team; resolved only by reaching the
    person (a seen appointment or a follow-up that reached them). Never a discharge: it changes
    nothing about the person's episodes of care."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="losses_of_contact")
    episode = models.ForeignKey(
        "care.EpisodeOfCare", on_delete=models.SET_NULL, null=True, blank=True, related_name="losses_of_contact"
    )
    since = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    consecutive_missed = models.PositiveSmallIntegerField(default=0)
    failed_follow_ups = models.PositiveSmallIntegerField(default=0)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The notification task sent to each member of the care team.
    notices = models.ManyToManyField("tasks.Task", blank=True, related_name="loss_of_contact")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_how = models.TextField(blank=True)

    objects = LossOfContactQuerySet.as_manager()

    class Meta:
        ordering = ["-since"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(resolved_at__isnull=True), name="one_current_loss_of_contact_per_person"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolved_by__isnull=True, resolved_how="")
                | (Q(resolved_at__isnull=False, resolved_by__isnull=False) & ~Q(resolved_how="")),
                name="loss_of_contact_resolved_says_who_when_how",
            ),
        ]

    def __str__(self) -> str:
        return f"Loss of contact with {self.person} since {self.since:%d %b %Y}"

    @property
    def is_current(self) -> bool:
        return self.resolved_at is None
