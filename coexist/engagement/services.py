"""Booking appointments, recording their outcome and following up missed ones (R4, R6).

Each checks the permission function first, runs in one transaction and appends to the access log.
R6: a missed appointment creates its follow-up and task in the same transaction as the outcome;
repeated misses or a failed follow-up mark loss of contact and notify the whole care team, in the
same transaction; reaching the person resolves it. Nothing here discharges a person or finishes an
episode of care."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.models import RiskFlag
from coexist.audit.models import Channel
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.care.selectors import duty_owner
from coexist.engagement import rules
from coexist.engagement.models import (
    ActionKind,
    ActionResult,
    Appointment,
    AppointmentSeries,
    FollowUp,
    FollowUpAction,
    LossOfContact,
    Mode,
)
from coexist.engagement.rules import Attendance, PlanReview, RiskLevel
from coexist.organisations.models import Service
from coexist.people.models import Person
from coexist.people.permissions import confirm_still_visible, may, require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write
from coexist.tasks.models import Priority, Task
from coexist.tasks.services import task_complete, task_create

_PARTS = [RecordPart.EPISODES]


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
    every_days: int | None = None,
    occurrences: int = 1,
) -> Appointment:
    """Book an appointment with the person; a joint appointment names a second worker.

    With `every_days` and `occurrences` (2 to 52), books a repeating series at the same clock time
    and returns its first appointment; each occurrence has its own outcome and follow-up (R6)."""
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
    starts = [starts_at]
    if every_days is not None or occurrences != 1:
        if every_days is None or not 1 <= every_days <= rules.SERIES_MAX_EVERY_DAYS:
            errors["every_days"] = f"Repeat every 1 to {rules.SERIES_MAX_EVERY_DAYS} days."
        elif not 2 <= occurrences <= rules.SERIES_MAX_OCCURRENCES:
            errors["occurrences"] = f"A repeating series has 2 to {rules.SERIES_MAX_OCCURRENCES} appointments."
        else:
            starts = rules.series_starts(timezone.localtime(starts_at), every_days=every_days, occurrences=occurrences)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        series = None
        if len(starts) > 1 and every_days is not None:
            series = AppointmentSeries.objects.create(
                person=person, every_days=every_days, occurrences=len(starts), created_by=by
            )
        booked = []
        for start in starts:
            appointment = Appointment(
                person=person,
                episode=episode,
                service=service,
                staff=staff,
                second_staff=second_staff,
                mode=mode,
                starts_at=start,
                duration_minutes=duration_minutes,
                created_by=by,
                series=series,
            )
            appointment._history_user = by  # type: ignore[attr-defined]  # simple_history's hook for who changed it
            appointment.save()
            booked.append(appointment)
        confirm_still_visible(user=by, person=person)
        first = timezone.localtime(starts[0])
        detail = f"booked appointment for {first:%d %b %Y %H:%M}"
        if series is not None:
            detail = f"booked {len(starts)} appointments every {every_days} days from {first:%d %b %Y %H:%M}"
        log_write(by=by, person=person, parts=_PARTS, basis=decision.basis, channel=channel, detail=detail)
    return booked[0]


CANCELLATIONS = frozenset({Attendance.CANCELLED_BY_PERSON, Attendance.CANCELLED_BY_PROVIDER})


def series_cancel_remaining(*, appointment: Appointment, outcome: str, by: User, channel: Channel) -> list[Appointment]:
    """Cancel this appointment and every later one in its series that has no outcome yet.

    The earlier ones, and any already recorded, are left as they are. A cancellation is never a miss,
    so no follow-up is created (R6); who cancelled is recorded as the attendance outcome."""
    person = appointment.person
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=_PARTS, channel=channel, detail="cancel appointments"
    )
    if outcome not in CANCELLATIONS:
        raise ValidationError({"outcome": "Say who cancelled: the person or the service."})
    if appointment.series_id is None:
        raise ValidationError({"outcome": "This appointment is not part of a repeating series."})
    with transaction.atomic():
        lock_person(person)
        remaining = list(
            Appointment.objects.select_for_update()
            .filter(series_id=appointment.series_id, starts_at__gte=appointment.starts_at, status=Attendance.BOOKED)
            .order_by("starts_at")
        )
        if not remaining:
            raise ValidationError({"outcome": "No appointment in this series from this one on is still booked."})
        now = timezone.now()
        for booked in remaining:
            booked.status = outcome
            booked.outcome_recorded_at = now
            booked.outcome_recorded_by = by
            booked._history_user = by  # type: ignore[attr-defined]  # simple_history's hook for who changed it
            booked.save(update_fields=["status", "outcome_recorded_at", "outcome_recorded_by"])
        confirm_still_visible(user=by, person=person)
        label = Attendance(outcome).label.lower()
        log_write(
            by=by,
            person=person,
            parts=_PARTS,
            basis=decision.basis,
            channel=channel,
            detail=f"{label}: {len(remaining)} appointments of a series from "
            f"{timezone.localtime(remaining[0].starts_at):%d %b %Y %H:%M}",
        )
    return remaining


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
    working_days = rules.working_days_for(
        appointment.service.follow_up_working_days, settings.COEXIST_FOLLOW_UP_WORKING_DAYS
    )
    due_at = rules.follow_up_deadline(
        missed_at=missed_at, risk=risk, working_days=working_days, holidays=rules.ENGLAND_AND_WALES_BANK_HOLIDAYS
    )
    owner, episode = duty_owner(person, otherwise=by)
    why = rules.follow_up_reason(risk, working_days=working_days)
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
    and its task, and marks loss of contact when the rule says so; a seen appointment resolves a
    loss of contact. It changes nothing about the person's episodes of care."""
    person = appointment.person
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=_PARTS, channel=channel, detail="record appointment outcome"
    )
    _validate_outcome(appointment=appointment, outcome=outcome, plan_reviewed=plan_reviewed, plan_change=plan_change)
    with transaction.atomic():
        lock_person(person)
        locked = Appointment.objects.select_for_update().select_related("person", "service").get(pk=appointment.pk)
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
            mark_loss_of_contact_if_due(
                person=person, episode=locked.episode, by=by, channel=channel, basis=decision.basis
            )
        elif outcome in rules.SEEN_OUTCOMES:
            # Issue 5: seeing someone after they left a ward closes that discharge's 72-hour follow-up task.
            from coexist.transitions.services import discharge_follow_ups_seen  # transitions imports engagement

            if discharge_follow_ups_seen(person=person, seen_at=locked.starts_at, by=by):
                detail += "; R9 72-hour follow-up after discharge done"
            when = timezone.localtime(locked.starts_at)
            _resolve_loss_of_contact(
                person=person,
                by=by,
                channel=channel,
                basis=decision.basis,
                how=f"Seen at the appointment on {when:%d %b %Y %H:%M} ({locked.get_status_display().lower()}).",
            )
        confirm_still_visible(user=by, person=person)
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

    Not reaching them leaves both open: the duty stays on the worklist until someone does, and a
    follow-up past its deadline with every attempt failed marks loss of contact (R6). Reaching them
    resolves a loss of contact."""
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
        lock_person(person)
        locked = FollowUp.objects.select_for_update().select_related("task", "appointment").get(pk=follow_up.pk)
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
            reached = f"{action.get_kind_display()}: reached the person. {action.note}".strip()
            if locked.task.is_open:
                task_complete(task=locked.task, by=by, outcome=reached, channel=channel)
            # The team leader's escalation of this follow-up is answered too.
            for escalation in Task.objects.open().filter(escalates=locked.task):
                task_complete(task=escalation, by=by, outcome=f"Follow-up done. {reached}", channel=channel)
            _resolve_loss_of_contact(
                person=person,
                by=by,
                channel=channel,
                basis=decision.basis,
                how=f"{action.get_kind_display()}: reached the person. {action.note}".strip(),
            )
        else:
            mark_loss_of_contact_if_due(
                person=person, episode=locked.appointment.episode, by=by, channel=channel, basis=decision.basis
            )
        confirm_still_visible(user=by, person=person)
        log_write(by=by, person=person, parts=_PARTS, basis=decision.basis, channel=channel, detail=detail)
    follow_up.refresh_from_db()
    return action


# --- R6 loss of contact -----------------------------------------------------------------------------


def lock_person(person: Person) -> None:
    """Serialise writes about one person's attendance, follow-ups, loss of contact and discharge, so
    two recorders cannot both mark loss of contact and a discharge cannot slip past a new follow-up."""
    list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True))


def _last_contact_at(person: Person) -> datetime | None:
    """When the person was last seen at an appointment or reached by a follow-up, if ever."""
    seen = Appointment.objects.filter(person=person, status__in=rules.SEEN_OUTCOMES).aggregate(at=Max("starts_at"))
    reached = FollowUpAction.objects.filter(follow_up__person=person, result=ActionResult.REACHED).aggregate(
        at=Max("at")
    )
    moments = [m for m in (seen["at"], reached["at"]) if m is not None]
    return max(moments) if moments else None


def _contact_facts(person: Person) -> tuple[int, int]:
    """R6: missed appointments in a row and failed follow-ups since the person was last seen or reached."""
    since = _last_contact_at(person)
    appointments = Appointment.objects.filter(person=person).exclude(status=Attendance.BOOKED)
    follow_ups = FollowUp.objects.filter(person=person, completed_at__isnull=True)
    if since is not None:
        appointments = appointments.filter(starts_at__gt=since)
        follow_ups = follow_ups.filter(missed_at__gt=since)
    missed = rules.consecutive_missed(appointments.order_by("-starts_at", "-pk").values_list("status", flat=True))
    now = timezone.now()
    failed = sum(
        1
        for due_at, attempts in follow_ups.annotate(attempts=Count("actions")).values_list("due_at", "attempts")
        if rules.follow_up_failed(due_at=due_at, now=now, attempts=attempts, reached=False)
    )
    return missed, failed


def _care_team_to_notify(person: Person, *, by: User) -> list[User]:
    """R6: every current member of the care team who may see the person's care (so not administrators or
    researchers), and the duty owner (the coordinator, else the recorder) even if not in the care team."""
    users: dict[int, User] = {}
    members = (
        CareTeamMember.objects.current()
        .filter(person=person, user__is_active=True)
        .select_related("user")
        .order_by("started_on", "pk")
    )
    for member in members:
        if member.user.pk not in users and may(member.user, person, Action.READ, RecordPart.EPISODES).allowed:
            users[member.user.pk] = member.user
    owner, _ = duty_owner(person, otherwise=by)
    users.setdefault(owner.pk, owner)
    return list(users.values())


def mark_loss_of_contact_if_due(
    *, person: Person, episode: EpisodeOfCare | None, by: User, channel: Channel, basis: str
) -> LossOfContact | None:
    """R6: inside the caller's transaction (person locked), mark loss of contact when the rule fires and
    none is current, with an urgent task for every member of the care team. Changes no episode."""
    missed, failed = _contact_facts(person)
    if not rules.loss_of_contact(consecutive_missed=missed, failed_follow_ups=failed):
        return None
    if LossOfContact.objects.current().filter(person=person).exists():
        return None
    reasons = []
    if missed >= rules.LOSS_OF_CONTACT_MISSED_IN_A_ROW:
        reasons.append(f"{missed} missed appointments in a row since the person was last seen or reached")
    if failed >= rules.LOSS_OF_CONTACT_FAILED_FOLLOW_UPS:
        plural = "follow-up is" if failed == 1 else "follow-ups are"
        reasons.append(f"{failed} {plural} past due with every attempt failing to reach the person")
    reason = "; ".join(reasons) + "."
    _, coordinating = duty_owner(person, otherwise=by)
    episode = coordinating or episode
    loss = LossOfContact.objects.create(
        person=person,
        episode=episode,
        reason=reason[0].upper() + reason[1:],
        consecutive_missed=missed,
        failed_follow_ups=failed,
        marked_by=by,
    )
    recipients = _care_team_to_notify(person, by=by)
    notices: list[Task] = [
        task_create(
            person=person,
            rule="R6",
            title="Loss of contact: nobody has seen or reached this person",
            detail=f"{loss.reason} Every member of the care team has been told. This is not a discharge: "
            "keep trying to reach them, and record it on the follow-up.",
            due_at=timezone.now(),
            priority=Priority.URGENT,
            assigned_to=user,
            episode=episode,
            by=by,
        )
        for user in recipients
    ]
    loss.notices.set(notices)
    log_write(
        by=by,
        person=person,
        parts=_PARTS,
        basis=basis,
        channel=channel,
        detail=f"marked loss of contact (R6): {loss.reason} Notified {len(notices)} of the care team.",
    )
    return loss


def _resolve_loss_of_contact(
    *, person: Person, by: User, channel: Channel, basis: str, how: str
) -> LossOfContact | None:
    """R6: the person was seen or reached, so a current loss of contact ends, and so do its notices."""
    loss = LossOfContact.objects.select_for_update().filter(person=person, resolved_at__isnull=True).first()
    if loss is None:
        return None
    loss.resolved_at = timezone.now()
    loss.resolved_by = by
    loss.resolved_how = how
    loss.save(update_fields=["resolved_at", "resolved_by", "resolved_how"])
    for task in Task.objects.open().filter(pk__in=loss.notices.values("pk")):
        task_complete(task=task, by=by, outcome=f"Contact regained. {how}", channel=channel)
    log_write(
        by=by, person=person, parts=_PARTS, basis=basis, channel=channel, detail=f"resolved loss of contact: {how}"
    )
    return loss
