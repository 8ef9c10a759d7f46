"""The care team across organisations: adding and ending places (care_team_add, care_team_end)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.care.services import care_team_add, care_team_end, episode_assign_coordinator
from coexist.organisations.models import Role
from coexist.people.permissions import AccessRefused, may
from coexist.people.rules import Action
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory


@pytest.fixture
def episode(cast: Cast) -> EpisodeOfCare:
    return EpisodeFactory(person=cast.ann, team=cast.north, opened_by=cast.coordinator)


def test_a_peer_support_worker_from_a_voluntary_organisation_joins_and_can_then_see_the_record(
    cast: Cast, episode: EpisodeOfCare
) -> None:
    assert not may(cast.peer_worker, cast.ann, Action.READ).allowed
    member = care_team_add(
        episode=None,
        person=cast.ann,
        user=cast.peer_worker,
        role=Role.PEER_SUPPORT_WORKER,
        by=cast.coordinator,
        channel=Channel.PAGE,
    )
    assert (member.started_on, member.added_by) == (timezone.localdate(), cast.coordinator)
    assert may(cast.peer_worker, cast.ann, Action.READ).allowed
    entry = AccessLogEntry.objects.get(person_public_id=cast.ann.public_id, action="write")
    assert entry.detail == "added Jo Reid to the care team as peer support worker"


def test_the_drug_and_alcohol_worker_joins_an_episode_from_a_date(cast: Cast, episode: EpisodeOfCare) -> None:
    start = timezone.localdate() - timedelta(days=3)
    member = care_team_add(
        episode=episode,
        person=cast.ann,
        user=cast.da_worker,
        role=Role.SUBSTANCE_MISUSE_WORKER,
        started_on=start,
        by=cast.coordinator,
        channel=Channel.API,
    )
    assert (member.episode, member.started_on) == (episode, start)


def test_the_coordinator_place_is_made_only_by_naming_them_on_the_episode(cast: Cast, episode: EpisodeOfCare) -> None:
    with pytest.raises(ValidationError, match="Name the care coordinator"):
        care_team_add(
            episode=episode, person=cast.ann, user=cast.coordinator, role=Role.CARE_COORDINATOR, by=cast.coordinator
        )


def test_administrators_do_not_join_care_teams(cast: Cast, episode: EpisodeOfCare) -> None:
    with pytest.raises(ValidationError, match="no current clinical role"):
        care_team_add(episode=episode, person=cast.ann, user=cast.admin, role=Role.WARD_NURSE, by=cast.coordinator)


def test_the_same_place_twice_is_refused(cast: Cast, episode: EpisodeOfCare) -> None:
    kwargs = {"episode": episode, "person": cast.ann, "user": cast.da_worker, "role": Role.SUBSTANCE_MISUSE_WORKER}
    care_team_add(**kwargs, by=cast.coordinator)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="already in the care team"):
        care_team_add(**kwargs, by=cast.coordinator)  # type: ignore[arg-type]


def test_someone_reading_by_consent_cannot_add_to_the_care_team(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        care_team_add(
            episode=None, person=cast.ben, user=cast.da_worker, role=Role.SUBSTANCE_MISUSE_WORKER, by=cast.da_worker
        )
    assert not CareTeamMember.objects.filter(person=cast.ben, user=cast.da_worker).exists()


def test_ending_a_place_sets_the_last_day_and_logs(cast: Cast) -> None:
    member = CareTeamMember.objects.get(person=cast.ann, user=cast.da_worker_in_team)
    ended = care_team_end(member=member, by=cast.coordinator, channel=Channel.PAGE)
    assert ended.ended_on == timezone.localdate()
    entry = AccessLogEntry.objects.get(person_public_id=cast.ann.public_id, action="write")
    assert "ended Chidi Okafor's place" in entry.detail


def test_a_place_cannot_end_before_it_began(cast: Cast) -> None:
    member = CareTeamMember.objects.get(person=cast.ann, user=cast.da_worker_in_team)
    with pytest.raises(ValidationError, match="on or after they joined"):
        care_team_end(member=member, ended_on=date(2000, 1, 1), by=cast.coordinator, channel=Channel.PAGE)


def test_r3_the_named_coordinators_place_is_ended_only_by_naming_another(cast: Cast, episode: EpisodeOfCare) -> None:
    episode_assign_coordinator(episode=episode, coordinator=cast.coordinator, by=cast.coordinator, channel=Channel.PAGE)
    member = CareTeamMember.objects.get(episode=episode, user=cast.coordinator)
    with pytest.raises(ValidationError, match="Name a new care coordinator"):
        care_team_end(member=member, by=cast.coordinator, channel=Channel.PAGE)
