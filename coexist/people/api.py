"""JSON API for people: the same selectors, services and permission function as the pages."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.interop.problems import ERRORS
from coexist.interop.schemas import Postcode, Text32, Text100, Text200, Text254, Text2000
from coexist.organisations.models import Organisation
from coexist.people import services
from coexist.people.models import (
    Carer,
    CarerAssessment,
    Consent,
    EthnicCategory,
    HousingStatus,
    Person,
    Relationship,
    Sex,
)
from coexist.people.rules import SHAREABLE_PARTS, ContactMethod, RecordPart
from coexist.people.selectors import OpenedRecord, people_find, person_open

router = Router(tags=["people"])

ContactMethodCode = Literal["phone", "text", "email", "letter", "video", "in_person"]
SexCode = Literal["female", "male", "not_known", "not_stated"]
EthnicCode = Literal["A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z"]
HousingCode = Literal["settled", "supported", "temporary", "no_fixed_abode", "rough_sleeping", "not_known"]
RelationshipCode = Literal[
    "parent", "partner", "child", "sibling", "other_relative", "friend", "neighbour", "other"
]  # fmt: skip
ShareablePart = Literal[
    "contact", "episodes", "care_plan", "carers", "equality", "mental_health", "substance_use", "risk",
    "medicines",
]  # fmt: skip

# The Literal types above must list exactly the model's choices; checked at import.
assert set(ContactMethodCode.__args__) == set(ContactMethod.values)  # type: ignore[attr-defined]
assert set(SexCode.__args__) == set(Sex.values)  # type: ignore[attr-defined]
assert set(EthnicCode.__args__) == set(EthnicCategory.values)  # type: ignore[attr-defined]
assert set(HousingCode.__args__) == set(HousingStatus.values)  # type: ignore[attr-defined]
assert set(RelationshipCode.__args__) == set(Relationship.values)  # type: ignore[attr-defined]
assert set(ShareablePart.__args__) == {p.value for p in SHAREABLE_PARTS}  # type: ignore[attr-defined]


class PersonSummary(Schema):
    id: UUID = Field(..., alias="public_id")
    nhs_number: str | None
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date | None


class Contact(Schema):
    method: str
    phone: str
    email: str
    address: str
    postcode: str


class Equality(Schema):
    sex: str
    gender_identity: str
    ethnic_category: str
    housing_status: str
    released_from_prison_on: date | None
    has_caring_responsibilities: bool | None
    childcare_barrier: bool | None
    transport_barrier: bool | None


class CarerAssessmentOut(Schema):
    """R5: an offer of an assessment of the carer's own needs, and what came of it."""

    id: UUID
    status: Literal["offered", "accepted", "declined", "completed"]
    offered_on: date
    accepted_on: date | None
    declined_on: date | None
    completed_on: date | None
    note: str


class CarerOut(Schema):
    id: UUID
    name: str
    relationship: str
    provides_care: bool
    lives_with_person: bool
    phone: str
    assessments: list[CarerAssessmentOut]


class ConsentOut(Schema):
    id: UUID
    organisation: UUID | None
    carer: UUID | None
    recipient_name: str
    parts: list[str]
    given_on: date
    withdrawn_on: date | None


class Access(Schema):
    basis: str
    readable: list[str]
    writable: list[str]


class PersonOut(PersonSummary):
    contact: Contact | None = None
    equality: Equality | None = None
    carers: list[CarerOut] | None = None
    consents: list[ConsentOut] | None = None
    access: Access


class PersonPatch(Schema):
    """Fields to change; send only those that change. Identity changes are not made through the API."""

    model_config = ConfigDict(extra="forbid")

    contact_method: ContactMethodCode | None = None
    phone: Text32 | None = None
    email: Text254 | None = None
    address: Text2000 | None = None
    postcode: Postcode | None = None
    sex: SexCode | None = None
    gender_identity: Text100 | None = None
    ethnic_category: EthnicCode | None = None
    housing_status: HousingCode | None = None
    released_from_prison_on: date | None = None
    has_caring_responsibilities: bool | None = None
    childcare_barrier: bool | None = None
    transport_barrier: bool | None = None


# Fields where null means "clear it"; for the others null is refused (they always have a value).
_NULLABLE = {"released_from_prison_on", "has_caring_responsibilities", "childcare_barrier", "transport_barrier"}


class CarerIn(Schema):
    """R5: a carer or family member."""

    model_config = ConfigDict(extra="forbid")

    name: Text200 = Field(..., min_length=1)
    relationship: RelationshipCode
    provides_care: bool
    lives_with_person: bool = False
    phone: Text32 = ""
    email: Text254 = ""


class CarerAssessmentOfferIn(Schema):
    model_config = ConfigDict(extra="forbid")

    offered_on: date
    note: Text2000 = ""


class CarerAssessmentOutcomeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["accepted", "declined", "completed"]
    on: date
    note: Text2000 = ""


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organisation: UUID | None = None
    carer: UUID | None = None
    parts: list[ShareablePart] = Field(..., min_length=1, max_length=len(SHAREABLE_PARTS))
    given_on: date


class ConsentWithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    withdrawn_on: date
    note: Text2000 = ""


def _carer_out(c: Carer) -> CarerOut:
    return CarerOut(
        id=c.public_id,
        name=c.name,
        relationship=c.relationship,
        provides_care=c.provides_care,
        lives_with_person=c.lives_with_person,
        phone=c.phone,
        assessments=[_carer_assessment_out(a) for a in c.assessments.all()],
    )


def _carer_assessment_out(a: CarerAssessment) -> CarerAssessmentOut:
    return CarerAssessmentOut(
        id=a.public_id,
        status=a.status,  # type: ignore[arg-type]  # a CarerAssessmentStatus value
        offered_on=a.offered_on,
        accepted_on=a.accepted_on,
        declined_on=a.declined_on,
        completed_on=a.completed_on,
        note=a.note,
    )


def _carer_or_404(person_id: UUID, carer_id: UUID) -> Carer:
    carer = Carer.objects.select_related("person").filter(public_id=carer_id, person__public_id=person_id).first()
    if carer is None:
        raise Http404("No carer with that id is recorded for this person.")
    return carer


def _consent_out(consent: Consent) -> ConsentOut:
    return ConsentOut(
        id=consent.public_id,
        organisation=consent.organisation.public_id if consent.organisation else None,
        carer=consent.carer.public_id if consent.carer else None,
        recipient_name=consent.recipient_name,
        parts=list(consent.parts),
        given_on=consent.given_on,
        withdrawn_on=consent.withdrawn_on,
    )


def _person_out(record: OpenedRecord) -> PersonOut:
    p = record.person
    out = PersonOut(
        public_id=p.public_id,
        nhs_number=p.nhs_number,
        given_name=p.given_name,
        family_name=p.family_name,
        preferred_name=p.preferred_name,
        date_of_birth=p.date_of_birth,
        access=Access(basis=record.basis, readable=sorted(record.readable), writable=sorted(record.writable)),
    )
    if record.can_read(RecordPart.CONTACT):
        out.contact = Contact(
            method=p.contact_method, phone=p.phone, email=p.email, address=p.address, postcode=p.postcode
        )
    if record.can_read(RecordPart.EQUALITY):
        out.equality = Equality(
            sex=p.sex,
            gender_identity=p.gender_identity,
            ethnic_category=p.ethnic_category,
            housing_status=p.housing_status,
            released_from_prison_on=p.released_from_prison_on,
            has_caring_responsibilities=p.has_caring_responsibilities,
            childcare_barrier=p.childcare_barrier,
            transport_barrier=p.transport_barrier,
        )
    if record.can_read(RecordPart.CARERS):
        out.carers = [_carer_out(c) for c in record.carers]
    if record.can_read(RecordPart.CONSENT):
        out.consents = [_consent_out(c) for c in record.consents]
    return out


def _person_or_404(person_id: UUID) -> Person:
    person = Person.objects.filter(public_id=person_id).first()
    if person is None:
        raise Http404("No person with that id.")
    return person


def _open(request: HttpRequest, person_id: UUID, detail: str) -> OpenedRecord:
    try:
        return person_open(viewer=staff_of(request), public_id=person_id, channel=Channel.API, detail=detail)
    except Person.DoesNotExist as exc:
        raise Http404("No person with that id.") from exc


@router.get("", response={200: list[PersonSummary], **ERRORS}, summary="Your caseload, or search")
def list_people(
    request: HttpRequest,
    q: Text100 = Query("", description="Name, NHS number or date of birth. Empty: your caseload."),  # type: ignore[type-arg]
    limit: int = Query(50, ge=1, le=200),  # type: ignore[type-arg]
) -> list[Person]:
    return people_find(viewer=staff_of(request), query=q, channel=Channel.API, limit=limit)


@router.get("/{person_id}", response={200: PersonOut, **ERRORS}, summary="A person's record, as you may see it")
def get_person(request: HttpRequest, person_id: UUID) -> PersonOut:
    return _person_out(_open(request, person_id, "GET person"))


@router.patch("/{person_id}", response={200: PersonOut, **ERRORS}, summary="Change contact or equality fields")
def patch_person(request: HttpRequest, person_id: UUID, payload: PersonPatch) -> PersonOut:
    changes = payload.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None and name not in _NULLABLE:
            raise ValidationError({name: "This field cannot be empty."})
    person = _person_or_404(person_id)
    services.person_update(person=person, by=staff_of(request), changes=changes, channel=Channel.API)
    return _person_out(_open(request, person_id, "PATCH person (response)"))


@router.post("/{person_id}/carers", response={201: CarerOut, **ERRORS}, summary="Record a carer or family member")
def create_carer(request: HttpRequest, person_id: UUID, payload: CarerIn) -> Status[CarerOut]:
    person = _person_or_404(person_id)
    carer = services.carer_add(person=person, by=staff_of(request), channel=Channel.API, **payload.model_dump())
    return Status(201, _carer_out(carer))


@router.post(
    "/{person_id}/carers/{carer_id}/assessments",
    response={201: CarerAssessmentOut, **ERRORS},
    summary="Record the offer of a carer's assessment (R5)",
)
def offer_carer_assessment(
    request: HttpRequest, person_id: UUID, carer_id: UUID, payload: CarerAssessmentOfferIn
) -> Status[CarerAssessmentOut]:
    offer = services.carer_assessment_offer(
        carer=_carer_or_404(person_id, carer_id), by=staff_of(request), channel=Channel.API, **payload.model_dump()
    )
    return Status(201, _carer_assessment_out(offer))


@router.post(
    "/{person_id}/carers/{carer_id}/assessments/{assessment_id}/outcome",
    response={200: CarerAssessmentOut, **ERRORS},
    summary="Record that a carer accepted, declined or completed their assessment (R5)",
)
def record_carer_assessment_outcome(
    request: HttpRequest, person_id: UUID, carer_id: UUID, assessment_id: UUID, payload: CarerAssessmentOutcomeIn
) -> CarerAssessmentOut:
    carer = _carer_or_404(person_id, carer_id)
    offer = carer.assessments.filter(public_id=assessment_id).first()
    if offer is None:
        raise Http404("No carer's assessment with that id for this carer.")
    offer = services.carer_assessment_record_outcome(
        offer=offer, by=staff_of(request), channel=Channel.API, **payload.model_dump()
    )
    return _carer_assessment_out(offer)


@router.post("/{person_id}/consents", response={201: ConsentOut, **ERRORS}, summary="Record consent to share")
def create_consent(request: HttpRequest, person_id: UUID, payload: ConsentIn) -> Status[ConsentOut]:
    person = _person_or_404(person_id)
    organisation = Organisation.objects.filter(public_id=payload.organisation).first() if payload.organisation else None
    carer = Carer.objects.filter(public_id=payload.carer, person=person).first() if payload.carer else None
    if payload.organisation and organisation is None:
        raise ValidationError({"organisation": "No organisation with that id."})
    if payload.carer and carer is None:
        raise ValidationError({"carer": "No carer with that id is recorded for this person."})
    consent = services.consent_record(
        person=person,
        by=staff_of(request),
        organisation=organisation,
        carer=carer,
        parts=payload.parts,
        given_on=payload.given_on,
        channel=Channel.API,
    )
    return Status(201, _consent_out(consent))


@router.post(
    "/{person_id}/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **ERRORS},
    summary="Withdraw consent to share",
)
def withdraw_consent(request: HttpRequest, person_id: UUID, consent_id: UUID, payload: ConsentWithdrawIn) -> ConsentOut:
    consent = (
        Consent.objects.select_related("person", "organisation", "carer")
        .filter(public_id=consent_id, person__public_id=person_id)
        .first()
    )
    if consent is None:
        raise Http404("No consent with that id for that person.")
    updated = services.consent_withdraw(
        consent=consent,
        by=staff_of(request),
        withdrawn_on=payload.withdrawn_on,
        note=payload.note,
        channel=Channel.API,
    )
    return _consent_out(updated)
