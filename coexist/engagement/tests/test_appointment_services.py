"""R4 and R6 through the services: booking, recording an outcome, and the follow-up it creates.

The clock is fixed with time-machine: Friday 20 November 2026, 10:00 in London."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from coexist.assessments.models import RiskKind
from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import EpisodeOfCare, EpisodeStatus
from coexist.engagement.models import ActionKind, ActionResult, Appointment, FollowUp, Mode
from coexist.engagement.rules import Attendance, PlanReview
from coexist.engagement.services import appointment_book, appointment_record_outcome, follow_up_record_action
from coexist.people.permissions import AccessRefused
from coexist.tasks.models import Priority, Task, TaskStatus
from coexist.testing.cast import Cast
from coexist.testing.factories import AppointmentFactory, EpisodeFactory, RiskFlagFactory

LONDON = ZoneInfo("Europe/London")
APPOINTMENT_AT = datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)  # a Friday


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(APPOINTMENT_AT - timedelta(days=7), tick=False) as traveller:
        yield traveller


@pytest.fixture
def episode(cast: Cast, clock: time_machine.Traveller) -> EpisodeOfCare:
    return EpisodeFactory(person=cast.ann, team=cast.north, coordinator=cast.coordinator)  # type: ignore[no-any-return]


def _book(cast: Cast, episode: EpisodeOfCare) -> Appointment:
    return appointment_book(
        person=cast.ann, service=cast.pathways_service, staff=cast.da_worker_in_team, second_staff=cast.coordinator,
        starts_at=APPOINTMENT_AT, mode=Mode.HOME_VISIT, episode=episode, by=cast.da_worker_in_team,
        channel=Channel.PAGE,
    )  # fmt: skip


def _miss(cast: Cast, appointment: Appointment, outcome: str = Attendance.DID_NOT_ATTEND) -> Appointment:
    return appointment_record_outcome(
        appointment=appointment, outcome=outcome, by=cast.da_worker_in_team, channel=Channel.PAGE, plan_reviewed=""
    )


def test_book_a_joint_home_visit(cast: Cast, episode: EpisodeOfCare) -> None:
    appointment = _book(cast, episode)
    assert (appointment.status, appointment.mode, appointment.second_staff) == (
        Attendance.BOOKED, Mode.HOME_VISIT, cast.coordinator,
    )  # fmt: skip
    assert AccessLogEntry.objects.filter(detail__startswith="booked appointment").exists()
    with pytest.raises(ValidationError) as raised:
        appointment_book(
            person=cast.ann, service=cast.cmht, staff=cast.coordinator, second_staff=cast.coordinator,
            starts_at=APPOINTMENT_AT, by=cast.coordinator, channel=Channel.PAGE,
        )  # fmt: skip
    assert "second_staff" in raised.value.message_dict


def test_r6_did_not_attend_creates_follow_up_task_in_the_same_transaction(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller, monkeypatch: pytest.MonkeyPatch
) -> None:
    appointment = _book(cast, episode)
    clock.move_to(APPOINTMENT_AT + timedelta(minutes=30))

    # If the duty cannot be saved, the outcome is not saved either: no miss without its follow-up.
    def broken(**kwargs: object) -> Task:
        raise RuntimeError("database went away")

    monkeypatch.setattr("coexist.engagement.services.task_create", broken)
    with pytest.raises(RuntimeError):
        _miss(cast, appointment)
    appointment.refresh_from_db()
    assert appointment.status == Attendance.BOOKED
    assert not FollowUp.objects.exists() and not Task.objects.exists()

    monkeypatch.undo()
    _miss(cast, appointment)
    follow_up = FollowUp.objects.select_related("task").get(appointment=appointment)
    task = follow_up.task
    assert (task.rule, task.assigned_to, task.person, task.episode) == ("R6", cast.coordinator, cast.ann, episode)
    assert task.status == TaskStatus.OPEN and task.due_at == follow_up.due_at
    assert AccessLogEntry.objects.filter(detail__contains="R6 follow-up due").exists()


def test_r6_missed_appointment_with_suicide_risk_is_urgent_and_overdue_at_once(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    RiskFlagFactory(person=cast.ann, kind=RiskKind.SELF_HARM_SUICIDE, raised_by=cast.coordinator)
    RiskFlagFactory(person=cast.ann, kind=RiskKind.OVERDOSE, raised_by=cast.coordinator)
    appointment = _book(cast, episode)
    clock.move_to(APPOINTMENT_AT + timedelta(minutes=20))
    _miss(cast, appointment)
    task = Task.objects.get(rule="R6")
    assert (task.priority, task.due_at) == (Priority.URGENT, APPOINTMENT_AT)
    assert list(Task.objects.overdue()) == [task]  # top of the coordinator's list now, not tomorrow


def test_r6_existing_concerns_task_due_within_24_hours(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    RiskFlagFactory(person=cast.ann, kind=RiskKind.SAFEGUARDING, raised_by=cast.coordinator)
    appointment = _book(cast, episode)
    clock.move_to(APPOINTMENT_AT + timedelta(hours=1))
    _miss(cast, appointment)
    task = Task.objects.get(rule="R6")
    assert (task.priority, task.due_at) == (Priority.SOON, APPOINTMENT_AT + timedelta(hours=24))


def test_r6_ended_flag_is_not_a_current_concern(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    RiskFlagFactory(
        person=cast.ann, kind=RiskKind.SELF_HARM_SUICIDE, raised_by=cast.coordinator,
        ended_on=(APPOINTMENT_AT - timedelta(days=3)).date(),
    )  # fmt: skip
    appointment = _book(cast, episode)
    clock.move_to(APPOINTMENT_AT + timedelta(hours=1))
    _miss(cast, appointment)
    assert Task.objects.get(rule="R6").priority == Priority.ROUTINE


def test_r6_routine_miss_due_in_configured_working_days(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller, settings: Any
) -> None:
    settings.COEXIST_FOLLOW_UP_WORKING_DAYS = 5
    appointment = _book(cast, episode)
    clock.move_to(APPOINTMENT_AT + timedelta(hours=2))
    _miss(cast, appointment, Attendance.ARRIVED_LATE_NOT_SEEN)
    task = Task.objects.get(rule="R6")
    assert (task.priority, task.due_at) == (Priority.ROUTINE, datetime(2026, 11, 27, 10, 0, tzinfo=LONDON))


def test_r6_no_coordinator_the_recorder_owns_the_follow_up(cast: Cast, clock: time_machine.Traveller) -> None:
    appointment = AppointmentFactory(
        person=cast.ann, service=cast.cmht, staff=cast.coordinator, starts_at=APPOINTMENT_AT
    )
    clock.move_to(APPOINTMENT_AT + timedelta(hours=1))
    _miss(cast, appointment)
    assert Task.objects.get(rule="R6").assigned_to == cast.da_worker_in_team


@pytest.mark.parametrize("outcome", [Attendance.CANCELLED_BY_PERSON, Attendance.CANCELLED_BY_PROVIDER])
def test_r6_cancellations_create_no_follow_up(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller, outcome: str
) -> None:
    _miss(cast, _book(cast, episode), outcome)  # a cancellation may be recorded before the time
    assert not FollowUp.objects.exists() and not Task.objects.exists()


def test_r6_missed_appointment_never_finishes_the_episode(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    for days in (0, 7, 14):
        appointment = appointment_book(
            person=cast.ann, service=cast.cmht, staff=cast.coordinator, starts_at=APPOINTMENT_AT + timedelta(days=days),
            episode=episode, by=cast.coordinator, channel=Channel.PAGE,
        )  # fmt: skip
        clock.move_to(appointment.starts_at + timedelta(hours=1))
        _miss(cast, appointment)
    for follow_up in FollowUp.objects.all():
        follow_up_record_action(
            follow_up=follow_up, kind=ActionKind.CALL, result=ActionResult.NOT_REACHED, by=cast.coordinator,
            channel=Channel.PAGE,
        )  # fmt: skip
    episode.refresh_from_db()
    assert (episode.status, episode.finished_at, episode.finish_reason) == (EpisodeStatus.ACTIVE, None, "")
    assert EpisodeOfCare.objects.open().filter(person=cast.ann).count() == 1
    # Three follow-up duties stay open; loss of contact added notices to the care team, not a discharge.
    assert Task.objects.open().filter(rule="R6", follow_up__isnull=False).count() == 3


def test_r6_follow_up_stays_open_until_the_person_is_reached(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    appointment = _book(cast, episode)
    clock.move_to(APPOINTMENT_AT + timedelta(hours=1))
    _miss(cast, appointment)
    follow_up = FollowUp.objects.get()
    for kind, result in [
        (ActionKind.CALL, ActionResult.NOT_REACHED),
        (ActionKind.TEXT, ActionResult.MESSAGE_LEFT),
        (ActionKind.CARERS, ActionResult.NOT_REACHED),
    ]:
        follow_up_record_action(
            follow_up=follow_up, kind=kind, result=result, by=cast.coordinator, channel=Channel.PAGE
        )
    follow_up.refresh_from_db()
    assert follow_up.is_open and follow_up.task.is_open and follow_up.actions.count() == 3

    clock.move_to(APPOINTMENT_AT + timedelta(hours=5))
    follow_up_record_action(
        follow_up=follow_up, kind=ActionKind.HOME_VISIT, result=ActionResult.REACHED, note="At home, unwell; seen.",
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    follow_up.refresh_from_db()
    assert not follow_up.is_open and follow_up.completed_by == cast.coordinator
    assert follow_up.task.status == TaskStatus.DONE and "Home visit" in follow_up.task.outcome
    with pytest.raises(ValidationError):
        follow_up_record_action(
            follow_up=follow_up, kind=ActionKind.CALL, result=ActionResult.REACHED, by=cast.coordinator,
            channel=Channel.PAGE,
        )  # fmt: skip
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_outcome_recorded_twice_is_refused(cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller) -> None:
    appointment = _book(cast, episode)
    clock.move_to(APPOINTMENT_AT + timedelta(hours=1))
    _miss(cast, appointment)
    with pytest.raises(ValidationError) as raised:
        appointment_record_outcome(
            appointment=Appointment.objects.get(pk=appointment.pk), outcome=Attendance.ATTENDED_ON_TIME,
            by=cast.coordinator, channel=Channel.PAGE, plan_reviewed=PlanReview.UNCHANGED,
        )  # fmt: skip
    assert "already recorded" in raised.value.message_dict["outcome"][0]
    assert Appointment.objects.get(pk=appointment.pk).status == Attendance.DID_NOT_ATTEND
    assert FollowUp.objects.count() == 1


def test_attendance_cannot_be_recorded_before_the_appointment(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    with pytest.raises(ValidationError) as raised:
        _miss(cast, _book(cast, episode))
    assert "outcome" in raised.value.message_dict
    assert not FollowUp.objects.exists()


def test_r4_a_contact_records_the_plan_review(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    appointment = _book(cast, episode)
    clock.move_to(APPOINTMENT_AT + timedelta(hours=1))

    def record(plan_reviewed: str, plan_change: str = "") -> Appointment:
        return appointment_record_outcome(
            appointment=appointment, outcome=Attendance.ATTENDED_ON_TIME, by=cast.coordinator, channel=Channel.PAGE,
            plan_reviewed=plan_reviewed, plan_change=plan_change,
        )  # fmt: skip

    with pytest.raises(ValidationError) as raised:
        record("")
    assert "plan_reviewed" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        record(PlanReview.CHANGED, " ")
    assert "plan_change" in raised.value.message_dict
    seen = record(PlanReview.CHANGED, "Crisis plan: sister added as contact.")
    assert (seen.status, seen.plan_reviewed, seen.outcome_recorded_by) == (
        Attendance.ATTENDED_ON_TIME, PlanReview.CHANGED, cast.coordinator,
    )  # fmt: skip
    assert not FollowUp.objects.exists()


def test_worker_outside_the_care_team_is_refused(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    appointment = _book(cast, episode)
    clock.move_to(APPOINTMENT_AT + timedelta(hours=1))
    with pytest.raises(AccessRefused):
        appointment_book(
            person=cast.ann, service=cast.pathways_service, staff=cast.da_worker, starts_at=APPOINTMENT_AT,
            by=cast.da_worker, channel=Channel.PAGE,
        )  # fmt: skip
    with pytest.raises(AccessRefused):
        appointment_record_outcome(
            appointment=appointment, outcome=Attendance.DID_NOT_ATTEND, by=cast.da_worker, channel=Channel.PAGE,
            plan_reviewed="",
        )  # fmt: skip
    assert Appointment.objects.get(pk=appointment.pk).status == Attendance.BOOKED
    _miss(cast, appointment)
    with pytest.raises(AccessRefused):
        follow_up_record_action(
            follow_up=FollowUp.objects.get(), kind=ActionKind.CALL, result=ActionResult.REACHED, by=cast.da_worker,
            channel=Channel.PAGE,
        )  # fmt: skip
    assert FollowUp.objects.get().is_open
    assert AccessLogEntry.objects.filter(actor_username="da_worker", outcome="refused").count() == 3
