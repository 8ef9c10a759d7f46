"""R11 through the service: reminders by the chosen method, caught up, retried, and never silently lost.

The clock is fixed with time-machine; the appointment is Thursday 3 December 2026, 10:00 in London.
Most tests use a scripted backend passed in (no patching); one drives GOV.UK Notify's real client
against the local fake."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from coexist.accounts.services import system_user
from coexist.audit.models import AccessLogEntry, Channel
from coexist.engagement.models import Appointment, Mode
from coexist.engagement.rules import Attendance
from coexist.notifications.backends import OutgoingMessage, SendFailed, SendResult
from coexist.notifications.models import Message
from coexist.notifications.rules import MessageStatus, Purpose
from coexist.notifications.services import ReminderRun, send_due_reminders
from coexist.people.models import Person
from coexist.people.rules import ContactMethod
from coexist.tasks.models import Priority, Task
from coexist.testing.cast import Cast
from coexist.testing.factories import AppointmentFactory
from coexist.testing.fake_notify import FakeNotify

LONDON = ZoneInfo("Europe/London")
STARTS = datetime(2026, 12, 3, 10, 0, tzinfo=LONDON)
DUE = STARTS - timedelta(hours=24)


class ScriptedBackend:
    """Fails as scripted (one entry per send; None means it goes), then sends."""

    def __init__(self, *outcomes: SendFailed | None) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> SendResult:
        self.sent.append(message)
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return SendResult(reference=f"ref-{len(self.sent)}")


def _temporary() -> SendFailed:
    return SendFailed("GOV.UK Notify answered 500: Internal server error", permanent=False)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(STARTS - timedelta(days=14), tick=False) as traveller:
        yield traveller


def _run(clock: time_machine.Traveller, now: datetime, backend: object | None = None) -> ReminderRun:
    clock.move_to(now)
    return send_due_reminders(now=now, backend=backend)  # type: ignore[arg-type]


def _book(cast: Cast, person: Person | None = None, **fields: object) -> Appointment:
    values: dict[str, object] = {
        "person": person or cast.ann,
        "staff": cast.coordinator,
        "service": cast.pathways_service,
        "starts_at": STARTS,
        "mode": Mode.IN_PERSON,
    } | fields
    return AppointmentFactory(**values)  # type: ignore[no-any-return]


def _set_contact(person: Person, method: str, **details: str) -> Person:
    person.contact_method = method
    for name, value in details.items():
        setattr(person, name, value)
    person.save()
    return person


def test_r11_text_reminder_goes_24_hours_before_through_notify(
    cast: Cast, clock: time_machine.Traveller, notify_settings: FakeNotify
) -> None:
    appointment = _book(cast)
    assert _run(clock, DUE - timedelta(minutes=1)) == ReminderRun()

    run = _run(clock, DUE)

    assert run == ReminderRun(sent=1)
    message = Message.objects.get(appointment=appointment)
    [request] = notify_settings.sent("sms")
    assert request.body["phone_number"] == "07700900123"
    assert request.body["reference"] == str(message.public_id)
    assert (message.status, message.method, message.recipient, message.attempts) == ("sent", "text", "07700900123", 1)
    assert message.provider_reference and message.sent_at == DUE and message.next_attempt_at is None
    assert message.summary == "Text reminder sent to 07700 900123 for 3 Dec 10:00"
    entry = AccessLogEntry.objects.filter(person_public_id=cast.ann.public_id, channel=Channel.TASK).latest("pk")
    assert entry.actor_public_id == system_user().public_id
    assert "sent reminder" in entry.detail


def test_r11_reminder_body_names_no_service_or_condition(cast: Cast, clock: time_machine.Traveller) -> None:
    _book(cast, mode=Mode.PHONE)  # with the Community drug and alcohol service
    backend = ScriptedBackend()
    _run(clock, DUE, backend)
    [sent] = backend.sent
    assert "Thursday 3 December at 10:00 by phone with Alex Morgan" in sent.body
    assert "drug" not in sent.body.lower() and "alcohol" not in sent.body.lower()
    assert cast.pathways_service.name not in sent.body


def test_r11_running_twice_sends_nothing_twice(cast: Cast, clock: time_machine.Traveller) -> None:
    _book(cast)
    backend = ScriptedBackend()
    assert _run(clock, DUE, backend).total == 1
    assert _run(clock, DUE + timedelta(minutes=1), backend) == ReminderRun()
    assert _run(clock, DUE + timedelta(hours=1), backend) == ReminderRun()
    assert len(backend.sent) == 1
    assert Message.objects.count() == 1


def test_r11_a_second_worker_running_mid_send_does_not_send_again(cast: Cast, clock: time_machine.Traveller) -> None:
    _book(cast)
    inner_runs: list[ReminderRun] = []

    class SecondWorkerWhileSending(ScriptedBackend):
        def send(self, message: OutgoingMessage) -> SendResult:
            if not inner_runs:
                inner_runs.append(send_due_reminders(now=DUE, backend=self))
            return super().send(message)

    backend = SecondWorkerWhileSending()
    assert _run(clock, DUE, backend).sent == 1
    assert inner_runs == [ReminderRun()]
    assert len(backend.sent) == 1


def test_r11_database_allows_one_reminder_per_appointment(cast: Cast, clock: time_machine.Traveller) -> None:
    appointment = _book(cast)
    fields = {"person": cast.ann, "appointment": appointment, "purpose": Purpose.APPOINTMENT_REMINDER}
    Message.objects.create(**fields, method="text", status=MessageStatus.SENT, sent_at=DUE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(**fields, method="text", status=MessageStatus.SENT, sent_at=DUE)


def test_r11_reminder_due_while_worker_was_down_is_caught_up(cast: Cast, clock: time_machine.Traveller) -> None:
    _book(cast)
    backend = ScriptedBackend()
    assert _run(clock, STARTS - timedelta(minutes=10), backend).sent == 1


def test_r11_never_sent_once_the_appointment_has_started(cast: Cast, clock: time_machine.Traveller) -> None:
    _book(cast)
    backend = ScriptedBackend()
    assert _run(clock, STARTS, backend) == ReminderRun()
    assert _run(clock, STARTS + timedelta(hours=1), backend) == ReminderRun()
    assert backend.sent == [] and not Message.objects.exists()


def test_r11_no_reminder_for_a_cancelled_appointment(cast: Cast, clock: time_machine.Traveller) -> None:
    _book(cast, status=Attendance.CANCELLED_BY_PERSON)
    backend = ScriptedBackend()
    assert _run(clock, DUE, backend) == ReminderRun()
    assert backend.sent == []


def test_r11_temporary_failures_retry_after_5_then_30_minutes(cast: Cast, clock: time_machine.Traveller) -> None:
    appointment = _book(cast)
    backend = ScriptedBackend(_temporary(), _temporary(), None)

    assert _run(clock, DUE, backend) == ReminderRun(retried=1)
    message = Message.objects.get(appointment=appointment)
    assert (message.status, message.attempts, message.next_attempt_at) == ("queued", 1, DUE + timedelta(minutes=5))
    assert "500" in message.last_error
    assert "not sent yet: trying again at 10:05" in message.summary

    assert _run(clock, DUE + timedelta(minutes=4), backend) == ReminderRun()
    assert _run(clock, DUE + timedelta(minutes=5), backend) == ReminderRun(retried=1)
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (2, DUE + timedelta(minutes=35))

    assert _run(clock, DUE + timedelta(minutes=35), backend) == ReminderRun(sent=1)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 3, "")
    assert not Task.objects.filter(rule="R11").exists()


def test_r11_final_failure_gives_the_worker_a_task_before_the_appointment(
    cast: Cast, clock: time_machine.Traveller
) -> None:
    appointment = _book(cast)
    backend = ScriptedBackend(_temporary(), _temporary(), _temporary())
    _run(clock, DUE, backend)
    _run(clock, DUE + timedelta(minutes=5), backend)
    run = _run(clock, DUE + timedelta(minutes=35), backend)

    assert run == ReminderRun(failed=1)
    message = Message.objects.get(appointment=appointment)
    assert (message.status, message.attempts, message.failed_at) == ("failed", 3, DUE + timedelta(minutes=35))
    assert "Tried 3 times" in message.last_error
    task = Task.objects.get(rule="R11", person=cast.ann)
    assert message.failure_task == task
    assert task.assigned_to == appointment.staff
    assert task.priority == Priority.SOON
    assert DUE + timedelta(minutes=35) <= task.due_at < STARTS
    assert "contact them another way" in task.detail.lower()
    assert "could not be sent" in message.summary
    assert _run(clock, DUE + timedelta(hours=2), backend) == ReminderRun()  # settled: no more attempts
    assert len(backend.sent) == 3


def test_r11_permanent_error_fails_at_once_with_a_task(cast: Cast, clock: time_machine.Traveller) -> None:
    _book(cast)
    backend = ScriptedBackend(
        SendFailed("GOV.UK Notify answered 400: phone_number Not a UK mobile number", permanent=True)
    )
    assert _run(clock, DUE, backend) == ReminderRun(failed=1)
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("failed", 1)
    assert Task.objects.filter(rule="R11", assigned_to=cast.coordinator).count() == 1


def test_r11_permanent_notify_error_through_the_fake(
    cast: Cast, clock: time_machine.Traveller, notify_settings: FakeNotify
) -> None:
    _book(cast)
    notify_settings.fail_next_with_validation_error()
    assert _run(clock, DUE) == ReminderRun(failed=1)
    assert "Not a UK mobile number" in Message.objects.get().last_error


def test_r11_retry_that_would_fall_after_the_start_is_a_final_failure(
    cast: Cast, clock: time_machine.Traveller
) -> None:
    _book(cast)
    backend = ScriptedBackend(_temporary())
    assert _run(clock, STARTS - timedelta(minutes=3), backend) == ReminderRun(failed=1)
    assert Task.objects.filter(rule="R11").count() == 1


def test_r11_cancelled_while_waiting_to_retry_is_not_sent(cast: Cast, clock: time_machine.Traveller) -> None:
    appointment = _book(cast)
    backend = ScriptedBackend(_temporary())
    _run(clock, DUE, backend)
    Appointment.objects.filter(pk=appointment.pk).update(status=Attendance.CANCELLED_BY_PROVIDER)
    assert _run(clock, DUE + timedelta(minutes=5), backend) == ReminderRun(not_sendable=1)
    assert Message.objects.get().status == MessageStatus.NOT_SENDABLE
    assert len(backend.sent) == 1


@pytest.mark.parametrize("method", [ContactMethod.PHONE, ContactMethod.VIDEO, ContactMethod.IN_PERSON])
def test_r11_phone_video_or_in_person_records_why_and_sends_nothing(
    cast: Cast, clock: time_machine.Traveller, method: str
) -> None:
    _set_contact(cast.ann, method)
    _book(cast)
    backend = ScriptedBackend()
    assert _run(clock, DUE, backend) == ReminderRun(not_sendable=1)
    message = Message.objects.get()
    assert (message.status, message.method, message.body) == ("not_sendable", "", "")
    assert "worker" in message.last_error
    assert message.summary.startswith("No automatic reminder for 3 Dec 10:00: Their chosen contact is")
    assert backend.sent == [] and not Task.objects.filter(rule="R11").exists()
    assert _run(clock, DUE + timedelta(hours=1), backend) == ReminderRun()


def test_r11_text_chosen_with_a_landline_records_why(cast: Cast, clock: time_machine.Traveller) -> None:
    _set_contact(cast.ann, ContactMethod.TEXT, phone="0113 496 0000")
    _book(cast)
    backend = ScriptedBackend()
    assert _run(clock, DUE, backend) == ReminderRun(not_sendable=1)
    assert "not a UK mobile number" in Message.objects.get().last_error
    assert backend.sent == []


def test_r11_email_reminder_goes_to_the_address(cast: Cast, clock: time_machine.Traveller) -> None:
    _set_contact(cast.ann, ContactMethod.EMAIL, email="ann@example.org")
    _book(cast)
    backend = ScriptedBackend()
    assert _run(clock, DUE, backend).sent == 1
    assert backend.sent[0].recipient == "ann@example.org"
    assert Message.objects.get().summary == "Email reminder sent to ann@example.org for 3 Dec 10:00"


def test_r11_letter_goes_5_days_before_with_the_address(
    cast: Cast, clock: time_machine.Traveller, notify_settings: FakeNotify
) -> None:
    _set_contact(cast.ann, ContactMethod.LETTER, address="Flat 2\n1 High Street\nLeeds", postcode="LS1 1AA")
    _book(cast)
    assert _run(clock, STARTS - timedelta(days=5, minutes=1)) == ReminderRun()
    assert _run(clock, STARTS - timedelta(days=5)) == ReminderRun(sent=1)
    [request] = notify_settings.sent("letter")
    assert request.body["personalisation"]["address_line_1"] == "Ann Abbott"
    assert request.body["personalisation"]["address_line_4"] == "Leeds"
    assert request.body["personalisation"]["address_line_5"] == "LS1 1AA"


def test_r11_letter_booked_at_short_notice_is_not_sendable(cast: Cast, clock: time_machine.Traveller) -> None:
    _set_contact(cast.ann, ContactMethod.LETTER, address="1 High Street, Leeds", postcode="LS1 1AA")
    clock.move_to(STARTS - timedelta(days=2))
    _book(cast)
    backend = ScriptedBackend()
    assert _run(clock, STARTS - timedelta(days=2), backend) == ReminderRun(not_sendable=1)
    assert "Booked too close" in Message.objects.get().last_error
    assert backend.sent == []


def test_r11_letter_missed_while_the_worker_was_down_fails_with_a_task(
    cast: Cast, clock: time_machine.Traveller
) -> None:
    _set_contact(cast.ann, ContactMethod.LETTER, address="1 High Street, Leeds", postcode="LS1 1AA")
    _set_contact(cast.ben, ContactMethod.LETTER, address="2 Low Road, Leeds", postcode="LS2 2BB")
    _book(cast)  # both booked two weeks ahead
    _book(cast, person=cast.ben, starts_at=STARTS + timedelta(days=2))
    backend = ScriptedBackend()
    # Down for days: Ann's letter can still arrive in time, so it is caught up.
    assert _run(clock, STARTS - timedelta(days=4), backend).sent == 1
    # Down again until Ben's appointment is 2 days away: too late to post, so the worker is told.
    assert _run(clock, STARTS, backend) == ReminderRun(failed=1)
    assert Task.objects.get(rule="R11").person == cast.ben
    assert len(backend.sent) == 1
