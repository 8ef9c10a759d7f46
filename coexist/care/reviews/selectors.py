"""Reads about multi-agency case reviews (R7), scoped to the viewer and written to the access log.

`due_for_episodes` and `care_team_practitioners` are for callers that have already opened the
person's record (or, for the background sweep, act under the R7 duty itself); they log nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from django.db.models import Prefetch
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.care.models import CareTeamMember, CaseReview, CaseReviewInvitee, CaseReviewStatus, EpisodeOfCare
from coexist.care.reviews.rules import HeldReview, ReviewState, needs_case_review, review_due_on, review_state
from coexist.organisations.models import Membership, Organisation, Role
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, Action, RecordPart
from coexist.people.selectors import OpenedRecord, person_open

NOT_SHARED = AccessDecision(False, "The person has not agreed to share their episodes of care with your organisation.")


# --- Who works for which organisation, and the care team to invite -------------------------------


@dataclass(frozen=True)
class Practitioner:
    """A member of staff who may be invited to a review, the agency they come from and their care team role."""

    user: User
    organisation: Organisation | None
    organisations: frozenset[str]
    role: str = ""

    @property
    def organisation_name(self) -> str:
        return self.organisation.name if self.organisation is not None else "No current organisation"


def organisations_of_users(users: Iterable[User]) -> dict[int, list[Organisation]]:
    """Each user's organisations through a current clinical team membership, by name (one query).

    Administrators and researchers speak for no agency at a case review (they see no clinical record)."""
    found: dict[int, dict[int, Organisation]] = {}
    ids = [user.pk for user in users]
    memberships = (
        Membership.objects.current()
        .clinical()
        .filter(user_id__in=ids, user__is_active=True)
        .select_related("team__service__organisation")
    )
    for membership in memberships:
        organisation = membership.team.service.organisation
        found.setdefault(membership.user_id, {})[organisation.pk] = organisation
    return {user_id: sorted(orgs.values(), key=lambda o: o.name) for user_id, orgs in found.items()}


def practitioners_for(users: Sequence[User], *, roles: dict[int, str] | None = None) -> list[Practitioner]:
    """These users as practitioners, each with their organisations now (those with none included, marked)."""
    organisations = organisations_of_users(users)
    result = []
    for user in users:
        orgs = organisations.get(user.pk, [])
        result.append(
            Practitioner(
                user=user,
                organisation=orgs[0] if orgs else None,
                organisations=frozenset(o.name for o in orgs),
                role=(roles or {}).get(user.pk, ""),
            )
        )
    return result


def care_team_practitioners(person: Person, *, on: date | None = None) -> list[Practitioner]:
    """R7: the person's current care team as practitioners with an organisation, coordinator first.

    The default invitation list. A member who works in no clinical team now (they left, or they are
    an administrator) represents no agency and is left out."""
    members = (
        CareTeamMember.objects.current(on)
        .filter(person=person, user__is_active=True)
        .select_related("user")
        .order_by("started_on", "pk")
    )
    roles: dict[int, str] = {}
    users: dict[int, User] = {}
    for member in sorted(members, key=lambda m: m.role != Role.CARE_COORDINATOR):
        if member.user_id not in users:
            users[member.user_id] = member.user
            roles[member.user_id] = member.role
    return [p for p in practitioners_for(list(users.values()), roles=roles) if p.organisations]


# --- When each episode's review is due -------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeReviewDue:
    """R7 for one open episode: when its review is due, where it stands, and the review already booked."""

    episode: EpisodeOfCare
    due_on: date
    state: ReviewState
    scheduled: CaseReview | None

    @property
    def is_overdue(self) -> bool:
        return self.state == ReviewState.OVERDUE

    @property
    def is_due_soon(self) -> bool:
        return self.state == ReviewState.DUE_SOON


def due_for_episodes(episodes: Sequence[EpisodeOfCare], *, today: date) -> dict[int, EpisodeReviewDue]:
    """R7 for each open episode that needs a review (see `rules.needs_case_review`), by episode pk.

    The episodes must come with their service. One query, however many episodes: every held or
    scheduled review of their people."""
    wanted = [e for e in episodes if e.is_open and needs_case_review(service_kind=e.service.kind)]
    if not wanted:
        return {}
    held: dict[int, list[HeldReview]] = {}
    scheduled: dict[int, CaseReview] = {}
    reviews = (
        CaseReview.objects.filter(
            person__in={e.person_id for e in wanted},
            status__in=[CaseReviewStatus.HELD, CaseReviewStatus.SCHEDULED],
        )
        .only("public_id", "person_id", "episode_id", "status", "scheduled_for", "held_on", "next_review_on")
        .order_by("scheduled_for", "pk")
    )
    for review in reviews:
        if review.status == CaseReviewStatus.HELD and review.held_on and review.next_review_on:
            held.setdefault(review.person_id, []).append(HeldReview(review.held_on, review.next_review_on))
        elif review.status == CaseReviewStatus.SCHEDULED:
            scheduled.setdefault(review.person_id, review)  # the earliest booked
    result = {}
    for episode in wanted:
        due_on = review_due_on(
            episode_opened_on=timezone.localdate(episode.opened_at), held=held.get(episode.person_id, [])
        )
        result[episode.pk] = EpisodeReviewDue(
            episode=episode,
            due_on=due_on,
            state=review_state(due_on=due_on, today=today),
            scheduled=scheduled.get(episode.person_id),
        )
    return result


# --- One person's reviews, and one review ----------------------------------------------------------


@dataclass
class PersonReviews:
    """A person's case reviews as one viewer may see them: what is due, what is booked, what was held."""

    person: Person
    due: list[EpisodeReviewDue] = field(default_factory=list)
    scheduled: list[CaseReview] = field(default_factory=list)
    past: list[CaseReview] = field(default_factory=list)
    can_change: bool = False


def _with_invitees() -> Prefetch:  # type: ignore[type-arg]
    return Prefetch("invitees", queryset=CaseReviewInvitee.objects.select_related("user", "organisation"))


def reviews_of(record: OpenedRecord) -> PersonReviews:
    """R7 for a person whose record the viewer has opened (and so logged): nothing unless they may read
    the episodes of care, which reviews are part of."""
    if not record.can_read(RecordPart.EPISODES):
        return PersonReviews(person=record.person)
    person = record.person
    episodes = list(EpisodeOfCare.objects.open().filter(person=person).select_related("service", "team"))
    due = sorted(due_for_episodes(episodes, today=timezone.localdate()).values(), key=lambda d: d.due_on)
    reviews = list(
        CaseReview.objects.filter(person=person)
        .select_related("episode__service", "scheduled_by", "recorded_by", "cancelled_by")
        .prefetch_related(_with_invitees())
    )
    scheduled = sorted((r for r in reviews if r.is_scheduled), key=lambda r: r.scheduled_for)
    past = [r for r in reviews if not r.is_scheduled]
    return PersonReviews(
        person=person, due=due, scheduled=scheduled, past=past, can_change=record.can_write(RecordPart.EPISODES)
    )


def _refuse_episodes(*, viewer: User, person: Person, channel: Channel, detail: str) -> None:
    access_log_append(
        actor=viewer,
        person_ids=[person.public_id],
        action=Action.READ,
        parts=[RecordPart.EPISODES],
        outcome=Outcome.REFUSED,
        basis=NOT_SHARED.basis,
        channel=channel,
        detail=detail,
    )
    raise AccessRefused(NOT_SHARED)


def person_reviews_open(*, viewer: User, public_id: UUID, channel: Channel, detail: str) -> PersonReviews:
    """Open a person's record (logged) and their case reviews. Raises Person.DoesNotExist or AccessRefused."""
    record = person_open(viewer=viewer, public_id=public_id, channel=channel, detail=detail)
    if not record.can_read(RecordPart.EPISODES):
        _refuse_episodes(viewer=viewer, person=record.person, channel=channel, detail=detail)
    return reviews_of(record)


def case_review_get(*, viewer: User, public_id: UUID, channel: Channel, detail: str) -> tuple[OpenedRecord, CaseReview]:
    """Open one case review: opens (and logs a read of) the person's record, then refuses, logged, unless
    the viewer may read episodes of care. Raises CaseReview.DoesNotExist or AccessRefused."""
    review = (
        CaseReview.objects.select_related(
            "person", "episode__service__organisation", "episode__team", "scheduled_by", "recorded_by", "cancelled_by"
        )
        .prefetch_related(_with_invitees())
        .get(public_id=public_id)
    )
    record = person_open(viewer=viewer, public_id=review.person.public_id, channel=channel, detail=detail)
    if not record.can_read(RecordPart.EPISODES):
        _refuse_episodes(viewer=viewer, person=review.person, channel=channel, detail=detail)
    return record, review
