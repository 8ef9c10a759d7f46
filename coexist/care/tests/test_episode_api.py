"""The care API: episodes, naming the coordinator (R3), the care team across organisations, and the
team leader's list, with problem+json errors and the access log."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.organisations.models import Role
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, MembershipFactory, PersonFactory

Bearer = Callable[[User], dict[str, str]]
PROBLEM = "application/problem+json"


@pytest.fixture
def bearer(db: None) -> Bearer:
    from coexist.accounts.services import api_token_issue

    def headers(user: User) -> dict[str, str]:
        _, raw = api_token_issue(user=user, name="tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return headers


@pytest.fixture
def episode(cast: Cast) -> EpisodeOfCare:
    return EpisodeFactory(person=cast.ann, team=cast.north, service=cast.cmht, opened_by=cast.coordinator)


def post(client: Client, url: str, payload: Any, headers: dict[str, str]) -> Any:
    return client.post(url, data=json.dumps(payload), content_type="application/json", **headers)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    return json.loads(response.content)


def test_a_persons_episodes(cast: Cast, client: Client, bearer: Bearer, episode: EpisodeOfCare) -> None:
    response = client.get(f"/api/v1/care/people/{cast.ann.public_id}/episodes", **bearer(cast.coordinator))
    assert response.status_code == 200
    (item,) = json.loads(response.content)
    assert item["id"] == str(episode.public_id)
    assert (item["team"]["name"], item["status"], item["coordinator"]) == ("North community team", "active", None)


def test_one_episode_with_its_care_team(cast: Cast, client: Client, bearer: Bearer, episode: EpisodeOfCare) -> None:
    data = json.loads(client.get(f"/api/v1/care/episodes/{episode.public_id}", **bearer(cast.coordinator)).content)
    names = {m["user"]["name"]: m["organisations"] for m in data["care_team"]}
    assert names["Chidi Okafor"] == ["Pathways Drug and Alcohol Service"]


def test_episodes_are_refused_to_someone_outside_with_a_reason(
    cast: Cast, client: Client, bearer: Bearer, episode: EpisodeOfCare
) -> None:
    data = problem(client.get(f"/api/v1/care/episodes/{episode.public_id}", **bearer(cast.da_worker)), 403)
    assert "care team" in data["detail"]


def test_unknown_episode_is_404(cast: Cast, client: Client, bearer: Bearer) -> None:
    problem(client.get("/api/v1/care/episodes/00000000-0000-4000-8000-000000000000", **bearer(cast.coordinator)), 404)


def test_r3_naming_the_coordinator(cast: Cast, client: Client, bearer: Bearer, episode: EpisodeOfCare) -> None:
    url = f"/api/v1/care/episodes/{episode.public_id}/coordinator"
    response = post(client, url, {"coordinator": str(cast.coordinator.public_id)}, bearer(cast.team_leader))
    assert response.status_code == 200, response.content
    data = json.loads(response.content)
    assert data["coordinator"]["id"] == str(cast.coordinator.public_id)
    assert any(m["role"] == "care_coordinator" and m["episode"] == str(episode.public_id) for m in data["care_team"])
    assert AccessLogEntry.objects.filter(channel="api", action="write", person_public_id=cast.ann.public_id).exists()


def test_r3_a_peer_support_worker_as_coordinator_is_422_naming_the_field(
    cast: Cast, client: Client, bearer: Bearer, episode: EpisodeOfCare
) -> None:
    MembershipFactory(user=cast.peer_worker, team=cast.north, role=Role.PEER_SUPPORT_WORKER)
    url = f"/api/v1/care/episodes/{episode.public_id}/coordinator"
    data = problem(post(client, url, {"coordinator": str(cast.peer_worker.public_id)}, bearer(cast.team_leader)), 422)
    assert {e["field"] for e in data["errors"]} == {"coordinator"}


def test_unknown_coordinator_is_422(cast: Cast, client: Client, bearer: Bearer, episode: EpisodeOfCare) -> None:
    url = f"/api/v1/care/episodes/{episode.public_id}/coordinator"
    payload = {"coordinator": "00000000-0000-4000-8000-000000000000"}
    data = problem(post(client, url, payload, bearer(cast.team_leader)), 422)
    assert data["errors"][0]["field"] == "coordinator"


def test_adding_and_ending_a_care_team_place(
    cast: Cast, client: Client, bearer: Bearer, episode: EpisodeOfCare
) -> None:
    headers = bearer(cast.coordinator)
    payload = {
        "user": str(cast.peer_worker.public_id),
        "role": "peer_support_worker",
        "episode": str(episode.public_id),
    }
    response = post(client, f"/api/v1/care/people/{cast.ann.public_id}/care-team", payload, headers)
    assert response.status_code == 201, response.content
    created = json.loads(response.content)
    assert created["organisations"] == ["Hope Peer Support"]
    ended = post(client, f"/api/v1/care/care-team/{created['id']}/end", {}, headers)
    assert ended.status_code == 200, ended.content
    assert json.loads(ended.content)["ended_on"] is not None


def test_the_coordinator_role_is_not_accepted_for_a_plain_care_team_place(
    cast: Cast, client: Client, bearer: Bearer
) -> None:
    payload = {"user": str(cast.psychiatrist.public_id), "role": "care_coordinator"}
    url = f"/api/v1/care/people/{cast.ann.public_id}/care-team"
    data = problem(post(client, url, payload, bearer(cast.coordinator)), 422)
    assert data["errors"][0]["field"] == "role"


def test_a_consent_reader_cannot_add_to_the_care_team(cast: Cast, client: Client, bearer: Bearer) -> None:
    payload = {"user": str(cast.da_worker.public_id), "role": "substance_misuse_worker"}
    problem(post(client, f"/api/v1/care/people/{cast.ben.public_id}/care-team", payload, bearer(cast.da_worker)), 403)
    assert not CareTeamMember.objects.filter(person=cast.ben, user=cast.da_worker).exists()


def test_the_team_leader_list(cast: Cast, client: Client, bearer: Bearer) -> None:
    episode = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    data = json.loads(client.get("/api/v1/care/team-leader", **bearer(cast.team_leader)).content)
    (north,) = data
    assert [e["id"] for e in north["without_coordinator"]] == [str(episode.public_id)]
    assert (north["secondary_open"], north["coordinator_share"], north["screen_share"]) == (1, 0, 0)


def test_the_team_leader_list_is_empty_for_someone_who_leads_no_team(
    cast: Cast, client: Client, bearer: Bearer
) -> None:
    assert json.loads(client.get("/api/v1/care/team-leader", **bearer(cast.coordinator)).content) == []
