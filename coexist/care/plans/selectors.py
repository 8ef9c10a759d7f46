"""Reads of care plans, scoped to the viewer by the one permission function and written to the access log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.care.models import CarePlan, CarePlanShare, CarePlanVersion
from coexist.care.plans.rules import share_refusal
from coexist.organisations.models import Organisation
from coexist.people.models import Carer, Person
from coexist.people.permissions import AccessRefused, access_facts
from coexist.people.rules import AccessDecision, Action, RecordPart, decide_access

MAX_VERSION_NUMBER = 1_000_000


@dataclass(frozen=True)
class OpenedCarePlan:
    """A person's care plan as one viewer may see it: the latest version (if any) and whether they may change it."""

    person: Person
    plan: CarePlan | None
    latest: CarePlanVersion | None
    can_write: bool
    basis: str

    @property
    def latest_number(self) -> int | None:
        return self.latest.number if self.latest else None

    def versions(self) -> QuerySet[CarePlanVersion]:
        """Every version, newest first, with who saved it (one query for the history list)."""
        if self.plan is None:
            return CarePlanVersion.objects.none()
        return self.plan.versions.select_related("created_by").order_by("-number")

    def version(self, number: int) -> CarePlanVersion:
        """Raises CarePlanVersion.DoesNotExist."""
        if not 1 <= number <= MAX_VERSION_NUMBER:  # a number no database column could hold is simply not there
            raise CarePlanVersion.DoesNotExist
        return self.versions().get(number=number)


def _refuse(
    *, viewer: User, person: Person, decision: AccessDecision, part: str, channel: Channel, detail: str
) -> None:
    access_log_append(
        actor=viewer,
        person_ids=[person.public_id],
        action=Action.READ,
        parts=[part],
        outcome=Outcome.REFUSED,
        basis=decision.basis,
        channel=channel,
        detail=detail,
    )
    raise AccessRefused(decision)


def care_plan_open(
    *, viewer: User, public_id: UUID, channel: Channel, detail: str, also: Iterable[str] = ()
) -> OpenedCarePlan:
    """Open a person's care plan: their identity and the care plan part must both be readable (care team,
    open referral or episode, or a current consent that includes the care plan), and any parts the page
    also shows (`also`, e.g. carers). Logs the read, or the refusal. Raises Person.DoesNotExist or AccessRefused."""
    person = Person.objects.get(public_id=public_id)
    facts = access_facts(viewer, person)
    parts = [RecordPart.IDENTITY, RecordPart.CARE_PLAN, *also]
    for part in parts:
        decision = decide_access(facts=facts, action=Action.READ, part=part)
        if not decision.allowed:
            _refuse(viewer=viewer, person=person, decision=decision, part=part, channel=channel, detail=detail)
    read = decide_access(facts=facts, action=Action.READ, part=RecordPart.CARE_PLAN)
    write = decide_access(facts=facts, action=Action.WRITE, part=RecordPart.CARE_PLAN)
    plan = CarePlan.objects.filter(person=person).first()
    latest = plan.versions.select_related("created_by").order_by("-number").first() if plan else None
    access_log_append(
        actor=viewer,
        person_ids=[person.public_id],
        action=Action.READ,
        parts=parts,
        outcome=Outcome.ALLOWED,
        basis=read.basis,
        channel=channel,
        detail=detail,
    )
    return OpenedCarePlan(person=person, plan=plan, latest=latest, can_write=write.allowed, basis=read.basis)


@dataclass(frozen=True)
class Recipient:
    """Someone a copy of the plan might go to, and whether the person's consent allows it."""

    kind: str  # "carer" or "organisation"
    public_id: UUID
    name: str
    refusal: str | None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.public_id}"

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def share_recipients(*, person: Person) -> list[Recipient]:
    """R4: every carer named in the record (with or without consent, so staff see why one is refused),
    then every organisation holding a current consent that includes the care plan.
    Callers must already have checked that the viewer may share (the care team)."""
    current = list(person.consents.current().select_related("organisation", "carer"))
    recipients: list[Recipient] = []
    for carer in person.carers.all():
        parts = [c.parts for c in current if c.carer_id == carer.pk]
        refusal = share_refusal(person_name=person.full_name, recipient_name=carer.name, consented_parts=parts)
        recipients.append(Recipient("carer", carer.public_id, carer.name, refusal))
    organisations: dict[int, Organisation] = {
        c.organisation.pk: c.organisation for c in current if c.organisation is not None
    }
    for pk, organisation in sorted(organisations.items(), key=lambda item: item[1].name):
        parts = [c.parts for c in current if c.organisation_id == pk]
        refusal = share_refusal(person_name=person.full_name, recipient_name=organisation.name, consented_parts=parts)
        if refusal is None:
            recipients.append(Recipient("organisation", organisation.public_id, organisation.name, None))
    return recipients


def recipient_objects(*, person: Person, key: str) -> tuple[Carer | None, Organisation | None]:
    """The carer (of this person) or organisation a recipient key names. Raises LookupError when none."""
    kind, _, raw = key.partition(":")
    try:
        public_id = UUID(raw)
    except ValueError as exc:
        raise LookupError(key) from exc
    if kind == "carer":
        carer = person.carers.filter(public_id=public_id).first()
        if carer is not None:
            return carer, None
    elif kind == "organisation":
        organisation = Organisation.objects.filter(public_id=public_id).first()
        if organisation is not None:
            return None, organisation
    raise LookupError(key)


def shares_of(*, plan: CarePlan | None) -> QuerySet[CarePlanShare]:
    """Every copy shared, newest first, with the version, recipient and who shared it."""
    if plan is None:
        return CarePlanShare.objects.none()
    return CarePlanShare.objects.filter(version__plan=plan).select_related(
        "version", "carer", "organisation", "shared_by"
    )
