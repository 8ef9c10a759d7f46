"""Groups and drop-in sessions (seed 002, R12): scheduling, enrolling, the register and anonymous counts.

Each write checks first, runs in one transaction and appends to the access log when it touches a
person's record. Enrolment is independent of episodes of care: nothing here reads or changes an
episode, and nothing elsewhere that finishes an episode ends an enrolment. Recording "did not attend"
on a register is not an R6 missed appointment: it creates no follow-up and no task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.engagement.groups import rules
from coexist.engagement.groups.rules import GroupAttendanceStatus, GroupKind
from coexist.engagement.models import Group, GroupAttendance, GroupEnrolment, GroupSession
from coexist.organisations.models import Membership, Service
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused, confirm_still_visible, require
from coexist.people.rules import AccessDecision, Action, RecordPart
from coexist.people.services import log_write

PART = RecordPart.GROUPS
_PARTS = [PART]


def works_in(user: User, service: Service) -> bool:
    """Whether the user has a current clinical role in a team of this service (runs its groups)."""
    return Membership.objects.current().clinical().filter(user=user, team__service=service).exists()


def _require_runs(*, group: Group, by: User, session: GroupSession | None = None) -> None:
    """Scheduling, changing and cancelling sessions is for the service's clinical staff, or the session's
    facilitators. Refused otherwise (administrators and researchers included)."""
    if works_in(by, group.service):
        return
    if session is not None and session.facilitators.filter(pk=by.pk).exists() and by.is_active:
        return
    raise AccessRefused(AccessDecision(False, f"Only staff of {group.service.name} run its groups."))


def _facilitators_errors(facilitators: Sequence[User]) -> dict[str, str]:
    if not facilitators:
        return {"facilitators": "Choose at least one member of staff to run the session."}
    if any(not u.is_active for u in facilitators):
        return {"facilitators": "Choose facilitators whose accounts are active."}
    return {}


def group_create(*, service: Service, name: str, kind: str, description: str = "", by: User, channel: Channel) -> Group:
    """A new group or drop-in run by a service. Open to people after they leave the service (seed 002)."""
    _ = channel  # no person's record is touched
    if not works_in(by, service):
        raise AccessRefused(AccessDecision(False, f"Only staff of {service.name} set up its groups."))
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the group's name."
    elif Group.objects.filter(service=service, name=name.strip()).exists():
        errors["name"] = f"{service.name} already has a group called {name.strip()}."
    if kind not in GroupKind.values:
        errors["kind"] = "Choose a group programme or a drop-in."
    if errors:
        raise ValidationError(errors)
    return Group.objects.create(
        service=service, name=name.strip(), kind=kind, description=description.strip(), created_by=by
    )


def group_sessions_schedule(
    *,
    group: Group,
    first: datetime,
    duration_minutes: int,
    place: str,
    facilitators: Sequence[User],
    by: User,
    channel: Channel,
    every_days: int = 7,
    occurrences: int = 1,
) -> list[GroupSession]:
    """Schedule one session, or a set every `every_days` days. Each is its own row: changing or
    cancelling one later changes no other."""
    _ = channel
    _require_runs(group=group, by=by)
    if timezone.is_naive(first):
        first = timezone.make_aware(first)
    if abs(first - timezone.now()) <= rules.SCHEDULE_WINDOW:
        first = timezone.localtime(first)  # repeat by the local wall clock (BST); far dates are refused below
    errors = rules.schedule_errors(
        first=first,
        every_days=every_days,
        occurrences=occurrences,
        duration_minutes=duration_minutes,
        now=timezone.now(),
    )
    if not place.strip():
        errors["place"] = "Enter where the session takes place."
    errors |= _facilitators_errors(facilitators)
    if errors:
        raise ValidationError(errors)
    starts = rules.session_starts(first, every_days=every_days, occurrences=occurrences)
    with transaction.atomic():
        sessions = []
        for starts_at in starts:
            session = GroupSession.objects.create(
                group=group, starts_at=starts_at, duration_minutes=duration_minutes, place=place.strip(), created_by=by
            )
            session.facilitators.set(facilitators)
            sessions.append(session)
    return sessions


def group_session_update(
    *,
    session: GroupSession,
    starts_at: datetime,
    duration_minutes: int,
    place: str,
    facilitators: Sequence[User],
    by: User,
    channel: Channel,
) -> GroupSession:
    """Change one session's time, length, place or facilitators. The rest of its set is untouched."""
    _ = channel
    _require_runs(group=session.group, by=by, session=session)
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    errors = rules.schedule_errors(
        first=starts_at, every_days=7, occurrences=1, duration_minutes=duration_minutes, now=timezone.now()
    )
    errors = {("starts_at" if k == "first" else k): v for k, v in errors.items()}
    if session.is_cancelled:
        errors["starts_at"] = "This session was cancelled; schedule a new one instead."
    if not place.strip():
        errors["place"] = "Enter where the session takes place."
    errors |= _facilitators_errors(facilitators)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = GroupSession.objects.select_for_update().get(pk=session.pk)
        locked.starts_at = starts_at
        locked.duration_minutes = duration_minutes
        locked.place = place.strip()
        locked.save(update_fields=["starts_at", "duration_minutes", "place"])
        locked.facilitators.set(facilitators)
    return locked


def group_session_cancel(*, session: GroupSession, reason: str, by: User, channel: Channel) -> GroupSession:
    """Cancel one session with a reason. The record stays, so the group's history shows it."""
    _ = channel
    _require_runs(group=session.group, by=by, session=session)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the session is cancelled."})
    with transaction.atomic():
        locked = GroupSession.objects.select_for_update().get(pk=session.pk)
        if locked.is_cancelled:
            raise ValidationError({"reason": "This session is already cancelled."})
        if locked.attendances.exclude(status=GroupAttendanceStatus.APOLOGIES).exists() or locked.anonymous_count:
            raise ValidationError({"reason": "People have been recorded as attending, so it cannot be cancelled."})
        locked.cancelled_at = timezone.now()
        locked.cancelled_by = by
        locked.cancel_reason = reason.strip()
        locked.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    return locked


def group_enrol(*, group: Group, person: Person, by: User, channel: Channel) -> GroupEnrolment:
    """Enrol a person in a group; by someone who may change their record. Independent of any episode
    of care, so it outlasts a ward discharge (seed 002)."""
    decision = require(
        user=by, person=person, action=Action.WRITE, parts=_PARTS, channel=channel, detail="enrol in group"
    )
    if GroupEnrolment.objects.current().filter(group=group, person=person).exists():
        raise ValidationError({"person": f"{person.full_name} is already enrolled in {group.name}."})
    try:
        with transaction.atomic():
            enrolment = GroupEnrolment.objects.create(group=group, person=person, enrolled_by=by)
            confirm_still_visible(user=by, person=person)
            log_write(
                by=by,
                person=person,
                parts=_PARTS,
                basis=decision.basis,
                channel=channel,
                detail=f"enrolled in {group.name}",
            )
    except IntegrityError as exc:  # a second enrolment raced this one
        raise ValidationError({"person": f"{person.full_name} is already enrolled in {group.name}."}) from exc
    return enrolment


def group_enrolment_end(*, enrolment: GroupEnrolment, reason: str, by: User, channel: Channel) -> GroupEnrolment:
    """The person leaves the group (their choice, or the group ended). Only this ends an enrolment."""
    person = enrolment.person
    decision = require(user=by, person=person, action=Action.WRITE, parts=_PARTS, channel=channel, detail="leave group")
    if not reason.strip():
        raise ValidationError({"reason": "Say why they are leaving the group."})
    with transaction.atomic():
        locked = GroupEnrolment.objects.select_for_update().select_related("group").get(pk=enrolment.pk)
        if not locked.is_current:
            raise ValidationError({"reason": "They have already left this group."})
        locked.ended_at = timezone.now()
        locked.ended_by = by
        locked.end_reason = reason.strip()
        locked.save(update_fields=["ended_at", "ended_by", "end_reason"])
        log_write(
            by=by,
            person=person,
            parts=_PARTS,
            basis=decision.basis,
            channel=channel,
            detail=f"left {locked.group.name}",
        )
    return locked


def group_register_record(
    *,
    session: GroupSession,
    marks: Mapping[Person, str],
    by: User,
    channel: Channel,
    anonymous_count: int | None = None,
) -> GroupSession:
    """Record a session's register (and, R12, how many came without giving a name) by a facilitator.

    Every person marked must be enrolled in the group (add them first) and the facilitator must be
    allowed to change their group attendance. "Did not attend" is not an R6 missed appointment:
    nothing here creates a follow-up or a task. All marks are saved, or none."""
    if not session.facilitators.filter(pk=by.pk).exists():
        raise AccessRefused(AccessDecision(False, "Only the session's facilitators record its register."))
    now = timezone.now()
    errors: dict[str, str] = {}
    if anonymous_count is not None:
        errors |= rules.anonymous_count_errors(
            count=anonymous_count, starts_at=session.starts_at, cancelled=session.is_cancelled, now=now
        )
    enrolled = set(
        GroupEnrolment.objects.current().filter(group_id=session.group_id).values_list("person_id", flat=True)
    )
    decisions: dict[int, str] = {}
    for person, status in marks.items():
        problem = rules.register_errors(
            status=status, starts_at=session.starts_at, cancelled=session.is_cancelled, now=now
        )
        if problem:
            errors[f"person_{person.public_id}"] = problem["status"]
        elif person.pk not in enrolled:
            errors[f"person_{person.public_id}"] = f"{person.full_name} is not enrolled in {session.group.name}."
    if errors:
        raise ValidationError(errors)
    for person in marks:
        decisions[person.pk] = require(
            user=by, person=person, action=Action.WRITE, parts=_PARTS, channel=channel, detail="record group register"
        ).basis
    with transaction.atomic():
        locked = GroupSession.objects.select_for_update().select_related("group").get(pk=session.pk)
        for person, status in marks.items():
            assert not rules.missing_a_session_needs_follow_up(status)  # R6 does not apply to groups
            GroupAttendance.objects.update_or_create(
                session=locked, person=person, defaults={"status": status, "recorded_by": by, "recorded_at": now}
            )
            confirm_still_visible(user=by, person=person)
            log_write(
                by=by,
                person=person,
                parts=_PARTS,
                basis=decisions[person.pk],
                channel=channel,
                detail=f"group register {locked}: {GroupAttendanceStatus(status).label.lower()}",
            )
        if anonymous_count is not None:
            locked.anonymous_count = anonymous_count
            locked.save(update_fields=["anonymous_count"])
    return locked


def group_register_add(
    *, session: GroupSession, person: Person, by: User, channel: Channel, status: str = GroupAttendanceStatus.ATTENDED
) -> GroupAttendance:
    """Someone not enrolled came: enrol them and put them on the register, in one transaction. Needs a
    facilitator of the session who may also change the person's record (enrolling is a change to it)."""
    if not session.facilitators.filter(pk=by.pk).exists():
        raise AccessRefused(AccessDecision(False, "Only the session's facilitators record its register."))
    with transaction.atomic():
        if not GroupEnrolment.objects.current().filter(group_id=session.group_id, person=person).exists():
            group_enrol(group=session.group, person=person, by=by, channel=channel)
        group_register_record(session=session, marks={person: status}, by=by, channel=channel)
    return GroupAttendance.objects.get(session=session, person=person)
