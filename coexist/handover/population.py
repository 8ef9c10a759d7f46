"""A generated caseload for provider handover (R10) tests and benchmarks: one drug and alcohol provider
whose contract is ending, its successor, and N people with everything a handover must carry over
(open episodes, referrals, tasks, future and past appointments, care plans with versions and shares,
care team places, opiate substitution, consents, a group). Bulk inserts only: 10,000 people take a few
seconds. Synthetic data; no NHS numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from coexist.accounts.models import User
from coexist.care.models import (
    CarePlan,
    CarePlanShare,
    CarePlanVersion,
    CareTeamMember,
    EpisodeOfCare,
    EpisodeStatus,
    ShareMethod,
)
from coexist.engagement.models import Appointment, Group, GroupEnrolment
from coexist.engagement.rules import Attendance
from coexist.handover.models import Contract
from coexist.medicines.models import OpiateSubstitution, OpioidSubstitute
from coexist.organisations.models import Membership, Organisation, OrganisationKind, Role, Service, ServiceKind, Team
from coexist.people.models import Consent, Person
from coexist.people.rules import ContactMethod
from coexist.referrals.models import Referral, Route, Status, new_reference
from coexist.tasks.models import Task

BATCH = 2000

_PLAN: dict[str, Any] = {
    "goals": [{"owner": "person", "text": "Stay well and keep my flat"}],
    "reconciliation": "",
    "strengths": "Keeps in touch with family.",
    "coping_strategies": "Walking; calling a friend.",
    "carers": [],
    "services": [],
    "crisis_plan": "Call the team in the day, the crisis line at night.",
    "contingency_mental_health": "Earlier appointment.",
    "contingency_physical_health": "GP the same day.",
    "contingency_suicide": "Crisis team.",
    "contingency_overdose": "Naloxone kit at home; call 999.",
    "summary_for_person": "A plan to stay well.",
}


@dataclass
class HandoverPopulation:
    """What the generator made: the two contracts, the teams, who transfers and who stays, an administrator."""

    old_contract: Contract
    new_contract: Contract
    old_service: Service
    new_service: Service
    old_teams: list[Team]
    new_teams: list[Team]
    transferring: list[User]
    staying: list[User]
    admin: User
    people: int


def _user(username: str, first: str, last: str) -> User:
    return User(username=username, first_name=first, last_name=last, password="!")  # noqa: S106 (unusable)


def generate_handover_population(*, people: int, prefix: str = "ho", now: datetime | None = None) -> HandoverPopulation:
    """Make a provider whose contract ends in 30 days, its successor, and `people` people in its caseload."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    old_org = Organisation.objects.create(
        name=f"{prefix} Pathways Drug and Alcohol Service", kind=OrganisationKind.DRUG_ALCOHOL_PROVIDER
    )
    new_org = Organisation.objects.create(
        name=f"{prefix} Horizons Recovery Partnership", kind=OrganisationKind.DRUG_ALCOHOL_PROVIDER
    )
    commissioner = Organisation.objects.create(name=f"{prefix} Northshire Council", kind=OrganisationKind.SOCIAL_CARE)
    old_service = Service.objects.create(
        organisation=old_org, name="Community drug and alcohol service", kind=ServiceKind.DRUG_ALCOHOL
    )
    new_service = Service.objects.create(
        organisation=new_org, name="Community recovery service", kind=ServiceKind.DRUG_ALCOHOL
    )
    contracts_service = Service.objects.create(
        organisation=commissioner, name="Commissioning", kind=ServiceKind.SOCIAL_CARE
    )
    old_teams = [
        Team.objects.create(service=old_service, name=f"{side} drug and alcohol team") for side in ("East", "West")
    ]
    new_teams = [Team.objects.create(service=new_service, name=f"{side} recovery team") for side in ("East", "West")]
    contracts_team = Team.objects.create(service=contracts_service, name="Contracts team")
    old_contract = Contract.objects.create(
        name=f"{prefix} Northshire adult drug and alcohol service (Pathways)",
        provider=old_org,
        service=old_service,
        starts_on=date(today.year - 3, 4, 1),
        ends_on=today + timedelta(days=30),
    )
    new_contract = Contract.objects.create(
        name=f"{prefix} Northshire adult drug and alcohol service (Horizons)",
        provider=new_org,
        service=new_service,
        starts_on=today + timedelta(days=31),
        ends_on=today + timedelta(days=31 + 3 * 365),
    )
    old_contract.successor = new_contract
    old_contract.save(update_fields=["successor"])

    # Four workers in the old service: two transfer (TUPE), two stay with the old provider.
    workers = User.objects.bulk_create(
        [
            _user(f"{prefix}_worker_{n}", first, last)
            for n, (first, last) in enumerate([("Chris", "Ode"), ("Lee", "Park"), ("Mo", "Hale"), ("Sid", "Kaur")])
        ]
    )
    admin = User.objects.create(username=f"{prefix}_admin", first_name="Ana", last_name="Contracts", password="!")  # noqa: S106
    leader = User.objects.create(username=f"{prefix}_leader", first_name="Val", last_name="Lead", password="!")  # noqa: S106
    started = date(2020, 1, 1)
    Membership.objects.bulk_create(
        [
            *(
                Membership(user=w, team=old_teams[i % 2], role=Role.SUBSTANCE_MISUSE_WORKER, started_on=started)
                for i, w in enumerate(workers)
            ),
            Membership(user=admin, team=contracts_team, role=Role.ADMINISTRATOR, started_on=started),
            *(Membership(user=leader, team=t, role=Role.TEAM_LEADER, started_on=started) for t in new_teams),
        ]
    )
    transferring, staying = workers[:2], workers[2:]

    persons = Person.objects.bulk_create(
        [
            Person(
                given_name=f"Synthetic{n}",
                family_name=f"Person{n}",
                contact_method=ContactMethod.TEXT,
                phone="07700 900000",
            )
            for n in range(people)
        ],
        batch_size=BATCH,
    )
    episodes: list[EpisodeOfCare] = []
    care_team: list[CareTeamMember] = []
    referrals: list[Referral] = []
    tasks: list[Task] = []
    appointments: list[Appointment] = []
    opiates: list[OpiateSubstitution] = []
    consents: list[Consent] = []
    plans: list[CarePlan] = []
    for n, person in enumerate(persons):
        worker = workers[n % 4]
        team = old_teams[n % 2]
        episodes.append(
            EpisodeOfCare(
                person=person,
                service=old_service,
                team=team,
                status=EpisodeStatus.ACTIVE,
                coordinator=worker,
                coordinator_since=started,
                opened_at=now - timedelta(days=200),
                opened_by=worker,
            )
        )
        if n % 4 == 0:  # history: a finished episode with the old service stays with it
            episodes.append(
                EpisodeOfCare(
                    person=person,
                    service=old_service,
                    team=team,
                    status=EpisodeStatus.FINISHED,
                    opened_at=now - timedelta(days=900),
                    opened_by=worker,
                    finished_at=now - timedelta(days=400),
                    finished_by=worker,
                    finish_reason="Goals met",
                )
            )
        care_team.append(
            CareTeamMember(person=person, user=worker, role=Role.SUBSTANCE_MISUSE_WORKER, started_on=started)
        )
        if n % 2 == 0:
            referrals.append(Referral(person=person, to_service=old_service, route=Route.STAFF, referrer=worker))
        if n % 3 == 0:
            referrals.append(
                Referral(
                    person=person,
                    to_service=old_service,
                    route=Route.GP,
                    status=Status.ACCEPTED,
                    received_at=now - timedelta(days=300),
                )
            )
        tasks.append(
            Task(
                person=person,
                rule="R6",
                title="Follow up",
                due_at=now + timedelta(days=2),
                assigned_to=worker,
                created_by=worker,
            )
        )
        if n % 3 == 0:
            tasks.append(
                Task(
                    person=person, rule="R7", title="Book a review", due_at=now + timedelta(days=9), assigned_team=team
                )
            )
        appointments.append(
            Appointment(
                person=person,
                service=old_service,
                staff=worker,
                starts_at=now + timedelta(days=3 + n % 40, hours=1),
                created_by=worker,
            )
        )
        appointments.append(
            Appointment(
                person=person,
                service=old_service,
                staff=worker,
                starts_at=now - timedelta(days=10 + n % 30),
                status=Attendance.ATTENDED_ON_TIME,
                outcome_recorded_at=now - timedelta(days=9),
                created_by=worker,
            )
        )
        plans.append(CarePlan(person=person))
        if n % 3 == 0:
            opiates.append(
                OpiateSubstitution(
                    person=person,
                    drug=OpioidSubstitute.METHADONE,
                    prescribing_service=old_service,
                    started_on=date(2024, 1, 1),
                    recorded_by=worker,
                )
            )
        if n % 5 == 0:
            consents.append(
                Consent(
                    person=person,
                    organisation=old_org,
                    parts=["care_plan"],
                    given_on=date(2024, 1, 1),
                    recorded_by=worker,
                )
            )
    EpisodeOfCare.objects.bulk_create(episodes, batch_size=BATCH)
    CareTeamMember.objects.bulk_create(care_team, batch_size=BATCH)
    # Random references can collide among thousands made at once: make each one unique here.
    used = set(Referral.objects.values_list("reference", flat=True))
    for referral in referrals:
        while referral.reference in used:
            referral.reference = new_reference()
        used.add(referral.reference)
    Referral.objects.bulk_create(referrals, batch_size=BATCH)
    Task.objects.bulk_create(tasks, batch_size=BATCH)
    Appointment.objects.bulk_create(appointments, batch_size=BATCH)
    OpiateSubstitution.objects.bulk_create(opiates, batch_size=BATCH)
    Consent.objects.bulk_create(consents, batch_size=BATCH)
    CarePlan.objects.bulk_create(plans, batch_size=BATCH)
    versions = CarePlanVersion.objects.bulk_create(
        [
            CarePlanVersion(plan=plan, number=number, content=_PLAN, created_by=workers[0], channel="page")
            for plan in plans
            for number in (1, 2)
        ],
        batch_size=BATCH,
    )
    CarePlanShare.objects.bulk_create(
        [
            CarePlanShare(version=v, organisation=old_org, method=ShareMethod.EMAIL, shared_by=workers[0])
            for v in versions[::20]
        ],
        batch_size=BATCH,
    )
    group = Group.objects.create(service=old_service, name="Thursday recovery group", created_by=workers[0])
    GroupEnrolment.objects.bulk_create(
        [GroupEnrolment(group=group, person=p, enrolled_by=workers[0]) for p in persons[:50]], batch_size=BATCH
    )
    return HandoverPopulation(
        old_contract=old_contract,
        new_contract=new_contract,
        old_service=old_service,
        new_service=new_service,
        old_teams=old_teams,
        new_teams=new_teams,
        transferring=list(transferring),
        staying=list(staying),
        admin=admin,
        people=people,
    )
