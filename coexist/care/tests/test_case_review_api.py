"""R7 through /api/v1/case-reviews: list, book, record, cancel; 422 naming the field for a refused
change or bad input; 403 (logged) without a relationship; 404 for an unknown review."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry
from coexist.care.models import CaseReview, CaseReviewStatus, EpisodeOfCare
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory

Bearer = Callable[[User], dict[str, str]]
BASE = "/api/v1/case-reviews"


def _episode(cast: Cast) -> EpisodeOfCare:
    return EpisodeFactory(  # type: ignore[no-any-return]
        person=cast.ann, team=cast.north, opened_by=cast.coordinator, coordinator=cast.coordinator,
        opened_at=timezone.now() - timedelta(days=400),
    )  # fmt: skip


def _post(client: Client, url: str, body: dict[str, object], headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def _schedule_body(episode: EpisodeOfCare, **extra: object) -> dict[str, object]:
    when = (timezone.now() + timedelta(days=5)).isoformat()
    return {"episode": str(episode.public_id), "scheduled_for": when, "reason": "annual", **extra}


def test_r7_api_books_lists_records_and_books_the_next(cast: Cast, client: Client, bearer: Bearer) -> None:
    episode = _episode(cast)
    headers = bearer(cast.coordinator)
    listed = json.loads(client.get(f"{BASE}/people/{cast.ann.public_id}", **headers).content)
    assert listed["due"][0]["state"] == "overdue" and listed["reviews"] == []

    response = _post(client, BASE, _schedule_body(episode), headers)
    assert response.status_code == 201, response.content
    review = json.loads(response.content)
    assert {i["organisation"] for i in review["invitees"]} == {
        "Northfield Partnership NHS Foundation Trust",
        "Pathways Drug and Alcohol Service",
    }
    today = timezone.localdate()
    body = {
        "held_on": today.isoformat(), "outcome": "Joint plan agreed.",
        "next_review_on": (today + timedelta(days=120)).isoformat(), "attended": [str(cast.coordinator.public_id)],
        "schedule_next": True,
    }  # fmt: skip
    response = _post(client, f"{BASE}/{review['id']}/outcome", body, headers)
    assert response.status_code == 200, response.content
    held = json.loads(response.content)
    assert held["status"] == "held" and held["next_review"] is not None
    listed = json.loads(client.get(f"{BASE}/people/{cast.ann.public_id}", **headers).content)
    assert listed["due"][0]["state"] == "not_due" and listed["due"][0]["scheduled_review"] == held["next_review"]


def test_r7_api_refuses_a_booking_missing_an_agency_with_422_naming_it(
    cast: Cast, client: Client, bearer: Bearer
) -> None:
    episode = _episode(cast)
    body = _schedule_body(episode, invitees=[str(cast.coordinator.public_id)])
    response = _post(client, BASE, body, bearer(cast.coordinator))
    problem = json.loads(response.content)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert problem["errors"][0]["field"] == "invitees"
    assert "Pathways Drug and Alcohol Service" in problem["detail"]
    assert not CaseReview.objects.exists()


def test_r7_api_bad_input_is_422_by_field(cast: Cast, client: Client, bearer: Bearer) -> None:
    episode = _episode(cast)
    headers = bearer(cast.coordinator)
    response = _post(client, BASE, {**_schedule_body(episode), "reason": "whim", "surprise": 1}, headers)
    assert response.status_code == 422
    fields = {e["field"] for e in json.loads(response.content)["errors"]}
    assert {"reason", "surprise"} <= fields
    review = json.loads(_post(client, BASE, _schedule_body(episode), headers).content)
    today = timezone.localdate()
    body = {"held_on": today.isoformat(), "outcome": "x", "next_review_on": (today + timedelta(days=366)).isoformat()}
    response = _post(client, f"{BASE}/{review['id']}/outcome", body, headers)
    assert response.status_code == 422
    assert json.loads(response.content)["errors"][0]["field"] == "next_review_on"
    response = _post(client, f"{BASE}/{review['id']}/cancel", {"reason": "  "}, headers)
    assert response.status_code == 422


def test_r7_api_cancel_and_unknown_review(cast: Cast, client: Client, bearer: Bearer) -> None:
    headers = bearer(cast.coordinator)
    review = json.loads(_post(client, BASE, _schedule_body(_episode(cast)), headers).content)
    response = _post(client, f"{BASE}/{review['id']}/cancel", {"reason": "Moved at the person's request."}, headers)
    assert response.status_code == 200 and json.loads(response.content)["status"] == CaseReviewStatus.CANCELLED
    assert client.get(f"{BASE}/00000000-0000-4000-8000-000000000000", **headers).status_code == 404


def test_r7_api_refuses_someone_without_a_relationship_and_logs_it(cast: Cast, client: Client, bearer: Bearer) -> None:
    episode = _episode(cast)
    headers = bearer(cast.da_worker)
    assert client.get(f"{BASE}/people/{cast.ann.public_id}", **headers).status_code == 403
    assert _post(client, BASE, _schedule_body(episode), headers).status_code == 403
    assert AccessLogEntry.objects.filter(actor_username="da_worker", outcome="refused").count() >= 2
    assert not CaseReview.objects.exists()


def test_r7_team_leader_api_lists_overdue_reviews_with_the_page_that_clears_them(
    cast: Cast, client: Client, bearer: Bearer
) -> None:
    episode = _episode(cast)
    (north,) = json.loads(client.get("/api/v1/care/team-leader", **bearer(cast.team_leader)).content)
    (row,) = north["reviews_due"]
    assert (row["episode"], row["state"]) == (str(episode.public_id), "overdue")
    assert row["url"] == f"/case-reviews/episodes/{episode.public_id}/schedule/"
