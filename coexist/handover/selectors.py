"""Reads for provider handover (R10): contracts and handover runs. Administrators only, and nothing clinical:
counts, service and team names and record kinds. No person's record is opened here, so nothing is logged
to the access log (the run itself logs a write per person moved)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count
from django.utils import timezone

from coexist.accounts.models import User
from coexist.handover.models import Contract, HandoverMove, HandoverStatus, ProviderHandover
from coexist.handover.rules import COUNT_LABELS, MOVE_LABELS, MoveKind, contract_state, days_until, reconcile
from coexist.handover.services import ADMINISTRATORS_ONLY
from coexist.organisations.selectors import is_administrator
from coexist.people.permissions import AccessRefused


def _require_administrator(viewer: User) -> None:
    if not is_administrator(viewer):
        raise AccessRefused(ADMINISTRATORS_ONLY)


@dataclass(frozen=True)
class ContractRow:
    contract: Contract
    days_until_end: int
    state: str
    handovers: list[ProviderHandover]

    @property
    def completed(self) -> ProviderHandover | None:
        return next((h for h in self.handovers if h.status == HandoverStatus.COMPLETED), None)


def contracts_list(*, viewer: User) -> list[ContractRow]:
    """Every contract, soonest ending first, with what handovers were prepared or run from it."""
    _require_administrator(viewer)
    today = timezone.localdate()
    contracts = Contract.objects.select_related("provider", "service", "successor__provider", "successor__service")
    handovers: dict[int, list[ProviderHandover]] = {}
    for h in ProviderHandover.objects.select_related("to_contract").order_by("-run_at", "-pk"):
        handovers.setdefault(h.from_contract_id, []).append(h)
    rows = []
    for contract in contracts.order_by("ends_on", "name"):
        runs = handovers.get(contract.pk, [])
        done = any(h.status == HandoverStatus.COMPLETED for h in runs)
        rows.append(
            ContractRow(
                contract=contract,
                days_until_end=days_until(today=today, ends_on=contract.ends_on),
                state=contract_state(today=today, ends_on=contract.ends_on, handed_over=done),
                handovers=runs,
            )
        )
    return rows


def contract_get(*, viewer: User, public_id: UUID) -> Contract:
    _require_administrator(viewer)
    return Contract.objects.select_related("provider", "service", "successor__service", "successor__provider").get(
        public_id=public_id
    )


def handover_get(*, viewer: User, public_id: UUID) -> ProviderHandover:
    _require_administrator(viewer)
    return ProviderHandover.objects.select_related(
        "from_contract__service", "from_contract__provider", "to_contract__service", "to_contract__provider", "run_by"
    ).get(public_id=public_id)


@dataclass(frozen=True)
class CountRow:
    kind: str
    label: str
    before: int
    after: int

    @property
    def equal(self) -> bool:
        return self.before == self.after


@dataclass(frozen=True)
class MoveRow:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class HandoverReport:
    """R10 reconciliation: counts before and after by kind, the moves made, and the rebooking list."""

    handover: ProviderHandover
    counts: list[CountRow]
    differences: list[CountRow]
    moves: list[MoveRow]
    rebooking: int
    rebooking_people: int

    @property
    def reconciled(self) -> bool:
        return self.handover.reconciled


def handover_report(*, viewer: User, public_id: UUID) -> HandoverReport:
    handover = handover_get(viewer=viewer, public_id=public_id)
    before, after = handover.counts_before, handover.counts_after
    counts = [
        CountRow(kind=k, label=COUNT_LABELS.get(k, k), before=before.get(k, 0), after=after.get(k, 0))
        for k in COUNT_LABELS
        if k in before or k in after
    ]
    differing = {d.kind for d in reconcile(before=before, after=after)}
    by_kind = dict(
        HandoverMove.objects.filter(handover=handover).values("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    rebook = HandoverMove.objects.filter(handover=handover, kind=MoveKind.APPOINTMENT_REBOOK)
    return HandoverReport(
        handover=handover,
        counts=counts,
        differences=[c for c in counts if c.kind in differing],
        moves=[MoveRow(kind=k, label=label, count=by_kind.get(k, 0)) for k, label in MOVE_LABELS.items()],
        rebooking=rebook.count(),
        rebooking_people=rebook.values("person_id").distinct().count(),
    )
