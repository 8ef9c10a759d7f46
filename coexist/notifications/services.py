"""R11: send appointment reminders by the person's chosen contact method, and record every one.

`send_due_reminders(now=...)` is called by the background job. It acts as the system user on the
task channel. Each reminder is claimed in a short transaction (a row, a lease on it), sent outside
any transaction (so a slow Notify never holds the database), then recorded in a second transaction.
The unique reminder-per-appointment constraint and the lease stop two workers sending one twice; a
crash between sending and recording may send one again after the lease, never lose one.

A reminder that cannot be sent in the end is never silent: it is marked failed with the reason and
the appointment's worker gets an R11 task to contact the person another way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from coexist.accounts.models import User
from coexist.accounts.services import system_user
from coexist.audit.models import Channel
from coexist.engagement.models import Appointment
from coexist.engagement.rules import Attendance
from coexist.notifications import rules
from coexist.notifications.backends import Backend, OutgoingMessage, SendFailed, configured_backend
from coexist.notifications.models import Message
from coexist.notifications.rules import MessageStatus, Method, Purpose
from coexist.people.rules import RecordPart
from coexist.people.services import log_write
from coexist.tasks.models import Priority
from coexist.tasks.services import task_create

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)
"""How long a claimed reminder is left to the worker sending it before another run may try it again
(far longer than the Notify client's 15-second timeout)."""

BASIS = "R11 appointment reminder by the person's chosen contact method (automatic)"
LOG_PARTS = [RecordPart.CONTACT, RecordPart.EPISODES]


@dataclass
class ReminderRun:
    """What one run did, for the job's log."""

    sent: int = 0
    failed: int = 0
    not_sendable: int = 0
    retried: int = 0

    @property
    def total(self) -> int:
        """Reminders this run settled or tried: sent, failed, recorded as not sendable, or put back to retry."""
        return self.sent + self.failed + self.not_sendable + self.retried


@dataclass(frozen=True)
class _Claim:
    message_pk: int
    outgoing: OutgoingMessage


def _skip_locked() -> bool:
    """Row locks that skip rows another worker holds, where the database has them (PostgreSQL).
    SQLite has no row locks; its writers take turns (transaction_mode IMMEDIATE) and the unique
    constraint is the backstop."""
    return bool(connection.features.has_select_for_update_skip_locked)


def _appointments_locked() -> QuerySet[Appointment]:
    rows = Appointment.objects.select_related("person", "staff", "episode")
    # `of=("self",)`: lock the appointment only (the episode is on the nullable side of a join).
    return rows.select_for_update(skip_locked=True, of=("self",)) if _skip_locked() else rows


def _messages_locked() -> QuerySet[Message]:
    rows = Message.objects.select_related("appointment__staff", "appointment__episode", "person")
    return rows.select_for_update(skip_locked=True, of=("self",)) if _skip_locked() else rows


def _has_reminder() -> Exists:
    return Exists(Message.objects.filter(appointment=OuterRef("pk"), purpose=Purpose.APPOINTMENT_REMINDER))


def send_due_reminders(*, now: datetime, backend: Backend | None = None) -> ReminderRun:
    """R11: send every reminder that is due, retry those whose retry time has come, record each outcome.

    Idempotent: an appointment gets at most one reminder however often this runs. A reminder due while
    the worker was down goes on the next run if there is still time; never after the appointment starts."""
    sender = backend if backend is not None else configured_backend()
    by = system_user()
    run = ReminderRun()
    horizon = now + max(rules.LETTER_LEAD, rules.TEXT_AND_EMAIL_LEAD)
    new_ids = list(
        Appointment.objects.filter(status=Attendance.BOOKED, starts_at__gt=now, starts_at__lte=horizon)
        .exclude(_has_reminder())
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )
    for appointment_pk in new_ids:
        claim = _claim_new(appointment_pk=appointment_pk, now=now, by=by, run=run)
        if claim is not None:
            _send_and_record(claim=claim, sender=sender, now=now, by=by, run=run)
    retry_ids = list(
        Message.objects.filter(
            purpose=Purpose.APPOINTMENT_REMINDER, status=MessageStatus.QUEUED, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    for message_pk in retry_ids:
        claim = _claim_retry(message_pk=message_pk, now=now, by=by, run=run)
        if claim is not None:
            _send_and_record(claim=claim, sender=sender, now=now, by=by, run=run)
    return run


def _claim_new(*, appointment_pk: int, now: datetime, by: User, run: ReminderRun) -> _Claim | None:
    """Decide the route for one appointment's reminder; record it as not sendable, or claim it to send."""
    try:
        with transaction.atomic():
            appointment = (
                _appointments_locked()
                .filter(pk=appointment_pk, status=Attendance.BOOKED, starts_at__gt=now)
                .exclude(_has_reminder())
                .first()
            )
            if appointment is None:
                return None  # another worker has it, or it changed since the list was read
            person = appointment.person
            route = rules.reminder_route(
                contact_method=person.contact_method,
                phone=person.phone,
                email=person.email,
                address=person.address,
                postcode=person.postcode,
            )
            timing_method = route.method or person.contact_method
            if now < rules.reminder_due_at(appointment.starts_at, timing_method):
                return None
            message = Message(
                person=person,
                appointment=appointment,
                appointment_starts_at=appointment.starts_at,
                purpose=Purpose.APPOINTMENT_REMINDER,
                method=route.method,
                recipient=route.recipient,
                created_at=now,
            )
            if not route.sendable:
                _not_sendable(message, reason=route.reason, now=now, by=by, run=run)
                return None
            if now >= rules.reminder_latest_at(appointment.starts_at, route.method):
                _too_late_on_creation(message, appointment=appointment, now=now, by=by, run=run)
                return None
            message.body = rules.reminder_body(
                starts_at_local=timezone.localtime(appointment.starts_at),
                mode=appointment.mode,
                worker_name=appointment.staff.display_name,
            )
            message.status = MessageStatus.QUEUED
            message.attempts = 1
            message.next_attempt_at = now + CLAIM_LEASE
            message.save()
            return _Claim(message.pk, _outgoing(message, route_lines=route.address_lines))
    except IntegrityError:
        # Another worker recorded this appointment's reminder first (the unique constraint): nothing to do.
        return None


def _claim_retry(*, message_pk: int, now: datetime, by: User, run: ReminderRun) -> _Claim | None:
    """Claim a reminder whose retry time has come, or settle it if the appointment changed or has started."""
    with transaction.atomic():
        message = (
            _messages_locked().filter(pk=message_pk, status=MessageStatus.QUEUED, next_attempt_at__lte=now).first()
        )
        if message is None:
            return None
        appointment = message.appointment
        if appointment is None or appointment.status != Attendance.BOOKED:
            _not_sendable(
                message,
                reason="The appointment was cancelled or its outcome recorded before the reminder went, so it "
                "was no longer needed.",
                now=now,
                by=by,
                run=run,
            )
            return None
        if now >= rules.reminder_latest_at(appointment.starts_at, message.method):
            _final_failure(
                message,
                reason=f"{message.last_error} No further attempt: it is too late for the reminder to help.".strip(),
                now=now,
                by=by,
                run=run,
            )
            return None
        message.attempts += 1
        message.next_attempt_at = now + CLAIM_LEASE
        message.save(update_fields=["attempts", "next_attempt_at"])
        lines = _letter_lines(message)
        return _Claim(message.pk, _outgoing(message, route_lines=lines))


def _letter_lines(message: Message) -> tuple[str, ...]:
    if message.method != Method.LETTER:
        return ()
    person = message.person
    route = rules.reminder_route(
        contact_method=Method.LETTER, phone="", email="", address=person.address, postcode=person.postcode
    )
    return route.address_lines


def _outgoing(message: Message, *, route_lines: tuple[str, ...]) -> OutgoingMessage:
    return OutgoingMessage(
        method=message.method,
        recipient=message.recipient,
        body=message.body,
        reference=str(message.public_id),
        name=message.person.full_name,
        address_lines=route_lines,
    )


def _send_and_record(*, claim: _Claim, sender: Backend, now: datetime, by: User, run: ReminderRun) -> None:
    """Send outside any transaction, then record the outcome against the claimed row."""
    try:
        result = sender.send(claim.outgoing)
    except SendFailed as failure:
        _record_failure(claim=claim, failure=failure, now=now, by=by, run=run)
        return
    with transaction.atomic():
        message = Message.objects.select_related("person").select_for_update(of=("self",)).get(pk=claim.message_pk)
        message.status = MessageStatus.SENT
        message.sent_at = now
        message.next_attempt_at = None
        message.provider_reference = result.reference[:100]
        message.last_error = ""
        message.save(update_fields=["status", "sent_at", "next_attempt_at", "provider_reference", "last_error"])
        log_write(
            by=by,
            person=message.person,
            parts=LOG_PARTS,
            basis=BASIS,
            channel=Channel.TASK,
            detail=f"sent reminder ({message.method}) for appointment {message.appointment_starts_at:%Y-%m-%d %H:%M}",
        )
    run.sent += 1


def _record_failure(*, claim: _Claim, failure: SendFailed, now: datetime, by: User, run: ReminderRun) -> None:
    with transaction.atomic():
        message = (
            Message.objects.select_related("person", "appointment__staff", "appointment__episode")
            .select_for_update(of=("self",))
            .get(pk=claim.message_pk)
        )
        retry = None if failure.permanent else rules.retry_at(attempts=message.attempts, now=now)
        starts_at = message.appointment.starts_at if message.appointment else now
        if retry is not None and retry < rules.reminder_latest_at(starts_at, message.method):
            message.last_error = failure.reason
            message.next_attempt_at = retry
            message.save(update_fields=["last_error", "next_attempt_at"])
            log_write(
                by=by,
                person=message.person,
                parts=LOG_PARTS,
                basis=BASIS,
                channel=Channel.TASK,
                detail=f"reminder attempt {message.attempts} failed, will retry: {failure.reason}"[:300],
            )
            run.retried += 1
            return
        why = "It cannot be sent as it is." if failure.permanent else f"Tried {message.attempts} times."
        _final_failure(message, reason=f"{failure.reason} {why}", now=now, by=by, run=run)


def _not_sendable(message: Message, *, reason: str, now: datetime, by: User, run: ReminderRun) -> None:
    """Record why no automatic reminder went, so the timeline says so. Nothing else: the worker reminds
    the person as they agreed (phone, video, in person), or the appointment no longer needs it."""
    message.status = MessageStatus.NOT_SENDABLE
    message.last_error = reason
    message.next_attempt_at = None
    message.save()
    log_write(
        by=by,
        person=message.person,
        parts=LOG_PARTS,
        basis=BASIS,
        channel=Channel.TASK,
        detail=f"no automatic reminder: {reason}"[:300],
    )
    run.not_sendable += 1


def _too_late_on_creation(
    message: Message, *, appointment: Appointment, now: datetime, by: User, run: ReminderRun
) -> None:
    """A letter first considered after its last posting day. Booked that late, the person was told the time
    when booking: not sendable. Booked in time but missed (the worker was down): a failure, with a task."""
    due = rules.reminder_due_at(appointment.starts_at, message.method)
    if appointment.created_at > due:
        _not_sendable(
            message,
            reason="Booked too close to the appointment for a reminder letter to arrive in time.",
            now=now,
            by=by,
            run=run,
        )
    else:
        _final_failure(
            message,
            reason="The reminder letter was not posted in time for it to arrive before the appointment.",
            now=now,
            by=by,
            run=run,
        )


def _final_failure(message: Message, *, reason: str, now: datetime, by: User, run: ReminderRun) -> None:
    """R11: the reminder failed for good. Record why and give the appointment's worker a task to contact the
    person another way before the appointment: a failed reminder is never silent."""
    appointment = message.appointment
    message.status = MessageStatus.FAILED
    message.last_error = reason
    message.failed_at = now
    message.next_attempt_at = None
    if appointment is not None:
        local = timezone.localtime(appointment.starts_at)
        method = message.get_method_display().lower() if message.method else "reminder"
        message.failure_task = task_create(
            person=message.person,
            rule="R11",
            title=f"Reminder ({method}) for the appointment on {local:%d %b %Y %H:%M} could not be sent",
            detail=f"{reason} Contact them another way before the appointment to remind them, and check their "
            "contact details.",
            due_at=rules.failed_reminder_task_due(now=now, starts_at=appointment.starts_at),
            priority=Priority.SOON,
            assigned_to=appointment.staff,
            episode=appointment.episode,
            by=by,
        )
    message.save()
    log_write(
        by=by,
        person=message.person,
        parts=LOG_PARTS,
        basis=BASIS,
        channel=Channel.TASK,
        detail=f"reminder could not be sent: {reason}"[:300],
    )
    logger.warning("R11 reminder %s could not be sent: %s", message.public_id, reason)
    run.failed += 1
