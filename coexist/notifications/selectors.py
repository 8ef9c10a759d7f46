"""Reads of the messages sent to a person, scoped by the permission function and access-logged.

Which part of the record: a reminder is about an appointment, and appointments belong to the
"episodes" part (as in `engagement.selectors`), so whoever may read the person's appointments may
read what they were reminded of. The number, email or address a message went to is the "contact"
part: it is shown only to a viewer who may also read contact details, and blanked otherwise (a
partner with consent to see appointments but not contact details does not learn a phone number)."""

from __future__ import annotations

from dataclasses import dataclass

from coexist.accounts.models import User
from coexist.assessments.selectors import open_parts
from coexist.audit.models import Channel
from coexist.notifications.models import Message
from coexist.people.models import Person
from coexist.people.permissions import decide_parts
from coexist.people.rules import Action, RecordPart
from coexist.people.selectors import OpenedRecord

PART = RecordPart.EPISODES


@dataclass(frozen=True)
class PersonMessages:
    record: OpenedRecord
    messages: list[Message]

    @property
    def shows_recipients(self) -> bool:
        return self.record.can_read(RecordPart.CONTACT)


def messages_for_person(*, viewer: User, person: Person, channel: Channel, detail: str = "messages") -> PersonMessages:
    """The person's messages, newest first. Refused (and logged) without read access to their appointments;
    the access log names the contact part only when the recipients are shown."""
    decisions = decide_parts(viewer, person, Action.READ, [PART, RecordPart.CONTACT])
    parts = [PART]
    if decisions[PART].allowed and decisions[RecordPart.CONTACT].allowed:
        parts.append(RecordPart.CONTACT)
    # Contact details alone never open the messages: they say when the person has appointments.
    record = open_parts(viewer=viewer, person=person, parts=parts, channel=channel, detail=detail)
    rows = list(
        Message.objects.filter(person=person)
        .select_related("appointment", "failure_task")
        .order_by("-created_at", "-pk")
    )
    return PersonMessages(record=record, messages=rows)
