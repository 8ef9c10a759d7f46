"""Changes to multi-agency case reviews (R7): scheduling, recording the outcome, cancelling, and the
background sweep that turns an overdue review into a task. Each page or API change checks the
permission function first, runs in one transaction and appends to the access log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from coexist.accounts.models import User
from coexist.accounts.services import system_user
from coexist.audit.models import Channel
from coexist.care.models import (
    CaseReview,
    CaseReviewInvitee,
    CaseReviewReason,
    CaseReviewStatus,
    EpisodeOfCare,
)
from coexist.care.reviews.rules import (
    REVIEW_SERVICE_KINDS,
    invitation_refusal,
    needs_case_review,
    outcome_refusals,
    schedule_refusals,
)
from coexist.care.reviews.selectors import (
    Practitioner,
    care_team_practitioners,
    due_for_episodes,
    practitioners_for,
)
from coexist.care.selectors import coordinating_episode
from coexist.people.models import Person
from coexist.people.permissions import confirm_still_visible, require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write
from coexist.tasks.models import Priority, Task
from coexist.tasks.services import task_create

MAX_TEXT = 5000


def _require_change(*, by: User, person: Person, channel: Channel, detail: str) -> str:
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=[RecordPart.EPISODES], channel=channel, detail=detail
    )
    return decision.basis


def _check_invitees(*, person: Person, invitees: Sequence[Practitioner]) -> None:
    """R7: everyone invited works in a clinical team now, and every agency in the care team is invited."""
    gone = [p.user.display_name for p in invitees if not p.organisations]
    if gone:
        raise ValidationError(
            {"invitees": f"Invite only staff who work in a clinical team now. Not: {', '.join(sorted(gone))}."}
        )
    care_team = [name for p in care_team_practitioners(person) for name in p.organisations]
    invited = [name for p in invitees for name in p.organisations]
    refusal = invitation_refusal(care_team=care_team, invited=invited, any_invited=bool(invitees))
    if refusal is not None:
        raise ValidationError({"invitees": refusal})


def _create(
    *,
    episode: EpisodeOfCare,
    scheduled_for: datetime,
    reason: str,
    reason_detail: str,
    invitees: Sequence[Practitioner],
    person_invited: bool,
    carers_invited: bool,
    by: User,
    scheduled_from: CaseReview | None = None,
) -> CaseReview:
    """Inside the caller's transaction, with the episode locked: one scheduled review at a time per person."""
    booked = CaseReview.objects.filter(person=episode.person, status=CaseReviewStatus.SCHEDULED).first()
    if booked is not None:
        when = timezone.localtime(booked.scheduled_for)
        raise ValidationError(
            {
                "scheduled_for": f"A review is already booked for {when:%d %B %Y at %H:%M}. "
                "Record its outcome or cancel it before booking another."
            }
        )
    review = CaseReview.objects.create(
        person=episode.person,
        episode=episode,
        scheduled_for=scheduled_for,
        reason=reason,
        reason_detail=reason_detail,
        person_invited=person_invited,
        carers_invited=carers_invited,
        scheduled_by=by,
        scheduled_from=scheduled_from,
    )
    CaseReviewInvitee.objects.bulk_create(
        CaseReviewInvitee(review=review, user=p.user, organisation=p.organisation, role=p.role) for p in invitees
    )
    return review


def case_review_schedule(
    *,
    episode: EpisodeOfCare,
    scheduled_for: datetime,
    reason: str,
    by: User,
    channel: Channel,
    invitees: Sequence[User] | None = None,
    reason_detail: str = "",
    person_invited: bool = True,
    carers_invited: bool = False,
) -> CaseReview:
    """R7: book a multi-agency case review for the person on this open episode.

    `invitees` None means the current care team (the default list). At least one practitioner from every
    organisation in the current care team must be invited; the refusal names the ones missing. Raises
    AccessRefused or ValidationError (by field: scheduled_for, reason, reason_detail, invitees)."""
    person = episode.person
    basis = _require_change(by=by, person=person, channel=channel, detail="schedule case review")
    errors: dict[str, str] = {}
    if not episode.is_open:
        errors["episode"] = "This episode of care has finished; a review is booked on an open episode."
    elif not needs_case_review(service_kind=episode.service.kind):
        errors["episode"] = "Case reviews are booked on community mental health, ward or drug and alcohol episodes."
    if reason not in CaseReviewReason.values:
        errors["reason"] = "Choose why the review is being held."
    reason_detail = reason_detail.strip()
    if reason == CaseReviewReason.OTHER and not reason_detail:
        errors["reason_detail"] = "Say what has changed that means the review cannot wait."
    if len(reason_detail) > MAX_TEXT:
        errors["reason_detail"] = f"Use {MAX_TEXT} characters or fewer."
    if timezone.is_naive(scheduled_for):  # a time without a zone is the trust's local time
        scheduled_for = timezone.make_aware(scheduled_for)
    errors.update(schedule_refusals(scheduled_on=timezone.localdate(scheduled_for), today=timezone.localdate()))
    if errors:
        raise ValidationError(errors)
    practitioners = (
        care_team_practitioners(person) if invitees is None else practitioners_for(list(dict.fromkeys(invitees)))
    )
    _check_invitees(person=person, invitees=practitioners)
    with transaction.atomic():
        locked = EpisodeOfCare.objects.select_for_update().select_related("person").get(pk=episode.pk)
        review = _create(
            episode=locked,
            scheduled_for=scheduled_for,
            reason=reason,
            reason_detail=reason_detail,
            invitees=practitioners,
            person_invited=person_invited,
            carers_invited=carers_invited,
            by=by,
        )
        confirm_still_visible(user=by, person=person)
        when = timezone.localtime(scheduled_for)
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.EPISODES],
            basis=basis,
            channel=channel,
            detail=f"scheduled case review for {when:%d %b %Y %H:%M} ({review.get_reason_display().lower()}), "
            f"{len(practitioners)} invited",
        )
    return review


def case_review_record_outcome(
    *,
    review: CaseReview,
    held_on: date | None,
    outcome: str,
    next_review_on: date | None,
    by: User,
    channel: Channel,
    attended: Sequence[User] = (),
    person_attended: bool = False,
    carers_attended: bool = False,
    schedule_next: bool = False,
) -> CaseReview:
    """R7: record that the review was held, who came, what was decided and when the next is due.

    The next review date is required, after the day it was held and no later than 12 months after it.
    `schedule_next` books that next review on the episode at the same time of day, inviting the care
    team as it is now. Raises AccessRefused or ValidationError (by field)."""
    person = review.person
    basis = _require_change(by=by, person=person, channel=channel, detail="record case review outcome")
    errors: dict[str, str] = {}
    outcome = outcome.strip()
    if not outcome:
        errors["outcome"] = "Say what the review decided."
    elif len(outcome) > MAX_TEXT:
        errors["outcome"] = f"Use {MAX_TEXT} characters or fewer."
    if held_on is None:
        errors["held_on"] = "Enter the date the review was held."
    if next_review_on is None:
        errors["next_review_on"] = "Enter the date of the next review: R7 needs one within 12 months."
    if held_on is not None and next_review_on is not None:
        errors.update(outcome_refusals(held_on=held_on, next_review_on=next_review_on, today=timezone.localdate()))
    invited = {invitee.user_id: invitee for invitee in review.invitees.all()}
    strangers = [user.display_name for user in attended if user.pk not in invited]
    if strangers:
        errors["attended"] = f"Only people invited can be recorded as attending. Not invited: {', '.join(strangers)}."
    if errors:
        raise ValidationError(errors)
    assert held_on is not None
    assert next_review_on is not None
    with transaction.atomic():
        locked = CaseReview.objects.select_for_update().select_related("episode__service").get(pk=review.pk)
        if locked.status != CaseReviewStatus.SCHEDULED:
            raise ValidationError({"outcome": f"This review is already {locked.get_status_display().lower()}."})
        locked.status = CaseReviewStatus.HELD
        locked.held_on = held_on
        locked.next_review_on = next_review_on
        locked.outcome = outcome
        locked.person_attended = person_attended
        locked.carers_attended = carers_attended
        locked.recorded_at = timezone.now()
        locked.recorded_by = by
        locked.save()
        came = {user.pk for user in attended}
        CaseReviewInvitee.objects.filter(review=locked).update(attended=False)
        CaseReviewInvitee.objects.filter(review=locked, user_id__in=came).update(attended=True)
        detail = f"recorded case review held on {held_on:%d %b %Y}; next due {next_review_on:%d %b %Y}"
        if schedule_next:
            detail += _schedule_next(review=locked, by=by)
        confirm_still_visible(user=by, person=person)
        log_write(by=by, person=person, parts=[RecordPart.EPISODES], basis=basis, channel=channel, detail=detail)
    return locked


def _schedule_next(*, review: CaseReview, by: User) -> str:
    """Book the next review on the day it is due, at the same time of day, with the care team as it is now."""
    episode = EpisodeOfCare.objects.select_for_update().select_related("person", "service").get(pk=review.episode_id)
    if not episode.is_open:
        raise ValidationError(
            {"schedule_next": "The episode of care has finished; book the next review on an open one."}
        )
    assert review.next_review_on is not None
    local_time = timezone.localtime(review.scheduled_for).time().replace(second=0, microsecond=0)
    when = timezone.make_aware(datetime.combine(review.next_review_on, local_time or time(10)))
    refusal = schedule_refusals(scheduled_on=review.next_review_on, today=timezone.localdate())
    if refusal:
        raise ValidationError({"schedule_next": "The next review date has passed, so it cannot be booked."})
    practitioners = care_team_practitioners(episode.person) or practitioners_for([by])
    try:
        _check_invitees(person=episode.person, invitees=practitioners)
    except ValidationError as exc:
        raise ValidationError({"schedule_next": exc.messages}) from exc
    _create(
        episode=episode,
        scheduled_for=when,
        reason=CaseReviewReason.ANNUAL,
        reason_detail="",
        invitees=practitioners,
        person_invited=review.person_invited,
        carers_invited=review.carers_invited,
        by=by,
        scheduled_from=review,
    )
    return f"; next review booked for {timezone.localtime(when):%d %b %Y %H:%M}"


def case_review_cancel(*, review: CaseReview, reason: str, by: User, channel: Channel) -> CaseReview:
    """R7: cancel a booked review, saying why. The duty stays: if the review is overdue it still shows."""
    person = review.person
    basis = _require_change(by=by, person=person, channel=channel, detail="cancel case review")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the review is cancelled."})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": f"Use {MAX_TEXT} characters or fewer."})
    with transaction.atomic():
        locked = CaseReview.objects.select_for_update().get(pk=review.pk)
        if locked.status != CaseReviewStatus.SCHEDULED:
            raise ValidationError({"reason": f"This review is already {locked.get_status_display().lower()}."})
        locked.status = CaseReviewStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancelled_by = by
        locked.cancel_reason = reason
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=[RecordPart.EPISODES],
            basis=basis,
            channel=channel,
            detail=f"cancelled case review booked for {timezone.localtime(locked.scheduled_for):%d %b %Y}: {reason}",
        )
    return locked


# --- The background sweep ---------------------------------------------------------------------------

SWEEP_BASIS = "R7 duty: a multi-agency case review is overdue on an open episode of care"


def case_review_overdue_tasks(*, now: datetime) -> int:
    """R7: one task per open episode whose multi-agency review is overdue and which has no open R7 task.

    Goes to the episode's care coordinator (or the coordinator of the person's other open episode),
    otherwise to the team holding the episode. Idempotent: run it as often as you like. Acts as the
    system user on the task channel and writes the access log for each task. Returns how many it made."""
    actor = system_user()
    today = timezone.localdate(now)
    episodes = list(
        EpisodeOfCare.objects.open()
        .filter(service__kind__in=REVIEW_SERVICE_KINDS)
        # Idempotent: an episode that already has an open R7 task is left alone.
        .exclude(Exists(Task.objects.open().filter(rule="R7", episode=OuterRef("pk"))))
        .select_related("person", "service", "team", "coordinator")
        .order_by("opened_at", "pk")
    )
    overdue = [due for due in due_for_episodes(episodes, today=today).values() if due.is_overdue]
    created = 0
    for due in overdue:
        with transaction.atomic():
            episode = EpisodeOfCare.objects.select_for_update().get(pk=due.episode.pk)
            if not episode.is_open or Task.objects.open().filter(rule="R7", episode=episode).exists():
                continue
            person = due.episode.person
            owner = due.episode.coordinator
            if owner is None:
                other = coordinating_episode(person)
                owner = other.coordinator if other is not None else None
            booked = ""
            if due.scheduled is not None:
                booked = (
                    f" A review is booked for {timezone.localtime(due.scheduled.scheduled_for):%d %B %Y}; "
                    "record its outcome once it is held."
                )
            task_create(
                person=person,
                rule="R7",
                title=f"Multi-agency case review overdue for {person.full_name}",
                detail=(
                    f"The yearly multi-agency case review for {due.episode.service} was due on "
                    f"{due.due_on:%d %B %Y}. Book it with every agency in the care team, then record the outcome."
                    + booked
                ),
                due_at=now + timedelta(days=7),
                priority=Priority.SOON,
                assigned_to=owner,
                assigned_team=None if owner is not None else due.episode.team,
                episode=due.episode,
                by=actor,
            )
            log_write(
                by=actor,
                person=person,
                parts=[RecordPart.EPISODES],
                basis=SWEEP_BASIS,
                channel=Channel.TASK,
                detail=f"created R7 task: case review overdue since {due.due_on:%d %b %Y}",
            )
            created += 1
    return created
