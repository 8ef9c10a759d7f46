"""Demo appointments and the R6 safety net for every generated person with a coordinator.

Past appointments with NHS attendance outcomes and plan reviews (R4), misses with their follow-up,
its task and what was done (R6) — mostly on time, some late, a few still open so the coordinator's
worklist and the team leader's overdue list have something live — and upcoming appointments,
some of them a weekly or fortnightly series. Like open tasks (decision 0009 addendum), everything
is dated relative to the moment of generation, so the worklists look live whenever `make run` is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.models import RiskFlag
from coexist.engagement import rules
from coexist.engagement.models import (
    ActionKind,
    ActionResult,
    Appointment,
    AppointmentSeries,
    FollowUp,
    FollowUpAction,
    Mode,
)
from coexist.engagement.rules import Attendance, PlanReview, RiskLevel
from coexist.tasks.models import Priority, Task, TaskStatus

if TYPE_CHECKING:
    from coexist.demo.generate import SeededRandom
    from coexist.demo.pathway import Case

PAST_OUTCOMES: dict[str, int] = {
    Attendance.ATTENDED_ON_TIME: 78,
    Attendance.ARRIVED_LATE_SEEN: 5,
    Attendance.DID_NOT_ATTEND: 9,
    Attendance.ARRIVED_LATE_NOT_SEEN: 1,
    Attendance.CANCELLED_BY_PERSON: 5,
    Attendance.CANCELLED_BY_PROVIDER: 2,
}
MODES: dict[str, int] = {Mode.IN_PERSON: 50, Mode.PHONE: 20, Mode.HOME_VISIT: 20, Mode.VIDEO: 10}
PLAN_CHANGES = (
    "Added a weekly check-in with the peer support worker.",
    "Crisis plan updated with the new out-of-hours number.",
    "Agreed to cut down to two drinking days a week; goal reworded in their own words.",
    "Housing goal changed: the tenancy is now secure.",
)


@dataclass
class AppointmentCounts:
    appointments: int = 0
    series: int = 0
    follow_ups: int = 0
    open_follow_ups: int = 0


def _at(day: datetime, hour: int, minute: int) -> datetime:
    local = timezone.localtime(day)
    return datetime.combine(local.date(), time(hour, minute), tzinfo=local.tzinfo)


def add_appointments(
    r: SeededRandom, cases: Sequence[Case], *, now: datetime, flags: Sequence[RiskFlag]
) -> AppointmentCounts:
    """Appointments for each case with a coordinator: 2 to 6 in the last 16 weeks, 1 upcoming or a series."""
    flag_kinds: dict[int, list[str]] = {}
    for flag in flags:
        if flag.ended_on is None:
            flag_kinds.setdefault(flag.person_id, []).append(flag.kind)
    series: list[AppointmentSeries] = []
    booked: list[Appointment] = []
    misses: list[tuple[Appointment, User]] = []
    for case in cases:
        worker = case.coordinator
        if worker is None:
            continue
        service = case.team.service
        opened = timezone.localtime(case.episode.opened_at) if case.episode.opened_at else now - timedelta(days=120)
        start = max(opened + timedelta(days=7), now - timedelta(weeks=16))
        day = start + timedelta(days=r.rng.randrange(0, 10))
        while day < now - timedelta(hours=3):
            when = _at(day, r.rng.randrange(9, 17), r.pick([0, 15, 30, 45]))
            if when >= now - timedelta(hours=2):
                break
            outcome = r.weighted(PAST_OUTCOMES)
            seen = outcome in rules.SEEN_OUTCOMES
            changed = seen and r.chance(0.2)
            appointment = Appointment(
                public_id=r.uuid(), person=case.person, episode=case.episode, service=service, staff=worker,
                second_staff=case.substance_worker if case.substance_worker and r.chance(0.15) else None,
                mode=r.weighted(MODES), starts_at=when, duration_minutes=r.pick([30, 45, 60]), status=outcome,
                outcome_recorded_at=when + timedelta(hours=2), outcome_recorded_by=worker,
                plan_reviewed=(PlanReview.CHANGED if changed else PlanReview.UNCHANGED) if seen else "",
                plan_change=r.pick(PLAN_CHANGES) if changed else "", created_at=when - timedelta(days=14),
                created_by=worker,
            )  # fmt: skip
            booked.append(appointment)
            if rules.is_missed(outcome):
                misses.append((appointment, worker))
            day += timedelta(days=r.pick([14, 21, 28]))
        # What comes next: one appointment, or a weekly or fortnightly series for some.
        first = _at(now + timedelta(days=r.rng.randrange(1, 21)), r.rng.randrange(9, 17), r.pick([0, 30]))
        every = r.pick([7, 14]) if r.chance(0.2) else None
        group = None
        if every:
            group = AppointmentSeries(
                public_id=r.uuid(), person=case.person, every_days=every, occurrences=4, created_by=worker,
                created_at=now - timedelta(days=3),
            )  # fmt: skip
            series.append(group)
        for n in range(4 if every else 1):
            booked.append(
                Appointment(
                    public_id=r.uuid(),
                    person=case.person,
                    episode=case.episode,
                    service=service,
                    staff=worker,
                    mode=r.weighted(MODES),
                    starts_at=first + timedelta(days=(every or 0) * n),
                    duration_minutes=60,
                    created_at=now - timedelta(days=3),
                    created_by=worker,
                    series=group,
                )
            )
    AppointmentSeries.objects.bulk_create(series)
    Appointment.objects.bulk_create(booked)
    open_count = _follow_ups(r, misses, now=now, flag_kinds=flag_kinds)
    return AppointmentCounts(
        appointments=len(booked), series=len(series), follow_ups=len(misses), open_follow_ups=open_count
    )


def _follow_ups(
    r: SeededRandom, misses: Sequence[tuple[Appointment, User]], *, now: datetime, flag_kinds: dict[int, list[str]]
) -> int:
    """R6 for each miss: the follow-up and its task, due by risk; done on time, late, or (if recent) open."""
    tasks: list[Task] = []
    follow_ups: list[FollowUp] = []
    actions: list[FollowUpAction] = []
    open_count = 0
    days = settings.COEXIST_FOLLOW_UP_WORKING_DAYS
    for appointment, worker in misses:
        risk = rules.risk_level(flag_kinds.get(appointment.person_id, []))
        recorded_at = appointment.outcome_recorded_at or appointment.starts_at
        missed_at = timezone.localtime(appointment.starts_at)
        due_at = rules.follow_up_deadline(
            missed_at=missed_at, risk=risk, working_days=days, holidays=rules.ENGLAND_AND_WALES_BANK_HOLIDAYS
        )
        recent = now - missed_at < timedelta(days=6)
        state = (
            r.weighted({"open": 60, "on_time": 35, "late": 5}) if recent else r.weighted({"on_time": 88, "late": 12})
        )
        done_at = None
        if state == "on_time":
            done_at = missed_at + (due_at - missed_at) * r.rng.uniform(0.1, 0.9) + timedelta(minutes=20)
            done_at = (
                min(done_at, due_at)
                if risk is not RiskLevel.SELF_HARM_OR_SUICIDE
                else missed_at + timedelta(minutes=40)
            )
        elif state == "late":
            done_at = due_at + timedelta(hours=r.rng.randrange(2, 60))
        if done_at is not None and done_at > now:
            done_at, state = None, "open"
        why = rules.follow_up_reason(risk, working_days=days)
        task = Task(
            public_id=r.uuid(), person_id=appointment.person_id, episode=appointment.episode, rule="R6",
            title=f"Follow up missed appointment on {missed_at:%d %b %Y %H:%M}",
            detail=f"{appointment.get_status_display()} ({why}). A missed appointment never discharges anyone.",
            priority=Priority(rules.follow_up_priority(risk)), due_at=due_at, assigned_to=worker,
            status=TaskStatus.DONE if done_at else TaskStatus.OPEN, created_at=recorded_at,
            created_by=worker, completed_at=done_at, completed_by=worker if done_at else None,
            outcome="Phone call: reached the person." if done_at else "",
        )  # fmt: skip
        tasks.append(task)
        follow_up = FollowUp(
            public_id=r.uuid(), appointment=appointment, person_id=appointment.person_id, task=task,
            risk_level=risk, missed_at=missed_at, due_at=due_at, created_at=recorded_at,
            completed_at=done_at, completed_by=worker if done_at else None,
        )  # fmt: skip
        follow_ups.append(follow_up)
        if done_at is not None:
            if r.chance(0.3):
                actions.append(
                    FollowUpAction(
                        follow_up=follow_up,
                        kind=ActionKind.TEXT,
                        result=ActionResult.MESSAGE_LEFT,
                        at=done_at - timedelta(hours=1),
                        by=worker,
                    )
                )
            actions.append(
                FollowUpAction(
                    follow_up=follow_up,
                    kind=r.pick([ActionKind.CALL, ActionKind.HOME_VISIT]),
                    result=ActionResult.REACHED,
                    at=done_at,
                    by=worker,
                )
            )
        else:
            open_count += 1
    Task.objects.bulk_create(tasks)
    FollowUp.objects.bulk_create(follow_ups)
    FollowUpAction.objects.bulk_create(actions)
    return open_count
