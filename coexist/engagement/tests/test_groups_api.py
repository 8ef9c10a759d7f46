"""The groups API: the same services and permission function as the pages; problem+json errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from coexist.accounts.models import User
from coexist.engagement.models import GroupAttendance, GroupEnrolment, GroupSession
from coexist.tasks.models import Task
from coexist.testing.cast import Cast

from .groups_world import make_world

Bearer = Callable[[User], dict[str, str]]
BASE = "/api/v1/groups"


def send(client: Client, method: str, url: str, payload: Any, headers: dict[str, str]) -> Any:
    return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json", **headers)


def test_list_and_detail(client: Client, cast: Cast, bearer: Bearer) -> None:
    world = make_world(cast)
    headers = bearer(cast.da_worker)
    listed = client.get(BASE, **headers)
    assert listed.status_code == 200
    assert [g["name"] for g in listed.json()] == ["Recovery group"]
    assert listed.json()[0]["next_session"]["id"] == str(world.soon.public_id)
    detail = client.get(f"{BASE}/{world.recovery.public_id}", **headers).json()
    assert len(detail["sessions"]) == 2
    assert [p["name"] for p in detail["enrolled"]] == [cast.ann.full_name]


def test_detail_refused_to_other_services_as_a_problem(client: Client, cast: Cast, bearer: Bearer) -> None:
    world = make_world(cast)
    response = client.get(f"{BASE}/{world.recovery.public_id}", **bearer(cast.coordinator))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 403


def test_unknown_group_is_404_problem(client: Client, cast: Cast, bearer: Bearer) -> None:
    response = client.get(f"{BASE}/00000000-0000-4000-8000-000000000000", **bearer(cast.da_worker))
    assert response.status_code == 404
    assert response.json()["title"] == "Not found"


def test_schedule_enrol_register_and_count(client: Client, cast: Cast, bearer: Bearer) -> None:
    world = make_world(cast)
    headers = bearer(cast.da_worker_in_team)
    first = (timezone.now() + timedelta(days=2)).isoformat()
    scheduled = send(
        client, "post", f"{BASE}/{world.recovery.public_id}/sessions",
        {"first": first, "place": "Room 1", "facilitators": [str(cast.da_worker_in_team.public_id)], "occurrences": 2},
        headers,
    )  # fmt: skip
    assert scheduled.status_code == 201, scheduled.json()
    assert len(scheduled.json()) == 2
    enrolled = send(
        client, "post", f"{BASE}/{world.recovery.public_id}/enrolments", {"person": str(cast.cat.public_id)}, headers
    )
    assert enrolled.status_code == 201
    assert GroupEnrolment.objects.current().filter(person=cast.cat, group=world.recovery).exists()

    world.last_week.facilitators.add(cast.da_worker_in_team)
    tasks = Task.objects.count()
    marked = send(
        client, "post", f"{BASE}/sessions/{world.last_week.public_id}/attendance",
        {"marks": [{"person": str(cast.cat.public_id), "status": "did_not_attend"},
                   {"person": str(cast.ann.public_id), "status": "attended"}]},
        headers,
    )  # fmt: skip
    assert marked.status_code == 200, marked.json()
    assert {line["status"] for line in marked.json()["attendance"]} == {"attended", "did_not_attend"}
    assert Task.objects.count() == tasks  # R6 does not apply to groups
    counted = send(client, "put", f"{BASE}/sessions/{world.last_week.public_id}/anonymous-count", {"count": 3}, headers)
    assert counted.status_code == 200
    assert counted.json()["total_attended"] == 4


def test_bad_input_is_422_with_fields(client: Client, cast: Cast, bearer: Bearer) -> None:
    world = make_world(cast)
    headers = bearer(cast.da_worker)
    negative = send(
        client, "put", f"{BASE}/sessions/{world.last_week.public_id}/anonymous-count", {"count": -1}, headers
    )
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["field"] == "count"
    no_facilitator = send(
        client, "post", f"{BASE}/{world.recovery.public_id}/sessions",
        {"first": timezone.now().isoformat(), "place": "Room", "facilitators": []}, headers,
    )  # fmt: skip
    assert no_facilitator.status_code == 422
    future = send(
        client, "post", f"{BASE}/sessions/{world.soon.public_id}/attendance",
        {"marks": [{"person": str(cast.ann.public_id), "status": "attended"}]}, headers,
    )  # fmt: skip
    assert future.status_code == 422
    assert "not started" in future.json()["detail"]
    assert not GroupAttendance.objects.exists()
    assert GroupSession.objects.count() == 3


def test_register_by_a_non_facilitator_is_403(client: Client, cast: Cast, bearer: Bearer) -> None:
    world = make_world(cast)
    response = send(
        client, "post", f"{BASE}/sessions/{world.last_week.public_id}/attendance",
        {"marks": [{"person": str(cast.ann.public_id), "status": "attended"}]}, bearer(cast.coordinator),
    )  # fmt: skip
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the session's facilitators record its register."


def test_enrol_without_permission_is_403(client: Client, cast: Cast, bearer: Bearer) -> None:
    world = make_world(cast)
    response = send(
        client, "post", f"{BASE}/{world.recovery.public_id}/enrolments", {"person": str(cast.eve.public_id)},
        bearer(cast.da_worker),
    )  # fmt: skip
    assert response.status_code == 403
