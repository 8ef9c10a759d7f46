"""Fixtures shared by every test: the named cast (see coexist/testing/cast.py) and a signed-in client."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from coexist.accounts.models import User
from coexist.accounts.services import api_token_issue
from coexist.testing.cast import Cast, make_cast


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture
def client_for(client: Client) -> Callable[[User], Client]:
    """A test client signed in as the given member of staff."""

    def sign_in(user: User) -> Client:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in


@pytest.fixture
def bearer(db: None) -> Callable[[User], dict[str, str]]:
    """Headers (as test-client extra kwargs) carrying a freshly issued personal API token for `user`."""

    def headers(user: User) -> dict[str, str]:
        _, raw = api_token_issue(user=user, name="tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return headers
