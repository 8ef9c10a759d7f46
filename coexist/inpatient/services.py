"""Changes to inpatient stays (R9, R15): admission, the ward substance misuse worker, leave and its
community assessment, and closing the admission screen task when a screen is recorded.

Each checks the permission function first, validates before saving, runs in one transaction and
appends to the access log. Discharge is not here: `coexist.transitions` completes it and sets
`Admission.discharged_at` in the discharge transaction."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.care.rules import is_substance_screen
from coexist.care.services import care_team_add, care_team_end, episode_open
from coexist.engagement.models import Appointment
from coexist.engagement.services import appointment_book
from coexist.inpatient import rules
from coexist.inpatient.models import Admission, Leave, LegalStatus
from coexist.instruments.definitions import SUBSTANCE_SCREEN_CODES
from coexist.instruments.models import InstrumentResponse
from coexist.organisations.models import Membership, Role, Service, ServiceKind, Team
from coexist.people.models import Person
from coexist.people.permissions import confirm_still_visible, may, require
from coexist.people.rules import Action, RecordPart
from coexist.people.services import log_write
from coexist.referrals.models import OPEN_STATUSES, Referral
from coexist.tasks.models import Priority, TaskStatus
from coexist.tasks.services import task_create

_PARTS = [RecordPart.EPISODES]


def _require_change(*, by: User, person: Person, channel: Channel, detail: str) -> str:
    return require(user=by, person=person, action=Action.WRITE, parts=_PARTS, channel=channel, detail=detail).basis


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _aware(moment: datetime) -> datetime:
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def ward_teams_of(user: User, ward: Service) -> list[Team]:
    """The user's current clinical teams on this ward (empty if they do not work there)."""
    ids = Membership.objects.current().clinical().filter(user=user, team__service=ward).values("team_id")
    return list(Team.objects.filter(pk__in=ids).order_by("name", "pk"))


def admission_record(
    *,
    person: Person,
    ward: Service,
    admitted_at: datetime,
    legal_status: str,
    by: User,
    channel: Channel,
    reason: str = "",
    team: Team | None = None,
) -> Admission:
    """R9: admit a person to a ward. Opens the ward's episode of care (held by one of the admitter's teams on
    the ward), records the admission, and creates the R9/R15 task to ask about alcohol and drugs within 24
    hours unless a substance screen has already been recorded since the admission. All in one transaction.

    An open referral to the ward for the person is accepted by the admission (its episode is this one).
    Refuses a second current admission. Raises AccessRefused or ValidationError (person, ward, team,
    admitted_at, legal_status, reason)."""
    basis = _require_change(by=by, person=person, channel=channel, detail="admit to ward")
    admitted_at = _aware(admitted_at)
    if ward.kind != ServiceKind.INPATIENT_WARD:
        raise ValidationError({"ward": "Choose an inpatient ward."})
    teams = ward_teams_of(by, ward)
    if not teams:
        raise ValidationError({"ward": f"Only staff who work on {ward.name} can admit someone to it."})
    if team is None:
        team = teams[0]
    elif team not in teams:
        raise ValidationError({"team": "Choose one of your teams on this ward."})
    now = timezone.now()
    errors = rules.admission_errors(
        admitted_at=admitted_at,
        now=now,
        legal_status=legal_status,
        reason=reason,
        already_admitted=Admission.objects.current().filter(person=person).exists(),
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One current admission per person: lock the person row so two admissions cannot race.
        list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True))
        if Admission.objects.current().filter(person=person).exists():
            raise ValidationError({"person": "This person is already admitted to a ward."})
        referral = (
            Referral.objects.select_for_update()
            .filter(person=person, to_service=ward, status__in=OPEN_STATUSES)
            .order_by("received_at", "pk")
            .first()
        )
        if referral is not None:
            from coexist.referrals.services import referral_accept

            episode = referral_accept(
                referral=referral, by=by, team=team, note="Admitted to the ward.", channel=channel
            )
        else:
            episode = episode_open(person=person, team=team, by=by, channel=channel, basis=basis)
        admission = Admission.objects.create(
            person=person,
            episode=episode,
            ward=ward,
            admitted_at=admitted_at,
            legal_status=legal_status,
            reason=reason.strip(),
            recorded_by=by,
        )
        screened = InstrumentResponse.objects.filter(
            person=person, instrument_code__in=SUBSTANCE_SCREEN_CODES, completed_at__gte=admitted_at
        ).exists()
        if not screened:
            admission.screen_task = task_create(
                person=person,
                rule="R9",
                title=rules.SCREEN_TASK_TITLE,
                detail=(
                    f"Admitted to {ward.name} on {_local(admitted_at):%d %B %Y at %H:%M}. Ask about alcohol and drug "
                    "use with a validated screen (for example AUDIT) within 24 hours (R9, R15; NICE QS188 "
                    "statement 1). The task closes when the screen is recorded."
                ),
                due_at=rules.screen_due_at(admitted_at),
                priority=Priority.SOON,
                assigned_to=None,
                assigned_team=team,
                episode=episode,
                by=by,
            )
            admission.save(update_fields=["screen_task"])
        confirm_still_visible(user=by, person=person)
        status = LegalStatus(legal_status).label
        log_write(
            by=by,
            person=person,
            parts=_PARTS,
            basis=basis,
            channel=channel,
            detail=f"admitted to {ward.name} on {_local(admitted_at):%d %b %Y %H:%M} ({status})",
        )
    return admission


def admission_screen_recorded(*, response: InstrumentResponse, by: User, channel: Channel) -> int:
    """R9/R15: a substance screen was recorded; close the open admission screen task of the person's current
    admission if the screen was completed since admission. Called by `coexist.instruments.services` inside its
    transaction, after its own permission check. Returns how many tasks were closed (0 or 1)."""
    if not is_substance_screen(instrument_code=response.instrument_code):
        return 0
    admission = (
        Admission.objects.current()
        .filter(person_id=response.person_id, admitted_at__lte=response.completed_at, screen_task__isnull=False)
        .select_related("screen_task")
        .first()
    )
    if admission is None or admission.screen_task is None or not admission.screen_task.is_open:
        return 0
    task = admission.screen_task
    task.status = TaskStatus.DONE
    task.completed_at = timezone.now()
    task.completed_by = by
    task.outcome = f"Substance screen recorded: {response.instrument_code.upper()} ({response.band or 'scored'})."
    task.save(update_fields=["status", "completed_at", "completed_by", "outcome"])
    decision = may(by, admission.person, Action.WRITE, RecordPart.EPISODES)
    log_write(
        by=by,
        person=admission.person,
        parts=_PARTS,
        basis=decision.basis,
        channel=channel,
        detail=f"completed task (R9): {task.title}",
    )
    return 1


def _lock_current(admission: Admission) -> Admission:
    locked = (
        Admission.objects.select_for_update(of=("self",))
        .select_related("episode", "person", "ward")
        .get(pk=admission.pk)
    )
    if not locked.is_current:
        raise ValidationError({"admission": "This stay has ended: the person has been discharged from the ward."})
    return locked


def da_roles_of(user: User) -> set[str]:
    """The user's current roles in teams of drug and alcohol services."""
    return set(
        Membership.objects.current()
        .filter(user=user, team__service__kind=ServiceKind.DRUG_ALCOHOL)
        .values_list("role", flat=True)
    )


def admission_assign_ward_worker(*, admission: Admission, worker: User, by: User, channel: Channel) -> Admission:
    """R9: name the ward substance misuse worker, from the drug and alcohol provider. They join the care team
    for the ward episode (role substance misuse worker); a previous ward worker's place on this episode ends
    today. Raises AccessRefused or ValidationError (worker, admission)."""
    person = admission.person
    basis = _require_change(by=by, person=person, channel=channel, detail="assign ward substance misuse worker")
    refusal = rules.ward_worker_refusal(roles_in_drug_alcohol_services=da_roles_of(worker), is_active=worker.is_active)
    if refusal is not None:
        raise ValidationError({"worker": refusal})
    if admission.ward_substance_worker_id == worker.pk:
        raise ValidationError({"worker": f"{worker.display_name} is already the ward substance misuse worker."})
    with transaction.atomic():
        locked = _lock_current(admission)
        previous = locked.ward_substance_worker
        if previous is not None:
            for member in CareTeamMember.objects.current().filter(
                episode=locked.episode, user=previous, role=Role.SUBSTANCE_MISUSE_WORKER
            ):
                care_team_end(member=member, by=by, channel=channel)
        already = (
            CareTeamMember.objects.current()
            .filter(person=person, user=worker, role=Role.SUBSTANCE_MISUSE_WORKER, episode=locked.episode)
            .exists()
        )
        if not already:
            care_team_add(
                episode=locked.episode,
                person=person,
                user=worker,
                role=Role.SUBSTANCE_MISUSE_WORKER,
                by=by,
                channel=channel,
            )
        locked.ward_substance_worker = worker
        locked.ward_substance_worker_since = timezone.now()
        locked.save(update_fields=["ward_substance_worker", "ward_substance_worker_since"])
        was = f" (was {previous.display_name})" if previous is not None else ""
        log_write(
            by=by,
            person=person,
            parts=_PARTS,
            basis=basis,
            channel=channel,
            detail=f"named {worker.display_name} ward substance misuse worker on {locked.ward.name}{was}",
        )
    return locked


def _periods(admission: Admission, *, exclude: Leave | None = None) -> list[rules.LeavePeriod]:
    leaves = Leave.objects.filter(admission=admission)
    if exclude is not None:
        leaves = leaves.exclude(pk=exclude.pk)
    return [rules.LeavePeriod(_local(x.starts_at), _local(x.ends_at), x.returned_at) for x in leaves]


def leave_record(
    *,
    admission: Admission,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    by: User,
    channel: Channel,
    purpose: str = "",
) -> Leave:
    """R9: record a period of leave from the ward during a current stay. Overlapping leave is refused, as is
    new leave while the person has not been recorded as back from the last. Raises AccessRefused or
    ValidationError (kind, starts_at, ends_at, purpose, admission)."""
    person = admission.person
    basis = _require_change(by=by, person=person, channel=channel, detail="record leave")
    starts_at, ends_at = _local(_aware(starts_at)), _local(_aware(ends_at))
    with transaction.atomic():
        locked = _lock_current(admission)
        errors = rules.leave_errors(
            admitted_at=locked.admitted_at,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            purpose=purpose,
            others=_periods(locked),
            now=timezone.now(),
        )
        if errors:
            raise ValidationError(errors)
        leave = Leave.objects.create(
            admission=locked, kind=kind, starts_at=starts_at, ends_at=ends_at, purpose=purpose.strip(), recorded_by=by
        )
        log_write(
            by=by,
            person=person,
            parts=_PARTS,
            basis=basis,
            channel=channel,
            detail=f"recorded {leave.get_kind_display().lower()} from {starts_at:%d %b %Y %H:%M} "
            f"to {ends_at:%d %b %Y %H:%M}",
        )
    return leave


def leave_return(*, leave: Leave, returned_at: datetime, by: User, channel: Channel) -> Leave:
    """R9: the person came back to the ward from leave. Raises AccessRefused or ValidationError (returned_at)."""
    person = leave.admission.person
    basis = _require_change(by=by, person=person, channel=channel, detail="record return from leave")
    returned_at = _aware(returned_at)
    with transaction.atomic():
        locked = Leave.objects.select_for_update().get(pk=leave.pk)
        errors = rules.return_errors(
            starts_at=locked.starts_at,
            returned_at=returned_at,
            now=timezone.now(),
            already_returned=locked.returned_at is not None,
        )
        if errors:
            raise ValidationError(errors)
        locked.returned_at = returned_at
        locked.save(update_fields=["returned_at"])
        log_write(
            by=by,
            person=person,
            parts=_PARTS,
            basis=basis,
            channel=channel,
            detail=f"recorded return from leave at {_local(returned_at):%d %b %Y %H:%M}",
        )
    return locked


def leave_book_assessment(
    *,
    leave: Leave,
    service: Service,
    staff: User,
    starts_at: datetime,
    by: User,
    channel: Channel,
    duration_minutes: int = 60,
) -> Appointment:
    """R9 (seed 002): book an assessment by the community drug and alcohol service during the person's leave,
    before discharge. The appointment is with a drug and alcohol service and its worker, inside the leave
    window. Booked through `coexist.engagement.services.appointment_book` (which checks permission and logs).
    Raises AccessRefused or ValidationError (service, staff, starts_at)."""
    admission = leave.admission
    _require_change(by=by, person=admission.person, channel=channel, detail="book assessment during leave")
    starts_at = _local(_aware(starts_at))
    errors: dict[str, str] = {}
    if not admission.is_current:
        errors["starts_at"] = "This stay has ended: the person has been discharged from the ward."
    if service.kind != ServiceKind.DRUG_ALCOHOL:
        errors["service"] = "Choose a community drug and alcohol service."
    elif not Membership.objects.current().clinical().filter(user=staff, team__service=service).exists():
        errors["staff"] = f"Choose someone who works for {service.name} now."
    refusal = rules.assessment_refusal(
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        leave=rules.LeavePeriod(_local(leave.starts_at), _local(leave.ends_at), leave.returned_at),
    )
    if refusal is not None:
        errors["starts_at"] = refusal
    if errors:
        raise ValidationError(errors)
    episode = EpisodeOfCare.objects.open().filter(person=admission.person, service=service).first()
    return appointment_book(
        person=admission.person,
        service=service,
        staff=staff,
        starts_at=starts_at,
        by=by,
        channel=channel,
        duration_minutes=duration_minutes,
        episode=episode,
    )
