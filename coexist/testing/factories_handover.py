"""factory_boy factories for provider handover (R10): commissioning contracts."""

from __future__ import annotations

from datetime import date

import factory

from coexist.handover.models import Contract
from coexist.testing.factories import ServiceFactory


class ContractFactory(factory.django.DjangoModelFactory):
    """A three-year contract for a service, run by the service's organisation."""

    class Meta:
        model = Contract

    name = factory.Sequence(lambda n: f"Northshire drug and alcohol contract {n}")
    service = factory.SubFactory(ServiceFactory)
    provider = factory.SelfAttribute("service.organisation")
    starts_on = date(2023, 4, 1)
    ends_on = date(2026, 3, 31)
