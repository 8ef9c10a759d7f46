"""The demo's case reviews (coexist/demo/reviews.py): deterministic, valid against R7, and a mix of
held, overdue and booked reviews."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from coexist.care.models import CaseReview, CaseReviewStatus
from coexist.care.reviews.rules import twelve_months_after
from coexist.care.reviews.selectors import due_for_episodes
from coexist.demo.generate import SeededRandom
from coexist.demo.pathway import Case
from coexist.demo.reviews import add_case_reviews
from coexist.organisations.models import Role
from coexist.testing.cast import Cast
from coexist.testing.factories import CareTeamMemberFactory, EpisodeFactory, PersonFactory


def test_r7_demo_gives_most_episodes_a_held_review_and_some_overdue_or_booked(cast: Cast) -> None:
    now = timezone.now()
    cases, care_team = [], []
    for index in range(40):
        person = PersonFactory()
        episode = EpisodeFactory(
            person=person, team=cast.north, opened_by=cast.coordinator, coordinator=cast.coordinator,
            opened_at=now - timedelta(days=200 + 20 * index),
        )  # fmt: skip
        care_team.append(CareTeamMemberFactory(person=person, user=cast.coordinator, role=Role.CARE_COORDINATOR))
        care_team.append(CareTeamMemberFactory(person=person, user=cast.da_worker, role=Role.SUBSTANCE_MISUSE_WORKER))
        cases.append(
            Case(person=person, episode=episode, referral=None, team=cast.north, coordinator=cast.coordinator,  # type: ignore[arg-type]
                 accepted_by=cast.coordinator, since=episode.opened_at.date())
        )  # fmt: skip
    made = add_case_reviews(SeededRandom(5), cases=cases, care_team=care_team, now=now)
    assert made == CaseReview.objects.count() > 0
    held = CaseReview.objects.filter(status=CaseReviewStatus.HELD)
    assert held.count() >= 20
    for review in held:
        assert review.held_on and review.next_review_on
        assert review.held_on < review.next_review_on <= twelve_months_after(review.held_on)
        assert review.invitees.count() == 2
    states = {d.state for d in due_for_episodes([c.episode for c in cases], today=timezone.localdate()).values()}
    assert "overdue" in states
    assert CaseReview.objects.filter(status=CaseReviewStatus.SCHEDULED).exists()
