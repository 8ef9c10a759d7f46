"""The small named cast the tests share, and who may see whom (stated here, checked by the tests).

Organisations: the Trust (community mental health service: North and South teams), Pathways (the
commissioned drug and alcohol provider: one team), Riverside Housing (one team).

Staff                      role                       team
  coordinator              care coordinator           North (Trust)
  coordinator_south        care coordinator           South (Trust)
  psychiatrist             psychiatrist               North (Trust)
  da_worker_in_team        substance misuse worker    Pathways
  da_worker                substance misuse worker    Pathways
  housing_officer          service manager            Riverside Housing
  former_coordinator       care coordinator           North, membership ended last year
  admin                    administrator              North (Trust)
  researcher               researcher                 North (Trust)
  team_leader              team leader                North (Trust)
  peer_worker              peer support worker        Hope Peer Support (voluntary)
  ward_nurse               ward nurse                 Willow ward (Trust, inpatient)
  addictions_consultant    addictions consultant      Pathways (the community prescriber)

team_leader, peer_worker, ward_nurse and addictions_consultant are not in `staff()`: the permission matrix
covers the nine above.
The team leader sees a person only through an open episode held by North (or the care team).

People and their relationships
  ann    care team: coordinator, da_worker_in_team, admin(!), researcher(!)  no consent
  ben    care team: coordinator          consent to Pathways: substance_use, care_plan (current)
  cat    care team: coordinator          open referral to the Pathways service
  dan    care team: coordinator          consent to Pathways withdrawn; referral to Pathways declined
  eve    care team: coordinator_south    consent to Riverside Housing: contact
  fay    care team: former_coordinator (their team membership ended) and ended care-team place

The admin and researcher are put in ann's care team on purpose: even then they must not see her.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from coexist.accounts.models import User
from coexist.organisations.models import Organisation, OrganisationKind, Role, Service, ServiceKind, Team
from coexist.people.models import Person
from coexist.referrals.models import Status
from coexist.testing.factories import (
    CareTeamMemberFactory,
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    ServiceFactory,
    TeamFactory,
    UserFactory,
)


@dataclass
class Cast:
    trust: Organisation
    pathways: Organisation
    housing: Organisation
    cmht: Service
    pathways_service: Service
    north: Team
    south: Team
    pathways_team: Team
    ward: Service
    ward_team: Team
    coordinator: User
    coordinator_south: User
    psychiatrist: User
    da_worker_in_team: User
    da_worker: User
    housing_officer: User
    former_coordinator: User
    admin: User
    researcher: User
    team_leader: User
    peer_worker: User
    ward_nurse: User
    addictions_consultant: User
    ann: Person
    ben: Person
    cat: Person
    dan: Person
    eve: Person
    fay: Person

    def staff(self) -> dict[str, User]:
        names = [
            "coordinator",
            "coordinator_south",
            "psychiatrist",
            "da_worker_in_team",
            "da_worker",
            "housing_officer",
            "former_coordinator",
            "admin",
            "researcher",
        ]
        return {name: getattr(self, name) for name in names}

    def people(self) -> dict[str, Person]:
        return {name: getattr(self, name) for name in ["ann", "ben", "cat", "dan", "eve", "fay"]}


def make_cast() -> Cast:
    today = timezone.localdate()
    last_year = today - timedelta(days=365)

    trust = OrganisationFactory(name="Northfield Partnership NHS Foundation Trust", kind=OrganisationKind.NHS_TRUST)
    pathways = OrganisationFactory(
        name="Pathways Drug and Alcohol Service", kind=OrganisationKind.DRUG_ALCOHOL_PROVIDER
    )
    housing = OrganisationFactory(name="Riverside Housing Association", kind=OrganisationKind.HOUSING)
    cmht = ServiceFactory(organisation=trust, name="Community mental health service")
    pathways_service = ServiceFactory(
        organisation=pathways, name="Community drug and alcohol service", kind=ServiceKind.DRUG_ALCOHOL
    )
    housing_service = ServiceFactory(organisation=housing, name="Tenancy sustainment", kind=ServiceKind.HOUSING_SUPPORT)
    north = TeamFactory(service=cmht, name="North community team")
    south = TeamFactory(service=cmht, name="South community team")
    pathways_team = TeamFactory(service=pathways_service, name="Community drug and alcohol team")
    housing_team = TeamFactory(service=housing_service, name="Tenancy support team")

    def staff(username: str, team: Team, role: Role, first: str, last: str, **membership: date) -> User:
        user = UserFactory(username=username, first_name=first, last_name=last)
        MembershipFactory(user=user, team=team, role=role, **membership)
        return user

    coordinator = staff("coordinator", north, Role.CARE_COORDINATOR, "Alex", "Morgan")
    coordinator_south = staff("coordinator_south", south, Role.CARE_COORDINATOR, "Priya", "Patel")
    psychiatrist = staff("psychiatrist", north, Role.PSYCHIATRIST, "Tunde", "Adeyemi")
    da_worker_in_team = staff("da_worker_in_team", pathways_team, Role.SUBSTANCE_MISUSE_WORKER, "Chidi", "Okafor")
    da_worker = staff("da_worker", pathways_team, Role.SUBSTANCE_MISUSE_WORKER, "Erin", "Walsh")
    housing_officer = staff("housing_officer", housing_team, Role.SERVICE_MANAGER, "Dee", "Ali")
    former_coordinator = staff(
        "former_coordinator",
        north,
        Role.CARE_COORDINATOR,
        "Pat",
        "Former",
        started_on=date(2019, 1, 1),
        ended_on=last_year,
    )
    admin = staff("admin", north, Role.ADMINISTRATOR, "Robin", "Clarke")
    team_leader = staff("team_leader", north, Role.TEAM_LEADER, "Sam", "Okoro")
    peers = OrganisationFactory(name="Hope Peer Support", kind=OrganisationKind.VOLUNTARY)
    peer_team = TeamFactory(
        service=ServiceFactory(organisation=peers, name="Peer support", kind=ServiceKind.SOCIAL_CARE),
        name="Peer support workers",
    )
    peer_worker = staff("peer_worker", peer_team, Role.PEER_SUPPORT_WORKER, "Jo", "Reid")
    researcher = staff("researcher", north, Role.RESEARCHER, "Nadia", "Rahman")
    ward = ServiceFactory(organisation=trust, name="Willow ward", kind=ServiceKind.INPATIENT_WARD)
    ward_team = TeamFactory(service=ward, name="Willow ward team")
    ward_nurse = staff("ward_nurse", ward_team, Role.WARD_NURSE, "Kim", "Lowe")
    addictions_consultant = staff("addictions_consultant", pathways_team, Role.ADDICTIONS_CONSULTANT, "Rosa", "Ibarra")

    ann = PersonFactory(given_name="Ann", family_name="Abbott", nhs_number="9434765919")
    ben = PersonFactory(given_name="Ben", family_name="Baker")
    cat = PersonFactory(given_name="Cat", family_name="Carter", date_of_birth=date(1990, 7, 2))
    dan = PersonFactory(given_name="Dan", family_name="Dunn")
    eve = PersonFactory(given_name="Eve", family_name="Evans")
    fay = PersonFactory(given_name="Fay", family_name="Fisher")

    for person in (ann, ben, cat, dan):
        CareTeamMemberFactory(person=person, user=coordinator, role=Role.CARE_COORDINATOR)
    CareTeamMemberFactory(person=ann, user=da_worker_in_team, role=Role.SUBSTANCE_MISUSE_WORKER)
    CareTeamMemberFactory(person=ann, user=admin, role=Role.CARE_COORDINATOR)
    CareTeamMemberFactory(person=ann, user=researcher, role=Role.CARE_COORDINATOR)
    CareTeamMemberFactory(person=eve, user=coordinator_south, role=Role.CARE_COORDINATOR)
    CareTeamMemberFactory(person=fay, user=former_coordinator, started_on=date(2019, 1, 1), ended_on=last_year)

    ConsentFactory(person=ben, organisation=pathways, parts=["substance_use", "care_plan"], recorded_by=coordinator)
    ConsentFactory(
        person=dan,
        organisation=pathways,
        parts=["substance_use", "care_plan", "contact"],
        recorded_by=coordinator,
        given_on=date(2024, 1, 1),
        withdrawn_on=last_year,
        withdrawn_by=coordinator,
    )
    ConsentFactory(person=eve, organisation=housing, parts=["contact"], recorded_by=coordinator_south)
    ReferralFactory(person=cat, to_service=pathways_service, referrer=coordinator)
    ReferralFactory(
        person=dan,
        to_service=pathways_service,
        referrer=coordinator,
        status=Status.DECLINED,
        decline_reason="person_declined",
        onward_referral="Signposted to the recovery college's peer support group.",
    )

    return Cast(
        trust=trust,
        pathways=pathways,
        housing=housing,
        cmht=cmht,
        pathways_service=pathways_service,
        north=north,
        south=south,
        pathways_team=pathways_team,
        ward=ward,
        ward_team=ward_team,
        coordinator=coordinator,
        coordinator_south=coordinator_south,
        psychiatrist=psychiatrist,
        da_worker_in_team=da_worker_in_team,
        da_worker=da_worker,
        housing_officer=housing_officer,
        former_coordinator=former_coordinator,
        admin=admin,
        researcher=researcher,
        team_leader=team_leader,
        peer_worker=peer_worker,
        ward_nurse=ward_nurse,
        addictions_consultant=addictions_consultant,
        ann=ann,
        ben=ben,
        cat=cat,
        dan=dan,
        eve=eve,
        fay=fay,
    )
