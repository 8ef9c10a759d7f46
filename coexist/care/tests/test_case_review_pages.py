"""R7 pages: the person page's "Case reviews" section, booking, recording and cancelling a review,
the team leader's row, bad input shown by field, and refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import CaseReview, CaseReviewStatus, EpisodeOfCare
from coexist.care.reviews.services import case_review_schedule
from coexist.testing.cast import Cast
from coexist.testing.factories import EpisodeFactory

SignIn = Callable[[User], Client]


def _episode(cast: Cast, days_ago: int = 400) -> EpisodeOfCare:
    return EpisodeFactory(  # type: ignore[no-any-return]
        person=cast.ann, team=cast.north, opened_by=cast.coordinator, coordinator=cast.coordinator,
        opened_at=timezone.now() - timedelta(days=days_ago),
    )  # fmt: skip


def _booked(cast: Cast, episode: EpisodeOfCare) -> CaseReview:
    return case_review_schedule(
        episode=episode, scheduled_for=timezone.now() + timedelta(days=3), reason="annual", by=cast.coordinator,
        channel=Channel.PAGE,
    )  # fmt: skip


def _date(prefix: str, day) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def test_r7_person_page_shows_an_overdue_review_with_a_link_to_book_it(cast: Cast, client_for: SignIn) -> None:
    episode = _episode(cast)
    page = client_for(cast.coordinator).get(reverse("people:detail", args=[cast.ann.public_id])).content.decode()
    assert "Case reviews" in page and "Overdue" in page
    assert reverse("casereviews:schedule", args=[episode.public_id]) in page


def test_r7_schedule_page_renders_with_the_care_team_ticked(cast: Cast, client_for: SignIn) -> None:
    episode = _episode(cast)
    response = client_for(cast.coordinator).get(reverse("casereviews:schedule", args=[episode.public_id]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pathways Drug and Alcohol Service" in page and "checked" in page


def test_r7_booking_without_pathways_is_refused_on_the_page_naming_it(cast: Cast, client_for: SignIn) -> None:
    episode = _episode(cast)
    data = {
        **_date("on", timezone.localdate() + timedelta(days=5)), "at": "10:00", "reason": "annual",
        "invitees": [str(cast.coordinator.public_id)], "person_invited": "on",
    }  # fmt: skip
    response = client_for(cast.coordinator).post(reverse("casereviews:schedule", args=[episode.public_id]), data)
    assert response.status_code == 400
    assert "Nobody is invited from: Pathways Drug and Alcohol Service." in response.content.decode()
    assert not CaseReview.objects.exists()


def test_r7_bad_input_on_the_schedule_page_gets_messages_by_field(cast: Cast, client_for: SignIn) -> None:
    episode = _episode(cast)
    data = {"on_day": "31", "on_month": "2", "on_year": "2027", "at": "25:99", "reason": "nonsense", "extra": "x" * 300}
    response = client_for(cast.coordinator).post(reverse("casereviews:schedule", args=[episode.public_id]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a real date" in page and "Enter a time such as 09:30" in page
    assert not CaseReview.objects.exists()


def test_r7_booking_then_recording_the_outcome_through_the_pages(cast: Cast, client_for: SignIn) -> None:
    episode = _episode(cast)
    client = client_for(cast.coordinator)
    data = {
        **_date("on", timezone.localdate() + timedelta(days=5)), "at": "14:30", "reason": "new_risk",
        "invitees": [str(cast.coordinator.public_id), str(cast.da_worker_in_team.public_id)],
        "extra": str(cast.housing_officer.public_id), "person_invited": "on", "carers_invited": "on",
    }  # fmt: skip
    response = client.post(reverse("casereviews:schedule", args=[episode.public_id]), data)
    review = CaseReview.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "casereviews:detail", args=[review.public_id]
    )
    assert review.invitees.count() == 3 and review.carers_invited
    detail = client.get(reverse("casereviews:detail", args=[review.public_id]))
    assert detail.status_code == 200 and "Riverside Housing Association" in detail.content.decode()

    outcome_url = reverse("casereviews:outcome", args=[review.public_id])
    assert client.get(outcome_url).status_code == 200
    today = timezone.localdate()
    bad = {**_date("held_on", today), "outcome": "", **_date("next_review_on", today + timedelta(days=400))}
    response = client.post(outcome_url, bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say what the review decided." in page and "within 12 months" in page
    good = {
        **_date("held_on", today), "outcome": "Joint plan agreed.", **_date("next_review_on", today + timedelta(days=90)),
        "attended": [str(cast.da_worker_in_team.public_id)], "person_attended": "on",
    }  # fmt: skip
    assert client.post(outcome_url, good).status_code == 302
    review.refresh_from_db()
    assert review.status == CaseReviewStatus.HELD and review.next_review_on == today + timedelta(days=90)


def test_r7_cancel_page_needs_a_reason(cast: Cast, client_for: SignIn) -> None:
    review = _booked(cast, _episode(cast))
    client = client_for(cast.coordinator)
    url = reverse("casereviews:cancel", args=[review.public_id])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Person asked to move it."}).status_code == 302
    review.refresh_from_db()
    assert review.status == CaseReviewStatus.CANCELLED


def test_r7_someone_without_a_relationship_is_refused_the_pages_and_it_is_logged(
    cast: Cast, client_for: SignIn
) -> None:
    episode = _episode(cast)
    review = _booked(cast, episode)
    client = client_for(cast.da_worker)
    assert client.get(reverse("casereviews:detail", args=[review.public_id])).status_code == 403
    assert client.get(reverse("casereviews:schedule", args=[episode.public_id])).status_code == 403
    assert AccessLogEntry.objects.filter(actor_username="da_worker", outcome="refused").count() >= 2


def test_r7_team_leader_list_shows_reviews_due_with_links_that_clear_them(cast: Cast, client_for: SignIn) -> None:
    overdue = _episode(cast, days_ago=400)
    soon = EpisodeFactory(
        person=cast.ben, team=cast.north, opened_by=cast.coordinator, opened_at=timezone.now() - timedelta(days=350)
    )
    EpisodeFactory(person=cast.cat, team=cast.north, opened_by=cast.coordinator)  # not due for a year
    page = client_for(cast.team_leader).get(reverse("care:team-leader")).content.decode()
    assert "Case reviews due or overdue (R7) (2)" in page
    assert reverse("casereviews:schedule", args=[overdue.public_id]) in page
    assert reverse("casereviews:schedule", args=[soon.public_id]) in page
    review = _booked(cast, overdue)
    page = client_for(cast.team_leader).get(reverse("care:team-leader")).content.decode()
    assert reverse("casereviews:outcome", args=[review.public_id]) in page
    entries = AccessLogEntry.objects.filter(actor_username="team_leader", detail="team leader's list")
    assert {cast.ann.public_id, cast.ben.public_id} <= {e.person_public_id for e in entries}
