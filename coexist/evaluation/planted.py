"""A generator of ward discharges with a difference PLANTED in them, to check that a programme theory's test
finds a difference where one was put and none where none was (issue 6 "Done when").

It writes through the other apps' models (people, care, transitions, engagement) exactly the rows the
outcome measures read: a completed discharge from an inpatient ward, and attended appointments after it.
The counts are exact, not random: in each group, ``round(rate * n)`` people are followed up, so the planted
rates are the true rates of the generated data, and a test can say what the right answer is.

- ``discharge_follow_up_72h``: people in the context (unsettled housing) are seen by the community mental
  health service 24 hours after discharge at ``follow_up_in_context`` (e.g. 40%); everyone else at
  ``follow_up_others`` (e.g. 80%).
- ``reengagement_7_days``: both groups are seen by a drug and alcohol service 5 days after discharge (after
  72 hours, so it does not count as the 72-hour follow-up) at the same ``reengagement`` rate: no difference.

For tests and the demo only: it creates people who do not exist. Never run it against live data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.care.models import EpisodeOfCare, EpisodeStatus
from coexist.engagement.models import Appointment
from coexist.engagement.rules import Attendance
from coexist.organisations.models import Service, ServiceKind, Team
from coexist.people.models import HousingStatus, Person
from coexist.people.rules import ContactMethod
from coexist.transitions.models import Transition, TransitionKind, TransitionStatus

FOLLOW_UP_AFTER = timedelta(hours=24)
REENGAGED_AFTER = timedelta(days=5)


@dataclass(frozen=True)
class Planted:
    """What was generated: per group, how many discharges and how many had each outcome."""

    in_context: int
    others: int
    followed_up_in_context: int
    followed_up_others: int
    reengaged_in_context: int
    reengaged_others: int
    first_day: date
    last_day: date

    @property
    def follow_up_difference(self) -> float:
        """The planted difference in the 72-hour follow-up, context minus others, as a fraction."""
        return self.followed_up_in_context / self.in_context - self.followed_up_others / self.others

    @property
    def reengagement_difference(self) -> float:
        return self.reengaged_in_context / self.in_context - self.reengaged_others / self.others


def _check_rate(name: str, rate: float) -> None:
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, not {rate!r}.")


@transaction.atomic
def plant_ward_discharges(
    *,
    ward_team: Team,
    community: Service,
    drug_alcohol: Service,
    by: User,
    first_day: date,
    days: int = 60,
    in_context: int = 100,
    others: int = 100,
    follow_up_in_context: float = 0.4,
    follow_up_others: float = 0.8,
    reengagement: float = 0.5,
) -> Planted:
    """Generate ``in_context`` discharges of people with unsettled housing and ``others`` of people with settled
    housing from ``ward_team``'s ward, one a day in turn from ``first_day`` over ``days`` days, at 10:00."""
    ward = ward_team.service
    if ward.kind != ServiceKind.INPATIENT_WARD:
        raise ValueError("The discharges must be from an inpatient ward.")
    if community.kind != ServiceKind.COMMUNITY_MENTAL_HEALTH or drug_alcohol.kind != ServiceKind.DRUG_ALCOHOL:
        raise ValueError("Follow-up is by a community mental health service; re-engagement by a drug and alcohol one.")
    for name, rate in (
        ("follow_up_in_context", follow_up_in_context),
        ("follow_up_others", follow_up_others),
        ("reengagement", reengagement),
    ):
        _check_rate(name, rate)
    if in_context < 1 or others < 1 or days < 1:
        raise ValueError("Each group needs at least one person, over at least one day.")

    # (housing, followed up within 72 hours, re-engaged within 7 days) for each person, in order.
    plan: list[tuple[str, bool, bool]] = []
    for housing, n, rate in (
        (HousingStatus.NO_FIXED_ABODE, in_context, follow_up_in_context),
        (HousingStatus.SETTLED, others, follow_up_others),
    ):
        followed, reengaged = round(rate * n), round(reengagement * n)
        # Spread the re-engaged evenly over followed and not followed, so the two outcomes are independent.
        plan += [(housing, i < followed, (i * reengaged) // n != ((i + 1) * reengaged) // n) for i in range(n)]

    people = Person.objects.bulk_create(
        [
            Person(
                given_name="Planted",
                family_name=f"Discharge {i + 1:05d}",
                date_of_birth=date(1985, 1, 1),
                housing_status=housing,
                contact_method=ContactMethod.LETTER,
            )
            for i, (housing, _, _) in enumerate(plan)
        ]
    )
    moments: list[datetime] = [
        timezone.make_aware(datetime.combine(first_day + timedelta(days=i % days), time(10))) for i in range(len(plan))
    ]
    episodes = EpisodeOfCare.objects.bulk_create(
        [
            EpisodeOfCare(
                person=person,
                service=ward,
                team=ward_team,
                status=EpisodeStatus.FINISHED,
                opened_by=by,
                opened_at=at - timedelta(days=14),
                finished_at=at,
                finished_by=by,
                finish_reason="Discharged",
            )
            for person, at in zip(people, moments, strict=True)
        ]
    )
    Transition.objects.bulk_create(
        [
            Transition(
                person=episode.person,
                episode=episode,
                kind=TransitionKind.DISCHARGE,
                status=TransitionStatus.COMPLETED,
                discharge_reason="goals_met",
                started_by=by,
                started_at=at - timedelta(days=3),
                completed_at=at,
                completed_by=by,
            )
            for episode, at in zip(episodes, moments, strict=True)
        ]
    )
    appointments = []
    for person, at, (_, followed, reengaged) in zip(people, moments, plan, strict=True):
        for happened, service, after in (
            (followed, community, FOLLOW_UP_AFTER),
            (reengaged, drug_alcohol, REENGAGED_AFTER),
        ):
            if happened:
                appointments.append(
                    Appointment(
                        person=person,
                        service=service,
                        staff=by,
                        starts_at=at + after,
                        status=Attendance.ATTENDED_ON_TIME,
                        outcome_recorded_at=at + after,
                        outcome_recorded_by=by,
                        created_at=at,
                        created_by=by,
                    )
                )
    Appointment.objects.bulk_create(appointments)

    def count(housing: str, index: int) -> int:
        return sum(1 for row in plan if row[0] == housing and row[index])

    unsettled, settled = HousingStatus.NO_FIXED_ABODE, HousingStatus.SETTLED
    return Planted(
        in_context=in_context,
        others=others,
        followed_up_in_context=count(unsettled, 1),
        followed_up_others=count(settled, 1),
        reengaged_in_context=count(unsettled, 2),
        reengaged_others=count(settled, 2),
        first_day=first_day,
        last_day=first_day + timedelta(days=min(days, len(plan)) - 1),
    )
