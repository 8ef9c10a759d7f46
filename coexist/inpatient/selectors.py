"""Reads about inpatient stays, scoped to the viewer and written to the access log.

`current_admission` is for callers that have already opened the person's record (the person page, the
transitions checklist); it logs nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from django.db.models import Q
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.engagement.models import Group, GroupEnrolment, GroupSession
from coexist.inpatient import rules
from coexist.inpatient.models import Admission, Leave
from coexist.instruments.definitions import SUBSTANCE_SCREEN_CODES
from coexist.instruments.models import InstrumentResponse
from coexist.organisations.models import Membership, Service, ServiceKind
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused, people_visible_to
from coexist.people.rules import AccessDecision, Action, RecordPart
from coexist.people.selectors import OpenedRecord, person_open

NOT_SHARED = AccessDecision(False, "You may not see this person's episodes of care, which their ward stay is part of.")
NOT_WARD_STAFF = AccessDecision(False, "Only staff who work on this ward see its list of admissions.")

# Group sessions shown on the admission page: the next four weeks.
SESSIONS_AHEAD = timedelta(days=28)


def current_admission(person: Person) -> Admission | None:
    """The person's current ward stay, if any (at most one: `admission_record` refuses a second)."""
    return (
        Admission.objects.current()
        .filter(person=person)
        .select_related("ward", "episode", "ward_substance_worker", "screen_task")
        .first()
    )


def admissions_of(record: OpenedRecord) -> list[Admission]:
    """A person's ward stays, newest first, if the viewer may read their episodes of care (for the person page)."""
    if not record.can_read(RecordPart.EPISODES):
        return []
    return list(Admission.objects.filter(person=record.person).select_related("ward", "ward_substance_worker"))


def wards_of(user: User) -> list[Service]:
    """The wards the user works on now: where they may admit, and whose ward lists they see."""
    ids = Membership.objects.current().clinical().filter(user=user).values("team__service_id")
    return list(Service.objects.filter(pk__in=ids, kind=ServiceKind.INPATIENT_WARD).order_by("name"))


def works_on(user: User, ward: Service) -> bool:
    return Membership.objects.current().clinical().filter(user=user, team__service=ward).exists()


def screens_since(person: Person, since: datetime) -> list[InstrumentResponse]:
    """R9/R15: substance screens completed since a moment, newest first."""
    return list(
        InstrumentResponse.objects.filter(
            person=person, instrument_code__in=SUBSTANCE_SCREEN_CODES, completed_at__gte=since
        ).order_by("-completed_at")
    )


def ward_worker_candidates() -> list[User]:
    """R9: everyone who may be a ward substance misuse worker: substance misuse workers and addictions
    consultants in drug and alcohol services now."""
    ids = (
        Membership.objects.current()
        .filter(team__service__kind=ServiceKind.DRUG_ALCOHOL, role__in=rules.WARD_WORKER_ROLES, user__is_active=True)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk"))


def drug_alcohol_services() -> list[Service]:
    return list(
        Service.objects.filter(kind=ServiceKind.DRUG_ALCOHOL).select_related("organisation").order_by("name", "pk")
    )


def drug_alcohol_staff(service: Service) -> list[User]:
    ids = Membership.objects.current().clinical().filter(team__service=service, user__is_active=True).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk"))


@dataclass
class WardGroup:
    """A group the person can join on the ward (or run by the drug and alcohol provider), its next sessions,
    and whether the person is enrolled already."""

    group: Group
    sessions: list[GroupSession]
    enrolled: bool


@dataclass
class AdmissionView:
    """One ward stay as the viewer may see it."""

    record: OpenedRecord
    admission: Admission
    screen_done: bool
    screens: list[InstrumentResponse]
    leaves: list[Leave]
    on_leave_now: Leave | None
    groups: list[WardGroup] = field(default_factory=list)
    can_change: bool = False
    can_record_screen: bool = False


def ward_groups(*, ward: Service, person: Person, now: datetime) -> list[WardGroup]:
    """Seed 002: substance misuse groups on the ward: the ward's own groups and those of drug and alcohol
    services, with their sessions in the next four weeks. Group detail stays in `coexist.engagement`."""
    groups = list(
        Group.objects.filter(Q(service__kind=ServiceKind.DRUG_ALCOHOL) | Q(service=ward)).select_related("service")
    )
    sessions: dict[int, list[GroupSession]] = {}
    for session in GroupSession.objects.filter(
        group__in=groups, cancelled_at__isnull=True, starts_at__gte=now, starts_at__lte=now + SESSIONS_AHEAD
    ).order_by("starts_at", "pk"):
        sessions.setdefault(session.group_id, []).append(session)
    enrolled = set(GroupEnrolment.objects.current().filter(person=person).values_list("group_id", flat=True))
    ordered = sorted(groups, key=lambda g: (g.service_id != ward.pk, g.name, g.pk))
    return [WardGroup(g, sessions.get(g.pk, [])[:3], g.pk in enrolled) for g in ordered]


def _refuse(*, viewer: User, person: Person, channel: Channel, detail: str, decision: AccessDecision) -> None:
    access_log_append(
        actor=viewer,
        person_ids=[person.public_id],
        action=Action.READ,
        parts=[RecordPart.EPISODES],
        outcome=Outcome.REFUSED,
        basis=decision.basis,
        channel=channel,
        detail=detail,
    )
    raise AccessRefused(decision)


def admission_get(*, viewer: User, public_id: UUID, channel: Channel, detail: str) -> AdmissionView:
    """Open one ward stay: opens (and logs a read of) the person's record, then refuses, logged, unless the
    viewer may read episodes of care. Raises Admission.DoesNotExist or AccessRefused."""
    admission = Admission.objects.select_related(
        "person", "ward__organisation", "episode__team", "ward_substance_worker", "recorded_by", "screen_task"
    ).get(public_id=public_id)
    record = person_open(viewer=viewer, public_id=admission.person.public_id, channel=channel, detail=detail)
    if not record.can_read(RecordPart.EPISODES):
        _refuse(viewer=viewer, person=admission.person, channel=channel, detail=detail, decision=NOT_SHARED)
    now = timezone.now()
    screens = (
        screens_since(admission.person, admission.admitted_at) if record.can_read(RecordPart.SUBSTANCE_USE) else []
    )
    done = rules.screen_done(admitted_at=admission.admitted_at, screens_completed_at=[s.completed_at for s in screens])
    if not record.can_read(RecordPart.SUBSTANCE_USE):
        # Whether a screen was done is on the episode's task even for a viewer who may not read the result.
        done = admission.screen_task is not None and not admission.screen_task.is_open
    leaves = list(admission.leaves.select_related("recorded_by").order_by("-starts_at", "-pk"))
    away = next(
        (x for x in leaves if rules.on_leave(rules.LeavePeriod(x.starts_at, x.ends_at, x.returned_at), now=now)),
        None,
    )
    return AdmissionView(
        record=record,
        admission=admission,
        screen_done=done,
        screens=screens,
        leaves=leaves,
        on_leave_now=away,
        groups=ward_groups(ward=admission.ward, person=admission.person, now=now)
        if record.can_read(RecordPart.GROUPS)
        else [],
        can_change=record.can_write(RecordPart.EPISODES) and admission.is_current,
        can_record_screen=record.can_write(RecordPart.SUBSTANCE_USE),
    )


def leave_get(*, viewer: User, public_id: UUID, channel: Channel, detail: str) -> tuple[OpenedRecord, Leave]:
    """Open one leave period (logged, as for its admission). Raises Leave.DoesNotExist or AccessRefused."""
    leave = Leave.objects.select_related("admission__person", "admission__ward", "admission__episode").get(
        public_id=public_id
    )
    person = leave.admission.person
    record = person_open(viewer=viewer, public_id=person.public_id, channel=channel, detail=detail)
    if not record.can_read(RecordPart.EPISODES):
        _refuse(viewer=viewer, person=person, channel=channel, detail=detail, decision=NOT_SHARED)
    return record, leave


@dataclass(frozen=True)
class WardLine:
    """One current admission on the ward list."""

    admission: Admission
    days: int
    screen_done: bool
    on_leave: bool


def ward_list(*, viewer: User, ward: Service, channel: Channel) -> list[WardLine]:
    """The ward's current admissions for its staff, longest stay first, each listed person logged.

    Refuses (logged against nobody: no person is shown) unless the viewer works on the ward. Only people
    whose record the viewer may open are listed (a ward with several teams sees each team's stays)."""
    if not works_on(viewer, ward):
        raise AccessRefused(NOT_WARD_STAFF)
    now = timezone.now()
    # SECURITY: only people the viewer may see, through the one permission module.
    admissions = list(
        Admission.objects.current()
        .filter(ward=ward, person__in=people_visible_to(viewer))
        .select_related("person", "ward_substance_worker", "screen_task")
        .order_by("admitted_at", "pk")
    )
    if not admissions:
        return []
    screened: dict[int, list[datetime]] = {}
    for person_id, at in InstrumentResponse.objects.filter(
        person__in=[a.person_id for a in admissions],
        instrument_code__in=SUBSTANCE_SCREEN_CODES,
        completed_at__gte=min(a.admitted_at for a in admissions),
    ).values_list("person_id", "completed_at"):
        screened.setdefault(person_id, []).append(at)
    away: set[int] = set(
        Leave.objects.filter(admission__in=admissions, starts_at__lte=now, returned_at__isnull=True).values_list(
            "admission_id", flat=True
        )
    )
    access_log_append(
        actor=viewer,
        person_ids=[a.person.public_id for a in admissions],
        action=Action.READ,
        parts=[RecordPart.IDENTITY, RecordPart.EPISODES],
        outcome=Outcome.ALLOWED,
        basis=f"listed: current admissions on {ward.name}",
        channel=channel,
        detail="ward list",
    )
    return [
        WardLine(
            admission=a,
            days=rules.days_since(a.admitted_at, now),
            screen_done=rules.screen_done(
                admitted_at=a.admitted_at, screens_completed_at=screened.get(a.person_id, [])
            ),
            on_leave=a.pk in away,
        )
        for a in admissions
    ]


def person_for_admission(*, viewer: User, person_id: UUID, channel: Channel, detail: str) -> OpenedRecord:
    """Open a person's record to admit them (logged). Raises Person.DoesNotExist or AccessRefused."""
    record = person_open(viewer=viewer, public_id=person_id, channel=channel, detail=detail)
    if not record.can_write(RecordPart.EPISODES):
        _refuse(
            viewer=viewer,
            person=record.person,
            channel=channel,
            detail=detail,
            decision=AccessDecision(False, "You may read this record but not change its episodes of care."),
        )
    return record


def screen_labels(screens: Sequence[InstrumentResponse]) -> list[str]:
    return [f"{s.instrument_code.upper()} on {timezone.localtime(s.completed_at):%d %B %Y}" for s in screens]
