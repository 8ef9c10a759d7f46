"""The Notify backend drives the real GOV.UK Notify client against a local fake of the HTTP API.

Never the real service. The console backend only logs."""

from __future__ import annotations

import logging
import socket
from typing import Any

import jwt
import pytest
from django.core.exceptions import ImproperlyConfigured

from coexist.notifications.backends import (
    ConsoleBackend,
    NotifyBackend,
    OutgoingMessage,
    SendFailed,
    check_configuration,
)
from coexist.notifications.tests.conftest import EMAIL_TEMPLATE, LETTER_TEMPLATE, SMS_TEMPLATE
from coexist.testing.fake_notify import FakeNotify

TEXT = OutgoingMessage(method="text", recipient="07700900123", body="Reminder: Thursday 10:00.", reference="ref-1")


def test_text_is_sent_with_a_signed_token_and_notify_gives_its_id(notify_settings: FakeNotify) -> None:
    result = NotifyBackend().send(TEXT)

    [request] = notify_settings.sent("sms")
    assert result.reference and result.reference != "ref-1"
    assert request.body == {
        "phone_number": "07700900123",
        "template_id": SMS_TEMPLATE,
        "personalisation": {"message": "Reminder: Thursday 10:00."},
        "reference": "ref-1",
    }
    token = request.headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, key=notify_settings.secret, algorithms=["HS256"])
    assert claims["iss"] == notify_settings.service_id


def test_email_goes_to_the_address_with_the_email_template(notify_settings: FakeNotify) -> None:
    NotifyBackend().send(OutgoingMessage(method="email", recipient="ann@example.org", body="Hi", reference="r"))
    [request] = notify_settings.sent("email")
    assert (request.body["email_address"], request.body["template_id"]) == ("ann@example.org", EMAIL_TEMPLATE)


def test_letter_carries_name_and_address_lines_with_postcode_last(notify_settings: FakeNotify) -> None:
    NotifyBackend().send(
        OutgoingMessage(
            method="letter",
            recipient="1 High St, Leeds, LS1 1AA",
            body="Reminder",
            reference="r",
            name="Ann Example",
            address_lines=("1 High St", "Leeds", "LS1 1AA"),
        )
    )
    [request] = notify_settings.sent("letter")
    assert request.body["template_id"] == LETTER_TEMPLATE
    assert request.body["personalisation"] == {
        "message": "Reminder",
        "address_line_1": "Ann Example",
        "address_line_2": "1 High St",
        "address_line_3": "Leeds",
        "address_line_4": "LS1 1AA",
    }


def test_400_validation_error_is_permanent_with_notifys_message(notify_settings: FakeNotify) -> None:
    notify_settings.fail_next_with_validation_error("phone_number Not a UK mobile number")
    with pytest.raises(SendFailed) as failed:
        NotifyBackend().send(TEXT)
    assert failed.value.permanent
    assert "400" in failed.value.reason and "Not a UK mobile number" in failed.value.reason


def test_a_wrong_key_is_refused_403_and_permanent(notify_settings: FakeNotify) -> None:
    wrong = FakeNotify().api_key  # another service's key: the signature does not match
    with pytest.raises(SendFailed) as failed:
        NotifyBackend(api_key=wrong).send(TEXT)
    assert failed.value.permanent and "403" in failed.value.reason
    assert notify_settings.sent() == []


def test_500_is_temporary_and_the_retry_succeeds(notify_settings: FakeNotify) -> None:
    notify_settings.fail_next(1, status=500)
    backend = NotifyBackend()
    with pytest.raises(SendFailed) as failed:
        backend.send(TEXT)
    assert not failed.value.permanent
    assert backend.send(TEXT).reference
    assert [r.status for r in notify_settings.requests] == [500, 201]


def test_rate_limit_429_is_temporary(notify_settings: FakeNotify) -> None:
    notify_settings.fail_next(1, status=429)
    with pytest.raises(SendFailed) as failed:
        NotifyBackend().send(TEXT)
    assert not failed.value.permanent


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_connection_refused_is_temporary(notify_settings: FakeNotify) -> None:
    backend = NotifyBackend(base_url=f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(SendFailed) as failed:
        backend.send(TEXT)
    assert not failed.value.permanent
    assert "Could not reach GOV.UK Notify" in failed.value.reason


def test_console_backend_logs_the_message(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="coexist.notifications.backends"):
        result = ConsoleBackend().send(TEXT)
    assert result.reference.startswith("console-")
    assert "07700900123" in caplog.text and "Reminder: Thursday 10:00." in caplog.text


def test_choosing_notify_without_a_key_stops_start_up(settings: Any) -> None:
    settings.COEXIST_NOTIFICATIONS_BACKEND = "coexist.notifications.backends.NotifyBackend"
    settings.COEXIST_NOTIFY_API_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="COEXIST_NOTIFY_API_KEY is not set"):
        check_configuration()
    settings.COEXIST_NOTIFY_API_KEY = "not-a-key"
    with pytest.raises(ImproperlyConfigured, match="does not look like"):
        check_configuration()


def test_choosing_notify_without_template_ids_stops_start_up(settings: Any, fake_notify: FakeNotify) -> None:
    settings.COEXIST_NOTIFICATIONS_BACKEND = "coexist.notifications.backends.NotifyBackend"
    settings.COEXIST_NOTIFY_API_KEY = fake_notify.api_key
    settings.COEXIST_NOTIFY_SMS_TEMPLATE_ID = ""
    with pytest.raises(ImproperlyConfigured, match="COEXIST_NOTIFY_SMS_TEMPLATE_ID"):
        check_configuration()


def test_an_unimportable_backend_stops_start_up(settings: Any) -> None:
    settings.COEXIST_NOTIFICATIONS_BACKEND = "coexist.notifications.backends.Nope"
    with pytest.raises(ImproperlyConfigured, match="cannot be imported"):
        check_configuration()


def test_console_backend_is_the_default_and_needs_nothing(settings: Any) -> None:
    assert settings.COEXIST_NOTIFICATIONS_BACKEND == "coexist.notifications.backends.ConsoleBackend"
    check_configuration()


def test_fake_refuses_a_token_signed_with_another_secret(fake_notify: FakeNotify) -> None:
    import requests

    token = jwt.encode({"iss": fake_notify.service_id, "iat": 0}, "wrong-secret-" * 4, algorithm="HS256")
    response: Any = requests.post(
        f"{fake_notify.base_url}/v2/notifications/sms",
        json={"phone_number": "07700900123", "template_id": SMS_TEMPLATE},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["error"] == "AuthError"
