"""Reads of a person's validated measures, scoped to the viewer and written to the access log.

A measure belongs to the substance use or the mental health part of the record (see
`services.record_part_for`), so a worker who reads by consent sees only the measures in the parts the
person agreed to share (e.g. Pathways sees Ben's AUDIT, not his PHQ-9)."""

from __future__ import annotations

from uuid import UUID

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.instruments.definitions import DEFINITIONS
from coexist.instruments.models import InstrumentResponse
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused, decide_parts, require
from coexist.people.rules import Action, RecordPart

MEASURE_PARTS = (RecordPart.SUBSTANCE_USE, RecordPart.MENTAL_HEALTH)


def codes_in_parts(parts: frozenset[str] | set[str]) -> list[str]:
    """The measures whose answers belong to these parts of the record."""
    return sorted(code for code, instrument in DEFINITIONS.items() if instrument.record_part in parts)


def readable_measure_parts(*, viewer: User, person: Person) -> frozenset[str]:
    decisions = decide_parts(viewer, person, Action.READ, MEASURE_PARTS)
    return frozenset(part for part, decision in decisions.items() if decision.allowed)


def instrument_responses_for(
    *, viewer: User, person: Person, channel: Channel, instrument_code: str | None = None
) -> list[InstrumentResponse]:
    """A person's measures the viewer may read, newest first. Raises AccessRefused (logged) if the viewer
    may read neither the substance use nor the mental health part of the record."""
    decisions = decide_parts(viewer, person, Action.READ, MEASURE_PARTS)
    readable = {part for part, decision in decisions.items() if decision.allowed}
    if not readable:
        refusal = decisions[RecordPart.MENTAL_HEALTH]
        access_log_append(
            actor=viewer,
            person_ids=[person.public_id],
            action=Action.READ,
            parts=MEASURE_PARTS,
            outcome=Outcome.REFUSED,
            basis=refusal.basis,
            channel=channel,
            detail="list measures",
        )
        raise AccessRefused(refusal)
    codes = codes_in_parts(readable)
    if instrument_code is not None:
        codes = [code for code in codes if code == instrument_code]
    # SECURITY: only measures in the parts this viewer may read.
    responses = list(
        InstrumentResponse.objects.filter(person=person, instrument_code__in=codes).select_related(
            "person", "recorded_by", "assessment"
        )
    )
    access_log_append(
        actor=viewer,
        person_ids=[person.public_id],
        action=Action.READ,
        parts=readable,
        outcome=Outcome.ALLOWED,
        basis=next(d.basis for d in decisions.values() if d.allowed),
        channel=channel,
        detail="list measures",
    )
    return responses


def instrument_response_open(*, viewer: User, public_id: UUID, channel: Channel) -> InstrumentResponse:
    """One recorded measure, if the viewer may read its part of the record. Raises
    InstrumentResponse.DoesNotExist or AccessRefused (logged); logs the read."""
    response = InstrumentResponse.objects.select_related("person", "recorded_by", "assessment").get(public_id=public_id)
    instrument = DEFINITIONS.get(response.instrument_code)
    # A measure no longer shipped could be either kind: ask for both parts rather than guess.
    parts = [instrument.record_part] if instrument else list(MEASURE_PARTS)
    detail = f"open {instrument.short_name if instrument else response.instrument_code} result"
    decision = require(
        user=viewer, person=response.person, action=Action.READ, parts=parts, channel=channel, detail=detail
    )
    access_log_append(
        actor=viewer,
        person_ids=[response.person.public_id],
        action=Action.READ,
        parts=parts,
        outcome=Outcome.ALLOWED,
        basis=decision.basis,
        channel=channel,
        detail=detail,
    )
    return response
