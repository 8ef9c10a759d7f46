"""Schemathesis against the groups operations only, as a facilitator with real groups, sessions and
enrolments: no 5xx, responses match the document, errors are problem+json naming the fields."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import schemathesis

from coexist.accounts.services import api_token_issue
from coexist.interop.tests.test_api_fuzz import (  # the shared fixtures, used by name
    CHECKS,
    FUZZ,
    api_schema,  # noqa: F401
    keep_the_test_connection,  # noqa: F401
)
from coexist.testing.cast import Cast

from .groups_world import make_world


@pytest.fixture
def groups_schema(api_schema: Any) -> Any:  # noqa: F811
    return api_schema.include(path_regex="^/api/v1/groups")


@pytest.fixture
def known(cast: Cast) -> dict[str, list[str]]:
    world = make_world(cast)
    return {
        "group_id": [str(world.recovery.public_id), str(world.walk.public_id)],
        "session_id": [str(s.public_id) for s in (world.soon, world.last_week, world.walk_session)],
        "person": [str(p.public_id) for p in cast.people().values()],
        "facilitators": [str(cast.da_worker.public_id)],
    }


def _aim(case: Any, known: dict[str, list[str]]) -> None:
    for name, value in list((case.path_parameters or {}).items()):
        try:
            generated = uuid.UUID(str(value))
        except ValueError:
            continue
        if name in known and generated.int % 4:
            case.path_parameters[name] = known[name][generated.int % len(known[name])]


@pytest.fixture
def token(cast: Cast) -> dict[str, str]:
    _, raw = api_token_issue(user=cast.da_worker, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


schema = schemathesis.pytest.from_fixture("groups_schema")


@schema.parametrize()
@FUZZ
def test_groups_api_as_a_facilitator(case: Any, token: dict[str, str], known: dict[str, list[str]]) -> None:
    _aim(case, known)
    case.call_and_validate(headers=token, checks=CHECKS)
