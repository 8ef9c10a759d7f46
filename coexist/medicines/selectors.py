"""Reads of the medicines continuity record (R9), scoped to the viewer and written to the access log.

Two kinds of read live here:
- `person_medicines_open`, `handover_get` and `handovers_waiting` open the record for a viewer: they call
  the permission function and log the read (or the refusal).
- `current_opiate_substitution`, `current_dose`, `last_dose_given`, `accepted_handover`, `open_handover`
  and `naloxone_offered_since` do NOT check permission and log nothing: they are for callers that have
  already opened the person's record (the discharge checklist in `coexist.transitions`, the pages here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db.models import QuerySet

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.medicines.models import (
    DoseChange,
    DoseGiven,
    HandoverStatus,
    NaloxoneOffer,
    OpiateSubstitution,
    OtherMedicine,
    PrescribingHandover,
)
from coexist.medicines.rules import describe_dose
from coexist.organisations.models import Membership, Service, ServiceKind
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused, may
from coexist.people.rules import AccessDecision, Action, RecordPart
from coexist.people.selectors import OpenedRecord, person_open

NOT_SHARED = AccessDecision(False, "The person has not agreed to share their medicines with your organisation.")
DOSES_SHOWN = 14

# --- Plain reads for callers that have already opened the record (no permission check, no log) ---------


def current_opiate_substitution(person: Person) -> OpiateSubstitution | None:
    """R9: the person's current (not stopped) course of opiate substitution treatment, if any. At most one."""
    return (
        OpiateSubstitution.objects.filter(person=person, stopped_on__isnull=True)
        .select_related("prescribing_service__organisation", "prescriber")
        .first()
    )


def current_dose(treatment: OpiateSubstitution) -> DoseChange | None:
    """The dose in force: the latest change by the date it took effect (then by when it was recorded)."""
    return treatment.doses.select_related("recorded_by").order_by("-effective_from", "-recorded_at", "-pk").first()


def last_dose_given(treatment: OpiateSubstitution) -> DoseGiven | None:
    """R9: the latest dose given or supervised on this course, by the time it was given."""
    return treatment.doses_given.select_related("recorded_by").order_by("-given_at", "-pk").first()


def accepted_handover(person: Person, *, since: datetime) -> PrescribingHandover | None:
    """R9: the latest prescribing handover of the person's CURRENT course accepted at or after `since`.

    None when there is no current course, or nothing accepted since then. The discharge checklist should
    also compare `handover.last_dose_given_at` with `last_dose_given(handover.treatment)`: a dose given on
    the ward after the request means the stated facts are out of date (see `handover_overtaken_by`)."""
    treatment = current_opiate_substitution(person)
    if treatment is None:
        return None
    return (
        PrescribingHandover.objects.filter(treatment=treatment, status=HandoverStatus.ACCEPTED, answered_at__gte=since)
        .select_related("to_service__organisation", "answered_by", "requested_by", "treatment")
        .order_by("-answered_at", "-pk")
        .first()
    )


def handover_overtaken_by(handover: PrescribingHandover) -> DoseGiven | None:
    """R9: a dose given after the last dose the handover states, if any (the latest). Before discharge every
    such dose is a ward dose, so an accepted handover it overtakes no longer says when the community must
    start: ask for a new handover."""
    return handover.treatment.doses_given.filter(given_at__gt=handover.last_dose_given_at).order_by("-given_at").first()


def open_handover(treatment: OpiateSubstitution) -> PrescribingHandover | None:
    """The course's handover request still waiting for an answer, if any (at most one)."""
    return (
        PrescribingHandover.objects.filter(treatment=treatment, status=HandoverStatus.REQUESTED)
        .select_related("to_service", "requested_by", "task")
        .first()
    )


def naloxone_offered_since(person: Person, since: datetime) -> bool:
    """R9: has naloxone been offered to the person (whatever the outcome) at or after `since`?"""
    return NaloxoneOffer.objects.filter(person=person, offered_at__gte=since).exists()


def prescribing_services() -> QuerySet[Service]:
    """Services that may be named as prescribing, for choices: every service, by organisation."""
    return Service.objects.select_related("organisation").order_by("organisation__name", "name")


def receiving_services() -> QuerySet[Service]:
    """R9: the community services a prescribing handover can go to: drug and alcohol services."""
    return prescribing_services().filter(kind=ServiceKind.DRUG_ALCOHOL)


def prescribers() -> list[User]:
    """Staff who may be named as the prescriber: clinical members of a team now (one query)."""
    memberships = Membership.objects.current().clinical().filter(user__is_active=True).select_related("user")
    users = {m.user_id: m.user for m in memberships}
    return sorted(users.values(), key=lambda u: (u.last_name, u.first_name, u.pk))


def services_of(user: User) -> list[Service]:
    """The services where the user is a current clinical team member."""
    ids = Membership.objects.current().clinical().filter(user=user).values("team__service_id")
    return list(Service.objects.filter(pk__in=ids).order_by("name"))


def roles_in_service(user: User, service: Service) -> frozenset[str]:
    """The user's current clinical roles in the teams of this service."""
    return frozenset(
        Membership.objects.current().clinical().filter(user=user, team__service=service).values_list("role", flat=True)
    )


# --- A person's medicines as one viewer may see them ----------------------------------------------------


@dataclass
class Course:
    """One course with its dose history (newest first), the doses given (latest 14) and the last one."""

    treatment: OpiateSubstitution
    doses: list[DoseChange]
    given: list[DoseGiven]
    given_count: int

    @property
    def current(self) -> DoseChange | None:
        return self.doses[0] if self.doses else None

    @property
    def last_given(self) -> DoseGiven | None:
        return self.given[0] if self.given else None

    @property
    def summary(self) -> str:
        dose = self.current
        if dose is None:
            return "No dose recorded"
        return describe_dose(
            drug=self.treatment.drug, dose_mg=dose.daily_dose_mg, supervised=dose.supervised, pharmacy=dose.pharmacy
        )


@dataclass
class PersonMedicines:
    """The medicines continuity record as one viewer may see it."""

    person: Person
    current: Course | None = None
    past: list[OpiateSubstitution] = field(default_factory=list)
    naloxone: list[NaloxoneOffer] = field(default_factory=list)
    others: list[OtherMedicine] = field(default_factory=list)
    handovers: list[PrescribingHandover] = field(default_factory=list)
    can_change: bool = False

    @property
    def open_handover(self) -> PrescribingHandover | None:
        return next((h for h in self.handovers if h.status == HandoverStatus.REQUESTED), None)


def _course(treatment: OpiateSubstitution) -> Course:
    doses = list(treatment.doses.select_related("recorded_by").order_by("-effective_from", "-recorded_at", "-pk"))
    given_qs = treatment.doses_given.select_related("recorded_by").order_by("-given_at", "-pk")
    return Course(treatment=treatment, doses=doses, given=list(given_qs[:DOSES_SHOWN]), given_count=given_qs.count())


def medicines_of(record: OpenedRecord) -> PersonMedicines:
    """The medicines record of a person the viewer has opened (and so logged): empty unless they may read it."""
    person = record.person
    if not record.can_read(RecordPart.MEDICINES):
        return PersonMedicines(person=person)
    courses = list(
        OpiateSubstitution.objects.filter(person=person).select_related(
            "prescribing_service__organisation", "prescriber", "recorded_by"
        )
    )
    current = next((c for c in courses if c.is_current), None)
    return PersonMedicines(
        person=person,
        current=_course(current) if current is not None else None,
        past=[c for c in courses if not c.is_current],
        naloxone=list(person.naloxone_offers.select_related("recorded_by")),
        others=list(person.other_medicines.select_related("recorded_by")),
        handovers=list(
            person.prescribing_handovers.select_related(
                "to_service__organisation", "requested_by", "answered_by", "treatment", "task"
            )
        ),
        can_change=record.can_write(RecordPart.MEDICINES),
    )


def _refuse(*, viewer: User, person: Person, channel: Channel, detail: str) -> None:
    access_log_append(
        actor=viewer,
        person_ids=[person.public_id],
        action=Action.READ,
        parts=[RecordPart.MEDICINES],
        outcome=Outcome.REFUSED,
        basis=NOT_SHARED.basis,
        channel=channel,
        detail=detail,
    )
    raise AccessRefused(NOT_SHARED)


def person_medicines_open(*, viewer: User, public_id: UUID, channel: Channel, detail: str) -> PersonMedicines:
    """Open a person's record (logged) and their medicines. Raises Person.DoesNotExist or AccessRefused
    (logged) when the viewer may not read the medicines part."""
    record = person_open(viewer=viewer, public_id=public_id, channel=channel, detail=detail)
    if not record.can_read(RecordPart.MEDICINES):
        _refuse(viewer=viewer, person=record.person, channel=channel, detail=detail)
    return medicines_of(record)


def handover_get(
    *, viewer: User, public_id: UUID, channel: Channel, detail: str
) -> tuple[OpenedRecord, PrescribingHandover]:
    """Open one prescribing handover: opens (and logs a read of) the person's record, then refuses, logged,
    unless the viewer may read the medicines. Raises PrescribingHandover.DoesNotExist or AccessRefused."""
    handover = PrescribingHandover.objects.select_related(
        "person", "treatment__prescribing_service", "to_service__organisation", "requested_by", "answered_by", "task"
    ).get(public_id=public_id)
    record = person_open(viewer=viewer, public_id=handover.person.public_id, channel=channel, detail=detail)
    if not record.can_read(RecordPart.MEDICINES):
        _refuse(viewer=viewer, person=handover.person, channel=channel, detail=detail)
    return record, handover


def handovers_waiting(*, viewer: User, channel: Channel) -> list[PrescribingHandover]:
    """R9: handover requests waiting for an answer from the viewer's services, oldest first.

    Only people whose medicines the viewer may read are listed (a referral closed since the request means
    the record is closed); the list is a read of each listed person's medicines, logged in one entry."""
    # SECURITY: only requests to services where the viewer is a current clinical team member.
    services = Membership.objects.current().clinical().filter(user=viewer).values("team__service_id")
    candidates = (
        PrescribingHandover.objects.filter(status=HandoverStatus.REQUESTED, to_service__in=services)
        .select_related("person", "to_service", "requested_by", "task", "treatment__prescribing_service")
        .order_by("first_community_dose_on", "requested_at", "pk")
    )
    shown = [h for h in candidates if may(viewer, h.person, Action.READ, RecordPart.MEDICINES).allowed]
    if shown:
        access_log_append(
            actor=viewer,
            person_ids=list(dict.fromkeys(h.person.public_id for h in shown)),
            action=Action.READ,
            parts=[RecordPart.IDENTITY, RecordPart.MEDICINES],
            outcome=Outcome.ALLOWED,
            basis="listed: prescribing handovers waiting for the viewer's services",
            channel=channel,
            detail="prescribing handovers waiting",
        )
    return shown
