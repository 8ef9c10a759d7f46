"""A generated population for the outcome measures at scale (issue 6: the service dashboard on 100,000 people).

It writes, with bulk inserts only, exactly the rows the measures in `definitions.MEASURES` read, spread over the
`months` months before `now` so that every month of a dashboard has figures: referrals from every route (some
declined, with an allowed R1 reason), episodes of care with coordinators (some finished, some because the person
chose to leave), joint assessments, substance-use screens, TOP and DIALOG repeated every three months,
appointments with NHS Data Dictionary outcomes, R6 follow-ups of the missed ones (most on time), losses of
contact, held case reviews (R7), and ward stays ending in a completed discharge with its checklist as stored at
completion, opiate substitution with the doses given after discharge, accepted prescribing handovers and
community contacts after discharge.

Proportions are stated next to each choice; they are plausible, not national figures. Deterministic from the
seed (dates and choices; ids come from the database). Synthetic: no names, no NHS numbers, no free text about
anyone. Never run it against live data.

Each area has three services: a community mental health service (four teams) and an inpatient ward in a trust, a
drug and alcohol service (two teams) in a commissioned provider; people are shared between areas by weight. Every
person is referred to their area's community mental health service (55%) or drug and alcohol service (45%); a
fifth are also referred to the other one; one in ten has a ward stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.models import AssessmentStatus, JointAssessment
from coexist.care.models import CaseReview, CaseReviewStatus, EpisodeOfCare, EpisodeStatus
from coexist.demo.generate import AGE_BAND_WEIGHTS, ETHNICITY_WEIGHTS, HOUSING_WEIGHTS, SEX_WEIGHTS, SeededRandom
from coexist.engagement.models import Appointment, FollowUp, LossOfContact
from coexist.engagement.rules import Attendance, DischargeReason, RiskLevel
from coexist.instruments.models import InstrumentResponse
from coexist.medicines.models import (
    DoseGiven,
    HandoverStatus,
    OpiateSubstitution,
    OpioidSubstitute,
    PrescribingHandover,
)
from coexist.organisations.models import Membership, Organisation, OrganisationKind, Role, Service, ServiceKind, Team
from coexist.people.models import Person
from coexist.people.rules import ContactMethod
from coexist.referrals.models import Referral, Route, Status
from coexist.referrals.rules import REFERENCE_ALPHABET, decline_reasons_for, reference_format
from coexist.tasks.models import Priority, Task, TaskStatus
from coexist.transitions.models import Transition, TransitionKind, TransitionStatus
from coexist.transitions.rules import NALOXONE, PRESCRIBING

BATCH = 5000
CHUNK = 10_000  # people built and saved at a time, so memory stays flat however many are asked for

ROUTE_WEIGHTS = {
    Route.STAFF: 35,
    Route.GP: 25,
    Route.SELF: 15,
    Route.CRIMINAL_JUSTICE: 10,
    Route.DROP_IN: 8,
    Route.WARD: 7,
}
# Of referrals decided: accepted, declined (with an allowed reason and an onward route), redirected.
DECISION_WEIGHTS = {Status.ACCEPTED: 82, Status.DECLINED: 10, Status.REDIRECTED: 5, Status.WITHDRAWN: 3}
FINISH_WEIGHTS = {
    DischargeReason.GOALS_MET: 45,
    DischargeReason.PERSON_CHOSE_TO_LEAVE: 20,
    DischargeReason.TRANSFERRED: 15,
    DischargeReason.MOVED_AWAY: 15,
    DischargeReason.DIED: 5,
}
ATTENDANCE_WEIGHTS = {
    Attendance.ATTENDED_ON_TIME: 76,
    Attendance.ARRIVED_LATE_SEEN: 5,
    Attendance.DID_NOT_ATTEND: 11,
    Attendance.ARRIVED_LATE_NOT_SEEN: 1,
    Attendance.CANCELLED_BY_PERSON: 5,
    Attendance.CANCELLED_BY_PROVIDER: 2,
}
RISK_WEIGHTS = {RiskLevel.NONE: 80, RiskLevel.EXISTING_CONCERNS: 15, RiskLevel.SELF_HARM_OR_SUICIDE: 5}
FOLLOW_UP_DUE = {
    RiskLevel.NONE: timedelta(days=4),  # about 3 working days
    RiskLevel.EXISTING_CONCERNS: timedelta(hours=24),
    RiskLevel.SELF_HARM_OR_SUICIDE: timedelta(0),
}
SECOND_REFERRAL_SHARE = 0.2
COORDINATOR_SHARE = 0.88
ASSESSED_SHARE = 0.65
SCREENED_SHARE = 0.75
FOLLOW_UP_ON_TIME_SHARE = 0.85
LOSS_OF_CONTACT_SHARE = 0.04
REVIEW_HELD_SHARE = 0.75
WARD_STAY_SHARE = 0.10
ON_OST_SHARE = 0.30  # of people with a ward stay, on opiate substitution
USES_OPIOIDS_SHARE = 0.25  # of the others with a ward stay
MEAN_EPISODE_DAYS = 300


@dataclass(frozen=True)
class Area:
    """One area's services by key ("cmht", "drug_alcohol", "ward") and the teams of each."""

    name: str
    services: dict[str, Service]
    teams: dict[str, list[Team]]


@dataclass(frozen=True)
class OutcomesPopulation:
    """What the generator made: its areas (the first is the largest), and a service manager who may see every
    service's dashboard and the commissioner's view. `services` and `teams` are the first area's."""

    areas: list[Area]
    manager: User
    people: int

    @property
    def services(self) -> dict[str, Service]:
        return self.areas[0].services

    @property
    def teams(self) -> dict[str, list[Team]]:
        return self.areas[0].teams


# Saved in this order, so every row's parents are saved before it (bulk_create then takes their new ids).
ORDER: tuple[type[models.Model], ...] = (
    Person,
    Referral,
    EpisodeOfCare,
    Appointment,
    Task,
    FollowUp,
    JointAssessment,
    InstrumentResponse,
    CaseReview,
    LossOfContact,
    Transition,
    OpiateSubstitution,
    DoseGiven,
    PrescribingHandover,
)


class _Rows:
    """One chunk's rows by model, linked to each other as objects until they are saved."""

    def __init__(self) -> None:
        self.by_model: dict[type[models.Model], list[models.Model]] = {model: [] for model in ORDER}

    def add(self, *rows: models.Model) -> None:
        for row in rows:
            self.by_model[type(row)].append(row)

    def save(self) -> None:
        for model, found in self.by_model.items():
            model._default_manager.bulk_create(found, batch_size=BATCH)


def _moment(r: SeededRandom, lo: datetime, hi: datetime) -> datetime:
    """A moment between lo and hi, in working hours (09:00 to 17:00 UTC)."""
    day = lo + timedelta(days=r.rng.randrange(max(1, (hi - lo).days)))
    return day.replace(hour=9 + r.rng.randrange(8), minute=r.rng.randrange(0, 60, 5), second=0, microsecond=0)


def _user(username: str, first: str, last: str) -> User:
    return User(username=username, first_name=first, last_name=last, password="!")  # noqa: S106 (unusable)


class _References:
    """Unique referral references (the model's default draws at random and would collide at this scale)."""

    def __init__(self) -> None:
        self.used = set(Referral.objects.values_list("reference", flat=True))
        self.n = 0

    def next(self) -> str:
        while True:
            self.n += 1
            value, chars = self.n, []
            for _ in range(6):
                value, digit = divmod(value, len(REFERENCE_ALPHABET))
                chars.append(REFERENCE_ALPHABET[digit])
            reference = reference_format("".join(reversed(chars)))
            if reference not in self.used:
                self.used.add(reference)
                return reference


TEAM_NAMES = {
    "cmht": ["North community team", "South community team", "East community team", "West community team"],
    "drug_alcohol": ["City drug and alcohol team", "County drug and alcohol team"],
    "ward": ["Ward team"],
}
ROLE_OF = {"cmht": Role.CARE_COORDINATOR, "drug_alcohol": Role.SUBSTANCE_MISUSE_WORKER, "ward": Role.WARD_NURSE}


def _area(name: str, prefix: str) -> tuple[Area, list[tuple[User, Team, Role]]]:
    """An area's trust and drug and alcohol provider, their three services, their teams and 12 staff a team."""
    trust = Organisation.objects.create(name=f"{name} Trust", kind=OrganisationKind.NHS_TRUST)
    provider = Organisation.objects.create(name=f"{name} Recovery", kind=OrganisationKind.DRUG_ALCOHOL_PROVIDER)
    services = {
        "cmht": Service.objects.create(
            organisation=trust, name=f"{name} community mental health service", kind=ServiceKind.COMMUNITY_MENTAL_HEALTH
        ),
        "drug_alcohol": Service.objects.create(
            organisation=provider, name=f"{name} drug and alcohol service", kind=ServiceKind.DRUG_ALCOHOL
        ),
        "ward": Service.objects.create(organisation=trust, name=f"{name} ward", kind=ServiceKind.INPATIENT_WARD),
    }
    teams = {
        key: [Team.objects.create(service=services[key], name=n) for n in names] for key, names in TEAM_NAMES.items()
    }
    staff = [
        (_user(f"{prefix}_{name.lower()}_{key}_{t}_{n}", "Worker", f"{name} {key} {t}-{n}"), team, ROLE_OF[key])
        for key, service_teams in teams.items()
        for t, team in enumerate(service_teams)
        for n in range(12)
    ]
    return Area(name, services, teams), staff


@transaction.atomic
def generate_outcomes_population(
    *,
    people: int,
    seed: int = 6,
    months: int = 36,
    now: datetime | None = None,
    prefix: str = "oc",
    areas: Sequence[tuple[str, float]] = (("Northfield", 1.0),),
) -> OutcomesPopulation:
    """Make each area's services, and `people` people shared between the areas by weight, whose care spreads over
    the `months` months before `now`."""
    if people < 1 or months < 1 or not areas:
        raise ValueError("Generate at least one person in at least one area over at least one month.")
    now = now or timezone.now()
    r = SeededRandom(seed)
    since = timezone.localdate(now) - timedelta(days=31 * months + 400)
    made = [_area(name, prefix) for name, _ in sorted(areas, key=lambda a: -a[1])]
    manager = _user(f"{prefix}_manager", "Sam", "Manager")
    staff = [member for _, members in made for member in members]
    User.objects.bulk_create([u for u, _, _ in staff] + [manager])
    Membership.objects.bulk_create(
        [Membership(user=u, team=t, role=role, started_on=since) for u, t, role in staff]
        + [Membership(user=manager, team=made[0][0].teams["cmht"][0], role=Role.SERVICE_MANAGER, started_on=since)]
    )
    workers: dict[int, list[User]] = {}  # by team pk
    for user, team, _ in staff:
        workers.setdefault(team.pk, []).append(user)
    world = _World(
        r=r,
        now=now,
        start=now - timedelta(days=31 * months),
        areas={area.name: area for area, _ in made},
        weights=dict(areas),
        workers=workers,
        references=_References(),
    )
    for first in range(0, people, CHUNK):
        rows = _Rows()
        for number in range(first, min(first + CHUNK, people)):
            world.person(rows, number + 1)
        rows.save()
    return OutcomesPopulation(areas=[area for area, _ in made], manager=manager, people=people)


@dataclass
class _World:
    r: SeededRandom
    now: datetime
    start: datetime
    areas: dict[str, Area]
    weights: dict[str, float]
    workers: dict[int, list[User]]
    references: _References
    services: dict[str, Service] = field(default_factory=dict)  # the area of the person being made
    teams: dict[str, list[Team]] = field(default_factory=dict)

    def person(self, rows: _Rows, number: int) -> None:
        r, now = self.r, self.now
        low, high = r.weighted(AGE_BAND_WEIGHTS)
        today = timezone.localdate(now)
        person = Person(
            given_name="Synthetic",
            family_name=f"Person {number}",
            date_of_birth=today - timedelta(days=365 * r.rng.randint(low, high) + r.rng.randrange(365)),
            sex=r.weighted(SEX_WEIGHTS),
            ethnic_category=r.weighted(ETHNICITY_WEIGHTS),
            housing_status=r.weighted(HOUSING_WEIGHTS),
            released_from_prison_on=today - timedelta(days=r.rng.randrange(1, 730)) if r.chance(0.06) else None,
            has_caring_responsibilities=r.chance(0.15) if r.chance(0.9) else None,  # 10% not asked
            contact_method=ContactMethod.TEXT,
        )
        rows.add(person)
        area = self.areas[r.weighted(self.weights)]
        self.services, self.teams = area.services, area.teams
        first = "cmht" if r.chance(0.55) else "drug_alcohol"
        received = _moment(r, self.start, now)
        lost = self.referral(rows, person, first, received, lost=False)
        if r.chance(SECOND_REFERRAL_SHARE):
            later = received + timedelta(days=r.rng.randrange(1, 240))
            if later < now:
                self.referral(rows, person, "drug_alcohol" if first == "cmht" else "cmht", later, lost=lost)
        if r.chance(WARD_STAY_SHARE):
            self.ward_stay(rows, person)

    def referral(self, rows: _Rows, person: Person, key: str, received: datetime, *, lost: bool) -> bool:
        """A referral and, when accepted, its episode and what happens in it. Returns whether the person has a
        current loss of contact (at most one at a time)."""
        r, now = self.r, self.now
        service = self.services[key]
        decided = received + timedelta(days=r.rng.randrange(1, 22), hours=r.rng.randrange(0, 4))
        status = Status.RECEIVED if decided >= now else r.weighted(DECISION_WEIGHTS)
        referral = Referral(
            reference=self.references.next(),
            person=person,
            to_service=service,
            route=r.weighted(ROUTE_WEIGHTS),
            status=status,
            received_at=received,
            decided_at=None if status == Status.RECEIVED else decided,
        )
        if status == Status.DECLINED:
            referral.decline_reason = r.pick(decline_reasons_for(service.kind)).value
            referral.onward_referral = "Signposted to the GP and the local peer support group."
        rows.add(referral)
        if status != Status.ACCEPTED:
            return lost
        episode = self.episode(rows, person, service, r.pick(self.teams[key]), opened=decided, referral=referral)
        self.assessment_and_measures(rows, person, episode, key)
        return self.appointments(rows, person, episode, lost=lost)

    def episode(
        self, rows: _Rows, person: Person, service: Service, team: Team, *, opened: datetime, referral: Referral | None
    ) -> EpisodeOfCare:
        r, now = self.r, self.now
        worker = r.pick(self.workers[team.pk])
        length = timedelta(days=max(7, int(r.rng.expovariate(1 / MEAN_EPISODE_DAYS))))
        finished = opened + length if opened + length < now else None
        named = r.chance(COORDINATOR_SHARE)
        episode = EpisodeOfCare(
            person=person,
            service=service,
            team=team,
            referral=referral,
            status=EpisodeStatus.FINISHED if finished else EpisodeStatus.ACTIVE,
            coordinator=worker if named else None,
            coordinator_since=timezone.localdate(opened) + timedelta(days=r.rng.randrange(0, 10)) if named else None,
            opened_at=opened,
            opened_by=worker,
            finished_at=finished,
            finished_by=worker if finished else None,
            finish_reason=r.weighted(FINISH_WEIGHTS).value if finished else "",
        )
        rows.add(episode)
        return episode

    def _until(self, episode: EpisodeOfCare) -> datetime:
        return min(self.now, episode.finished_at or self.now)

    def assessment_and_measures(self, rows: _Rows, person: Person, episode: EpisodeOfCare, key: str) -> None:
        r = self.r
        worker = episode.opened_by
        opened, until = episode.opened_at, self._until(episode)
        done = opened + timedelta(days=r.rng.randrange(0, 30), hours=2)
        if r.chance(ASSESSED_SHARE) and done < until:
            rows.add(JointAssessment(
                person=person, episode=episode, status=AssessmentStatus.COMPLETED, started_at=done - timedelta(hours=2),
                started_by=worker, completed_at=done, completed_by=worker,
            ))  # fmt: skip
        at = opened + timedelta(days=r.rng.randrange(0, 20), hours=1)
        if r.chance(SCREENED_SHARE) and at < until:
            code = r.pick(["audit", "audit_c", "dudit"])
            rows.add(_response(person, code, at, worker, {"total": r.rng.randrange(0, 30)}))
        # The change measures: TOP in drug and alcohol services, DIALOG in mental health, about every 3 months.
        code, top = ("top", 20) if key == "drug_alcohol" else ("dialog", 7)
        value = r.rng.uniform(top * 0.2, top * 0.6)
        at = opened + timedelta(days=r.rng.randrange(0, 14), hours=3)
        for _ in range(r.rng.randrange(1, 6)):
            if at >= until:
                break
            score = round(value) if code == "top" else round(value, 2)
            rows.add(_response(person, code, at, worker, {"quality_of_life": score}))
            value = min(top, max(top * 0.1, value + r.rng.gauss(top * 0.04, top * 0.08)))
            at += timedelta(days=r.rng.randrange(75, 105))
        held = timezone.localdate(opened) + timedelta(days=r.rng.randrange(270, 390))
        if r.chance(REVIEW_HELD_SHARE) and held < timezone.localdate(until):
            rows.add(CaseReview(
                person=person, episode=episode, status=CaseReviewStatus.HELD, scheduled_for=_at(held),
                scheduled_by=worker, scheduled_at=_at(held) - timedelta(days=21), held_on=held,
                next_review_on=held + timedelta(days=365), recorded_at=_at(held), recorded_by=worker,
            ))  # fmt: skip

    def appointments(self, rows: _Rows, person: Person, episode: EpisodeOfCare, *, lost: bool) -> bool:
        r = self.r
        worker = episode.coordinator or episode.opened_by
        until = self._until(episode)
        at = episode.opened_at + timedelta(days=r.rng.randrange(2, 21))
        missed_in_a_row = 0
        for _ in range(r.rng.randrange(1, 7)):
            if at >= until:
                break
            status = r.weighted(ATTENDANCE_WEIGHTS)
            appointment = Appointment(
                person=person, episode=episode, service=episode.service, staff=worker, starts_at=at, status=status,
                outcome_recorded_at=at + timedelta(hours=1), outcome_recorded_by=worker,
                created_at=at - timedelta(days=10), created_by=worker,
            )  # fmt: skip
            rows.add(appointment)
            if status not in (Attendance.DID_NOT_ATTEND, Attendance.ARRIVED_LATE_NOT_SEEN):
                missed_in_a_row = 0
            else:
                missed_in_a_row += 1
                self.follow_up(rows, appointment, worker)
                if missed_in_a_row == 2 and not lost and r.chance(LOSS_OF_CONTACT_SHARE * 10):
                    lost = self.loss_of_contact(rows, appointment, worker)
            at += timedelta(days=r.rng.randrange(10, 28))
        return lost

    def follow_up(self, rows: _Rows, appointment: Appointment, worker: User) -> None:
        """R6: the follow-up of a missed appointment and its task; most done by the deadline."""
        r, now = self.r, self.now
        risk = r.weighted(RISK_WEIGHTS)
        missed = appointment.starts_at + timedelta(hours=1)
        due = missed + FOLLOW_UP_DUE[risk]
        done = (
            due - timedelta(minutes=r.rng.randrange(0, 240))
            if r.chance(FOLLOW_UP_ON_TIME_SHARE)
            else due + timedelta(days=3)
        )
        completed = done if done < now else None
        task = Task(
            person=appointment.person, episode=appointment.episode, rule="R6", title="Follow up a missed appointment",
            due_at=due, priority=Priority.URGENT if risk == RiskLevel.SELF_HARM_OR_SUICIDE else Priority.SOON,
            assigned_to=worker, assigned_team=appointment.episode.team if appointment.episode else None,
            created_at=missed, status=TaskStatus.DONE if completed else TaskStatus.OPEN, completed_at=completed,
        )  # fmt: skip
        rows.add(task, FollowUp(
            appointment=appointment, person=appointment.person, task=task, risk_level=risk.value, missed_at=missed,
            due_at=due, created_at=missed, completed_at=completed, completed_by=worker if completed else None,
        ))  # fmt: skip

    def loss_of_contact(self, rows: _Rows, appointment: Appointment, by: User) -> bool:
        """R6: marked after two misses in a row; resolved later for most. Returns whether it is still current."""
        since = appointment.starts_at + timedelta(days=5)
        if since >= self.now:
            return False
        resolved = since + timedelta(days=self.r.rng.randrange(5, 90))
        resolved_at = resolved if resolved < self.now and self.r.chance(0.6) else None
        rows.add(LossOfContact(
            person=appointment.person, episode=appointment.episode, since=since,
            reason="Two missed appointments in a row.", consecutive_missed=2, marked_by=by,
            resolved_at=resolved_at, resolved_by=by if resolved_at else None,
            resolved_how="Seen at a home visit." if resolved_at else "",
        ))  # fmt: skip
        return resolved_at is None

    def ward_stay(self, rows: _Rows, person: Person) -> None:
        """An admission ending in a completed discharge, with what the R9 measures read."""
        r, now = self.r, self.now
        admitted = _moment(r, self.start, now - timedelta(days=3))
        discharged = admitted + timedelta(days=r.rng.randrange(7, 45), hours=2)
        if discharged >= now:
            return
        episode = self.episode(
            rows, person, self.services["ward"], self.teams["ward"][0], opened=admitted, referral=None
        )
        worker = episode.opened_by
        episode.status, episode.finished_at, episode.finished_by = EpisodeStatus.FINISHED, discharged, worker
        episode.finish_reason = DischargeReason.GOALS_MET.value
        on_ost = r.chance(ON_OST_SHARE)
        opioids = on_ost or r.chance(USES_OPIOIDS_SHARE)
        accepted = on_ost and r.chance(0.85)
        checklist = [
            {"key": PRESCRIBING, "applies": on_ost, "met": accepted},
            {"key": NALOXONE, "applies": opioids, "met": opioids and r.chance(0.8)},
        ]
        rows.add(Transition(
            person=person, episode=episode, kind=TransitionKind.DISCHARGE, status=TransitionStatus.COMPLETED,
            discharge_reason=DischargeReason.GOALS_MET.value, started_by=worker,
            started_at=discharged - timedelta(days=3), completed_at=discharged, completed_by=worker,
            checklist_at_completion=checklist,
        ))  # fmt: skip
        if on_ost:
            self.opiate_substitution(rows, person, episode, accepted=accepted)
        for key, chance, hours in (("cmht", 0.7, 72), ("drug_alcohol", 0.55 if opioids else 0.3, 24 * 7)):
            seen = discharged + timedelta(hours=r.rng.randrange(4, hours))
            if r.chance(chance) and seen < now:
                staff = r.pick(self.workers[self.teams[key][0].pk])
                rows.add(Appointment(
                    person=person, service=self.services[key], staff=staff, starts_at=seen,
                    status=Attendance.ATTENDED_ON_TIME, outcome_recorded_at=seen, outcome_recorded_by=staff,
                    created_at=discharged, created_by=staff,
                ))  # fmt: skip

    def opiate_substitution(self, rows: _Rows, person: Person, episode: EpisodeOfCare, *, accepted: bool) -> None:
        """A methadone course, the first doses after discharge (mostly the next day) and, for most, the accepted
        prescribing handover."""
        r, worker = self.r, episode.opened_by
        discharged = episode.finished_at
        assert discharged is not None
        community = self.services["drug_alcohol"]
        course = OpiateSubstitution(
            person=person, drug=OpioidSubstitute.METHADONE, prescribing_service=community, recorded_by=worker,
            started_on=timezone.localdate(episode.opened_at) - timedelta(days=200),
        )  # fmt: skip
        rows.add(course)
        gap = r.weighted({0: 2, 1: 80, 2: 10, 3: 5, 7: 3})  # days to the first community dose
        for day in range(gap, gap + 3):
            given = discharged + timedelta(days=day, hours=1)
            if given < self.now:
                rows.add(DoseGiven(treatment=course, given_at=given, dose_mg=60, where="Pharmacy", recorded_by=worker))
        if accepted:
            rows.add(PrescribingHandover(
                treatment=course, person=person, from_episode=episode, to_service=community,
                drug=OpioidSubstitute.METHADONE, daily_dose_mg=60, supervised=True,
                last_dose_given_at=discharged - timedelta(hours=3),
                first_community_dose_on=timezone.localdate(discharged) + timedelta(days=1),
                status=HandoverStatus.ACCEPTED, requested_at=discharged - timedelta(days=2), requested_by=worker,
                answered_at=discharged - timedelta(days=1), answered_by=worker,
            ))  # fmt: skip


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _response(person: Person, code: str, at: datetime, by: User, score: dict[str, Any]) -> InstrumentResponse:
    return InstrumentResponse(
        person=person, instrument_code=code, instrument_version="generated", answers={}, score=score,
        completed_at=at, recorded_by=by,
    )  # fmt: skip
