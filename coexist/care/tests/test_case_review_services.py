"""R7 through the services: booking a multi-agency review (every agency in the care team invited),
recording what it decided (next review within 12 months), cancelling (the duty stays), permission,
and the background sweep that turns an overdue review into one task (time-machine clock).

Ann's care team (cast): the coordinator (the Trust) and da_worker_in_team (Pathways); the admin and
researcher in it speak for no agency. da_worker has no relationship with Ann."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.accounts.services import SYSTEM_USERNAME
from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import CaseReview, CaseReviewStatus, EpisodeOfCare, EpisodeStatus
from coexist.care.reviews.selectors import due_for_episodes
from coexist.care.reviews.services import (
    case_review_cancel,
    case_review_overdue_tasks,
    case_review_record_outcome,
    case_review_schedule,
)
from coexist.people.permissions import AccessRefused
from coexist.tasks.models import Task, TaskStatus
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, PersonFactory, ServiceFactory, TeamFactory

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _episode(cast: Cast, *, days_ago: int = 400, person=None, coordinator=True) -> EpisodeOfCare:  # type: ignore[no-untyped-def]
    return EpisodeFactory(  # type: ignore[no-any-return]
        person=person or cast.ann,
        team=cast.north,
        opened_by=cast.coordinator,
        coordinator=cast.coordinator if coordinator else None,
        opened_at=timezone.now() - timedelta(days=days_ago),
    )


def _book(cast: Cast, episode: EpisodeOfCare, **kwargs) -> CaseReview:  # type: ignore[no-untyped-def]
    args = {"scheduled_for": timezone.now() + timedelta(days=7), "reason": "annual"} | kwargs
    return case_review_schedule(episode=episode, by=cast.coordinator, channel=Channel.PAGE, **args)


def test_r7_default_invitation_list_is_the_current_care_team(cast: Cast) -> None:
    review = _book(cast, _episode(cast))
    invited = {(i.user.username, i.organisation.name if i.organisation else None) for i in review.invitees.all()}
    assert invited == {
        ("coordinator", "Northfield Partnership NHS Foundation Trust"),
        ("da_worker_in_team", "Pathways Drug and Alcohol Service"),
    }
    assert review.status == CaseReviewStatus.SCHEDULED and review.person_invited


def test_r7_booking_without_an_agency_in_the_care_team_is_refused_naming_it(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        _book(cast, _episode(cast), invitees=[cast.coordinator])
    assert "Nobody is invited from: Pathways Drug and Alcohol Service." in refused.value.message_dict["invitees"][0]
    assert not CaseReview.objects.exists()


def test_r7_someone_outside_the_care_team_may_be_invited_as_well(cast: Cast) -> None:
    review = _book(cast, _episode(cast), invitees=[cast.coordinator, cast.da_worker_in_team, cast.housing_officer])
    assert review.invitees.count() == 3


def test_r7_other_reason_needs_to_say_what_changed_and_dates_must_be_sensible(cast: Cast) -> None:
    episode = _episode(cast)
    with pytest.raises(ValidationError) as refused:
        _book(cast, episode, reason="other", scheduled_for=timezone.now() - timedelta(days=2))
    assert set(refused.value.message_dict) == {"reason_detail", "scheduled_for"}


def test_r7_only_one_review_booked_at_a_time(cast: Cast) -> None:
    episode = _episode(cast)
    _book(cast, episode)
    with pytest.raises(ValidationError) as refused:
        _book(cast, episode, reason="new_risk")
    assert "already booked" in refused.value.message_dict["scheduled_for"][0]


def test_r7_drop_in_episodes_do_not_take_reviews(cast: Cast) -> None:
    team = TeamFactory(service=ServiceFactory(organisation=cast.trust, kind="drop_in", name="Drop-in"))
    episode = EpisodeFactory(person=cast.ann, team=team, opened_by=cast.coordinator)
    with pytest.raises(ValidationError) as refused:
        _book(cast, episode)
    assert "episode" in refused.value.message_dict


def test_r7_someone_without_a_relationship_is_refused_and_it_is_logged(cast: Cast) -> None:
    episode = _episode(cast)
    with pytest.raises(AccessRefused):
        case_review_schedule(
            episode=episode, scheduled_for=timezone.now() + timedelta(days=1), reason="annual",
            by=cast.da_worker, channel=Channel.PAGE,
        )  # fmt: skip
    assert AccessLogEntry.objects.filter(actor_username="da_worker", outcome="refused").exists()
    assert not CaseReview.objects.exists()


def test_r7_recording_the_outcome_moves_the_due_date_and_books_the_next(cast: Cast) -> None:
    episode = _episode(cast)
    review = _book(cast, episode)
    today = timezone.localdate()
    held = case_review_record_outcome(
        review=review, held_on=today, outcome="Agreed joint plan for alcohol and mood.",
        next_review_on=today + timedelta(days=180), attended=[cast.da_worker_in_team], person_attended=True,
        schedule_next=True, by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    assert held.status == CaseReviewStatus.HELD and held.person_attended
    assert [i.user.username for i in held.invitees.filter(attended=True)] == ["da_worker_in_team"]
    booked = CaseReview.objects.get(status=CaseReviewStatus.SCHEDULED)
    assert booked.scheduled_from == held
    assert timezone.localdate(booked.scheduled_for) == today + timedelta(days=180)
    due = due_for_episodes([episode], today=today)[episode.pk]
    assert due.due_on == today + timedelta(days=180) and due.scheduled == booked
    assert AccessLogEntry.objects.filter(actor_username="coordinator", detail__contains="next review booked").exists()


def test_r7_next_review_more_than_12_months_away_is_refused_and_nothing_saved(cast: Cast) -> None:
    review = _book(cast, _episode(cast))
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        case_review_record_outcome(
            review=review, held_on=today, outcome="Decided things.", next_review_on=today + timedelta(days=400),
            by=cast.coordinator, channel=Channel.PAGE,
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"next_review_on"}
    review.refresh_from_db()
    assert review.status == CaseReviewStatus.SCHEDULED


def test_r7_outcome_needs_decisions_and_attendees_must_be_invited(cast: Cast) -> None:
    review = _book(cast, _episode(cast))
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        case_review_record_outcome(
            review=review, held_on=today, outcome="  ", next_review_on=None, attended=[cast.psychiatrist],
            by=cast.coordinator, channel=Channel.PAGE,
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"outcome", "next_review_on", "attended"}


def test_r7_cancelled_review_leaves_the_duty_overdue(cast: Cast) -> None:
    episode = _episode(cast, days_ago=400)
    review = _book(cast, episode)
    with pytest.raises(ValidationError):
        case_review_cancel(review=review, reason=" ", by=cast.coordinator, channel=Channel.PAGE)
    case_review_cancel(review=review, reason="Person in hospital; rebook.", by=cast.coordinator, channel=Channel.PAGE)
    due = due_for_episodes([episode], today=timezone.localdate())[episode.pk]
    assert due.is_overdue and due.scheduled is None


def test_r7_a_review_booked_after_the_due_date_does_not_make_it_on_time(cast: Cast) -> None:
    episode = _episode(cast, days_ago=370)
    _book(cast, episode, scheduled_for=timezone.now() + timedelta(days=20))
    due = due_for_episodes([episode], today=timezone.localdate())[episode.pk]
    assert due.is_overdue and due.scheduled is not None


# --- The background sweep --------------------------------------------------------------------------


def test_r7_overdue_review_creates_one_task_for_the_coordinator_and_is_idempotent(
    cast: Cast, clock: time_machine.Traveller
) -> None:
    overdue = _episode(cast, days_ago=366)
    _episode(cast, days_ago=300, person=cast.ben)  # not yet due
    assert case_review_overdue_tasks(now=timezone.now()) == 1
    task = Task.objects.get(rule="R7")
    assert (task.episode, task.assigned_to, task.status) == (overdue, cast.coordinator, TaskStatus.OPEN)
    assert task.created_by is not None and task.created_by.username == SYSTEM_USERNAME
    entry = AccessLogEntry.objects.get(actor_username=SYSTEM_USERNAME, person_public_id=cast.ann.public_id)
    assert entry.channel == Channel.TASK and entry.action == "write"
    clock.shift(timedelta(hours=1))
    assert case_review_overdue_tasks(now=timezone.now()) == 0
    assert Task.objects.filter(rule="R7").count() == 1


def test_r7_sweep_falls_back_to_the_team_when_nobody_coordinates(cast: Cast, clock: time_machine.Traveller) -> None:
    person = PersonFactory()
    episode = _episode(cast, days_ago=400, person=person, coordinator=False)
    assert case_review_overdue_tasks(now=timezone.now()) == 1
    task = Task.objects.get(rule="R7")
    assert (task.assigned_to, task.assigned_team, task.episode) == (None, cast.north, episode)


def test_r7_sweep_ignores_held_reviews_and_finished_episodes(cast: Cast, clock: time_machine.Traveller) -> None:
    episode = _episode(cast, days_ago=400)
    review = _book(cast, episode)
    case_review_record_outcome(
        review=review, held_on=date(2026, 11, 19), outcome="Reviewed.", next_review_on=date(2027, 5, 1),
        by=cast.coordinator, channel=Channel.PAGE,
    )  # fmt: skip
    _episode(cast, days_ago=500, person=cast.ben).__class__.objects.filter(person=cast.ben).update(
        status=EpisodeStatus.FINISHED, finished_at=timezone.now()
    )
    assert case_review_overdue_tasks(now=timezone.now()) == 0
    # Six months on, the held review's next date has passed: a task again.
    clock.move_to(datetime(2027, 5, 3, 9, 0, tzinfo=LONDON))
    assert case_review_overdue_tasks(now=timezone.now()) == 1
