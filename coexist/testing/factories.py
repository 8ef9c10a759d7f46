"""factory_boy factories. Synthetic data only; NHS numbers come from the 999 test range."""

from __future__ import annotations

from datetime import date

import factory

from coexist.accounts.models import User
from coexist.care.models import CareTeamMember
from coexist.organisations.models import Membership, Organisation, OrganisationKind, Role, Service, ServiceKind, Team
from coexist.people.models import Carer, Consent, Person, Relationship
from coexist.people.rules import ContactMethod
from coexist.referrals.models import Referral, Route


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.NHS_TRUST


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    kind = ServiceKind.COMMUNITY_MENTAL_HEALTH


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct-horse-battery")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.CARE_COORDINATOR
    started_on = date(2020, 1, 1)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = date(1985, 3, 14)
    contact_method = ContactMethod.TEXT
    phone = "07700 900123"


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    person = factory.SubFactory(PersonFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.CARE_COORDINATOR
    started_on = date(2024, 1, 1)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    person = factory.SubFactory(PersonFactory)
    to_service = factory.SubFactory(ServiceFactory)
    route = Route.STAFF


class CarerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carer

    person = factory.SubFactory(PersonFactory)
    name = factory.Faker("name")
    relationship = Relationship.PARENT


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    parts = factory.LazyFunction(lambda: ["care_plan", "contact"])
    given_on = date(2025, 6, 1)
    recorded_by = factory.SubFactory(UserFactory)


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "care.EpisodeOfCare"

    person = factory.SubFactory(PersonFactory)
    team = factory.SubFactory(TeamFactory)
    service = factory.SelfAttribute("team.service")
    opened_by = factory.SubFactory(UserFactory)
