"""JSON API for referrals: the same services, selectors and rules as the pages (R1, R12)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.interop.problems import ERRORS, Problem
from coexist.interop.schemas import Postcode, Text32, Text100, Text200, Text254, Text2000
from coexist.organisations.models import Service, Team
from coexist.people.models import Person
from coexist.referrals import services
from coexist.referrals.models import DropInVisit, Referral, Urgency
from coexist.referrals.ratelimits import self_referral_attempt_limited, self_referral_sent
from coexist.referrals.rules import DeclineReason, HelpKind
from coexist.referrals.selectors import (
    drop_in_visit_for,
    duplicates_for_triage,
    referral_for_triage,
    triage_queue,
)

router = Router(tags=["referrals"])

UrgencyCode = Literal["routine", "soon", "urgent"]
StaffRouteCode = Literal["staff", "ward", "gp", "criminal_justice"]
HelpKindCode = Literal["mental_health", "drugs_alcohol", "not_sure"]
SelfContactCode = Literal["phone", "text", "email"]
ContactCode = Literal["phone", "text", "email", "letter", "video", "in_person"]
DeclineReasonCode = Literal[
    "substance_use", "mental_illness", "outside_area", "better_met_elsewhere", "already_supported",
    "person_declined", "not_eligible_age",
]  # fmt: skip

# The Literal types above must list exactly the model's choices; checked at import.
assert set(UrgencyCode.__args__) == set(Urgency.values)  # type: ignore[attr-defined]
assert set(StaffRouteCode.__args__) == set(services.STAFF_ROUTES)  # type: ignore[attr-defined]
assert set(HelpKindCode.__args__) == set(HelpKind.values)  # type: ignore[attr-defined]
assert set(DeclineReasonCode.__args__) == set(DeclineReason.values)  # type: ignore[attr-defined]

# The public endpoint answers 422 and 429 in practice; it lists the shared error set too, because the
# API promises one documented error shape on every operation (test_openapi_documents_errors_as_problem_json).
PUBLIC_ERRORS = {**ERRORS, 429: Problem}


class SelfReferralIn(Schema):
    """R12: minimal fields, no account."""

    model_config = ConfigDict(extra="forbid")

    given_name: Text100
    family_name: Text100
    date_of_birth: date
    contact_method: SelfContactCode
    phone: Text32 = ""
    email: Text254 = ""
    help_kind: HelpKindCode
    reason: Text2000
    safe_to_contact_note: Text200 = ""


class SelfReferralOut(Schema):
    reference: str
    next_steps: str


class StaffReferralIn(Schema):
    """For a person whose record you may change (`person`), or someone new by the details given."""

    model_config = ConfigDict(extra="forbid")

    to_service: UUID
    route: StaffRouteCode
    reason: Text2000
    urgency: UrgencyCode = "routine"
    person: UUID | None = None
    referrer_name: Text200 = ""
    referrer_organisation: Text200 = ""
    referrer_phone: Text32 = ""
    given_name: Text100 = ""
    family_name: Text100 = ""
    date_of_birth: date | None = None
    nhs_number: Text32 = ""
    contact_method: ContactCode | Literal[""] = ""
    phone: Text32 = ""
    email: Text254 = ""
    address: Text2000 = ""
    postcode: Postcode = ""
    safe_to_contact_note: Text200 = ""


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    by: str | None
    at: datetime
    note: str


class ReferralSummary(Schema):
    id: UUID
    reference: str
    to_service: UUID
    to_service_name: str
    route: str
    status: str
    urgency: str
    received_at: datetime
    person: UUID | None
    name: str


class ReferralOut(ReferralSummary):
    reason: str
    referrer: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    nhs_number: str
    contact_method: str
    phone: str
    email: str
    postcode: str
    safe_to_contact_note: str
    triaged_at: datetime | None
    decided_at: datetime | None
    decline_reason: str
    onward_referral: str
    onward_service: UUID | None
    redirected_to: UUID | None
    redirected_from: UUID | None
    episode: UUID | None
    history: list[StatusChangeOut]


class CandidateOut(Schema):
    id: UUID
    given_name: str
    family_name: str
    date_of_birth: date | None
    nhs_number: str | None


class TriageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    urgency: UrgencyCode
    note: Text2000 = ""


class LinkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: UUID


class AcceptIn(Schema):
    model_config = ConfigDict(extra="forbid")

    team: UUID | None = Field(None, description="One of your teams in the service; may be left out if you have one.")
    note: Text2000 = ""


class AcceptOut(Schema):
    referral: ReferralOut
    episode: UUID


class DeclineIn(Schema):
    """R1: a reason this kind of service may give, and an onward referral or signposting."""

    model_config = ConfigDict(extra="forbid")

    reason: DeclineReasonCode
    onward_referral: Text2000 = ""
    onward_service: UUID | None = None
    note: Text2000 = ""


class RedirectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to_service: UUID
    note: Text2000 = ""


class CloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: Text2000


class DropInVisitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    service: UUID
    name_or_alias: Text100
    year_of_birth: int | None = Field(None, ge=1900, le=2100)
    discussed: Text2000 = ""


class DropInVisitOut(Schema):
    id: UUID
    service: UUID
    visited_at: datetime
    name_or_alias: str
    year_of_birth: int | None
    discussed: str
    referral: UUID | None


class DropInConvertIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to_service: UUID
    reason: Text2000
    urgency: UrgencyCode = "routine"


def _summary_fields(r: Referral) -> dict[str, Any]:
    return {
        "id": r.public_id,
        "reference": r.reference,
        "to_service": r.to_service.public_id,
        "to_service_name": r.to_service.name,
        "route": r.route,
        "status": r.status,
        "urgency": r.urgency,
        "received_at": r.received_at,
        "person": r.person.public_id if r.person else None,
        "name": r.display_name,
    }


def _referral_out(r: Referral) -> ReferralOut:
    episode = getattr(r, "episode", None)
    return ReferralOut(
        **_summary_fields(r),
        reason=r.reason,
        referrer=r.referrer_label,
        given_name=r.given_name,
        family_name=r.family_name,
        date_of_birth=r.date_of_birth,
        nhs_number=r.nhs_number,
        contact_method=r.contact_method,
        phone=r.phone,
        email=r.email,
        postcode=r.postcode,
        safe_to_contact_note=r.safe_to_contact_note,
        triaged_at=r.triaged_at,
        decided_at=r.decided_at,
        decline_reason=r.decline_reason,
        onward_referral=r.onward_referral,
        onward_service=r.onward_service.public_id if r.onward_service else None,
        redirected_to=r.redirected_to.public_id if r.redirected_to else None,
        redirected_from=r.redirected_from.public_id if r.redirected_from else None,
        episode=episode.public_id if episode is not None else None,
        history=[
            StatusChangeOut(
                from_status=c.from_status,
                to_status=c.to_status,
                by=c.by.display_name if c.by else None,
                at=c.at,
                note=c.note,
            )
            for c in r.history.select_related("by")
        ],
    )


def _open(request: HttpRequest, referral_id: UUID, detail: str) -> Referral:
    try:
        return referral_for_triage(viewer=staff_of(request), public_id=referral_id, channel=Channel.API, detail=detail)
    except Referral.DoesNotExist as exc:
        raise Http404("No referral with that id.") from exc


def _service(public_id: UUID, field: str) -> Service:
    service = Service.objects.filter(public_id=public_id).first()
    if service is None:
        raise ValidationError({field: "No service with that id."})
    return service


def _reread(request: HttpRequest, referral: Referral, detail: str) -> ReferralOut:
    return _referral_out(_open(request, referral.public_id, detail))


@router.post(
    "/self",
    auth=None,
    response={201: SelfReferralOut, **PUBLIC_ERRORS},
    summary="Refer yourself (no account needed)",
    description="R12. Public: no token. Rate-limited by address; too many requests get 429.",
)
def self_refer(request: HttpRequest, payload: SelfReferralIn) -> Status[SelfReferralOut]:
    if self_referral_attempt_limited(request):
        raise HttpError(429, "Too many requests from this address. Please try again in an hour.")
    referral = services.referral_self_submit(**payload.model_dump())
    self_referral_sent(request)
    return Status(
        201,
        SelfReferralOut(
            reference=referral.reference,
            next_steps=(
                "We aim to contact you within 5 working days. If you need help now, call NHS 111 and choose "
                "option 2, or call 999 if a life is in danger."
            ),
        ),
    )


@router.get("", response={200: list[ReferralSummary], **ERRORS}, summary="Open referrals to your services (triage)")
def list_referrals(request: HttpRequest) -> list[ReferralSummary]:
    return [ReferralSummary(**_summary_fields(r)) for r in triage_queue(viewer=staff_of(request), channel=Channel.API)]


@router.post("", response={201: ReferralOut, **ERRORS}, summary="Make a referral (staff)")
def create_referral(request: HttpRequest, payload: StaffReferralIn) -> Status[ReferralOut]:
    user = staff_of(request)
    data = payload.model_dump()
    to_service = _service(data.pop("to_service"), "to_service")
    person_id = data.pop("person")
    person = None
    if person_id is not None:
        person = Person.objects.filter(public_id=person_id).first()
        if person is None:
            raise ValidationError({"person": "No person with that id."})
    referral = services.referral_create(by=user, to_service=to_service, person=person, channel=Channel.API, **data)
    return Status(201, _created_out(referral))


def _created_out(referral: Referral) -> ReferralOut:
    """What was just sent. The sender may not work in the receiving service, so this is built from
    what they sent, without a triage read."""
    return _referral_out(
        Referral.objects.select_related(
            "to_service", "person", "referrer", "onward_service", "redirected_to", "redirected_from"
        ).get(pk=referral.pk)
    )


# Drop-in routes come before /{referral_id}, so their fixed paths are matched first.


def _visit_out(v: DropInVisit) -> DropInVisitOut:
    return DropInVisitOut(
        id=v.public_id,
        service=v.service.public_id,
        visited_at=v.visited_at,
        name_or_alias=v.name_or_alias,
        year_of_birth=v.year_of_birth,
        discussed=v.discussed,
        referral=v.referral.public_id if v.referral else None,
    )


@router.post("/drop-in-visits", response={201: DropInVisitOut, **ERRORS}, summary="Record a drop-in visit (R12)")
def create_drop_in_visit(request: HttpRequest, payload: DropInVisitIn) -> Status[DropInVisitOut]:
    visit = services.drop_in_visit_record(
        service=_service(payload.service, "service"),
        by=staff_of(request),
        name_or_alias=payload.name_or_alias,
        year_of_birth=payload.year_of_birth,
        discussed=payload.discussed,
    )
    return Status(201, _visit_out(visit))


@router.post(
    "/drop-in-visits/{visit_id}/referral",
    response={201: ReferralOut, **ERRORS},
    summary="Make a referral from a drop-in visit (R12)",
)
def convert_drop_in_visit(request: HttpRequest, visit_id: UUID, payload: DropInConvertIn) -> Status[ReferralOut]:
    try:
        visit = drop_in_visit_for(viewer=staff_of(request), public_id=visit_id)
    except DropInVisit.DoesNotExist as exc:
        raise Http404("No drop-in visit with that id at your services.") from exc
    referral = services.drop_in_visit_convert(
        visit=visit,
        by=staff_of(request),
        to_service=_service(payload.to_service, "to_service"),
        reason=payload.reason,
        urgency=payload.urgency,
    )
    return Status(201, _created_out(referral))


@router.get("/{referral_id}", response={200: ReferralOut, **ERRORS}, summary="One referral (staff of its service)")
def get_referral(request: HttpRequest, referral_id: UUID) -> ReferralOut:
    return _referral_out(_open(request, referral_id, "GET referral"))


@router.get(
    "/{referral_id}/duplicates",
    response={200: list[CandidateOut], **ERRORS},
    summary="Likely duplicates of an unlinked referral's person (logged as a duplicate check)",
)
def get_duplicates(request: HttpRequest, referral_id: UUID) -> list[CandidateOut]:
    referral = _open(request, referral_id, "duplicate check")
    people = duplicates_for_triage(viewer=staff_of(request), referral=referral, channel=Channel.API)
    return [
        CandidateOut(
            id=p.public_id,
            given_name=p.given_name,
            family_name=p.family_name,
            date_of_birth=p.date_of_birth,
            nhs_number=p.nhs_number,
        )
        for p in people
    ]


@router.post("/{referral_id}/triage", response={200: ReferralOut, **ERRORS}, summary="Mark as triaged, with urgency")
def triage(request: HttpRequest, referral_id: UUID, payload: TriageIn) -> ReferralOut:
    referral = _open(request, referral_id, "triage referral")
    services.referral_triage(
        referral=referral, by=staff_of(request), urgency=payload.urgency, note=payload.note, channel=Channel.API
    )
    return _reread(request, referral, "triage referral (response)")


@router.post("/{referral_id}/link", response={200: ReferralOut, **ERRORS}, summary="Link to an existing person")
def link(request: HttpRequest, referral_id: UUID, payload: LinkIn) -> ReferralOut:
    referral = _open(request, referral_id, "link referral")
    person = Person.objects.filter(public_id=payload.person).first()
    if person is None:
        raise ValidationError({"person": "No person with that id."})
    services.referral_link_person(referral=referral, person=person, by=staff_of(request), channel=Channel.API)
    return _reread(request, referral, "link referral (response)")


@router.post("/{referral_id}/accept", response={200: AcceptOut, **ERRORS}, summary="Accept: opens an episode of care")
def accept(request: HttpRequest, referral_id: UUID, payload: AcceptIn) -> AcceptOut:
    referral = _open(request, referral_id, "accept referral")
    team = None
    if payload.team is not None:
        team = Team.objects.filter(public_id=payload.team).first()
        if team is None:
            raise ValidationError({"team": "No team with that id."})
    episode = services.referral_accept(
        referral=referral, by=staff_of(request), team=team, note=payload.note, channel=Channel.API
    )
    return AcceptOut(referral=_created_out(referral), episode=episode.public_id)


@router.post(
    "/{referral_id}/decline",
    response={200: ReferralOut, **ERRORS},
    summary="Decline (R1: allowed reason and onward referral)",
    description=(
        "R1: a mental health service may not decline for substance use, nor a drug and alcohol, housing or "
        "primary care service for mental illness; an onward referral or signposting is required. Refusals are "
        "422 naming the field."
    ),
)
def decline(request: HttpRequest, referral_id: UUID, payload: DeclineIn) -> ReferralOut:
    referral = _open(request, referral_id, "decline referral")
    onward = _service(payload.onward_service, "onward_service") if payload.onward_service else None
    services.referral_decline(
        referral=referral,
        by=staff_of(request),
        reason=payload.reason,
        onward_referral=payload.onward_referral,
        onward_service=onward,
        note=payload.note,
        channel=Channel.API,
    )
    return _created_out(referral)


@router.post(
    "/{referral_id}/redirect",
    response={201: ReferralOut, **ERRORS},
    summary="Send to another service: returns the new referral",
)
def redirect(request: HttpRequest, referral_id: UUID, payload: RedirectIn) -> Status[ReferralOut]:
    referral = _open(request, referral_id, "redirect referral")
    onward = services.referral_redirect(
        referral=referral,
        by=staff_of(request),
        to_service=_service(payload.to_service, "to_service"),
        note=payload.note,
        channel=Channel.API,
    )
    return Status(201, _created_out(onward))


@router.post("/{referral_id}/cancel", response={200: ReferralOut, **ERRORS}, summary="Cancel (made in error)")
def cancel(request: HttpRequest, referral_id: UUID, payload: CloseIn) -> ReferralOut:
    referral = _find(referral_id)
    services.referral_cancel(referral=referral, by=staff_of(request), note=payload.note, channel=Channel.API)
    return _created_out(referral)


@router.post("/{referral_id}/withdraw", response={200: ReferralOut, **ERRORS}, summary="The person withdrew it")
def withdraw(request: HttpRequest, referral_id: UUID, payload: CloseIn) -> ReferralOut:
    referral = _open(request, referral_id, "withdraw referral")
    services.referral_withdraw(referral=referral, by=staff_of(request), note=payload.note, channel=Channel.API)
    return _created_out(referral)


def _find(referral_id: UUID) -> Referral:
    referral = Referral.objects.select_related("to_service", "person").filter(public_id=referral_id).first()
    if referral is None:
        raise Http404("No referral with that id.")
    return referral
