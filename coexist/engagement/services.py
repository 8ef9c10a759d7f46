"""Booking appointments, recording their outcome and following up missed ones (R4, R6).

Each checks the permission function first, runs in one transaction and appends to the access log.
R6: a missed appointment creates its follow-up and task in the same transaction as the outcome;
nothing here discharges a person or finishes an episode of care."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.models import RiskFlag
from coexist.audit.models import Channel
from coexist.care.models import EpisodeOfCare
from coexist.care.selectors import duty_owner
from coexist.engagement import rules
from coexist.engagement.models import (
    ActionKind,
    ActionResult,
    Appointment,
    FollowUp,
    FollowUpAction,
    Mode,
)
from coexist.engagement.rules import Attendance, PlanReview, RiskLevel
from coexist.organisations.models import Service
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused, may, require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write
from coexist.tasks.models import Priority
from coexist.tasks.services import task_complete, task_create

_PARTS = [RecordPart.EPISODES]


def _confirm_still_visible(*, user: User, person: Person) -> None:
    """STYLE 4: after a write, inside the transaction, the writer may still see what they wrote."""
    decision = may(user, person, Action.READ)
    if not decision.allowed:
        raise AccessRefused(decision)


def appointment_book(
    *,
    person: Person,
    service: Service,
    staff: User,
    starts_at: datetime,
    by: User,
    channel: Channel,
    mode: str = Mode.IN_PERSON,
    duration_minutes: int = 60,
    second_staff: User | None = None,
    episode: EpisodeOfCare | None = None,
) -> Appointment:
    """Book an appointment with the person; a joint appointment names a second worker."""
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=_PARTS, channel=channel, detail="book appointment"
    )
    errors: dict[str, str] = {}
    if mode not in Mode.values:
        errors["mode"] = "Choose how the appointment takes place."
    if duration_minutes < 1:
        errors["duration_minutes"] = "An appointment lasts at least a minute."
    if second_staff is not None and second_staff.pk == staff.pk:
        errors["second_staff"] = "A joint appointment needs a second, different worker."
    if episode is not None and episode.person_id != person.pk:
        errors["episode"] = "That episode of care is not this person's."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        appointment = Appointment(
            person=person,
            episode=episode,
            service=service,
            staff=staff,
            second_staff=second_staff,
            mode=mode,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            created_by=by,
        )
        appointment._history_user = by  # type: ignore[attr-defined]  # simple_history's hook for who changed it
        appointment.save()
        _confirm_still_visible(user=by, person=person)
        log_write(
            by=by,
            person=person,
            parts=_PARTS,
            basis=decision.basis,
            channel=channel,
            detail=f"booked appointment for {timezone.localtime(starts_at):%d %b %Y %H:%M}",
        )
    return appointment


def current_risk_level(person: Person) -> RiskLevel:
    """R6: the person's risk level from their current risk flags (R13)."""
    kinds = RiskFlag.objects.current().filter(person=person).values_list("kind", flat=True)
    return rules.risk_level(kinds)


def _validate_outcome(*, appointment: Appointment, outcome: str, plan_reviewed: str, plan_change: str) -> None:
    if appointment.has_outcome:
        raise ValidationError(
            {"outcome": f"The outcome of this appointment was already recorded ({appointment.get_status_display()})."}
        )
    errors: dict[str, str] = {}
    if outcome not in Attendance.values or outcome == Attendance.BOOKED:
        errors["outcome"] = "Choose what happened."
    elif outcome in rules.AFTER_START_OUTCOMES and timezone.now() < appointment.starts_at:
        errors["outcome"] = "This appointment has not started yet; only a cancellation can be recorded."
    if outcome in rules.SEEN_OUTCOMES:
        # R4: the plan is reviewed at every contact, and the contact says what came of it.
        if plan_reviewed not in PlanReview.values:
            errors["plan_reviewed"] = "Say whether the care plan was reviewed and is unchanged, or what changed."
        elif plan_reviewed == PlanReview.CHANGED and not plan_change.strip():
            errors["plan_change"] = "Say what changed in the care plan."
    elif plan_reviewed or plan_change.strip():
        errors["plan_reviewed"] = "The person was not seen, so the plan was not reviewed with them."
    if errors:
        raise ValidationError(errors)


def _create_follow_up(*, appointment: Appointment, by: User) -> FollowUp:
    """R6: the follow-up and its task for the care coordinator (else the recorder), due by the person's risk.

    The clock starts at the appointment time, not when the miss was recorded: recording it late must
    not buy time, so a late record makes the task overdue at once."""
    person = appointment.person
    risk = current_risk_level(person)
    missed_at = timezone.localtime(appointment.starts_at)
    due_at = rules.follow_up_deadline(
        missed_at=missed_at,
        risk=risk,
        working_days=settings.COEXIST_FOLLOW_UP_WORKING_DAYS,
        holidays=rules.ENGLAND_AND_WALES_BANK_HOLIDAYS,
    )
    owner, episode = duty_owner(person, otherwise=by)
    why = {
        RiskLevel.SELF_HARM_OR_SUICIDE: "current self-harm or suicide risk: follow up now",
        RiskLevel.EXISTING_CONCERNS: "existing risk concerns: follow up within 24 hours",
        RiskLevel.NONE: f"follow up within {settings.COEXIST_FOLLOW_UP_WORKING_DAYS} working days",
    }[risk]
    task = task_create(
        person=person,
        rule="R6",
        title=f"Follow up missed appointment on {missed_at:%d %b %Y %H:%M}",
        detail=f"{appointment.get_status_display()} ({why}). A missed appointment never discharges anyone.",
        due_at=due_at,
        priority=Priority(rules.follow_up_priority(risk)),
        assigned_to=owner,
        episode=episode or appointment.episode,
        by=by,
    )
    return FollowUp.objects.create(
        appointment=appointment, person=person, task=task, risk_level=risk, missed_at=missed_at, due_at=due_at
    )


def appointment_record_outcome(
    *,
    appointment: Appointment,
    outcome: str,
    by: User,
    channel: Channel,
    plan_reviewed: str,
    plan_change: str = "",
) -> Appointment:
    """Record what happened (NHS Data Dictionary attendance). Recorded once; a contact reviews the plan (R4).

    R6: "did not attend" or "arrived late and not seen" creates, in the same transaction, a follow-up
    and its task. It changes nothing about the person's episodes of care."""
    person = appointment.person
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=_PARTS, channel=channel, detail="record appointment outcome"
    )
    _validate_outcome(appointment=appointment, outcome=outcome, plan_reviewed=plan_reviewed, plan_change=plan_change)
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().select_related("person").get(pk=appointment.pk)
        _validate_outcome(appointment=locked, outcome=outcome, plan_reviewed=plan_reviewed, plan_change=plan_change)
        locked.status = outcome
        locked.outcome_recorded_at = timezone.now()
        locked.outcome_recorded_by = by
        locked.plan_reviewed = plan_reviewed
        locked.plan_change = plan_change.strip()
        locked._history_user = by  # type: ignore[attr-defined]  # simple_history's hook for who changed it
        locked.save()
        detail = f"recorded appointment outcome: {locked.get_status_display()}"
        if rules.is_missed(outcome):
            follow_up = _create_follow_up(appointment=locked, by=by)
            detail += f"; R6 follow-up due {timezone.localtime(follow_up.due_at):%d %b %Y %H:%M}"
        _confirm_still_visible(user=by, person=person)
        log_write(by=by, person=person, parts=_PARTS, basis=decision.basis, channel=channel, detail=detail)
    return locked


def follow_up_record_action(
    *,
    follow_up: FollowUp,
    kind: str,
    result: str,
    by: User,
    channel: Channel,
    note: str = "",
    at: datetime | None = None,
) -> FollowUpAction:
    """R6: record one attempt to reach the person. Reaching them completes the follow-up and its task.

    Not reaching them leaves both open: the duty stays on the worklist until someone does."""
    person = follow_up.person
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=_PARTS, channel=channel, detail="record follow-up action"
    )
    when = at or timezone.now()
    errors: dict[str, str] = {}
    if kind not in ActionKind.values:
        errors["kind"] = "Choose what was done."
    if result not in ActionResult.values:
        errors["result"] = "Choose what came of it."
    if when > timezone.now() + timedelta(minutes=5):
        errors["at"] = "An action cannot be recorded in the future."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = FollowUp.objects.select_for_update().select_related("task").get(pk=follow_up.pk)
        if not locked.is_open:
            raise ValidationError("This follow-up is already complete: the person was reached.")
        action = FollowUpAction.objects.create(
            follow_up=locked, kind=kind, result=result, note=note.strip(), at=when, by=by
        )
        detail = f"follow-up: {action.get_kind_display()}, {action.get_result_display()}"
        if result == ActionResult.REACHED:
            locked.completed_at = when
            locked.completed_by = by
            locked.save(update_fields=["completed_at", "completed_by"])
            if locked.task.is_open:
                task_complete(
                    task=locked.task,
                    by=by,
                    outcome=f"{action.get_kind_display()}: reached the person. {action.note}".strip(),
                    channel=channel,
                )
        _confirm_still_visible(user=by, person=person)
        log_write(by=by, person=person, parts=_PARTS, basis=decision.basis, channel=channel, detail=detail)
    follow_up.refresh_from_db()
    return action
