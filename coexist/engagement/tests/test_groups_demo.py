"""The demo's groups (coexist/demo/groups.py): deterministic, dated from `now`, ward leavers enrolled."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from coexist.care.models import EpisodeStatus
from coexist.demo.groups import add_groups
from coexist.engagement.models import Group, GroupAttendance, GroupEnrolment, GroupSession
from coexist.organisations.models import ServiceKind
from coexist.people.permissions import may
from coexist.people.rules import Action, RecordPart
from coexist.testing.factories import (
    EpisodeFactory,
    MembershipFactory,
    PersonFactory,
    ServiceFactory,
    TeamFactory,
    UserFactory,
)


@pytest.mark.django_db
def test_demo_groups_enrol_ward_leavers_and_fill_registers() -> None:
    ward = ServiceFactory(name="Willow Ward", kind=ServiceKind.INPATIENT_WARD)
    drop_in = ServiceFactory(name="Dual diagnosis drop-in", kind=ServiceKind.DROP_IN)
    ward_team = TeamFactory(service=ward)
    cast = {name: UserFactory(username=name) for name in ("wardnurse", "substance", "peer")}
    MembershipFactory(user=cast["wardnurse"], team=ward_team, role="ward_nurse")
    people = [PersonFactory() for _ in range(20)]
    leaver = people[17]
    EpisodeFactory(person=leaver, team=ward_team, status=EpisodeStatus.FINISHED)
    now = timezone.now()

    rng = random.Random(7)  # noqa: S311 - a seeded generator for demo data, not security
    counts = add_groups(
        rng=rng, now=now, services={"Willow Ward": ward, "Dual diagnosis drop-in": drop_in}, cast=cast,
        people=people,
    )  # fmt: skip

    assert counts.groups == Group.objects.count() == 2
    assert GroupSession.objects.filter(starts_at__lt=now - timedelta(weeks=8)).count() == 0
    assert GroupSession.objects.filter(starts_at__gt=now).exists()
    assert GroupSession.objects.filter(cancelled_at__isnull=False).count() == 2
    assert GroupEnrolment.objects.current().filter(person=leaver, group__service=ward).exists()
    assert GroupAttendance.objects.count() == counts.attendances > 0
    assert counts.anonymous_visits > 0
    assert GroupEnrolment.objects.filter(ended_at__isnull=False).exists()
    # The ward nurse facilitates, so sees the discharged person's group attendance (decision 0012).
    assert may(cast["wardnurse"], leaver, Action.WRITE, RecordPart.GROUPS).allowed
