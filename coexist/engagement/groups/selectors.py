"""Reads for the group pages and API: the viewer's groups, a group's sessions, and registers showing only
the people the viewer may see (decision 0012), written to the access log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.engagement.groups.rules import FACILITATOR_WINDOW, GroupAttendanceStatus, session_total
from coexist.engagement.groups.services import works_in
from coexist.engagement.models import Group, GroupAttendance, GroupEnrolment, GroupSession
from coexist.organisations.models import Membership, Service
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused, access_facts, people_visible_to
from coexist.people.rules import AccessDecision, Action, RecordPart, decide_access

PART = RecordPart.GROUPS


def groups_for(viewer: User) -> list[Group]:
    """Groups of services the viewer works in, and groups whose sessions they facilitate, by name,
    each with `next_session` (the next session not cancelled, or None)."""
    services = Membership.objects.current().clinical().filter(user=viewer).values("team__service_id")
    groups: list[Group] = list(
        Group.objects.filter(Q(service__in=services) | Q(sessions__facilitators=viewer))
        .distinct()
        .select_related("service")
        .annotate(enrolled=Count("enrolments", filter=Q(enrolments__ended_at__isnull=True), distinct=True))
        .order_by("service__name", "name")
    )
    now = timezone.now()
    upcoming: dict[int, GroupSession] = {}
    for session in GroupSession.objects.filter(
        group__in=groups, cancelled_at__isnull=True, starts_at__gte=now - timedelta(hours=3)
    ).order_by("starts_at"):
        upcoming.setdefault(session.group_id, session)
    for group in groups:
        group.next_session = upcoming.get(group.pk)  # type: ignore[attr-defined]
    return groups


def may_view_group(viewer: User, group: Group) -> bool:
    """A group's page (its sessions; names only as the permission function allows) is for staff of its
    service and the people who facilitate its sessions."""
    if not viewer.is_active:
        return False
    return works_in(viewer, group.service) or group.sessions.filter(facilitators=viewer).exists()


def require_group(viewer: User, group: Group) -> None:
    if not may_view_group(viewer, group):
        raise AccessRefused(
            AccessDecision(False, f"Only staff of {group.service.name} and its facilitators see this group.")
        )


@dataclass(frozen=True)
class RegisterLine:
    person: Person
    enrolment: GroupEnrolment | None
    attendance: GroupAttendance | None
    can_write: bool


@dataclass
class Register:
    """The people on a group's register whom the viewer may see, and how many others there are."""

    lines: list[RegisterLine] = field(default_factory=list)
    hidden: int = 0
    """People enrolled whose group attendance the viewer may not see (counted, never named)."""

    @property
    def named_attended(self) -> int:
        return sum(
            1 for line in self.lines if line.attendance and line.attendance.status == GroupAttendanceStatus.ATTENDED
        )


def _visible_people(viewer: User, people: list[Person], *, channel: Channel, detail: str) -> dict[int, bool]:
    """person pk -> may write GROUPS, for those the viewer may read GROUPS for; logged as one read.

    SECURITY: each person is decided by the one permission rule; a person the viewer may not read is
    left out (and counted), never named."""
    if not people:
        return {}
    candidates = set(people_visible_to(viewer).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    result: dict[int, bool] = {}
    for person in people:
        if person.pk not in candidates:
            continue
        facts = access_facts(viewer, person)
        if decide_access(facts=facts, action=Action.READ, part=PART).allowed:
            result[person.pk] = decide_access(facts=facts, action=Action.WRITE, part=PART).allowed
    shown = [p.public_id for p in people if p.pk in result]
    if shown:
        access_log_append(
            actor=viewer,
            person_ids=shown,
            action=Action.READ,
            parts=[RecordPart.IDENTITY, PART],
            outcome=Outcome.ALLOWED,
            basis="group register: people the viewer may see",
            channel=channel,
            detail=detail,
        )
    return result


def group_register(*, viewer: User, group: Group, channel: Channel, detail: str) -> Register:
    """A group's current enrolments, as far as the viewer may see them."""
    enrolments = list(
        GroupEnrolment.objects.current()
        .filter(group=group)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "pk")
    )
    visible = _visible_people(viewer, [e.person for e in enrolments], channel=channel, detail=detail)
    return Register(
        lines=[RegisterLine(e.person, e, None, visible[e.person.pk]) for e in enrolments if e.person.pk in visible],
        hidden=sum(1 for e in enrolments if e.person.pk not in visible),
    )


def session_register(*, viewer: User, session: GroupSession, channel: Channel, detail: str) -> Register:
    """A session's register: everyone currently enrolled, and anyone recorded at it who has since left."""
    enrolments = {
        e.person_id: e
        for e in GroupEnrolment.objects.current().filter(group_id=session.group_id).select_related("person")
    }
    attendances = {a.person_id: a for a in session.attendances.select_related("person", "recorded_by")}
    people = {e.person_id: e.person for e in enrolments.values()} | {
        a.person_id: a.person for a in attendances.values()
    }
    ordered = sorted(people.values(), key=lambda p: (p.family_name, p.given_name, p.pk))
    visible = _visible_people(viewer, ordered, channel=channel, detail=detail)
    return Register(
        lines=[
            RegisterLine(p, enrolments.get(p.pk), attendances.get(p.pk), visible[p.pk])
            for p in ordered
            if p.pk in visible
        ],
        hidden=sum(1 for p in ordered if p.pk not in visible),
    )


def session_totals(session: GroupSession, register: Register) -> dict[str, int]:
    """Named attendance (everyone, including people the viewer cannot see), anonymous and total (R12)."""
    named = session.attendances.filter(status=GroupAttendanceStatus.ATTENDED).count()
    return {
        "named": named,
        "anonymous": session.anonymous_count,
        "total": session_total(named_attended=named, anonymous=session.anonymous_count),
    }


@dataclass(frozen=True)
class PersonGroup:
    enrolment: GroupEnrolment
    last_attended: GroupAttendance | None


def person_groups(*, person: Person) -> list[PersonGroup]:
    """A person's enrolments (current first) with the last session they attended. The caller has already
    opened the GROUPS part of the record (and logged it)."""
    enrolments = list(
        GroupEnrolment.objects.filter(person=person)
        .select_related("group__service")
        .order_by("ended_at", "-enrolled_at")
    )
    last: dict[int, GroupAttendance] = {}
    for attendance in (
        GroupAttendance.objects.filter(person=person, status=GroupAttendanceStatus.ATTENDED)
        .select_related("session")
        .order_by("session__starts_at")
    ):
        last[attendance.session.group_id] = attendance
    current = [e for e in enrolments if e.is_current] + [e for e in enrolments if not e.is_current]
    return [PersonGroup(e, last.get(e.group_id)) for e in current]


def session_facilitator_window(session: GroupSession) -> bool:
    """Whether the session is within the window in which its facilitators see the register."""
    return abs(session.starts_at - timezone.now()) <= FACILITATOR_WINDOW


def facilitator_choices(group: Group, me: User, current: list[User] | None = None) -> list[tuple[str, str]]:
    """(user public id, name) for who may run a session: me, staff of the group's service, current facilitators."""
    users: dict[int, User] = {me.pk: me}
    for membership in (
        Membership.objects.current()
        .clinical()
        .filter(team__service=group.service, user__is_active=True)
        .select_related("user")
    ):
        users.setdefault(membership.user.pk, membership.user)
    for user in current or []:
        users.setdefault(user.pk, user)
    ordered = sorted(users.values(), key=lambda u: (u.pk != me.pk, u.display_name, u.pk))
    return [(str(u.public_id), f"{u.display_name} (me)" if u.pk == me.pk else u.display_name) for u in ordered]


def users_named(public_ids: list[str], allowed: list[tuple[str, str]]) -> list[User]:
    """The users with these ids, if each is among the allowed choices."""
    permitted = {value for value, _ in allowed}
    wanted = [str(i) for i in public_ids if str(i) in permitted]
    return list(User.objects.filter(public_id__in=wanted, is_active=True))


def services_run_by(viewer: User) -> list[Service]:
    """The services in which the viewer has a current clinical role: the ones whose groups they may set up."""
    ids = Membership.objects.current().clinical().filter(user=viewer).values("team__service_id")
    return list(Service.objects.filter(pk__in=ids).select_related("organisation").order_by("name"))
