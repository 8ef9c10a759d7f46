"""Multi-agency case reviews (R7) for the demo population, deterministic from the seed.

Call after the episodes and care team are saved (`Pathway.save_referrals_and_episodes()` and the care
team's bulk_create), for example straight after `pathway.save()` in `generate.py`:

    reviews = add_case_reviews(r, cases=cases, care_team=care_team, now=now)

Most episodes older than two months have a held review with its next date; some are overdue (no
review for more than a year, a few with a late booking); some have a review booked in the coming
weeks. Dates follow `now`, like open tasks, so the team leader's list looks live whenever it is loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from coexist.care.models import CareTeamMember, CaseReview, CaseReviewInvitee, CaseReviewReason, CaseReviewStatus
from coexist.care.reviews.rules import needs_case_review, twelve_months_after
from coexist.care.reviews.selectors import organisations_of_users

if TYPE_CHECKING:
    from coexist.demo.generate import SeededRandom
    from coexist.demo.pathway import Case

OUTCOMES = (
    "Reviewed with the drug and alcohol worker: joint plan kept; alcohol down to weekends. Crisis plan unchanged.",
    "Housing is settled. Agreed a reduction in contact to fortnightly, with the peer worker keeping in touch.",
    "Mood lower since the winter; medication review booked with the psychiatrist. Carer's assessment offered again.",
    "Wants to try the recovery college. Opiate substitution stable; take-home naloxone checked.",
    "Missed several appointments in the spring: agreed texts the day before, and a home visit if two are missed.",
)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def add_case_reviews(
    r: SeededRandom, *, cases: Sequence[Case], care_team: Sequence[CareTeamMember], now: datetime
) -> int:
    """Build and save the reviews and their invitees (two bulk inserts). Returns how many reviews."""
    today = timezone.localdate(now)
    team_of: dict[int, list[CareTeamMember]] = {}
    for member in care_team:
        team_of.setdefault(member.person.pk, []).append(member)
    organisations = organisations_of_users({m.user.pk: m.user for m in care_team}.values())
    reviews: list[CaseReview] = []
    invitees: list[tuple[CaseReview, list[CareTeamMember]]] = []

    def review(case: Case, **fields: object) -> CaseReview:
        made = CaseReview(
            public_id=r.uuid(),
            person=case.person,
            episode=case.episode,
            scheduled_by=case.coordinator or case.accepted_by,
            person_invited=True,
            carers_invited=bool(case.carers) and r.chance(0.6),
            **fields,
        )
        reviews.append(made)
        invitees.append((made, team_of.get(case.person.pk, [])))
        return made

    for case in cases:
        episode = case.episode
        if not episode.is_open or not needs_case_review(service_kind=episode.service.kind):
            continue
        opened = timezone.localdate(episode.opened_at)
        age = (today - opened).days
        if age < 60:
            continue  # new to the service: first review due in about a year
        kind = r.weighted({"held": 70, "overdue": 15, "booked": 15})
        if kind == "overdue" and age <= 400:
            kind = "booked"  # not old enough to be a year overdue
        if kind in ("held", "overdue"):
            latest_start = min(age - 1, 330) if kind == "held" else min(age - 1, 520)
            earliest = 30 if kind == "held" else 380
            if latest_start < earliest:
                continue
            held_on = today - timedelta(days=r.rng.randrange(earliest, latest_start + 1))
            next_on = twelve_months_after(held_on) if r.chance(0.8) else held_on + timedelta(days=183)
            recorder = case.coordinator or case.accepted_by
            review(
                case,
                status=CaseReviewStatus.HELD,
                reason=CaseReviewReason.ANNUAL,
                scheduled_for=_at(held_on, r.rng.randrange(9, 16)),
                scheduled_at=_at(held_on - timedelta(days=21), 9),
                held_on=held_on,
                person_attended=r.chance(0.7),
                carers_attended=False,
                outcome=r.pick(OUTCOMES),
                next_review_on=next_on,
                recorded_at=_at(held_on, 17),
                recorded_by=recorder,
            )
            booking_due = (next_on - today).days < 28 and r.chance(0.5)
            late_booking = kind == "overdue" and r.chance(0.3)
            if not (booking_due or late_booking):
                continue
        when = today + timedelta(days=r.rng.randrange(3, 40))
        review(
            case,
            status=CaseReviewStatus.SCHEDULED,
            reason=r.weighted(
                {CaseReviewReason.ANNUAL: 80, CaseReviewReason.NEW_RISK: 10, CaseReviewReason.ADMISSION: 10}
            ),
            scheduled_for=_at(when, r.rng.randrange(9, 16)),
            scheduled_at=now - timedelta(days=r.rng.randrange(1, 14)),
        )
    CaseReview.objects.bulk_create(reviews)
    rows: list[CaseReviewInvitee] = []
    for made, members in invitees:
        seen: set[int] = set()
        for member in members:
            orgs = organisations.get(member.user.pk, [])
            if member.user.pk in seen or not orgs or (member.ended_on and member.ended_on < today):
                continue
            seen.add(member.user.pk)
            rows.append(
                CaseReviewInvitee(
                    public_id=r.uuid(),
                    review=made,
                    user=member.user,
                    organisation=orgs[0],
                    role=member.role,
                    attended=made.status == CaseReviewStatus.HELD and r.chance(0.8),
                )
            )
    CaseReviewInvitee.objects.bulk_create(rows)
    return len(reviews)
