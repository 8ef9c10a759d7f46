"""Pure rules for appointment reminders (R11: contact by the method the person chose).

Plain values in, decisions out; no ORM and no request, so these are tested without a database.
A reminder goes by text, email or letter when the person chose one of those and the details are
usable; otherwise the reason is recorded and the worker reminds them as they agreed. A reminder
that cannot be sent is never silent: the services turn a final failure into a task for the worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import TextChoices


class Method(TextChoices):
    """How a message went (or would have gone): the channels a reminder can be sent through."""

    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class MessageStatus(TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"
    NOT_SENDABLE = "not_sendable", "No automatic reminder"


class Purpose(TextChoices):
    APPOINTMENT_REMINDER = "appointment_reminder", "Appointment reminder"


# The person's chosen contact methods (people.rules.ContactMethod values) the worker covers in person.
_WORKER_REMINDS = {
    "phone": "Their chosen contact is a phone call, so the worker reminds them by phone; no text, email or letter.",
    "video": "Their chosen contact is a video call, so the worker sends the link and reminds them; no text, "
    "email or letter.",
    "in_person": "Their chosen contact is in person, so the worker reminds them when they meet; no text, email "
    "or letter.",
}

TEXT_AND_EMAIL_LEAD = timedelta(hours=24)
"""R11: a text or email reminder goes 24 hours before the appointment."""

LETTER_LEAD = timedelta(days=5)
"""R11: a letter goes 5 days before, so second-class post arrives in time."""

LETTER_LAST_POSTING = timedelta(days=3)
"""A letter is still posted (catching up after the worker was down) up to 3 days before the appointment.
Later than that it would arrive after the appointment; the person is then reminded another way."""

RETRY_DELAYS: tuple[timedelta, ...] = (timedelta(minutes=5), timedelta(minutes=30))
"""After a temporary failure (Notify down, rate-limited, no connection): try again after 5 minutes, then
after 30 more. One first attempt plus one per delay."""

MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

FAILED_TASK_LATEST_BEFORE = timedelta(hours=2)
"""The task for a failed reminder is due at most 24 hours away and at least 2 hours before the
appointment, so the worker can still reach the person another way."""


@dataclass(frozen=True)
class Route:
    """Where an automatic reminder goes, or why none can."""

    method: str
    """A `Method` value; "" when the chosen contact is not one a message can go by."""
    recipient: str
    """The number, address or postal address (lines joined by ", ") used; "" when not sendable."""
    reason: str = ""
    """Why no automatic reminder can go; "" when one can."""
    address_lines: tuple[str, ...] = ()
    """For a letter: the address lines below the name, the postcode last."""

    @property
    def sendable(self) -> bool:
        return not self.reason


_MOBILE = re.compile(r"^07[1-57-9]\d{8}$")
"""A UK mobile number: 07 then 9 digits, not 070 (personal numbers) or 076 (pagers, bar 07624)."""


def uk_mobile(phone: str) -> str | None:
    """R11: the number in the national form `07700900123`, or None if it is not a UK mobile.

    Accepts spaces, dashes, brackets and the +44 / 0044 / 44 international forms. Landlines cannot
    receive texts, so a person who chose text with a landline gets no automatic reminder (and the
    reason says so) rather than a message that never arrives."""
    digits = re.sub(r"[\s\-().]", "", phone.strip())
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    if digits.startswith("07624") and len(digits) == 11 and digits.isdigit():
        return digits  # Isle of Man mobiles
    return digits if _MOBILE.match(digits) else None


def format_mobile(number: str) -> str:
    """`07700900123` -> `07700 900123`, as people write it."""
    return f"{number[:5]} {number[5:]}" if len(number) == 11 else number


_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def normal_postcode(postcode: str) -> str | None:
    """A UK postcode with one space before the last three characters, or None if it is not one."""
    compact = re.sub(r"\s+", "", postcode.strip().upper())
    if not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


MAX_ADDRESS_LINES = 6
"""GOV.UK Notify takes 7 address lines; the first is the person's name."""


def letter_address_lines(address: str, postcode: str) -> tuple[str, ...] | None:
    """The address lines below the name (postcode last), or None without a street line and a valid postcode."""
    code = normal_postcode(postcode)
    lines = [part.strip() for part in re.split(r"[\n,]", address) if part.strip()]
    lines = [line for line in lines if normal_postcode(line) != code]  # the postcode typed into the address too
    if code is None or not lines:
        return None
    if len(lines) > MAX_ADDRESS_LINES - 1:
        keep = MAX_ADDRESS_LINES - 2
        lines = [*lines[:keep], ", ".join(lines[keep:])]
    return (*lines, code)


def reminder_route(*, contact_method: str, phone: str, email: str, address: str, postcode: str) -> Route:
    """R11: reminders use the person's chosen contact method, and only that one.

    Text needs a UK mobile number, email a valid address, a letter a street address and a UK postcode.
    A phone call, video call or in-person contact is the worker's to make. Another channel is never
    chosen in its place: the person chose how to be contacted, and a letter or email they did not
    expect can be read by someone else in the house."""
    if contact_method in _WORKER_REMINDS:
        return Route(method="", recipient="", reason=_WORKER_REMINDS[contact_method])
    if contact_method == Method.TEXT:
        if not phone.strip():
            return Route(Method.TEXT, "", "They chose text messages but no mobile number is recorded.")
        number = uk_mobile(phone)
        if number is None:
            return Route(
                Method.TEXT,
                "",
                f"They chose text messages but {phone.strip()} is not a UK mobile number, so a text cannot go.",
            )
        return Route(Method.TEXT, number)
    if contact_method == Method.EMAIL:
        if not email.strip():
            return Route(Method.EMAIL, "", "They chose email but no email address is recorded.")
        try:
            validate_email(email.strip())
        except ValidationError:
            return Route(Method.EMAIL, "", f"They chose email but {email.strip()} is not a valid email address.")
        return Route(Method.EMAIL, email.strip())
    if contact_method == Method.LETTER:
        lines = letter_address_lines(address, postcode)
        if lines is None:
            return Route(
                Method.LETTER,
                "",
                "They chose letters but the address is incomplete: a letter needs a street address and a UK postcode.",
            )
        return Route(Method.LETTER, ", ".join(lines), address_lines=lines)
    return Route(method="", recipient="", reason="No contact method is recorded, so no reminder can go.")


def reminder_lead(method: str) -> timedelta:
    """R11: how long before the appointment a reminder by this method goes (5 days for a letter, else 24 hours).

    Methods the worker covers (phone, video, in person) use 24 hours: that is when the timeline records
    that no automatic reminder went."""
    return LETTER_LEAD if method == Method.LETTER else TEXT_AND_EMAIL_LEAD


def reminder_due_at(starts_at: datetime, method: str) -> datetime:
    """R11: when the reminder is due: text and email 24 hours before; letter 5 days before."""
    return starts_at - reminder_lead(method)


def reminder_latest_at(starts_at: datetime, method: str) -> datetime:
    """The last moment a reminder may still go: never after the appointment starts; a letter not within
    3 days of it (it would arrive too late)."""
    return starts_at - LETTER_LAST_POSTING if method == Method.LETTER else starts_at


def reminder_is_due(*, starts_at: datetime, method: str, now: datetime) -> bool:
    """R11: due and not too late. A reminder missed while the worker was down is caught up on the next
    run while there is still time; never after the appointment started."""
    return reminder_due_at(starts_at, method) <= now < reminder_latest_at(starts_at, method)


def retry_at(*, attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` attempts ended in a temporary failure; None when they are used up."""
    if give_up(attempts):
        return None
    return now + RETRY_DELAYS[attempts - 1]


def give_up(attempts: int) -> bool:
    """Every attempt has been used: the reminder has failed and the worker must be told."""
    return attempts >= MAX_ATTEMPTS


def is_permanent_error(status_code: int | None) -> bool:
    """A failure that trying again will not fix (GOV.UK Notify 400 bad number or template, 403 bad key,
    any other 4xx) against one that may pass later (429 rate limit, 5xx, no connection: status None)."""
    if status_code is None:
        return False
    return 400 <= status_code < 500 and status_code != 429


def failed_reminder_task_due(*, now: datetime, starts_at: datetime) -> datetime:
    """R11: the worker's task after a failed reminder is due within a day, and at least 2 hours before the
    appointment, never before now."""
    return max(now, min(now + timedelta(hours=24), starts_at - FAILED_TASK_LATEST_BEFORE))


_HOW = {
    "in_person": "in person",
    "phone": "by phone",
    "video": "by video call",
    "home_visit": "at your home",
}


def reminder_body(*, starts_at_local: datetime, mode: str, worker_name: str) -> str:
    """R11: the reminder's words, in plain English: when, how or where, and whom to contact.

    Deliberately nothing else: no service name (a "drug and alcohol service" or "mental health team" on
    a phone's lock screen tells whoever holds it what the person is being treated for), no diagnosis,
    no name of the person (the number may now be someone else's)."""
    when = f"{starts_at_local:%A} {starts_at_local.day} {starts_at_local:%B} at {starts_at_local:%H:%M}"
    how = _HOW.get(mode, "")
    return (
        f"Reminder: you have an appointment on {when}{' ' + how if how else ''} with {worker_name}. "
        f"If you cannot make it, or want to change it, please contact {worker_name} or your team."
    )
