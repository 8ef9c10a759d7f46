"""API endpoints for multi-agency case reviews (R7) at /api/v1/case-reviews: the same selectors,
services and permission function as the pages.

Errors are problem+json: 401 without a token; 403 when the permission function refuses (logged);
404 for an unknown person, episode or review; 422 for invalid input or a refused change, naming the
field (for example `invitees` when an organisation in the care team is not invited).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.care.models import CaseReview, CaseReviewReason, EpisodeOfCare
from coexist.care.reviews.selectors import EpisodeReviewDue, PersonReviews, case_review_get, person_reviews_open
from coexist.care.reviews.services import case_review_cancel, case_review_record_outcome, case_review_schedule
from coexist.interop.problems import ERRORS
from coexist.people.models import Person

router = Router(tags=["case reviews"])

Reason = Literal["annual", "admission", "loss_of_contact", "new_risk", "change_of_service", "other"]
assert set(Reason.__args__) == set(CaseReviewReason.values)  # type: ignore[attr-defined]


class InviteeOut(Schema):
    user: UUID
    name: str
    organisation: str | None
    role: str
    attended: bool


class ReviewOut(Schema):
    id: UUID
    person: UUID
    episode: UUID
    status: str
    reason: str
    reason_detail: str
    scheduled_for: datetime
    person_invited: bool
    carers_invited: bool
    invitees: list[InviteeOut]
    held_on: date | None
    person_attended: bool
    carers_attended: bool
    outcome: str
    next_review_on: date | None
    cancel_reason: str
    scheduled_from: UUID | None
    next_review: UUID | None = Field(None, description="The review booked from this one, if any.")


class DueOut(Schema):
    """R7 for one open episode: when its review is due and where it stands."""

    episode: UUID
    service: str
    due_on: date
    state: Literal["overdue", "due_soon", "not_due"]
    scheduled_review: UUID | None


class PersonReviewsOut(Schema):
    person: UUID
    due: list[DueOut]
    reviews: list[ReviewOut]


class ReviewScheduleIn(Schema):
    """R7: book a review. Leave out `invitees` to invite the current care team; otherwise list staff ids,
    at least one from every organisation in the care team."""

    model_config = ConfigDict(extra="forbid")

    episode: UUID
    scheduled_for: datetime
    reason: Reason
    reason_detail: str = Field("", max_length=5000)
    invitees: list[UUID] | None = Field(None, max_length=100)
    person_invited: bool = True
    carers_invited: bool = False


class ReviewOutcomeIn(Schema):
    """R7: the review was held. `next_review_on` is after `held_on` and no later than 12 months after it."""

    model_config = ConfigDict(extra="forbid")

    held_on: date
    outcome: str = Field(..., max_length=5000)
    next_review_on: date
    attended: list[UUID] = Field(default_factory=list, max_length=100)
    person_attended: bool = False
    carers_attended: bool = False
    schedule_next: bool = False


class ReviewCancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(..., max_length=5000)


def _review_out(review: CaseReview) -> ReviewOut:
    follow_on = review.follow_on_reviews.order_by("pk").first()
    return ReviewOut(
        id=review.public_id,
        person=review.person.public_id,
        episode=review.episode.public_id,
        status=review.status,
        reason=review.reason,
        reason_detail=review.reason_detail,
        scheduled_for=review.scheduled_for,
        person_invited=review.person_invited,
        carers_invited=review.carers_invited,
        invitees=[
            InviteeOut(
                user=i.user.public_id,
                name=i.user.display_name,
                organisation=i.organisation.name if i.organisation else None,
                role=i.role,
                attended=i.attended,
            )
            for i in review.invitees.all()
        ],
        held_on=review.held_on,
        person_attended=review.person_attended,
        carers_attended=review.carers_attended,
        outcome=review.outcome,
        next_review_on=review.next_review_on,
        cancel_reason=review.cancel_reason,
        scheduled_from=review.scheduled_from.public_id if review.scheduled_from else None,
        next_review=follow_on.public_id if follow_on else None,
    )


def _due_out(due: EpisodeReviewDue) -> DueOut:
    return DueOut(
        episode=due.episode.public_id,
        service=due.episode.service.name,
        due_on=due.due_on,
        state=due.state.value,
        scheduled_review=due.scheduled.public_id if due.scheduled else None,
    )


def _open(request: HttpRequest, review_id: UUID, detail: str) -> CaseReview:
    try:
        return case_review_get(viewer=staff_of(request), public_id=review_id, channel=Channel.API, detail=detail)[1]
    except CaseReview.DoesNotExist as exc:
        raise Http404("No case review with that id.") from exc


def _staff(ids: list[UUID], field: str) -> list[User]:
    wanted = list(dict.fromkeys(ids))
    found = {u.public_id: u for u in User.objects.filter(public_id__in=wanted)}
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ValidationError({field: f"No member of staff with id {', '.join(missing)}."})
    return [found[i] for i in wanted]


def _unopened(review_id: UUID) -> CaseReview:
    review = CaseReview.objects.select_related("person").filter(public_id=review_id).first()
    if review is None:
        raise Http404("No case review with that id.")
    return review


@router.get(
    "/people/{person_id}",
    response={200: PersonReviewsOut, **ERRORS},
    summary="A person's case reviews and when the next is due (R7)",
)
def list_for_person(request: HttpRequest, person_id: UUID) -> PersonReviewsOut:
    try:
        reviews: PersonReviews = person_reviews_open(
            viewer=staff_of(request), public_id=person_id, channel=Channel.API, detail="GET case reviews"
        )
    except Person.DoesNotExist as exc:
        raise Http404("No person with that id.") from exc
    return PersonReviewsOut(
        person=person_id,
        due=[_due_out(d) for d in reviews.due],
        reviews=[_review_out(r) for r in [*reviews.scheduled, *reviews.past]],
    )


@router.post("", response={201: ReviewOut, **ERRORS}, summary="Book a multi-agency case review (R7)")
def schedule(request: HttpRequest, payload: ReviewScheduleIn) -> Status[ReviewOut]:
    episode = EpisodeOfCare.objects.select_related("person", "service").filter(public_id=payload.episode).first()
    if episode is None:
        raise Http404("No episode of care with that id.")
    review = case_review_schedule(
        episode=episode,
        scheduled_for=payload.scheduled_for,
        reason=payload.reason,
        reason_detail=payload.reason_detail,
        invitees=None if payload.invitees is None else _staff(payload.invitees, "invitees"),
        person_invited=payload.person_invited,
        carers_invited=payload.carers_invited,
        by=staff_of(request),
        channel=Channel.API,
    )
    return Status(201, _review_out(_open(request, review.public_id, "POST case review (response)")))


@router.get("/{review_id}", response={200: ReviewOut, **ERRORS}, summary="One case review")
def get_review(request: HttpRequest, review_id: UUID) -> ReviewOut:
    return _review_out(_open(request, review_id, "GET case review"))


@router.post(
    "/{review_id}/outcome", response={200: ReviewOut, **ERRORS}, summary="Record that a case review was held (R7)"
)
def record_outcome(request: HttpRequest, review_id: UUID, payload: ReviewOutcomeIn) -> ReviewOut:
    review = _unopened(review_id)
    case_review_record_outcome(
        review=review,
        held_on=payload.held_on,
        outcome=payload.outcome,
        next_review_on=payload.next_review_on,
        attended=_staff(payload.attended, "attended"),
        person_attended=payload.person_attended,
        carers_attended=payload.carers_attended,
        schedule_next=payload.schedule_next,
        by=staff_of(request),
        channel=Channel.API,
    )
    return _review_out(_open(request, review_id, "POST case review outcome (response)"))


@router.post("/{review_id}/cancel", response={200: ReviewOut, **ERRORS}, summary="Cancel a booked case review")
def cancel(request: HttpRequest, review_id: UUID, payload: ReviewCancelIn) -> ReviewOut:
    review = _unopened(review_id)
    case_review_cancel(review=review, reason=payload.reason, by=staff_of(request), channel=Channel.API)
    return _review_out(_open(request, review_id, "POST case review cancel (response)"))
