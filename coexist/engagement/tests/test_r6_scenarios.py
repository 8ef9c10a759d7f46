"""R6 walked through with a controllable clock: a missed appointment, the task on the coordinator's
worklist, the deadline passing, the safety-net sweep escalating it to the team leader, the follow-up
done, and a discharge refused while a follow-up is open. Runs on SQLite and PostgreSQL.

The sweep is the one the background worker runs (`coexist.background.jobs.run_safety_net`), called
directly at chosen moments, so each scenario says exactly when the clock stands where."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from coexist.assessments.models import RiskKind
from coexist.audit.models import AccessLogEntry, Channel
from coexist.background.jobs import run_safety_net
from coexist.care.models import EpisodeOfCare, EpisodeStatus
from coexist.care.selectors import team_leader_list
from coexist.care.services import episode_discharge
from coexist.engagement.models import ActionKind, ActionResult, FollowUp
from coexist.engagement.rules import Attendance, DischargeReason
from coexist.engagement.services import appointment_book, appointment_record_outcome, follow_up_record_action
from coexist.tasks.models import Priority, Task
from coexist.tasks.selectors import tasks_mine
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, RiskFlagFactory
from coexist.testing.factories_transitions import ready_discharge

LONDON = ZoneInfo("Europe/London")
MISSED_AT = datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)  # a Friday


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MISSED_AT - timedelta(days=7), tick=False) as traveller:
        yield traveller


@pytest.fixture
def episode(cast: Cast, clock: time_machine.Traveller) -> EpisodeOfCare:
    return EpisodeFactory(person=cast.ann, team=cast.north, coordinator=cast.coordinator)  # type: ignore[no-any-return]


def _miss(cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller) -> FollowUp:
    """Book the appointment a week ahead, then at 10:20 on the day record that Ann did not come."""
    appointment = appointment_book(
        person=cast.ann, service=cast.cmht, staff=cast.coordinator, starts_at=MISSED_AT, episode=episode,
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    clock.move_to(MISSED_AT + timedelta(minutes=20))
    appointment_record_outcome(
        appointment=appointment, outcome=Attendance.DID_NOT_ATTEND, by=cast.coordinator, channel=Channel.PAGE,
        plan_reviewed="",
    )  # fmt: skip
    return FollowUp.objects.select_related("task").get(appointment=appointment)


def _escalations() -> list[Task]:
    return list(Task.objects.filter(escalates__isnull=False).select_related("assigned_to", "escalates"))


def _reach(cast: Cast, follow_up: FollowUp, kind: str = ActionKind.HOME_VISIT) -> None:
    follow_up_record_action(
        follow_up=follow_up, kind=kind, result=ActionResult.REACHED, by=cast.coordinator, channel=Channel.PAGE,
        note="Ann was at home and well; rebooked for Tuesday.",
    )  # fmt: skip


def test_r6_suicide_risk_miss_is_urgent_now_then_escalated_to_the_team_leader_within_the_hour(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    RiskFlagFactory(person=cast.ann, kind=RiskKind.SELF_HARM_SUICIDE, raised_by=cast.coordinator)
    follow_up = _miss(cast, episode, clock)

    # Urgent, due at the appointment time, first on the coordinator's worklist (overdue first).
    assert (follow_up.task.priority, follow_up.task.due_at) == (Priority.URGENT, MISSED_AT)
    assert tasks_mine(viewer=cast.coordinator, channel=Channel.PAGE)[0] == follow_up.task

    # Within the hour's grace the coordinator still holds it alone.
    clock.move_to(MISSED_AT + timedelta(minutes=59))
    run_safety_net()
    assert _escalations() == []

    # Not done in time: the sweep raises it with the team leader, once.
    clock.move_to(MISSED_AT + timedelta(hours=1, minutes=1))
    assert run_safety_net()["R6 follow-ups escalated"] == 1
    assert run_safety_net()["R6 follow-ups escalated"] == 0
    (escalation,) = _escalations()
    assert (escalation.assigned_to, escalation.priority, escalation.rule) == (cast.team_leader, Priority.URGENT, "R6")
    assert escalation.escalates == follow_up.task
    follow_up.task.refresh_from_db()
    assert follow_up.task.escalated_at is not None and follow_up.task.is_open  # the coordinator keeps the duty
    assert escalation in tasks_mine(viewer=cast.team_leader, channel=Channel.PAGE)
    assert AccessLogEntry.objects.filter(
        actor_username="coexist-system", channel=Channel.TASK, detail__contains="escalated overdue R6 follow-up"
    ).exists()

    # The coordinator's home visit reaches Ann: both the duty and its escalation clear.
    _reach(cast, follow_up)
    assert not Task.objects.open().filter(pk__in=[follow_up.task_id, escalation.pk]).exists()


def test_r6_existing_concern_miss_is_due_in_24_hours_and_escalated_when_that_passes(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    RiskFlagFactory(person=cast.ann, kind=RiskKind.OVERDOSE, raised_by=cast.coordinator)
    follow_up = _miss(cast, episode, clock)
    assert (follow_up.task.priority, follow_up.due_at) == (Priority.SOON, MISSED_AT + timedelta(hours=24))

    clock.move_to(MISSED_AT + timedelta(hours=23, minutes=59))
    run_safety_net()
    assert _escalations() == []

    clock.move_to(MISSED_AT + timedelta(hours=24, minutes=1))
    run_safety_net()
    assert [task.assigned_to for task in _escalations()] == [cast.team_leader]


def test_r6_routine_miss_is_due_in_three_working_days_skipping_the_weekend_then_escalated(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    follow_up = _miss(cast, episode, clock)
    wednesday = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
    assert (follow_up.task.priority, follow_up.due_at) == (Priority.ROUTINE, wednesday)

    clock.move_to(wednesday - timedelta(minutes=1))
    run_safety_net()
    assert _escalations() == []
    clock.move_to(wednesday + timedelta(minutes=1))
    run_safety_net()
    assert len(_escalations()) == 1


def test_r6_routine_miss_uses_the_services_own_working_days(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    cast.cmht.follow_up_working_days = 5
    cast.cmht.save(update_fields=["follow_up_working_days"])
    follow_up = _miss(cast, episode, clock)
    assert follow_up.due_at == datetime(2026, 11, 27, 10, 0, tzinfo=LONDON)  # the next Friday
    assert "within 5 working days" in follow_up.task.detail


def test_r6_follow_up_done_in_time_is_never_escalated_and_counts_as_on_time(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    follow_up = _miss(cast, episode, clock)
    clock.move_to(MISSED_AT + timedelta(days=1))
    _reach(cast, follow_up, kind=ActionKind.CALL)
    clock.move_to(MISSED_AT + timedelta(days=30))
    run_safety_net()
    assert _escalations() == []
    (worklist,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    figure = worklist.follow_up_figure
    assert figure is not None
    assert (figure.missed, figure.on_time, figure.discharged_with_open_follow_up) == (1, 1, 0)


def test_r6_a_worker_that_was_down_catches_up_in_one_run(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    """Deadlines live in the data: three days without a sweep lose nothing."""
    follow_up = _miss(cast, episode, clock)
    clock.move_to(MISSED_AT + timedelta(days=8))
    result = run_safety_net()
    assert result["R6 follow-ups escalated"] == 1
    assert _escalations()[0].escalates == follow_up.task


def test_r6_discharge_with_an_open_follow_up_is_refused_and_allowed_once_it_is_done(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    follow_up = _miss(cast, episode, clock)
    transition = ready_discharge(episode, by=cast.coordinator)  # R8 checklist met: only R6 stands in the way
    with pytest.raises(ValidationError) as refused:
        episode_discharge(transition=transition, by=cast.coordinator, channel=Channel.PAGE)
    assert "cannot finish while a missed appointment is still being followed up" in str(refused.value)
    episode.refresh_from_db()
    assert episode.status != EpisodeStatus.FINISHED
    assert "did_not_attend" not in DischargeReason.values  # no code for discharging someone who did not come

    _reach(cast, follow_up)
    finished = episode_discharge(transition=transition, by=cast.coordinator, channel=Channel.PAGE)
    assert finished.status == EpisodeStatus.FINISHED


def test_r6_failed_follow_up_past_its_deadline_is_marked_loss_of_contact_by_the_sweep(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    follow_up = _miss(cast, episode, clock)
    clock.move_to(MISSED_AT + timedelta(days=1))
    follow_up_record_action(
        follow_up=follow_up, kind=ActionKind.CALL, result=ActionResult.NOT_REACHED, by=cast.coordinator,
        channel=Channel.PAGE,
    )  # fmt: skip
    assert not cast.ann.losses_of_contact.exists()  # not yet past the deadline
    clock.move_to(MISSED_AT + timedelta(days=6))
    assert run_safety_net()["R6 losses of contact marked"] == 1
    assert run_safety_net()["R6 losses of contact marked"] == 0
    assert cast.ann.losses_of_contact.current().count() == 1
    episode.refresh_from_db()
    assert episode.status != EpisodeStatus.FINISHED  # loss of contact is never a discharge


def test_r6_escalation_with_no_team_leader_goes_to_the_team(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    cast.team_leader.memberships.update(ended_on=MISSED_AT.date() - timedelta(days=30))
    _miss(cast, episode, clock)
    clock.move_to(MISSED_AT + timedelta(days=6))  # past Wednesday's deadline
    run_safety_net()
    (escalation,) = _escalations()
    assert (escalation.assigned_to, escalation.assigned_team) == (None, cast.north)


def test_r6_suicide_risk_follow_up_done_within_the_hour_counts_as_on_time_for_qs188(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    """Due "now" cannot mean before the miss is even recorded: on time is before it would be escalated."""
    RiskFlagFactory(person=cast.ann, kind=RiskKind.SELF_HARM_SUICIDE, raised_by=cast.coordinator)
    follow_up = _miss(cast, episode, clock)
    clock.move_to(MISSED_AT + timedelta(minutes=45))
    _reach(cast, follow_up, kind=ActionKind.CALL)
    (worklist,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    figure = worklist.follow_up_figure
    assert figure is not None and (figure.on_time, figure.late) == (1, 0)


def test_r6_escalation_goes_to_the_team_leader_not_every_manager(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    from coexist.organisations.models import Role
    from coexist.testing.factories import MembershipFactory

    manager = MembershipFactory(team=cast.north, role=Role.SERVICE_MANAGER, started_on=MISSED_AT.date()).user
    _miss(cast, episode, clock)
    clock.move_to(MISSED_AT + timedelta(days=6))
    run_safety_net()
    assert [task.assigned_to for task in _escalations()] == [cast.team_leader]
    # With no team leader today, the team's other leaders are told instead.
    Task.objects.filter(escalates__isnull=False).delete()
    Task.objects.update(escalated_at=None)
    cast.team_leader.memberships.update(ended_on=MISSED_AT.date())
    run_safety_net()
    assert [task.assigned_to for task in _escalations()] == [manager]
