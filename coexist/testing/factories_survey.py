"""Factories for the service survey app: a survey with every dimension scored, training, sessions, feedback."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from coexist.survey.models import FeedbackRound, RecoveryCollegeSession, ServiceSurvey, StaffTraining, SurveyScore
from coexist.survey.rules import Dimension, Question
from coexist.testing.factories import ServiceFactory, UserFactory


class ServiceSurveyFactory(factory.django.DjangoModelFactory):
    """A survey scored 3 (dual diagnosis capable) on every dimension unless `scores` says otherwise."""

    class Meta:
        model = ServiceSurvey
        skip_postgeneration_save = True

    service = factory.SubFactory(ServiceFactory)
    completed_on = factory.Sequence(lambda n: timezone.localdate() - timedelta(days=30 * n + 1))
    provision = "lead_and_link_worker"
    submitted_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def scores(self, create: bool, extracted: dict[str, int] | None, **kwargs: Any) -> None:
        if not create:
            return
        given = extracted or {}
        SurveyScore.objects.bulk_create(
            SurveyScore(survey=self, dimension=d.value, score=given.get(d.value, 3)) for d in Dimension
        )


class StaffTrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffTraining

    service = factory.SubFactory(ServiceFactory)
    staff = factory.SubFactory(UserFactory)
    course = "Dual diagnosis awareness"
    provider = "Recovery college"
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    hours = Decimal("6.0")
    certificate = True
    recorded_by = factory.SubFactory(UserFactory)


class RecoveryCollegeSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecoveryCollegeSession

    service = factory.SubFactory(ServiceFactory)
    course = "Understanding recovery"
    session_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    attendees = 8
    recorded_by = factory.SubFactory(UserFactory)


class FeedbackRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackRound

    service = factory.SubFactory(ServiceFactory)
    collected_on = factory.Sequence(lambda n: date(2025, 1, 1) + timedelta(days=n))
    counts = factory.LazyFunction(lambda: {q.value: [0, 1, 2, 3, 4] for q in Question})
    you_said = ""
    we_did = ""
    recorded_by = factory.SubFactory(UserFactory)
