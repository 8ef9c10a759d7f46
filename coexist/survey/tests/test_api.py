"""/api/v1/service-survey: the same rules as the pages; 401, 403, 404 and 422 as problem+json, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coexist.accounts.models import User
from coexist.survey.models import ServiceSurvey, StaffTraining
from coexist.survey.rules import Dimension
from coexist.testing.cast import Cast
from coexist.testing.factories_survey import ServiceSurveyFactory

pytestmark = pytest.mark.django_db
Bearer = Callable[[User], dict[str, str]]
BASE = "/api/v1/service-survey"


def _survey(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "completed_on": timezone.localdate().isoformat(),
        "provision": "network",
        "dimensions": {d.value: {"score": 3, "note": ""} for d in Dimension},
    }
    body.update(changes)
    return body


def _post(client: Client, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(url, body, content_type="application/json", **headers)


def test_submit_survey_201_and_read_it_back(cast: Cast, client: Client, bearer: Bearer) -> None:
    url = f"{BASE}/services/{cast.cmht.public_id}/surveys"
    response = _post(client, url, _survey(), bearer(cast.team_leader))
    assert response.status_code == 201, response.content
    body = response.json()
    assert [s["score"] for s in body["scores"]] == [3] * 7
    listed = client.get(url, **bearer(cast.coordinator)).json()
    assert [s["id"] for s in listed] == [body["id"]]


def test_no_token_is_401(cast: Cast, client: Client) -> None:
    response = client.get(f"{BASE}/services/{cast.cmht.public_id}/surveys")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_coordinator_may_not_submit_403_and_da_worker_may_not_read(cast: Cast, client: Client, bearer: Bearer) -> None:
    url = f"{BASE}/services/{cast.cmht.public_id}/surveys"
    assert _post(client, url, _survey(), bearer(cast.coordinator)).status_code == 403
    assert client.get(url, **bearer(cast.da_worker)).status_code == 403
    assert not ServiceSurvey.objects.exists()


def test_unknown_service_and_survey_are_404(cast: Cast, client: Client, bearer: Bearer) -> None:
    nobody = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"{BASE}/services/{nobody}/surveys", **bearer(cast.coordinator)).status_code == 404
    assert client.get(f"{BASE}/surveys/{nobody}", **bearer(cast.coordinator)).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"dimensions": {d.value: {"score": 6} for d in Dimension}}, "dimensions"),
        ({"dimensions": {d.value: {"score": 3} for d in list(Dimension)[:6]}}, "training"),
        ({"provision": "hub"}, "provision"),
        ({"completed_on": "9999-12-31"}, "completed_on"),
        ({"completed_on": "1066-10-14"}, "completed_on"),
        ({"dimensions": {d.value: {"score": 3, "note": "x" * 10_000} for d in Dimension}}, "dimensions"),
        ({"dimensions": {d.value: {"score": 3, "note": "a\x00"} for d in Dimension}}, "programme_structure_note"),
    ],
)
def test_bad_survey_input_is_422_naming_the_field(
    cast: Cast, client: Client, bearer: Bearer, changes: dict[str, Any], field: str
) -> None:
    response = _post(
        client, f"{BASE}/services/{cast.cmht.public_id}/surveys", _survey(**changes), bearer(cast.team_leader)
    )
    assert response.status_code == 422, response.content
    assert any(e["field"].startswith(field) for e in response.json()["errors"])
    assert not ServiceSurvey.objects.exists()


def test_comparison_403_for_a_coordinator_200_for_a_researcher(cast: Cast, client: Client, bearer: Bearer) -> None:
    ServiceSurveyFactory(service=cast.cmht, submitted_by=cast.team_leader)
    assert client.get(f"{BASE}/compare", **bearer(cast.coordinator)).status_code == 403
    response = client.get(f"{BASE}/compare", **bearer(cast.researcher))
    assert response.status_code == 200
    assert [row["service_name"] for row in response.json()] == ["Community mental health service"]


def test_training_sessions_feedback_and_evidence(cast: Cast, client: Client, bearer: Bearer) -> None:
    headers = bearer(cast.team_leader)
    service = f"{BASE}/services/{cast.cmht.public_id}"
    today = timezone.localdate().isoformat()
    training = {
        "staff": str(cast.coordinator.public_id), "course": "Dual diagnosis awareness", "provider": "College",
        "completed_on": today, "hours": "6", "certificate": True,
    }  # fmt: skip
    assert _post(client, f"{service}/training", training, headers).status_code == 201
    assert _post(client, f"{service}/training", {**training, "hours": "0"}, headers).status_code == 422
    assert _post(client, f"{service}/training", {**training, "course": "a\x00"}, headers).status_code == 422
    assert (
        _post(client, f"{service}/training", {**training, "staff": str(cast.da_worker.public_id)}, headers).status_code
        == 422
    )
    assert StaffTraining.objects.count() == 1
    session = {"course": "Recovery", "session_on": today, "attendees": 9}
    assert _post(client, f"{service}/recovery-college", session, headers).status_code == 201
    assert _post(client, f"{service}/recovery-college", {**session, "attendees": -1}, headers).status_code == 422
    feedback = {"collected_on": today, "counts": {"listened": [0, 1, 2, 3, 4]}}
    assert (
        _post(
            client, f"{service}/feedback", {**feedback, "counts": {"listened": [1, -1, 0, 0, 0]}}, headers
        ).status_code
        == 422
    )
    assert _post(client, f"{service}/feedback", feedback, headers).status_code == 201
    evidence = client.get(f"{service}/evidence", **bearer(cast.coordinator)).json()
    assert (evidence["clinical_staff"], evidence["trained_staff"], evidence["trained_percent"]) == (4, 1, "25.0")
    assert (evidence["recovery_sessions"], evidence["recovery_attendances"]) == (1, 9)
    assert evidence["feedback"][0]["mean"] == "4.00"
