"""The team leader's list (R3, R13, R15; QS188 statements 1 and 3): what it shows, what it logs,
whom it never shows, and a query count that does not grow with the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coexist.assessments.models import JointAssessment, RiskFlag, RiskKind
from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.selectors import team_leader_list
from coexist.instruments.models import InstrumentResponse
from coexist.organisations.models import Role, ServiceKind
from coexist.testing.cast import Cast
from coexist.testing.factories import (
    EpisodeFactory,
    MembershipFactory,
    PersonFactory,
    ServiceFactory,
    TeamFactory,
)


def _screen(person, by, code: str = "audit") -> None:  # type: ignore[no-untyped-def]
    InstrumentResponse.objects.create(
        person=person, instrument_code=code, instrument_version="1", answers={}, score={"total": 3}, recorded_by=by
    )


def _overdue_flag(person, by) -> RiskFlag:  # type: ignore[no-untyped-def]
    return RiskFlag.objects.create(
        person=person,
        kind=RiskKind.OVERDOSE,
        source="test",
        raised_by=by,
        raised_at=timezone.now() - timedelta(days=60),
        review_on=timezone.localdate() - timedelta(days=1),
    )


def test_someone_who_leads_no_team_has_an_empty_list(cast: Cast) -> None:
    assert team_leader_list(viewer=cast.coordinator, channel=Channel.PAGE) == []


def test_r15_secondary_care_episode_without_a_substance_screen_is_listed(cast: Cast) -> None:
    unscreened = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    screened = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    _screen(screened.person, cast.coordinator, "dudit")
    assessed = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    JointAssessment.objects.create(person=assessed.person, status="completed", started_by=cast.coordinator)
    (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert north.without_screen == [unscreened]
    assert (north.secondary_open, north.with_screen, north.screen_share) == (3, 2, 67)


def test_r15_a_phq9_is_not_a_substance_screen(cast: Cast) -> None:
    episode = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    _screen(episode.person, cast.coordinator, "phq9")
    (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert north.without_screen == [episode]


def test_r15_and_r3_only_secondary_mental_health_care_counts(cast: Cast) -> None:
    da_team = TeamFactory(service=ServiceFactory(kind=ServiceKind.DRUG_ALCOHOL))
    MembershipFactory(user=cast.team_leader, team=da_team, role=Role.TEAM_LEADER)
    EpisodeFactory(person=PersonFactory(), team=da_team, opened_by=cast.team_leader)
    lists = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    da_list = next(w for w in lists if w.team == da_team)
    assert (da_list.without_coordinator, da_list.without_screen, da_list.secondary_open) == ([], [], 0)
    assert da_list.coordinator_share is None


def test_r13_a_risk_flag_past_its_review_date_is_listed(cast: Cast) -> None:
    episode = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    flag = _overdue_flag(episode.person, cast.coordinator)
    RiskFlag.objects.create(
        person=episode.person,
        kind=RiskKind.SAFEGUARDING,
        source="test",
        raised_by=cast.coordinator,
        review_on=timezone.localdate() + timedelta(days=10),
    )
    (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert north.overdue_flags == [flag]


def test_flags_of_people_without_an_open_episode_in_the_team_are_not_listed(cast: Cast) -> None:
    _overdue_flag(cast.ann, cast.coordinator)  # Ann is in the coordinator's care team, not held by North
    (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert north.overdue_flags == []


def test_qs188_statement_3_share_with_a_named_coordinator(cast: Cast) -> None:
    EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator, coordinator=cast.coordinator)
    EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator, status="finished")
    (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert (north.secondary_open, north.with_coordinator, north.coordinator_share) == (2, 1, 50)


def test_episodes_of_other_teams_are_not_listed(cast: Cast) -> None:
    EpisodeFactory(person=PersonFactory(), team=cast.south, opened_by=cast.coordinator_south)
    (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert north.secondary_open == 0 and north.is_clear


def test_each_person_listed_gets_one_access_log_entry(cast: Cast) -> None:
    both = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    _overdue_flag(both.person, cast.coordinator)
    other = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    entries = AccessLogEntry.objects.filter(detail="team leader's list", actor_username="team_leader")
    assert sorted(e.person_public_id for e in entries) == sorted([both.person.public_id, other.person.public_id])
    by_person = {e.person_public_id: set(e.parts) for e in entries}
    assert by_person[both.person.public_id] == {"identity", "episodes", "risk"}
    assert by_person[other.person.public_id] == {"identity", "episodes"}


@pytest.mark.parametrize("rows", [1, 8])
def test_the_list_takes_the_same_number_of_queries_however_long_it_is(cast: Cast, rows: int) -> None:
    for _ in range(rows):
        episode = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
        _overdue_flag(episode.person, cast.coordinator)
    with CaptureQueriesContext(connection) as queries:
        (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert len(north.without_coordinator) == rows and len(north.overdue_flags) == rows
    assert len(queries) <= 7, [q["sql"] for q in queries]
