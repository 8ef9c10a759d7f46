"""Fixtures for the measures tests: a bearer token per member of the cast, as in the interop API tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coexist.accounts.models import User
from coexist.accounts.services import api_token_issue


@pytest.fixture
def bearer(db: None) -> Callable[[User], dict[str, str]]:
    """Headers (as test-client extra kwargs) carrying a freshly issued personal token for `user`."""

    def headers(user: User) -> dict[str, str]:
        _, raw = api_token_issue(user=user, name="tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return headers
