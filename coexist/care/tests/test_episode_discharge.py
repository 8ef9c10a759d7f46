"""R6 at discharge: an episode finishes only through `episode_discharge`, which refuses while a missed
appointment is still being followed up, and has no "did not attend" reason to give.

The clock is fixed with time-machine: the missed appointment is Friday 20 November 2026, 10:00 in London."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import EpisodeOfCare, EpisodeStatus
from coexist.care.services import episode_discharge
from coexist.engagement.models import ActionKind, ActionResult, FollowUp
from coexist.engagement.rules import Attendance, DischargeReason
from coexist.engagement.services import appointment_book, appointment_record_outcome, follow_up_record_action
from coexist.people.permissions import AccessRefused
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory
from coexist.testing.factories_transitions import ready_discharge

LONDON = ZoneInfo("Europe/London")
MISSED_AT = datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MISSED_AT - timedelta(days=7), tick=False) as traveller:
        yield traveller


@pytest.fixture
def episode(cast: Cast, clock: time_machine.Traveller) -> EpisodeOfCare:
    return EpisodeFactory(person=cast.ann, team=cast.north, coordinator=cast.coordinator)  # type: ignore[no-any-return]


def _miss(cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller) -> FollowUp:
    appointment = appointment_book(
        person=cast.ann, service=cast.cmht, staff=cast.coordinator, starts_at=MISSED_AT, episode=episode,
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    clock.move_to(MISSED_AT + timedelta(hours=1))
    appointment_record_outcome(
        appointment=appointment, outcome=Attendance.DID_NOT_ATTEND, by=cast.coordinator, channel=Channel.PAGE,
        plan_reviewed="",
    )  # fmt: skip
    return FollowUp.objects.get(appointment=appointment)


def _discharge(cast: Cast, episode: EpisodeOfCare, reason: str = DischargeReason.GOALS_MET) -> EpisodeOfCare:
    # R8: an episode finishes only with a discharge checklist that is met (or overridden).
    transition = ready_discharge(episode, by=cast.coordinator, reason=reason)
    return episode_discharge(transition=transition, by=cast.coordinator, channel=Channel.PAGE)


def _still_open(episode: EpisodeOfCare) -> None:
    episode.refresh_from_db()
    assert (episode.status, episode.finished_at, episode.finish_reason) == (EpisodeStatus.ACTIVE, None, "")


def test_r6_discharge_with_an_open_follow_up_is_refused_with_the_follow_ups_shown(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    follow_up = _miss(cast, episode, clock)
    with pytest.raises(ValidationError) as raised:
        _discharge(cast, episode)
    shown = raised.value.message_dict["open_follow_ups"]
    due = f"{timezone_local(follow_up.due_at):%d %b %Y %H:%M}"
    assert any("20 Nov 2026 10:00" in line and due in line for line in shown)
    assert "R6" in shown[0]
    _still_open(episode)

    # Once the person is reached, the follow-up closes and discharge may go ahead.
    follow_up_record_action(
        follow_up=follow_up, kind=ActionKind.CALL, result=ActionResult.REACHED, by=cast.coordinator,
        channel=Channel.PAGE,
    )  # fmt: skip
    assert _discharge(cast, episode).status == EpisodeStatus.FINISHED


def test_r6_non_attendance_is_not_a_discharge_reason(cast: Cast, episode: EpisodeOfCare) -> None:
    assert "did_not_attend" not in DischargeReason.values
    for reason in ("did_not_attend", Attendance.DID_NOT_ATTEND, "disengaged", ""):
        with pytest.raises(ValidationError) as raised:
            _discharge(cast, episode, reason)
        assert "Not attending is never a reason" in raised.value.message_dict["reason"][0]
    _still_open(episode)


def test_discharge_without_open_follow_ups_finishes_the_episode(cast: Cast, episode: EpisodeOfCare) -> None:
    finished = _discharge(cast, episode, DischargeReason.MOVED_AWAY)
    assert (finished.status, finished.finished_by, finished.finish_reason) == (
        EpisodeStatus.FINISHED, cast.coordinator, DischargeReason.MOVED_AWAY,
    )  # fmt: skip
    assert finished.finished_at is not None and not finished.is_open
    assert finished.history.first().history_user == cast.coordinator  # type: ignore[attr-defined]
    assert AccessLogEntry.objects.filter(detail__startswith="discharged", outcome="allowed").exists()
    with pytest.raises(ValidationError, match="already finished"):
        _discharge(cast, EpisodeOfCare.objects.get(pk=episode.pk))


def test_r8_discharge_refused_without_a_met_checklist(cast: Cast, episode: EpisodeOfCare) -> None:
    transition = ready_discharge(episode, by=cast.coordinator, with_plan=False)
    with pytest.raises(ValidationError) as raised:
        episode_discharge(transition=transition, by=cast.coordinator, channel=Channel.PAGE)
    assert "R8" in raised.value.message_dict["checklist"][0]
    assert any("no care plan" in line for line in raised.value.message_dict["checklist"])
    _still_open(episode)


def test_discharge_refused_to_workers_outside_the_care_team_or_the_service(cast: Cast, episode: EpisodeOfCare) -> None:
    transition = ready_discharge(episode, by=cast.coordinator)
    with pytest.raises(AccessRefused):
        episode_discharge(transition=transition, by=cast.da_worker, channel=Channel.PAGE)
    assert AccessLogEntry.objects.filter(actor_username="da_worker", outcome="refused").exists()
    # In the care team, but another organisation's worker: a service discharges only from itself.
    with pytest.raises(ValidationError) as raised:
        episode_discharge(transition=transition, by=cast.da_worker_in_team, channel=Channel.PAGE)
    assert "member of" in raised.value.messages[0]
    _still_open(episode)


def timezone_local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)
