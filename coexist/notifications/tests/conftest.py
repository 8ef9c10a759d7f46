"""Fixtures for the notifications tests: a local fake of GOV.UK Notify and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from coexist.testing.fake_notify import FakeNotify

SMS_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
EMAIL_TEMPLATE = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
LETTER_TEMPLATE = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def fake_notify() -> Iterator[FakeNotify]:
    """A running fake GOV.UK Notify on 127.0.0.1 with a free port; stopped after the test."""
    with FakeNotify() as notify:
        yield notify


@pytest.fixture
def notify_settings(settings: Any, fake_notify: FakeNotify) -> FakeNotify:
    """Settings choosing the Notify backend, its key and base URL those of the fake."""
    settings.COEXIST_NOTIFICATIONS_BACKEND = "coexist.notifications.backends.NotifyBackend"
    settings.COEXIST_NOTIFY_API_KEY = fake_notify.api_key
    settings.COEXIST_NOTIFY_BASE_URL = fake_notify.base_url
    settings.COEXIST_NOTIFY_SMS_TEMPLATE_ID = SMS_TEMPLATE
    settings.COEXIST_NOTIFY_EMAIL_TEMPLATE_ID = EMAIL_TEMPLATE
    settings.COEXIST_NOTIFY_LETTER_TEMPLATE_ID = LETTER_TEMPLATE
    return fake_notify
