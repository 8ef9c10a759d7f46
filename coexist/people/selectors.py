"""Reads of people's records, scoped to the viewer and written to the access log."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import DIRECT_CARE, access_log_append
from coexist.people.models import Carer, Consent, Person
from coexist.people.permissions import AccessRefused, access_facts, caseload_of, people_visible_to
from coexist.people.rules import Action, RecordPart, decide_access
from coexist.people.search import parse_search

LIST_LIMIT = 50


@dataclass(frozen=True)
class OpenedRecord:
    """A person's record as one viewer may see it: the parts they may read, and why."""

    person: Person
    readable: frozenset[str]
    writable: frozenset[str]
    basis: str

    def can_read(self, part: str) -> bool:
        return part in self.readable

    def can_write(self, part: str) -> bool:
        return part in self.writable

    @property
    def shared_part_labels(self) -> list[str]:
        """The readable parts beyond identity, in the record's order, for saying what was shared."""
        return [part.label for part in RecordPart if part in self.readable and part != RecordPart.IDENTITY]

    @property
    def carers(self) -> QuerySet[Carer]:
        return (
            self.person.carers.prefetch_related("assessments")
            if self.can_read(RecordPart.CARERS)
            else Carer.objects.none()
        )

    @property
    def consents(self) -> QuerySet[Consent]:
        if not self.can_read(RecordPart.CONSENT):
            return Consent.objects.none()
        return self.person.consents.select_related("organisation", "carer", "recorded_by", "withdrawn_by")


def person_open(
    *, viewer: User, public_id: UUID, channel: Channel, detail: str, purpose: str = DIRECT_CARE
) -> OpenedRecord:
    """Open a person's record: decide each part, refuse (and log) if even their identity is closed,
    otherwise log the read of the parts shown. Raises Person.DoesNotExist or AccessRefused."""
    person = Person.objects.get(public_id=public_id)
    facts = access_facts(viewer, person)
    reads = {part: decide_access(facts=facts, action=Action.READ, part=part) for part in RecordPart.values}
    identity = reads[RecordPart.IDENTITY]
    if not identity.allowed:
        access_log_append(
            actor=viewer,
            person_ids=[person.public_id],
            action=Action.READ,
            parts=[RecordPart.IDENTITY],
            outcome=Outcome.REFUSED,
            basis=identity.basis,
            channel=channel,
            detail=detail,
            purpose=purpose,
        )
        raise AccessRefused(identity)
    readable = frozenset(part for part, decision in reads.items() if decision.allowed)
    writes = {part: decide_access(facts=facts, action=Action.WRITE, part=part) for part in RecordPart.values}
    access_log_append(
        actor=viewer,
        person_ids=[person.public_id],
        action=Action.READ,
        parts=readable,
        outcome=Outcome.ALLOWED,
        basis=identity.basis,
        channel=channel,
        detail=detail,
        purpose=purpose,
    )
    return OpenedRecord(
        person=person,
        readable=readable,
        writable=frozenset(part for part, decision in writes.items() if decision.allowed),
        basis=identity.basis,
    )


def people_find(*, viewer: User, query: str, channel: Channel, limit: int = LIST_LIMIT) -> list[Person]:
    """The viewer's caseload, or with a query, everyone they may see who matches it.

    Names, NHS numbers and dates of birth on a list are a read of each person's identity, so each
    listed person gets an access log entry (one INSERT for the whole list)."""
    terms = parse_search(query)
    if query.strip():
        people = people_visible_to(viewer).filter(terms.as_q())
        detail = f"search: {query.strip()[:200]}"
    else:
        people = caseload_of(viewer)
        detail = "caseload list"
    found = list(people.order_by("family_name", "given_name", "pk")[:limit])
    if found:
        access_log_append(
            actor=viewer,
            person_ids=[p.public_id for p in found],
            action=Action.READ,
            parts=[RecordPart.IDENTITY],
            outcome=Outcome.ALLOWED,
            basis="listed: caseload or search within people the viewer may see",
            channel=channel,
            detail=detail,
        )
    return found
