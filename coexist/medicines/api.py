"""API endpoints for medicines continuity (R9), under /api/v1/medicines: the same selectors, services and
permission function as the pages.

Errors are problem+json: 401 without a token; 403 when the permission function refuses (logged); 404 for
an unknown person or handover; 422 for invalid input or a refused change, naming the field (for example
`first_community_dose_on` when a day would be missed). Doses are decimal strings or numbers, in mg.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.interop.problems import ERRORS
from coexist.medicines import services
from coexist.medicines.models import (
    DoseChange,
    DoseGiven,
    NaloxoneKit,
    NaloxoneOffer,
    NaloxoneOutcome,
    OpiateSubstitution,
    OpioidSubstitute,
    OtherMedicine,
    PrescribingHandover,
)
from coexist.medicines.rules import describe_dose
from coexist.medicines.selectors import (
    Course,
    PersonMedicines,
    current_opiate_substitution,
    handover_get,
    handovers_waiting,
    person_medicines_open,
)
from coexist.organisations.models import Service
from coexist.people.models import Person
from coexist.people.permissions import require
from coexist.people.rules import Action, RecordPart

router = Router(tags=["medicines continuity"])

Drug = Literal["methadone", "buprenorphine", "buprenorphine_naloxone", "buprenorphine_depot"]
Outcome = Literal["supplied", "declined", "already_has"]
Kit = Literal["", "intramuscular", "nasal"]
assert set(Drug.__args__) == set(OpioidSubstitute.values)  # type: ignore[attr-defined]
assert set(Outcome.__args__) == set(NaloxoneOutcome.values)  # type: ignore[attr-defined]
assert set(Kit.__args__) == {"", *NaloxoneKit.values}  # type: ignore[attr-defined]

# Decimals in mg: bounded here only loosely (the services name the drug's range); no NaN or infinity.
Mg = Field(..., allow_inf_nan=False, max_digits=8, decimal_places=4)


class DoseOut(Schema):
    id: UUID
    daily_dose_mg: Decimal
    supervised: bool
    pharmacy: str
    effective_from: date
    reason: str
    described: str


class DoseGivenOut(Schema):
    id: UUID
    given_at: datetime
    dose_mg: Decimal
    where: str


class CourseOut(Schema):
    id: UUID
    drug: str
    prescribing_service: UUID
    prescribing_service_name: str
    prescriber: UUID | None
    prescriber_name: str
    started_on: date
    stopped_on: date | None
    current_dose: str
    doses: list[DoseOut]
    last_dose_given: DoseGivenOut | None
    doses_given: list[DoseGivenOut] = Field(description="The latest 14.")


class NaloxoneOut(Schema):
    id: UUID
    offered_at: datetime
    outcome: str
    kit: str
    training_given: bool
    carer_trained: bool
    note: str


class OtherMedicineOut(Schema):
    id: UUID
    name: str
    dose: str
    why_it_matters: str
    started_on: date | None
    stopped_on: date | None


class PrescribingHandoverOut(Schema):
    id: UUID
    person: UUID
    course: UUID
    to_service: UUID
    to_service_name: str
    drug: str
    daily_dose_mg: Decimal
    supervised: bool
    pharmacy: str
    described: str
    last_dose_given_at: datetime
    first_community_dose_on: date
    status: str
    requested_at: datetime
    answered_at: datetime | None
    answer_note: str
    task: UUID | None


class PersonMedicinesOut(Schema):
    person: UUID
    current_course: CourseOut | None
    naloxone_offers: list[NaloxoneOut]
    other_medicines: list[OtherMedicineOut]
    handovers: list[PrescribingHandoverOut]


class CourseStartIn(Schema):
    """R9: start a course. Name the prescriber by staff id, or by name when they have no account."""

    model_config = ConfigDict(extra="forbid")

    drug: Drug
    prescribing_service: UUID
    prescriber: UUID | None = None
    prescriber_name: str = Field("", max_length=200)
    started_on: date
    daily_dose_mg: Decimal = Mg
    supervised: bool
    pharmacy: str = Field("", max_length=200)


class DoseChangeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    daily_dose_mg: Decimal = Mg
    supervised: bool
    pharmacy: str = Field("", max_length=200)
    effective_from: date
    reason: str = Field(..., max_length=5000)


class DoseGivenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    given_at: datetime
    dose_mg: Decimal = Mg
    where: str = Field(..., max_length=200)


class StopIn(Schema):
    model_config = ConfigDict(extra="forbid")

    stopped_on: date
    reason: str = Field(..., max_length=5000)


class NaloxoneIn(Schema):
    model_config = ConfigDict(extra="forbid")

    offered_at: datetime
    outcome: Outcome
    kit: Kit = ""
    training_given: bool = False
    carer_trained: bool = False
    note: str = Field("", max_length=5000)


class OtherMedicineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=200)
    dose: str = Field(..., max_length=200)
    why_it_matters: str = Field("", max_length=5000)
    started_on: date | None = None
    stopped_on: date | None = None


class HandoverIn(Schema):
    """R9: the first community dose is the day after the last dose given (monthly depot: within 28 days)."""

    model_config = ConfigDict(extra="forbid")

    to_service: UUID
    first_community_dose_on: date


class HandoverAnswerIn(Schema):
    """R9: accept (with `confirmed: true`, confirming drug, dose, last dose given and first community dose
    date) or decline (with a `reason`)."""

    model_config = ConfigDict(extra="forbid")

    answer: Literal["accept", "decline"]
    confirmed: bool = False
    reason: str = Field("", max_length=5000)


class HandoverWithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=5000)


def _dose_out(dose: DoseChange, drug: str) -> DoseOut:
    return DoseOut(
        id=dose.public_id,
        daily_dose_mg=dose.daily_dose_mg,
        supervised=dose.supervised,
        pharmacy=dose.pharmacy,
        effective_from=dose.effective_from,
        reason=dose.reason,
        described=describe_dose(
            drug=drug, dose_mg=dose.daily_dose_mg, supervised=dose.supervised, pharmacy=dose.pharmacy
        ),
    )


def _given_out(given: DoseGiven) -> DoseGivenOut:
    return DoseGivenOut(id=given.public_id, given_at=given.given_at, dose_mg=given.dose_mg, where=given.where)


def _course_out(course: Course) -> CourseOut:
    t = course.treatment
    return CourseOut(
        id=t.public_id,
        drug=t.drug,
        prescribing_service=t.prescribing_service.public_id,
        prescribing_service_name=t.prescribing_service.name,
        prescriber=t.prescriber.public_id if t.prescriber else None,
        prescriber_name=t.prescriber.display_name if t.prescriber else t.prescriber_name,
        started_on=t.started_on,
        stopped_on=t.stopped_on,
        current_dose=course.summary,
        doses=[_dose_out(d, t.drug) for d in course.doses],
        last_dose_given=_given_out(course.last_given) if course.last_given else None,
        doses_given=[_given_out(g) for g in course.given],
    )


def _naloxone_out(o: NaloxoneOffer) -> NaloxoneOut:
    return NaloxoneOut(
        id=o.public_id,
        offered_at=o.offered_at,
        outcome=o.outcome,
        kit=o.kit,
        training_given=o.training_given,
        carer_trained=o.carer_trained,
        note=o.note,
    )


def _other_out(m: OtherMedicine) -> OtherMedicineOut:
    return OtherMedicineOut(
        id=m.public_id,
        name=m.name,
        dose=m.dose,
        why_it_matters=m.why_it_matters,
        started_on=m.started_on,
        stopped_on=m.stopped_on,
    )


def _handover_out(h: PrescribingHandover) -> PrescribingHandoverOut:
    return PrescribingHandoverOut(
        id=h.public_id,
        person=h.person.public_id,
        course=h.treatment.public_id,
        to_service=h.to_service.public_id,
        to_service_name=h.to_service.name,
        drug=h.drug,
        daily_dose_mg=h.daily_dose_mg,
        supervised=h.supervised,
        pharmacy=h.pharmacy,
        described=describe_dose(drug=h.drug, dose_mg=h.daily_dose_mg, supervised=h.supervised, pharmacy=h.pharmacy),
        last_dose_given_at=h.last_dose_given_at,
        first_community_dose_on=h.first_community_dose_on,
        status=h.status,
        requested_at=h.requested_at,
        answered_at=h.answered_at,
        answer_note=h.answer_note,
        task=h.task.public_id if h.task else None,
    )


def _open(request: HttpRequest, person_id: UUID, detail: str) -> PersonMedicines:
    try:
        return person_medicines_open(viewer=staff_of(request), public_id=person_id, channel=Channel.API, detail=detail)
    except Person.DoesNotExist as exc:
        raise Http404("No person with that id.") from exc


def _out(request: HttpRequest, person_id: UUID, detail: str) -> PersonMedicinesOut:
    record = _open(request, person_id, detail)
    return PersonMedicinesOut(
        person=person_id,
        current_course=_course_out(record.current) if record.current else None,
        naloxone_offers=[_naloxone_out(o) for o in record.naloxone],
        other_medicines=[_other_out(m) for m in record.others],
        handovers=[_handover_out(h) for h in record.handovers],
    )


def _person(person_id: UUID) -> Person:
    person = Person.objects.filter(public_id=person_id).first()
    if person is None:
        raise Http404("No person with that id.")
    return person


def _service(service_id: UUID) -> Service:
    service = Service.objects.filter(public_id=service_id).first()
    if service is None:
        raise Http404("No service with that id.")
    return service


def _course_of(request: HttpRequest, person: Person, detail: str) -> OpiateSubstitution:
    """The current course, once the caller may change the medicines (so a refusal says nothing about it)."""
    require(
        user=staff_of(request), person=person, action=Action.WRITE, parts=[RecordPart.MEDICINES],
        channel=Channel.API, detail=detail,
    )  # fmt: skip
    treatment = current_opiate_substitution(person)
    if treatment is None:
        raise ValidationError({"course": f"{person.full_name} has no current course of opiate substitution."})
    return treatment


def _unopened_handover(handover_id: UUID) -> PrescribingHandover:
    handover = (
        PrescribingHandover.objects.select_related(
            "person", "treatment__prescribing_service", "to_service", "requested_by"
        )
        .filter(public_id=handover_id)
        .first()
    )
    if handover is None:
        raise Http404("No prescribing handover with that id.")
    return handover


@router.get(
    "/people/{person_id}",
    response={200: PersonMedicinesOut, **ERRORS},
    summary="A person's medicines continuity record (R9)",
)
def get_person(request: HttpRequest, person_id: UUID) -> PersonMedicinesOut:
    return _out(request, person_id, "GET medicines")


@router.post(
    "/people/{person_id}/courses",
    response={201: PersonMedicinesOut, **ERRORS},
    summary="Start a course of opiate substitution (R9)",
)
def start(request: HttpRequest, person_id: UUID, payload: CourseStartIn) -> Status[PersonMedicinesOut]:
    person = _person(person_id)
    prescriber = None
    if payload.prescriber is not None:
        prescriber = User.objects.filter(public_id=payload.prescriber).first()
        if prescriber is None:
            raise Http404("No member of staff with that id.")
    services.opiate_substitution_start(
        person=person, drug=payload.drug, prescribing_service=_service(payload.prescribing_service),
        prescriber=prescriber, prescriber_name=payload.prescriber_name, started_on=payload.started_on,
        daily_dose_mg=payload.daily_dose_mg, supervised=payload.supervised, pharmacy=payload.pharmacy,
        by=staff_of(request), channel=Channel.API,
    )  # fmt: skip
    return Status(201, _out(request, person_id, "POST course (response)"))


@router.post(
    "/people/{person_id}/dose-changes",
    response={201: PersonMedicinesOut, **ERRORS},
    summary="Change the dose of the current course; the history is kept (R9)",
)
def dose_change(request: HttpRequest, person_id: UUID, payload: DoseChangeIn) -> Status[PersonMedicinesOut]:
    treatment = _course_of(request, _person(person_id), "POST dose change")
    services.dose_change_record(
        treatment=treatment, daily_dose_mg=payload.daily_dose_mg, supervised=payload.supervised,
        pharmacy=payload.pharmacy, effective_from=payload.effective_from, reason=payload.reason,
        by=staff_of(request), channel=Channel.API,
    )  # fmt: skip
    return Status(201, _out(request, person_id, "POST dose change (response)"))


@router.post(
    "/people/{person_id}/doses-given",
    response={201: PersonMedicinesOut, **ERRORS},
    summary="Record a dose given on the current course (R9)",
)
def dose_given(request: HttpRequest, person_id: UUID, payload: DoseGivenIn) -> Status[PersonMedicinesOut]:
    services.dose_given_record(
        person=_person(person_id), given_at=payload.given_at, dose_mg=payload.dose_mg, where=payload.where,
        by=staff_of(request), channel=Channel.API,
    )  # fmt: skip
    return Status(201, _out(request, person_id, "POST dose given (response)"))


@router.post(
    "/people/{person_id}/stop",
    response={200: PersonMedicinesOut, **ERRORS},
    summary="Stop the current course (R9)",
)
def stop(request: HttpRequest, person_id: UUID, payload: StopIn) -> PersonMedicinesOut:
    treatment = _course_of(request, _person(person_id), "POST stop course")
    services.opiate_substitution_stop(
        treatment=treatment, stopped_on=payload.stopped_on, reason=payload.reason, by=staff_of(request),
        channel=Channel.API,
    )  # fmt: skip
    return _out(request, person_id, "POST stop course (response)")


@router.post(
    "/people/{person_id}/naloxone-offers",
    response={201: PersonMedicinesOut, **ERRORS},
    summary="Record a naloxone offer and its outcome (R9)",
)
def naloxone(request: HttpRequest, person_id: UUID, payload: NaloxoneIn) -> Status[PersonMedicinesOut]:
    services.naloxone_offer_record(
        person=_person(person_id), offered_at=payload.offered_at, outcome=payload.outcome, kit=payload.kit,
        training_given=payload.training_given, carer_trained=payload.carer_trained, note=payload.note,
        by=staff_of(request), channel=Channel.API,
    )  # fmt: skip
    return Status(201, _out(request, person_id, "POST naloxone offer (response)"))


@router.post(
    "/people/{person_id}/other-medicines",
    response={201: PersonMedicinesOut, **ERRORS},
    summary="Add another medicine that matters at handover (R9)",
)
def other_medicine(request: HttpRequest, person_id: UUID, payload: OtherMedicineIn) -> Status[PersonMedicinesOut]:
    services.other_medicine_add(
        person=_person(person_id), name=payload.name, dose=payload.dose, why_it_matters=payload.why_it_matters,
        started_on=payload.started_on, stopped_on=payload.stopped_on, by=staff_of(request), channel=Channel.API,
    )  # fmt: skip
    return Status(201, _out(request, person_id, "POST other medicine (response)"))


@router.post(
    "/people/{person_id}/handovers",
    response={201: PrescribingHandoverOut, **ERRORS},
    summary="Ask a community drug and alcohol service to take over prescribing (R9)",
)
def handover_request(request: HttpRequest, person_id: UUID, payload: HandoverIn) -> Status[PrescribingHandoverOut]:
    treatment = _course_of(request, _person(person_id), "POST handover")
    handover = services.prescribing_handover_request(
        treatment=treatment, to_service=_service(payload.to_service),
        first_community_dose_on=payload.first_community_dose_on, by=staff_of(request), channel=Channel.API,
    )  # fmt: skip
    _, opened = handover_get(
        viewer=staff_of(request), public_id=handover.public_id, channel=Channel.API, detail="POST handover (response)"
    )
    return Status(201, _handover_out(opened))


@router.get(
    "/handovers",
    response={200: list[PrescribingHandoverOut], **ERRORS},
    summary="Prescribing handovers waiting for an answer from your services (R9)",
)
def waiting(request: HttpRequest) -> list[PrescribingHandoverOut]:
    return [_handover_out(h) for h in handovers_waiting(viewer=staff_of(request), channel=Channel.API)]


@router.post(
    "/handovers/{handover_id}/answer",
    response={200: PrescribingHandoverOut, **ERRORS},
    summary="Accept or decline a prescribing handover (R9)",
)
def answer(request: HttpRequest, handover_id: UUID, payload: HandoverAnswerIn) -> PrescribingHandoverOut:
    handover = _unopened_handover(handover_id)
    by = staff_of(request)
    if payload.answer == "accept":
        services.prescribing_handover_accept(
            handover=handover, confirmed=payload.confirmed, note=payload.reason, by=by, channel=Channel.API
        )
    else:
        services.prescribing_handover_decline(handover=handover, reason=payload.reason, by=by, channel=Channel.API)
    _, opened = handover_get(viewer=by, public_id=handover_id, channel=Channel.API, detail="POST answer (response)")
    return _handover_out(opened)


@router.post(
    "/handovers/{handover_id}/withdraw",
    response={200: PrescribingHandoverOut, **ERRORS},
    summary="Withdraw a prescribing handover request (R9)",
)
def withdraw(request: HttpRequest, handover_id: UUID, payload: HandoverWithdrawIn) -> PrescribingHandoverOut:
    handover = _unopened_handover(handover_id)
    by = staff_of(request)
    services.prescribing_handover_withdraw(handover=handover, reason=payload.reason, by=by, channel=Channel.API)
    _, opened = handover_get(viewer=by, public_id=handover_id, channel=Channel.API, detail="POST withdraw (response)")
    return _handover_out(opened)
