"""How a message leaves Coexist: a small interface with a console backend (the default) and GOV.UK Notify.

The services know only `send(message) -> SendResult` and `SendFailed(reason, permanent)`, so the
choice of backend is a setting (COEXIST_NOTIFICATIONS_BACKEND) and tests swap it without patching.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from coexist.notifications.rules import Method, is_permanent_error

logger = logging.getLogger(__name__)

# The client is untyped; it is used through `Any` here and nowhere else.
_NotifyClient: Any = NotificationsAPIClient

NOTIFY_BACKEND = "coexist.notifications.backends.NotifyBackend"
CONSOLE_BACKEND = "coexist.notifications.backends.ConsoleBackend"


@dataclass(frozen=True)
class OutgoingMessage:
    """What to send, by which channel, to whom. `reference` is our message id, echoed back by Notify."""

    method: str
    recipient: str
    body: str
    reference: str
    name: str = ""
    """For a letter: the first address line (the person's name)."""
    address_lines: tuple[str, ...] = ()
    """For a letter: the lines below the name, postcode last."""
    personalisation: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    reference: str
    """The sending service's id for the message."""


class SendFailed(Exception):
    """The message did not go. `permanent`: trying again will not help (bad number, bad key)."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Backend(Protocol):
    def send(self, message: OutgoingMessage) -> SendResult: ...


class ConsoleBackend:
    """Development and demo: writes the message to the log and pretends it went."""

    def send(self, message: OutgoingMessage) -> SendResult:
        reference = f"console-{uuid.uuid4()}"
        logger.info("Message (%s) to %s [%s]: %s", message.method, message.recipient, message.reference, message.body)
        return SendResult(reference=reference)


def _letter_personalisation(message: OutgoingMessage) -> dict[str, str]:
    lines = [message.name, *message.address_lines][:7]
    return {f"address_line_{n}": line for n, line in enumerate(lines, start=1)}


def _reason(error: APIError) -> str:
    """Notify's error messages in one line: `{"errors": [{"error": ..., "message": ...}]}` or a plain message."""
    detail: Any = error.message
    if isinstance(detail, list):
        detail = "; ".join(str(item.get("message", item)) if isinstance(item, dict) else str(item) for item in detail)
    if error.response is None:
        return f"Could not reach GOV.UK Notify ({detail})."
    return f"GOV.UK Notify answered {error.status_code}: {detail}"


class NotifyBackend:
    """GOV.UK Notify through its official client. Templates hold one placeholder, ((message)); letters also
    take the address lines. Template ids come from settings."""

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None, timeout: int = 15) -> None:
        key = api_key if api_key is not None else settings.COEXIST_NOTIFY_API_KEY
        problem = notify_key_problem(key)
        if problem:
            raise ImproperlyConfigured(problem)
        self.client: Any = _NotifyClient(key, base_url=base_url or settings.COEXIST_NOTIFY_BASE_URL, timeout=timeout)

    def send(self, message: OutgoingMessage) -> SendResult:
        personalisation = {"message": message.body, **message.personalisation}
        try:
            if message.method == Method.TEXT:
                response = self.client.send_sms_notification(
                    phone_number=message.recipient,
                    template_id=settings.COEXIST_NOTIFY_SMS_TEMPLATE_ID,
                    personalisation=personalisation,
                    reference=message.reference,
                )
            elif message.method == Method.EMAIL:
                response = self.client.send_email_notification(
                    email_address=message.recipient,
                    template_id=settings.COEXIST_NOTIFY_EMAIL_TEMPLATE_ID,
                    personalisation=personalisation,
                    reference=message.reference,
                )
            elif message.method == Method.LETTER:
                response = self.client.send_letter_notification(
                    template_id=settings.COEXIST_NOTIFY_LETTER_TEMPLATE_ID,
                    personalisation={**personalisation, **_letter_personalisation(message)},
                    reference=message.reference,
                )
            else:
                raise SendFailed(f"GOV.UK Notify cannot send by {message.method!r}.", permanent=True)
        except APIError as error:
            # The client turns every requests failure (no connection, timeout) into an HTTPError with
            # status 503, and an unreadable body into InvalidResponse.
            status = error.status_code if error.response is not None else None
            raise SendFailed(_reason(error), permanent=is_permanent_error(status)) from error
        except requests.RequestException as error:
            raise SendFailed(f"Could not reach GOV.UK Notify ({error.__class__.__name__}).", permanent=False) from error
        if not isinstance(response, dict) or not response.get("id"):
            raise SendFailed("GOV.UK Notify accepted the request but gave no id.", permanent=False)
        return SendResult(reference=str(response["id"]))


_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_NOTIFY_KEY = re.compile(rf"^.+-{_UUID}-{_UUID}$")


def notify_key_problem(key: str) -> str:
    """What is wrong with a GOV.UK Notify API key, or "" (the key is `name-<service id>-<secret>`)."""
    if not key:
        return (
            "COEXIST_NOTIFICATIONS_BACKEND is GOV.UK Notify but COEXIST_NOTIFY_API_KEY is not set. Set it to the "
            "API key from Notify's 'API integration' page, or use the console backend."
        )
    if not _NOTIFY_KEY.match(key):
        return (
            "COEXIST_NOTIFY_API_KEY does not look like a GOV.UK Notify API key (key name, then the service id "
            "and secret, both UUIDs, joined by hyphens)."
        )
    return ""


def check_configuration() -> None:
    """At start-up: the chosen backend can be imported and, for Notify, has a key and its three template ids."""
    path = settings.COEXIST_NOTIFICATIONS_BACKEND
    try:
        backend_class = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(f"COEXIST_NOTIFICATIONS_BACKEND {path!r} cannot be imported: {error}") from error
    if isinstance(backend_class, type) and issubclass(backend_class, NotifyBackend):
        problem = notify_key_problem(settings.COEXIST_NOTIFY_API_KEY)
        missing = [
            name
            for name in (
                "COEXIST_NOTIFY_SMS_TEMPLATE_ID",
                "COEXIST_NOTIFY_EMAIL_TEMPLATE_ID",
                "COEXIST_NOTIFY_LETTER_TEMPLATE_ID",
            )
            if not getattr(settings, name)
        ]
        if missing and not problem:
            problem = f"GOV.UK Notify is the notifications backend but {', '.join(missing)} is not set."
        if problem:
            raise ImproperlyConfigured(problem)


def configured_backend() -> Backend:
    """The backend named by COEXIST_NOTIFICATIONS_BACKEND, made afresh (Notify's client is not thread-safe)."""
    backend: Backend = import_string(settings.COEXIST_NOTIFICATIONS_BACKEND)()
    return backend
