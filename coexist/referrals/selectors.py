"""Reads for referrals, scoped to the viewer (the staff of the service referred to) and logged when
they show a person's identity."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from coexist.accounts.models import User
from coexist.audit.models import Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.organisations.models import Service
from coexist.people.models import Person, normalise_nhs_number
from coexist.people.rules import Action, RecordPart
from coexist.referrals.models import URGENCY_RANK, DropInVisit, Referral
from coexist.referrals.permissions import require_triage, services_of
from coexist.referrals.rules import self_referral_service_kinds

DUPLICATE_CHECK = "duplicate check"
QUEUE_LIMIT = 200


def _urgency_order() -> Case:
    return Case(
        *[When(urgency=value, then=Value(rank)) for value, rank in URGENCY_RANK.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def _log_identities(
    *, viewer: User, people: list[Person], basis: str, channel: Channel, detail: str, purpose: str = "direct care"
) -> None:
    if people:
        access_log_append(
            actor=viewer,
            person_ids=[p.public_id for p in people],
            action=Action.READ,
            parts=[RecordPart.IDENTITY],
            outcome=Outcome.ALLOWED,
            basis=basis,
            channel=channel,
            detail=detail,
            purpose=purpose,
        )


def triage_queue(*, viewer: User, channel: Channel, limit: int = QUEUE_LIMIT) -> list[Referral]:
    """Open referrals to the services the viewer works in: urgent first, then oldest first.

    Names of linked people on the list are a read of their identity, logged in one INSERT."""
    referrals = list(
        Referral.objects.open()
        .filter(to_service__in=services_of(viewer))
        .select_related("to_service", "person", "referrer")
        .annotate(urgency_rank=_urgency_order())
        .order_by("urgency_rank", "received_at", "pk")[:limit]
    )
    linked = list({r.person.pk: r.person for r in referrals if r.person is not None}.values())
    _log_identities(
        viewer=viewer,
        people=linked,
        basis="listed: open referral to the viewer's service",
        channel=channel,
        detail="triage queue",
    )
    return referrals


def referral_for_triage(*, viewer: User, public_id: UUID, channel: Channel, detail: str) -> Referral:
    """One referral, for the staff of the service it was sent to. Raises Referral.DoesNotExist or
    AccessRefused; logs the read of the linked person's identity and referrals."""
    referral = Referral.objects.select_related(
        "to_service__organisation", "person", "referrer", "onward_service", "redirected_to", "redirected_from"
    ).get(public_id=public_id)
    decision = require_triage(user=viewer, referral=referral, channel=channel, detail=detail)
    if referral.person is not None:
        access_log_append(
            actor=viewer,
            person_ids=[referral.person.public_id],
            action=Action.READ,
            parts=[RecordPart.IDENTITY, RecordPart.EPISODES],
            outcome=Outcome.ALLOWED,
            basis=decision.basis,
            channel=channel,
            detail=detail,
        )
    return referral


def duplicate_candidates(*, referral: Referral) -> QuerySet[Person]:
    """People who are likely the person an unlinked referral is about: the same NHS number, or the
    same given and family name (ignoring case) and date of birth. Never merged automatically."""
    match = Q(pk__in=[])
    nhs = normalise_nhs_number(referral.nhs_number)
    if nhs:
        match |= Q(nhs_number=nhs)
    if referral.given_name.strip() and referral.family_name.strip() and referral.date_of_birth is not None:
        match |= Q(
            given_name__iexact=referral.given_name.strip(),
            family_name__iexact=referral.family_name.strip(),
            date_of_birth=referral.date_of_birth,
        )
    return Person.objects.filter(match).order_by("family_name", "given_name", "pk")


def duplicates_for_triage(*, viewer: User, referral: Referral, channel: Channel, limit: int = 10) -> list[Person]:
    """The likely duplicates to show on the triage page, for linking. Showing them reads their
    identity (name, date of birth, NHS number), so each is logged with purpose "duplicate check"."""
    decision = require_triage(user=viewer, referral=referral, channel=channel, detail="duplicate check")
    if referral.person_id is not None:
        return []
    found = list(duplicate_candidates(referral=referral)[:limit])
    _log_identities(
        viewer=viewer,
        people=found,
        basis=f"{decision.basis}: possible match for referral {referral.reference}",
        channel=channel,
        detail=f"likely duplicates for referral {referral.reference}",
        purpose=DUPLICATE_CHECK,
    )
    return found


def self_referral_service(help_kind: str) -> Service | None:
    """R12: the service a self-referral goes to: the first service of the first kind the rule
    names (services in organisation and name order, so the choice is stable)."""
    for kind in self_referral_service_kinds(help_kind):
        service = Service.objects.filter(kind=kind).order_by("organisation__name", "name", "pk").first()
        if service is not None:
            return service
    return None


def drop_in_visits_for(*, viewer: User) -> QuerySet[DropInVisit]:
    """Drop-in visits at the services the viewer works in, not yet made into referrals first."""
    return (
        DropInVisit.objects.filter(service__in=services_of(viewer))
        .select_related("service", "recorded_by", "referral")
        .order_by(F("referral").asc(nulls_first=True), "-visited_at")
    )


def drop_in_visit_for(*, viewer: User, public_id: UUID) -> DropInVisit:
    """One drop-in visit at a service the viewer works in. Raises DropInVisit.DoesNotExist."""
    return drop_in_visits_for(viewer=viewer).get(public_id=public_id)
