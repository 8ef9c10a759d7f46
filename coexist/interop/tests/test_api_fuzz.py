"""Property-based tests of the JSON API against its own OpenAPI document (schemathesis, in-process WSGI).

Every operation, with generated valid and invalid input, as a care coordinator with a real caseload
(so person, organisation and consent ids often point at real records) and without a token.
No response may be a 5xx, and every response must match the document: its status codes, content
types and bodies. Derandomized, so a run is repeatable.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from coexist.accounts.services import api_token_issue
from coexist.people.models import Consent
from coexist.testing.cast import Cast
from coexist.testing.factories import CarerFactory


def errors_are_problem_details(ctx: Any, response: Any, case: Any) -> None:
    """Every error, documented or not (405 too), is RFC 9457 problem+json; a 422 names the fields."""
    if response.status_code < 400:
        return
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith("application/problem+json"), (response.status_code, content_type)
    problem = json.loads(response.content)
    assert problem["status"] == response.status_code
    assert problem["title"] and problem["detail"]
    if response.status_code == 422:
        assert problem["errors"] and all(e["field"] and e["message"] for e in problem["errors"]), problem


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    errors_are_problem_details,
]

FUZZ = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def keep_the_test_connection() -> Iterator[None]:
    """The real WSGI handler closes "old" database connections when each request starts and ends; inside
    the test's transaction that closes the connection (PostgreSQL) and loses the test data. Django's
    own test client stops that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db: None, keep_the_test_connection: None) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def known_ids(cast: Cast) -> dict[str, list[str]]:
    """Real ids to put in generated requests, so they reach records and not only 404s."""
    CarerFactory(person=cast.ann)
    return {
        "person_id": [str(p.public_id) for p in cast.people().values()],
        "organisation_id": [str(o.public_id) for o in (cast.trust, cast.pathways, cast.housing)],
        "consent_id": [str(c.public_id) for c in Consent.objects.all()],
    }


def _aim_at_real_records(case: Any, known: dict[str, list[str]]) -> None:
    """Swap a generated UUID for a real one, chosen by the generated value (so still deterministic).
    One value in four is left as generated, so unknown ids are still tried."""
    for name, value in list((case.path_parameters or {}).items()):
        try:
            generated = uuid.UUID(str(value))
        except ValueError:
            continue  # invalid on purpose: leave it
        choices = known.get(name)
        if choices and generated.int % 4:
            case.path_parameters[name] = choices[generated.int % len(choices)]
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("organisation"), str):
        try:
            generated = uuid.UUID(body["organisation"])
        except ValueError:
            return
        if generated.int % 4:
            organisations = known["organisation_id"]
            body["organisation"] = organisations[generated.int % len(organisations)]


@pytest.fixture
def coordinator_token(cast: Cast) -> dict[str, str]:
    _, raw = api_token_issue(user=cast.coordinator, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def da_worker_token(cast: Cast) -> dict[str, str]:
    _, raw = api_token_issue(user=cast.da_worker, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@FUZZ
def test_api_as_a_coordinator(case: Any, coordinator_token: dict[str, str], known_ids: dict[str, list[str]]) -> None:
    _aim_at_real_records(case, known_ids)
    case.call_and_validate(headers=coordinator_token, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_api_as_a_worker_with_consent_only(
    case: Any, da_worker_token: dict[str, str], known_ids: dict[str, list[str]]
) -> None:
    """Reads ben by consent (agreed parts only, no changes), triages cat by referral, sees no one else:
    every refusal must be a documented 403, never an error."""
    _aim_at_real_records(case, known_ids)
    case.call_and_validate(headers=da_worker_token, checks=CHECKS)


@schema.parametrize()
@settings(FUZZ, max_examples=15)
def test_api_without_a_token_is_always_401_problem(case: Any, db: None) -> None:
    """No token, whatever else is sent: 401 problem+json with a Bearer challenge. The one exception is a
    method the path does not support (schemathesis tries those too), which is a 405 problem."""
    (case.headers or {}).pop("Authorization", None)
    response = case.call()
    if not case.operation.definition.raw.get("security"):
        # Declared public (auth=None): the self-referral needs no account (R12). It must still answer
        # as documented (201, 422, 429 problem), which the checks below hold it to.
        case.validate_response(response, checks=CHECKS)
        return
    if response.status_code != 405 or case.method.upper() == case.operation.method.upper():
        assert response.status_code == 401, (case.operation.label, response.status_code, response.text)
        assert response.headers["content-type"][0].startswith("application/problem+json")
        assert response.headers["www-authenticate"] == ["Bearer"]
        assert json.loads(response.content)["status"] == 401
    case.validate_response(response, checks=CHECKS)
