"""Staff sign-in: Argon2 hashing, lockout after repeated failures, expiry after inactivity, sign-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

import coexist.settings as production_settings
from coexist.accounts.models import User
from coexist.testing.cast import Cast

PASSWORD = "correct-horse-battery"


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("accounts:sign-in"), {"username": username, "password": password})


def test_production_settings_hash_passwords_with_argon2() -> None:
    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS)
def test_a_password_is_stored_as_an_argon2_hash(db: None) -> None:
    user = User.objects.create_user("argon", password=PASSWORD)
    assert user.password.startswith("argon2$")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)


def test_sign_in_lands_on_the_caseload(cast: Cast, client: Client) -> None:
    response = sign_in(client, "coordinator")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "Your caseload" in client.get(reverse("home")).content.decode()


def test_a_wrong_password_says_so_and_does_not_sign_in(cast: Cast, client: Client) -> None:
    response = sign_in(client, "coordinator", "wrong-password")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_repeated_failures_lock_the_account_even_with_the_right_password(cast: Cast, client: Client) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "coordinator", "wrong-password")
    response = sign_in(client, "coordinator")
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_the_lock_lifts_after_the_cool_off(cast: Cast, client: Client) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "coordinator", "wrong-password")
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert sign_in(client, "coordinator").status_code == 302


def test_one_account_locked_does_not_lock_another(cast: Cast, client: Client) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "coordinator", "wrong-password")
    assert sign_in(client, "psychiatrist").status_code == 302


def test_session_expires_after_inactivity(cast: Cast, client: Client) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, "coordinator")
        assert client.get(reverse("home")).status_code == 200
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(start + idle - timedelta(minutes=1), tick=False):
        assert client.get(reverse("home")).status_code == 200  # activity pushes the expiry on
    with time_machine.travel(start + 2 * idle, tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_sign_out_ends_the_session(cast: Cast, client: Client) -> None:
    sign_in(client, "coordinator")
    response = client.post(reverse("accounts:sign-out"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_sign_out_needs_a_post(cast: Cast, client: Client) -> None:
    sign_in(client, "coordinator")
    assert client.get(reverse("accounts:sign-out")).status_code == 405


@pytest.mark.parametrize("path", ["/", "/profile/"])
def test_pages_need_sign_in(client: Client, db: None, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
