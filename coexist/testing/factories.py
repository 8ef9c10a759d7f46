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


def _tomorrow() -> object:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(days=1)


class TaskFactory(factory.django.DjangoModelFactory):
    """A duty for a person, due tomorrow, owned by a named worker."""

    class Meta:
        model = "tasks.Task"

    person = factory.SubFactory(PersonFactory)
    rule = "R6"
    title = factory.Sequence(lambda n: f"Follow up {n}")
    due_at = factory.LazyFunction(_tomorrow)
    assigned_to = factory.SubFactory(UserFactory)


def complete_care_plan_content() -> dict[str, object]:
    """R4: a care plan with every required section, as the JSON a CarePlanVersion holds."""
    return {
        "goals": [
            {"owner": "person", "text": "Get my own flat and keep it"},
            {"owner": "service", "text": "Cut down drinking to below 14 units a week"},
        ],
        "reconciliation": "Agreed to work on housing first; drinking goal reviewed in three months.",
        "strengths": "Good with my hands; keeps in touch with my sister.",
        "coping_strategies": "Walking the dog; calling my sister.",
        "carers": [],
        "services": [{"service": "North community team", "contact_name": "Alex Morgan", "phone": "0300 555 0101"}],
        "crisis_plan": "Call Alex in the day, the crisis line at night.",
        "contingency_mental_health": "Earlier appointment with the psychiatrist.",
        "contingency_physical_health": "GP the same day.",
        "contingency_suicide": "Crisis team; remove means; stay with someone.",
        "contingency_overdose": "Naloxone kit at home; call 999.",
        "summary_for_person": "This plan is about getting you a home and feeling steadier.",
    }


class CarePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "care.CarePlan"

    person = factory.SubFactory(PersonFactory)


class CarePlanVersionFactory(factory.django.DjangoModelFactory):
    """A saved version (tests that need a plan to exist; tests of saving call the service)."""

    class Meta:
        model = "care.CarePlanVersion"

    plan = factory.SubFactory(CarePlanFactory)
    number = 1
    content = factory.LazyFunction(complete_care_plan_content)
    changed_sections = factory.LazyFunction(list)
    created_by = factory.SubFactory(UserFactory)
    channel = "page"


def _four_weeks_ahead() -> date:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=28)


class JointAssessmentFactory(factory.django.DjangoModelFactory):
    """A bare assessment row. To get domains and the first assessor, use assessments.services.assessment_start."""

    class Meta:
        model = "assessments.JointAssessment"

    person = factory.SubFactory(PersonFactory)
    started_by = factory.SubFactory(UserFactory)


class RiskFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assessments.RiskFlag"

    person = factory.SubFactory(PersonFactory)
    kind = "overdose"
    source = "factory"
    raised_by = factory.SubFactory(UserFactory)
    review_on = factory.LazyFunction(_four_weeks_ahead)


class UnlinkedReferralFactory(ReferralFactory):
    """A referral nobody has matched to a person record yet: a self-referral with its submitted details."""

    person = None
    route = Route.SELF
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = date(1992, 5, 17)
    contact_method = ContactMethod.TEXT
    phone = "07700 900456"
    reason = "I have been drinking more and hearing voices again."


class DropInVisitFactory(factory.django.DjangoModelFactory):
    """R12: a drop-in visit with minimal identity."""

    class Meta:
        model = "referrals.DropInVisit"

    service = factory.SubFactory(ServiceFactory, kind=ServiceKind.DROP_IN)
    name_or_alias = "Jay"
    year_of_birth = 1990
    discussed = "Came in to ask about cutting down; worried about low mood."
    recorded_by = factory.SubFactory(UserFactory)


def _next_week() -> object:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(days=7)


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked in-person appointment next week, with no outcome yet."""

    class Meta:
        model = "engagement.Appointment"

    person = factory.SubFactory(PersonFactory)
    service = factory.SubFactory(ServiceFactory)
    staff = factory.SubFactory(UserFactory)
    starts_at = factory.LazyFunction(_next_week)
    created_by = factory.SelfAttribute("staff")


def _yesterday() -> object:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() - timedelta(days=1)


class FollowUpFactory(factory.django.DjangoModelFactory):
    """R6: an open follow-up of a missed appointment yesterday, due tomorrow, with its task."""

    class Meta:
        model = "engagement.FollowUp"

    appointment = factory.SubFactory(
        AppointmentFactory, status="did_not_attend", starts_at=factory.LazyFunction(_yesterday)
    )
    person = factory.SelfAttribute("appointment.person")
    task = factory.SubFactory(
        TaskFactory, person=factory.SelfAttribute("..person"), due_at=factory.SelfAttribute("..due_at")
    )
    risk_level = "none"
    missed_at = factory.SelfAttribute("appointment.starts_at")
    due_at = factory.LazyFunction(_tomorrow)


class CaseReviewFactory(factory.django.DjangoModelFactory):
    """R7: a multi-agency case review booked for tomorrow on an episode (pass `episode`); held with
    `status="held", held_on=..., next_review_on=...`."""

    class Meta:
        model = "care.CaseReview"

    episode = factory.SubFactory(EpisodeFactory)
    person = factory.SelfAttribute("episode.person")
    scheduled_for = factory.LazyFunction(_tomorrow)
    scheduled_by = factory.SelfAttribute("episode.opened_by")


class CaseReviewInviteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "care.CaseReviewInvitee"

    review = factory.SubFactory(CaseReviewFactory)
    user = factory.SubFactory(UserFactory)


class GroupFactory(factory.django.DjangoModelFactory):
    """A group programme run by a service (seed 002); open to people after they leave it."""

    class Meta:
        model = "engagement.Group"

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Substance misuse group {n}")
    kind = "programme"
    created_by = factory.SubFactory(UserFactory)


class GroupSessionFactory(factory.django.DjangoModelFactory):
    """A session of a group next week. Pass `facilitators=[...]` to set who runs it."""

    class Meta:
        model = "engagement.GroupSession"
        skip_postgeneration_save = True

    group = factory.SubFactory(GroupFactory)
    starts_at = factory.LazyFunction(_next_week)
    place = "Day room"
    created_by = factory.SelfAttribute("group.created_by")

    @factory.post_generation
    def facilitators(self, create: bool, extracted: list[User] | None, **kwargs: object) -> None:
        if create and extracted:
            self.facilitators.set(extracted)  # type: ignore[attr-defined]


class GroupEnrolmentFactory(factory.django.DjangoModelFactory):
    """A person's current place in a group."""

    class Meta:
        model = "engagement.GroupEnrolment"

    group = factory.SubFactory(GroupFactory)
    person = factory.SubFactory(PersonFactory)
    enrolled_by = factory.SelfAttribute("group.created_by")


class GroupAttendanceFactory(factory.django.DjangoModelFactory):
    """One register line: the person attended the session."""

    class Meta:
        model = "engagement.GroupAttendance"

    session = factory.SubFactory(GroupSessionFactory)
    person = factory.SubFactory(PersonFactory)
    status = "attended"
    recorded_by = factory.SelfAttribute("session.created_by")
