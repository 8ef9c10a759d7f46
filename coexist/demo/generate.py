"""A synthetic population of people, staff and relationships, deterministic from a seed.

Used by `make run` (the demo), by tests and by benchmarks. Proportions are stated next to each
choice. Every name, NHS number (from the 999 synthetic range) and address is made up.

The same seed and size always give the same data, down to the ids: the random generator, Faker
and the ids are all driven from the seed, and dates hang off a fixed anchor date, not today. The
referral-to-care-plan pathway (referrals, episodes, screens, assessments, plans, tasks) is laid out
by `pathway.py`; only open tasks, what raised them and current flags' review dates follow the clock.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone
from faker import Faker
from nhs_number.validate import calculate_checksum, is_valid

from coexist.accounts.models import User
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.demo.appointments import add_appointments
from coexist.demo.evaluation import add_evaluation
from coexist.demo.groups import add_groups
from coexist.demo.pathway import NO_COORDINATOR_SHARE, PLANTED_ROLES, Case, Pathway
from coexist.demo.reviews import add_case_reviews
from coexist.demo.transitions import add_transitions
from coexist.organisations.models import Membership, Organisation, OrganisationKind, Role, Service, ServiceKind, Team
from coexist.people.models import Carer, Consent, EthnicCategory, HousingStatus, Person, Relationship, Sex
from coexist.people.rules import ContactMethod, RecordPart
from coexist.research.models import ResearchProject

T = TypeVar("T")

DEMO_PASSWORD = "coexist-demo-2026"  # noqa: S105 (synthetic demo sign-ins, printed by make run)
# Dates are laid out before this day, so the demo reads the same whenever it is loaded.
ANCHOR = date(2026, 1, 5)
TRUST_NAME = "Northfield Partnership NHS Foundation Trust"

# England and Wales 2021 census, ethnic group of usual residents, mapped to NHS ethnic category codes
# (Gypsy or Irish Traveller and Roma fold into C; Arab into S). Percentages.
ETHNICITY_WEIGHTS: dict[str, float] = {
    EthnicCategory.A: 73.5,
    EthnicCategory.B: 0.9,
    EthnicCategory.C: 6.6,
    EthnicCategory.D: 0.9,
    EthnicCategory.E: 0.4,
    EthnicCategory.F: 0.8,
    EthnicCategory.G: 0.9,
    EthnicCategory.H: 3.3,
    EthnicCategory.J: 2.7,
    EthnicCategory.K: 1.1,
    EthnicCategory.L: 1.6,
    EthnicCategory.M: 1.1,
    EthnicCategory.N: 2.5,
    EthnicCategory.P: 0.6,
    EthnicCategory.R: 0.7,
    EthnicCategory.S: 2.2,
    EthnicCategory.Z: 0.2,
}

# England 2021 census, sex of usual residents (51% female), with a few not stated or not known.
SEX_WEIGHTS = {Sex.FEMALE: 50.5, Sex.MALE: 48.5, Sex.NOT_STATED: 0.7, Sex.NOT_KNOWN: 0.3}

# England 2021 census adult age structure, 18 to 79 (services see few people older). Percentages.
AGE_BAND_WEIGHTS = {(18, 24): 11.0, (25, 34): 17.0, (35, 44): 16.5, (45, 54): 17.0, (55, 64): 16.0, (65, 79): 22.5}

# People with coexisting severe mental illness and substance use are far more often homeless than
# the general population; about one in six here (RECO names homeless people as a group to study).
HOUSING_WEIGHTS = {
    HousingStatus.SETTLED: 64,
    HousingStatus.SUPPORTED: 12,
    HousingStatus.TEMPORARY: 8,
    HousingStatus.NO_FIXED_ABODE: 6,
    HousingStatus.ROUGH_SLEEPING: 3,
    HousingStatus.NOT_KNOWN: 7,
}
PRISON_RELEASE_SHARE = 0.08  # released in the 12 months before the anchor date
CARING_SHARE = 0.15  # caring for children or adults
NHS_NUMBER_SHARE = 0.92  # the rest gave none (drop-in, self-referral)
CONTACT_WEIGHTS = {
    ContactMethod.TEXT: 35,
    ContactMethod.PHONE: 28,
    ContactMethod.LETTER: 12,
    ContactMethod.IN_PERSON: 12,
    ContactMethod.EMAIL: 9,
    ContactMethod.VIDEO: 4,
}
CASELOAD_SIZE = 25  # people per care coordinator


@dataclass(frozen=True)
class CastMember:
    """A named demo sign-in, with what they can see stated in `sees`."""

    username: str
    first_name: str
    last_name: str
    role: Role
    team: str
    sees: str
    also_in: tuple[str, ...] = ()  # further teams they work in, in the same role


# The named cast. Tests and the README rely on who sees whom; keep `sees` true.
CAST: tuple[CastMember, ...] = (
    CastMember(
        "coordinator",
        "Alex",
        "Morgan",
        Role.CARE_COORDINATOR,
        "North community team",
        "their caseload of about 25 people as named care coordinator, with open urgent tasks (R2, R15), "
        "some overdue; everyone whose episode of care North community team holds (duty cover); and the "
        "community mental health triage queue",
    ),
    CastMember(
        "coordinator2",
        "Priya",
        "Patel",
        Role.CARE_COORDINATOR,
        "South community team",
        "their own caseload and everyone whose episode South community team holds, none of Alex Morgan's "
        "people; the community mental health triage queue",
    ),
    CastMember(
        "substance",
        "Chidi",
        "Okafor",
        Role.SUBSTANCE_MISUSE_WORKER,
        "Community drug and alcohol team",
        "people whose care team they are in, people referred to the drug and alcohol service, "
        "and people who agreed to share with Pathways; the drug and alcohol triage queue",
    ),
    CastMember(
        "substance2",
        "Erin",
        "Walsh",
        Role.SUBSTANCE_MISUSE_WORKER,
        "Community drug and alcohol team",
        "only referrals to the drug and alcohol service and people who agreed to share with "
        "Pathways (no care team of their own); refused everyone else. Also works at the dual diagnosis "
        "drop-in: its visits (2 made into referrals) and its self-referrals",
        also_in=("Drop-in team",),
    ),
    CastMember(
        "teamlead",
        "Sam",
        "Hughes",
        Role.TEAM_LEADER,
        "North community team",
        "everyone whose episode of care North community team holds, and the team leader's list: "
        "episodes with no care coordinator yet (R3), people not yet asked about alcohol and drugs (R15), "
        "risk flags past their review date (R13), missed appointments not followed up in time (R6, escalated "
        "to them by the background worker), case reviews due (R7), with the QS188 figures; the community "
        "mental health triage queue",
    ),
    CastMember(
        "psychiatrist",
        "Tunde",
        "Adeyemi",
        Role.PSYCHIATRIST,
        "North community team",
        "people whose care team they are in and everyone whose episode North community team holds",
    ),
    CastMember(
        "consultant",
        "Imran",
        "Khan",
        Role.ADDICTIONS_CONSULTANT,
        "Community drug and alcohol team",
        "referrals to the drug and alcohol service and people who agreed to share with Pathways; "
        "the drug and alcohol triage queue; the advice requests asked of them (asking adds the consultant to "
        "the person's care team), three still open, and the methadone handover waiting for the community "
        "prescriber to accept it (Tasks)",
    ),
    CastMember(
        "peer",
        "Jess",
        "Jones",
        Role.PEER_SUPPORT_WORKER,
        "North community team",
        "people whose care team they are in and everyone whose episode North community team holds",
    ),
    CastMember(
        "wardnurse",
        "Grace",
        "Mensah",
        Role.WARD_NURSE,
        "Willow Ward team",
        "the people on Willow Ward now (admissions, leave, methadone doses, the discharge checklist: one is "
        "held until the community prescriber accepts the methadone handover) and the names and group "
        "attendance of people enrolled in the ward group she facilitates",
    ),
    CastMember(
        "wardlead",
        "Femi",
        "Adebayo",
        Role.TEAM_LEADER,
        "Willow Ward team",
        "the people on Willow Ward now, and the ward's discharge figures (R8, R9): opiate substitution "
        "continuity, naloxone offered, follow-up within 72 hours, days to the first community dose, and the "
        "senior overrides of the checklist",
    ),
    CastMember(
        "admin",
        "Robin",
        "Clarke",
        Role.ADMINISTRATOR,
        "Digital services",
        "no one's record; manages accounts and services, and the provider handover when the drug and alcohol "
        "contract ends in 60 days (dry run, run, reconciliation: counts only, no names)",
    ),
    CastMember(
        "researcher",
        "Nadia",
        "Rahman",
        Role.RESEARCHER,
        "Dual diagnosis evaluation",
        "no one's record; the outcome dashboards (small numbers hidden) and de-identified, logged extracts "
        "for the RECO research project",
    ),
)

ORGANISATIONS: tuple[tuple[str, OrganisationKind, str], ...] = (
    (TRUST_NAME, OrganisationKind.NHS_TRUST, "RX1"),
    ("Pathways Drug and Alcohol Service", OrganisationKind.DRUG_ALCOHOL_PROVIDER, "NX1"),
    ("Riverside Housing Association", OrganisationKind.HOUSING, ""),
    ("Elm Street Medical Practice", OrganisationKind.GP_PRACTICE, "X99001"),
    ("Northfield City Council Adult Social Care", OrganisationKind.SOCIAL_CARE, ""),
)

# (organisation index, service, kind, teams)
SERVICES: tuple[tuple[int, str, ServiceKind, tuple[str, ...]], ...] = (
    (
        0,
        "Community mental health service",
        ServiceKind.COMMUNITY_MENTAL_HEALTH,
        ("North community team", "South community team"),
    ),
    (0, "Willow Ward", ServiceKind.INPATIENT_WARD, ("Willow Ward team",)),
    (0, "Dual diagnosis drop-in", ServiceKind.DROP_IN, ("Drop-in team",)),
    (0, "Recovery college", ServiceKind.RECOVERY_COLLEGE, ("Recovery college tutors",)),
    (0, "Corporate services", ServiceKind.SOCIAL_CARE, ("Digital services", "Dual diagnosis evaluation")),
    (1, "Community drug and alcohol service", ServiceKind.DRUG_ALCOHOL, ("Community drug and alcohol team",)),
    (2, "Tenancy sustainment", ServiceKind.HOUSING_SUPPORT, ("Tenancy support team",)),
    (3, "General practice", ServiceKind.PRIMARY_CARE, ("Practice team",)),
    (4, "Adult social care", ServiceKind.SOCIAL_CARE, ("Mental health social work team",)),
)


@dataclass
class Summary:
    organisations: int = 0
    staff: int = 0
    people: int = 0
    care_team_members: int = 0
    referrals: int = 0  # open: waiting for triage or a decision
    accepted_referrals: int = 0
    consents: int = 0
    carers: int = 0
    episodes: int = 0
    episodes_without_coordinator: int = 0
    instrument_responses: int = 0
    risk_flags: int = 0
    joint_assessments: int = 0
    care_plans: int = 0
    care_plan_versions: int = 0
    draft_care_plans: int = 0
    carer_assessments: int = 0
    tasks: int = 0
    open_tasks: int = 0
    drop_in_visits: int = 0
    appointments: int = 0
    follow_ups: int = 0
    open_follow_ups: int = 0
    case_reviews: int = 0
    group_sessions: int = 0
    ward_stays: int = 0
    discharges: int = 0
    advice_requests: int = 0
    skipped: bool = False


class SeededRandom:
    """The seed's random generator, with the helpers the generator needs."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def weighted(self, weights: dict[T, float] | dict[T, int]) -> T:
        keys = list(weights)
        return self.rng.choices(keys, weights=[float(weights[k]) for k in keys])[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def synthetic_nhs_number(self, used: set[str]) -> str:
        """A valid NHS number from the 999 range, which is never issued to real people."""
        while True:
            stem = "999" + f"{self.rng.randrange(10**6):06d}"
            check = calculate_checksum(stem)
            if check is None or check == 10:  # 10 means no valid number has this stem
                continue
            candidate = f"{stem}{check}"
            if is_valid(candidate) and candidate not in used:
                used.add(candidate)
                return candidate


def demo_loaded() -> bool:
    return Organisation.objects.filter(name=TRUST_NAME).exists()


@transaction.atomic
def generate(*, people: int, seed: int, now: datetime | None = None) -> Summary:
    """Make the demo population. Does nothing if it is already there (running twice changes nothing).

    `now` (default: the clock) is what open tasks are due against, so the demo looks live when loaded."""
    if demo_loaded():
        return Summary(skipped=True)
    now = now or timezone.now()
    r = SeededRandom(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)

    organisations = [
        Organisation.objects.create(public_id=r.uuid(), name=name, kind=kind, ods_code=ods)
        for name, kind, ods in ORGANISATIONS
    ]
    teams: dict[str, Team] = {}
    services: dict[str, Service] = {}
    for org_index, service_name, kind, team_names in SERVICES:
        service = Service.objects.create(
            public_id=r.uuid(), organisation=organisations[org_index], name=service_name, kind=kind
        )
        services[service_name] = service
        for team_name in team_names:
            teams[team_name] = Team.objects.create(public_id=r.uuid(), service=service, name=team_name)

    staff_since = ANCHOR - timedelta(days=3 * 365)
    cast: dict[str, User] = {}
    for member in CAST:
        user = User(
            public_id=r.uuid(),
            username=member.username,
            first_name=member.first_name,
            last_name=member.last_name,
            email=f"{member.username}@example.nhs.uk",
            is_staff=member.role == Role.ADMINISTRATOR,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        for team_name in (member.team, *member.also_in):
            Membership.objects.create(
                public_id=r.uuid(), user=user, team=teams[team_name], role=member.role, started_on=staff_since
            )
        cast[member.username] = user
    _grant_administration(cast["admin"])

    # Enough coordinators for the caseload size; the named coordinators take the first caseloads.
    coordinators = [cast["coordinator"], cast["coordinator2"]]
    extra_coordinators = max(0, -(-people // CASELOAD_SIZE) - len(coordinators))
    substance_workers = [cast["substance"]]
    generated_staff: list[tuple[User, str, Role]] = []
    for i in range(extra_coordinators):
        generated_staff.append(
            (_staff_user(r, fake, i), r.pick(["North community team", "South community team"]), Role.CARE_COORDINATOR)
        )
    for i in range(max(1, people // 60)):
        generated_staff.append(
            (
                _staff_user(r, fake, extra_coordinators + i),
                "Community drug and alcohol team",
                Role.SUBSTANCE_MISUSE_WORKER,
            )
        )
    User.objects.bulk_create([u for u, _, _ in generated_staff])
    Membership.objects.bulk_create(
        [
            Membership(public_id=r.uuid(), user=u, team=teams[t], role=role, started_on=staff_since)
            for u, t, role in generated_staff
        ]
    )
    coordinators += [u for u, _, role in generated_staff if role == Role.CARE_COORDINATOR]
    substance_workers += [u for u, _, role in generated_staff if role == Role.SUBSTANCE_MISUSE_WORKER]

    used_numbers: set[str] = set()
    persons = _people(r, fake, people, used_numbers)
    Person.objects.bulk_create(persons)

    north, south = teams["North community team"], teams["South community team"]
    team_of = {cast["coordinator"].pk: north, cast["coordinator2"].pk: south}
    team_of |= {u.pk: teams[t] for u, t, role in generated_staff if role == Role.CARE_COORDINATOR}
    # R3: a few accepted episodes wait for a coordinator, on North's team leader's list; never Alex Morgan's people.
    planted = (
        set(r.rng.sample(range(CASELOAD_SIZE, people), max(1, round(people * NO_COORDINATOR_SHARE))))
        if people > CASELOAD_SIZE
        else set()
    )
    alex_caseload = min(CASELOAD_SIZE, people)
    chosen = r.rng.sample(range(alex_caseload), min(len(PLANTED_ROLES), alex_caseload))
    roles = dict(zip(chosen, PLANTED_ROLES[: len(chosen)], strict=True))
    pathway = Pathway(
        r,
        fake,
        now=now,
        cast=cast,
        services=services,
        teams=teams,
        trust=organisations[0],
        pathways=organisations[1],
        substance_workers=substance_workers,
        anchor=ANCHOR,
    )

    care_team: list[CareTeamMember] = []
    consents: list[Consent] = []
    carers: list[Carer] = []
    cases: list[Case] = []
    pathways, housing = organisations[1], organisations[2]
    for index, person in enumerate(persons):
        coordinator: User | None
        if index in planted:
            since = ANCHOR - timedelta(days=r.rng.randrange(3, 25))
            coordinator, team, accepted_by = None, north, cast["teamlead"]
        else:
            since = ANCHOR - timedelta(days=r.rng.randrange(30, 900))
            coordinator = coordinators[min(index // CASELOAD_SIZE, len(coordinators) - 1)]
            team = team_of[coordinator.pk]
            accepted_by = cast["teamlead"] if team is north else coordinator
        # Everyone came in by an accepted referral that opened the episode the coordinator is named on (R3).
        case = pathway.accepted_case(
            person=person, team=team, coordinator=coordinator, accepted_by=accepted_by, since=since
        )
        case.role = roles.get(index, "")
        episode = case.episode
        if coordinator is not None:
            care_team.append(_member(r, person, coordinator, Role.CARE_COORDINATOR, since, episode, accepted_by))
        if coordinator is cast["coordinator"]:
            if r.chance(0.3):
                care_team.append(_member(r, person, cast["psychiatrist"], Role.PSYCHIATRIST, since, episode))
            if r.chance(0.2):
                care_team.append(_member(r, person, cast["peer"], Role.PEER_SUPPORT_WORKER, since, episode))
        # Half have a substance misuse worker in the care team; of the rest, some are referred.
        if r.chance(0.5):
            case.substance_worker = r.pick(substance_workers)
            care_team.append(_member(r, person, case.substance_worker, Role.SUBSTANCE_MISUSE_WORKER, since, episode))
        elif r.chance(0.3):
            pathway.open_drug_alcohol_referral(person=person, by=coordinator or accepted_by)
        case.carers = [_carer(r, fake, person) for _ in range(r.weighted({0: 65, 1: 28, 2: 7}))]
        carers += case.carers
        consenter = coordinator or accepted_by
        if r.chance(0.3):
            consents.append(
                _consent(
                    r,
                    person,
                    consenter,
                    pathways,
                    None,
                    [RecordPart.CONTACT, RecordPart.CARE_PLAN, RecordPart.SUBSTANCE_USE, RecordPart.RISK],
                )
            )
        if r.chance(0.1):
            consents.append(_consent(r, person, consenter, housing, None, [RecordPart.CONTACT, RecordPart.CARE_PLAN]))
        for carer in case.carers:
            if carer.provides_care and r.chance(0.5):
                consents.append(_consent(r, person, consenter, None, carer, [RecordPart.CARE_PLAN]))
        cases.append(case)
    for index, case in enumerate(cases):
        pathway.clinical(case, alex=index < alex_caseload)
    pathway.triage_work(persons, used_numbers)

    pathway.save_referrals_and_episodes()
    CareTeamMember.objects.bulk_create(care_team)
    Carer.objects.bulk_create(carers)
    Consent.objects.bulk_create(consents)
    counts = pathway.save()
    engagement = add_appointments(r, cases, now=now, flags=pathway.flags)
    reviews = add_case_reviews(r, cases=cases, care_team=care_team, now=now)
    groups = add_groups(rng=r.rng, now=now, services=services, cast=cast, people=persons)
    moves = add_transitions(r, cases, now=now, cast=cast, services=services, teams=teams, reference=pathway.reference)
    # Issue 6: a research project naming the demo researcher, so de-identified extracts can be tried.
    project = ResearchProject.objects.create(
        public_id=r.uuid(), name="RECO: what works for whom in dual diagnosis care",
        approval_reference="IRAS 999999 (synthetic)", purpose="Realist evaluation of the integrated model.",
        data_controller_contact="Information governance, Northfield Partnership NHS Foundation Trust",
        starts_on=ANCHOR - timedelta(days=365), ends_on=ANCHOR + timedelta(days=3 * 365),
        key=bytes(r.rng.getrandbits(8) for _ in range(32)),
    )  # fmt: skip
    project.members.add(cast["researcher"])
    add_evaluation(
        r, today=timezone.localdate(now), cmht=services["Community mental health service"], cast=cast,
        staff=[cast["coordinator"], cast["coordinator2"], cast["psychiatrist"], cast["teamlead"]],
    )  # fmt: skip

    return Summary(
        organisations=len(organisations),
        staff=len(cast) + len(generated_staff),
        people=len(persons),
        care_team_members=len(care_team),
        referrals=counts.open_referrals,
        accepted_referrals=counts.accepted_referrals,
        consents=len(consents),
        carers=len(carers),
        episodes=counts.episodes,
        episodes_without_coordinator=counts.without_coordinator,
        instrument_responses=counts.instrument_responses + moves.screens,
        risk_flags=counts.risk_flags,
        joint_assessments=counts.joint_assessments,
        care_plans=counts.care_plans,
        care_plan_versions=counts.care_plan_versions,
        draft_care_plans=counts.draft_plans,
        carer_assessments=counts.carer_assessments,
        tasks=counts.tasks + engagement.follow_ups + moves.open_tasks,
        open_tasks=counts.open_tasks + engagement.open_follow_ups + moves.open_tasks,
        drop_in_visits=counts.drop_in_visits,
        appointments=engagement.appointments + moves.appointments,
        follow_ups=engagement.follow_ups,
        open_follow_ups=engagement.open_follow_ups,
        case_reviews=reviews,
        group_sessions=groups.sessions,
        ward_stays=moves.admissions,
        discharges=moves.discharges,
        advice_requests=moves.advice_requests,
    )


def _grant_administration(user: User) -> None:
    """Administrators manage accounts, organisations, services, teams and memberships; no clinical model."""
    perms = Permission.objects.filter(
        content_type__app_label__in=["accounts", "organisations", "axes"],
    )
    user.user_permissions.set(perms)


def _staff_user(r: SeededRandom, fake: Faker, index: int) -> User:
    user = User(
        public_id=r.uuid(),
        username=f"staff{index + 1:04d}",
        first_name=fake.first_name(),
        last_name=fake.last_name(),
    )
    user.set_unusable_password()  # generated staff are there to hold caseloads, not to sign in
    return user


def _people(r: SeededRandom, fake: Faker, count: int, used_numbers: set[str]) -> list[Person]:
    persons = []
    for _ in range(count):
        sex = r.weighted(SEX_WEIGHTS)
        given = (
            fake.first_name_female()
            if sex == Sex.FEMALE
            else fake.first_name_male()
            if sex == Sex.MALE
            else fake.first_name()
        )
        low, high = r.weighted(AGE_BAND_WEIGHTS)
        age_days = r.rng.randrange(low * 365 + 1, (high + 1) * 365 - 1)
        method = r.weighted(CONTACT_WEIGHTS)
        has_phone = method in (ContactMethod.PHONE, ContactMethod.TEXT, ContactMethod.VIDEO) or r.chance(0.6)
        has_email = method == ContactMethod.EMAIL or r.chance(0.2)
        housing = r.weighted(HOUSING_WEIGHTS)
        has_address = housing not in (HousingStatus.NO_FIXED_ABODE, HousingStatus.ROUGH_SLEEPING)
        if method == ContactMethod.LETTER and not has_address:
            method = ContactMethod.IN_PERSON  # no address to write to
        caring = r.chance(CARING_SHARE)
        persons.append(
            Person(
                public_id=r.uuid(),
                nhs_number=r.synthetic_nhs_number(used_numbers) if r.chance(NHS_NUMBER_SHARE) else None,
                given_name=given,
                family_name=fake.last_name(),
                preferred_name=fake.first_name() if r.chance(0.04) else "",
                date_of_birth=ANCHOR - timedelta(days=age_days),
                sex=sex,
                gender_same_as_sex=r.weighted({"yes": 93, "no": 1, "not_stated": 6}),
                ethnic_category=r.weighted(ETHNICITY_WEIGHTS),
                housing_status=housing,
                released_from_prison_on=(ANCHOR - timedelta(days=r.rng.randrange(1, 365)))
                if r.chance(PRISON_RELEASE_SHARE)
                else None,
                has_caring_responsibilities=caring,
                childcare_barrier=r.chance(0.4) if caring else False,
                transport_barrier=r.chance(0.2),
                contact_method=method,
                phone=f"07700 9{r.rng.randrange(10**5):05d}" if has_phone else "",  # Ofcom drama range
                email=f"{given.lower()}.{r.rng.randrange(1000)}@example.com" if has_email else "",
                address=f"{fake.building_number()} {fake.street_name()}\nNorthfield" if has_address else "",
                postcode=fake.postcode() if has_address else "",
            )
        )
    return persons


def _member(
    r: SeededRandom,
    person: Person,
    user: User,
    role: Role,
    since: date,
    episode: EpisodeOfCare,
    added_by: User | None = None,
) -> CareTeamMember:
    return CareTeamMember(
        public_id=r.uuid(), person=person, episode=episode, user=user, role=role, started_on=since, added_by=added_by
    )


def _carer(r: SeededRandom, fake: Faker, person: Person) -> Carer:
    return Carer(
        public_id=r.uuid(),
        person=person,
        name=fake.name(),
        relationship=r.weighted(
            {
                Relationship.PARENT: 35,
                Relationship.PARTNER: 25,
                Relationship.SIBLING: 15,
                Relationship.CHILD: 10,
                Relationship.FRIEND: 10,
                Relationship.OTHER: 5,
            }
        ),
        provides_care=r.chance(0.7),
        lives_with_person=r.chance(0.4),
        phone=f"07700 9{r.rng.randrange(10**5):05d}",
    )


def _consent(
    r: SeededRandom,
    person: Person,
    by: User,
    organisation: Organisation | None,
    carer: Carer | None,
    parts: list[RecordPart],
) -> Consent:
    return Consent(
        public_id=r.uuid(),
        person=person,
        organisation=organisation,
        carer=carer,
        parts=sorted(parts),
        given_on=ANCHOR - timedelta(days=r.rng.randrange(1, 400)),
        recorded_by=by,
    )
