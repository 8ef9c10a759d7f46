"""Personal API tokens: stored only as a hash, shown once, issued by command or on the profile page,
revocable at once, and useless for an account that is no longer active."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from coexist.accounts.models import ApiToken, User
from coexist.accounts.services import api_token_authenticate, api_token_issue, api_token_revoke
from coexist.testing.cast import Cast


def me(client: Client, raw: str) -> int:
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


def test_token_is_stored_only_as_its_sha256_hash(cast: Cast) -> None:
    token, raw = api_token_issue(user=cast.coordinator, name="  reporting script  ")
    assert raw.startswith("cx_")
    assert len(raw) > 40
    token.refresh_from_db()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.last_four == raw[-4:]
    assert token.name == "reporting script"
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in {str(value) for value in stored.values()}
    assert str(token) == f"reporting script (…{raw[-4:]})"


def test_each_token_is_different(cast: Cast) -> None:
    raws = {api_token_issue(user=cast.coordinator, name="script")[1] for _ in range(5)}
    assert len(raws) == 5


def test_token_needs_a_name(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        api_token_issue(user=cast.coordinator, name="   ")
    assert "name" in exc.value.message_dict


def test_token_is_not_issued_to_an_inactive_account(cast: Cast) -> None:
    cast.coordinator.is_active = False
    cast.coordinator.save()
    with pytest.raises(ValidationError) as exc:
        api_token_issue(user=cast.coordinator, name="script")
    assert "user" in exc.value.message_dict


def test_issue_token_command_prints_a_working_token(client: Client, cast: Cast) -> None:
    out, err = StringIO(), StringIO()
    call_command("issue_token", "coordinator", "--name", "nightly export", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("cx_")
    assert "shown once" in err.getvalue()
    assert ApiToken.objects.get(user=cast.coordinator).name == "nightly export"
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert json.loads(response.content)["username"] == "coordinator"


def test_issue_token_for_an_unknown_user_is_a_command_error(cast: Cast) -> None:
    with pytest.raises(CommandError, match="nobody"):
        call_command("issue_token", "nobody", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_issue_token_for_an_inactive_user_is_a_command_error(cast: Cast) -> None:
    cast.former_coordinator.is_active = False
    cast.former_coordinator.save()
    with pytest.raises(CommandError, match="not active"):
        call_command("issue_token", "former_coordinator", stdout=StringIO(), stderr=StringIO())


def test_revoked_token_stops_working_at_once(client: Client, cast: Cast) -> None:
    token, raw = api_token_issue(user=cast.coordinator, name="script")
    assert me(client, raw) == 200
    api_token_revoke(token=token, by=cast.coordinator)
    assert me(client, raw) == 401
    assert api_token_authenticate(raw) is None
    token.refresh_from_db()
    assert not token.is_active


def test_only_the_owner_may_revoke_a_token(cast: Cast) -> None:
    token, raw = api_token_issue(user=cast.coordinator, name="script")
    with pytest.raises(PermissionError):
        api_token_revoke(token=token, by=cast.psychiatrist)
    assert api_token_authenticate(raw) == cast.coordinator


def test_inactive_users_token_is_401(client: Client, cast: Cast) -> None:
    _, raw = api_token_issue(user=cast.coordinator, name="script")
    assert me(client, raw) == 200
    User.objects.filter(pk=cast.coordinator.pk).update(is_active=False)
    assert me(client, raw) == 401


def test_token_use_is_recorded(client: Client, cast: Cast) -> None:
    token, raw = api_token_issue(user=cast.coordinator, name="script")
    assert token.last_used_at is None
    me(client, raw)
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("raw", ["", "cx_", "cx_" + "a" * 43, "not-a-token", "cx_\x00"])
def test_unknown_tokens_authenticate_nobody(cast: Cast, raw: str) -> None:
    api_token_issue(user=cast.coordinator, name="script")
    assert api_token_authenticate(raw) is None


# --- The profile page ----------------------------------------------------------------------------------


def test_profile_creates_a_token_and_shows_it_once(client_for: Callable[[User], Client], cast: Cast) -> None:
    client = client_for(cast.coordinator)
    assert client.get("/profile/").status_code == 200

    response = client.post("/profile/", {"name": "script"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = response.context["new_token"]
    assert raw.startswith("cx_")
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=cast.coordinator)
    assert token.name == "script"
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()

    again = client.get("/profile/")
    page = again.content.decode()
    assert raw not in page
    assert "script" in page and token.last_four in page

    assert me(Client(), raw) == 200


@pytest.mark.parametrize("name", ["", "   "])
def test_profile_refuses_a_token_without_a_name(client_for: Callable[[User], Client], cast: Cast, name: str) -> None:
    response = client_for(cast.coordinator).post("/profile/", {"name": name})
    assert response.status_code == 400
    message = response.context["form"].errors["name"][0]
    assert message
    assert message in response.content.decode()
    assert response.context["new_token"] is None
    assert not ApiToken.objects.exists()


def test_profile_needs_sign_in(client: Client, cast: Cast) -> None:
    response = client.get("/profile/")
    assert response.status_code == 302
    assert "sign-in" in response["Location"]
    client.post("/profile/", {"name": "script"})
    assert not ApiToken.objects.exists()


def test_profile_revokes_your_own_token(client_for: Callable[[User], Client], cast: Cast) -> None:
    token, raw = api_token_issue(user=cast.coordinator, name="script")
    client = client_for(cast.coordinator)
    response = client.post(f"/profile/tokens/{token.public_id}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert me(Client(), raw) == 401
    assert "Revoked" in client.get("/profile/").content.decode()


def test_revoking_someone_elses_token_is_404(client_for: Callable[[User], Client], cast: Cast) -> None:
    theirs, raw = api_token_issue(user=cast.psychiatrist, name="their script")
    response = client_for(cast.coordinator).post(f"/profile/tokens/{theirs.public_id}/revoke/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert me(Client(), raw) == 200


def test_revoke_is_post_only(client_for: Callable[[User], Client], cast: Cast) -> None:
    token, _ = api_token_issue(user=cast.coordinator, name="script")
    assert client_for(cast.coordinator).get(f"/profile/tokens/{token.public_id}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_profile_lists_only_your_own_tokens(client_for: Callable[[User], Client], cast: Cast) -> None:
    api_token_issue(user=cast.psychiatrist, name="psychiatrist's secret script")
    api_token_issue(user=cast.coordinator, name="my script")
    page = client_for(cast.coordinator).get("/profile/").content.decode()
    assert "my script" in page
    assert "secret script" not in page
