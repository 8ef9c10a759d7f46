"""R8 transfers: the receiving team must accept before the sender lets go, so there is never a moment with
nobody responsible; the same episode moves with its history, plan, open tasks and care team."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.audit.models import Channel
from coexist.care.models import CarePlanVersion, CareTeamMember, EpisodeOfCare, EpisodeStatus
from coexist.care.services import episode_assign_coordinator
from coexist.people.permissions import may
from coexist.people.rules import Action
from coexist.referrals.models import Status
from coexist.tasks.models import Task
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, MembershipFactory, TaskFactory
from coexist.testing.factories_transitions import ready_discharge
from coexist.transitions.models import Transition, TransitionStatus
from coexist.transitions.selectors import incoming_for
from coexist.transitions.services import transition_answer, transition_invite, transition_send, transition_start


@pytest.fixture
def episode(cast: Cast) -> EpisodeOfCare:
    """Ann's episode with North (moving to South), coordinated by Alex Morgan."""
    held = EpisodeFactory(person=cast.ann, team=cast.north, opened_by=cast.coordinator)
    episode_assign_coordinator(episode=held, coordinator=cast.coordinator, by=cast.coordinator, channel=Channel.PAGE)
    return EpisodeOfCare.objects.get(pk=held.pk)


def _sent(cast: Cast, episode: EpisodeOfCare) -> Transition:
    transition = transition_start(episode=episode, kind="transfer", to_team=cast.south, by=cast.coordinator,
                                  channel=Channel.PAGE)  # fmt: skip
    ready = ready_discharge_like(transition, cast)
    return transition_send(transition=ready, by=cast.coordinator, channel=Channel.PAGE)


def ready_discharge_like(transition: Transition, cast: Cast) -> Transition:
    """Meet the R8 items for a transfer: invite the care team and someone from South, housing, a full plan."""
    from coexist.care.reviews.selectors import care_team_practitioners
    from coexist.testing.factories import CarePlanVersionFactory

    users = [p.user for p in care_team_practitioners(transition.person)] + [cast.coordinator_south]
    transition_invite(transition=transition, users=users, meeting_at=timezone.now() + timedelta(days=1),
                      by=cast.coordinator, channel=Channel.PAGE)  # fmt: skip
    Transition.objects.filter(pk=transition.pk).update(housing_support="in_place")
    CarePlanVersionFactory(plan__person=transition.person, created_by=cast.coordinator)
    return Transition.objects.get(pk=transition.pk)


def test_r8_transfer_sender_responsible_until_receiver_accepts(cast: Cast, episode: EpisodeOfCare) -> None:
    assert not may(cast.coordinator_south, cast.ann, Action.READ, "episodes").allowed
    transition = _sent(cast, episode)
    episode.refresh_from_db()
    # Waiting: the sending team still holds the episode and the coordinator is unchanged.
    assert (episode.status, episode.team, episode.coordinator) == (
        EpisodeStatus.TRANSFERRING, cast.north, cast.coordinator,
    )  # fmt: skip
    assert transition.status == TransitionStatus.AWAITING_ACCEPTANCE
    assert may(cast.coordinator, cast.ann, Action.READ, "episodes").allowed
    # The receiving team can read the record to decide, through the open referral to its service.
    assert transition.request_referral is not None and transition.request_referral.is_open
    assert may(cast.coordinator_south, cast.ann, Action.READ, "episodes").allowed
    assert [t.pk for t in incoming_for(viewer=cast.coordinator_south, channel=Channel.PAGE)] == [transition.pk]
    assert incoming_for(viewer=cast.da_worker, channel=Channel.PAGE) == []
    # Someone outside the receiving team cannot answer it, even with access.
    with pytest.raises(ValidationError, match="South community team"):
        transition_answer(transition=transition, by=cast.coordinator, channel=Channel.PAGE, accept=True,
                          new_coordinator=cast.coordinator_south)  # fmt: skip
    # At every step somebody is responsible: before, during and after acceptance.
    transition_answer(transition=transition, by=cast.coordinator_south, channel=Channel.PAGE, accept=True,
                      new_coordinator=cast.coordinator_south)  # fmt: skip
    episode.refresh_from_db()
    assert (episode.status, episode.team, episode.coordinator) == (
        EpisodeStatus.ACTIVE, cast.south, cast.coordinator_south,
    )  # fmt: skip
    # On handover day both see the record; the old coordinator's place ends today, not before.
    assert may(cast.coordinator, cast.ann, Action.READ, "episodes").allowed
    old = CareTeamMember.objects.get(person=cast.ann, user=cast.coordinator, episode=episode)
    assert old.ended_on == timezone.localdate()
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert not CareTeamMember.objects.current(tomorrow).filter(person=cast.ann, user=cast.coordinator).exists()
    assert CareTeamMember.objects.current(tomorrow).filter(person=cast.ann, user=cast.coordinator_south).exists()
    referral = transition.request_referral
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


def test_r8_transfer_keeps_history_plan_tasks_and_care_team(cast: Cast, episode: EpisodeOfCare) -> None:
    team_task = TaskFactory(person=cast.ann, episode=episode, assigned_to=None, assigned_team=cast.north)
    mine = TaskFactory(person=cast.ann, episode=episode, assigned_to=cast.coordinator)
    psychiatrist_task = TaskFactory(person=cast.ann, episode=episode, assigned_to=cast.psychiatrist)
    CareTeamMember.objects.create(person=cast.ann, episode=episode, user=cast.da_worker, role="substance_misuse_worker")
    transition = _sent(cast, episode)
    plan_versions = CarePlanVersion.objects.filter(plan__person=cast.ann).count()
    transition_answer(transition=transition, by=cast.coordinator_south, channel=Channel.PAGE, accept=True,
                      new_coordinator=cast.coordinator_south)  # fmt: skip
    moved = EpisodeOfCare.objects.get(pk=episode.pk)  # the same episode, not a new one
    assert moved.service == cast.south.service and moved.team == cast.south
    teams = [h.team_id for h in moved.history.order_by("history_date")]  # type: ignore[attr-defined]
    assert teams[0] == cast.north.pk and teams[-1] == cast.south.pk
    assert Task.objects.get(pk=team_task.pk).assigned_team == cast.south
    assert Task.objects.get(pk=mine.pk).assigned_to == cast.coordinator_south
    assert Task.objects.get(pk=psychiatrist_task.pk).assigned_to == cast.psychiatrist
    assert CarePlanVersion.objects.filter(plan__person=cast.ann).count() == plan_versions
    assert CareTeamMember.objects.current().filter(person=cast.ann, user=cast.da_worker).exists()
    assert Transition.objects.get(pk=transition.pk).status == TransitionStatus.COMPLETED


def test_r8_declined_transfer_returns_episode_to_active(cast: Cast, episode: EpisodeOfCare) -> None:
    transition = _sent(cast, episode)
    # R1: a mental health team may not decline because of substance use.
    with pytest.raises(ValidationError) as refused:
        transition_answer(transition=transition, by=cast.coordinator_south, channel=Channel.PAGE, accept=False,
                          decline_code="substance_use", decline_reason="They drink.")  # fmt: skip
    assert "R1" in refused.value.message_dict["decline_code"][0]
    with pytest.raises(ValidationError) as refused:
        transition_answer(transition=transition, by=cast.coordinator_south, channel=Channel.PAGE, accept=False,
                          decline_code="outside_area", decline_reason="")  # fmt: skip
    assert "decline_reason" in refused.value.message_dict
    transition_answer(transition=transition, by=cast.coordinator_south, channel=Channel.PAGE, accept=False,
                      decline_code="outside_area", decline_reason="Ann lives in North's patch after all.")  # fmt: skip
    episode.refresh_from_db()
    assert (episode.status, episode.team, episode.coordinator) == (EpisodeStatus.ACTIVE, cast.north, cast.coordinator)
    declined = Transition.objects.get(pk=transition.pk)
    assert declined.status == TransitionStatus.DECLINED and "North's patch" in declined.decline_reason
    assert declined.request_referral is not None and declined.request_referral.status == Status.DECLINED
    # The referral is closed: South no longer sees Eve.
    assert not may(cast.coordinator_south, cast.ann, Action.READ, "episodes").allowed


def test_r8_transfer_not_sent_while_items_are_open_and_new_coordinator_must_be_from_receiving_team(
    cast: Cast, episode: EpisodeOfCare
) -> None:
    transition = transition_start(episode=episode, kind="transfer", to_team=cast.south, by=cast.coordinator,
                                  channel=Channel.PAGE)  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        transition_send(transition=transition, by=cast.coordinator, channel=Channel.PAGE)
    assert any("receiving team" in line for line in refused.value.message_dict["checklist"])
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE
    sent = transition_send(transition=ready_discharge_like(transition, cast), by=cast.coordinator,
                           channel=Channel.PAGE)  # fmt: skip
    MembershipFactory(user=cast.psychiatrist, team=cast.south, role="psychiatrist")
    for who in (cast.psychiatrist, cast.coordinator, None):
        with pytest.raises(ValidationError) as refused:
            transition_answer(transition=sent, by=cast.coordinator_south, channel=Channel.PAGE, accept=True,
                              new_coordinator=who)  # fmt: skip
        assert "new_coordinator" in refused.value.message_dict
    assert EpisodeOfCare.objects.get(pk=episode.pk).status == EpisodeStatus.TRANSFERRING


def test_r8_transfer_cannot_be_completed_as_a_discharge(cast: Cast, episode: EpisodeOfCare) -> None:
    from coexist.transitions.services import transition_complete

    transition = transition_start(episode=episode, kind="transfer", to_team=cast.south, by=cast.coordinator,
                                  channel=Channel.PAGE)  # fmt: skip
    with pytest.raises(ValidationError):
        transition_complete(transition=transition, by=cast.coordinator, channel=Channel.PAGE)
    assert ready_discharge  # the discharge factory is for discharges only


def test_r8_a_transfer_referral_cannot_be_accepted_from_the_referral_queue(cast: Cast, episode: EpisodeOfCare) -> None:
    """Accepting it there would open a second episode beside the one being transferred: it is answered on the
    transfer, which moves the one episode."""
    from coexist.referrals.services import referral_accept

    transition = _sent(cast, episode)
    assert transition.request_referral is not None
    with pytest.raises(ValidationError, match="transfer of care"):
        referral_accept(referral=transition.request_referral, by=cast.coordinator_south, team=cast.south,
                        channel=Channel.PAGE)  # fmt: skip
    assert EpisodeOfCare.objects.filter(person=cast.ann).count() == 1
    transition.request_referral.refresh_from_db()
    assert transition.request_referral.status == Status.RECEIVED
