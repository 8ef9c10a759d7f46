"""Reads for programme theories (issue 6 point 4) and the test of a theory against the service's data.

The result is an AGGREGATE: counts and percentages of a measure's denominator, split into the theory's
context and everyone else, with small numbers suppressed. It names nobody and opens no one's record, so
nothing is written to the per-person access log (which records reads of a person's record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import QuerySet

from coexist.accounts.models import User
from coexist.evaluation.models import ProgrammeTheory, TheoryStatus
from coexist.evaluation.rules import (
    Expects,
    Standing,
    Verdict,
    context_label,
    in_context,
    points,
    refusal_to_read,
    table_row,
    verdict,
)
from coexist.organisations.models import NON_CLINICAL_ROLES, Membership
from coexist.outcomes import observations as outcome_observations
from coexist.outcomes.definitions import MEASURES
from coexist.outcomes.rules.measures import Kind, Measure
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision


def proportion_measures() -> dict[str, Measure]:
    """The measures a theory's outcome may be bound to: proportions (a share of a denominator), by key."""
    return {key: m for key, m in MEASURES.items() if m.kind == Kind.PROPORTION}


def standing_of(user: User) -> Standing:
    """The viewer's current roles, and the services where they hold a clinical role (one query)."""
    rows = list(
        Membership.objects.current().filter(user=user, user__is_active=True).values_list("role", "team__service_id")
    )
    return Standing(
        roles=frozenset(role for role, _ in rows),
        clinical_services=frozenset(service for role, service in rows if role not in NON_CLINICAL_ROLES),
    )


def theories_for(viewer: User) -> list[ProgrammeTheory]:
    """The theories this viewer may read, by title (empty when they may read none)."""
    standing = standing_of(viewer)
    found: QuerySet[ProgrammeTheory] = ProgrammeTheory.objects.select_related("service", "created_by")
    return [
        t
        for t in found
        if refusal_to_read(standing, published=t.status == TheoryStatus.PUBLISHED, service_id=t.service_id) is None
    ]


def may_read_any(viewer: User) -> str | None:
    """Why this viewer may read no theory at all (None when some may be readable)."""
    standing = standing_of(viewer)
    return refusal_to_read(standing, published=True, service_id=None)


def theory_get(*, viewer: User, public_id: UUID) -> ProgrammeTheory:
    """One theory the viewer may read; ProgrammeTheory.DoesNotExist if none, AccessRefused if not theirs to read."""
    theory = ProgrammeTheory.objects.select_related("service", "created_by").get(public_id=public_id)
    refusal = refusal_to_read(
        standing_of(viewer), published=theory.status == TheoryStatus.PUBLISHED, service_id=theory.service_id
    )
    if refusal is not None:
        raise AccessRefused(AccessDecision(False, refusal))
    return theory


@dataclass(frozen=True)
class TheoryResult:
    """A theory tested on the data for a period: the measure, the context in words, and the verdict."""

    measure: Measure | None
    """None when the theory names a measure that no longer exists (then ``verdict`` is None too)."""
    start: date
    end: date
    context: str
    service: str
    verdict: Verdict | None

    @property
    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """The numbers behind the verdict: in the context, and everyone else (suppressed where small)."""
        if self.verdict is None:
            return []
        return [table_row("In this context", self.verdict.context), table_row("Everyone else", self.verdict.comparison)]

    @property
    def difference(self) -> str:
        """The difference in percentage points with its 95% CI, or "" when it is not shown."""
        if self.verdict is None or self.verdict.difference is None:
            return ""
        d = self.verdict.difference
        return f"{points(d.estimate)} points (95% CI {points(d.interval.lower)} to {points(d.interval.upper)})"

    @property
    def problem(self) -> str:
        if self.measure is None:
            return "The measure this theory is bound to is no longer defined, so it cannot be tested."
        return ""


def theory_result(theory: ProgrammeTheory, *, start: date, end: date) -> TheoryResult:
    """Split the measure's observations from ``start`` to ``end`` into the theory's context and everyone else
    (the comparison group), and judge the difference (see ``rules.verdict``). Checks no permission: the
    caller has opened the theory with ``theory_get``."""
    measure = proportion_measures().get(theory.measure_key)
    label = context_label(theory.context_filter)
    service = theory.service.name if theory.service else "All services"
    if measure is None:
        return TheoryResult(None, start, end, label, service, None)
    found = outcome_observations.observations(
        theory.measure_key, start=start, end=end, services=[theory.service] if theory.service else None
    )
    x1 = n1 = x2 = n2 = 0
    for o in found:
        if in_context(theory.context_filter, o.facts, o.at):
            n1 += o.count
            x1 += o.count if o.in_numerator else 0
        else:
            n2 += o.count
            x2 += o.count if o.in_numerator else 0
    return TheoryResult(
        measure, start, end, label, service, verdict((x1, n1), (x2, n2), expects=Expects(theory.expects))
    )


def theory_history(theory: ProgrammeTheory) -> list[object]:
    """Earlier versions of the theory, newest first (who changed it and when)."""
    return list(theory.history.select_related("history_user").order_by("-history_date")[:20])
