"""JSON API for the messages sent to a person (R11 reminders): what went, by which channel, or why not."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.interop.problems import ERRORS
from coexist.notifications.models import Message
from coexist.notifications.selectors import messages_for_person
from coexist.people.models import Person

router = Router(tags=["messages"])


class MessageOut(Schema):
    id: UUID
    person: UUID
    appointment: UUID | None
    appointment_starts_at: datetime | None = Field(..., description="The appointment time the message gave.")
    purpose: str
    method: str = Field(..., description="'text', 'email' or 'letter'; '' when no message could go.")
    recipient: str = Field(
        ..., description="The number, email or postal address used; '' unless you may read contact details."
    )
    body: str
    status: str = Field(..., description="'queued', 'sent', 'failed' or 'not_sendable'.")
    attempts: int
    next_attempt_at: datetime | None
    last_error: str = Field(..., description="Why it failed, or why no automatic reminder could go.")
    provider_reference: str
    task: UUID | None = Field(None, description="R11: the worker's task when the reminder could not be sent.")
    summary: str
    created_at: datetime
    sent_at: datetime | None
    failed_at: datetime | None


def _out(message: Message, *, show_recipient: bool) -> MessageOut:
    return MessageOut(
        id=message.public_id,
        person=message.person.public_id,
        appointment=message.appointment.public_id if message.appointment else None,
        appointment_starts_at=message.appointment_starts_at,
        purpose=message.purpose,
        method=message.method,
        recipient=message.recipient if show_recipient else "",
        body=message.body,
        status=message.status,
        attempts=message.attempts,
        next_attempt_at=message.next_attempt_at,
        last_error=message.last_error,
        provider_reference=message.provider_reference,
        task=message.failure_task.public_id if message.failure_task else None,
        summary=message.summary_for(show_recipient=show_recipient),
        created_at=message.created_at,
        sent_at=message.sent_at,
        failed_at=message.failed_at,
    )


@router.get(
    "/{person_id}/messages",
    response={200: list[MessageOut], **ERRORS},
    summary="Messages sent to a person (R11 reminders), newest first, including those that could not go",
)
def list_messages(request: HttpRequest, person_id: UUID) -> list[MessageOut]:
    person = Person.objects.filter(public_id=person_id).first()
    if person is None:
        raise Http404("No person with that id.")
    found = messages_for_person(viewer=staff_of(request), person=person, channel=Channel.API, detail="GET messages")
    for message in found.messages:
        message.person = person  # the same person for every row: no query per row
    return [_out(m, show_recipient=found.shows_recipients) for m in found.messages]
