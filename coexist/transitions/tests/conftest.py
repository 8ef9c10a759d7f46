"""Shared set-up for the transitions tests: a ward stay for Ann held by Willow ward, with R8 items met."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coexist.care.models import EpisodeOfCare
from coexist.inpatient.models import Admission
from coexist.medicines.models import NaloxoneOffer
from coexist.organisations.models import Role
from coexist.testing.cast import Cast
from coexist.testing.factories import AppointmentFactory, EpisodeFactory, MembershipFactory, ReferralFactory
from coexist.testing.factories_transitions import admission


@pytest.fixture
def ward_episode(cast: Cast) -> EpisodeOfCare:
    """Ann on Willow ward since ten days ago, the ward nurse coordinating; her community episode with North
    (coordinator Alex Morgan) stays open beside it."""
    ward = EpisodeFactory(person=cast.ann, team=cast.ward_team, opened_by=cast.ward_nurse, coordinator=cast.ward_nurse)
    EpisodeFactory(person=cast.ann, team=cast.north, opened_by=cast.coordinator, coordinator=cast.coordinator)
    admission(ward, by=cast.ward_nurse)
    # A senior clinician on the ward, who may override (R8).
    MembershipFactory(user=cast.psychiatrist, team=cast.ward_team, role=Role.PSYCHIATRIST)
    return ward  # type: ignore[no-any-return]


@pytest.fixture
def ward_admission(ward_episode: EpisodeOfCare) -> Admission:
    return Admission.objects.get(episode=ward_episode)


def book_follow_up(cast: Cast, hours: int = 24) -> object:
    return AppointmentFactory(
        person=cast.ann, service=cast.cmht, staff=cast.coordinator, starts_at=timezone.now() + timedelta(hours=hours)
    )


def refer_to_pathways(cast: Cast) -> object:
    return ReferralFactory(person=cast.ann, to_service=cast.pathways_service, referrer=cast.ward_nurse)


def offer_naloxone(cast: Cast) -> NaloxoneOffer:
    return NaloxoneOffer.objects.create(
        person=cast.ann, offered_at=timezone.now() - timedelta(hours=3), outcome="supplied", kit="nasal",
        training_given=True, recorded_by=cast.ward_nurse,
    )  # fmt: skip
