"""A small world of groups on top of the shared cast, for the group tests.

Pathways runs the "Recovery group"; da_worker (no relationship with Ann otherwise) facilitates its
sessions two days from now and a week ago. Ann is enrolled (by her coordinator). Hope Peer Support runs
"Peer walk", facilitated by peer_worker, in which Ann is not enrolled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from coexist.engagement.models import Group, GroupEnrolment, GroupSession
from coexist.organisations.models import Membership
from coexist.testing.cast import Cast
from coexist.testing.factories import GroupEnrolmentFactory, GroupFactory, GroupSessionFactory


@dataclass
class World:
    recovery: Group
    soon: GroupSession
    last_week: GroupSession
    ann_in_recovery: GroupEnrolment
    walk: Group
    walk_session: GroupSession


def make_world(cast: Cast) -> World:
    now = timezone.now()
    recovery = GroupFactory(service=cast.pathways_service, name="Recovery group", created_by=cast.da_worker)
    soon = GroupSessionFactory(group=recovery, starts_at=now + timedelta(days=2), facilitators=[cast.da_worker])
    last_week = GroupSessionFactory(group=recovery, starts_at=now - timedelta(days=7), facilitators=[cast.da_worker])
    enrolment = GroupEnrolmentFactory(group=recovery, person=cast.ann, enrolled_by=cast.coordinator)
    peer_service = Membership.objects.get(user=cast.peer_worker).team.service
    walk = GroupFactory(service=peer_service, name="Peer walk", created_by=cast.peer_worker)
    walk_session = GroupSessionFactory(group=walk, starts_at=now + timedelta(days=1), facilitators=[cast.peer_worker])
    return World(recovery, soon, last_week, enrolment, walk, walk_session)
