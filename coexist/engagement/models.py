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

from coexist.engagement.groups.rules import GroupAttendanceStatus, GroupKind
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
    # R10: a future appointment with a worker who left with their provider's contract is flagged for
    # rebooking, never deleted; cleared when it is rebooked or cancelled.
    rebook_flagged_at = models.DateTimeField(null=True, blank=True)
    rebook_reason = models.CharField(max_length=300, blank=True)

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
        # created_at: outcome measures read the follow-ups created in a period (QS188 statement 4).
        indexes = [models.Index(fields=["person", "completed_at"]), models.Index(fields=["created_at"])]

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


# --- Groups and drop-in sessions (seed 002, R12) ---------------------------------------------------
#
# Seed 002: ward substance-misuse groups that people may keep attending after discharge, and a weekly
# drop-in with confidential visits. Discharge, or the end of any episode of care, never ends a group
# enrolment: nothing here refers to episodes. Missing a group session is not an R6 missed appointment.


class Group(models.Model):
    """A group programme or drop-in a service runs; open to people after they leave that service."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey("organisations.Service", on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=GroupKind.choices, default=GroupKind.PROGRAMME)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="group_name_unique_in_service")]

    def __str__(self) -> str:
        return self.name


class GroupSession(models.Model):
    """One meeting of a group or one drop-in, with its facilitators, register and anonymous count (R12).

    Each session stands alone: changing or cancelling one changes no other. Cancelling keeps the record."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    place = models.CharField(max_length=200)
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="facilitated_group_sessions")
    # R12: people who came without giving their name (confidential drop-in visits).
    anonymous_count = models.PositiveSmallIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="group_session_has_a_duration"),
            models.CheckConstraint(
                condition=Q(anonymous_count__gte=0), name="group_session_anonymous_count_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True, cancelled_by__isnull=True, cancel_reason="")
                | (Q(cancelled_at__isnull=False, cancelled_by__isnull=False) & ~Q(cancel_reason="")),
                name="group_session_cancelled_says_who_when_why",
            ),
        ]
        indexes = [models.Index(fields=["group", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.group} on {timezone.localtime(self.starts_at):%d %b %Y %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class GroupEnrolmentQuerySet(models.QuerySet["GroupEnrolment"]):
    def current(self) -> GroupEnrolmentQuerySet:
        return self.filter(ended_at__isnull=True)


class GroupEnrolment(models.Model):
    """A person's place in a group. Independent of episodes of care: only leaving the group ends it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="group_enrolments")
    enrolled_at = models.DateTimeField(default=timezone.now)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    objects = GroupEnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["enrolled_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"], condition=Q(ended_at__isnull=True), name="one_current_enrolment_per_group"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, ended_by__isnull=True, end_reason="")
                | (Q(ended_at__isnull=False, ended_by__isnull=False) & ~Q(end_reason="")),
                name="group_enrolment_ended_says_who_when_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.group}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class GroupAttendance(models.Model):
    """One line of a session's register: whether a named person attended, did not, or sent apologies.

    Not an appointment outcome: a "did not attend" here creates no R6 follow-up."""

    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="attendances")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="group_attendances")
    status = models.CharField(max_length=16, choices=GroupAttendanceStatus.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["session__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_register_line_per_person_per_session")
        ]
        indexes = [models.Index(fields=["person", "session"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()} at {self.session}"
