"""My tasks: the selector and the page. Overdue first, then urgency, then due time; only people the
viewer may see; one access log entry per person listed; the header link with the count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry, Channel
from coexist.tasks.models import Priority, Task, TaskStatus
from coexist.tasks.selectors import tasks_mine
from coexist.testing.cast import Cast
from coexist.testing.factories import TaskFactory

SignIn = Callable[[User], Client]


def test_overdue_first_then_by_urgency_then_by_due_time(cast: Cast) -> None:
    now = timezone.now()
    routine_later = TaskFactory(person=cast.ann, assigned_to=cast.coordinator, due_at=now + timedelta(days=3))
    urgent_later = TaskFactory(
        person=cast.ben, assigned_to=cast.coordinator, due_at=now + timedelta(days=5), priority=Priority.URGENT
    )
    soon_sooner = TaskFactory(
        person=cast.cat, assigned_to=cast.coordinator, due_at=now + timedelta(days=1), priority=Priority.SOON
    )
    overdue_routine = TaskFactory(person=cast.dan, assigned_to=cast.coordinator, due_at=now - timedelta(hours=2))
    found = tasks_mine(viewer=cast.coordinator, channel=Channel.PAGE)
    assert found == [overdue_routine, urgent_later, soon_sooner, routine_later]


def test_only_open_tasks_of_the_viewer_or_their_team(cast: Cast) -> None:
    mine = TaskFactory(person=cast.ann, assigned_to=cast.coordinator)
    team_task = TaskFactory(person=cast.ann, assigned_to=None, assigned_team=cast.north)
    TaskFactory(person=cast.ann, assigned_to=cast.psychiatrist)
    TaskFactory(person=cast.ann, assigned_to=cast.coordinator, status=TaskStatus.DONE)
    TaskFactory(person=cast.ann, assigned_to=None, assigned_team=cast.south)
    assert set(tasks_mine(viewer=cast.coordinator, channel=Channel.PAGE)) == {mine, team_task}


def test_a_task_about_someone_the_viewer_cannot_see_is_not_shown(cast: Cast) -> None:
    TaskFactory(person=cast.eve, assigned_to=cast.coordinator)  # Eve is in the South team's care
    assert tasks_mine(viewer=cast.coordinator, channel=Channel.PAGE) == []


def test_each_person_listed_is_logged_once(cast: Cast) -> None:
    TaskFactory(person=cast.ann, assigned_to=cast.coordinator)
    TaskFactory(person=cast.ann, assigned_to=cast.coordinator)
    TaskFactory(person=cast.ben, assigned_to=cast.coordinator)
    tasks_mine(viewer=cast.coordinator, channel=Channel.PAGE)
    logged = sorted(AccessLogEntry.objects.filter(detail="my tasks").values_list("person_public_id", flat=True))
    assert logged == sorted([cast.ann.public_id, cast.ben.public_id])


def test_the_page_links_to_the_person_and_to_complete(cast: Cast, client_for: SignIn) -> None:
    task = TaskFactory(person=cast.ann, assigned_to=cast.coordinator, title="Phone Ann")
    page = client_for(cast.coordinator).get(reverse("tasks:mine")).content.decode()
    assert "Phone Ann" in page
    assert reverse("people:detail", args=[cast.ann.public_id]) in page
    assert reverse("tasks:complete", args=[task.public_id]) in page
    assert "Tasks (1)" in page


def test_the_header_has_no_tasks_link_for_an_administrator(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.admin).get(reverse("tasks:mine")).content.decode()
    assert "Tasks (" not in page
    assert "You have no open tasks" in page


def test_completing_through_the_page(cast: Cast, client_for: SignIn) -> None:
    task = TaskFactory(person=cast.ann, assigned_to=cast.coordinator)
    client = client_for(cast.coordinator)
    url = reverse("tasks:complete", args=[task.public_id])
    assert client.post(url, {"outcome": ""}).status_code == 400
    response = client.post(url, {"outcome": "Called; all well."})
    assert response.status_code == 302 and response["Location"] == reverse("tasks:mine")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


@pytest.mark.parametrize("rows", [1, 8])
def test_the_page_takes_the_same_number_of_queries_however_long_it_is(
    cast: Cast, client_for: SignIn, rows: int
) -> None:
    for _ in range(rows):
        TaskFactory(person=cast.ann, assigned_to=cast.coordinator)
    client = client_for(cast.coordinator)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("tasks:mine")).status_code == 200
    assert len(queries) <= 14, [q["sql"] for q in queries]
