"""Messages sent to people (R11 reminders by their chosen contact method), and those that could not go.

Every reminder the system tried, sent, failed or could not send is a row here, so the person's
timeline says what they were told and, when nothing went, why."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from coexist.notifications.rules import MessageStatus, Method, Purpose, format_mobile


class Message(models.Model):
    """A message to a person (an appointment reminder), how it went, and what came of it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="messages")
    # SET_NULL: the record of what was sent outlives an appointment deleted by mistake.
    appointment = models.ForeignKey(
        "engagement.Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    appointment_starts_at = models.DateTimeField(
        null=True, blank=True, help_text="The appointment time the message gave (kept if the appointment moves)."
    )
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    method = models.CharField(
        max_length=8, choices=Method.choices, blank=True, help_text="Empty when no message could go by any channel."
    )
    recipient = models.CharField(
        max_length=500, blank=True, help_text="The mobile number, email address or postal address used."
    )
    body = models.TextField(blank=True, help_text="The words sent: time, place and whom to contact, nothing else.")
    status = models.CharField(max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(
        blank=True, help_text="Why the last attempt failed, or why no automatic reminder could go."
    )
    provider_reference = models.CharField(
        max_length=100, blank=True, help_text="The sending service's id for the message (GOV.UK Notify's id)."
    )
    failure_task = models.OneToOneField(
        "tasks.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="failed_message"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # R11: one reminder per appointment, so two workers or two runs cannot send it twice.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(purpose=Purpose.APPOINTMENT_REMINDER),
                name="one_reminder_per_appointment",
            ),
            models.CheckConstraint(
                condition=Q(status=MessageStatus.NOT_SENDABLE) | ~Q(method=""), name="message_sent_by_a_method"
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.QUEUED) | Q(next_attempt_at__isnull=False),
                name="message_queued_has_next_attempt",
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.SENT) | Q(sent_at__isnull=False), name="message_sent_has_sent_at"
            ),
            # A failure or a message that could not go always says why.
            models.CheckConstraint(
                condition=~Q(status__in=[MessageStatus.FAILED, MessageStatus.NOT_SENDABLE]) | ~Q(last_error=""),
                name="message_failed_says_why",
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.FAILED) | Q(failed_at__isnull=False),
                name="message_failed_has_failed_at",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def recipient_display(self) -> str:
        return format_mobile(self.recipient) if self.method == Method.TEXT else self.recipient

    @property
    def summary(self) -> str:
        """One line for the person's timeline, e.g. "Text reminder sent to 07700 900123 for 3 Dec 10:00"."""
        return self.summary_for(show_recipient=True)

    def summary_for(self, *, show_recipient: bool) -> str:
        """The summary, without the number or address for a viewer who may not read contact details."""
        labels = {Method.TEXT: "Text reminder", Method.EMAIL: "Email reminder", Method.LETTER: "Letter reminder"}
        what = labels.get(Method(self.method), "Reminder") if self.method else "Reminder"
        when = ""
        if self.appointment_starts_at is not None:
            local = timezone.localtime(self.appointment_starts_at)
            when = f" for {local.day} {local:%b %H:%M}"
        to = f" to {self.recipient_display}" if self.recipient and show_recipient else ""
        if self.status == MessageStatus.SENT:
            return f"{what} sent{to}{when}"
        if self.status == MessageStatus.QUEUED:
            retry = ""
            if self.attempts and self.next_attempt_at is not None:
                retry = f": trying again at {timezone.localtime(self.next_attempt_at):%H:%M}"
            return f"{what}{to}{when} not sent yet{retry}"
        if self.status == MessageStatus.FAILED:
            return f"{what}{to}{when} could not be sent: {self.last_error} The worker was given a task to contact them."
        return f"No automatic reminder{when}: {self.last_error}"
