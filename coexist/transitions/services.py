"""Changes to discharges and transfers (R8, R9). Each checks the permission function, validates before
saving, runs in one transaction and appends to the access log.

A discharge finishes only through `transition_complete`, which re-evaluates the checklist inside its
transaction and hands over to `care.services.episode_discharge` (which checks it once more, with R6).
A transfer moves the same episode to the receiving team only when that team accepts (`transition_answer`):
until then the sending team stays responsible, and the receiving team reads the record through an open
referral to its service (the one permission function's "open referral" relationship).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.care.models import CareTeamMember, EpisodeOfCare, EpisodeStatus
from coexist.care.rules import coordinator_refusal
from coexist.care.selectors import coordinating_episode
from coexist.care.services import episode_assign_coordinator, episode_discharge
from coexist.engagement.rules import DischargeReason
from coexist.inpatient.models import Admission
from coexist.organisations.models import Membership, Role, ServiceKind, Team
from coexist.people.models import HOMELESS_STATUSES, Person
from coexist.people.permissions import confirm_still_visible, require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write
from coexist.referrals.models import Referral, ReferralStatusChange, Route, Status, Urgency
from coexist.referrals.rules import decline_refused, text_problem
from coexist.tasks.models import Priority, Task, TaskStatus
from coexist.tasks.services import task_create
from coexist.transitions.models import (
    OPEN_TRANSITION_STATUSES,
    HousingSupport,
    Transition,
    TransitionInvitee,
    TransitionKind,
    TransitionStatus,
)
from coexist.transitions.rules import (
    FOLLOW_UP_WINDOW,
    TEXT_MAX,
    ChecklistItem,
    completion_refusal,
    follow_up_owner,
    housing_refusal,
    is_senior,
    open_items,
)
from coexist.transitions.selectors import checklist_for, follow_up_appointment_for

_PART = [RecordPart.EPISODES]


def _require_change(*, by: User, person: Person, channel: Channel, detail: str) -> str:
    return require(user=by, person=person, action=Action.WRITE, parts=_PART, channel=channel, detail=detail).basis


def _text(value: str, *, field: str, label: str, required: bool = False, max_length: int = TEXT_MAX) -> dict[str, str]:
    problem = text_problem(value, max_length=max_length, required=required, label=label)
    if problem is None and len(value) > max_length:
        problem = f"Use {max_length} characters or fewer."
    return {field: problem} if problem else {}


def _lock(transition: Transition) -> Transition:
    return Transition.objects.select_for_update(of=("self",)).select_related("episode", "person").get(pk=transition.pk)


def _check_planning(transition: Transition, field: str = "transition") -> None:
    if transition.status != TransitionStatus.PLANNING:
        raise ValidationError(
            {field: f"This {transition.get_kind_display().lower()} is {transition.get_status_display().lower()}."}
        )


def _roles_in_service(user: User, service_id: int) -> set[str]:
    return set(
        Membership.objects.current()
        .clinical()
        .filter(user=user, user__is_active=True, team__service_id=service_id)
        .values_list("role", flat=True)
    )


def transition_start(
    *,
    episode: EpisodeOfCare,
    kind: str,
    by: User,
    channel: Channel,
    to_team: Team | None = None,
    discharge_reason: str = "",
    planned_for: date | None = None,
    destination: str = "",
) -> Transition:
    """Start planning a discharge or a transfer of this open episode. One open at a time per episode.

    A discharge needs a coded reason (R6: never non-attendance); a transfer needs a receiving team that is
    not the one holding the episode. Raises AccessRefused or ValidationError (by field)."""
    person = episode.person
    basis = _require_change(by=by, person=person, channel=channel, detail=f"start {kind}")
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if not episode.is_open:
        errors["episode"] = "This episode of care has already finished."
    elif episode.status == EpisodeStatus.TRANSFERRING:
        errors["episode"] = "This episode is already being transferred."
    if not _roles_in_service(by, episode.service_id):
        errors["episode"] = "Only a member of the service holding the episode can plan its discharge or transfer."
    if kind not in TransitionKind.values:
        errors["kind"] = "Choose discharge or transfer."
    elif kind == TransitionKind.DISCHARGE:
        if discharge_reason not in DischargeReason.values or discharge_reason == DischargeReason.TRANSFERRED:
            errors["discharge_reason"] = (
                "Choose why the person is being discharged. Not attending is never a reason (R6); to move care to "
                "another team, start a transfer instead."
            )
    else:
        if to_team is None:
            errors["to_team"] = "Choose the team that will take over."
        elif to_team.pk == episode.team_id:
            errors["to_team"] = "Choose a different team from the one holding the episode."
    if planned_for is not None and not today - timedelta(days=1) <= planned_for <= today + timedelta(days=366):
        errors["planned_for"] = "Enter a planned date from today to a year ahead."
    errors |= _text(destination, field="destination", label="Where the person goes next")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = EpisodeOfCare.objects.select_for_update().get(pk=episode.pk)
        if Transition.objects.filter(episode=locked, status__in=OPEN_TRANSITION_STATUSES).exists():
            raise ValidationError({"episode": "A discharge or transfer of this episode is already being planned."})
        created = Transition.objects.create(
            person=person,
            episode=locked,
            kind=kind,
            discharge_reason=discharge_reason if kind == TransitionKind.DISCHARGE else "",
            destination=destination.strip(),
            planned_for=planned_for,
            to_team=to_team if kind == TransitionKind.TRANSFER else None,
            started_by=by,
        )
        where = f" to {to_team}" if kind == TransitionKind.TRANSFER and to_team is not None else ""
        log_write(
            by=by, person=person, parts=_PART, basis=basis, channel=channel,
            detail=f"started {kind} from {locked.service}{where}",
        )  # fmt: skip
    return created


def transition_invite(
    *, transition: Transition, users: Sequence[User], meeting_at: datetime | None, by: User, channel: Channel
) -> Transition:
    """R8: set the meeting time and who is invited (exactly these; each must work in a clinical team now)."""
    person = transition.person
    basis = _require_change(by=by, person=person, channel=channel, detail="invite to discharge or transfer meeting")
    errors: dict[str, str] = {}
    if meeting_at is None:
        errors["meeting_at"] = "Enter the date and time of the meeting."
    else:
        if timezone.is_naive(meeting_at):
            meeting_at = timezone.make_aware(meeting_at)
        now = timezone.now()
        if not now - timedelta(days=90) <= meeting_at <= now + timedelta(days=366):
            errors["meeting_at"] = "Enter a meeting time within the last 90 days or the coming year."
    wanted = list(dict.fromkeys(users))
    orgs: dict[int, object] = {}
    for membership in (
        Membership.objects.current()
        .clinical()
        .filter(user__in=wanted, user__is_active=True)
        .select_related("team__service__organisation")
    ):
        orgs.setdefault(membership.user_id, membership.team.service.organisation)
    gone = [u.display_name for u in wanted if u.pk not in orgs]
    if gone:
        errors["invitees"] = f"Invite only staff who work in a clinical team now. Not: {', '.join(sorted(gone))}."
    if not wanted:
        errors["invitees"] = "Invite at least one practitioner."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(transition)
        _check_planning(locked, "invitees")
        locked.meeting_at = meeting_at
        locked.save(update_fields=["meeting_at"])
        TransitionInvitee.objects.filter(transition=locked).exclude(user__in=wanted).delete()
        have = set(TransitionInvitee.objects.filter(transition=locked).values_list("user_id", flat=True))
        TransitionInvitee.objects.bulk_create(
            TransitionInvitee(transition=locked, user=u, organisation=orgs[u.pk])  # type: ignore[misc]
            for u in wanted
            if u.pk not in have
        )
        assert meeting_at is not None
        log_write(
            by=by, person=person, parts=_PART, basis=basis, channel=channel,
            detail=f"{locked.kind} meeting set for {timezone.localtime(meeting_at):%d %b %Y %H:%M}; "
            f"{len(wanted)} invited",
        )  # fmt: skip
    return locked


def transition_housing(*, transition: Transition, support: str, note: str, by: User, channel: Channel) -> Transition:
    """R8: record whether housing support is in place. 'Not needed' is refused for someone homeless, in
    temporary housing, or whose housing is not known."""
    person = Person.objects.get(pk=transition.person_id)
    basis = _require_change(by=by, person=person, channel=channel, detail="record housing support")
    errors: dict[str, str] = {}
    if support not in HousingSupport.values:
        errors["housing_support"] = "Choose whether housing support is in place."
    else:
        refusal = housing_refusal(
            support=support,
            housing_status=person.housing_status,
            housing_status_label=person.get_housing_status_display(),
            homeless=person.housing_status in HOMELESS_STATUSES,
        )
        if refusal:
            errors["housing_support"] = refusal
    errors |= _text(note, field="housing_note", label="Note")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(transition)
        _check_planning(locked, "housing_support")
        locked.housing_support = support
        locked.housing_note = note.strip()
        locked.save(update_fields=["housing_support", "housing_note"])
        log_write(
            by=by, person=person, parts=_PART, basis=basis, channel=channel,
            detail=f"housing support for {locked.kind}: {HousingSupport(support).label.lower()}",
        )  # fmt: skip
    return locked


def _settle_checklist(*, locked: Transition, by: User, override_reason: str, verb: str) -> list[ChecklistItem]:
    """Evaluate the checklist now and refuse (every open item named) unless it is met or a senior clinician
    in the episode's service overrides with a written reason. Stores the override on `locked` (unsaved)."""
    items = checklist_for(locked)
    senior = is_senior(_roles_in_service(by, locked.episode.service_id))
    refusal = completion_refusal(items=items, override_reason=override_reason, senior=senior, verb=verb)
    if refusal:
        raise ValidationError(refusal)
    still_open = open_items(items)
    if still_open:
        locked.override_by = by
        locked.override_reason = override_reason.strip()
        locked.overridden_items = [item.key for item in still_open]
    else:
        locked.override_by = None
        locked.override_reason = ""
        locked.overridden_items = []
    locked.checklist_at_completion = [item.as_dict() for item in items]
    return items


def transition_complete(*, transition: Transition, by: User, channel: Channel, override_reason: str = "") -> Transition:
    """R8/R9: complete a discharge. In one transaction: the checklist is evaluated again; open items refuse it
    (each named) unless a senior clinician overrides with a written reason; the episode finishes through
    `care.services.episode_discharge` (R6); a ward admission is marked discharged; leaving a ward creates the
    72-hour follow-up task. Group enrolments are not ended (seed 002: groups stay open after discharge)."""
    person = transition.person
    basis = _require_change(by=by, person=person, channel=channel, detail="complete discharge")
    if transition.kind != TransitionKind.DISCHARGE:
        raise ValidationError({"transition": "A transfer is sent to the receiving team, not completed here."})
    errors = _text(override_reason, field="override_reason", label="Reason for overriding")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(transition)
        _check_planning(locked)
        episode = EpisodeOfCare.objects.select_related("service", "team").get(pk=locked.episode_id)
        from_ward = episode.service.kind == ServiceKind.INPATIENT_WARD
        appointment = follow_up_appointment_for(locked) if from_ward else None
        items = _settle_checklist(locked=locked, by=by, override_reason=override_reason, verb="discharge")
        finished = episode_discharge(transition=locked, by=by, channel=channel)
        now = finished.finished_at or timezone.now()
        Admission.objects.filter(episode=episode, discharged_at__isnull=True).update(discharged_at=now)
        locked.status = TransitionStatus.COMPLETED
        locked.completed_at = now
        locked.completed_by = by
        locked.follow_up_appointment = appointment
        if from_ward:
            locked.follow_up_task = _follow_up_task(
                person=person, episode=finished, appointment_worker=appointment.staff if appointment else None,
                discharged_at=now, by=by,
            )  # fmt: skip
        locked.save()
        overridden = (
            f"; overridden by {by.display_name}: {', '.join(locked.overridden_items)}" if locked.override_by_id else ""
        )
        log_write(
            by=by, person=person, parts=_PART, basis=basis, channel=channel,
            detail=f"completed discharge from {episode.service} ({sum(i.met for i in items)} of "
            f"{sum(i.applies for i in items)} checklist items met{overridden})",
        )  # fmt: skip
    return locked


def _follow_up_task(
    *, person: Person, episode: EpisodeOfCare, appointment_worker: User | None, discharged_at: datetime, by: User
) -> Task:
    """R9 / NHS 72-hour standard: the community care coordinator of the person's other open episode, else the
    booked appointment's worker, else the ward team."""
    other = coordinating_episode(person)
    coordinator = other.coordinator if other is not None else None
    kind, _ = follow_up_owner(
        other_coordinator=coordinator.display_name if coordinator else None,
        appointment_worker=appointment_worker.display_name if appointment_worker else None,
        ward_team=str(episode.team),
    )
    owner = coordinator if kind == "coordinator" else appointment_worker if kind == "worker" else None
    due = discharged_at + FOLLOW_UP_WINDOW
    return task_create(
        person=person,
        rule="R9",
        title=f"Follow-up contact within 72 hours of leaving {episode.service}: {person.full_name}",
        detail=(
            f"{person.full_name} left {episode.service} on {timezone.localtime(discharged_at):%d %B %Y at %H:%M}. "
            f"See them by {timezone.localtime(due):%d %B %Y at %H:%M} (the NHS 72-hour standard): the risk of "
            "suicide and overdose is highest in the first days after discharge. Record the contact as an "
            "appointment outcome: this task closes when they are seen."
        ),
        due_at=due,
        priority=Priority.URGENT,
        assigned_to=owner,
        assigned_team=None if owner is not None else episode.team,
        episode=other if kind == "coordinator" else episode,
        by=by,
    )


def discharge_follow_ups_seen(*, person: Person, seen_at: datetime, by: User) -> int:
    """R9: a community contact in which the person was seen, after they left a ward, closes the open 72-hour
    follow-up task of that discharge (late or not: the task's deadline says whether it was on time). Called by
    `engagement.services.appointment_record_outcome` inside its transaction, after its permission check.
    Returns how many tasks it closed."""
    now = timezone.now()
    closed = 0
    for transition in Transition.objects.select_related("follow_up_task").filter(
        person=person,
        follow_up_task__status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS],
        completed_at__lte=seen_at,
    ):
        task = transition.follow_up_task
        assert task is not None
        task.status = TaskStatus.DONE
        task.completed_at = now
        task.completed_by = by
        task.outcome = f"Seen at the appointment on {timezone.localtime(seen_at):%d %b %Y %H:%M}."
        task.save(update_fields=["status", "completed_at", "completed_by", "outcome"])
        closed += 1
    return closed


# --- Transfers -----------------------------------------------------------------------------------


def _record_referral_change(*, referral: Referral, to: Status, by: User, note: str, fields: dict[str, object]) -> None:
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.status not in (Status.RECEIVED, Status.TRIAGED):
        return  # already closed elsewhere: nothing to do
    before = locked.status
    now = timezone.now()
    locked.status = to
    locked.decided_at = now
    locked.triaged_at = locked.triaged_at or now
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    ReferralStatusChange.objects.create(
        referral=locked, from_status=before, to_status=to, by=by, at=now, note=note[:2000]
    )


def transition_send(*, transition: Transition, by: User, channel: Channel, override_reason: str = "") -> Transition:
    """R8: send a planned transfer to the receiving team for acceptance once its checklist is met (or a senior
    clinician overrides). The episode becomes TRANSFERRING and stays with the sending team; a referral to the
    receiving service (route staff, reason "transfer") lets the receiving team read the record to decide."""
    person = transition.person
    basis = _require_change(by=by, person=person, channel=channel, detail="send transfer for acceptance")
    if transition.kind != TransitionKind.TRANSFER:
        raise ValidationError({"transition": "Only a transfer is sent for acceptance; a discharge is completed."})
    errors = _text(override_reason, field="override_reason", label="Reason for overriding")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(transition)
        _check_planning(locked)
        episode = EpisodeOfCare.objects.select_for_update().select_related("service", "team").get(pk=locked.episode_id)
        if not episode.is_open:
            raise ValidationError({"transition": "This episode of care has already finished."})
        _settle_checklist(locked=locked, by=by, override_reason=override_reason, verb="transfer")
        assert locked.to_team_id is not None
        to_team = Team.objects.select_related("service").get(pk=locked.to_team_id)
        referral = Referral.objects.create(
            person=person,
            to_service=to_team.service,
            route=Route.STAFF,
            urgency=Urgency.SOON,
            reason=f"Transfer of care from {episode.team} ({episode.service}) to {to_team}. "
            "Accept or decline it from the incoming transfers list.",
            referrer=by,
        )
        ReferralStatusChange.objects.create(referral=referral, from_status="", to_status=Status.RECEIVED, by=by,
                                            note="transfer")  # fmt: skip
        locked.status = TransitionStatus.AWAITING_ACCEPTANCE
        locked.requested_at = timezone.now()
        locked.request_referral = referral
        locked.save()
        episode.status = EpisodeStatus.TRANSFERRING
        episode._history_user = by  # type: ignore[attr-defined]
        episode.save(update_fields=["status"])
        log_write(
            by=by, person=person, parts=_PART, basis=basis, channel=channel,
            detail=f"sent transfer from {episode.team} to {to_team} for acceptance ({referral.reference})"
            + (f"; checklist overridden: {', '.join(locked.overridden_items)}" if locked.override_by_id else ""),
        )  # fmt: skip
    return locked


def transition_answer(
    *,
    transition: Transition,
    by: User,
    channel: Channel,
    accept: bool,
    new_coordinator: User | None = None,
    decline_code: str = "",
    decline_reason: str = "",
) -> Transition:
    """R8: a clinical member of the receiving team accepts (naming the new coordinator from that team) or
    declines (with an R1 reason the receiving service may give, and why).

    Accepting, in one transaction: the same episode moves to the receiving team and service (history kept),
    back to active; the new coordinator is named and joins the care team; the old coordinator's place ends
    today (both see the record on handover day); open tasks for the old team go to the new team and the old
    coordinator's go to the new one; the care plan is the person's and stays. Declining puts the episode back
    to active with the sending team."""
    person = transition.person
    to_team = transition.to_team
    if to_team is None or transition.kind != TransitionKind.TRANSFER:
        raise ValidationError({"transition": "Only a transfer is answered by a receiving team."})
    in_team = Membership.objects.current().clinical().filter(user=by, user__is_active=True, team=to_team).exists()
    basis = _require_change(by=by, person=person, channel=channel, detail="answer transfer")
    errors: dict[str, str] = {}
    if not in_team:
        errors["transition"] = f"Only a clinical member of {to_team} can answer this transfer."
    if accept:
        if new_coordinator is None:
            errors["new_coordinator"] = "Name the care coordinator in your team who will take over."
        else:
            roles = set(
                Membership.objects.current()
                .filter(user=new_coordinator, user__is_active=True, team=to_team)
                .values_list("role", flat=True)
            )
            refusal = coordinator_refusal(roles_in_service=roles)
            if refusal is not None:
                errors["new_coordinator"] = refusal.replace("this service", f"{to_team}")
    else:
        errors |= decline_refused(
            service_kind=to_team.service.kind, reason=decline_code, onward_referral="stays with the sending team",
            has_onward_service=False,
        )  # fmt: skip
        if "reason" in errors:
            errors["decline_code"] = errors.pop("reason")
        errors |= _text(decline_reason, field="decline_reason", label="Why the transfer is declined", required=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(transition)
        if locked.status != TransitionStatus.AWAITING_ACCEPTANCE:
            raise ValidationError({"transition": f"This transfer is {locked.get_status_display().lower()}."})
        episode = EpisodeOfCare.objects.select_for_update().select_related("team", "service").get(pk=locked.episode_id)
        old_team = episode.team
        now = timezone.now()
        locked.answered_at = now
        locked.answered_by = by
        if accept:
            assert new_coordinator is not None
            _accept(locked=locked, episode=episode, to_team=to_team, new_coordinator=new_coordinator, by=by,
                    channel=channel, now=now)  # fmt: skip
            detail = f"accepted transfer from {old_team} to {to_team}; care coordinator {new_coordinator.display_name}"
        else:
            from coexist.referrals.rules import DeclineReason

            label = DeclineReason(decline_code).label
            locked.status = TransitionStatus.DECLINED
            locked.decline_reason = f"{label}: {decline_reason.strip()}"
            locked.save()
            episode.status = EpisodeStatus.ACTIVE
            episode._history_user = by  # type: ignore[attr-defined]
            episode.save(update_fields=["status"])
            if locked.request_referral is not None:
                _record_referral_change(
                    referral=locked.request_referral, to=Status.DECLINED, by=by,
                    note=f"Transfer declined: {decline_reason.strip()}",
                    fields={"decline_reason": decline_code, "onward_referral": f"Stays with {old_team}."},
                )  # fmt: skip
            detail = f"declined transfer from {old_team} to {to_team}: {label}"
        log_write(by=by, person=person, parts=_PART, basis=basis, channel=channel, detail=detail)
    return locked


def _accept(
    *,
    locked: Transition,
    episode: EpisodeOfCare,
    to_team: Team,
    new_coordinator: User,
    by: User,
    channel: Channel,
    now: datetime,
) -> None:
    """Inside the answer's transaction: move the episode, name the coordinator, move the tasks, close the referral."""
    old_team_id = episode.team_id
    old_coordinator_id = episode.coordinator_id
    today = timezone.localdate(now)
    episode.team = to_team
    episode.service = to_team.service
    episode.status = EpisodeStatus.ACTIVE
    episode._history_user = by  # type: ignore[attr-defined]
    episode.save(update_fields=["team", "service", "status"])
    if old_coordinator_id != new_coordinator.pk:
        # Ends the old coordinator's place on this episode today (not before), adds the new one from today.
        episode_assign_coordinator(episode=episode, coordinator=new_coordinator, by=by, channel=channel)
    # The old coordinator's place outside any episode (made before episodes were linked) ends today as well.
    if old_coordinator_id is not None and old_coordinator_id != new_coordinator.pk:
        CareTeamMember.objects.current(today).filter(
            person_id=locked.person_id, user_id=old_coordinator_id, role=Role.CARE_COORDINATOR, episode__isnull=True
        ).update(ended_on=today)
    tasks = Task.objects.open().filter(episode=episode)
    tasks.filter(assigned_to__isnull=True, assigned_team_id=old_team_id).update(assigned_team=to_team)
    tasks.filter(assigned_team_id=old_team_id).exclude(assigned_to__isnull=True).update(assigned_team=to_team)
    if old_coordinator_id is not None:
        tasks.filter(assigned_to_id=old_coordinator_id).update(assigned_to=new_coordinator)
    locked.status = TransitionStatus.COMPLETED
    locked.completed_at = now
    locked.completed_by = by
    locked.new_coordinator = new_coordinator
    locked.save()
    if locked.request_referral is not None:
        _record_referral_change(
            referral=locked.request_referral, to=Status.ACCEPTED, by=by,
            note=f"Transfer accepted; the episode of care moved to {to_team}.", fields={},
        )  # fmt: skip
    confirm_still_visible(user=by, person=locked.person)


def transition_cancel(*, transition: Transition, reason: str, by: User, channel: Channel) -> Transition:
    """Stop planning a discharge or withdraw a transfer not yet answered; the episode carries on as before."""
    person = transition.person
    basis = _require_change(by=by, person=person, channel=channel, detail="cancel discharge or transfer")
    errors = _text(reason, field="cancel_reason", label="Why it is cancelled", required=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(transition)
        if not locked.is_open:
            raise ValidationError({"cancel_reason": f"This is already {locked.get_status_display().lower()}."})
        if locked.status == TransitionStatus.AWAITING_ACCEPTANCE:
            episode = EpisodeOfCare.objects.select_for_update().get(pk=locked.episode_id)
            episode.status = EpisodeStatus.ACTIVE
            episode._history_user = by  # type: ignore[attr-defined]
            episode.save(update_fields=["status"])
            if locked.request_referral is not None:
                _record_referral_change(
                    referral=locked.request_referral, to=Status.WITHDRAWN, by=by,
                    note=f"Transfer withdrawn by the sending team: {reason.strip()}", fields={},
                )  # fmt: skip
        locked.status = TransitionStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason.strip()
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        log_write(
            by=by, person=person, parts=_PART, basis=basis, channel=channel,
            detail=f"cancelled {locked.kind}: {reason.strip()[:200]}",
        )  # fmt: skip
    return locked
