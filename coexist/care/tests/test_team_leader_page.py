"""The team leader's list as a page: rows link to the action that clears them."""

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
from coexist.assessments.models import RiskFlag, RiskKind
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, PersonFactory

SignIn = Callable[[User], Client]


def test_rows_link_to_assign_a_coordinator_and_to_complete_an_audit(cast: Cast, client_for: SignIn) -> None:
    episode = EpisodeFactory(person=PersonFactory(family_name="Green"), team=cast.north, opened_by=cast.coordinator)
    page = client_for(cast.team_leader).get(reverse("care:team-leader")).content.decode()
    assert "North community team" in page and "GREEN" in page
    assert reverse("care:assign-coordinator", args=[episode.public_id]) in page
    assert "Complete an AUDIT" in page
    assert f"/measures/{episode.person.public_id}/audit/" in page
    assert "No named care coordinator (1)" in page
    assert "0% (0 of 1)" in page


def test_an_overdue_flag_row_links_to_a_review(cast: Cast, client_for: SignIn) -> None:
    episode = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    flag = RiskFlag.objects.create(
        person=episode.person,
        kind=RiskKind.SELF_HARM_SUICIDE,
        source="test",
        raised_by=cast.coordinator,
        review_on=timezone.localdate() - timedelta(days=2),
    )
    page = client_for(cast.team_leader).get(reverse("care:team-leader")).content.decode()
    assert "Risk flags past their review date (1)" in page
    assert "Review the flag" in page
    assert (
        f"/risk-flags/{flag.public_id}/review/" in page
        or reverse("people:detail", args=[episode.person.public_id]) in page
    )


def test_someone_who_leads_no_team_is_told_so(cast: Cast, client_for: SignIn) -> None:
    page = client_for(cast.coordinator).get(reverse("care:team-leader")).content.decode()
    assert "You do not lead a team" in page


@pytest.mark.parametrize("rows", [1, 6])
def test_the_page_takes_the_same_number_of_queries_however_long_it_is(
    cast: Cast, client_for: SignIn, rows: int
) -> None:
    for _ in range(rows):
        EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    client = client_for(cast.team_leader)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("care:team-leader"))
    assert response.status_code == 200
    assert len(queries) <= 16, [q["sql"] for q in queries]
