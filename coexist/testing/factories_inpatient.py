"""Factories and helpers for inpatient stays and advice requests (issue 5). Synthetic data only."""

from __future__ import annotations

from datetime import datetime

import factory
from django.utils import timezone

from coexist.audit.models import Channel
from coexist.inpatient.models import Admission
from coexist.inpatient.services import admission_record
from coexist.people.models import Person
from coexist.referrals.models import Route
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory, PersonFactory, ReferralFactory, UserFactory


class AdmissionFactory(factory.django.DjangoModelFactory):
    """A current stay with its ward episode, made directly (no task, no log): for pages that only need one."""

    class Meta:
        model = "inpatient.Admission"

    person = factory.SubFactory(PersonFactory)
    episode = factory.SubFactory(EpisodeFactory, person=factory.SelfAttribute("..person"))
    ward = factory.SelfAttribute("episode.service")
    admitted_at = factory.LazyFunction(timezone.now)
    recorded_by = factory.SubFactory(UserFactory)


def refer_to_ward(cast: Cast, person: Person) -> None:
    """An open referral of the person to Willow ward, so the ward team may read and change their record."""
    ReferralFactory(person=person, to_service=cast.ward, referrer=cast.coordinator, route=Route.STAFF)


def admit(
    cast: Cast, person: Person, *, admitted_at: datetime | None = None, legal_status: str = "informal"
) -> Admission:
    """Admit the person to Willow ward as the ward nurse, through the service, after a referral to the ward."""
    refer_to_ward(cast, person)
    return admission_record(
        person=person,
        ward=cast.ward,
        admitted_at=admitted_at or timezone.now(),
        legal_status=legal_status,
        reason="Relapse of psychosis with heavy drinking.",
        by=cast.ward_nurse,
        channel=Channel.PAGE,
    )
