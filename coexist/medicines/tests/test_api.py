"""R9 through /api/v1/medicines: read, start, dose change, dose given, naloxone, other medicines, the
handover (request, answer, withdraw); 401, 403 (logged), 404 and 422 naming the field; nothing half-saved."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry
from coexist.medicines.models import OpiateSubstitution, PrescribingHandover
from coexist.medicines.tests.world import NOW, TODAY, TOMORROW
from coexist.tasks.models import Task
from coexist.testing.cast import Cast

Bearer = Callable[[User], dict[str, str]]
BASE = "/api/v1/medicines"
pytestmark = pytest.mark.usefixtures("clock")


def _post(client: Client, url: str, body: dict[str, object], headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def _start_body(cast: Cast, **extra: object) -> dict[str, object]:
    return {
        "drug": "methadone", "prescribing_service": str(cast.cmht.public_id),
        "prescriber": str(cast.psychiatrist.public_id), "started_on": (TODAY - timedelta(days=10)).isoformat(),
        "daily_dose_mg": "60", "supervised": True, "pharmacy": "Boots, High Street", **extra,
    }  # fmt: skip


def test_r9_api_full_flow_to_an_accepted_handover(cast: Cast, client: Client, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    person = f"{BASE}/people/{cast.cat.public_id}"
    response = _post(client, f"{person}/courses", _start_body(cast), headers)
    assert response.status_code == 201, response.content
    assert (
        json.loads(response.content)["current_course"]["current_dose"]
        == "60 mg a day, supervised, at Boots, High Street"
    )
    change = {
        "daily_dose_mg": 70,
        "supervised": True,
        "pharmacy": "Boots, High Street",
        "effective_from": TODAY.isoformat(),
        "reason": "Titration.",
    }
    assert _post(client, f"{person}/dose-changes", change, headers).status_code == 201
    given = {"given_at": (NOW - timedelta(hours=1)).isoformat(), "dose_mg": "70", "where": "Willow ward"}
    assert _post(client, f"{person}/doses-given", given, headers).status_code == 201
    offer = {"offered_at": NOW.isoformat(), "outcome": "supplied", "kit": "nasal", "training_given": True}
    assert _post(client, f"{person}/naloxone-offers", offer, headers).status_code == 201
    other = {"name": "Clozapine", "dose": "300 mg at night", "why_it_matters": "Smoking changes levels."}
    assert _post(client, f"{person}/other-medicines", other, headers).status_code == 201
    body = {"to_service": str(cast.pathways_service.public_id), "first_community_dose_on": TOMORROW.isoformat()}
    response = _post(client, f"{person}/handovers", body, headers)
    assert response.status_code == 201, response.content
    handover = json.loads(response.content)
    assert handover["described"] == "70 mg a day, supervised, at Boots, High Street" and handover["task"]

    prescriber = bearer(cast.addictions_consultant)
    (waiting,) = json.loads(client.get(f"{BASE}/handovers", **prescriber).content)
    assert waiting["id"] == handover["id"]
    response = _post(
        client, f"{BASE}/handovers/{handover['id']}/answer", {"answer": "accept", "confirmed": True}, prescriber
    )
    assert response.status_code == 200 and json.loads(response.content)["status"] == "accepted"
    record = json.loads(client.get(person, **headers).content)
    assert record["current_course"]["prescribing_service"] == str(cast.pathways_service.public_id)
    assert len(record["current_course"]["doses"]) == 2 and record["naloxone_offers"] and record["other_medicines"]


def test_r9_api_errors(cast: Cast, client: Client, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    person = f"{BASE}/people/{cast.cat.public_id}"
    assert client.get(person).status_code == 401
    assert client.get(f"{BASE}/people/00000000-0000-4000-8000-000000000000", **headers).status_code == 404
    response = _post(client, f"{person}/courses", _start_body(cast, daily_dose_mg="600"), headers)
    problem = json.loads(response.content)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert problem["errors"][0]["field"] == "daily_dose_mg" and "between 1 and 300" in problem["detail"]
    response = _post(client, f"{person}/courses", _start_body(cast, surprise=1, drug="heroin"), headers)
    assert response.status_code == 422
    assert {"surprise", "drug"} <= {e["field"] for e in json.loads(response.content)["errors"]}
    response = _post(client, f"{person}/courses", _start_body(cast, pharmacy="\x00" + "x" * 10_000), headers)
    assert response.status_code == 422
    response = _post(client, f"{person}/courses", _start_body(cast, started_on="1800-01-01"), headers)
    assert response.status_code == 422
    response = _post(
        client,
        f"{person}/dose-changes",
        {"daily_dose_mg": 60, "supervised": True, "effective_from": TODAY.isoformat(), "reason": "x"},
        headers,
    )
    assert response.status_code == 422 and json.loads(response.content)["errors"][0]["field"] == "course"
    assert not OpiateSubstitution.objects.exists()


def test_r9_api_handover_without_last_dose_is_422_and_saves_nothing(cast: Cast, client: Client, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    person = f"{BASE}/people/{cast.cat.public_id}"
    assert _post(client, f"{person}/courses", _start_body(cast), headers).status_code == 201
    body = {"to_service": str(cast.pathways_service.public_id), "first_community_dose_on": TOMORROW.isoformat()}
    response = _post(client, f"{person}/handovers", body, headers)
    assert response.status_code == 422
    assert json.loads(response.content)["errors"][0]["field"] == "first_community_dose_on"
    assert not PrescribingHandover.objects.exists() and not Task.objects.exists()


def test_r9_api_refuses_someone_without_a_relationship_and_logs_it(cast: Cast, client: Client, bearer: Bearer) -> None:
    headers = bearer(cast.da_worker)
    person = f"{BASE}/people/{cast.ann.public_id}"
    assert client.get(person, **headers).status_code == 403
    assert _post(client, f"{person}/courses", _start_body(cast), headers).status_code == 403
    assert _post(client, f"{person}/stop", {"stopped_on": TODAY.isoformat(), "reason": "x"}, headers).status_code == 403
    assert AccessLogEntry.objects.filter(actor_username="da_worker", outcome="refused").count() >= 3
    assert not OpiateSubstitution.objects.exists()
