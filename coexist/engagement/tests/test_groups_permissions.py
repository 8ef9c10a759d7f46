"""Decision 0012: a group's facilitators see the names on its register and the group attendance of the
people enrolled, nothing else; `may` and `people_visible_to` agree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coexist.audit.models import AccessLogEntry, Channel, Outcome
from coexist.care.models import CareTeamMember, EpisodeStatus
from coexist.engagement.groups.services import group_enrolment_end
from coexist.organisations.models import Role, ServiceKind
from coexist.people.permissions import AccessRefused, may, people_visible_to, require
from coexist.people.rules import Action, RecordPart
from coexist.testing.cast import Cast
from coexist.testing.factories import (
    CareTeamMemberFactory,
    EpisodeFactory,
    GroupEnrolmentFactory,
    GroupFactory,
    GroupSessionFactory,
    MembershipFactory,
    ServiceFactory,
    TeamFactory,
    UserFactory,
)

from .groups_world import make_world


def test_0012_facilitator_reads_identity_and_group_attendance(cast: Cast) -> None:
    make_world(cast)
    identity = may(cast.da_worker, cast.ann, Action.READ, RecordPart.IDENTITY)
    assert identity.allowed
    assert identity.basis == "facilitator of Recovery group"
    assert may(cast.da_worker, cast.ann, Action.READ, RecordPart.GROUPS).allowed
    assert may(cast.da_worker, cast.ann, Action.WRITE, RecordPart.GROUPS).allowed


@pytest.mark.parametrize("part", [RecordPart.CARE_PLAN, RecordPart.RISK, RecordPart.EPISODES, RecordPart.CONTACT])
def test_0012_facilitator_does_not_see_care_plan_risk_or_anything_else(cast: Cast, part: RecordPart) -> None:
    make_world(cast)
    assert not may(cast.da_worker, cast.ann, Action.READ, part).allowed
    assert not may(cast.da_worker, cast.ann, Action.WRITE, RecordPart.IDENTITY).allowed


def test_0012_facilitator_of_another_group_is_refused_and_the_refusal_logged(cast: Cast) -> None:
    make_world(cast)
    assert not may(cast.peer_worker, cast.ann, Action.READ, RecordPart.IDENTITY).allowed
    with pytest.raises(AccessRefused):
        require(
            user=cast.peer_worker,
            person=cast.ann,
            action=Action.READ,
            parts=[RecordPart.GROUPS],
            channel=Channel.PAGE,
            detail="test",
        )
    assert AccessLogEntry.objects.filter(
        actor_public_id=cast.peer_worker.public_id, person_public_id=cast.ann.public_id, outcome=Outcome.REFUSED
    ).exists()


def test_0012_may_and_people_visible_to_agree(cast: Cast) -> None:
    make_world(cast)
    for user in (cast.da_worker, cast.peer_worker, cast.da_worker_in_team, cast.admin):
        visible = set(people_visible_to(user))
        for person in cast.people().values():
            assert (person in visible) == may(user, person, Action.READ).allowed, (user, person)
    assert cast.ann in set(people_visible_to(cast.da_worker))


def test_0012_leaving_the_group_closes_the_register_to_its_facilitators(cast: Cast) -> None:
    world = make_world(cast)
    group_enrolment_end(
        enrolment=world.ann_in_recovery, reason="Finished the programme", by=cast.coordinator, channel=Channel.PAGE
    )
    assert not may(cast.da_worker, cast.ann, Action.READ).allowed
    assert cast.ann not in set(people_visible_to(cast.da_worker))


def test_0012_cancelled_or_distant_sessions_open_nothing(cast: Cast) -> None:
    now = timezone.now()
    group = GroupFactory(service=cast.pathways_service, created_by=cast.da_worker)
    GroupEnrolmentFactory(group=group, person=cast.ann, enrolled_by=cast.coordinator)
    GroupSessionFactory(group=group, starts_at=now + timedelta(days=40), facilitators=[cast.da_worker])
    GroupSessionFactory(group=group, starts_at=now - timedelta(days=40), facilitators=[cast.da_worker])
    GroupSessionFactory(
        group=group,
        starts_at=now + timedelta(days=1),
        facilitators=[cast.da_worker],
        cancelled_at=now,
        cancelled_by=cast.da_worker,
        cancel_reason="Room flooded",
    )
    assert not may(cast.da_worker, cast.ann, Action.READ).allowed
    assert cast.ann not in set(people_visible_to(cast.da_worker))


def test_0012_removed_facilitator_loses_the_register(cast: Cast) -> None:
    world = make_world(cast)
    for session in (world.soon, world.last_week):
        session.facilitators.set([cast.da_worker_in_team])
    assert not may(cast.da_worker, cast.ann, Action.READ).allowed


def test_0012_administrator_facilitating_sees_nothing(cast: Cast) -> None:
    world = make_world(cast)
    world.soon.facilitators.add(cast.admin)
    assert not may(cast.admin, cast.ann, Action.READ).allowed


def test_care_team_reads_and_changes_group_attendance(cast: Cast) -> None:
    assert may(cast.coordinator, cast.ann, Action.WRITE, RecordPart.GROUPS).allowed
    assert may(cast.coordinator, cast.ann, Action.READ, RecordPart.GROUPS).allowed


def test_consent_does_not_share_group_attendance(cast: Cast) -> None:
    assert may(cast.da_worker, cast.ben, Action.READ, RecordPart.IDENTITY).allowed  # consent to Pathways
    assert not may(cast.da_worker, cast.ben, Action.READ, RecordPart.GROUPS).allowed


def test_seed002_ward_discharge_keeps_the_group_place_and_the_facilitator_view(cast: Cast) -> None:
    """A person discharged from a ward stays welcome at the ward's group: the episode ends, the place does not."""
    ward = ServiceFactory(organisation=cast.trust, name="Willow Ward", kind=ServiceKind.INPATIENT_WARD)
    ward_team = TeamFactory(service=ward, name="Willow Ward team")
    nurse = UserFactory(username="ward_nurse")
    MembershipFactory(user=nurse, team=ward_team, role=Role.WARD_NURSE)
    episode = EpisodeFactory(person=cast.fay, team=ward_team, opened_by=nurse)
    CareTeamMemberFactory(
        person=cast.fay,
        episode=episode,
        user=nurse,
        role=Role.WARD_NURSE,
        started_on=timezone.localdate() - timedelta(days=30),
    )
    group = GroupFactory(service=ward, name="Willow substance group", created_by=nurse)
    enrolment = GroupEnrolmentFactory(group=group, person=cast.fay, enrolled_by=nurse)
    GroupSessionFactory(group=group, starts_at=timezone.now() + timedelta(days=3), facilitators=[nurse])

    episode.status = EpisodeStatus.FINISHED
    episode.finished_at = timezone.now()
    episode.save()
    CareTeamMember.objects.filter(person=cast.fay, user=nurse).update(ended_on=timezone.localdate() - timedelta(days=1))

    enrolment.refresh_from_db()
    assert enrolment.is_current
    decision = may(nurse, cast.fay, Action.WRITE, RecordPart.GROUPS)
    assert decision.allowed
    assert decision.basis == "facilitator of Willow substance group"
    assert not may(nurse, cast.fay, Action.READ, RecordPart.CARE_PLAN).allowed
