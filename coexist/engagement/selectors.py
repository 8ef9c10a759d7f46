"""Reads for the appointment pages and API: a person's appointments and follow-ups, scoped by the
permission function and written to the access log, and what a booking needs (service, workers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone

from coexist.accounts.models import User
from coexist.assessments.selectors import open_parts
from coexist.audit.models import Channel
from coexist.care.models import CareTeamMember, EpisodeOfCare
from coexist.engagement.models import Appointment, FollowUp, FollowUpAction, LossOfContact
from coexist.organisations.models import Membership, Service
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision, RecordPart
from coexist.people.selectors import OpenedRecord

PART = RecordPart.EPISODES
BOOKING_WINDOW = timedelta(days=2 * 366)
"""How far either side of now an appointment may be booked or recorded (catches mistyped years)."""

_READ_ONLY = AccessDecision(False, "You may read this person's appointments but not change them.")


@dataclass(frozen=True)
class PersonAppointments:
    record: OpenedRecord
    upcoming: list[Appointment]
    past: list[Appointment]
    open_follow_ups: list[FollowUp]

    @property
    def person(self) -> Person:
        return self.record.person

    @property
    def can_change(self) -> bool:
        return self.record.can_write(PART)


def open_appointments_record(
    *, viewer: User, person: Person, channel: Channel, detail: str, to_change: bool = False
) -> OpenedRecord:
    """Open the part of the record appointments belong to (episodes of care); refuse and log otherwise."""
    record = open_parts(viewer=viewer, person=person, parts=[PART], channel=channel, detail=detail)
    if to_change and not record.can_write(PART):
        raise AccessRefused(_READ_ONLY)
    return record


def appointments_of(*, viewer: User, person: Person, channel: Channel, detail: str) -> PersonAppointments:
    """The person's appointments (upcoming soonest first, past newest first) and open follow-ups."""
    record = open_appointments_record(viewer=viewer, person=person, channel=channel, detail=detail)
    rows = list(
        Appointment.objects.filter(person=person)
        .select_related(
            "person", "episode", "staff", "second_staff", "service", "follow_up__person", "follow_up__task__assigned_to"
        )
        .prefetch_related(Prefetch("follow_up__actions", queryset=FollowUpAction.objects.select_related("by")))
        .order_by("starts_at", "pk")
    )
    now = timezone.now()
    upcoming = [a for a in rows if a.starts_at >= now and not a.has_outcome]
    past = [a for a in reversed(rows) if a not in upcoming]
    follow_ups = list(
        FollowUp.objects.filter(person=person, completed_at__isnull=True)
        .select_related("appointment", "task__assigned_to")
        .prefetch_related("actions")
        .order_by("due_at")
    )
    return PersonAppointments(record=record, upcoming=upcoming, past=past, open_follow_ups=follow_ups)


def follow_up_actions(follow_up: FollowUp) -> list[FollowUpAction]:
    """The follow-up's actions, from the prefetch `appointments_of` made when there is one."""
    if "actions" in getattr(follow_up, "_prefetched_objects_cache", {}):
        return list(follow_up.actions.all())
    return list(follow_up.actions.select_related("by"))


def care_team_workers(person: Person) -> list[User]:
    """The person's current care team, active members only, by name."""
    members = CareTeamMember.objects.current().filter(person=person, user__is_active=True).select_related("user")
    users = {m.user.pk: m.user for m in members}
    return sorted(users.values(), key=lambda u: (u.display_name, u.pk))


def worker_choices(person: Person, me: User) -> list[tuple[str, str]]:
    """(user public id, name) for who may hold the appointment: me first, then the care team."""
    choices = [(str(me.public_id), f"{me.display_name} (me)")]
    choices += [(str(u.public_id), u.display_name) for u in care_team_workers(person) if u.pk != me.pk]
    return choices


def worker_named(person: Person, me: User, public_id: UUID | str, field: str) -> User:
    """The worker with this id, if it is me or a current member of the person's care team."""
    for user in [me, *care_team_workers(person)]:
        if str(user.public_id) == str(public_id):
            return user
    raise ValidationError({field: "Choose yourself or someone in the person's care team."})


def service_for(staff: User, person: Person) -> tuple[Service, EpisodeOfCare | None]:
    """The service the appointment is with: the worker's current team's service, preferring the one
    holding an open episode of the person's; and that episode, if there is one."""
    services = [
        m.team.service
        for m in Membership.objects.current().filter(user=staff).select_related("team__service").order_by("pk")
    ]
    if not services:
        raise ValidationError({"staff": "That worker is not in a team today, so has no service to book with."})
    episodes = {
        e.service_id: e
        for e in EpisodeOfCare.objects.open().filter(person=person, service__in=services).order_by("opened_at")
    }
    for service in services:
        if service.pk in episodes:
            return service, episodes[service.pk]
    return services[0], None


def check_starts_at(value: datetime) -> datetime:
    """An aware start time within the booking window of now."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if abs(value - timezone.now()) > BOOKING_WINDOW:
        raise ValidationError({"starts_at": "Enter a date within two years of today."})
    return value


def loss_of_contact_current(person: Person) -> LossOfContact | None:
    """R6: the person's current loss of contact, if any, for every page that shows the person to their
    care team. The caller has already opened the record (this reads no clinical detail of its own)."""
    return LossOfContact.objects.current().filter(person=person).select_related("episode__service", "marked_by").first()
