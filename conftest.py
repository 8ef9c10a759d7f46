"""Fixtures shared by every test: the named cast (see coexist/testing/cast.py) and a signed-in client."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from coexist.accounts.models import User
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
