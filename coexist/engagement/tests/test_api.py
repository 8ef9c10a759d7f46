"""The appointments API: the same services and permission function as the pages; problem+json errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coexist.accounts.models import User
from coexist.engagement.models import Appointment, FollowUp, FollowUpAction
from coexist.tasks.models import TaskStatus
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, FollowUpFactory

Bearer = Callable[[User], dict[str, str]]
BASE = "/api/v1/appointments"


def send(client: Client, url: str, payload: Any, headers: dict[str, str]) -> Any:
    return client.post(url, data=json.dumps(payload), content_type="application/json", **headers)


def test_book_miss_and_follow_up_over_the_api(client: Client, cast: Cast, bearer: Bearer) -> None:
    EpisodeFactory(person=cast.ann, team=cast.north, coordinator=cast.coordinator)
    headers = bearer(cast.coordinator)
    url = f"{BASE}/people/{cast.ann.public_id}"
    booked = send(
        client, url,
        {"starts_at": (timezone.now() - timedelta(hours=1)).isoformat(), "mode": "phone",
         "second_staff": str(cast.da_worker_in_team.public_id)},
        headers,
    )  # fmt: skip
    assert booked.status_code == 201, booked.content
    body = booked.json()
    assert body["status"] == "booked" and body["staff"]["id"] == str(cast.coordinator.public_id)
    assert body["second_staff"]["id"] == str(cast.da_worker_in_team.public_id) and body["follow_up"] is None
    missed = send(client, f"{BASE}/{body['id']}/outcome", {"outcome": "did_not_attend"}, headers)
    assert missed.status_code == 200, missed.content
    follow_up = missed.json()["follow_up"]
    assert follow_up["task"]["assigned_to"]["id"] == str(cast.coordinator.public_id)
    assert follow_up["completed_at"] is None and follow_up["actions"] == []
    listed = client.get(url, **headers)
    assert listed.status_code == 200 and listed.json()[0]["follow_up"]["id"] == follow_up["id"]
    action_url = f"{BASE}/follow-ups/{follow_up['id']}/actions"
    tried = send(client, action_url, {"kind": "call", "result": "not_reached"}, headers)
    assert tried.status_code == 201 and tried.json()["completed_at"] is None
    reached = send(client, action_url, {"kind": "home_visit", "result": "reached", "note": "Seen at home"}, headers)
    assert reached.status_code == 201, reached.content
    assert reached.json()["completed_at"] is not None and reached.json()["task"]["status"] == TaskStatus.DONE
    assert [a["kind"] for a in reached.json()["actions"]] == ["call", "home_visit"]
    again = send(client, action_url, {"kind": "call", "result": "reached"}, headers)
    assert again.status_code == 422 and again["Content-Type"].startswith("application/problem+json")


def test_bad_input_is_422_and_saves_nothing(client: Client, cast: Cast, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    url = f"{BASE}/people/{cast.ann.public_id}"
    far = send(client, url, {"starts_at": "2090-01-01T10:00:00Z"}, headers)
    assert far.status_code == 422 and far.json()["errors"][0]["field"] == "starts_at"
    stranger = send(
        client, url, {"starts_at": timezone.now().isoformat(), "staff": str(cast.da_worker.public_id)}, headers
    )
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["field"] == "staff"
    assert send(client, url, {"starts_at": "soon"}, headers).status_code == 422
    assert not Appointment.objects.exists()
    booked = send(client, url, {"starts_at": (timezone.now() - timedelta(hours=1)).isoformat()}, headers).json()
    unreviewed = send(client, f"{BASE}/{booked['id']}/outcome", {"outcome": "attended_on_time"}, headers)
    assert unreviewed.status_code == 422 and unreviewed.json()["errors"][0]["field"] == "plan_reviewed"
    assert Appointment.objects.get().status == "booked"
    seen = send(
        client, f"{BASE}/{booked['id']}/outcome",
        {"outcome": "attended_on_time", "plan_reviewed": "changed", "plan_change": "New housing goal"}, headers,
    )  # fmt: skip
    assert seen.status_code == 200 and seen.json()["plan_change"] == "New housing goal"
    assert seen.json()["follow_up"] is None and not FollowUp.objects.exists()


def test_da_worker_is_refused_ann(client: Client, cast: Cast, bearer: Bearer) -> None:
    booked = send(
        client, f"{BASE}/people/{cast.ann.public_id}", {"starts_at": timezone.now().isoformat()},
        bearer(cast.coordinator),
    ).json()  # fmt: skip
    headers = bearer(cast.da_worker)
    assert client.get(f"{BASE}/people/{cast.ann.public_id}", **headers).status_code == 403
    refused = send(client, f"{BASE}/people/{cast.ann.public_id}", {"starts_at": timezone.now().isoformat()}, headers)
    assert refused.status_code == 403
    outcome = send(client, f"{BASE}/{booked['id']}/outcome", {"outcome": "cancelled_by_person"}, headers)
    assert outcome.status_code == 403 and Appointment.objects.get().status == "booked"
    assert client.get(f"{BASE}/people/00000000-0000-4000-8000-000000000000", **headers).status_code == 404


def _missed_with_an_action(cast: Cast) -> None:
    follow_up = FollowUpFactory(
        appointment__person=cast.ann, appointment__service=cast.cmht, appointment__staff=cast.coordinator
    )
    FollowUpAction.objects.create(follow_up=follow_up, kind="call", result="not_reached", by=cast.coordinator)


def test_listing_appointments_costs_the_same_queries_however_many_follow_ups(
    client: Client, cast: Cast, bearer: Bearer
) -> None:
    headers = bearer(cast.coordinator)
    url = f"/api/v1/appointments/people/{cast.ann.public_id}"
    _missed_with_an_action(cast)
    client.get(url, **headers)  # the first request with a token also records when it was first used
    with CaptureQueriesContext(connection) as one:
        assert client.get(url, **headers).status_code == 200
    for _ in range(3):
        _missed_with_an_action(cast)
    with CaptureQueriesContext(connection) as four:
        response = client.get(url, **headers)
    assert len([a for a in json.loads(response.content) if a["follow_up"]]) == 4
    assert len(four) == len(one)
