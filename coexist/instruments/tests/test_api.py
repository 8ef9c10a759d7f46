"""The measures API at /api/v1/measures: definitions, recording (R15 flags and tasks in the reply) and
reading, with bearer tokens, the same permission function as the pages, and problem+json errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coexist.accounts.models import User
from coexist.assessments.models import JointAssessment, RiskFlag
from coexist.instruments.definitions import DEFINITIONS
from coexist.instruments.models import InstrumentResponse
from coexist.testing.cast import Cast

PROBLEM = "application/problem+json"
Bearer = Callable[[User], dict[str, str]]


def body(response: Any) -> Any:
    return json.loads(response.content)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    data = body(response)
    assert data["status"] == status and data["detail"]
    return data


def post(client: Client, payload: Any, headers: dict[str, str]) -> Any:
    return client.post(
        "/api/v1/measures/responses", data=json.dumps(payload), content_type="application/json", **headers
    )


def phq9(item9: int) -> dict[str, int]:
    return {**{f"phq9_{n}": 1 for n in range(1, 9)}, "phq9_9": item9}


def test_definitions_need_a_token(client: Client, cast: Cast) -> None:
    assert_problem(client.get("/api/v1/measures/definitions"), 401)


def test_lists_the_definitions(client: Client, cast: Cast, bearer: Bearer) -> None:
    data = body(client.get("/api/v1/measures/definitions", **bearer(cast.researcher)))
    assert {d["code"] for d in data} == set(DEFINITIONS)
    assert {d["code"] for d in data if d["screens_substance_use"]} == {
        "audit",
        "audit_c",
        "dudit",
        "dast10",
        "sds",
        "top",
    }


def test_one_definition_has_items_scales_bands_and_alerts(client: Client, cast: Cast, bearer: Bearer) -> None:
    data = body(client.get("/api/v1/measures/definitions/phq9", **bearer(cast.coordinator)))
    assert len([i for i in data["items"] if i["required"]]) == 9
    assert data["scales"][0] == {
        "code": "total",
        "label": "Total score",
        "method": "sum",
        "items": [f"phq9_{n}" for n in range(1, 10)],
        "minimum": 0,
        "maximum": 27,
    }
    assert [b["minimum"] for b in data["bands"]] == [0, 5, 10, 15, 20]
    assert data["alerts"] == [{"item": "phq9_9", "above": 0, "risk": "self_harm_suicide"}]


def test_unknown_definition_is_404_problem(client: Client, cast: Cast, bearer: Bearer) -> None:
    assert_problem(client.get("/api/v1/measures/definitions/k10", **bearer(cast.coordinator)), 404)


def test_r15_recording_phq9_with_item_9_above_0_returns_201_with_flag_and_task(
    client: Client, cast: Cast, bearer: Bearer
) -> None:
    response = post(
        client,
        {"person_id": str(cast.ann.public_id), "instrument": "phq9", "answers": phq9(3)},
        bearer(cast.coordinator),
    )
    assert response.status_code == 201, response.content
    data = body(response)
    assert data["score"] == {"total": 11}
    assert data["band"] == "Moderate depression"
    assert data["version"] == "Kroenke 2001"
    assert data["alerts"] == [
        {"item": "phq9_9", "value": 3, "risk": "self_harm_suicide", "source": "PHQ-9 item 9 answered 3"}
    ]
    (flag,) = data["flags_raised"]
    assert flag["kind"] == "self_harm_suicide"
    assert flag["id"] == str(RiskFlag.objects.get().public_id)
    (task,) = data["tasks_created"]
    assert (task["rule"], task["priority"]) == ("R15", "urgent")


def test_r15_phq9_item_9_at_0_raises_nothing(client: Client, cast: Cast, bearer: Bearer) -> None:
    data = body(
        post(
            client,
            {"person_id": str(cast.ann.public_id), "instrument": "phq9", "answers": phq9(0)},
            bearer(cast.coordinator),
        )
    )
    assert data["flags_raised"] == [] and data["tasks_created"] == [] and data["alerts"] == []


def test_invalid_answers_are_422_naming_each_answer(client: Client, cast: Cast, bearer: Bearer) -> None:
    answers = phq9(4)
    del answers["phq9_1"]
    data = assert_problem(
        post(
            client,
            {"person_id": str(cast.ann.public_id), "instrument": "phq9", "answers": answers},
            bearer(cast.coordinator),
        ),
        422,
    )
    assert {e["field"] for e in data["errors"]} == {"answers.phq9_1", "answers.phq9_9"}
    assert not InstrumentResponse.objects.exists()


def test_answers_must_be_whole_numbers_not_text(client: Client, cast: Cast, bearer: Bearer) -> None:
    answers: dict[str, Any] = {**phq9(0), "phq9_1": "1"}
    assert_problem(
        post(
            client,
            {"person_id": str(cast.ann.public_id), "instrument": "phq9", "answers": answers},
            bearer(cast.coordinator),
        ),
        422,
    )


def test_unknown_instrument_is_422(client: Client, cast: Cast, bearer: Bearer) -> None:
    data = assert_problem(
        post(
            client, {"person_id": str(cast.ann.public_id), "instrument": "k10", "answers": {}}, bearer(cast.coordinator)
        ),
        422,
    )
    assert data["errors"][0]["field"] == "instrument"


def test_another_persons_assessment_is_422(client: Client, cast: Cast, bearer: Bearer) -> None:
    other = JointAssessment.objects.create(person=cast.ben, started_by=cast.coordinator)
    payload = {
        "person_id": str(cast.ann.public_id),
        "instrument": "phq9",
        "answers": phq9(0),
        "assessment_id": str(other.public_id),
    }
    data = assert_problem(post(client, payload, bearer(cast.coordinator)), 422)
    assert data["errors"][0]["field"] == "assessment_id"


def test_da_worker_recording_for_ann_is_403_problem(client: Client, cast: Cast, bearer: Bearer) -> None:
    assert_problem(
        post(
            client,
            {"person_id": str(cast.ann.public_id), "instrument": "phq9", "answers": phq9(2)},
            bearer(cast.da_worker),
        ),
        403,
    )
    assert not RiskFlag.objects.exists()


def test_unknown_person_is_404(client: Client, cast: Cast, bearer: Bearer) -> None:
    payload = {"person_id": "00000000-0000-4000-8000-000000000000", "instrument": "phq9", "answers": phq9(0)}
    assert_problem(post(client, payload, bearer(cast.coordinator)), 404)


def test_a_persons_responses_newest_first_without_n_plus_1(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    for item9 in (0, 1, 0):
        post(client, {"person_id": str(cast.ann.public_id), "instrument": "phq9", "answers": phq9(item9)}, headers)
    url = f"/api/v1/measures/people/{cast.ann.public_id}/responses"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    data = body(response)
    assert response.status_code == 200
    assert len(data) == 3
    assert [len(r["alerts"]) for r in data] == [0, 1, 0]
    few = len(queries)
    for _ in range(3):
        post(client, {"person_id": str(cast.ann.public_id), "instrument": "phq9", "answers": phq9(0)}, headers)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, **headers)
    assert len(queries) == few


def test_a_persons_responses_are_refused_without_a_relationship(client: Client, cast: Cast, bearer: Bearer) -> None:
    assert_problem(client.get(f"/api/v1/measures/people/{cast.ann.public_id}/responses", **bearer(cast.da_worker)), 403)


def test_one_response(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    created = body(
        post(client, {"person_id": str(cast.ann.public_id), "instrument": "phq9", "answers": phq9(0)}, headers)
    )
    data = body(client.get(f"/api/v1/measures/responses/{created['id']}", **headers))
    assert data["id"] == created["id"] and data["person_id"] == str(cast.ann.public_id)
    assert_problem(client.get(f"/api/v1/measures/responses/{created['id']}", **bearer(cast.da_worker)), 403)
    assert_problem(client.get("/api/v1/measures/responses/00000000-0000-4000-8000-000000000000", **headers), 404)
