"""R6 loss of contact through the services: marked, shown to and notified to the whole care team,
resolved only by reaching the person, and never a discharge.

The clock is fixed with time-machine: appointments from Friday 20 November 2026, 10:00 in London."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from coexist.assessments.models import RiskKind
from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import EpisodeOfCare, EpisodeStatus
from coexist.engagement.models import ActionKind, ActionResult, Appointment, FollowUp, LossOfContact
from coexist.engagement.rules import Attendance, PlanReview
from coexist.engagement.selectors import loss_of_contact_current
from coexist.engagement.services import appointment_book, appointment_record_outcome, follow_up_record_action
from coexist.tasks.models import Priority, Task, TaskStatus
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, RiskFlagFactory

LONDON = ZoneInfo("Europe/London")
FIRST_AT = datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)  # a Friday


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(FIRST_AT - timedelta(days=7), tick=False) as traveller:
        yield traveller


@pytest.fixture
def episode(cast: Cast, clock: time_machine.Traveller) -> EpisodeOfCare:
    return EpisodeFactory(person=cast.ann, team=cast.north, coordinator=cast.coordinator)  # type: ignore[no-any-return]


def _book(cast: Cast, episode: EpisodeOfCare, starts_at: datetime) -> Appointment:
    return appointment_book(
        person=cast.ann, service=cast.cmht, staff=cast.coordinator, starts_at=starts_at, episode=episode,
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip


def _record(cast: Cast, appointment: Appointment, outcome: str, clock: time_machine.Traveller) -> Appointment:
    clock.move_to(appointment.starts_at + timedelta(minutes=30))
    seen = outcome in (Attendance.ATTENDED_ON_TIME, Attendance.ARRIVED_LATE_SEEN)
    return appointment_record_outcome(
        appointment=appointment, outcome=outcome, by=cast.da_worker_in_team, channel=Channel.PAGE,
        plan_reviewed=PlanReview.UNCHANGED if seen else "",
    )  # fmt: skip


def _two_misses(cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller) -> None:
    first = _book(cast, episode, FIRST_AT)
    second = _book(cast, episode, FIRST_AT + timedelta(days=7))
    _record(cast, first, Attendance.DID_NOT_ATTEND, clock)
    assert loss_of_contact_current(cast.ann) is None  # one miss is a follow-up, not yet loss of contact
    _record(cast, second, Attendance.ARRIVED_LATE_NOT_SEEN, clock)


def _notices() -> list[Task]:
    return list(Task.objects.filter(loss_of_contact__isnull=False).select_related("assigned_to"))


def test_r6_two_consecutive_misses_mark_loss_of_contact_and_notify_the_care_team(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    _two_misses(cast, episode, clock)
    current = loss_of_contact_current(cast.ann)
    assert current is not None and current.episode == episode and current.consecutive_missed == 2
    assert "2 missed appointments in a row" in current.reason
    notices = _notices()
    # Every current clinical member of the care team; the administrator and researcher in Ann's care
    # team see no clinical content, so are not sent it.
    assert {task.assigned_to for task in notices} == {cast.coordinator, cast.da_worker_in_team}
    assert all((t.rule, t.priority, t.status) == ("R6", Priority.URGENT, TaskStatus.OPEN) for t in notices)
    assert AccessLogEntry.objects.filter(detail__contains="loss of contact").exists()

    # A third miss does not mark it again or notify twice.
    _record(cast, _book(cast, episode, FIRST_AT + timedelta(days=14)), Attendance.DID_NOT_ATTEND, clock)
    assert LossOfContact.objects.count() == 1 and len(_notices()) == 2


def test_r6_a_failed_follow_up_with_suicide_risk_is_loss_of_contact(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    RiskFlagFactory(person=cast.ann, kind=RiskKind.SELF_HARM_SUICIDE, raised_by=cast.coordinator)
    _record(cast, _book(cast, episode, FIRST_AT), Attendance.DID_NOT_ATTEND, clock)
    assert loss_of_contact_current(cast.ann) is None
    follow_up_record_action(
        follow_up=FollowUp.objects.get(), kind=ActionKind.CALL, result=ActionResult.NOT_REACHED,
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    current = loss_of_contact_current(cast.ann)
    assert current is not None and current.failed_follow_ups == 1
    assert {task.assigned_to for task in _notices()} == {cast.coordinator, cast.da_worker_in_team}


def test_r6_a_routine_follow_up_not_yet_due_is_not_a_failure(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    _record(cast, _book(cast, episode, FIRST_AT), Attendance.DID_NOT_ATTEND, clock)
    follow_up_record_action(
        follow_up=FollowUp.objects.get(), kind=ActionKind.TEXT, result=ActionResult.MESSAGE_LEFT,
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    assert loss_of_contact_current(cast.ann) is None and not _notices()


def test_r6_reaching_the_person_resolves_loss_of_contact(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    _two_misses(cast, episode, clock)
    clock.move_to(FIRST_AT + timedelta(days=8))
    follow_up_record_action(
        follow_up=FollowUp.objects.order_by("due_at").first(), kind=ActionKind.HOME_VISIT,  # type: ignore[arg-type]
        result=ActionResult.REACHED, note="At home; agreed a new time.", by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    assert loss_of_contact_current(cast.ann) is None
    resolved = LossOfContact.objects.get()
    assert resolved.resolved_by == cast.coordinator and "Home visit" in resolved.resolved_how
    assert all(task.status == TaskStatus.DONE for task in _notices())

    # Contact was lost and regained once; the next miss alone is a follow-up again, not loss of contact.
    _record(cast, _book(cast, episode, FIRST_AT + timedelta(days=14)), Attendance.DID_NOT_ATTEND, clock)
    assert loss_of_contact_current(cast.ann) is None


def test_r6_a_seen_appointment_resolves_loss_of_contact(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    _two_misses(cast, episode, clock)
    _record(cast, _book(cast, episode, FIRST_AT + timedelta(days=14)), Attendance.ARRIVED_LATE_SEEN, clock)
    assert loss_of_contact_current(cast.ann) is None
    resolved = LossOfContact.objects.get()
    assert resolved.resolved_by == cast.da_worker_in_team and "seen" in resolved.resolved_how.lower()
    assert all(task.status == TaskStatus.DONE for task in _notices())
    # The follow-ups of the two misses stay open: each still needs its own record of what was done.
    assert FollowUp.objects.filter(completed_at__isnull=True).count() == 2


def test_r6_loss_of_contact_is_not_a_discharge(
    cast: Cast, episode: EpisodeOfCare, clock: time_machine.Traveller
) -> None:
    _two_misses(cast, episode, clock)
    for follow_up in FollowUp.objects.all():
        follow_up_record_action(
            follow_up=follow_up, kind=ActionKind.LETTER, result=ActionResult.NOT_REACHED, by=cast.coordinator,
            channel=Channel.PAGE,
        )  # fmt: skip
    assert loss_of_contact_current(cast.ann) is not None
    episode.refresh_from_db()
    assert (episode.status, episode.finished_at, episode.finish_reason) == (EpisodeStatus.ACTIVE, None, "")
    assert EpisodeOfCare.objects.open().filter(person=cast.ann).count() == 1
    assert FollowUp.objects.filter(completed_at__isnull=True).count() == 2
