"""The team leader's list (R3, R6, R13, R15; QS188 statements 1, 3 and 4): what it shows, what it
logs, whom it never shows, and a query count that does not grow with the rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coexist.assessments.models import JointAssessment, RiskFlag, RiskKind
from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.rules import FinishFacts, MissFacts, qs188_statement_4
from coexist.care.selectors import team_leader_list
from coexist.instruments.models import InstrumentResponse
from coexist.organisations.models import Role, ServiceKind
from coexist.testing.cast import Cast
from coexist.testing.factories import (
    EpisodeFactory,
    FollowUpFactory,
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
    now = timezone.now()
    for _ in range(rows):
        # Opened over a year ago: its multi-agency case review is overdue too (R7).
        episode = EpisodeFactory(
            person=PersonFactory(), team=cast.north, opened_by=cast.coordinator, opened_at=now - timedelta(days=400)
        )
        _overdue_flag(episode.person, cast.coordinator)
        _follow_up(episode, due=now - timedelta(hours=2))
        finished = EpisodeFactory(
            person=PersonFactory(), team=cast.north, opened_by=cast.coordinator, status="finished", finished_at=now
        )
        _follow_up(finished, created=now - timedelta(days=3), due=now - timedelta(days=2), done=now - timedelta(days=2))
    with CaptureQueriesContext(connection) as queries:
        (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert len(north.without_coordinator) == rows and len(north.overdue_flags) == rows
    assert len(north.overdue_follow_ups) == rows and len(north.reviews_due) == rows
    assert north.follow_up_figure is not None and north.follow_up_figure.missed == 2 * rows
    # Measured 9 at 1 and at 8 rows: one for overdue follow-ups, one for R7 case reviews, three for the
    # QS188 statement 4 figure.
    assert len(queries) <= 10, [q["sql"] for q in queries]


# --- R6 and QS188 statement 4 ---------------------------------------------------------------------


def _follow_up(  # type: ignore[no-untyped-def]
    episode,
    *,
    due: datetime,
    created: datetime | None = None,
    done: datetime | None = None,
    owner=None,
    on_task_only: bool = False,
):
    """A follow-up of a missed appointment on this episode (or, `on_task_only`, on its task alone)."""
    created = created or due - timedelta(days=1)
    extra = {"task__assigned_to": owner} if owner is not None else {}
    return FollowUpFactory(
        appointment__person=episode.person,
        appointment__service=episode.service,
        appointment__episode=None if on_task_only else episode,
        appointment__starts_at=created - timedelta(hours=1),
        task__episode=episode if on_task_only else None,
        created_at=created,
        due_at=due,
        completed_at=done,
        **extra,
    )


def test_r6_overdue_follow_up_is_on_the_team_leader_list(cast: Cast) -> None:
    now = timezone.now()
    episode = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    oldest = _follow_up(episode, due=now - timedelta(days=2), owner=cast.coordinator)
    newer = _follow_up(episode, due=now - timedelta(hours=1))
    _follow_up(episode, due=now + timedelta(hours=3))  # not yet due
    _follow_up(episode, due=now - timedelta(days=3), done=now - timedelta(days=1))  # done, if late
    elsewhere = EpisodeFactory(person=PersonFactory(), team=cast.south, opened_by=cast.coordinator_south)
    _follow_up(elsewhere, due=now - timedelta(days=5))  # South's, not North's
    (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert north.overdue_follow_ups == [oldest, newer]  # oldest due first
    assert north.overdue_follow_ups[0].task.assigned_to == cast.coordinator
    assert not north.is_clear
    entry = AccessLogEntry.objects.get(
        detail="team leader's list", actor_username="team_leader", person_public_id=episode.person.public_id
    )
    assert set(entry.parts) == {"identity", "episodes"}


def test_r6_a_follow_up_of_someone_without_an_open_episode_in_the_team_is_not_listed(cast: Cast) -> None:
    now = timezone.now()
    finished = EpisodeFactory(
        person=PersonFactory(), team=cast.north, opened_by=cast.coordinator, status="finished", finished_at=now
    )
    _follow_up(finished, due=now - timedelta(days=1))
    (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert north.overdue_follow_ups == []


def test_qs188_statement_4_share_followed_up_on_time(cast: Cast) -> None:
    """Worked by hand: four misses in the last year whose deadline has passed or which were done;
    three followed up (two on time, one late), one still open past its due time: 2 of 4 = 50%.
    A fifth, not yet due, is counted apart; older, other teams' and no episode's are not counted."""
    now = timezone.now()
    one = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    two = EpisodeFactory(person=PersonFactory(), team=cast.north, opened_by=cast.coordinator)
    due = now - timedelta(days=10)
    _follow_up(one, due=due, done=due)  # on time: done exactly at the due time
    _follow_up(two, due=due, done=due - timedelta(hours=5), on_task_only=True)  # on time, via its task
    _follow_up(one, due=due, done=due + timedelta(minutes=1))  # late
    _follow_up(two, due=now - timedelta(hours=1))  # open, overdue: a failure
    _follow_up(one, created=now - timedelta(hours=1), due=now + timedelta(days=2))  # open, not yet due
    _follow_up(one, created=now - timedelta(days=400), due=now - timedelta(days=399))  # before the period
    south = EpisodeFactory(person=PersonFactory(), team=cast.south, opened_by=cast.coordinator_south)
    _follow_up(south, due=due)  # South's
    FollowUpFactory(created_at=now - timedelta(days=2), due_at=due)  # no episode at all
    (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    figure = north.follow_up_figure
    assert figure is not None
    assert (figure.missed, figure.decided, figure.followed_up, figure.on_time) == (5, 4, 3, 2)
    assert (figure.late, figure.overdue, figure.not_yet_due) == (1, 1, 1)
    assert figure.on_time_share == 50
    assert figure.discharged_with_open_follow_up == 0
    assert timedelta(0) <= figure.period_end - now < timedelta(seconds=30)
    assert figure.period_start.year == figure.period_end.year - 1


def test_qs188_statement_4_counts_an_episode_finished_with_a_follow_up_open(cast: Cast) -> None:
    """No finish reason means "did not attend"; finishing while a miss is unresolved is what counts."""
    now = timezone.now()

    def finished(days_ago: int):  # type: ignore[no-untyped-def]
        return EpisodeFactory(
            person=PersonFactory(),
            team=cast.north,
            opened_by=cast.coordinator,
            status="finished",
            finished_at=now - timedelta(days=days_ago),
        )

    with_open = finished(1)
    _follow_up(with_open, created=now - timedelta(days=3), due=now - timedelta(days=2))  # still open: counts
    closed_later = finished(1)
    _follow_up(closed_later, created=now - timedelta(days=3), due=now, done=now)  # open when it finished: counts
    done_first = finished(1)
    _follow_up(done_first, created=now - timedelta(days=3), due=now, done=now - timedelta(days=2))  # done first
    missed_after = finished(5)
    _follow_up(missed_after, created=now - timedelta(days=2), due=now - timedelta(days=1))  # missed after finishing
    long_ago = finished(500)
    _follow_up(long_ago, created=now - timedelta(days=502), due=now - timedelta(days=501))  # before the period
    (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert north.follow_up_figure is not None
    assert north.follow_up_figure.discharged_with_open_follow_up == 2


def test_qs188_statement_4_with_nothing_to_count() -> None:
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    figure = qs188_statement_4(misses=[], finishes=[], period_start=start, period_end=end, now=end)
    assert figure.on_time_share is None and figure.discharged_with_open_follow_up == 0


def test_qs188_statement_4_rule_by_hand() -> None:
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    day = timedelta(days=1)
    misses = [
        MissFacts(created_at=start, due_at=start + day, completed_at=start + day),  # on time, at the boundary
        MissFacts(created_at=end, due_at=end + day, completed_at=None),  # not yet due
        MissFacts(created_at=end - 3 * day, due_at=end - 2 * day, completed_at=None),  # overdue
        MissFacts(created_at=start - day, due_at=start, completed_at=start),  # before the period
    ]
    finishes = [
        FinishFacts(finished_at=end - day, follow_ups=((end - 3 * day, None),)),
        FinishFacts(finished_at=end - day, follow_ups=((end - 3 * day, end - 2 * day),)),
        FinishFacts(finished_at=end + day, follow_ups=((end - 3 * day, None),)),  # after the period
    ]
    figure = qs188_statement_4(misses=misses, finishes=finishes, period_start=start, period_end=end, now=end)
    assert (figure.missed, figure.decided, figure.on_time, figure.not_yet_due, figure.overdue) == (3, 2, 1, 1, 1)
    assert figure.on_time_share == 50
    assert figure.discharged_with_open_follow_up == 1
