"""GET /api/v1/people/{id}/messages: a person's reminders, for those who may read their appointments."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry, Channel, Outcome
from coexist.notifications.models import Message
from coexist.notifications.rules import MessageStatus, Purpose
from coexist.people.models import Person
from coexist.testing.cast import Cast
from coexist.testing.factories import AppointmentFactory, ConsentFactory

Bearer = Callable[[User], dict[str, str]]


def _url(person: Person) -> str:
    return f"/api/v1/people/{person.public_id}/messages"


def _reminder(cast: Cast, person: Person) -> Message:
    appointment = AppointmentFactory(person=person, staff=cast.coordinator, service=cast.cmht)
    return Message.objects.create(  # type: ignore[no-any-return]
        person=person,
        appointment=appointment,
        appointment_starts_at=appointment.starts_at,
        purpose=Purpose.APPOINTMENT_REMINDER,
        method="text",
        recipient="07700900123",
        body="Reminder: you have an appointment.",
        status=MessageStatus.SENT,
        attempts=1,
        sent_at=timezone.now() - timedelta(minutes=1),
        provider_reference="notify-id",
    )


def test_r11_care_team_reads_the_persons_messages(cast: Cast, client: Client, bearer: Bearer) -> None:
    message = _reminder(cast, cast.ann)
    response = client.get(_url(cast.ann), **bearer(cast.coordinator))  # type: ignore[arg-type]
    assert response.status_code == 200
    [row] = response.json()
    assert row["id"] == str(message.public_id)
    assert (row["status"], row["method"], row["recipient"]) == ("sent", "text", "07700900123")
    assert row["summary"].startswith("Text reminder sent to 07700 900123 for ")
    entry = AccessLogEntry.objects.filter(person_public_id=cast.ann.public_id).latest("pk")
    assert (entry.outcome, entry.channel, entry.detail) == (Outcome.ALLOWED, Channel.API, "GET messages")
    assert "contact" in entry.parts and "episodes" in entry.parts


def test_someone_without_a_relationship_is_refused_and_it_is_logged(cast: Cast, client: Client, bearer: Bearer) -> None:
    _reminder(cast, cast.ann)
    response = client.get(_url(cast.ann), **bearer(cast.da_worker))  # type: ignore[arg-type]
    assert response.status_code == 403
    assert "detail" in response.json() or "title" in response.json()
    entry = AccessLogEntry.objects.filter(person_public_id=cast.ann.public_id).latest("pk")
    assert (entry.outcome, entry.actor_public_id) == (Outcome.REFUSED, cast.da_worker.public_id)


def test_consent_to_contact_details_alone_does_not_open_the_messages(
    cast: Cast, client: Client, bearer: Bearer
) -> None:
    # Eve shares only her contact details with Riverside Housing: her reminders say when she has appointments.
    _reminder(cast, cast.eve)
    response = client.get(_url(cast.eve), **bearer(cast.housing_officer))  # type: ignore[arg-type]
    assert response.status_code == 403
    entry = AccessLogEntry.objects.filter(person_public_id=cast.eve.public_id).latest("pk")
    assert entry.outcome == Outcome.REFUSED


def test_consent_to_appointments_without_contact_hides_the_number(cast: Cast, client: Client, bearer: Bearer) -> None:
    ConsentFactory(person=cast.ben, organisation=cast.housing, parts=["episodes"], recorded_by=cast.coordinator)
    _reminder(cast, cast.ben)
    response = client.get(_url(cast.ben), **bearer(cast.housing_officer))  # type: ignore[arg-type]
    assert response.status_code == 200
    [row] = response.json()
    assert row["recipient"] == ""
    assert "07700" not in row["summary"]
    entry = AccessLogEntry.objects.filter(person_public_id=cast.ben.public_id).latest("pk")
    assert "contact" not in entry.parts


def test_unknown_person_is_404_and_a_bad_id_is_a_4xx_problem(cast: Cast, client: Client, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    assert client.get(f"/api/v1/people/{uuid.uuid4()}/messages", **headers).status_code == 404  # type: ignore[arg-type]
    bad = client.get("/api/v1/people/not-a-uuid/messages", **headers)  # type: ignore[arg-type]
    assert 400 <= bad.status_code < 500


def test_signed_out_is_refused(cast: Cast, client: Client) -> None:
    assert client.get(_url(cast.ann)).status_code in (401, 403)
