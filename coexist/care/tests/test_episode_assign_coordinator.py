"""R3: naming the care coordinator of an episode of care."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.care.selectors import team_leader_list
from coexist.care.services import episode_assign_coordinator
from coexist.organisations.models import Role
from coexist.people.permissions import AccessRefused
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, MembershipFactory, PersonFactory


@pytest.fixture
def episode(cast: Cast) -> EpisodeOfCare:
    """Gil, just accepted by the North community team: no coordinator yet."""
    gil = PersonFactory(given_name="Gil", family_name="Green")
    return EpisodeFactory(person=gil, team=cast.north, opened_by=cast.team_leader)


def test_r3_assigning_coordinator_adds_them_to_care_team(cast: Cast, episode: EpisodeOfCare) -> None:
    updated = episode_assign_coordinator(
        episode=episode, coordinator=cast.coordinator, by=cast.team_leader, channel=Channel.PAGE
    )
    assert updated.coordinator == cast.coordinator
    assert updated.coordinator_since == timezone.localdate()
    member = CareTeamMember.objects.current().get(person=episode.person, user=cast.coordinator)
    assert (member.role, member.episode, member.added_by) == (Role.CARE_COORDINATOR, episode, cast.team_leader)
    history = updated.history.first()
    assert history is not None and history.history_user == cast.team_leader
    entry = AccessLogEntry.objects.get(person_public_id=episode.person.public_id, action="write")
    assert "named Alex Morgan care coordinator" in entry.detail


def test_r3_changing_coordinator_ends_the_previous_coordinators_place(cast: Cast, episode: EpisodeOfCare) -> None:
    episode_assign_coordinator(episode=episode, coordinator=cast.coordinator, by=cast.team_leader, channel=Channel.PAGE)
    episode.refresh_from_db()
    episode_assign_coordinator(
        episode=episode, coordinator=cast.coordinator_south, by=cast.team_leader, channel=Channel.PAGE
    )
    previous = CareTeamMember.objects.get(episode=episode, user=cast.coordinator)
    assert previous.ended_on == timezone.localdate()
    assert (
        not CareTeamMember.objects.current(timezone.localdate() + timedelta(days=1))
        .filter(episode=episode, user=cast.coordinator)
        .exists()
    )
    assert CareTeamMember.objects.current().filter(episode=episode, user=cast.coordinator_south).exists()
    assert EpisodeOfCare.objects.get(pk=episode.pk).coordinator == cast.coordinator_south


def test_r3_accepted_episode_without_coordinator_is_on_team_leader_list(cast: Cast, episode: EpisodeOfCare) -> None:
    (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert episode in north.without_coordinator
    episode_assign_coordinator(episode=episode, coordinator=cast.coordinator, by=cast.team_leader, channel=Channel.PAGE)
    (north,) = team_leader_list(viewer=cast.team_leader, channel=Channel.PAGE)
    assert episode not in north.without_coordinator


def test_r3_peer_support_worker_cannot_be_coordinator(cast: Cast, episode: EpisodeOfCare) -> None:
    # Even working in the North team itself, a peer support worker is not a registered professional.
    MembershipFactory(user=cast.peer_worker, team=cast.north, role=Role.PEER_SUPPORT_WORKER)
    with pytest.raises(ValidationError) as refused:
        episode_assign_coordinator(
            episode=episode, coordinator=cast.peer_worker, by=cast.team_leader, channel=Channel.PAGE
        )
    assert "care coordinator, ward nurse or dual diagnosis lead" in str(refused.value)
    assert EpisodeOfCare.objects.get(pk=episode.pk).coordinator is None
    assert not CareTeamMember.objects.filter(user=cast.peer_worker).exists()


def test_r3_coordinator_must_work_in_the_episodes_service(cast: Cast, episode: EpisodeOfCare) -> None:
    with pytest.raises(ValidationError, match="do not work in this service"):
        episode_assign_coordinator(
            episode=episode, coordinator=cast.da_worker, by=cast.team_leader, channel=Channel.PAGE
        )


def test_r3_a_coordinator_in_another_team_of_the_same_service_may_coordinate(
    cast: Cast, episode: EpisodeOfCare
) -> None:
    episode_assign_coordinator(
        episode=episode, coordinator=cast.coordinator_south, by=cast.team_leader, channel=Channel.PAGE
    )
    assert EpisodeOfCare.objects.get(pk=episode.pk).coordinator == cast.coordinator_south


def test_r3_someone_who_cannot_see_the_person_cannot_assign_and_is_logged(cast: Cast, episode: EpisodeOfCare) -> None:
    with pytest.raises(AccessRefused):
        episode_assign_coordinator(
            episode=episode, coordinator=cast.coordinator, by=cast.da_worker, channel=Channel.API
        )
    entry = AccessLogEntry.objects.get(person_public_id=episode.person.public_id)
    assert (entry.actor_username, entry.outcome) == ("da_worker", "refused")
    assert EpisodeOfCare.objects.get(pk=episode.pk).coordinator is None


def test_r3_a_finished_episode_gets_no_new_coordinator(cast: Cast, episode: EpisodeOfCare) -> None:
    EpisodeOfCare.objects.filter(pk=episode.pk).update(status="finished")
    episode.refresh_from_db()
    # The team leader no longer sees Gil through a finished episode, so put them in the care team.
    CareTeamMember.objects.create(person=episode.person, user=cast.team_leader, role=Role.TEAM_LEADER)
    with pytest.raises(ValidationError, match="has finished"):
        episode_assign_coordinator(
            episode=episode, coordinator=cast.coordinator, by=cast.team_leader, channel=Channel.PAGE
        )


def test_r3_naming_the_same_coordinator_twice_is_refused(cast: Cast, episode: EpisodeOfCare) -> None:
    episode_assign_coordinator(episode=episode, coordinator=cast.coordinator, by=cast.team_leader, channel=Channel.PAGE)
    episode.refresh_from_db()
    with pytest.raises(ValidationError, match="already the care coordinator"):
        episode_assign_coordinator(
            episode=episode, coordinator=cast.coordinator, by=cast.team_leader, channel=Channel.PAGE
        )
