"""Groups and drop-in sessions for the demo (seed 002, R12), deterministic from the seed.

A weekly substance-misuse group on Willow Ward and the weekly dual diagnosis drop-in, with sessions
over the past 8 weeks and the next 4, enrolments (people whose ward episode has finished first:
discharge never ends a group place), registers for past sessions and anonymous counts at the drop-in.
One past session is cancelled with its reason and one person has left a group, so every state shows.

Rows are saved with bulk_create; the lead's generator calls `add_groups` once the people, services,
staff and episodes are saved.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coexist.accounts.models import User
from coexist.care.models import EpisodeOfCare, EpisodeStatus
from coexist.engagement.groups.rules import GroupAttendanceStatus, GroupKind
from coexist.engagement.models import Group, GroupAttendance, GroupEnrolment, GroupSession
from coexist.organisations.models import Service
from coexist.people.models import Person

LONDON = ZoneInfo("Europe/London")
WEEKS_BACK = 8
WEEKS_AHEAD = 4


@dataclass(frozen=True)
class _Plan:
    service: str
    name: str
    kind: str
    description: str
    weekday: int  # Monday is 0
    hour: int
    minutes: int
    place: str
    facilitators: tuple[str, ...]  # cast usernames
    enrolled: int
    anonymous: tuple[int, int]  # range of people counted without a name per session


PLANS = (
    _Plan(
        "Willow Ward",
        "Willow Ward substance misuse group",
        GroupKind.PROGRAMME,
        "A weekly group on alcohol and drug use run by the ward and the drug and alcohol service. "
        "People are welcome to keep coming after they leave the ward.",
        1,
        14,
        90,
        "Willow Ward day room",
        ("wardnurse", "substance"),
        12,
        (0, 0),
    ),
    _Plan(
        "Dual diagnosis drop-in",
        "Thursday drop-in",
        GroupKind.DROP_IN,
        "Come along without an appointment for advice about mental health, alcohol and drugs. "
        "You do not have to give your name.",
        3,
        13,
        180,
        "Market Street community centre",
        ("substance", "peer"),
        8,
        (2, 9),
    ),
)


@dataclass
class GroupCounts:
    groups: int = 0
    sessions: int = 0
    enrolments: int = 0
    attendances: int = 0
    anonymous_visits: int = 0


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _weekly(now: datetime, weekday: int, hour: int) -> list[datetime]:
    """Session starts on the given weekday, WEEKS_BACK weeks before `now` to WEEKS_AHEAD weeks after."""
    today = now.astimezone(LONDON).date()
    this_week = today - timedelta(days=today.weekday()) + timedelta(days=weekday)
    days: list[date] = [this_week + timedelta(weeks=n) for n in range(-WEEKS_BACK, WEEKS_AHEAD + 1)]
    starts = [datetime.combine(d, time(hour), tzinfo=LONDON) for d in days]
    return [s for s in starts if now - timedelta(weeks=WEEKS_BACK) <= s <= now + timedelta(weeks=WEEKS_AHEAD)]


def _ward_leavers(people: Sequence[Person], ward: Service) -> list[Person]:
    """People among these whose episode on the ward has finished (discharged), in a stable order."""
    finished = set(
        EpisodeOfCare.objects.filter(
            service=ward, status=EpisodeStatus.FINISHED, person__in=[p.pk for p in people]
        ).values_list("person_id", flat=True)
    )
    return [p for p in people if p.pk in finished]


def add_groups(
    *,
    rng: random.Random,
    now: datetime,
    services: Mapping[str, Service],
    cast: Mapping[str, User],
    people: Sequence[Person],
) -> GroupCounts:
    """Create the demo's groups, sessions, enrolments, registers and anonymous counts.

    `services` and `cast` are `generate.py`'s dicts (service name -> Service, username -> User); it needs
    the services "Willow Ward" and "Dual diagnosis drop-in" and the users "wardnurse", "substance" and
    "peer". `people` must be saved. Everything is dated from `now` so the demo looks live when loaded."""
    counts = GroupCounts()
    groups: list[Group] = []
    sessions: list[GroupSession] = []
    facilitators: list[tuple[GroupSession, User]] = []
    enrolments: list[GroupEnrolment] = []
    attendances: list[GroupAttendance] = []
    taken: set[int] = set()
    for plan in PLANS:
        service = services[plan.service]
        runners = [cast[name] for name in plan.facilitators]
        group = Group(
            public_id=_uuid(rng),
            service=service,
            name=plan.name,
            kind=plan.kind,
            description=plan.description,
            created_at=now - timedelta(weeks=WEEKS_BACK + 4),
            created_by=runners[0],
        )
        groups.append(group)
        starts = _weekly(now, plan.weekday, plan.hour)
        past = [s for s in starts if s < now]
        cancelled_at = rng.choice(past[:-1]) if len(past) > 1 else None
        group_sessions: list[GroupSession] = []
        for starts_at in starts:
            session = GroupSession(
                public_id=_uuid(rng),
                group=group,
                starts_at=starts_at,
                duration_minutes=plan.minutes,
                place=plan.place,
                created_at=now - timedelta(weeks=WEEKS_BACK + 1),
                created_by=runners[0],
            )
            if starts_at == cancelled_at:
                session.cancelled_at = starts_at - timedelta(days=1)
                session.cancelled_by = runners[0]
                session.cancel_reason = "Facilitator off sick and no cover available; everyone was phoned."
            elif starts_at < now and plan.anonymous != (0, 0):
                session.anonymous_count = rng.randint(*plan.anonymous)
                counts.anonymous_visits += session.anonymous_count
            group_sessions.append(session)
            facilitators += [(session, user) for user in runners]
        sessions += group_sessions

        # Seed 002: people discharged from the ward come first; discharge never ends a group place.
        leavers = (
            [p for p in _ward_leavers(people, service) if p.pk not in taken] if plan.service == "Willow Ward" else []
        )
        others = [p for p in people if p.pk not in taken and p not in leavers]
        chosen = (leavers + rng.sample(others, min(len(others), plan.enrolled)))[: plan.enrolled]
        for index, person in enumerate(chosen):
            taken.add(person.pk)
            enrolled_at = now - timedelta(weeks=WEEKS_BACK + 2) + timedelta(days=rng.randrange(0, 7 * WEEKS_BACK))
            enrolment = GroupEnrolment(
                public_id=_uuid(rng), group=group, person=person, enrolled_at=enrolled_at, enrolled_by=runners[0]
            )
            if index == len(chosen) - 1 and len(chosen) > 3:
                enrolment.ended_at = now - timedelta(days=rng.randrange(3, 14))
                enrolment.ended_by = runners[-1]
                enrolment.end_reason = "Found work on Tuesday afternoons; will come to the drop-in instead."
            enrolments.append(enrolment)
            for session in group_sessions:
                if session.starts_at >= now or session.cancelled_at or session.starts_at < enrolled_at:
                    continue
                if enrolment.ended_at and session.starts_at > enrolment.ended_at:
                    continue
                status = rng.choices(
                    [
                        GroupAttendanceStatus.ATTENDED,
                        GroupAttendanceStatus.DID_NOT_ATTEND,
                        GroupAttendanceStatus.APOLOGIES,
                    ],
                    weights=[65, 20, 15],
                )[0]
                attendances.append(
                    GroupAttendance(
                        session=session,
                        person=person,
                        status=status,
                        recorded_at=session.starts_at + timedelta(minutes=plan.minutes + 15),
                        recorded_by=runners[0],
                    )
                )

    Group.objects.bulk_create(groups)
    GroupSession.objects.bulk_create(sessions)
    through = GroupSession.facilitators.through
    through.objects.bulk_create([through(groupsession_id=s.pk, user_id=u.pk) for s, u in facilitators])
    GroupEnrolment.objects.bulk_create(enrolments)
    GroupAttendance.objects.bulk_create(attendances)
    counts.groups = len(groups)
    counts.sessions = len(sessions)
    counts.enrolments = len(enrolments)
    counts.attendances = len(attendances)
    return counts
