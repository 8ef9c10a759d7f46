"""Scheduling, enrolment, the register and anonymous counts (seed 002, R6, R12)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.audit.models import AccessLogEntry, Channel, Outcome
from coexist.care.models import EpisodeStatus
from coexist.engagement.groups import services
from coexist.engagement.models import FollowUp, GroupAttendance, GroupEnrolment, GroupSession, LossOfContact
from coexist.people.permissions import AccessRefused
from coexist.tasks.models import Task
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory

from .groups_world import make_world

PAGE = Channel.PAGE


def test_schedule_a_weekly_set_each_its_own_session(cast: Cast) -> None:
    world = make_world(cast)
    first = timezone.localtime(timezone.now() + timedelta(days=3)).replace(hour=14, minute=0, second=0, microsecond=0)
    sessions = services.group_sessions_schedule(
        group=world.recovery, first=first, duration_minutes=90, place="Room 2", facilitators=[cast.da_worker],
        every_days=7, occurrences=4, by=cast.da_worker_in_team, channel=PAGE,
    )  # fmt: skip
    assert [s.starts_at - first for s in sessions] == [timedelta(days=7 * n) for n in range(4)]
    assert all(list(s.facilitators.all()) == [cast.da_worker] for s in sessions)


def test_schedule_needs_a_facilitator_and_sensible_ranges(cast: Cast) -> None:
    world = make_world(cast)
    with pytest.raises(ValidationError) as caught:
        services.group_sessions_schedule(
            group=world.recovery, first=timezone.now() + timedelta(days=1), duration_minutes=5, place=" ",
            facilitators=[], every_days=0, occurrences=53, by=cast.da_worker, channel=PAGE,
        )  # fmt: skip
    assert set(caught.value.message_dict) >= {"facilitators", "place", "duration_minutes", "occurrences"}
    assert GroupSession.objects.filter(group=world.recovery).count() == 2


def test_only_staff_of_the_service_schedule(cast: Cast) -> None:
    world = make_world(cast)
    with pytest.raises(AccessRefused):
        services.group_sessions_schedule(
            group=world.recovery, first=timezone.now() + timedelta(days=1), duration_minutes=60, place="Room",
            facilitators=[cast.coordinator], by=cast.coordinator, channel=PAGE,
        )  # fmt: skip


def test_changing_one_session_leaves_the_others(cast: Cast) -> None:
    world = make_world(cast)
    before = world.last_week.starts_at
    services.group_session_update(
        session=world.soon, starts_at=world.soon.starts_at + timedelta(hours=1), duration_minutes=60,
        place="Garden room", facilitators=[cast.da_worker, cast.da_worker_in_team], by=cast.da_worker, channel=PAGE,
    )  # fmt: skip
    world.last_week.refresh_from_db()
    assert world.last_week.starts_at == before
    assert world.last_week.place == "Day room"
    assert list(world.last_week.facilitators.all()) == [cast.da_worker]


def test_cancelling_keeps_the_record_and_needs_a_reason(cast: Cast) -> None:
    world = make_world(cast)
    with pytest.raises(ValidationError):
        services.group_session_cancel(session=world.soon, reason="  ", by=cast.da_worker, channel=PAGE)
    services.group_session_cancel(session=world.soon, reason="Facilitator ill", by=cast.da_worker, channel=PAGE)
    session = GroupSession.objects.get(pk=world.soon.pk)
    assert session.is_cancelled and session.cancel_reason == "Facilitator ill"
    assert not GroupSession.objects.get(pk=world.last_week.pk).is_cancelled


def test_enrol_needs_permission_to_change_the_record_and_refusal_is_logged(cast: Cast) -> None:
    world = make_world(cast)
    with pytest.raises(AccessRefused):
        services.group_enrol(group=world.recovery, person=cast.eve, by=cast.da_worker, channel=PAGE)
    assert AccessLogEntry.objects.filter(
        actor_public_id=cast.da_worker.public_id, person_public_id=cast.eve.public_id, outcome=Outcome.REFUSED
    ).exists()
    assert not GroupEnrolment.objects.filter(person=cast.eve).exists()


def test_enrol_twice_is_refused_with_a_message(cast: Cast) -> None:
    world = make_world(cast)
    with pytest.raises(ValidationError) as caught:
        services.group_enrol(group=world.recovery, person=cast.ann, by=cast.coordinator, channel=PAGE)
    assert "already enrolled" in caught.value.message_dict["person"][0]


def test_seed002_finishing_an_episode_does_not_end_the_enrolment(cast: Cast) -> None:
    world = make_world(cast)
    episode = EpisodeFactory(person=cast.ann, team=cast.north, opened_by=cast.coordinator)
    episode.status = EpisodeStatus.FINISHED
    episode.save()
    assert GroupEnrolment.objects.get(pk=world.ann_in_recovery.pk).is_current


def test_leaving_needs_a_reason(cast: Cast) -> None:
    world = make_world(cast)
    with pytest.raises(ValidationError):
        services.group_enrolment_end(enrolment=world.ann_in_recovery, reason="", by=cast.coordinator, channel=PAGE)
    ended = services.group_enrolment_end(
        enrolment=world.ann_in_recovery, reason="Moved away", by=cast.coordinator, channel=PAGE
    )
    assert not ended.is_current and ended.ended_by == cast.coordinator


def test_r6_did_not_attend_a_group_creates_no_follow_up_or_task(cast: Cast) -> None:
    world = make_world(cast)
    tasks = Task.objects.count()
    services.group_register_record(
        session=world.last_week, marks={cast.ann: "did_not_attend"}, by=cast.da_worker, channel=PAGE
    )
    assert GroupAttendance.objects.get(session=world.last_week, person=cast.ann).status == "did_not_attend"
    assert Task.objects.count() == tasks
    assert not FollowUp.objects.filter(person=cast.ann).exists()
    assert not LossOfContact.objects.filter(person=cast.ann).exists()


def test_register_is_recorded_by_a_facilitator_only(cast: Cast) -> None:
    world = make_world(cast)
    with pytest.raises(AccessRefused):
        services.group_register_record(
            session=world.last_week, marks={cast.ann: "attended"}, by=cast.coordinator, channel=PAGE
        )


def test_register_refuses_people_not_enrolled_and_saves_nothing(cast: Cast) -> None:
    world = make_world(cast)
    with pytest.raises(ValidationError):
        services.group_register_record(
            session=world.last_week, marks={cast.ann: "attended", cast.cat: "attended"}, by=cast.da_worker, channel=PAGE
        )
    assert not GroupAttendance.objects.exists()


def test_attendance_cannot_be_recorded_before_the_session_but_apologies_can(cast: Cast) -> None:
    world = make_world(cast)
    with pytest.raises(ValidationError):
        services.group_register_record(
            session=world.soon, marks={cast.ann: "attended"}, by=cast.da_worker, channel=PAGE
        )
    services.group_register_record(session=world.soon, marks={cast.ann: "apologies"}, by=cast.da_worker, channel=PAGE)


def test_r12_anonymous_count_is_kept_beside_the_register(cast: Cast) -> None:
    world = make_world(cast)
    session = services.group_register_record(
        session=world.last_week, marks={cast.ann: "attended"}, anonymous_count=5, by=cast.da_worker, channel=PAGE
    )
    assert session.anonymous_count == 5
    with pytest.raises(ValidationError):
        services.group_register_record(
            session=world.last_week, marks={}, anonymous_count=-1, by=cast.da_worker, channel=PAGE
        )
    assert GroupSession.objects.get(pk=world.last_week.pk).anonymous_count == 5


def test_adding_someone_not_enrolled_enrols_them_if_allowed(cast: Cast) -> None:
    world = make_world(cast)
    world.last_week.facilitators.add(cast.coordinator)
    services.group_register_add(session=world.last_week, person=cast.ben, by=cast.coordinator, channel=PAGE)
    assert GroupEnrolment.objects.current().filter(group=world.recovery, person=cast.ben).exists()
    with pytest.raises(AccessRefused):
        services.group_register_add(session=world.last_week, person=cast.eve, by=cast.da_worker, channel=PAGE)
    assert not GroupEnrolment.objects.filter(person=cast.eve).exists()
