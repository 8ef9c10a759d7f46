"""API endpoints for programme theories, under /api/v1/evaluation: the same selectors and access rules as the
pages. Read only: theories are recorded on the pages.

Errors are problem+json: 401 without a token; 403 when the viewer may not read theories (administrators) or
this theory (a draft, or another service's); 404 for an unknown theory; 422 for a bad period. The result is
an aggregate naming nobody, so nothing is written to the per-person access log.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from coexist.accounts.requests import staff_of
from coexist.evaluation.models import ProgrammeTheory
from coexist.evaluation.selectors import may_read_any, theories_for, theory_get, theory_result
from coexist.evaluation.views import parse_period
from coexist.interop.problems import ERRORS
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision

router = Router(tags=["programme theories"])


class ContextPairOut(Schema):
    cut: str
    category: str


class TheoryEvidenceOut(Schema):
    id: UUID
    kind: str
    source: str
    summary: str
    dated: date


class TheoryOut(Schema):
    id: UUID
    title: str
    context: str
    mechanism: str
    outcome: str
    measure: str
    expects: str
    context_filter: list[ContextPairOut]
    service: UUID | None
    status: str
    evidence: list[TheoryEvidenceOut]


class ComparisonGroupOut(Schema):
    """One group's figures; "[c]" wherever small-number suppression hides a figure."""

    group: str
    numerator: str
    denominator: str
    percentage: str
    confidence_interval_95: str


class ResultOut(Schema):
    theory: UUID
    measure: str
    start: date
    end: date
    context: str
    verdict: str
    """consistent | opposite | no_clear_difference | too_few"""
    statement: str
    groups: list[ComparisonGroupOut]
    difference: str
    """Context minus everyone else, in percentage points with its 95% CI; "" when too few to compare."""


def _out(theory: ProgrammeTheory) -> TheoryOut:
    return TheoryOut(
        id=theory.public_id, title=theory.title, context=theory.context, mechanism=theory.mechanism,
        outcome=theory.outcome, measure=theory.measure_key, expects=theory.expects,
        context_filter=[ContextPairOut(cut=c, category=k) for c, k in theory.context_filter],
        service=theory.service.public_id if theory.service else None, status=theory.status,
        evidence=[
            TheoryEvidenceOut(id=e.public_id, kind=e.kind, source=e.source, summary=e.summary, dated=e.dated)
            for e in theory.evidence.all()
        ],
    )  # fmt: skip


def _open(request: HttpRequest, theory_id: UUID) -> ProgrammeTheory:
    try:
        return theory_get(viewer=staff_of(request), public_id=theory_id)
    except ProgrammeTheory.DoesNotExist as exc:
        raise Http404("No programme theory with that id.") from exc


@router.get("", response={200: list[TheoryOut], **ERRORS}, summary="Programme theories the viewer may read")
def list_theories(request: HttpRequest) -> list[TheoryOut]:
    viewer = staff_of(request)
    refusal = may_read_any(viewer)
    if refusal is not None:
        raise AccessRefused(AccessDecision(False, refusal))
    return [_out(t) for t in theories_for(viewer)]


@router.get("/{theory_id}", response={200: TheoryOut, **ERRORS}, summary="One programme theory with its evidence")
def get_theory(request: HttpRequest, theory_id: UUID) -> TheoryOut:
    return _out(_open(request, theory_id))


@router.get(
    "/{theory_id}/result",
    response={200: ResultOut, **ERRORS},
    summary="Whether the service's data bear the theory out, for a period (default: the last 12 months)",
)
def get_result(request: HttpRequest, theory_id: UUID, start: str = "", end: str = "") -> ResultOut:
    theory = _open(request, theory_id)
    first, last, errors = parse_period(start, end, today=timezone.localdate())
    if errors or first is None or last is None:
        raise ValidationError({"start" if k == "from" else "end": v for k, v in errors.items()})
    result = theory_result(theory, start=first, end=last)
    if result.measure is None or result.verdict is None:
        raise ValidationError({"measure": result.problem})
    return ResultOut(
        theory=theory.public_id, measure=theory.measure_key, start=first, end=last, context=result.context,
        verdict=result.verdict.kind.value, statement=result.verdict.text,
        groups=[ComparisonGroupOut(group=r[0], numerator=r[1], denominator=r[2], percentage=r[3],
                                   confidence_interval_95=r[4]) for r in result.rows],
        difference=result.difference,
    )  # fmt: skip
