"""API endpoints for provider handover (R10), under /api/v1/provider-handover: the same selectors and services
as the pages. Administrators only (403 otherwise); counts, service and team names and record kinds only.

Errors are problem+json: 401 without a token, 403 for anyone but an administrator, 404 for an unknown
contract, team or handover, 422 for a handover that cannot run (naming the field).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from coexist.accounts.models import User
from coexist.accounts.requests import staff_of
from coexist.audit.models import Channel
from coexist.handover.models import Contract, ProviderHandover
from coexist.handover.selectors import contract_get, contracts_list, handover_get, handover_report
from coexist.handover.services import handover_dry_run, handover_run_dry_run
from coexist.interop.problems import ERRORS
from coexist.organisations.models import Team

router = Router(tags=["provider handover"])


class HandoverSummary(Schema):
    id: UUID
    status: str
    run_at: datetime


class ContractOut(Schema):
    id: UUID
    name: str
    provider: str
    service: str
    starts_on: date
    ends_on: date
    days_until_end: int
    state: str
    successor: UUID | None
    handovers: list[HandoverSummary]


class DryRunIn(Schema):
    """R10: prepare a dry run to the contract's successor. `team_map` maps each old team's id to a receiving
    team's id (default: the new service's first team); `transferring_staff` lists the staff ids that transfer."""

    model_config = ConfigDict(extra="forbid")

    team_map: dict[UUID, UUID] = Field(default_factory=dict, max_length=100)
    transferring_staff: list[UUID] = Field(default_factory=list, max_length=500)


class CountOut(Schema):
    kind: str
    label: str
    before: int
    after: int
    equal: bool


class MoveOut(Schema):
    kind: str
    label: str
    count: int


class ProviderHandoverOut(Schema):
    id: UUID
    from_contract: UUID
    to_contract: UUID
    status: str
    run_at: datetime
    plan: dict[str, Any]
    failure: str


class ReportOut(Schema):
    id: UUID
    status: str
    reconciled: bool
    counts: list[CountOut]
    moves: list[MoveOut]
    rebooking: int
    rebooking_people: int


def _handover_out(h: ProviderHandover) -> ProviderHandoverOut:
    return ProviderHandoverOut(
        id=h.public_id,
        from_contract=h.from_contract.public_id,
        to_contract=h.to_contract.public_id,
        status=h.status,
        run_at=h.run_at,
        plan=h.plan,
        failure=h.failure,
    )


def _report_out(request: HttpRequest, public_id: UUID) -> ReportOut:
    report = handover_report(viewer=staff_of(request), public_id=public_id)
    return ReportOut(
        id=report.handover.public_id,
        status=report.handover.status,
        reconciled=report.reconciled,
        counts=[
            CountOut(kind=c.kind, label=c.label, before=c.before, after=c.after, equal=c.equal) for c in report.counts
        ],
        moves=[MoveOut(kind=m.kind, label=m.label, count=m.count) for m in report.moves],
        rebooking=report.rebooking,
        rebooking_people=report.rebooking_people,
    )


def _get(request: HttpRequest, public_id: UUID) -> ProviderHandover:
    try:
        return handover_get(viewer=staff_of(request), public_id=public_id)
    except ProviderHandover.DoesNotExist as exc:
        raise Http404("No handover with that id.") from exc


@router.get("/contracts", response={200: list[ContractOut], **ERRORS}, summary="Commissioning contracts (R10)")
def list_contracts(request: HttpRequest) -> list[ContractOut]:
    return [
        ContractOut(
            id=r.contract.public_id,
            name=r.contract.name,
            provider=r.contract.provider.name,
            service=r.contract.service.name,
            starts_on=r.contract.starts_on,
            ends_on=r.contract.ends_on,
            days_until_end=r.days_until_end,
            state=r.state,
            successor=r.contract.successor.public_id if r.contract.successor else None,
            handovers=[HandoverSummary(id=h.public_id, status=h.status, run_at=h.run_at) for h in r.handovers],
        )
        for r in contracts_list(viewer=staff_of(request))
    ]


@router.post(
    "/contracts/{contract_id}/dry-run",
    response={201: ProviderHandoverOut, **ERRORS},
    summary="Prepare a dry run of a provider handover to the contract's successor (R10); changes nothing",
)
def dry_run(request: HttpRequest, contract_id: UUID, payload: DryRunIn) -> Status[ProviderHandoverOut]:
    try:
        contract = contract_get(viewer=staff_of(request), public_id=contract_id)
    except Contract.DoesNotExist as exc:
        raise Http404("No contract with that id.") from exc
    if contract.successor is None:
        raise ValidationError({"to_contract": "This contract has no successor recorded."})
    wanted = {*payload.team_map, *payload.team_map.values()}
    teams = {t.public_id: t for t in Team.objects.filter(public_id__in=wanted)}
    missing = sorted(str(t) for t in wanted if t not in teams)
    if missing:
        raise ValidationError({"team_map": f"No team with id {', '.join(missing)}."})
    staff = list(User.objects.filter(public_id__in=payload.transferring_staff))
    if len(staff) != len(set(payload.transferring_staff)):
        raise ValidationError({"transferring_staff": "Some of those staff ids are not known."})
    handover = handover_dry_run(
        from_contract=contract,
        to_contract=contract.successor,
        team_map={teams[old]: teams[new] for old, new in payload.team_map.items()},
        transferring_staff=staff,
        by=staff_of(request),
    )
    return Status(201, _handover_out(_get(request, handover.public_id)))


@router.post(
    "/runs/{handover_id}/run",
    response={201: ReportOut, **ERRORS},
    summary="Run a prepared handover in one transaction (R10); returns the reconciliation",
)
def run(request: HttpRequest, handover_id: UUID) -> Status[ReportOut]:
    dry = _get(request, handover_id)
    done = handover_run_dry_run(dry_run=dry, by=staff_of(request), channel=Channel.API)
    return Status(201, _report_out(request, done.public_id))


@router.get("/runs/{handover_id}", response={200: ProviderHandoverOut, **ERRORS}, summary="A handover run or dry run")
def get_run(request: HttpRequest, handover_id: UUID) -> ProviderHandoverOut:
    return _handover_out(_get(request, handover_id))


@router.get(
    "/runs/{handover_id}/report", response={200: ReportOut, **ERRORS}, summary="Reconciliation: counts before and after"
)
def get_report(request: HttpRequest, handover_id: UUID) -> ReportOut:
    try:
        return _report_out(request, handover_id)
    except ProviderHandover.DoesNotExist as exc:
        raise Http404("No handover with that id.") from exc
