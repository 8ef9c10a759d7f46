"""The team leader's list as a page and through the API: rows link to the action that clears them,
and the QS188 statement 4 figures show the numbers behind them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.models import RiskFlag, RiskKind
from coexist.care.models import EpisodeOfCare
from coexist.engagement.models import FollowUp
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, FollowUpFactory, PersonFactory

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


def _follow_up_page(episode: EpisodeOfCare) -> str:
    """The open follow-up's own page, else the person's appointments (another app's pages)."""
    follow_up = FollowUp.objects.get(person=episode.person, completed_at__isnull=True)
    for name, args in (
        ("engagement:follow-up", [follow_up.public_id]),
        ("engagement:person", [episode.person.public_id]),
    ):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return f"/appointments/people/{episode.person.public_id}/"


def _misses(cast: Cast) -> EpisodeOfCare:
    """Two misses on North's episode: one done on time, one open and two days overdue (1 of 2 = 50%)."""
    now = timezone.now()
    episode = EpisodeFactory(person=PersonFactory(family_name="Hughes"), team=cast.north, opened_by=cast.coordinator)
    due = now - timedelta(days=2)
    FollowUpFactory(
        appointment__person=episode.person,
        appointment__episode=episode,
        created_at=due - timedelta(days=1),
        due_at=due,
        completed_at=due,
    )
    FollowUpFactory(
        appointment__person=episode.person,
        appointment__episode=episode,
        appointment__starts_at=due - timedelta(days=1, hours=2),
        task__assigned_to=cast.coordinator,
        created_at=due - timedelta(days=1),
        due_at=due,
    )
    return episode


def test_an_overdue_follow_up_row_links_to_the_follow_up(cast: Cast, client_for: SignIn) -> None:
    episode = _misses(cast)
    page = client_for(cast.team_leader).get(reverse("care:team-leader")).content.decode()
    assert "Missed appointments not followed up in time (1)" in page
    assert "HUGHES" in page and cast.coordinator.display_name in page
    assert f'href="{_follow_up_page(episode)}"' in page
    assert "2\xa0days" in page or "2 days" in page  # how overdue


def test_qs188_statement_4_rows_sit_beside_statements_1_and_3(cast: Cast, client_for: SignIn) -> None:
    _misses(cast)
    page = client_for(cast.team_leader).get(reverse("care:team-leader")).content.decode()
    assert "QS188 statement 1" in page and "QS188 statement 3" in page
    assert "Missed appointments followed up on time (QS188 statement 4)" in page
    assert "50% (1 of 2)" in page
    assert "2 missed, 1 followed up (1 on time, 0 late), 1 still open past the due time, 0 not yet due" in page
    assert "Discharged for not attending (QS188 statement 4, must be 0)" in page


def test_the_api_gives_overdue_follow_ups_and_the_statement_4_figure(cast: Cast, client: Client) -> None:
    from coexist.accounts.services import api_token_issue

    episode = _misses(cast)
    _, raw = api_token_issue(user=cast.team_leader, name="tests")
    (north,) = json.loads(client.get("/api/v1/care/team-leader", HTTP_AUTHORIZATION=f"Bearer {raw}").content)
    (row,) = north["overdue_follow_ups"]
    assert row["person"]["id"] == str(episode.person.public_id)
    assert row["owner"]["id"] == str(cast.coordinator.public_id)
    assert row["url"] == _follow_up_page(episode)
    assert 2 * 24 * 60 <= row["overdue_minutes"] < 2 * 24 * 60 + 5
    figure = north["follow_up_figure"]
    assert (figure["missed"], figure["decided"], figure["on_time"], figure["on_time_share"]) == (2, 2, 1, 50)
    assert figure["discharged_for_non_attendance"] == 0


@pytest.mark.parametrize("rows", [1, 6])
def test_the_page_takes_the_same_number_of_queries_however_long_it_is(
    cast: Cast, client_for: SignIn, rows: int
) -> None:
    for _ in range(rows):
        EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
        _misses(cast)
    client = client_for(cast.team_leader)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("care:team-leader"))
    assert response.status_code == 200
    assert f"Missed appointments not followed up in time ({rows})" in response.content.decode()
    # Measured 17 at 1 and at 6 rows (overdue follow-ups, R7 case reviews and the statement 4 figure included).
    assert len(queries) <= 18, [q["sql"] for q in queries]
