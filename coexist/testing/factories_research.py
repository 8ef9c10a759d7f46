"""Factories for research projects (issue 6 point 7)."""

from __future__ import annotations

from datetime import date

import factory

from coexist.research.models import ResearchProject


class ResearchProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResearchProject
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Dual diagnosis evaluation {n}")
    approval_reference = factory.Sequence(lambda n: f"REC 25/NE/{n:04d}")
    purpose = "What works, for whom, in which context (RECO follow-on)."
    data_controller_contact = "Research governance office, research@example.nhs.uk"
    starts_on = date(2020, 1, 1)
    ends_on = date(2099, 12, 31)

    @factory.post_generation
    def researchers(self, create: bool, extracted: list[object] | None, **kwargs: object) -> None:
        if create and extracted:
            self.members.add(*extracted)
