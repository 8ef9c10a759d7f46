"""The tasks API: your open tasks, and completing one."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from coexist.accounts.models import User
from coexist.tasks.models import Task, TaskStatus
from coexist.testing.cast import Cast
from coexist.testing.factories import TaskFactory

Bearer = Callable[[User], dict[str, str]]


@pytest.fixture
def bearer(db: None) -> Bearer:
    from coexist.accounts.services import api_token_issue

    def headers(user: User) -> dict[str, str]:
        _, raw = api_token_issue(user=user, name="tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return headers


def test_my_tasks(cast: Cast, client: Client, bearer: Bearer) -> None:
    task = TaskFactory(person=cast.ann, assigned_to=cast.coordinator)
    data = json.loads(client.get("/api/v1/tasks", **bearer(cast.coordinator)).content)
    assert [t["id"] for t in data] == [str(task.public_id)]
    assert data[0]["person"]["id"] == str(cast.ann.public_id) and data[0]["overdue"] is False


def test_completing_a_task(cast: Cast, client: Client, bearer: Bearer) -> None:
    task = TaskFactory(person=cast.ann, assigned_to=cast.coordinator)
    response = client.post(
        f"/api/v1/tasks/{task.public_id}/complete",
        data=json.dumps({"outcome": "Called"}),
        content_type="application/json",
        **bearer(cast.coordinator),
    )
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["status"] == "done"
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_an_empty_outcome_is_422(cast: Cast, client: Client, bearer: Bearer) -> None:
    task = TaskFactory(person=cast.ann, assigned_to=cast.coordinator)
    response = client.post(
        f"/api/v1/tasks/{task.public_id}/complete",
        data=json.dumps({"outcome": "  "}),
        content_type="application/json",
        **bearer(cast.coordinator),
    )
    assert response.status_code == 422
    assert json.loads(response.content)["errors"][0]["field"] == "outcome"


def test_completing_someone_elses_task_you_cannot_see_is_403(cast: Cast, client: Client, bearer: Bearer) -> None:
    task = TaskFactory(person=cast.ann, assigned_to=cast.coordinator)
    response = client.post(
        f"/api/v1/tasks/{task.public_id}/complete",
        data=json.dumps({"outcome": "Done"}),
        content_type="application/json",
        **bearer(cast.da_worker),
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")


def test_unknown_task_is_404(cast: Cast, client: Client, bearer: Bearer) -> None:
    response = client.post(
        "/api/v1/tasks/00000000-0000-4000-8000-000000000000/complete",
        data=json.dumps({"outcome": "Done"}),
        content_type="application/json",
        **bearer(cast.coordinator),
    )
    assert response.status_code == 404
