"""The assessments API: the same services and permission function as the pages; problem+json errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.models import RiskFlag
from coexist.assessments.rules import Domain
from coexist.tasks.models import Task
from coexist.testing.cast import Cast
from coexist.testing.factories import RiskFlagFactory

from .helpers import start

Bearer = Callable[[User], dict[str, str]]
BASE = "/api/v1/assessments"


def send(client: Client, method: str, url: str, payload: Any, headers: dict[str, str]) -> Any:
    return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json", **headers)


def test_create_update_complete_over_the_api(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    created = send(client, "post", BASE, {"person": str(cast.ann.public_id)}, headers)
    assert created.status_code == 201, created.content
    aid = created.json()["id"]
    domains = {d: {"need": "none"} for d in Domain.values}
    domains["housing"] = {"notes": "Sofa surfing, asked to leave tonight", "need": "urgent"}
    patched = send(client, "patch", f"{BASE}/{aid}", {"domains": domains, "diagnosis": "Bipolar disorder"}, headers)
    assert patched.status_code == 200, patched.content
    housing = next(d for d in patched.json()["domains"] if d["domain"] == "housing")
    assert housing["urgent_task"] == str(Task.objects.get(rule="R2").public_id)
    row = send(
        client, "post", f"{BASE}/{aid}/substances",
        {"substance": "opioids", "route": "injected", "frequency": "daily", "injecting": True}, headers,
    )  # fmt: skip
    assert row.status_code == 201
    added = send(client, "post", f"{BASE}/{aid}/assessors", {"user": str(cast.da_worker_in_team.public_id)}, headers)
    assert added.status_code == 201
    done = send(client, "post", f"{BASE}/{aid}/complete", {}, headers)
    assert done.status_code == 200 and done.json()["status"] == "completed" and done.json()["joint"] is True
    again = send(client, "patch", f"{BASE}/{aid}", {"diagnosis": "x"}, headers)
    assert again.status_code == 422 and again["Content-Type"].startswith("application/problem+json")
    assert "can no longer be changed" in again.json()["detail"]


def test_consent_reader_gets_substance_use_and_null_for_the_rest(client: Client, cast: Cast, bearer: Bearer) -> None:
    assessment = start(cast.ben, cast.coordinator)
    body = client.get(f"{BASE}/{assessment.public_id}", **bearer(cast.da_worker)).json()
    assert [d["domain"] for d in body["domains"]] == ["substance_use"]
    assert body["diagnosis"] is None and body["risk_flags"] is None and body["substances"] == []


def test_da_worker_is_refused_ann(client: Client, cast: Cast, bearer: Bearer) -> None:
    assessment = start(cast.ann, cast.coordinator)
    headers = bearer(cast.da_worker)
    assert client.get(f"{BASE}/{assessment.public_id}", **headers).status_code == 403
    assert client.get(f"{BASE}/people/{cast.ann.public_id}/risk-flags", **headers).status_code == 403
    raised = send(
        client, "post", f"{BASE}/people/{cast.ann.public_id}/risk-flags",
        {"kind": "overdose", "review_on": str(timezone.localdate())}, headers,
    )  # fmt: skip
    assert raised.status_code == 403


def test_r13_flags_over_the_api(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    url = f"{BASE}/people/{cast.ann.public_id}/risk-flags"
    past = send(
        client, "post", url, {"kind": "overdose", "review_on": str(timezone.localdate() - timedelta(days=1))}, headers
    )
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "review_on"
    missing = send(client, "post", url, {"kind": "overdose"}, headers)
    assert missing.status_code == 422
    raised = send(client, "post", url, {"kind": "overdose", "review_on": str(timezone.localdate())}, headers)
    assert raised.status_code == 201
    fid = raised.json()["id"]
    reviewed = send(
        client, "post", f"{BASE}/risk-flags/{fid}/review",
        {"review_on": str(timezone.localdate() + timedelta(days=7)), "note": "Seen today"}, headers,
    )  # fmt: skip
    assert reviewed.status_code == 200 and reviewed.json()["reviewed_at"]
    ended = send(client, "post", f"{BASE}/risk-flags/{fid}/end", {"reason": "Risk has passed"}, headers)
    assert ended.status_code == 200 and ended.json()["ended_on"] == str(timezone.localdate())
    listed = client.get(url, **headers).json()
    assert [f["id"] for f in listed] == [fid]


def test_r13_consent_reader_reads_flags_only_with_risk_consent(client: Client, cast: Cast, bearer: Bearer) -> None:
    RiskFlagFactory(person=cast.ben, raised_by=cast.coordinator)
    # Ben shares substance use and care plan with Pathways, not risk.
    response = client.get(f"{BASE}/people/{cast.ben.public_id}/risk-flags", **bearer(cast.da_worker))
    assert response.status_code == 403
    assert RiskFlag.objects.count() == 1


def test_unknown_ids_are_404_problems(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"{BASE}/{unknown}", **headers).status_code == 404
    assert send(client, "post", f"{BASE}/risk-flags/{unknown}/end", {"reason": "x"}, headers).status_code == 404
