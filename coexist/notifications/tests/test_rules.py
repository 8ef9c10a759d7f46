"""R11 reminder rules: the route for every contact method, when reminders are due, retries and errors."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coexist.notifications import rules
from coexist.notifications.rules import Method
from coexist.people.rules import ContactMethod

LONDON = ZoneInfo("Europe/London")
STARTS = datetime(2026, 12, 3, 10, 0, tzinfo=LONDON)


def _route(method: str, **details: str) -> rules.Route:
    values = {"phone": "", "email": "", "address": "", "postcode": ""} | details
    return rules.reminder_route(contact_method=method, **values)


def test_r11_every_contact_method_has_a_route_or_a_reason() -> None:
    for method in ContactMethod.values:
        route = _route(
            method, phone="07700 900123", email="a@example.org", address="1 High St\nLeeds", postcode="LS1 1AA"
        )
        assert route.sendable == (method in Method.values), method
        assert route.sendable or route.reason


def test_r11_text_goes_to_the_mobile_number_in_national_form() -> None:
    route = _route(ContactMethod.TEXT, phone="+44 7700 900123")
    assert (route.method, route.recipient, route.reason) == (Method.TEXT, "07700900123", "")


@pytest.mark.parametrize("method", [ContactMethod.PHONE, ContactMethod.VIDEO, ContactMethod.IN_PERSON])
def test_r11_phone_video_and_in_person_are_the_workers_to_remind(method: str) -> None:
    route = _route(method, phone="07700 900123", email="a@example.org")
    assert not route.sendable
    assert route.method == "" and route.recipient == ""
    assert "worker" in route.reason


def test_r11_text_chosen_without_a_number_says_so() -> None:
    route = _route(ContactMethod.TEXT, email="a@example.org")
    assert not route.sendable
    assert route.method == Method.TEXT
    assert "no mobile number" in route.reason


def test_r11_text_to_a_landline_is_not_sent_and_never_switches_channel() -> None:
    route = _route(ContactMethod.TEXT, phone="0113 496 0000", email="a@example.org")
    assert not route.sendable
    assert "not a UK mobile number" in route.reason
    assert route.method == Method.TEXT


def test_r11_email_needs_a_valid_address() -> None:
    assert "no email address" in _route(ContactMethod.EMAIL).reason
    assert "not a valid email" in _route(ContactMethod.EMAIL, email="not-an-address").reason
    assert _route(ContactMethod.EMAIL, email=" ann@example.org ").recipient == "ann@example.org"


def test_r11_letter_needs_a_street_and_a_uk_postcode() -> None:
    assert not _route(ContactMethod.LETTER, address="1 High St").sendable
    assert not _route(ContactMethod.LETTER, postcode="LS1 1AA").sendable
    assert not _route(ContactMethod.LETTER, address="1 High St", postcode="12345").sendable
    route = _route(ContactMethod.LETTER, address="Flat 2, 1 High St\nLeeds", postcode="ls11aa")
    assert route.address_lines == ("Flat 2", "1 High St", "Leeds", "LS1 1AA")
    assert route.recipient == "Flat 2, 1 High St, Leeds, LS1 1AA"


def test_r11_no_contact_method_recorded_is_not_sendable() -> None:
    assert not _route("").sendable


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07700 900123", "07700900123"),
        ("07700-900-123", "07700900123"),
        ("(07700) 900123", "07700900123"),
        ("+447700900123", "07700900123"),
        ("00447700900123", "07700900123"),
        ("447700900123", "07700900123"),
        ("07624 123456", "07624123456"),
        ("0113 496 0000", None),  # landline
        ("07000 123456", None),  # personal number
        ("07600 123456", None),  # pager
        ("0770090012", None),  # too short
        ("077009001234", None),  # too long
        ("", None),
    ],
)
def test_r11_uk_mobile_check(raw: str, expected: str | None) -> None:
    assert rules.uk_mobile(raw) == expected


def test_r11_text_and_email_are_due_24_hours_before_a_letter_5_days() -> None:
    assert rules.reminder_due_at(STARTS, Method.TEXT) == STARTS - timedelta(hours=24)
    assert rules.reminder_due_at(STARTS, Method.EMAIL) == STARTS - timedelta(hours=24)
    assert rules.reminder_due_at(STARTS, Method.LETTER) == STARTS - timedelta(days=5)


@pytest.mark.parametrize(
    ("method", "before", "due"),
    [
        (Method.TEXT, timedelta(hours=24, seconds=1), False),
        (Method.TEXT, timedelta(hours=24), True),
        (Method.TEXT, timedelta(seconds=1), True),  # caught up while there is still time
        (Method.TEXT, timedelta(0), False),  # never once it has started
        (Method.TEXT, -timedelta(minutes=5), False),
        (Method.EMAIL, timedelta(hours=24), True),
        (Method.LETTER, timedelta(days=5, seconds=1), False),
        (Method.LETTER, timedelta(days=5), True),
        (Method.LETTER, timedelta(days=3, seconds=1), True),
        (Method.LETTER, timedelta(days=3), False),  # would arrive after the appointment
    ],
)
def test_r11_reminder_due_boundaries(method: str, before: timedelta, due: bool) -> None:
    assert rules.reminder_is_due(starts_at=STARTS, method=method, now=STARTS - before) is due


def test_r11_retry_schedule_is_5_then_30_minutes_then_give_up() -> None:
    now = STARTS - timedelta(hours=24)
    assert rules.MAX_ATTEMPTS == 3
    assert rules.retry_at(attempts=1, now=now) == now + timedelta(minutes=5)
    assert rules.retry_at(attempts=2, now=now) == now + timedelta(minutes=30)
    assert rules.retry_at(attempts=3, now=now) is None
    assert [rules.give_up(n) for n in (1, 2, 3, 4)] == [False, False, True, True]


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(400, True), (403, True), (404, True), (429, False), (500, False), (503, False), (None, False)],
)
def test_r11_bad_number_or_key_is_permanent_outage_is_temporary(status: int | None, permanent: bool) -> None:
    assert rules.is_permanent_error(status) is permanent


def test_r11_failed_reminder_task_due_before_the_appointment() -> None:
    now = STARTS - timedelta(hours=24)
    assert rules.failed_reminder_task_due(now=now, starts_at=STARTS) == STARTS - timedelta(hours=2)
    five_days = STARTS - timedelta(days=5)
    assert rules.failed_reminder_task_due(now=five_days, starts_at=STARTS) == five_days + timedelta(hours=24)
    late = STARTS - timedelta(minutes=30)
    assert rules.failed_reminder_task_due(now=late, starts_at=STARTS) == late


def test_r11_reminder_words_say_when_how_and_whom_only() -> None:
    body = rules.reminder_body(starts_at_local=STARTS, mode="home_visit", worker_name="Alex Morgan")
    assert body.startswith("Reminder: you have an appointment on Thursday 3 December at 10:00 at your home")
    assert "Alex Morgan" in body
    for sensitive in ("drug", "alcohol", "mental", "psychiat", "substance", "risk"):
        assert sensitive not in body.lower()
